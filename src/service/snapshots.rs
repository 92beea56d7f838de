//! Snapshots (CAM-4): the live picture of a camera, and stored snapshots (the picture on
//! disk with its metadata) under a retention policy (age, and count per camera).

use serde::Deserialize;
use utoipa::ToSchema;
use vistterstream_actors::media::snapshot::Jpeg;

use super::audit;
use super::context::Context;
use super::error::{Result, ServiceError};
use super::files;
use super::live_picture::current_jpeg;
use super::lookup;
use crate::auth::Principal;
use crate::domain::snapshot::{PictureOrigin, Snapshot, SnapshotSource};
use crate::domain::time::timestamp;
use crate::store::snapshots;

/// The current picture of a camera, and where it came from.
pub async fn live(
    ctx: &Context,
    camera_id: i64,
    source: SnapshotSource,
) -> Result<(Jpeg, PictureOrigin)> {
    let row = lookup::camera(ctx, camera_id).await?;
    current_jpeg(ctx, &row, source).await
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SnapshotRequest {
    /// Free text stored with the snapshot (at most 200 characters).
    pub note: Option<String>,
    /// auto (default) | stream | http
    pub source: Option<SnapshotSource>,
}

/// Store the current picture of a camera.
pub async fn capture(
    ctx: &Context,
    who: &Principal,
    camera_id: i64,
    request: SnapshotRequest,
) -> Result<Snapshot> {
    let note = request
        .note
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty());
    if note.as_ref().is_some_and(|n| n.chars().count() > 200) {
        return Err(ServiceError::field(
            "note",
            "must be at most 200 characters",
        ));
    }
    let row = lookup::camera(ctx, camera_id).await?;
    let (jpeg, from) = current_jpeg(ctx, &row, request.source.unwrap_or_default()).await?;
    let dir = ctx.snapshots_dir();
    let file_name = format!(
        "cam{}-{}-{:08x}.jpg",
        row.id,
        chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ"),
        rand::random::<u32>()
    );
    files::write_atomically(&dir, &file_name, &jpeg.data)
        .await
        .map_err(|e| {
            ServiceError::internal(
                anyhow::Error::new(e)
                    .context(format!("writing {}", dir.join(&file_name).display())),
            )
        })?;
    let stored = match snapshots::insert(
        &ctx.pool,
        row.id,
        &file_name,
        jpeg.width,
        jpeg.height,
        jpeg.data.len(),
        from,
        note.as_deref(),
    )
    .await
    {
        Ok(s) => s,
        Err(e) => {
            files::remove_all(&dir, [file_name], "snapshot").await;
            return Err(e.into());
        }
    };
    audit::record(
        ctx,
        who,
        "snapshot.create",
        Some(format!("snapshot:{}", stored.id)),
        Some(serde_json::json!({"camera_id": row.id})),
    )
    .await?;
    prune(ctx).await?;
    Ok(stored)
}

pub async fn list(ctx: &Context, camera_id: i64) -> Result<Vec<Snapshot>> {
    lookup::camera(ctx, camera_id).await?;
    Ok(snapshots::list_for_camera(&ctx.pool, camera_id).await?)
}

async fn load(ctx: &Context, id: i64) -> Result<Snapshot> {
    snapshots::get(&ctx.pool, id)
        .await?
        .ok_or_else(|| ServiceError::NotFound(format!("snapshot {id} does not exist")))
}

pub async fn get(ctx: &Context, id: i64) -> Result<Snapshot> {
    load(ctx, id).await
}

/// The stored JPEG.
pub async fn image(ctx: &Context, id: i64) -> Result<Vec<u8>> {
    let row = load(ctx, id).await?;
    let path = ctx.snapshots_dir().join(&row.file_name);
    files::read_if_present(&path)
        .await
        .map_err(|e| {
            ServiceError::internal(
                anyhow::Error::new(e).context(format!("reading {}", path.display())),
            )
        })?
        .ok_or_else(|| ServiceError::NotFound(format!("the file of snapshot {id} is missing")))
}

pub async fn delete(ctx: &Context, who: &Principal, id: i64) -> Result<()> {
    let row = snapshots::delete(&ctx.pool, id)
        .await?
        .ok_or_else(|| ServiceError::NotFound(format!("snapshot {id} does not exist")))?;
    files::remove_all(&ctx.snapshots_dir(), [row.file_name], "snapshot").await;
    audit::record(
        ctx,
        who,
        "snapshot.delete",
        Some(format!("snapshot:{}", row.id)),
        None,
    )
    .await
}

/// Apply the retention policy to every camera's stored snapshots; returns how many went.
pub async fn prune(ctx: &Context) -> Result<usize> {
    let policy = &ctx.config.snapshots;
    let cutoff =
        chrono::Utc::now() - chrono::Duration::days(i64::from(policy.retention_days.max(1)));
    let files = snapshots::prune(
        &ctx.pool,
        &timestamp(cutoff),
        i64::from(policy.max_per_camera.max(1)),
    )
    .await?;
    let n = files.len();
    files::remove_all(&ctx.snapshots_dir(), files, "snapshot").await;
    Ok(n)
}
