//! A background job (TL-5): every half second each enabled schedule is made true on its
//! output. While its window is open (or it was started by hand) the timeline its playlist
//! names for now is on air (started at the position the playlist says, never taking the
//! output from an operator or Studio: it waits for the output to be free); when the window
//! closes its run ends and an output it put on air goes off air. The decisions are the
//! domain's ([`crate::domain::schedule`]); this applies them.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;

use super::context::Context;
use super::error::Result;
use super::timeline_runs::{self, Origin, StartInput};
use super::{outputs, timeline_runtime};
use crate::auth::Principal;
use crate::domain::schedule::playlist::{Entry, slot};
use crate::domain::schedule::{Window, weekly_of};
use crate::domain::timeline::Starter;
use crate::store::schedules::{self, ScheduleRow};
use crate::store::{timeline_runs as runs, timelines};

/// How often the schedules are looked at.
const TICK: Duration = Duration::from_millis(500);
/// A timeline that ends is not started for less than this.
const LAST_SECOND: Duration = Duration::from_secs(1);

pub async fn run(ctx: Arc<Context>) {
    loop {
        match schedules::list(&ctx.pool).await {
            Ok(rows) => {
                for row in rows {
                    if let Err(e) = tick(&ctx, &row).await {
                        tracing::warn!(schedule = row.id, error = %e, "schedule");
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "reading the schedules"),
        }
        tokio::time::sleep(TICK).await;
    }
}

/// The window of `row` open at `now`, if any.
pub(super) fn open_window(row: &ScheduleRow, now: Timestamp) -> Option<Window> {
    weekly_of(&row.time_zone, &row.days.0, &row.start, &row.end)?
        .current_or_next(now)
        .filter(|w| w.contains(now))
}

fn parse_time(text: Option<&str>) -> Option<Timestamp> {
    text.and_then(|t| t.parse().ok())
}

/// What each timeline of the list is, as the playlist needs it (missing ones are skipped).
async fn playlist(ctx: &Context, ids: &[i64]) -> Result<(Vec<i64>, Vec<Entry>)> {
    let (mut kept, mut entries) = (Vec::new(), Vec::new());
    for id in ids {
        if let Some(t) = timelines::get(&ctx.pool, *id).await? {
            kept.push(*id);
            entries.push(Entry {
                duration: Duration::from_secs_f64(t.duration_s.max(0.0)),
                looping: t.looping,
            });
        }
    }
    Ok((kept, entries))
}

/// Make one schedule true now.
pub(super) async fn tick(ctx: &Context, row: &ScheduleRow) -> Result<()> {
    let now = ctx.schedule_clock.now();
    let active = runs::active_on_output(&ctx.pool, row.output_id).await?;
    let ours = active.as_ref().filter(|r| r.schedule_id == Some(row.id));
    let window = if row.enabled {
        open_window(row, now)
    } else {
        None
    };
    // A window opening takes over from a run started by hand.
    if window.is_some() && row.manual_started_at.is_some() {
        schedules::set_manual(&ctx.pool, row.id, None).await?;
    }
    let origin = window
        .map(|w| w.start)
        .or_else(|| parse_time(row.manual_started_at.as_deref()).filter(|_| row.enabled));
    metrics::gauge!("vistter_schedule_open", "schedule" => row.id.to_string(), "output" => row.output_id.to_string())
        .set(if origin.is_some() { 1.0 } else { 0.0 });
    let who = Principal::appliance(format!("schedule {}", row.id));
    let Some(origin) = origin else {
        if let Some(run) = ours {
            let reason = if row.enabled {
                "window_closed"
            } else {
                "schedule_disabled"
            };
            timeline_runtime::end(ctx, run, reason).await?;
            if run.started_output {
                outputs::stop(ctx, &who, row.output_id).await?;
            }
            tracing::info!(schedule = row.id, "schedule closed");
        }
        return Ok(());
    };
    if parse_time(row.held_until.as_deref()).is_some_and(|until| now < until) {
        return Ok(());
    }
    let (ids, entries) = playlist(ctx, &row.timeline_ids.0).await?;
    let elapsed = now
        .duration_since(origin)
        .try_into()
        .unwrap_or(Duration::ZERO);
    let Some((index, offset)) = slot(&entries, elapsed) else {
        return Ok(());
    };
    // The last second of a timeline that ends is not worth starting (it is most likely the
    // one that just ended, a little ahead of the plan): the next one comes on the next tick.
    let entry = entries[index];
    if !entry.looping && entry.duration.saturating_sub(offset) < LAST_SECOND {
        return Ok(());
    }
    let wanted = ids[index];
    let replace = match (&active, ours) {
        (Some(r), Some(_)) if r.timeline_id == Some(wanted) => return Ok(()),
        (Some(_), Some(_)) => true,
        // Held by an operator or Studio (or another schedule): wait until it is free.
        (Some(_), None) => return Ok(()),
        (None, _) => false,
    };
    let input = StartInput {
        output_id: row.output_id,
        position_s: Some(
            offset
                .as_secs_f64()
                .min(entries[index].duration.as_secs_f64()),
        ),
        replace,
    };
    let origin = Origin {
        by: Starter::Schedule,
        schedule_id: Some(row.id),
        output_started_before: ours.is_some_and(|r| r.started_output),
    };
    timeline_runs::start(ctx, &who, wanted, input, origin).await?;
    tracing::info!(
        schedule = row.id,
        timeline = wanted,
        offset_s = offset.as_secs_f64(),
        "schedule put its timeline on air"
    );
    Ok(())
}

/// The emergency stop: every schedule whose window is open stays quiet until it closes.
pub(super) async fn hold_open_windows(ctx: &Context) -> Result<()> {
    let now = ctx.schedule_clock.now();
    let mut held = HashMap::new();
    for row in schedules::list(&ctx.pool).await? {
        if let Some(w) = open_window(&row, now) {
            held.insert(row.id, w.end.to_string());
        }
        if row.manual_started_at.is_some() {
            schedules::set_manual(&ctx.pool, row.id, None).await?;
        }
    }
    for (id, until) in held {
        schedules::hold(&ctx.pool, id, Some(&until)).await?;
    }
    Ok(())
}
