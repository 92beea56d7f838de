//! Overlay layers on an output (OUT-5): replace them, show, hide or fade one. A running
//! program shows the change from its next frame; the supervisor's copy follows so a restart
//! keeps it.

use serde::Deserialize;
use utoipa::ToSchema;
use vistterstream_actors::output::SetOverlays;

use super::audit;
use super::context::Context;
use super::error::{Result, ServiceError};
use super::lookup;
use super::output_runtime;
use crate::auth::Principal;
use crate::domain::FieldError;
use crate::domain::asset::{Overlay, OverlayInput, validate_layers};
use crate::store::assets;
use crate::store::outputs;

pub async fn list(ctx: &Context, output_id: i64) -> Result<Vec<Overlay>> {
    lookup::output(ctx, output_id).await?;
    Ok(assets::overlays(&ctx.pool, output_id).await?)
}

/// Give the running output its new layers, and keep the supervisor's copy current.
async fn push(ctx: &Context, output_id: i64) -> Result<()> {
    if let Some(addr) = ctx.runtime.output_registry.addr(output_id) {
        let layers = output_runtime::overlay_layers(ctx, output_id).await?;
        addr.do_send(SetOverlays(layers));
    }
    if let Some(row) = outputs::get(&ctx.pool, output_id).await?
        && row.running
    {
        output_runtime::apply(ctx, &row).await?;
    }
    Ok(())
}

/// Replace the output's overlay layers.
pub async fn replace(
    ctx: &Context,
    who: &Principal,
    output_id: i64,
    layers: Vec<OverlayInput>,
) -> Result<Vec<Overlay>> {
    let _guard = ctx.lock_output(output_id).await;
    lookup::output(ctx, output_id).await?;
    validate_layers(&layers).map_err(ServiceError::Invalid)?;
    let mut errors = Vec::new();
    for (i, l) in layers.iter().enumerate() {
        if assets::get(&ctx.pool, l.asset_id).await?.is_none() {
            errors.push(FieldError::new(
                format!("[{i}].asset_id"),
                format!("asset {} does not exist", l.asset_id),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    let rows: Vec<Overlay> = layers
        .iter()
        .map(|l| Overlay {
            id: 0,
            output_id,
            asset_id: l.asset_id,
            x: l.x,
            y: l.y,
            width: l.width,
            height: l.height,
            opacity: l.opacity.unwrap_or(1.0),
            z: l.z.unwrap_or(0),
            visible: l.visible.unwrap_or(true),
        })
        .collect();
    let stored = assets::replace_overlays(&ctx.pool, output_id, &rows).await?;
    push(ctx, output_id).await?;
    audit::record(
        ctx,
        who,
        "output.overlays",
        Some(format!("output:{output_id}")),
        Some(serde_json::json!({"layers": stored.len()})),
    )
    .await?;
    Ok(stored)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OverlayPatch {
    pub visible: Option<bool>,
    /// 0..1
    #[schema(minimum = 0, maximum = 1)]
    pub opacity: Option<f64>,
}

/// Show, hide or fade one overlay layer.
pub async fn update(
    ctx: &Context,
    who: &Principal,
    output_id: i64,
    layer: i64,
    patch: OverlayPatch,
) -> Result<Overlay> {
    let _guard = ctx.lock_output(output_id).await;
    lookup::output(ctx, output_id).await?;
    if patch.opacity.is_some_and(|o| !(0.0..=1.0).contains(&o)) {
        return Err(ServiceError::field("opacity", "must be between 0 and 1"));
    }
    let updated =
        assets::set_overlay_visible(&ctx.pool, output_id, layer, patch.visible, patch.opacity)
            .await?
            .ok_or_else(|| {
                ServiceError::NotFound(format!("output {output_id} has no overlay layer {layer}"))
            })?;
    push(ctx, output_id).await?;
    audit::record(
        ctx,
        who,
        "output.overlay",
        Some(format!("output:{output_id}")),
        Some(serde_json::json!({"layer": layer, "visible": updated.visible, "opacity": updated.opacity})),
    )
    .await?;
    Ok(updated)
}
