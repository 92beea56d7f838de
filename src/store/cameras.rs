//! Camera rows, typed: kind and vendor as enums, the stream location as one value, PTZ
//! quirks as a list.

use sqlx::sqlite::SqliteArguments;
use sqlx::{FromRow, Sqlite, SqlitePool};

use super::error::{Result, found};
use crate::domain::camera::{CameraKind, PtzQuirk, RtspLocation, ValidCamera, Vendor};
use crate::domain::time::now;

#[derive(Clone, Debug, FromRow)]
pub struct CameraRow {
    pub id: i64,
    pub name: String,
    pub kind: CameraKind,
    pub vendor: Vendor,
    #[sqlx(flatten)]
    pub location: RtspLocation,
    pub username: Option<String>,
    /// Sealed; never returned.
    pub password_enc: Option<Vec<u8>>,
    pub onvif_port: Option<u16>,
    pub snapshot_url: Option<String>,
    pub enabled: bool,
    pub onvif_profile: Option<String>,
    #[sqlx(json)]
    pub ptz_quirks: Vec<PtzQuirk>,
    pub created_at: String,
    pub updated_at: String,
}

impl CameraRow {
    pub fn is_ptz(&self) -> bool {
        self.kind == CameraKind::Ptz
    }
}

/// A validated camera as it is written: everything but the password comes from the
/// validation; the password is sealed already.
pub struct CameraWrite<'a> {
    pub camera: &'a ValidCamera,
    pub password_enc: Option<Vec<u8>>,
}

pub async fn list(pool: &SqlitePool) -> Result<Vec<CameraRow>> {
    Ok(sqlx::query_as("SELECT * FROM cameras ORDER BY id")
        .fetch_all(pool)
        .await?)
}

pub async fn get(pool: &SqlitePool, id: i64) -> Result<Option<CameraRow>> {
    Ok(sqlx::query_as("SELECT * FROM cameras WHERE id = ?")
        .bind(id)
        .fetch_optional(pool)
        .await?)
}

type Query<'q> = sqlx::query::QueryAs<'q, Sqlite, CameraRow, SqliteArguments>;

/// Binds the columns a write sets, in the order both statements below list them.
fn bind<'q>(query: Query<'q>, w: &'q CameraWrite<'q>) -> Query<'q> {
    let c = w.camera;
    query
        .bind(&c.name)
        .bind(c.kind)
        .bind(c.vendor)
        .bind(&c.location.scheme)
        .bind(&c.location.host)
        .bind(c.location.port)
        .bind(&c.location.path)
        .bind(&c.username)
        .bind(&w.password_enc)
        .bind(c.onvif_port)
        .bind(&c.snapshot_url)
        .bind(c.enabled)
        .bind(&c.onvif_profile)
        .bind(sqlx::types::Json(&c.ptz_quirks))
        .bind(now())
}

pub async fn insert(pool: &SqlitePool, c: &CameraWrite<'_>) -> Result<CameraRow> {
    let sql = "INSERT INTO cameras (name, kind, vendor, scheme, host, port, path, username,
            password_enc, onvif_port, snapshot_url, enabled, onvif_profile, ptz_quirks,
            updated_at, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *";
    Ok(bind(sqlx::query_as(sql), c)
        .bind(now())
        .fetch_one(pool)
        .await?)
}

pub async fn update(pool: &SqlitePool, id: i64, c: &CameraWrite<'_>) -> Result<CameraRow> {
    let sql = "UPDATE cameras SET name = ?, kind = ?, vendor = ?, scheme = ?, host = ?, port = ?,
            path = ?, username = ?, password_enc = ?, onvif_port = ?, snapshot_url = ?,
            enabled = ?, onvif_profile = ?, ptz_quirks = ?, updated_at = ?
         WHERE id = ? RETURNING *";
    let row = bind(sqlx::query_as(sql), c)
        .bind(id)
        .fetch_optional(pool)
        .await?;
    found(row, "camera", id)
}

pub async fn delete(pool: &SqlitePool, id: i64) -> Result<()> {
    let deleted = sqlx::query("DELETE FROM cameras WHERE id = ?")
        .bind(id)
        .execute(pool)
        .await?
        .rows_affected()
        > 0;
    found(deleted.then_some(()), "camera", id)
}
