//! URL images fetched again at their own interval. A new picture is swapped into every
//! output showing it (no restart, no glitch: see the actors' overlay module); a failed fetch
//! keeps the last good picture and records the error on the asset.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use vistterstream_actors::output::{BroadcastAsset, UpdateAsset};

use super::assets::store_picture;
use super::context::Context;
use crate::domain::asset::AssetKind;
use crate::store::assets;

async fn refresh_one(ctx: &Context, asset_id: i64) {
    let Ok(Some(row)) = assets::get(&ctx.pool, asset_id).await else {
        return;
    };
    let Some(url) = row.url.clone() else { return };
    let result = match crate::pictures::fetch(
        &ctx.asset_client,
        &url,
        &ctx.url_allow,
        ctx.config.assets.max_upload_bytes,
    )
    .await
    {
        Ok(bytes) => {
            let decode = tokio::task::spawn_blocking(move || {
                crate::pictures::decode(&bytes).map(|d| (d, bytes))
            })
            .await;
            match decode {
                Ok(Ok(ok)) => Ok(ok),
                Ok(Err(e)) => Err(format!("the fetched file {e}")),
                Err(e) => Err(format!("decoding: {e}")),
            }
        }
        Err(e) => Err(e),
    };
    match result {
        Ok((decoded, bytes)) => {
            if store_picture(ctx, asset_id, &bytes).await.is_err() {
                tracing::warn!(asset = asset_id, "could not store the fetched picture");
            }
            let raster = decoded.raster.clone();
            let changed = ctx.pictures.get(asset_id).is_none_or(|old| *old != *raster);
            ctx.pictures.put(asset_id, raster.clone());
            let _ =
                assets::record_fetch(&ctx.pool, asset_id, Ok(&decoded.facts(bytes.len()))).await;
            if changed {
                tracing::info!(asset = asset_id, "URL image updated");
                ctx.runtime
                    .outputs
                    .do_send(BroadcastAsset(UpdateAsset { asset_id, raster }));
            }
        }
        Err(e) => {
            tracing::warn!(asset = asset_id, url = %url, error = %e, "URL image fetch failed; keeping the last good picture");
            let _ = assets::record_fetch(&ctx.pool, asset_id, Err(&e)).await;
        }
    }
}

/// Poll the URL images and fetch those whose interval has passed. Runs for the process
/// lifetime.
pub async fn run(ctx: Arc<Context>) {
    let mut last: HashMap<i64, Instant> = HashMap::new();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    loop {
        tick.tick().await;
        let Ok(rows) = assets::list(&ctx.pool).await else {
            continue;
        };
        for row in rows.into_iter().filter(|r| r.kind == AssetKind::UrlImage) {
            let every = Duration::from_secs(row.refresh_secs.unwrap_or(60).max(5) as u64);
            let due = last.get(&row.id).is_none_or(|t| t.elapsed() >= every);
            if due {
                last.insert(row.id, Instant::now());
                let ctx = ctx.clone();
                actix::spawn(async move { refresh_one(&ctx, row.id).await });
            }
        }
    }
}
