//! Presets (PTZ-3): capture the current position (coordinates when the camera reports them,
//! and its own preset token) with a thumbnail, recall (settled), test, rename, delete (also
//! on the camera). A recall moves to the coordinates when it can and falls back to the token
//! (decision 0006).

use std::time::Duration;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use vistterstream_actors::ptz::{self, MoveOutcome, PtzVector};

use super::audit;
use super::context::Context;
use super::error::{Result, ServiceError};
use super::files;
use super::live_picture::current_jpeg;
use super::lookup::{self, ask};
use super::ptz::{MoveOutcomeView, coordinates};
use crate::auth::Principal;
use crate::domain::Validation;
use crate::domain::preset::{Coordinates, validate_name, validate_position};
use crate::domain::snapshot::SnapshotSource;
use crate::store::cameras::CameraRow;
use crate::store::presets::{self, PresetRow, PresetWrite};

#[derive(Serialize, ToSchema)]
pub struct PresetView {
    #[serde(flatten)]
    pub preset: PresetRow,
    /// `/api/v1/presets/{id}/thumbnail` when one was taken.
    pub thumbnail_url: Option<String>,
}

pub(super) fn view(row: PresetRow) -> PresetView {
    PresetView {
        thumbnail_url: row.thumbnail.as_ref().map(|_| thumbnail_url(row.id)),
        preset: row,
    }
}

fn thumbnail_url(preset_id: i64) -> String {
    format!("/api/v1/presets/{preset_id}/thumbnail")
}

/// The camera, which must be a PTZ camera to have presets.
pub(super) async fn ptz_camera_row(ctx: &Context, camera_id: i64) -> Result<CameraRow> {
    let row = lookup::camera(ctx, camera_id).await?;
    if !row.is_ptz() {
        return Err(ServiceError::Conflict(format!(
            "camera {camera_id} is a fixed camera: it has no presets"
        )));
    }
    Ok(row)
}

/// A name not yet taken by another preset of the camera.
pub(super) async fn check_name_free(ctx: &Context, camera_id: i64, name: &str) -> Result<()> {
    if presets::find_by_name(&ctx.pool, camera_id, name)
        .await?
        .is_some()
    {
        return Err(ServiceError::Conflict(format!(
            "camera {camera_id} already has a preset named {name:?}"
        )));
    }
    Ok(())
}

fn position_of(row: &PresetRow) -> Option<PtzVector> {
    match (row.pan, row.tilt, row.zoom) {
        (Some(p), Some(t), Some(z)) => Some(PtzVector::new(p as f32, t as f32, z as f32)),
        _ => None,
    }
}

/// Store a fresh picture of the camera as the preset's thumbnail (best effort: a camera
/// without a picture yet leaves the preset without one).
async fn take_thumbnail(ctx: &Context, camera: &CameraRow, preset_id: i64) -> Option<String> {
    ctx.forget_snapshot(camera.id);
    let jpeg = match current_jpeg(ctx, camera, SnapshotSource::Auto).await {
        Ok((jpeg, _)) => jpeg,
        Err(e) => {
            tracing::warn!(camera = camera.id, preset = preset_id, error = %e, "no preset thumbnail");
            return None;
        }
    };
    let dir = ctx.presets_dir();
    let file = format!("{preset_id}.jpg");
    if let Err(e) = files::write_atomically(&dir, &file, &jpeg.data).await {
        tracing::warn!(preset = preset_id, dir = %dir.display(), error = %e, "preset thumbnail not written");
        return None;
    }
    match presets::set_thumbnail(&ctx.pool, preset_id, &file).await {
        Ok(()) => Some(file),
        Err(e) => {
            tracing::warn!(preset = preset_id, error = %e, "preset thumbnail not recorded");
            None
        }
    }
}

pub async fn list(ctx: &Context, camera_id: i64) -> Result<Vec<PresetView>> {
    ptz_camera_row(ctx, camera_id).await?;
    let rows = presets::list(&ctx.pool, camera_id).await?;
    Ok(rows.into_iter().map(view).collect())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PresetCapture {
    /// 1–50 characters, unique per camera.
    #[schema(min_length = 1, max_length = 50)]
    pub name: String,
}

/// Capture the current position as a preset: GetStatus, SetPreset on the camera, store the
/// coordinates (when reported) and the camera's token, then a thumbnail.
pub async fn capture(
    ctx: &Context,
    who: &Principal,
    camera_id: i64,
    request: PresetCapture,
) -> Result<PresetView> {
    let mut v = Validation::default();
    let name = validate_name(&mut v, "name", &request.name);
    v.finish(()).map_err(ServiceError::Invalid)?;
    let (camera, ptz) = lookup::ptz_camera(ctx, camera_id).await?;
    check_name_free(ctx, camera.id, &name).await?;
    let captured = ask(
        &ptz,
        ptz::CapturePreset {
            name: name.clone(),
            token: None,
        },
    )
    .await??;
    let write = PresetWrite {
        name,
        position: captured
            .position
            .map(coordinates)
            .map(|c| (c.pan, c.tilt, c.zoom)),
        camera_token: Some(captured.token),
    };
    let row = presets::insert(&ctx.pool, camera.id, &write).await?;
    let thumbnail = take_thumbnail(ctx, &camera, row.id).await;
    let row = PresetRow { thumbnail, ..row };
    audit::record(
        ctx,
        who,
        "preset.capture",
        Some(format!("preset:{}", row.id)),
        Some(serde_json::json!({"camera_id": camera.id, "name": row.name})),
    )
    .await?;
    Ok(view(row))
}

pub async fn get(ctx: &Context, id: i64) -> Result<PresetView> {
    Ok(view(lookup::preset(ctx, id).await?))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PresetPatch {
    pub name: Option<String>,
    /// New coordinates (all three axes); stored only, the camera's own preset is unchanged.
    pub position: Option<Coordinates>,
}

/// Rename a preset or correct its coordinates.
pub async fn update(
    ctx: &Context,
    who: &Principal,
    id: i64,
    patch: PresetPatch,
) -> Result<PresetView> {
    let row = lookup::preset(ctx, id).await?;
    let mut v = Validation::default();
    let name = match &patch.name {
        Some(n) => validate_name(&mut v, "name", n),
        None => row.name.clone(),
    };
    let position = match &patch.position {
        Some(c) => v
            .absorb(validate_position("position.", c))
            .map(|_| (c.pan, c.tilt, c.zoom)),
        None => row
            .pan
            .zip(row.tilt)
            .zip(row.zoom)
            .map(|((p, t), z)| (p, t, z)),
    };
    v.finish(()).map_err(ServiceError::Invalid)?;
    if name != row.name {
        check_name_free(ctx, row.camera_id, &name).await?;
    }
    let updated = presets::update(
        &ctx.pool,
        row.id,
        &PresetWrite {
            name,
            position,
            camera_token: row.camera_token.clone(),
        },
    )
    .await?
    .ok_or_else(|| ServiceError::NotFound(format!("preset {} does not exist", row.id)))?;
    audit::record(
        ctx,
        who,
        "preset.update",
        Some(format!("preset:{}", row.id)),
        Some(serde_json::json!({"name": updated.name})),
    )
    .await?;
    Ok(view(updated))
}

/// Delete a preset here and on the camera (RemovePreset). With `force`, a camera that
/// cannot remove its own (unreachable) does not keep the stored one.
pub async fn delete(ctx: &Context, who: &Principal, id: i64, force: bool) -> Result<()> {
    let row = lookup::preset(ctx, id).await?;
    // A timeline that names it would lose a cue: 409 naming the timelines.
    super::timelines::refuse_if_used(ctx, crate::store::timelines::CueReference::Preset, row.id)
        .await?;
    if let Some(token) = row.camera_token.clone() {
        let removed = match lookup::ptz(ctx, row.camera_id).await {
            Ok(ptz) => ask(&ptz, ptz::RemovePreset { token })
                .await
                .and_then(|r| r.map_err(ServiceError::from)),
            Err(e) => Err(e),
        };
        match removed {
            Ok(()) => {}
            Err(e) if force => {
                tracing::warn!(preset = row.id, error = %e, "preset deleted here only (force)");
            }
            Err(e) => return Err(e),
        }
    }
    presets::delete(&ctx.pool, row.id).await?;
    files::remove_all(
        &ctx.presets_dir(),
        row.thumbnail.clone(),
        "preset thumbnail",
    )
    .await;
    audit::record(
        ctx,
        who,
        "preset.delete",
        Some(format!("preset:{}", row.id)),
        Some(serde_json::json!({"camera_id": row.camera_id, "name": row.name, "force": force})),
    )
    .await
}

async fn goto(ctx: &Context, row: &PresetRow, wait: bool) -> Result<(CameraRow, MoveOutcome)> {
    let (camera, ptz) = lookup::ptz_camera(ctx, row.camera_id).await?;
    let outcome = ask(
        &ptz,
        ptz::GotoPreset {
            position: position_of(row),
            token: row.camera_token.clone(),
            wait,
        },
    )
    .await??;
    Ok((camera, outcome))
}

/// Go to a preset; answered when settled (bounded) unless `wait` is false.
pub async fn goto_preset(ctx: &Context, id: i64, wait: bool) -> Result<MoveOutcomeView> {
    let row = lookup::preset(ctx, id).await?;
    let (_, outcome) = goto(ctx, &row, wait).await?;
    Ok(outcome.into())
}

#[derive(Serialize, ToSchema)]
pub struct PresetTestView {
    pub outcome: MoveOutcomeView,
    /// The new thumbnail, taken after the head settled; `null` if no picture was available.
    pub thumbnail_url: Option<String>,
}

/// Go to a preset, wait until settled, and take a new thumbnail.
pub async fn test(ctx: &Context, id: i64) -> Result<PresetTestView> {
    let row = lookup::preset(ctx, id).await?;
    let (camera, outcome) = goto(ctx, &row, true).await?;
    // The camera's stream lags the head a little: let a few frames of the new view arrive.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let thumbnail = take_thumbnail(ctx, &camera, row.id).await;
    Ok(PresetTestView {
        outcome: outcome.into(),
        thumbnail_url: thumbnail.map(|_| thumbnail_url(row.id)),
    })
}

/// The preset's thumbnail (JPEG).
pub async fn thumbnail(ctx: &Context, id: i64) -> Result<Vec<u8>> {
    let row = lookup::preset(ctx, id).await?;
    let file = row
        .thumbnail
        .ok_or_else(|| ServiceError::NotFound(format!("preset {} has no thumbnail", row.id)))?;
    files::read_if_present(&ctx.presets_dir().join(&file))
        .await
        .map_err(|e| {
            ServiceError::internal(anyhow::Error::new(e).context("reading a preset thumbnail"))
        })?
        .ok_or_else(|| ServiceError::NotFound(format!("preset {}'s thumbnail is missing", row.id)))
}
