//! Schedules (TL-5): stored, listed, replaced, patched, deleted, run now and stopped. Every
//! write is validated whole (a known zone, real times, references that exist, no overlap
//! with another enabled schedule on the output, named by the clashing window); the view says
//! when it next opens and closes and what it has on air.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::audit;
use super::context::Context;
use super::error::{Result, ServiceError};
use super::schedule_runner::{self, open_window};
use super::timeline_runtime;
use crate::auth::Principal;
use crate::domain::output::Mode;
use crate::domain::schedule::{Day, ScheduleInput, ScheduleReferences, validate, weekly_of};
use crate::store::schedules::{self, ScheduleRow};
use crate::store::{outputs, timeline_runs, timelines};

#[derive(Serialize, ToSchema)]
pub struct Schedule {
    pub id: i64,
    pub name: String,
    pub output_id: i64,
    pub time_zone: String,
    pub days: Vec<Day>,
    pub start: String,
    pub end: String,
    pub timeline_ids: Vec<i64>,
    pub enabled: bool,
    /// A window is open now, or the schedule was started by hand.
    pub open: bool,
    /// Started by hand ("run now") outside its window.
    pub manual: bool,
    /// Stopped by an operator or the emergency stop: quiet until this (RFC 3339).
    pub held_until: Option<String>,
    /// When the next window opens, in the schedule's zone (RFC 3339 with its offset).
    pub next_start: Option<String>,
    /// When the open window closes, else when the next one will.
    pub next_stop: Option<String>,
    /// The timeline this schedule has on air now.
    pub on_air_timeline_id: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
}

fn in_zone(t: jiff::Timestamp, zone: &str) -> String {
    match jiff::tz::TimeZone::get(zone) {
        Ok(z) => t.to_zoned(z).strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
        Err(_) => t.to_string(),
    }
}

async fn view(ctx: &Context, row: ScheduleRow) -> Result<Schedule> {
    let now = ctx.schedule_clock.now();
    let weekly = weekly_of(&row.time_zone, &row.days.0, &row.start, &row.end);
    let current = open_window(&row, now);
    let upcoming = weekly
        .as_ref()
        .and_then(|w| w.windows_from(now).find(|w| w.start > now));
    let on_air = timeline_runs::active_on_output(&ctx.pool, row.output_id)
        .await?
        .filter(|r| r.schedule_id == Some(row.id))
        .and_then(|r| r.timeline_id);
    Ok(Schedule {
        open: row.enabled && (current.is_some() || row.manual_started_at.is_some()),
        manual: row.manual_started_at.is_some(),
        next_start: row
            .enabled
            .then_some(upcoming)
            .flatten()
            .map(|w| in_zone(w.start, &row.time_zone)),
        next_stop: row
            .enabled
            .then(|| current.or(upcoming))
            .flatten()
            .map(|w| in_zone(w.end, &row.time_zone)),
        on_air_timeline_id: on_air,
        id: row.id,
        held_until: row.held_until,
        name: row.name,
        output_id: row.output_id,
        time_zone: row.time_zone,
        days: row.days.0,
        start: row.start,
        end: row.end,
        timeline_ids: row.timeline_ids.0,
        enabled: row.enabled,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

async fn lookup(ctx: &Context, id: i64) -> Result<ScheduleRow> {
    schedules::get(&ctx.pool, id)
        .await?
        .ok_or_else(|| ServiceError::NotFound(format!("schedule {id} does not exist")))
}

/// Validated against what is stored; `except` is the schedule being changed.
async fn check(ctx: &Context, input: &ScheduleInput, except: Option<i64>) -> Result<ScheduleInput> {
    let all_outputs = outputs::list(&ctx.pool).await?;
    if let Some(o) = all_outputs.iter().find(|o| o.id == input.output_id)
        && o.settings.mode == Mode::Relay
    {
        return Err(ServiceError::field(
            "output_id",
            format!(
                "output {} is a relay; schedules play timelines on a program",
                o.id
            ),
        ));
    }
    let mut refs = ScheduleReferences {
        outputs: all_outputs.iter().map(|o| o.id).collect(),
        timelines: timelines::list(&ctx.pool)
            .await?
            .iter()
            .map(|t| t.id)
            .collect(),
        others_on_output: Vec::new(),
    };
    for other in schedules::list(&ctx.pool).await? {
        if Some(other.id) == except || !other.enabled || other.output_id != input.output_id {
            continue;
        }
        if let Some(w) = weekly_of(&other.time_zone, &other.days.0, &other.start, &other.end) {
            refs.others_on_output.push((other.name, w));
        }
    }
    let valid = validate(input, &refs, ctx.schedule_clock.now()).map_err(ServiceError::Invalid)?;
    Ok(valid.input)
}

fn audit_detail(s: &ScheduleInput) -> serde_json::Value {
    serde_json::json!({"name": s.name, "output_id": s.output_id, "time_zone": s.time_zone,
                       "start": s.start, "end": s.end, "enabled": s.enabled})
}

pub async fn list(ctx: &Context) -> Result<Vec<Schedule>> {
    let mut out = Vec::new();
    for row in schedules::list(&ctx.pool).await? {
        out.push(view(ctx, row).await?);
    }
    Ok(out)
}

pub async fn get(ctx: &Context, id: i64) -> Result<Schedule> {
    view(ctx, lookup(ctx, id).await?).await
}

pub async fn create(ctx: &Context, who: &Principal, input: ScheduleInput) -> Result<Schedule> {
    let input = check(ctx, &input, None).await?;
    let row = schedules::insert(&ctx.pool, &input).await?;
    audit::record(
        ctx,
        who,
        "schedule.create",
        Some(format!("schedule:{}", row.id)),
        Some(audit_detail(&input)),
    )
    .await?;
    schedule_runner::tick(ctx, &row).await?;
    get(ctx, row.id).await
}

pub async fn replace(
    ctx: &Context,
    who: &Principal,
    id: i64,
    input: ScheduleInput,
) -> Result<Schedule> {
    lookup(ctx, id).await?;
    let input = check(ctx, &input, Some(id)).await?;
    let row = schedules::update(&ctx.pool, id, &input)
        .await?
        .ok_or_else(|| ServiceError::NotFound(format!("schedule {id} does not exist")))?;
    audit::record(
        ctx,
        who,
        "schedule.update",
        Some(format!("schedule:{id}")),
        Some(audit_detail(&input)),
    )
    .await?;
    schedule_runner::tick(ctx, &row).await?;
    get(ctx, id).await
}

/// Partial update: absent fields keep their value; the result is validated whole.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SchedulePatch {
    pub name: Option<String>,
    pub output_id: Option<i64>,
    pub time_zone: Option<String>,
    pub days: Option<Vec<Day>>,
    pub start: Option<String>,
    pub end: Option<String>,
    pub timeline_ids: Option<Vec<i64>>,
    pub enabled: Option<bool>,
}

pub async fn update(
    ctx: &Context,
    who: &Principal,
    id: i64,
    patch: SchedulePatch,
) -> Result<Schedule> {
    let row = lookup(ctx, id).await?;
    let old = row.input();
    let input = ScheduleInput {
        name: patch.name.unwrap_or(old.name),
        output_id: patch.output_id.unwrap_or(old.output_id),
        time_zone: patch.time_zone.unwrap_or(old.time_zone),
        days: patch.days.unwrap_or(old.days),
        start: patch.start.unwrap_or(old.start),
        end: patch.end.unwrap_or(old.end),
        timeline_ids: patch.timeline_ids.unwrap_or(old.timeline_ids),
        enabled: patch.enabled.unwrap_or(old.enabled),
    };
    replace(ctx, who, id, input).await
}

pub async fn delete(ctx: &Context, who: &Principal, id: i64) -> Result<()> {
    let row = lookup(ctx, id).await?;
    stop_run(ctx, &row, "schedule_deleted").await?;
    schedules::delete(&ctx.pool, id).await?;
    audit::record(
        ctx,
        who,
        "schedule.delete",
        Some(format!("schedule:{id}")),
        Some(serde_json::json!({"name": row.name})),
    )
    .await
}

/// End the run this schedule has on air, if any.
async fn stop_run(ctx: &Context, row: &ScheduleRow, reason: &str) -> Result<()> {
    if let Some(run) = timeline_runs::active_on_output(&ctx.pool, row.output_id)
        .await?
        .filter(|r| r.schedule_id == Some(row.id))
    {
        timeline_runtime::end(ctx, &run, reason).await?;
    }
    Ok(())
}

/// Start the schedule now, outside its window: its timelines play in order from now until
/// it is stopped or its next window takes over.
pub async fn run_now(ctx: &Context, who: &Principal, id: i64) -> Result<Schedule> {
    let row = lookup(ctx, id).await?;
    if !row.enabled {
        return Err(ServiceError::Conflict(format!("schedule {id} is disabled")));
    }
    let now = ctx.schedule_clock.now();
    if open_window(&row, now).is_none() && row.manual_started_at.is_none() {
        schedules::set_manual(&ctx.pool, id, Some(&now.to_string())).await?;
    }
    schedules::hold(&ctx.pool, id, None).await?;
    audit::record(
        ctx,
        who,
        "schedule.run_now",
        Some(format!("schedule:{id}")),
        None,
    )
    .await?;
    let row = lookup(ctx, id).await?;
    schedule_runner::tick(ctx, &row).await?;
    view(ctx, lookup(ctx, id).await?).await
}

/// Stop what the schedule has on air; an open window stays quiet until it closes.
pub async fn stop(ctx: &Context, who: &Principal, id: i64) -> Result<Schedule> {
    let row = lookup(ctx, id).await?;
    schedules::set_manual(&ctx.pool, id, None).await?;
    if let Some(w) = open_window(&row, ctx.schedule_clock.now()) {
        schedules::hold(&ctx.pool, id, Some(&w.end.to_string())).await?;
    }
    stop_run(ctx, &row, "schedule_stopped").await?;
    audit::record(
        ctx,
        who,
        "schedule.stop",
        Some(format!("schedule:{id}")),
        None,
    )
    .await?;
    view(ctx, lookup(ctx, id).await?).await
}
