//! Schedule rows (TL-5): days and timelines as the JSON lists the domain validated.

use sqlx::types::Json;
use sqlx::{FromRow, SqlitePool};

use super::error::Result;
use crate::domain::schedule::{Day, ScheduleInput};
use crate::domain::time::now;

#[derive(Clone, Debug, FromRow)]
pub struct ScheduleRow {
    pub id: i64,
    pub name: String,
    pub output_id: i64,
    pub time_zone: String,
    pub days: Json<Vec<Day>>,
    pub start: String,
    pub end: String,
    pub timeline_ids: Json<Vec<i64>>,
    pub enabled: bool,
    pub manual_started_at: Option<String>,
    pub held_until: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl ScheduleRow {
    /// The schedule as a client would send it (to validate a change merged with it).
    pub fn input(&self) -> ScheduleInput {
        ScheduleInput {
            name: self.name.clone(),
            output_id: self.output_id,
            time_zone: self.time_zone.clone(),
            days: self.days.0.clone(),
            start: self.start.clone(),
            end: self.end.clone(),
            timeline_ids: self.timeline_ids.0.clone(),
            enabled: self.enabled,
        }
    }
}

pub async fn list(pool: &SqlitePool) -> Result<Vec<ScheduleRow>> {
    Ok(sqlx::query_as("SELECT * FROM schedules ORDER BY id")
        .fetch_all(pool)
        .await?)
}

pub async fn get(pool: &SqlitePool, id: i64) -> Result<Option<ScheduleRow>> {
    Ok(sqlx::query_as("SELECT * FROM schedules WHERE id = ?")
        .bind(id)
        .fetch_optional(pool)
        .await?)
}

pub async fn insert(pool: &SqlitePool, s: &ScheduleInput) -> Result<ScheduleRow> {
    let now = now();
    Ok(sqlx::query_as(
        "INSERT INTO schedules (name, output_id, time_zone, days, start, end, timeline_ids, \
         enabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *",
    )
    .bind(&s.name)
    .bind(s.output_id)
    .bind(&s.time_zone)
    .bind(Json(&s.days))
    .bind(&s.start)
    .bind(&s.end)
    .bind(Json(&s.timeline_ids))
    .bind(s.enabled)
    .bind(&now)
    .bind(&now)
    .fetch_one(pool)
    .await?)
}

pub async fn update(pool: &SqlitePool, id: i64, s: &ScheduleInput) -> Result<Option<ScheduleRow>> {
    Ok(sqlx::query_as(
        "UPDATE schedules SET name = ?, output_id = ?, time_zone = ?, days = ?, start = ?, \
         end = ?, timeline_ids = ?, enabled = ?, updated_at = ? WHERE id = ? RETURNING *",
    )
    .bind(&s.name)
    .bind(s.output_id)
    .bind(&s.time_zone)
    .bind(Json(&s.days))
    .bind(&s.start)
    .bind(&s.end)
    .bind(Json(&s.timeline_ids))
    .bind(s.enabled)
    .bind(now())
    .bind(id)
    .fetch_optional(pool)
    .await?)
}

pub async fn delete(pool: &SqlitePool, id: i64) -> Result<bool> {
    let done = sqlx::query("DELETE FROM schedules WHERE id = ?")
        .bind(id)
        .execute(pool)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Mark (or clear) a run started by hand.
pub async fn set_manual(pool: &SqlitePool, id: i64, started_at: Option<&str>) -> Result<()> {
    sqlx::query("UPDATE schedules SET manual_started_at = ? WHERE id = ?")
        .bind(started_at)
        .bind(id)
        .execute(pool)
        .await?;
    Ok(())
}

/// Keep a schedule from starting anything before `until` (RFC 3339), or release it.
pub async fn hold(pool: &SqlitePool, id: i64, until: Option<&str>) -> Result<()> {
    sqlx::query("UPDATE schedules SET held_until = ? WHERE id = ?")
        .bind(until)
        .bind(id)
        .execute(pool)
        .await?;
    Ok(())
}

/// The schedules that name a timeline, or put timelines on an output: (id, name).
pub async fn using_timeline(pool: &SqlitePool, timeline_id: i64) -> Result<Vec<(i64, String)>> {
    Ok(sqlx::query_as(
        "SELECT DISTINCT s.id, s.name FROM schedules s, json_each(s.timeline_ids) t \
         WHERE t.value = ? ORDER BY s.id",
    )
    .bind(timeline_id)
    .fetch_all(pool)
    .await?)
}

pub async fn on_output(pool: &SqlitePool, output_id: i64) -> Result<Vec<(i64, String)>> {
    Ok(
        sqlx::query_as("SELECT id, name FROM schedules WHERE output_id = ? ORDER BY id")
            .bind(output_id)
            .fetch_all(pool)
            .await?,
    )
}
