//! Outputs as the media runtime runs them: a stored output becomes an `OutputSpec`
//! (destination keys unsealed, overlay pictures decoded, text and clocks), handed to the
//! output supervisor when its desired state is running; at start-up every output that was
//! running is started again.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use vistterstream_actors::output::{
    DestinationTarget, LayerSource, OutputSpec, OverlayLayer, OverlayPlacement, Raster,
    RecordingSpec, SlateSpec,
};
use vistterstream_actors::supervision::{Stop, Upsert};

use super::context::Context;
use crate::domain::asset::{Asset, AssetKind, parse_color};
use crate::domain::destination::{masked_publish_url, publish_url};
use crate::store::outputs::{self, OutputRow};
use crate::store::{assets, destinations};

/// The runtime spec of a stored output (destination stream keys unsealed).
async fn spec(ctx: &Context, row: &OutputRow) -> anyhow::Result<OutputSpec> {
    let s = &row.settings;
    let mut targets = Vec::new();
    for &id in &s.destination_ids {
        let Some(d) = destinations::get(&ctx.pool, id).await? else {
            continue;
        };
        if !d.enabled {
            continue;
        }
        let key = ctx.unseal(d.stream_key_enc.as_deref(), || {
            format!("destination {}'s stream key", d.id)
        })?;
        targets.push(DestinationTarget {
            id: d.id,
            name: d.name.clone(),
            url: publish_url(&d.server_url, key.as_deref()),
            masked: masked_publish_url(&d.server_url, key.is_some()),
            secret: key.unwrap_or_default(),
        });
    }
    Ok(OutputSpec {
        id: row.id,
        name: s.name.clone(),
        mode: s.mode.into(),
        profile: s.profile.clone(),
        encoder: s.encoder.into(),
        destinations: targets,
        camera_id: s.camera_id,
        standby_cameras: s.standby_camera_ids.clone(),
        slate: SlateSpec {
            text: s.slate_text.clone(),
            image_asset_id: s.slate_asset_id,
            image: match s.slate_asset_id {
                Some(id) => picture(ctx, id).await,
                None => None,
            },
        },
        recording: s.recording.enabled.then(|| RecordingSpec {
            dir: ctx.recordings_dir(),
            segment: Duration::from_secs(u64::from(s.recording.segment_seconds.max(1))),
        }),
        slate_after: Duration::from_millis(ctx.config.outputs.slate_after_ms.max(100)),
        overlays: overlay_layers(ctx, row.id).await?,
    })
}

/// An asset's decoded picture: from the cache, else from its file (decoded off the
/// arbiter). `None` when it has none yet (a URL image not fetched so far).
pub(super) async fn picture(ctx: &Context, asset_id: i64) -> Option<Arc<Raster>> {
    if let Some(r) = ctx.pictures.get(asset_id) {
        return Some(r);
    }
    let path = crate::pictures::picture_path(&ctx.assets_dir(), asset_id);
    let bytes = tokio::fs::read(&path).await.ok()?;
    let decoded = tokio::task::spawn_blocking(move || crate::pictures::decode(&bytes))
        .await
        .ok()?
        .ok()?;
    ctx.pictures.put(asset_id, decoded.raster.clone());
    Some(decoded.raster)
}

/// What an asset draws as an overlay layer.
pub(super) async fn layer_source(ctx: &Context, asset: &Asset) -> LayerSource {
    let color = parse_color(&asset.color).unwrap_or([255, 255, 255, 255]);
    let size_px = asset.font_size.clamp(8, 200) as u32;
    match asset.kind {
        AssetKind::Text => LayerSource::Text {
            text: asset.text.clone().unwrap_or_default(),
            size_px,
            color,
        },
        AssetKind::Clock => LayerSource::Clock {
            format: asset.text.clone().unwrap_or_else(|| "%H:%M:%S".into()),
            size_px,
            color,
        },
        // A URL image not fetched yet shows nothing until its first fetch.
        AssetKind::Image | AssetKind::UrlImage => {
            LayerSource::Image(picture(ctx, asset.id).await.unwrap_or_else(|| {
                Arc::new(Raster {
                    width: 1,
                    height: 1,
                    rgba: bytes::Bytes::from_static(&[0, 0, 0, 0]),
                })
            }))
        }
    }
}

/// The runtime overlay layers of an output.
pub(super) async fn overlay_layers(
    ctx: &Context,
    output_id: i64,
) -> anyhow::Result<Vec<OverlayLayer>> {
    let mut layers = Vec::new();
    for row in assets::overlays(&ctx.pool, output_id).await? {
        let Some(asset) = assets::get(&ctx.pool, row.asset_id).await? else {
            continue;
        };
        let source = layer_source(ctx, &asset).await;
        layers.push(OverlayLayer {
            id: row.id,
            asset_id: row.asset_id,
            placement: OverlayPlacement {
                x: row.x,
                y: row.y,
                width: row.width,
                height: row.height,
                opacity: row.opacity,
                z: row.z as i32,
                visible: row.visible,
            },
            source,
        });
    }
    Ok(layers)
}

/// Bring the runtime in line with a stored output: a running one is started or updated in
/// place, any other stopped. Returns when a stop has completed.
pub(super) async fn apply(ctx: &Context, row: &OutputRow) -> anyhow::Result<()> {
    if row.running {
        ctx.runtime.outputs.do_send(Upsert(spec(ctx, row).await?));
    } else {
        ctx.runtime
            .outputs
            .send(Stop {
                id: row.id,
                forget: false,
            })
            .await
            .context("the output supervisor did not answer")?;
    }
    Ok(())
}

/// Re-apply every running output that publishes to a destination (its URL or key changed).
pub(super) async fn reapply_using(ctx: &Context, destination_id: i64) -> anyhow::Result<()> {
    for (id, _) in outputs::using_destination(&ctx.pool, destination_id).await? {
        let _guard = ctx.lock_output(id).await;
        if let Some(row) = outputs::get(&ctx.pool, id).await?
            && row.running
        {
            apply(ctx, &row).await?;
        }
    }
    Ok(())
}

/// Start the outputs whose desired state is running (at start-up).
pub async fn reconcile(ctx: &Context) -> anyhow::Result<usize> {
    let mut started = 0;
    for row in outputs::list(&ctx.pool).await?.iter().filter(|r| r.running) {
        match apply(ctx, row).await {
            Ok(()) => started += 1,
            Err(e) => {
                tracing::error!(output = row.id, error = %format!("{e:#}"), "output not started")
            }
        }
    }
    Ok(started)
}
