//! Running timelines (TL-3, TL-4): start one on a program output, stop, pause, resume,
//! seek, skip, pin; its live status and its history. Every control moves the run's stored
//! anchor, so a restart resumes where the wall clock says. Who may take an output from whom
//! is [`crate::domain::timeline::priority`].

use std::time::Duration;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use vistterstream_actors::state::{TimelinePosition, TimelineState};
use vistterstream_actors::timeline::{Pause, Pin, Resume, Seek, Skip, TimelineError};

use super::audit;
use super::context::Context;
use super::error::{Result, ServiceError};
use super::lookup;
use super::outputs;
use super::timeline_runtime;
use crate::auth::Principal;
use crate::domain::output::Mode;
use crate::domain::timeline::anchor::millis;
use crate::domain::timeline::{Contest, Starter, contest};
use crate::store::cameras;
use crate::store::timeline_runs::{self, NewRun, RunRow};

/// How many runs the history answers with.
const HISTORY: i64 = 100;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartInput {
    /// The program output to drive (it is started if it is not on air).
    pub output_id: i64,
    /// Where to begin, in seconds from the timeline's start (default 0).
    #[serde(default)]
    #[schema(minimum = 0, maximum = 86400)]
    pub position_s: Option<f64>,
    /// Take the output from the timeline running on it, when the priority rule allows.
    #[serde(default)]
    pub replace: bool,
}

/// Who starts a run, beyond the caller: a person, or a schedule (which also says whether
/// its window already put the output on air).
#[derive(Clone, Copy, Debug)]
pub struct Origin {
    pub by: Starter,
    pub schedule_id: Option<i64>,
    /// The output was put on air for this window by an earlier run of it.
    pub output_started_before: bool,
}

impl Origin {
    pub const OPERATOR: Origin = Origin {
        by: Starter::Operator,
        schedule_id: None,
        output_started_before: false,
    };
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SeekInput {
    #[schema(minimum = 0, maximum = 86400)]
    pub position_s: f64,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PinInput {
    /// The camera to keep on air; `null` releases the pin.
    pub camera_id: Option<i64>,
}

/// A run as the history shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct RunView {
    pub id: i64,
    pub timeline_id: Option<i64>,
    pub timeline_name: String,
    pub output_id: Option<i64>,
    pub started_by: Starter,
    pub schedule_id: Option<i64>,
    pub started_at: String,
    pub ended_at: Option<String>,
    /// `stopped`, `ended`, `replaced`, `emergency_stop`, `output_stopped`, `gone`, …
    pub end_reason: Option<String>,
    /// Passes completed.
    pub loops: i64,
    /// The last problems the run met.
    pub errors: Vec<String>,
}

fn run_view(r: RunRow) -> RunView {
    RunView {
        id: r.id,
        timeline_id: r.timeline_id,
        timeline_name: r.timeline_name,
        output_id: r.output_id,
        started_by: r.started_by,
        schedule_id: r.schedule_id,
        started_at: r.started_at,
        ended_at: r.ended_at,
        end_reason: r.end_reason,
        loops: r.loops,
        errors: r.errors.0,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RunState {
    Stopped,
    Running,
    Paused,
    Ended,
}

/// A timeline's live status: stopped, or where its run is.
#[derive(Debug, Serialize, ToSchema)]
pub struct TimelineStatus {
    pub timeline_id: i64,
    pub state: RunState,
    /// The run on air (none when stopped).
    pub run: Option<RunView>,
    /// Its live position (none when stopped, or in the instant before its actor runs).
    pub position: Option<TimelinePosition>,
}

fn status_of(
    timeline_id: i64,
    run: Option<RunRow>,
    position: Option<TimelinePosition>,
) -> TimelineStatus {
    let state = match (&run, &position) {
        (None, _) => RunState::Stopped,
        (Some(_), Some(p)) => match p.state {
            TimelineState::Running => RunState::Running,
            TimelineState::Paused => RunState::Paused,
            TimelineState::Ended => RunState::Ended,
        },
        (Some(r), None) if r.paused => RunState::Paused,
        (Some(_), None) => RunState::Running,
    };
    TimelineStatus {
        timeline_id,
        state,
        run: run.map(run_view),
        position,
    }
}

pub async fn status(ctx: &Context, timeline_id: i64) -> Result<TimelineStatus> {
    lookup::timeline(ctx, timeline_id).await?;
    let run = timeline_runs::active_for_timeline(&ctx.pool, timeline_id).await?;
    let position = run
        .as_ref()
        .and_then(|r| r.output_id)
        .and_then(|o| ctx.runtime.timeline_registry.position(o))
        .filter(|p| Some(p.run_id) == run.as_ref().map(|r| r.id));
    Ok(status_of(timeline_id, run, position))
}

pub async fn history(ctx: &Context, timeline_id: i64) -> Result<Vec<RunView>> {
    lookup::timeline(ctx, timeline_id).await?;
    Ok(timeline_runs::history(&ctx.pool, timeline_id, HISTORY)
        .await?
        .into_iter()
        .map(run_view)
        .collect())
}

/// Start `timeline_id` on an output, for whoever `by` is (the priority rule decides whether
/// it may take an output another timeline holds).
pub async fn start(
    ctx: &Context,
    who: &Principal,
    timeline_id: i64,
    input: StartInput,
    origin: Origin,
) -> Result<TimelineStatus> {
    let by = origin.by;
    let timeline = lookup::timeline(ctx, timeline_id).await?;
    let position = input.position_s.unwrap_or(0.0);
    if !position.is_finite() || position < 0.0 || position > timeline.duration_s {
        return Err(ServiceError::field(
            "position_s",
            format!(
                "must be between 0 and the timeline's duration ({} s)",
                timeline.duration_s
            ),
        ));
    }
    let output = lookup::output(ctx, input.output_id).await.map_err(|_| {
        ServiceError::field(
            "output_id",
            format!("output {} does not exist", input.output_id),
        )
    })?;
    if output.settings.mode == Mode::Relay {
        return Err(ServiceError::field(
            "output_id",
            format!(
                "output {} is a relay of one camera; a timeline needs a program output",
                output.id
            ),
        ));
    }
    if let Some(running) = timeline_runs::active_for_timeline(&ctx.pool, timeline_id).await?
        && running.output_id != Some(output.id)
    {
        return Err(ServiceError::Conflict(format!(
            "timeline {timeline_id} is on air on output {}; stop it there first",
            running.output_id.unwrap_or_default()
        )));
    }
    let holder = timeline_runs::active_on_output(&ctx.pool, output.id).await?;
    match contest(holder.as_ref().map(|h| h.started_by), by, input.replace) {
        Contest::Free => {}
        Contest::Replace => {
            if let Some(h) = &holder {
                timeline_runtime::end(ctx, h, "replaced").await?;
            }
        }
        Contest::Refuse => {
            let h = holder
                .as_ref()
                .map(|h| (h.timeline_name.as_str(), h.started_by.as_str()));
            let (name, starter) = h.unwrap_or(("?", "?"));
            return Err(ServiceError::Conflict(format!(
                "output {} is running timeline \"{name}\" (started by {starter}); \
                 send \"replace\": true to take it over{}",
                output.id,
                if by < Starter::Operator {
                    " (only if you rank at least as high)"
                } else {
                    ""
                }
            )));
        }
    }
    let started_output = !output.running;
    if started_output {
        outputs::start(ctx, who, output.id).await?;
    }
    let run = timeline_runs::insert(
        &ctx.pool,
        &NewRun {
            timeline_id,
            timeline_name: timeline.name.clone(),
            output_id: output.id,
            started_by: by,
            schedule_id: origin.schedule_id,
            elapsed_ms: millis(Duration::from_secs_f64(position)),
            started_output: started_output || origin.output_started_before,
        },
    )
    .await?;
    timeline_runtime::launch(ctx, &run, &timeline).await?;
    let detail = serde_json::json!({"output_id": output.id, "position_s": position, "by": by.as_str(), "run_id": run.id});
    audit::record(
        ctx,
        who,
        "timeline.start",
        Some(format!("timeline:{timeline_id}")),
        Some(detail),
    )
    .await?;
    status(ctx, timeline_id).await
}

/// The run of `timeline_id` on air, or 409.
async fn on_air(ctx: &Context, timeline_id: i64) -> Result<RunRow> {
    lookup::timeline(ctx, timeline_id).await?;
    timeline_runs::active_for_timeline(&ctx.pool, timeline_id)
        .await?
        .ok_or_else(|| ServiceError::Conflict(format!("timeline {timeline_id} is not running")))
}

pub async fn stop(ctx: &Context, who: &Principal, timeline_id: i64) -> Result<TimelineStatus> {
    let run = on_air(ctx, timeline_id).await?;
    timeline_runtime::end(ctx, &run, "stopped").await?;
    audit::record(
        ctx,
        who,
        "timeline.stop",
        Some(format!("timeline:{timeline_id}")),
        Some(serde_json::json!({"run_id": run.id})),
    )
    .await?;
    status(ctx, timeline_id).await
}

/// A control sent to the run's actor; its answer becomes the run's new anchor.
async fn control<M>(
    ctx: &Context,
    who: &Principal,
    timeline_id: i64,
    action: &str,
    message: M,
) -> Result<TimelineStatus>
where
    M: actix::Message<Result = std::result::Result<TimelinePosition, TimelineError>>
        + Send
        + 'static,
    vistterstream_actors::timeline::TimelineActor: actix::Handler<M>,
{
    let run = on_air(ctx, timeline_id).await?;
    let output_id = run.output_id.unwrap_or_default();
    let addr = ctx
        .runtime
        .timeline_registry
        .addr(output_id)
        .ok_or_else(|| {
            ServiceError::Unavailable(format!("timeline {timeline_id} is starting; try again"))
        })?;
    let position = match addr.send(message).await {
        Ok(Ok(p)) => p,
        Ok(Err(e @ TimelineError::PastTheEnd { .. })) => {
            return Err(ServiceError::field("position_s", e.to_string()));
        }
        Err(e) => return Err(ServiceError::internal(e)),
    };
    timeline_runtime::store_anchor(ctx, run.id, &position).await?;
    let detail = serde_json::json!({"run_id": run.id, "position_s": position.position_s, "pinned_camera_id": position.pinned_camera_id});
    audit::record(
        ctx,
        who,
        action,
        Some(format!("timeline:{timeline_id}")),
        Some(detail),
    )
    .await?;
    Ok(status_of(
        timeline_id,
        timeline_runs::active_for_timeline(&ctx.pool, timeline_id).await?,
        Some(position),
    ))
}

pub async fn pause(ctx: &Context, who: &Principal, id: i64) -> Result<TimelineStatus> {
    control(ctx, who, id, "timeline.pause", Pause).await
}

pub async fn resume(ctx: &Context, who: &Principal, id: i64) -> Result<TimelineStatus> {
    control(ctx, who, id, "timeline.resume", Resume).await
}

pub async fn skip(ctx: &Context, who: &Principal, id: i64) -> Result<TimelineStatus> {
    control(ctx, who, id, "timeline.skip", Skip).await
}

pub async fn seek(
    ctx: &Context,
    who: &Principal,
    id: i64,
    input: SeekInput,
) -> Result<TimelineStatus> {
    if !input.position_s.is_finite() || input.position_s < 0.0 {
        return Err(ServiceError::field(
            "position_s",
            "must be 0 or more seconds",
        ));
    }
    let at = Duration::from_secs_f64(input.position_s.min(86_400.0 * 2.0));
    control(ctx, who, id, "timeline.seek", Seek(at)).await
}

pub async fn pin(
    ctx: &Context,
    who: &Principal,
    id: i64,
    input: PinInput,
) -> Result<TimelineStatus> {
    if let Some(camera_id) = input.camera_id
        && cameras::get(&ctx.pool, camera_id).await?.is_none()
    {
        return Err(ServiceError::field(
            "camera_id",
            format!("camera {camera_id} does not exist"),
        ));
    }
    control(ctx, who, id, "timeline.pin", Pin(input.camera_id)).await
}
