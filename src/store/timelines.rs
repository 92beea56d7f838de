//! Timeline rows (TL-1): the tracks and broadcast metadata stored as the JSON the domain
//! validated, read back typed.

use sqlx::types::Json;
use sqlx::{FromRow, SqlitePool};

use super::error::Result;
use crate::domain::time::now;
use crate::domain::timeline::{BroadcastInput, TrackInput};

#[derive(Clone, Debug, FromRow)]
pub struct TimelineRow {
    pub id: i64,
    pub name: String,
    pub description: Option<String>,
    pub duration_s: f64,
    pub looping: bool,
    pub tracks: Json<Vec<TrackInput>>,
    pub broadcast: Option<Json<BroadcastInput>>,
    pub created_at: String,
    pub updated_at: String,
}

/// A timeline as written.
#[derive(Clone, Debug)]
pub struct TimelineWrite {
    pub name: String,
    pub description: Option<String>,
    pub duration_s: f64,
    pub looping: bool,
    pub tracks: Vec<TrackInput>,
    pub broadcast: Option<BroadcastInput>,
}

pub async fn list(pool: &SqlitePool) -> Result<Vec<TimelineRow>> {
    Ok(sqlx::query_as("SELECT * FROM timelines ORDER BY id")
        .fetch_all(pool)
        .await?)
}

pub async fn get(pool: &SqlitePool, id: i64) -> Result<Option<TimelineRow>> {
    Ok(sqlx::query_as("SELECT * FROM timelines WHERE id = ?")
        .bind(id)
        .fetch_optional(pool)
        .await?)
}

pub async fn name_taken(pool: &SqlitePool, name: &str) -> Result<bool> {
    Ok(
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM timelines WHERE name = ?")
            .bind(name)
            .fetch_one(pool)
            .await?
            > 0,
    )
}

pub async fn insert(pool: &SqlitePool, t: &TimelineWrite) -> Result<TimelineRow> {
    let now = now();
    Ok(sqlx::query_as(
        "INSERT INTO timelines (name, description, duration_s, looping, tracks, broadcast,
                                created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *",
    )
    .bind(&t.name)
    .bind(&t.description)
    .bind(t.duration_s)
    .bind(t.looping)
    .bind(Json(&t.tracks))
    .bind(t.broadcast.as_ref().map(Json))
    .bind(&now)
    .bind(&now)
    .fetch_one(pool)
    .await?)
}

pub async fn update(pool: &SqlitePool, id: i64, t: &TimelineWrite) -> Result<Option<TimelineRow>> {
    Ok(sqlx::query_as(
        "UPDATE timelines SET name = ?, description = ?, duration_s = ?, looping = ?, tracks = ?,
                broadcast = ?, updated_at = ?
         WHERE id = ? RETURNING *",
    )
    .bind(&t.name)
    .bind(&t.description)
    .bind(t.duration_s)
    .bind(t.looping)
    .bind(Json(&t.tracks))
    .bind(t.broadcast.as_ref().map(Json))
    .bind(now())
    .bind(id)
    .fetch_optional(pool)
    .await?)
}

pub async fn delete(pool: &SqlitePool, id: i64) -> Result<bool> {
    Ok(sqlx::query("DELETE FROM timelines WHERE id = ?")
        .bind(id)
        .execute(pool)
        .await?
        .rows_affected()
        > 0)
}

/// A cue field a timeline may refer to.
#[derive(Clone, Copy, Debug)]
pub enum CueReference {
    Camera,
    Preset,
    Asset,
}

impl CueReference {
    fn path(self) -> &'static str {
        match self {
            CueReference::Camera => "$.camera_id",
            CueReference::Preset => "$.preset_id",
            CueReference::Asset => "$.asset_id",
        }
    }
}

/// (id, name) of the timelines with a cue whose `what` is `id`.
pub async fn using(pool: &SqlitePool, what: CueReference, id: i64) -> Result<Vec<(i64, String)>> {
    Ok(sqlx::query_as(
        "SELECT DISTINCT t.id, t.name FROM timelines t, json_each(t.tracks) track,
                json_each(track.value, '$.cues') cue
         WHERE json_extract(cue.value, ?) = ? ORDER BY t.id",
    )
    .bind(what.path())
    .bind(id)
    .fetch_all(pool)
    .await?)
}
