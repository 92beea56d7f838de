//! Timeline runs (TL-3, TL-4): the history of executions, and for those on air the desired
//! state a restart resumes (see migration 0009).

use sqlx::types::Json;
use sqlx::{FromRow, SqlitePool};

use super::error::{Result, found};
use crate::domain::time::now;
use crate::domain::timeline::Starter;

#[derive(Clone, Debug, FromRow)]
pub struct RunRow {
    pub id: i64,
    pub timeline_id: Option<i64>,
    pub timeline_name: String,
    pub output_id: Option<i64>,
    pub started_by: Starter,
    pub schedule_id: Option<i64>,
    pub started_at: String,
    pub ended_at: Option<String>,
    pub end_reason: Option<String>,
    pub anchor_at: String,
    pub anchor_elapsed_ms: i64,
    pub paused: bool,
    pub pinned_camera_id: Option<i64>,
    pub loops: i64,
    pub errors: Json<Vec<String>>,
    pub started_output: bool,
}

/// A run about to start.
#[derive(Clone, Debug)]
pub struct NewRun {
    pub timeline_id: i64,
    pub timeline_name: String,
    pub output_id: i64,
    pub started_by: Starter,
    pub schedule_id: Option<i64>,
    pub elapsed_ms: i64,
    pub started_output: bool,
}

/// Where a run's clock is: its anchor, moved by every control.
#[derive(Clone, Debug)]
pub struct Anchor {
    pub at: String,
    pub elapsed_ms: i64,
    pub paused: bool,
    pub pinned_camera_id: Option<i64>,
}

pub async fn insert(pool: &SqlitePool, run: &NewRun) -> Result<RunRow> {
    let now = now();
    Ok(sqlx::query_as(
        "INSERT INTO timeline_runs (timeline_id, timeline_name, output_id, started_by, \
         schedule_id, started_at, anchor_at, anchor_elapsed_ms, started_output) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *",
    )
    .bind(run.timeline_id)
    .bind(&run.timeline_name)
    .bind(run.output_id)
    .bind(run.started_by)
    .bind(run.schedule_id)
    .bind(&now)
    .bind(&now)
    .bind(run.elapsed_ms)
    .bind(run.started_output)
    .fetch_one(pool)
    .await?)
}

pub async fn get(pool: &SqlitePool, id: i64) -> Result<RunRow> {
    let row = sqlx::query_as("SELECT * FROM timeline_runs WHERE id = ?")
        .bind(id)
        .fetch_optional(pool)
        .await?;
    found(row, "timeline run", id)
}

/// The runs on air.
pub async fn active(pool: &SqlitePool) -> Result<Vec<RunRow>> {
    Ok(
        sqlx::query_as("SELECT * FROM timeline_runs WHERE ended_at IS NULL ORDER BY id")
            .fetch_all(pool)
            .await?,
    )
}

pub async fn active_on_output(pool: &SqlitePool, output_id: i64) -> Result<Option<RunRow>> {
    Ok(
        sqlx::query_as("SELECT * FROM timeline_runs WHERE ended_at IS NULL AND output_id = ?")
            .bind(output_id)
            .fetch_optional(pool)
            .await?,
    )
}

pub async fn active_for_timeline(pool: &SqlitePool, timeline_id: i64) -> Result<Option<RunRow>> {
    Ok(
        sqlx::query_as("SELECT * FROM timeline_runs WHERE ended_at IS NULL AND timeline_id = ?")
            .bind(timeline_id)
            .fetch_optional(pool)
            .await?,
    )
}

/// The latest runs of a timeline, newest first.
pub async fn history(pool: &SqlitePool, timeline_id: i64, limit: i64) -> Result<Vec<RunRow>> {
    Ok(
        sqlx::query_as(
            "SELECT * FROM timeline_runs WHERE timeline_id = ? ORDER BY id DESC LIMIT ?",
        )
        .bind(timeline_id)
        .bind(limit)
        .fetch_all(pool)
        .await?,
    )
}

pub async fn set_anchor(pool: &SqlitePool, id: i64, anchor: &Anchor) -> Result<()> {
    sqlx::query(
        "UPDATE timeline_runs SET anchor_at = ?, anchor_elapsed_ms = ?, paused = ?, \
         pinned_camera_id = ? WHERE id = ? AND ended_at IS NULL",
    )
    .bind(&anchor.at)
    .bind(anchor.elapsed_ms)
    .bind(anchor.paused)
    .bind(anchor.pinned_camera_id)
    .bind(id)
    .execute(pool)
    .await?;
    Ok(())
}

/// Loops and errors as the runtime reports them (only written when they change).
pub async fn set_progress(pool: &SqlitePool, id: i64, loops: i64, errors: &[String]) -> Result<()> {
    sqlx::query("UPDATE timeline_runs SET loops = ?, errors = ? WHERE id = ?")
        .bind(loops)
        .bind(Json(errors))
        .bind(id)
        .execute(pool)
        .await?;
    Ok(())
}

/// End a run (once: an ended run keeps its first reason). Returns whether it was on air.
pub async fn finish(pool: &SqlitePool, id: i64, reason: &str) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE timeline_runs SET ended_at = ?, end_reason = ? WHERE id = ? AND ended_at IS NULL",
    )
    .bind(now())
    .bind(reason)
    .bind(id)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() > 0)
}
