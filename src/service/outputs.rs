//! Outputs (OUT-2..OUT-9, PK-3): always-on programs and relays, their desired state
//! (persisted, restored after a restart), cuts, and the emergency stop. Every change to an
//! output's row and its application to the runtime happen under the output's lock.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use vistterstream_actors::output::{Cut, OutputError, OutputStatus};

use super::audit;
use super::context::Context;
use super::error::{Result, ServiceError};
use super::lookup;
use super::output_runtime;
use super::timeline_runtime;
use crate::auth::Principal;
use crate::domain::FieldError;
use crate::domain::output::{Mode, OutputInput, OutputSettings, validate};
use crate::store::outputs::{self, OutputRow};
use crate::store::{assets, cameras, destinations, schedules};

#[derive(Serialize, ToSchema)]
pub struct OutputView {
    pub id: i64,
    #[serde(flatten)]
    pub settings: OutputSettings,
    /// Desired state: whether the output should be on air (kept across restarts).
    pub running: bool,
    /// Live status: what the runtime is doing with it now.
    pub status: OutputStatus,
    pub created_at: String,
    pub updated_at: String,
}

fn view(ctx: &Context, row: OutputRow) -> OutputView {
    OutputView {
        status: ctx.runtime.output_registry.status(row.id),
        id: row.id,
        settings: row.settings,
        running: row.running,
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

/// The referenced destinations, cameras and slate picture must exist.
async fn check_references(ctx: &Context, o: &OutputSettings) -> Result<()> {
    let mut errors = Vec::new();
    for (i, id) in o.destination_ids.iter().enumerate() {
        if destinations::get(&ctx.pool, *id).await?.is_none() {
            errors.push(FieldError::new(
                format!("destination_ids[{i}]"),
                format!("destination {id} does not exist"),
            ));
        }
    }
    if let Some(id) = o.camera_id
        && cameras::get(&ctx.pool, id).await?.is_none()
    {
        errors.push(FieldError::new(
            "camera_id",
            format!("camera {id} does not exist"),
        ));
    }
    for (i, id) in o.standby_camera_ids.iter().enumerate() {
        if cameras::get(&ctx.pool, *id).await?.is_none() {
            errors.push(FieldError::new(
                format!("standby_camera_ids[{i}]"),
                format!("camera {id} does not exist"),
            ));
        }
    }
    if let Some(id) = o.slate_asset_id {
        match assets::get(&ctx.pool, id).await? {
            None => errors.push(FieldError::new(
                "slate_asset_id",
                format!("asset {id} does not exist"),
            )),
            Some(a) if !a.kind.is_picture() => errors.push(FieldError::new(
                "slate_asset_id",
                format!(
                    "asset {id} is a {}; the slate takes an image",
                    a.kind.as_str()
                ),
            )),
            Some(_) => {}
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ServiceError::Invalid(errors))
    }
}

async fn record(
    ctx: &Context,
    who: &Principal,
    action: &str,
    id: i64,
    detail: serde_json::Value,
) -> Result<()> {
    audit::record(ctx, who, action, Some(format!("output:{id}")), Some(detail)).await
}

pub async fn list(ctx: &Context) -> Result<Vec<OutputView>> {
    Ok(outputs::list(&ctx.pool)
        .await?
        .into_iter()
        .map(|r| view(ctx, r))
        .collect())
}

pub async fn get(ctx: &Context, id: i64) -> Result<OutputView> {
    Ok(view(ctx, lookup::output(ctx, id).await?))
}

/// Create an output (stopped).
pub async fn create(ctx: &Context, who: &Principal, input: OutputInput) -> Result<OutputView> {
    let settings = validate(&OutputSettings::default(), &input).map_err(ServiceError::Invalid)?;
    check_references(ctx, &settings).await?;
    let row = outputs::insert(&ctx.pool, &settings).await?;
    let detail = serde_json::json!({"name": row.settings.name, "mode": row.settings.mode});
    record(ctx, who, "output.create", row.id, detail).await?;
    Ok(view(ctx, row))
}

/// Change an output; fields left out keep their value. A running output takes the change at
/// once: destinations, standby cameras, the camera on air and the slate in place (the other
/// destinations never notice); mode, profile, encoder or recording restart its pipeline.
pub async fn update(
    ctx: &Context,
    who: &Principal,
    id: i64,
    input: OutputInput,
) -> Result<OutputView> {
    let _guard = ctx.lock_output(id).await;
    let row = lookup::output(ctx, id).await?;
    let settings = validate(&row.settings, &input).map_err(ServiceError::Invalid)?;
    check_references(ctx, &settings).await?;
    let row = outputs::update(&ctx.pool, id, &settings).await?;
    output_runtime::apply(ctx, &row).await?;
    let detail = serde_json::json!({"name": row.settings.name});
    record(ctx, who, "output.update", row.id, detail).await?;
    Ok(view(ctx, row))
}

pub async fn delete(ctx: &Context, who: &Principal, id: i64) -> Result<()> {
    let _guard = ctx.lock_output(id).await;
    let row = lookup::output(ctx, id).await?;
    ServiceError::used_by_schedules(
        &schedules::on_output(&ctx.pool, id).await?,
        &format!("output {id} is used by"),
        "change or delete them first",
    )?;
    timeline_runtime::end_on_output(ctx, id, "output_deleted").await?;
    // The row first: nothing can re-apply a deleted output afterwards.
    outputs::delete(&ctx.pool, id).await?;
    ctx.runtime
        .outputs
        .send(vistterstream_actors::supervision::Stop { id, forget: true })
        .await
        .map_err(ServiceError::internal)?;
    let detail = serde_json::json!({"name": row.settings.name});
    record(ctx, who, "output.delete", id, detail).await
}

/// Put the output on air (and keep it there across restarts of the appliance).
pub async fn start(ctx: &Context, who: &Principal, id: i64) -> Result<OutputView> {
    let _guard = ctx.lock_output(id).await;
    let row = lookup::output(ctx, id).await?;
    // A program runs for its preview alone (a rehearsal before going on air); a relay with
    // nowhere to publish would do nothing.
    if row.settings.mode == Mode::Relay
        && outputs::enabled_destination_count(&ctx.pool, id).await? == 0
        && !row.settings.recording.enabled
    {
        return Err(ServiceError::Conflict(format!(
            "relay {id} has no enabled destination and no recording: nothing to publish to"
        )));
    }
    set_running(ctx, who, id, true).await
}

/// Take the output off air; returns when its pipelines are down.
pub async fn stop(ctx: &Context, who: &Principal, id: i64) -> Result<OutputView> {
    let _guard = ctx.lock_output(id).await;
    lookup::output(ctx, id).await?;
    // Nothing left to drive: its timeline ends first, so it cuts nothing on the way down.
    timeline_runtime::end_on_output(ctx, id, "output_stopped").await?;
    set_running(ctx, who, id, false).await
}

/// Store the desired state, apply it (a stop returns once the pipelines are down), audit.
async fn set_running(ctx: &Context, who: &Principal, id: i64, running: bool) -> Result<OutputView> {
    let row = outputs::set_running(&ctx.pool, id, running).await?;
    output_runtime::apply(ctx, &row).await?;
    let action = if running {
        "output.start"
    } else {
        "output.stop"
    };
    let detail = serde_json::json!({"name": row.settings.name});
    record(ctx, who, action, row.id, detail).await?;
    Ok(view(ctx, row))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CutInput {
    pub camera_id: i64,
}

/// Cut to a camera. On a running program the new camera is on the next output frame when it
/// is decoded already (on air or standby), else within its first keyframe; the camera is
/// also stored as the one on air.
pub async fn cut(ctx: &Context, who: &Principal, id: i64, input: CutInput) -> Result<OutputView> {
    let _guard = ctx.lock_output(id).await;
    let row = lookup::output(ctx, id).await?;
    let camera_id = input.camera_id;
    if cameras::get(&ctx.pool, camera_id).await?.is_none() {
        return Err(ServiceError::field(
            "camera_id",
            format!("camera {camera_id} does not exist"),
        ));
    }
    if row.settings.mode == Mode::Relay {
        return Err(ServiceError::Conflict(
            OutputError::RelayCannotCut.to_string(),
        ));
    }
    // On an output a timeline drives, the cut pins the camera (docs/timelines.md).
    timeline_runtime::pin_on_output(ctx, id, camera_id).await?;
    if let Some(addr) = ctx.runtime.output_registry.addr(id) {
        match addr.send(Cut { camera_id }).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(ServiceError::Conflict(e.to_string())),
            Err(e) => return Err(ServiceError::internal(e)),
        }
    }
    let row = outputs::set_camera(&ctx.pool, id, camera_id).await?;
    // The supervisor's copy too: a restart of the output resumes on this camera.
    if row.running {
        output_runtime::apply(ctx, &row).await?;
    }
    record(
        ctx,
        who,
        "output.cut",
        id,
        serde_json::json!({"camera_id": camera_id}),
    )
    .await?;
    Ok(view(ctx, row))
}
