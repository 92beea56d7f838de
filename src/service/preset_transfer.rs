//! Presets moved between appliances and cameras (PTZ-3): export a camera's presets as a
//! versioned file, import one (stored only; the camera is not moved).

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::audit;
use super::context::Context;
use super::error::{Result, ServiceError};
use super::files;
use super::lookup;
use super::presets::{PresetView, ptz_camera_row, view};
use crate::auth::Principal;
use crate::domain::Validation;
use crate::domain::preset::{
    Coordinates, PresetExportItem, validate_name, validate_position, validate_token,
};
use crate::domain::time::now;
use crate::store::StoreError;
use crate::store::presets::{self, PresetWrite};

/// Format marker of an export file.
pub const EXPORT_FORMAT: &str = "vistterstream.presets.v1";
/// The most presets one import may carry.
const MAX_IMPORT: usize = 256;

#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PresetExport {
    /// Format marker, `vistterstream.presets.v1`.
    pub format: String,
    pub camera_id: Option<i64>,
    pub camera_name: Option<String>,
    pub exported_at: Option<String>,
    pub presets: Vec<PresetExportItem>,
}

pub async fn export(ctx: &Context, camera_id: i64) -> Result<PresetExport> {
    let camera = lookup::camera(ctx, camera_id).await?;
    let rows = presets::list(&ctx.pool, camera_id).await?;
    Ok(PresetExport {
        format: EXPORT_FORMAT.into(),
        camera_id: Some(camera_id),
        camera_name: Some(camera.name),
        exported_at: Some(now()),
        presets: rows
            .into_iter()
            .map(|r| PresetExportItem {
                position: r
                    .pan
                    .zip(r.tilt)
                    .zip(r.zoom)
                    .map(|((pan, tilt), zoom)| Coordinates { pan, tilt, zoom }),
                name: r.name,
                camera_token: r.camera_token,
            })
            .collect(),
    })
}

/// What an import would write, checked field by field.
fn validate_import(
    file: &PresetExport,
) -> std::result::Result<Vec<PresetWrite>, Vec<crate::domain::FieldError>> {
    let mut v = Validation::default();
    if file.format != EXPORT_FORMAT {
        v.error("format", format!("must be {EXPORT_FORMAT:?}"));
    }
    if file.presets.len() > MAX_IMPORT {
        v.error(
            "presets",
            format!("at most {MAX_IMPORT} presets per import"),
        );
    }
    let mut writes = Vec::new();
    let mut names = HashSet::new();
    for (i, p) in file.presets.iter().enumerate() {
        let name = validate_name(&mut v, &format!("presets[{i}].name"), &p.name);
        if !names.insert(name.clone()) {
            v.error(&format!("presets[{i}].name"), "appears twice in the import");
        }
        let position = p.position.as_ref().and_then(|c| {
            v.absorb(validate_position(&format!("presets[{i}].position."), c))
                .map(|_| (c.pan, c.tilt, c.zoom))
        });
        if let Some(t) = &p.camera_token {
            validate_token(&mut v, &format!("presets[{i}].camera_token"), t);
        }
        if p.position.is_none() && p.camera_token.is_none() {
            v.error(
                &format!("presets[{i}]"),
                "needs a position or a camera_token, else it cannot be recalled",
            );
        }
        writes.push(PresetWrite {
            name,
            position,
            camera_token: p.camera_token.clone(),
        });
    }
    v.finish(writes)
}

/// Import presets exported from this or another camera. Tokens are kept (valid when the
/// file comes from this camera, e.g. after a reinstall); coordinates are what a recall
/// uses on a camera that reports positions. With `replace`, the camera's stored presets go.
pub async fn import(
    ctx: &Context,
    who: &Principal,
    camera_id: i64,
    replace: bool,
    file: PresetExport,
) -> Result<Vec<PresetView>> {
    ptz_camera_row(ctx, camera_id).await?;
    let writes = validate_import(&file).map_err(ServiceError::Invalid)?;
    if !replace {
        for w in &writes {
            if presets::find_by_name(&ctx.pool, camera_id, &w.name)
                .await?
                .is_some()
            {
                return Err(ServiceError::Conflict(format!(
                    "camera {camera_id} already has a preset named {:?} (import with ?replace=true)",
                    w.name
                )));
            }
        }
    }
    let (rows, old_thumbnails) = presets::insert_all(&ctx.pool, camera_id, replace, &writes)
        .await
        .map_err(|e| match e {
            StoreError::Unique(_) => ServiceError::Conflict(format!(
                "camera {camera_id}: a preset name is already taken"
            )),
            other => other.into(),
        })?;
    files::remove_all(&ctx.presets_dir(), old_thumbnails, "preset thumbnail").await;
    audit::record(
        ctx,
        who,
        "preset.import",
        Some(format!("camera:{camera_id}")),
        Some(serde_json::json!({"count": rows.len(), "replace": replace})),
    )
    .await?;
    Ok(rows.into_iter().map(view).collect())
}
