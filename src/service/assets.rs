//! The asset library (AS-1): uploaded pictures (type checked by content), URL images (fetched
//! by [`super::asset_refresh`]), text and clocks; a preview of each; deletion refused while
//! an output shows it.

use std::sync::Arc;

use super::audit;
use super::context::Context;
use super::error::{Result, ServiceError};
use super::files;
use super::lookup;
use super::output_runtime::picture;
use crate::auth::Principal;
use crate::domain::asset::{Asset, AssetInput, AssetKind, ValidAsset, parse_color, validate};
use crate::domain::{Validation, check_text};
use crate::store::assets;
use crate::store::outputs;

/// Keep a picture file for an asset (atomically: a reader never sees half).
pub(super) async fn store_picture(ctx: &Context, id: i64, bytes: &[u8]) -> Result<()> {
    let path = crate::pictures::picture_path(&ctx.assets_dir(), id);
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| ServiceError::internal(anyhow::anyhow!("asset {id}: no file name")))?
        .to_string();
    files::write_atomically(&ctx.assets_dir(), &name, bytes)
        .await
        .map_err(|e| ServiceError::internal(anyhow::anyhow!("storing asset {id}: {e}")))?;
    Ok(())
}

async fn record_created(ctx: &Context, who: &Principal, row: &Asset) -> Result<()> {
    audit::record(
        ctx,
        who,
        "asset.create",
        Some(format!("asset:{}", row.id)),
        Some(serde_json::json!({"name": row.name, "kind": row.kind})),
    )
    .await
}

/// A URL image, text or clock. A URL image is fetched by the refresher within a second,
/// then at its own interval.
pub async fn create(ctx: &Context, who: &Principal, input: AssetInput) -> Result<Asset> {
    let valid = validate(&input).map_err(ServiceError::Invalid)?;
    let row = assets::insert(&ctx.pool, &valid, None).await?;
    record_created(ctx, who, &row).await?;
    Ok(row)
}

/// An uploaded picture, named `name` (else its file name, else "picture").
pub async fn upload(
    ctx: &Context,
    who: &Principal,
    name: Option<String>,
    file_name: Option<String>,
    bytes: Vec<u8>,
) -> Result<Asset> {
    let name = name.or(file_name).unwrap_or_else(|| "picture".into());
    let mut v = Validation::default();
    let name = check_text(&mut v, "name", &name, 1, 100);
    v.finish(()).map_err(ServiceError::Invalid)?;
    let size = bytes.len();
    let (bytes, decoded) = tokio::task::spawn_blocking(move || {
        let d = crate::pictures::decode(&bytes);
        (bytes, d)
    })
    .await
    .map_err(ServiceError::internal)?;
    let decoded = decoded.map_err(|m| ServiceError::field("file", m))?;
    let facts = decoded.facts(size);
    let row = assets::insert(&ctx.pool, &ValidAsset::upload(name), Some(&facts)).await?;
    if let Err(e) = store_picture(ctx, row.id, &bytes).await {
        let _ = assets::delete(&ctx.pool, row.id).await;
        return Err(e);
    }
    ctx.pictures.put(row.id, decoded.raster);
    record_created(ctx, who, &row).await?;
    Ok(row)
}

/// The largest upload accepted, in bytes.
pub fn max_upload_bytes(ctx: &Context) -> usize {
    ctx.config.assets.max_upload_bytes
}

pub async fn list(ctx: &Context) -> Result<Vec<Asset>> {
    Ok(assets::list(&ctx.pool).await?)
}

pub async fn get(ctx: &Context, id: i64) -> Result<Asset> {
    lookup::asset(ctx, id).await
}

/// A PNG of what the asset looks like now (a clock shows the current time).
pub async fn preview(ctx: &Context, id: i64) -> Result<Vec<u8>> {
    use vistterstream_actors::output::overlay::{clock_text, render_text};
    let row = lookup::asset(ctx, id).await?;
    let color = parse_color(&row.color).unwrap_or([255, 255, 255, 255]);
    let raster = match row.kind {
        AssetKind::Text | AssetKind::Clock => {
            let text = row.text.clone().unwrap_or_default();
            let text = if row.kind == AssetKind::Clock {
                clock_text(&text)
            } else {
                text
            };
            let size = row.font_size.clamp(8, 200) as u32;
            tokio::task::spawn_blocking(move || render_text(&text, size, color))
                .await
                .map_err(ServiceError::internal)?
                .map(Arc::new)
                .ok_or_else(|| {
                    ServiceError::internal(anyhow::anyhow!("no font installed (fonts-dejavu-core)"))
                })?
        }
        AssetKind::Image | AssetKind::UrlImage => picture(ctx, row.id).await.ok_or_else(|| {
            ServiceError::Conflict(format!(
                "asset {} has no picture yet{}",
                row.id,
                row.last_error
                    .as_deref()
                    .map(|e| format!(": {e}"))
                    .unwrap_or_default()
            ))
        })?,
    };
    tokio::task::spawn_blocking(move || {
        let mut out = std::io::Cursor::new(Vec::new());
        image::RgbaImage::from_raw(raster.width, raster.height, raster.rgba.to_vec())
            .ok_or_else(|| "picture size mismatch".to_string())?
            .write_to(&mut out, image::ImageFormat::Png)
            .map_err(|e| e.to_string())?;
        Ok::<_, String>(out.into_inner())
    })
    .await
    .map_err(ServiceError::internal)?
    .map_err(|e| ServiceError::internal(anyhow::anyhow!("encoding the preview: {e}")))
}

/// Delete an asset no output shows (else 409 naming them).
pub async fn delete(ctx: &Context, who: &Principal, id: i64) -> Result<()> {
    let row = lookup::asset(ctx, id).await?;
    // A timeline that names it would lose a cue: 409 naming the timelines.
    super::timelines::refuse_if_used(ctx, crate::store::timelines::CueReference::Asset, row.id)
        .await?;
    let mut users = assets::outputs_using(&ctx.pool, row.id).await?;
    users.extend(outputs::with_slate_asset(&ctx.pool, row.id).await?);
    let mut users = crate::domain::unique(&users);
    users.sort_unstable();
    if !users.is_empty() {
        return Err(ServiceError::Conflict(format!(
            "asset {} is shown by outputs {:?}; remove it from their overlays and slates first",
            row.id, users
        )));
    }
    assets::delete(&ctx.pool, row.id).await?;
    ctx.pictures.forget(row.id);
    let _ = tokio::fs::remove_file(crate::pictures::picture_path(&ctx.assets_dir(), row.id)).await;
    audit::record(
        ctx,
        who,
        "asset.delete",
        Some(format!("asset:{}", row.id)),
        Some(serde_json::json!({"name": row.name})),
    )
    .await
}
