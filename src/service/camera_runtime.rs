//! Cameras as the media runtime runs them: a stored row becomes a `CameraSpec` (and, for an
//! enabled PTZ camera, a `PtzSpec`), handed to the supervisors so the runtime follows the
//! store at once; at start-up the runtime is reconciled to every stored camera.

use std::time::Duration;

use anyhow::Context as _;
use url::Url;
use vistterstream_actors::camera::CameraSpec;
use vistterstream_actors::ptz::{PtzQuirks, PtzSpec, PtzTiming};
use vistterstream_actors::supervision::{Reconcile, Stop, Upsert};

use super::context::Context;
use crate::domain::camera::{PtzQuirk, RtspLocation};
use crate::store::cameras::{self, CameraRow};

/// The runtime spec of a stored camera (password unsealed).
pub(super) fn camera_spec(ctx: &Context, row: &CameraRow) -> anyhow::Result<CameraSpec> {
    spec_for(
        ctx,
        row.id,
        &row.name,
        &row.location,
        row.username.clone(),
        camera_password(ctx, row)?,
    )
}

/// The runtime spec of a camera at `location` (stored, or a form being tested).
pub(super) fn spec_for(
    ctx: &Context,
    id: i64,
    name: &str,
    location: &RtspLocation,
    username: Option<String>,
    password: Option<String>,
) -> anyhow::Result<CameraSpec> {
    let url = Url::parse(&location.url())
        .with_context(|| format!("camera {id}: URL {location} is invalid"))?;
    Ok(CameraSpec {
        id,
        name: name.to_string(),
        url,
        username,
        password,
        stall_timeout: Duration::from_secs(ctx.config.cameras.stall_timeout_secs.max(1)),
        connect_timeout: Duration::from_secs(ctx.config.cameras.connect_timeout_secs.max(1)),
    })
}

/// A stored camera's password, unsealed (RTSP and ONVIF use the same credentials).
fn camera_password(ctx: &Context, row: &CameraRow) -> anyhow::Result<Option<String>> {
    ctx.unseal(row.password_enc.as_deref(), || {
        format!("camera {}'s password", row.id)
    })
}

/// The PTZ spec of a stored camera, if it is an enabled PTZ camera.
fn ptz_spec(ctx: &Context, row: &CameraRow) -> anyhow::Result<Option<PtzSpec>> {
    if !row.enabled || !row.is_ptz() {
        return Ok(None);
    }
    let c = &ctx.config.ptz;
    let ms = |v: u64, min: u64| Duration::from_millis(v.max(min));
    Ok(Some(PtzSpec {
        camera_id: row.id,
        host: row.location.host.clone(),
        onvif_port: row.onvif_port,
        username: row.username.clone(),
        password: camera_password(ctx, row)?,
        profile_token: row.onvif_profile.clone(),
        quirks: PtzQuirks {
            stop_by_zero_velocity: row.ptz_quirks.contains(&PtzQuirk::StopByZeroVelocity),
            ignore_position: row.ptz_quirks.contains(&PtzQuirk::IgnorePosition),
        },
        timing: PtzTiming {
            call_timeout: ms(c.call_timeout_ms, 100),
            health_interval: ms(c.health_interval_ms, 100),
            settle_poll: ms(c.settle_poll_ms, 20),
            settle_timeout: ms(c.settle_timeout_ms, 100),
            move_watchdog: ms(c.move_watchdog_ms, 100),
        },
    }))
}

/// Tell the runtime about a created or changed camera: takes effect at once.
pub(super) fn apply(ctx: &Context, row: &CameraRow) -> anyhow::Result<()> {
    let runtime = &ctx.runtime;
    if row.enabled {
        runtime.cameras.do_send(Upsert(camera_spec(ctx, row)?));
    } else {
        runtime.cameras.do_send(Stop {
            id: row.id,
            forget: true,
        });
    }
    match ptz_spec(ctx, row)? {
        Some(spec) => runtime.ptz.do_send(Upsert(spec)),
        None => runtime.ptz.do_send(Stop {
            id: row.id,
            forget: true,
        }),
    }
    ctx.forget_snapshot(row.id);
    Ok(())
}

/// A deleted camera leaves the runtime.
pub(super) fn remove(ctx: &Context, camera_id: i64) {
    for supervisor in [
        ctx.runtime.cameras.clone().recipient::<Stop>(),
        ctx.runtime.ptz.clone().recipient::<Stop>(),
    ] {
        supervisor.do_send(Stop {
            id: camera_id,
            forget: true,
        });
    }
    ctx.forget_snapshot(camera_id);
}

/// Make the runtime run exactly the enabled stored cameras (at start-up). A camera whose
/// spec cannot be made (a password that no longer unseals) is logged and left out.
pub async fn reconcile(ctx: &Context) -> anyhow::Result<usize> {
    let rows = cameras::list(&ctx.pool).await.context("listing cameras")?;
    let mut specs = Vec::new();
    let mut ptz = Vec::new();
    for row in &rows {
        if row.enabled {
            match camera_spec(ctx, row) {
                Ok(spec) => specs.push(spec),
                Err(e) => {
                    tracing::error!(camera = row.id, error = %format!("{e:#}"), "camera not started")
                }
            }
        }
        match ptz_spec(ctx, row) {
            Ok(Some(spec)) => ptz.push(spec),
            Ok(None) => {}
            Err(e) => {
                tracing::error!(camera = row.id, error = %format!("{e:#}"), "PTZ not started")
            }
        }
    }
    let started = specs.len();
    ctx.runtime
        .cameras
        .send(Reconcile(specs))
        .await
        .context("the camera supervisor did not answer")?;
    ctx.runtime
        .ptz
        .send(Reconcile(ptz))
        .await
        .context("the PTZ supervisor did not answer")?;
    Ok(started)
}
