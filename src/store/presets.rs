//! Preset rows (PTZ-3).

use serde::Serialize;
use sqlx::{FromRow, SqlitePool};
use utoipa::ToSchema;

use super::error::Result;
use crate::domain::time::now;

#[derive(Clone, Debug, FromRow, Serialize, ToSchema)]
pub struct PresetRow {
    pub id: i64,
    pub camera_id: i64,
    pub name: String,
    /// ONVIF generic space, -1..1; `null` when the camera does not report positions.
    pub pan: Option<f64>,
    pub tilt: Option<f64>,
    /// 0..1.
    pub zoom: Option<f64>,
    /// The camera's own token for this preset.
    pub camera_token: Option<String>,
    #[serde(skip)]
    pub thumbnail: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// A preset as written.
#[derive(Clone, Debug, PartialEq)]
pub struct PresetWrite {
    pub name: String,
    pub position: Option<(f64, f64, f64)>,
    pub camera_token: Option<String>,
}

pub async fn list(pool: &SqlitePool, camera_id: i64) -> Result<Vec<PresetRow>> {
    Ok(
        sqlx::query_as("SELECT * FROM presets WHERE camera_id = ? ORDER BY id")
            .bind(camera_id)
            .fetch_all(pool)
            .await?,
    )
}

/// (preset id, its camera) of every preset: what a timeline's cues may refer to.
pub async fn owners(pool: &SqlitePool) -> Result<Vec<(i64, i64)>> {
    Ok(sqlx::query_as("SELECT id, camera_id FROM presets")
        .fetch_all(pool)
        .await?)
}

pub async fn get(pool: &SqlitePool, id: i64) -> Result<Option<PresetRow>> {
    Ok(sqlx::query_as("SELECT * FROM presets WHERE id = ?")
        .bind(id)
        .fetch_optional(pool)
        .await?)
}

pub async fn find_by_name(
    pool: &SqlitePool,
    camera_id: i64,
    name: &str,
) -> Result<Option<PresetRow>> {
    Ok(
        sqlx::query_as("SELECT * FROM presets WHERE camera_id = ? AND name = ?")
            .bind(camera_id)
            .bind(name)
            .fetch_optional(pool)
            .await?,
    )
}

const INSERT: &str =
    "INSERT INTO presets (camera_id, name, pan, tilt, zoom, camera_token, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *";

async fn insert_one<'e, E: sqlx::SqliteExecutor<'e>>(
    executor: E,
    camera_id: i64,
    p: &PresetWrite,
    now: &str,
) -> Result<PresetRow> {
    Ok(sqlx::query_as(INSERT)
        .bind(camera_id)
        .bind(&p.name)
        .bind(p.position.map(|p| p.0))
        .bind(p.position.map(|p| p.1))
        .bind(p.position.map(|p| p.2))
        .bind(&p.camera_token)
        .bind(now)
        .bind(now)
        .fetch_one(executor)
        .await?)
}

pub async fn insert(pool: &SqlitePool, camera_id: i64, p: &PresetWrite) -> Result<PresetRow> {
    insert_one(pool, camera_id, p, &now()).await
}

/// Insert many presets in one transaction: all or nothing.
pub async fn insert_all(
    pool: &SqlitePool,
    camera_id: i64,
    replace: bool,
    presets: &[PresetWrite],
) -> Result<(Vec<PresetRow>, Vec<String>)> {
    let mut tx = pool.begin().await?;
    let mut removed_thumbnails = Vec::new();
    if replace {
        let old: Vec<PresetRow> = sqlx::query_as("SELECT * FROM presets WHERE camera_id = ?")
            .bind(camera_id)
            .fetch_all(&mut *tx)
            .await?;
        removed_thumbnails.extend(old.into_iter().filter_map(|p| p.thumbnail));
        sqlx::query("DELETE FROM presets WHERE camera_id = ?")
            .bind(camera_id)
            .execute(&mut *tx)
            .await?;
    }
    let now = now();
    let mut rows = Vec::with_capacity(presets.len());
    for p in presets {
        let row = insert_one(&mut *tx, camera_id, p, &now).await?;
        rows.push(row);
    }
    tx.commit().await?;
    Ok((rows, removed_thumbnails))
}

pub async fn update(pool: &SqlitePool, id: i64, p: &PresetWrite) -> Result<Option<PresetRow>> {
    Ok(sqlx::query_as(
        "UPDATE presets SET name = ?, pan = ?, tilt = ?, zoom = ?, camera_token = ?, updated_at = ?
         WHERE id = ? RETURNING *",
    )
    .bind(&p.name)
    .bind(p.position.map(|p| p.0))
    .bind(p.position.map(|p| p.1))
    .bind(p.position.map(|p| p.2))
    .bind(&p.camera_token)
    .bind(now())
    .bind(id)
    .fetch_optional(pool)
    .await?)
}

pub async fn set_thumbnail(pool: &SqlitePool, id: i64, file: &str) -> Result<()> {
    sqlx::query("UPDATE presets SET thumbnail = ? WHERE id = ?")
        .bind(file)
        .bind(id)
        .execute(pool)
        .await?;
    Ok(())
}

pub async fn delete(pool: &SqlitePool, id: i64) -> Result<bool> {
    Ok(sqlx::query("DELETE FROM presets WHERE id = ?")
        .bind(id)
        .execute(pool)
        .await?
        .rows_affected()
        > 0)
}
