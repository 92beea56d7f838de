//! Stored snapshot metadata; the JPEG files live in `<data-dir>/snapshots/`.

use sqlx::SqlitePool;

use crate::domain::snapshot::{PictureOrigin, Snapshot};

use super::error::Result;
use crate::domain::time::now;

#[allow(clippy::too_many_arguments)]
pub async fn insert(
    pool: &SqlitePool,
    camera_id: i64,
    file_name: &str,
    width: u32,
    height: u32,
    bytes: usize,
    source: PictureOrigin,
    note: Option<&str>,
) -> Result<Snapshot> {
    Ok(sqlx::query_as(
        "INSERT INTO snapshots (camera_id, file_name, width, height, bytes, source, note, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *",
    )
    .bind(camera_id)
    .bind(file_name)
    .bind(width)
    .bind(height)
    .bind(bytes as i64)
    .bind(source)
    .bind(note)
    .bind(now())
    .fetch_one(pool)
    .await?)
}

pub async fn list_for_camera(pool: &SqlitePool, camera_id: i64) -> Result<Vec<Snapshot>> {
    Ok(
        sqlx::query_as("SELECT * FROM snapshots WHERE camera_id = ? ORDER BY id DESC")
            .bind(camera_id)
            .fetch_all(pool)
            .await?,
    )
}

pub async fn get(pool: &SqlitePool, id: i64) -> Result<Option<Snapshot>> {
    Ok(sqlx::query_as("SELECT * FROM snapshots WHERE id = ?")
        .bind(id)
        .fetch_optional(pool)
        .await?)
}

pub async fn delete(pool: &SqlitePool, id: i64) -> Result<Option<Snapshot>> {
    Ok(
        sqlx::query_as("DELETE FROM snapshots WHERE id = ? RETURNING *")
            .bind(id)
            .fetch_optional(pool)
            .await?,
    )
}

pub async fn file_names_for_camera(pool: &SqlitePool, camera_id: i64) -> Result<Vec<String>> {
    Ok(
        sqlx::query_scalar("SELECT file_name FROM snapshots WHERE camera_id = ?")
            .bind(camera_id)
            .fetch_all(pool)
            .await?,
    )
}

/// Delete rows beyond the retention policy (older than `cutoff`, or beyond the newest
/// `keep` of a camera) and return their file names so the files can be removed.
pub async fn prune(pool: &SqlitePool, cutoff: &str, keep: i64) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar(
        "DELETE FROM snapshots WHERE created_at < ?1 OR id IN (
             SELECT id FROM (
                 SELECT id, ROW_NUMBER() OVER (PARTITION BY camera_id ORDER BY id DESC) AS n
                 FROM snapshots)
             WHERE n > ?2)
         RETURNING file_name",
    )
    .bind(cutoff)
    .bind(keep)
    .fetch_all(pool)
    .await?)
}
