//! URL images fetched again at their own interval. A new picture is swapped into every
//! output showing it (no restart, no glitch: see the actors' overlay module); a failed
//! fetch keeps the last good picture and records the error on the asset.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use vistterstream_actors::output::{BroadcastAsset, UpdateAsset};

use crate::app::AppState;
use crate::store::assets;

async fn refresh_one(state: &AppState, asset_id: i64) {
    let Ok(Some(row)) = assets::get(&state.pool, asset_id).await else {
        return;
    };
    let Some(url) = row.url.clone() else { return };
    let result = match crate::assets::fetch(
        &state.asset_client,
        &url,
        &state.url_allow,
        state.config.assets.max_upload_bytes,
    )
    .await
    {
        Ok(bytes) => {
            let decode = tokio::task::spawn_blocking(move || {
                crate::assets::decode(&bytes).map(|d| (d, bytes))
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
            if crate::http::assets::store_picture(state, asset_id, &bytes)
                .await
                .is_err()
            {
                tracing::warn!(asset = asset_id, "could not store the fetched picture");
            }
            let raster = decoded.raster.clone();
            let changed = state
                .pictures
                .get(asset_id)
                .is_none_or(|old| *old != *raster);
            state.pictures.put(asset_id, raster.clone());
            let _ = assets::record_fetch(
                &state.pool,
                asset_id,
                Ok((
                    decoded.mime,
                    raster.width.into(),
                    raster.height.into(),
                    bytes.len() as i64,
                )),
            )
            .await;
            if changed {
                tracing::info!(asset = asset_id, "URL image updated");
                state
                    .runtime
                    .outputs
                    .do_send(BroadcastAsset(UpdateAsset { asset_id, raster }));
            }
        }
        Err(e) => {
            tracing::warn!(asset = asset_id, url = %url, error = %e, "URL image fetch failed; keeping the last good picture");
            let _ = assets::record_fetch(&state.pool, asset_id, Err(&e)).await;
        }
    }
}

/// Poll the URL images and fetch those whose interval has passed. Runs for the process
/// lifetime.
pub async fn run(state: Arc<AppState>) {
    let mut last: HashMap<i64, Instant> = HashMap::new();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    loop {
        tick.tick().await;
        let Ok(rows) = assets::list(&state.pool).await else {
            continue;
        };
        for row in rows.into_iter().filter(|r| r.kind == "url_image") {
            let every = Duration::from_secs(row.refresh_secs.unwrap_or(60).max(5) as u64);
            let due = last.get(&row.id).is_none_or(|t| t.elapsed() >= every);
            if due {
                last.insert(row.id, Instant::now());
                let state = state.clone();
                actix_web::rt::spawn(async move { refresh_one(&state, row.id).await });
            }
        }
    }
}
