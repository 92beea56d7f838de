//! The bridge between stored timeline runs and the runtime's timeline actors: a run row
//! and its timeline made into a [`TimelineRun`] (cues, what each overlay cue draws, where
//! each preset is, the position its wall-clock anchor implies), started, ended, and all of
//! them brought back at start-up (TL-4).

use std::collections::HashMap;
use std::time::Duration;

use vistterstream_actors::output::{OverlayLayer, OverlayPlacement};
use vistterstream_actors::ptz::PtzVector;
use vistterstream_actors::state::{TimelinePosition, TimelineState};
use vistterstream_actors::supervision::{Stop, Upsert};
use vistterstream_actors::timeline::Pin;
use vistterstream_actors::timeline::run::{PresetTarget, StartAt, TimelineRun};
use vistterstream_actors::timeline::spec::{
    OverlayCue, OverlayPlace, TimelineSpec, Transition, VideoCue,
};

use super::context::Context;
use super::error::{Result, ServiceError};
use super::output_runtime::layer_source;
use crate::domain::time::now;
use crate::domain::timeline::anchor::{elapsed_at, millis};
use crate::domain::timeline::{OverlayCueInput, TrackInput, TransitionInput, TransitionKind};
use crate::store::timeline_runs::{self, Anchor, RunRow};
use crate::store::timelines::{self, TimelineRow};
use crate::store::{assets, outputs, presets};

/// Where an overlay cue without a position of its own goes when the output has no layer of
/// its asset: the top left corner, a quarter of the picture wide.
const DEFAULT_PLACE: OverlayPlace = OverlayPlace {
    x: 0.02,
    y: 0.02,
    width: 0.25,
    height: 0.0,
    opacity: 1.0,
};

fn seconds(s: f64) -> Duration {
    Duration::from_secs_f64(s.max(0.0))
}

fn transition(t: Option<&TransitionInput>) -> Transition {
    let ms = |t: &TransitionInput| Duration::from_millis(u64::from(t.duration_ms.unwrap_or(0)));
    match t {
        Some(t) if t.kind == TransitionKind::Fade => Transition::Fade(ms(t)),
        Some(t) if t.kind == TransitionKind::DipToBlack => Transition::DipToBlack(ms(t)),
        _ => Transition::Cut,
    }
}

/// The runtime's view of a stored timeline (pure).
pub(super) fn spec_of(row: &TimelineRow) -> TimelineSpec {
    let mut video_tracks = Vec::new();
    let mut overlays = Vec::new();
    for track in &row.tracks.0 {
        match track {
            TrackInput::Video { cues } => video_tracks.push(
                cues.iter()
                    .map(|c| VideoCue {
                        start: seconds(c.start_s),
                        duration: seconds(c.duration_s),
                        camera_id: c.camera_id,
                        preset_id: c.preset_id,
                        transition: transition(c.transition.as_ref()),
                    })
                    .collect(),
            ),
            TrackInput::Overlay { cues } => overlays.extend(cues.iter().map(|c| OverlayCue {
                start: seconds(c.start_s),
                duration: seconds(c.duration_s),
                asset_id: c.asset_id,
                place: own_place(c),
            })),
        }
    }
    TimelineSpec {
        id: row.id,
        duration: seconds(row.duration_s),
        looping: row.looping,
        video_tracks,
        overlays,
    }
}

/// A cue's own placement when it sets any of it (the rest from the defaults).
fn own_place(c: &OverlayCueInput) -> Option<OverlayPlace> {
    let any = c.x.is_some()
        || c.y.is_some()
        || c.width.is_some()
        || c.height.is_some()
        || c.opacity.is_some();
    any.then(|| OverlayPlace {
        x: c.x.unwrap_or(DEFAULT_PLACE.x),
        y: c.y.unwrap_or(DEFAULT_PLACE.y),
        width: c.width.unwrap_or(0.0),
        height: c.height.unwrap_or(0.0),
        opacity: c.opacity.unwrap_or(1.0),
    })
}

/// What each overlay cue draws on `output_id`: the cue's placement, else where the output's
/// own layer of the asset is, else [`DEFAULT_PLACE`]; above the output's layers.
async fn overlay_layers(
    ctx: &Context,
    spec: &TimelineSpec,
    output_id: i64,
) -> Result<Vec<Option<OverlayLayer>>> {
    let own = assets::overlays(&ctx.pool, output_id).await?;
    let mut layers = Vec::with_capacity(spec.overlays.len());
    for (i, cue) in spec.overlays.iter().enumerate() {
        let Some(asset) = assets::get(&ctx.pool, cue.asset_id).await? else {
            layers.push(None);
            continue;
        };
        let fraction = |v: f64| (v > 0.0).then_some(v);
        let placement = match (cue.place, own.iter().find(|o| o.asset_id == cue.asset_id)) {
            (Some(p), _) => (p.x, p.y, fraction(p.width), fraction(p.height), p.opacity),
            (None, Some(o)) => (o.x, o.y, o.width, o.height, o.opacity),
            (None, None) => (
                DEFAULT_PLACE.x,
                DEFAULT_PLACE.y,
                Some(DEFAULT_PLACE.width),
                None,
                DEFAULT_PLACE.opacity,
            ),
        };
        let (x, y, width, height, opacity) = placement;
        layers.push(Some(OverlayLayer {
            // Negative: never the id of one of the output's own layers.
            id: -(i as i64) - 1,
            asset_id: cue.asset_id,
            placement: OverlayPlacement {
                x,
                y,
                width,
                height,
                opacity,
                z: i as i32,
                visible: true,
            },
            source: layer_source(ctx, &asset).await,
        }));
    }
    Ok(layers)
}

/// Where each preset the timeline names is.
async fn preset_targets(ctx: &Context, spec: &TimelineSpec) -> Result<HashMap<i64, PresetTarget>> {
    let mut targets = HashMap::new();
    for id in spec
        .video_tracks
        .iter()
        .flatten()
        .filter_map(|c| c.preset_id)
    {
        if targets.contains_key(&id) {
            continue;
        }
        if let Some(p) = presets::get(&ctx.pool, id).await? {
            let position = match (p.pan, p.tilt, p.zoom) {
                (Some(pan), Some(tilt), Some(zoom)) => {
                    Some(PtzVector::new(pan as f32, tilt as f32, zoom as f32))
                }
                _ => None,
            };
            targets.insert(
                id,
                PresetTarget {
                    camera_id: p.camera_id,
                    position,
                    token: p.camera_token,
                },
            );
        }
    }
    Ok(targets)
}

/// The run's elapsed time now, by its wall-clock anchor.
pub(super) fn elapsed_now(run: &RunRow) -> Duration {
    let anchor = chrono::DateTime::parse_from_rfc3339(&run.anchor_at)
        .map(|t| t.with_timezone(&chrono::Utc))
        .unwrap_or_else(|_| chrono::Utc::now());
    elapsed_at(
        anchor,
        run.anchor_elapsed_ms,
        run.paused,
        chrono::Utc::now(),
    )
}

/// Start (or hand the new timeline to) the actor of `run` on its output.
pub(super) async fn launch(ctx: &Context, run: &RunRow, timeline: &TimelineRow) -> Result<()> {
    let output_id = run
        .output_id
        .ok_or_else(|| ServiceError::Conflict(format!("run {} has no output", run.id)))?;
    let timeline_spec = spec_of(timeline);
    let spec = TimelineRun {
        run_id: run.id,
        output_id,
        overlay_layers: overlay_layers(ctx, &timeline_spec, output_id).await?,
        presets: preset_targets(ctx, &timeline_spec).await?,
        timeline: timeline_spec,
        start: StartAt {
            elapsed: elapsed_now(run),
            paused: run.paused,
        },
        pinned: run.pinned_camera_id,
    };
    ctx.runtime
        .timelines
        .send(Upsert(spec))
        .await
        .map_err(ServiceError::internal)
}

/// End a run (history keeps `reason`) and stop its actor. Only the call that ends the run
/// stops the actor: the actors are keyed by output, and a late second call (the watch
/// closing a run a schedule just replaced) must not stop the run that took the output.
pub(super) async fn end(ctx: &Context, run: &RunRow, reason: &str) -> Result<()> {
    if !timeline_runs::finish(&ctx.pool, run.id, reason).await? {
        return Ok(());
    }
    if let Some(output_id) = run.output_id {
        ctx.runtime
            .timelines
            .send(Stop {
                id: output_id,
                forget: true,
            })
            .await
            .map_err(ServiceError::internal)?;
    }
    tracing::info!(run = run.id, timeline = %run.timeline_name, reason, "timeline run ended");
    Ok(())
}

/// End the timeline on `output_id`, if one runs (the output stopped or went away).
pub(super) async fn end_on_output(ctx: &Context, output_id: i64, reason: &str) -> Result<()> {
    if let Some(run) = timeline_runs::active_on_output(&ctx.pool, output_id).await? {
        end(ctx, &run, reason).await?;
    }
    Ok(())
}

/// End every run (the emergency stop).
pub(super) async fn end_all(ctx: &Context, reason: &str) -> Result<Vec<i64>> {
    let mut ended = Vec::new();
    for run in timeline_runs::active(&ctx.pool).await? {
        end(ctx, &run, reason).await?;
        ended.extend(run.timeline_id);
    }
    Ok(ended)
}

/// An operator's cut on an output a timeline drives pins that camera (the priority rule:
/// the person at the console wins; the timeline keeps time). Returns whether one was pinned.
pub(super) async fn pin_on_output(ctx: &Context, output_id: i64, camera_id: i64) -> Result<bool> {
    let Some(run) = timeline_runs::active_on_output(&ctx.pool, output_id).await? else {
        return Ok(false);
    };
    let Some(addr) = ctx.runtime.timeline_registry.addr(output_id) else {
        return Ok(false);
    };
    let position = match addr.send(Pin(Some(camera_id))).await {
        Ok(Ok(p)) => p,
        Ok(Err(e)) => return Err(ServiceError::Conflict(e.to_string())),
        Err(e) => return Err(ServiceError::internal(e)),
    };
    store_anchor(ctx, run.id, &position).await?;
    Ok(true)
}

/// What a control led to becomes the run's anchor: a restart resumes from there.
pub(super) async fn store_anchor(
    ctx: &Context,
    run_id: i64,
    position: &TimelinePosition,
) -> Result<()> {
    let anchor = Anchor {
        at: now(),
        elapsed_ms: millis(Duration::from_secs_f64(position.elapsed_s.max(0.0))),
        paused: position.state == TimelineState::Paused,
        pinned_camera_id: position.pinned_camera_id,
    };
    Ok(timeline_runs::set_anchor(&ctx.pool, run_id, &anchor).await?)
}

/// The timeline changed while on air: its actor gets it at once, playing on.
pub(super) async fn refresh(ctx: &Context, timeline_id: i64) -> Result<()> {
    if let Some(run) = timeline_runs::active_for_timeline(&ctx.pool, timeline_id).await?
        && let Some(timeline) = timelines::get(&ctx.pool, timeline_id).await?
    {
        // The running actor keeps its own clock (the anchor is for a fresh start).
        launch(ctx, &run, &timeline).await?;
    }
    Ok(())
}

/// Start-up: every run that was on air comes back at the position the wall clock implies;
/// one that ended meanwhile (not looping, past its end) or lost its output or timeline is
/// closed in the history.
pub async fn reconcile(ctx: &Context) -> anyhow::Result<usize> {
    let mut resumed = 0;
    for run in timeline_runs::active(&ctx.pool).await? {
        let timeline = match run.timeline_id {
            Some(id) => timelines::get(&ctx.pool, id).await?,
            None => None,
        };
        let output = match run.output_id {
            Some(id) => outputs::get(&ctx.pool, id).await?,
            None => None,
        };
        let (Some(timeline), Some(output)) = (timeline, output) else {
            timeline_runs::finish(&ctx.pool, run.id, "gone").await?;
            continue;
        };
        if !output.running {
            timeline_runs::finish(&ctx.pool, run.id, "output_stopped").await?;
            continue;
        }
        if !timeline.looping && elapsed_now(&run) >= seconds(timeline.duration_s) {
            timeline_runs::finish(&ctx.pool, run.id, "ended").await?;
            continue;
        }
        launch(ctx, &run, &timeline).await?;
        tracing::info!(run = run.id, timeline = %timeline.name, output = output.id, elapsed_s = elapsed_now(&run).as_secs_f64(), "timeline resumed");
        resumed += 1;
    }
    Ok(resumed)
}
