//! Cameras (CAM-1, CAM-2, CAM-6): create, change and delete them (with what hangs off a
//! camera: its snapshots, presets and the outputs showing it), and test a connection.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use vistterstream_actors::camera::CameraStatus;

use super::audit;
use super::camera_runtime;
use super::context::Context;
use super::error::{Result, ServiceError};
use super::files;
use super::live_picture::status_of;
use super::lookup;
use super::output_runtime;
use crate::auth::Principal;
use crate::domain::camera::{CameraInput, CameraKind, PtzQuirk, ValidCamera, Vendor, validate};
use crate::domain::double_option;
use crate::domain::output::Mode;
use crate::store::cameras::{self, CameraRow, CameraWrite};
use crate::store::{outputs, presets, snapshots};

/// A camera as the API returns it. The password is never returned: `has_password` says
/// whether one is stored.
#[derive(Serialize, ToSchema)]
pub struct CameraView {
    pub id: i64,
    pub name: String,
    pub kind: CameraKind,
    pub vendor: Vendor,
    /// The stream URL without credentials.
    pub rtsp_url: String,
    pub host: String,
    pub port: u16,
    pub path: String,
    pub username: Option<String>,
    pub has_password: bool,
    pub onvif_port: Option<u16>,
    pub onvif_profile: Option<String>,
    pub ptz_quirks: Vec<PtzQuirk>,
    pub snapshot_url: Option<String>,
    pub enabled: bool,
    pub created_at: String,
    pub updated_at: String,
    /// Live health of the camera's ingest.
    pub status: CameraStatus,
}

fn view(ctx: &Context, row: CameraRow) -> CameraView {
    CameraView {
        status: status_of(ctx, &row),
        rtsp_url: row.location.url(),
        id: row.id,
        name: row.name,
        kind: row.kind,
        vendor: row.vendor,
        host: row.location.host,
        port: row.location.port,
        path: row.location.path,
        username: row.username,
        has_password: row.password_enc.is_some(),
        onvif_port: row.onvif_port,
        ptz_quirks: row.ptz_quirks,
        onvif_profile: row.onvif_profile,
        snapshot_url: row.snapshot_url,
        enabled: row.enabled,
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

/// Partial update. Absent fields keep their value; `null` clears optional ones
/// (`username`, `password`, `onvif_port`, `snapshot_url`). Giving `rtsp_url` replaces
/// host, port and path.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CameraPatch {
    pub name: Option<String>,
    pub kind: Option<CameraKind>,
    pub vendor: Option<Vendor>,
    pub rtsp_url: Option<String>,
    pub host: Option<String>,
    #[schema(minimum = 1, maximum = 65535)]
    pub port: Option<u16>,
    pub path: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    pub username: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(write_only)]
    pub password: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(minimum = 1, maximum = 65535)]
    pub onvif_port: Option<Option<u16>>,
    #[serde(default, deserialize_with = "double_option")]
    pub onvif_profile: Option<Option<String>>,
    pub ptz_quirks: Option<Vec<PtzQuirk>>,
    #[serde(default, deserialize_with = "double_option")]
    pub snapshot_url: Option<Option<String>>,
    pub enabled: Option<bool>,
}

/// The stored camera with the patch applied. A patch with `rtsp_url` drops the stored
/// location; if it also gives host/port/path, validation reports the conflict.
fn merge(row: &CameraRow, patch: CameraPatch) -> CameraInput {
    let url_given = patch.rtsp_url.is_some();
    let url_has_user = patch
        .rtsp_url
        .as_deref()
        .and_then(|u| url::Url::parse(u.trim()).ok())
        .is_some_and(|u| !u.username().is_empty());
    let kept = |given: Option<String>, stored: &str| {
        if url_given {
            given
        } else {
            Some(given.unwrap_or_else(|| stored.to_string()))
        }
    };
    CameraInput {
        name: patch.name.unwrap_or_else(|| row.name.clone()),
        kind: patch.kind.unwrap_or(row.kind),
        vendor: patch.vendor.unwrap_or(row.vendor),
        rtsp_url: patch.rtsp_url,
        host: kept(patch.host, &row.location.host),
        port: if url_given {
            patch.port
        } else {
            Some(patch.port.unwrap_or(row.location.port))
        },
        path: kept(patch.path, &row.location.path),
        // A new URL that carries its own user replaces the stored one (with its password).
        username: match patch.username {
            Some(u) => u,
            None if url_has_user => None,
            None => row.username.clone(),
        },
        // `None` keeps the sealed password; `Some("")` clears it.
        password: patch.password.map(|p| p.unwrap_or_default()),
        onvif_port: patch.onvif_port.unwrap_or(row.onvif_port),
        onvif_profile: patch
            .onvif_profile
            .unwrap_or_else(|| row.onvif_profile.clone()),
        ptz_quirks: patch.ptz_quirks.unwrap_or_else(|| row.ptz_quirks.clone()),
        snapshot_url: patch
            .snapshot_url
            .unwrap_or_else(|| row.snapshot_url.clone()),
        enabled: Some(patch.enabled.unwrap_or(row.enabled)),
    }
}

/// What changed, for the audit log (never secrets).
fn audit_detail(c: &ValidCamera) -> serde_json::Value {
    serde_json::json!({
        "name": c.name,
        "url": c.location.url(),
        "enabled": c.enabled,
        "password_changed": c.password.is_some(),
    })
}

pub async fn list(ctx: &Context) -> Result<Vec<CameraView>> {
    let rows = cameras::list(&ctx.pool).await?;
    Ok(rows.into_iter().map(|r| view(ctx, r)).collect())
}

pub async fn get(ctx: &Context, id: i64) -> Result<CameraView> {
    Ok(view(ctx, lookup::camera(ctx, id).await?))
}

pub async fn create(ctx: &Context, who: &Principal, input: CameraInput) -> Result<CameraView> {
    let valid = validate(&input).map_err(ServiceError::Invalid)?;
    let write = CameraWrite {
        camera: &valid,
        password_enc: ctx.reseal(valid.password.as_deref(), None)?,
    };
    let row = cameras::insert(&ctx.pool, &write).await?;
    // The runtime follows the stored row at once, whatever happens to the audit write.
    camera_runtime::apply(ctx, &row)?;
    audit::record(
        ctx,
        who,
        "camera.create",
        Some(format!("camera:{}", row.id)),
        Some(audit_detail(&valid)),
    )
    .await?;
    tracing::info!(camera = row.id, name = %row.name, url = %row.location, "camera created");
    Ok(view(ctx, row))
}

pub async fn update(
    ctx: &Context,
    who: &Principal,
    id: i64,
    patch: CameraPatch,
) -> Result<CameraView> {
    let row = lookup::camera(ctx, id).await?;
    let valid = validate(&merge(&row, patch)).map_err(ServiceError::Invalid)?;
    let write = CameraWrite {
        camera: &valid,
        password_enc: ctx.reseal(valid.password.as_deref(), row.password_enc)?,
    };
    let row = cameras::update(&ctx.pool, id, &write).await?;
    camera_runtime::apply(ctx, &row)?;
    audit::record(
        ctx,
        who,
        "camera.update",
        Some(format!("camera:{}", row.id)),
        Some(audit_detail(&valid)),
    )
    .await?;
    Ok(view(ctx, row))
}

/// Delete a camera and what hangs off it: its stored snapshots and preset thumbnails go;
/// outputs that had it on air go to the slate (a relay, with nothing left to copy, stops);
/// outputs that kept it decoded on standby forget it. Running outputs change at once.
pub async fn delete(ctx: &Context, who: &Principal, id: i64) -> Result<()> {
    let row = lookup::camera(ctx, id).await?;
    // A timeline that names it would lose a cue: 409 naming the timelines.
    super::timelines::refuse_if_used(ctx, crate::store::timelines::CueReference::Camera, row.id)
        .await?;
    let snapshot_files = snapshots::file_names_for_camera(&ctx.pool, id).await?;
    let thumbnails: Vec<String> = presets::list(&ctx.pool, id)
        .await?
        .into_iter()
        .filter_map(|p| p.thumbnail)
        .collect();
    let on_air = outputs::with_camera_on_air(&ctx.pool, id).await?;
    cameras::delete(&ctx.pool, id).await?;
    camera_runtime::remove(ctx, id);
    let mut touched = outputs::forget_camera(&ctx.pool, id).await?;
    touched.extend(on_air.iter().copied());
    for output_id in crate::domain::unique(&touched) {
        let _guard = ctx.lock_output(output_id).await;
        let Some(mut output) = outputs::get(&ctx.pool, output_id).await? else {
            continue;
        };
        if !output.running {
            continue;
        }
        if output.settings.mode == Mode::Relay && on_air.contains(&output_id) {
            output = outputs::set_running(&ctx.pool, output_id, false).await?;
        }
        output_runtime::apply(ctx, &output).await?;
    }
    files::remove_all(&ctx.snapshots_dir(), snapshot_files, "snapshot").await;
    files::remove_all(&ctx.presets_dir(), thumbnails, "preset thumbnail").await;
    audit::record(
        ctx,
        who,
        "camera.delete",
        Some(format!("camera:{id}")),
        Some(serde_json::json!({"name": row.name})),
    )
    .await?;
    Ok(())
}
