//! Destination rows.

use sqlx::{FromRow, SqlitePool};

use crate::domain::destination::Platform;

use super::error::Result;
use crate::domain::time::now;

#[derive(Clone, Debug, FromRow)]
pub struct DestinationRow {
    pub id: i64,
    pub name: String,
    pub platform: Platform,
    pub server_url: String,
    pub stream_key_enc: Option<Vec<u8>>,
    pub enabled: bool,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Clone, Debug)]
pub struct DestinationWrite {
    pub name: String,
    pub platform: Platform,
    pub server_url: String,
    pub stream_key_enc: Option<Vec<u8>>,
    pub enabled: bool,
}

pub async fn list(pool: &SqlitePool) -> Result<Vec<DestinationRow>> {
    Ok(sqlx::query_as("SELECT * FROM destinations ORDER BY id")
        .fetch_all(pool)
        .await?)
}

pub async fn get(pool: &SqlitePool, id: i64) -> Result<Option<DestinationRow>> {
    Ok(sqlx::query_as("SELECT * FROM destinations WHERE id = ?")
        .bind(id)
        .fetch_optional(pool)
        .await?)
}

pub async fn insert(pool: &SqlitePool, d: &DestinationWrite) -> Result<DestinationRow> {
    let now = now();
    Ok(sqlx::query_as(
        "INSERT INTO destinations (name, platform, server_url, stream_key_enc, enabled, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING *",
    )
    .bind(&d.name)
    .bind(d.platform)
    .bind(&d.server_url)
    .bind(&d.stream_key_enc)
    .bind(d.enabled)
    .bind(&now)
    .bind(&now)
    .fetch_one(pool)
    .await?)
}

pub async fn update(
    pool: &SqlitePool,
    id: i64,
    d: &DestinationWrite,
) -> Result<Option<DestinationRow>> {
    Ok(sqlx::query_as(
        "UPDATE destinations SET name = ?, platform = ?, server_url = ?, stream_key_enc = ?,
                enabled = ?, updated_at = ?
         WHERE id = ? RETURNING *",
    )
    .bind(&d.name)
    .bind(d.platform)
    .bind(&d.server_url)
    .bind(&d.stream_key_enc)
    .bind(d.enabled)
    .bind(now())
    .bind(id)
    .fetch_optional(pool)
    .await?)
}

pub async fn delete(pool: &SqlitePool, id: i64) -> Result<bool> {
    Ok(sqlx::query("DELETE FROM destinations WHERE id = ?")
        .bind(id)
        .execute(pool)
        .await?
        .rows_affected()
        > 0)
}
