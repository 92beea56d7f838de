//! Finding what a request names: a stored row, or 404 saying which; a camera's running PTZ
//! actor, or why it has none.

use actix::Addr;
use vistterstream_actors::ptz::{PtzActor, PtzCell};

use super::context::Context;
use super::error::{Result, ServiceError};
use crate::domain::asset::Asset;
use crate::store::assets;
use crate::store::cameras::{self, CameraRow};
use crate::store::destinations::{self, DestinationRow};
use crate::store::outputs::{self, OutputRow};
use crate::store::presets::{self, PresetRow};
use crate::store::timelines::{self, TimelineRow};

fn missing(what: &str, id: i64) -> ServiceError {
    ServiceError::NotFound(format!("{what} {id} does not exist"))
}

pub(super) async fn camera(ctx: &Context, id: i64) -> Result<CameraRow> {
    cameras::get(&ctx.pool, id)
        .await?
        .ok_or_else(|| missing("camera", id))
}

pub(super) async fn output(ctx: &Context, id: i64) -> Result<OutputRow> {
    outputs::get(&ctx.pool, id)
        .await?
        .ok_or_else(|| missing("output", id))
}

pub(super) async fn timeline(ctx: &Context, id: i64) -> Result<TimelineRow> {
    timelines::get(&ctx.pool, id)
        .await?
        .ok_or_else(|| missing("timeline", id))
}

pub(super) async fn preset(ctx: &Context, id: i64) -> Result<PresetRow> {
    presets::get(&ctx.pool, id)
        .await?
        .ok_or_else(|| missing("preset", id))
}

pub(super) async fn destination(ctx: &Context, id: i64) -> Result<DestinationRow> {
    destinations::get(&ctx.pool, id)
        .await?
        .ok_or_else(|| missing("destination", id))
}

pub(super) async fn asset(ctx: &Context, id: i64) -> Result<Asset> {
    assets::get(&ctx.pool, id)
        .await?
        .ok_or_else(|| missing("asset", id))
}

/// A PTZ camera's running actor and status.
pub(super) struct Ptz {
    pub addr: Addr<PtzActor>,
    pub cell: std::sync::Arc<PtzCell>,
}

/// The running PTZ actor of a camera. The registry holds exactly the enabled PTZ cameras,
/// so a command (a joystick sends 50 a second) needs no database read; the camera row is
/// read only to explain a miss.
pub(super) async fn ptz(ctx: &Context, camera_id: i64) -> Result<Ptz> {
    match ctx.runtime.ptz_registry.get(camera_id) {
        Some(handle) => match handle.addr {
            Some(addr) => Ok(Ptz {
                addr,
                cell: handle.shared,
            }),
            None => Err(ServiceError::Unavailable(format!(
                "the PTZ actor of camera {camera_id} is restarting; retry"
            ))),
        },
        None => Err(not_ptz(&camera(ctx, camera_id).await?)),
    }
}

/// A PTZ camera's row (for thumbnails) and its running actor.
pub(super) async fn ptz_camera(ctx: &Context, camera_id: i64) -> Result<(CameraRow, Ptz)> {
    let row = camera(ctx, camera_id).await?;
    if !row.is_ptz() || !row.enabled {
        return Err(not_ptz(&row));
    }
    Ok((row, ptz(ctx, camera_id).await?))
}

/// Why a camera has no running PTZ actor.
fn not_ptz(row: &CameraRow) -> ServiceError {
    if !row.is_ptz() {
        ServiceError::Conflict(format!(
            "camera {} is a fixed camera; PTZ needs a camera of kind \"ptz\"",
            row.id
        ))
    } else if !row.enabled {
        ServiceError::Conflict(format!("camera {} is disabled", row.id))
    } else {
        ServiceError::Unavailable(format!("PTZ for camera {} is starting", row.id))
    }
}

/// Ask a PTZ actor; a mailbox that is gone means it is restarting.
pub(super) async fn ask<M>(ptz: &Ptz, msg: M) -> Result<M::Result>
where
    M: actix::Message + Send + 'static,
    M::Result: Send,
    PtzActor: actix::Handler<M>,
{
    ptz.addr
        .send(msg)
        .await
        .map_err(|_| ServiceError::Unavailable("the PTZ actor is restarting; retry".into()))
}
