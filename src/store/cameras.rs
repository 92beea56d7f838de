//! Camera rows.

use sqlx::{FromRow, SqlitePool};

use super::now;

#[derive(Clone, Debug, FromRow)]
pub struct CameraRow {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub vendor: String,
    pub scheme: String,
    pub host: String,
    pub port: i64,
    pub path: String,
    pub username: Option<String>,
    pub password_enc: Option<Vec<u8>>,
    pub onvif_port: Option<i64>,
    pub snapshot_url: Option<String>,
    pub enabled: bool,
    pub onvif_profile: Option<String>,
    /// Comma-separated PTZ quirk names.
    pub ptz_quirks: String,
    pub created_at: String,
    pub updated_at: String,
}

/// A validated camera as it is written (see `domain::camera`).
#[derive(Clone, Debug)]
pub struct CameraWrite {
    pub name: String,
    pub kind: String,
    pub vendor: String,
    pub scheme: String,
    pub host: String,
    pub port: u16,
    pub path: String,
    pub username: Option<String>,
    pub password_enc: Option<Vec<u8>>,
    pub onvif_port: Option<u16>,
    pub onvif_profile: Option<String>,
    pub ptz_quirks: String,
    pub snapshot_url: Option<String>,
    pub enabled: bool,
}

pub async fn list(pool: &SqlitePool) -> sqlx::Result<Vec<CameraRow>> {
    sqlx::query_as("SELECT * FROM cameras ORDER BY id")
        .fetch_all(pool)
        .await
}

pub async fn get(pool: &SqlitePool, id: i64) -> sqlx::Result<Option<CameraRow>> {
    sqlx::query_as("SELECT * FROM cameras WHERE id = ?")
        .bind(id)
        .fetch_optional(pool)
        .await
}

pub async fn insert(pool: &SqlitePool, c: &CameraWrite) -> sqlx::Result<CameraRow> {
    let now = now();
    sqlx::query_as(
        "INSERT INTO cameras (name, kind, vendor, scheme, host, port, path, username, password_enc,
                              onvif_port, snapshot_url, enabled, onvif_profile, ptz_quirks,
                              created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *",
    )
    .bind(&c.name)
    .bind(&c.kind)
    .bind(&c.vendor)
    .bind(&c.scheme)
    .bind(&c.host)
    .bind(c.port)
    .bind(&c.path)
    .bind(&c.username)
    .bind(&c.password_enc)
    .bind(c.onvif_port)
    .bind(&c.snapshot_url)
    .bind(c.enabled)
    .bind(&c.onvif_profile)
    .bind(&c.ptz_quirks)
    .bind(&now)
    .bind(&now)
    .fetch_one(pool)
    .await
}

pub async fn update(
    pool: &SqlitePool,
    id: i64,
    c: &CameraWrite,
) -> sqlx::Result<Option<CameraRow>> {
    sqlx::query_as(
        "UPDATE cameras SET name = ?, kind = ?, vendor = ?, scheme = ?, host = ?, port = ?,
                path = ?, username = ?, password_enc = ?, onvif_port = ?, snapshot_url = ?,
                enabled = ?, onvif_profile = ?, ptz_quirks = ?, updated_at = ?
         WHERE id = ? RETURNING *",
    )
    .bind(&c.name)
    .bind(&c.kind)
    .bind(&c.vendor)
    .bind(&c.scheme)
    .bind(&c.host)
    .bind(c.port)
    .bind(&c.path)
    .bind(&c.username)
    .bind(&c.password_enc)
    .bind(c.onvif_port)
    .bind(&c.snapshot_url)
    .bind(c.enabled)
    .bind(&c.onvif_profile)
    .bind(&c.ptz_quirks)
    .bind(now())
    .bind(id)
    .fetch_optional(pool)
    .await
}

pub async fn delete(pool: &SqlitePool, id: i64) -> sqlx::Result<bool> {
    Ok(sqlx::query("DELETE FROM cameras WHERE id = ?")
        .bind(id)
        .execute(pool)
        .await?
        .rows_affected()
        > 0)
}
