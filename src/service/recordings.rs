//! Recordings (OUT-7): the MP4 segments outputs record, listed from disk, opened for
//! download, deleted; and their retention (age, total size).

use std::path::PathBuf;
use std::time::Duration;

use super::audit;
use super::context::Context;
use super::error::{Result, ServiceError};
use crate::auth::Principal;
use crate::recordings;
pub use crate::recordings::Recording;

fn io_error(e: impl std::fmt::Display) -> ServiceError {
    ServiceError::internal(anyhow::anyhow!("reading the recordings directory: {e}"))
}

fn missing(name: &str) -> ServiceError {
    ServiceError::NotFound(format!("recording {name} does not exist"))
}

pub async fn list(ctx: &Context) -> Result<Vec<Recording>> {
    let dir = ctx.recordings_dir();
    tokio::task::spawn_blocking(move || recordings::list(&dir))
        .await
        .map_err(io_error)?
        .map_err(io_error)
}

/// Where a recording named by the API is, if the name is one of ours (never a path).
pub fn path(ctx: &Context, name: &str) -> Result<PathBuf> {
    recordings::parse_name(name).ok_or_else(|| missing(name))?;
    Ok(ctx.recordings_dir().join(name))
}

pub async fn delete(ctx: &Context, who: &Principal, name: &str) -> Result<()> {
    let path = path(ctx, name)?;
    match tokio::fs::remove_file(&path).await {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(missing(name)),
        Err(e) => return Err(io_error(e)),
    }
    audit::record(
        ctx,
        who,
        "recording.delete",
        Some(format!("recording:{name}")),
        None,
    )
    .await
}

/// Apply the retention policy (age, total size); returns how many segments went.
pub async fn prune(ctx: &Context) -> Result<usize> {
    let dir = ctx.recordings_dir();
    let policy = ctx.config.recordings.clone();
    let max_age = Duration::from_secs(u64::from(policy.retention_days.max(1)) * 86_400);
    let max_total = policy.max_total_mib.saturating_mul(1024 * 1024);
    tokio::task::spawn_blocking(move || recordings::prune(&dir, max_age, max_total))
        .await
        .map_err(io_error)?
        .map_err(io_error)
}
