//! The current picture of a camera (CAM-4): decoded from its stream (cached briefly, so many
//! viewers cost one decode), or fetched from its HTTP snapshot URL with Digest or Basic
//! authentication.

use std::time::{Duration, Instant};

use vistterstream_actors::camera::{self as cam, CameraStatus};
use vistterstream_actors::media::snapshot::{self, Jpeg, SnapshotError};
use vistterstream_actors::state::CameraState;

use super::context::Context;
use super::error::{Result, ServiceError};
use crate::domain::snapshot::{PictureOrigin, SnapshotSource};
use crate::store::cameras::CameraRow;

/// A camera's live status (`disabled` when it is, `connecting` before its actor reports).
pub(super) fn status_of(ctx: &Context, row: &CameraRow) -> CameraStatus {
    if !row.enabled {
        return CameraStatus::disabled();
    }
    ctx.runtime
        .camera_registry
        .feed(row.id)
        .map(|feed| feed.status())
        .unwrap_or_else(|| CameraStatus::new(CameraState::Connecting))
}

/// The current picture and where it came from.
pub(super) async fn current_jpeg(
    ctx: &Context,
    row: &CameraRow,
    source: SnapshotSource,
) -> Result<(Jpeg, PictureOrigin)> {
    let has_picture = ctx
        .runtime
        .camera_registry
        .feed(row.id)
        .is_some_and(|f| !f.gop().is_empty());
    let use_http = match source {
        SnapshotSource::Http => true,
        SnapshotSource::Stream => false,
        SnapshotSource::Auto => !has_picture && row.snapshot_url.is_some(),
    };
    if use_http {
        Ok((http_jpeg(ctx, row).await?, PictureOrigin::Http))
    } else {
        Ok((stream_jpeg(ctx, row).await?, PictureOrigin::Stream))
    }
}

async fn http_jpeg(ctx: &Context, row: &CameraRow) -> Result<Jpeg> {
    let raw = row.snapshot_url.as_deref().ok_or_else(|| {
        ServiceError::field("source", format!("camera {} has no snapshot_url", row.id))
    })?;
    let url = url::Url::parse(raw).map_err(|e| {
        ServiceError::internal(anyhow::anyhow!(
            "camera {}: stored snapshot URL: {e}",
            row.id
        ))
    })?;
    let password = ctx.unseal(row.password_enc.as_deref(), || {
        format!("camera {}'s password", row.id)
    })?;
    let credentials = row
        .username
        .as_deref()
        .map(|u| (u, password.as_deref().unwrap_or("")));
    let timeout = Duration::from_secs(ctx.config.cameras.test_timeout_secs.max(1));
    cam::http_snapshot::fetch(&ctx.http, &url, credentials, timeout)
        .await
        .map_err(|e| {
            tracing::warn!(camera = row.id, error = %e, "HTTP snapshot failed");
            ServiceError::Unavailable(format!("camera {}: {e}", row.id))
        })
}

/// The current picture, decoded from the camera's stream (cached briefly).
async fn stream_jpeg(ctx: &Context, row: &CameraRow) -> Result<Jpeg> {
    let max_age = Duration::from_millis(ctx.config.snapshots.cache_ms);
    if let Some((at, jpeg)) = ctx
        .snapshot_cache
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(&row.id)
        && at.elapsed() <= max_age
    {
        return Ok(jpeg.clone());
    }
    let status = status_of(ctx, row);
    let gop = ctx
        .runtime
        .camera_registry
        .feed(row.id)
        .map(|f| f.gop())
        .unwrap_or_default();
    if gop.is_empty() {
        return Err(ServiceError::Unavailable(format!(
            "camera {} has no picture yet (state {}{})",
            row.id,
            status.state.as_str(),
            status.reason.map(|r| format!(": {r}")).unwrap_or_default()
        )));
    }
    let quality = ctx.config.snapshots.jpeg_quality.clamp(10, 100);
    let jpeg = tokio::task::spawn_blocking(move || {
        snapshot::encode_latest(&gop, quality, Duration::from_secs(5))
    })
    .await
    .map_err(|e| ServiceError::internal(anyhow::anyhow!("snapshot worker: {e}")))?
    .map_err(|e| match e {
        SnapshotError::NoPicture => {
            ServiceError::Unavailable(format!("camera {} has no picture yet", row.id))
        }
        other => ServiceError::internal(
            anyhow::Error::new(other).context(format!("camera {}: snapshot", row.id)),
        ),
    })?;
    ctx.snapshot_cache
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(row.id, (Instant::now(), jpeg.clone()));
    Ok(jpeg)
}
