//! TimelineActor (TL-2): runs one timeline on one program output.
//!
//! It keeps the timeline's clock on an injectable [`TimelineClock`] (the system clock the
//! program pipelines run on, in production) and, a little ahead of time, hands the program
//! every cut, fade and overlay change stamped with the clock time it must land at: the
//! program's switch applies each on the first frame that reaches it, so a cue lands on the
//! frame it names, not when a timer here fires. Ahead of that it asks the program to decode
//! the cameras of the next cues, and recalls PTZ presets early enough (the camera's measured
//! recall time plus a margin) for the cut to land on a settled picture. A camera that fails
//! during its cue shows the slate (the program's doing); the timeline keeps time.
//!
//! Every decision is a pure function ([`super::segments`], [`super::prepositions`],
//! [`super::cursor`]); the actor only keeps the clock and sends. Its control messages are
//! handled in [`super::handlers`].

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;

use super::clock::TimelineClock;
use super::cursor::occurrences;
use super::ports::{ProgramPort, PtzPort};
use super::prepositions::{self, PresetMove};
use super::run::TimelineRun;
use super::segments::{self, Segment, position, segment_at};
use super::spec::Transition;
use super::status::TimelineCell;
use crate::events::EventBus;
use crate::output::{OverlayLayer, ProgramCommand, ProgramEpoch, ShotEntry};
use crate::state::{CuePointer, NextCue, TimelinePosition, TimelineState};
use crate::supervision::{ChildLink, StopReason};

/// How far ahead shots and overlay changes are handed to the program.
pub const LOOKAHEAD: Duration = Duration::from_secs(1);
/// How far ahead the cameras of the next cues are decoded.
pub const PREPARE_LEAD: Duration = Duration::from_secs(5);
/// At most this many problems are kept in the status.
const MAX_ERRORS: usize = 10;

/// What every timeline actor needs from outside.
#[derive(Clone)]
pub struct TimelineEnv {
    pub program: Arc<dyn ProgramPort>,
    pub ptz: Arc<dyn PtzPort>,
    pub clock: Arc<dyn TimelineClock>,
    pub events: EventBus,
    /// How often the actor runs its decisions (tests on a manual clock send `Tick`).
    pub tick: Duration,
}

/// What the actor knows of the program it drives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ProgramLink {
    /// No answer yet since the start.
    Unknown,
    /// This start of the program's pipeline has our schedule.
    Known(ProgramEpoch),
    /// It did not answer: when it does, it gets what should be on air again.
    Lost,
}

pub struct TimelineActor {
    pub(super) run: TimelineRun,
    segments: Vec<Segment>,
    segment_starts: Vec<Duration>,
    moves: Vec<PresetMove>,
    move_times: Vec<Duration>,
    /// Measured recall time per camera (from the recalls' answers).
    recall: HashMap<i64, Duration>,
    pub(super) env: TimelineEnv,
    cell: Arc<TimelineCell>,
    link: ChildLink,
    /// The clock time at which the timeline's elapsed time was `anchor_elapsed`.
    anchor_clock: Duration,
    anchor_elapsed: Duration,
    /// The elapsed time the clock stopped at.
    pub(super) paused: Option<Duration>,
    pub(super) pinned: Option<i64>,
    /// Elapsed time up to which changes were handed to the program.
    sent_until: Duration,
    /// Elapsed time up to which preset recalls were sent.
    moved_until: Duration,
    program: ProgramLink,
    pub(super) ended: bool,
    /// Problems met (a preset recall that failed), the last few.
    errors: Vec<String>,
    /// Why the program does not answer, while it does not (cleared by its next answer).
    program_error: Option<String>,
}

impl TimelineActor {
    pub fn new(
        run: TimelineRun,
        env: TimelineEnv,
        cell: Arc<TimelineCell>,
        link: ChildLink,
    ) -> Self {
        let now = env.clock.now();
        let start = run.start;
        let mut actor = Self {
            segments: Vec::new(),
            segment_starts: Vec::new(),
            moves: Vec::new(),
            move_times: Vec::new(),
            recall: HashMap::new(),
            cell,
            link,
            anchor_clock: now,
            anchor_elapsed: start.elapsed,
            paused: start.paused.then_some(start.elapsed),
            pinned: run.pinned,
            sent_until: start.elapsed,
            moved_until: start.elapsed,
            program: ProgramLink::Unknown,
            ended: false,
            errors: Vec::new(),
            program_error: None,
            run,
            env,
        };
        actor.plan();
        actor
    }

    /// Segments and preset recalls from the timeline and the recall times measured so far.
    fn plan(&mut self) {
        self.segments = segments::segments(&self.run.timeline);
        self.segment_starts = self.segments.iter().map(|s| s.start).collect();
        self.replan_moves();
    }

    fn replan_moves(&mut self) {
        self.moves = prepositions::plan(&self.segments, &self.recall);
        self.move_times = self.moves.iter().map(|m| m.at).collect();
    }

    pub(super) fn replace(&mut self, run: TimelineRun) {
        self.pinned = run.pinned;
        self.run = run;
        self.plan();
    }

    fn duration(&self) -> Duration {
        self.run.timeline.duration
    }

    fn looping(&self) -> bool {
        self.run.timeline.looping
    }

    /// The timeline's elapsed time now (stopped while paused).
    pub(super) fn elapsed(&self) -> Duration {
        match self.paused {
            Some(at) => at,
            None => self.anchor_elapsed + self.env.clock.now().saturating_sub(self.anchor_clock),
        }
    }

    /// Make `elapsed` the timeline's time now (seek, resume).
    pub(super) fn anchor(&mut self, elapsed: Duration) {
        self.anchor_clock = self.env.clock.now();
        self.anchor_elapsed = elapsed;
        if self.paused.is_some() {
            self.paused = Some(elapsed);
        }
    }

    /// The clock time at which the timeline reaches `elapsed` (now, when that is past).
    fn clock_at(&self, elapsed: Duration, now_elapsed: Duration) -> Duration {
        let now = self.env.clock.now();
        if elapsed >= now_elapsed {
            now + (elapsed - now_elapsed)
        } else {
            now.saturating_sub(now_elapsed - elapsed)
        }
    }

    fn send(&mut self, command: ProgramCommand, ctx: &mut Context<Self>) {
        let answer = self.env.program.command(self.run.output_id, command);
        ctx.spawn(
            answer
                .into_actor(self)
                .map(|answer, act, ctx| match answer {
                    Ok(epoch) => act.program_answered(epoch, ctx),
                    Err(e) => {
                        act.program = ProgramLink::Lost;
                        act.note_error(e);
                    }
                }),
        );
    }

    /// An answer from the program: a pipeline we have not scheduled on (the output
    /// restarted, or it was not running) gets what should be on air now.
    fn program_answered(&mut self, epoch: ProgramEpoch, ctx: &mut Context<Self>) {
        let resync = match self.program {
            ProgramLink::Known(known) => known != epoch,
            ProgramLink::Lost => true,
            ProgramLink::Unknown => false,
        };
        self.program = ProgramLink::Known(epoch);
        self.program_error = None;
        if resync {
            tracing::info!(
                output = self.run.output_id,
                timeline = self.run.timeline.id,
                "the program restarted; sending it the timeline's picture again"
            );
            self.resync_in(ctx);
        }
    }

    pub(super) fn note_error(&mut self, error: String) {
        tracing::warn!(output = self.run.output_id, timeline = self.run.timeline.id, error = %error, "timeline");
        if self.errors.last() != Some(&error) {
            self.errors.push(error);
        }
        if self.errors.len() > MAX_ERRORS {
            self.errors.remove(0);
        }
    }

    fn entry(transition: Transition) -> ShotEntry {
        let ns = |d: Duration| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
        match transition {
            Transition::Cut => ShotEntry::Cut,
            Transition::Fade(d) => ShotEntry::Fade(ns(d)),
            Transition::DipToBlack(d) => ShotEntry::DipToBlack(ns(d)),
        }
    }

    fn layers(&self, overlays: &[usize]) -> Vec<OverlayLayer> {
        overlays
            .iter()
            .filter_map(|i| self.run.overlay_layers.get(*i).cloned().flatten())
            .collect()
    }

    /// The segment before segment `index` played at `elapsed` (the last one of the previous
    /// pass for the first segment of a later pass).
    fn previous(&self, index: usize, elapsed: Duration) -> Option<&Segment> {
        match index.checked_sub(1) {
            Some(i) => self.segments.get(i),
            None if self.looping() && elapsed >= self.duration() => self.segments.last(),
            None => None,
        }
    }

    /// The camera the timeline wants on air at `offset` (the pinned one while pinned).
    fn camera_at(&self, offset: Duration) -> Option<i64> {
        self.pinned.or_else(|| {
            segment_at(&self.segments, offset)
                .and_then(|i| self.segments[i].shot)
                .map(|s| s.camera_id)
        })
    }

    /// Clear what the program has scheduled and put the timeline's picture and overlays of
    /// now on air at once (start, seek, resume, pin, a restarted program).
    pub(super) fn resync_in(&mut self, ctx: &mut Context<Self>) {
        let elapsed = self.elapsed();
        let offset = position(elapsed, self.duration(), self.looping()).offset;
        let now = self.env.clock.now();
        self.send(ProgramCommand::Clear, ctx);
        if let Some(camera_id) = self.camera_at(offset) {
            self.send(
                ProgramCommand::Shot {
                    at: now,
                    camera_id,
                    entry: ShotEntry::Cut,
                },
                ctx,
            );
        }
        if let Some(i) = segment_at(&self.segments, offset) {
            let layers = self.layers(&self.segments[i].overlays.clone());
            self.send(ProgramCommand::Overlays { at: now, layers }, ctx);
            // The camera on air at its preset (it may be there already), and every camera
            // whose recall is due for a cue still ahead: they move now.
            let mut due: Vec<PresetMove> = self
                .moves
                .iter()
                .filter(|m| m.at <= offset && offset < m.for_cue_at)
                .copied()
                .collect();
            if let Some(shot) = self.segments[i].shot
                && let Some(preset_id) = shot.preset_id
                && self.pinned.is_none()
            {
                due.push(PresetMove {
                    at: offset,
                    camera_id: shot.camera_id,
                    preset_id,
                    for_cue_at: offset,
                    live: true,
                    late: false,
                });
            }
            for m in due {
                self.recall_preset(m, ctx);
            }
        }
        self.sent_until = elapsed;
        self.moved_until = elapsed;
    }

    /// Forget what the program has scheduled ahead (pause).
    pub(super) fn send_clear(&mut self, ctx: &mut Context<Self>) {
        self.send(ProgramCommand::Clear, ctx);
    }

    /// One round of decisions: cameras to decode, changes within the lookahead, recalls due,
    /// the end of a timeline that does not loop. Returns the position it published.
    pub(super) fn tick(&mut self, ctx: &mut Context<Self>) -> TimelinePosition {
        if self.ended {
            return self.publish();
        }
        let elapsed = self.elapsed();
        if !self.looping() && elapsed >= self.duration() {
            self.finish(ctx);
            return self.publish();
        }
        self.prepare(elapsed, ctx);
        if self.paused.is_none() {
            self.send_changes(elapsed, ctx);
            self.send_recalls(elapsed, ctx);
        }
        self.publish()
    }

    /// Ask the program to decode the camera on air and those of the cues within
    /// [`PREPARE_LEAD`]; its answer tells whether it restarted.
    fn prepare(&mut self, elapsed: Duration, ctx: &mut Context<Self>) {
        let offset = position(elapsed, self.duration(), self.looping()).offset;
        let mut cameras: Vec<i64> = self.camera_at(offset).into_iter().collect();
        let lead = if self.paused.is_some() {
            Duration::ZERO
        } else {
            PREPARE_LEAD
        };
        for (_, i) in occurrences(
            &self.segment_starts,
            self.duration(),
            self.looping(),
            elapsed,
            elapsed + lead,
        ) {
            if let Some(shot) = self.segments[i].shot
                && !cameras.contains(&shot.camera_id)
            {
                cameras.push(shot.camera_id);
            }
        }
        // Its answer also says whether the program restarted (`program_answered`).
        self.send(ProgramCommand::Prepare(cameras), ctx);
    }

    /// Hand the program the shots and overlay sets of the segments starting within the
    /// lookahead, stamped with the clock time they must land at.
    fn send_changes(&mut self, elapsed: Duration, ctx: &mut Context<Self>) {
        let until = elapsed + LOOKAHEAD;
        let changes = occurrences(
            &self.segment_starts,
            self.duration(),
            self.looping(),
            self.sent_until,
            until,
        );
        for (at_elapsed, i) in changes {
            let at = self.clock_at(at_elapsed, elapsed);
            let segment = &self.segments[i];
            let previous = self.previous(i, at_elapsed);
            let previous_camera = previous.and_then(|p| p.shot).map(|s| s.camera_id);
            let previous_overlays = previous.map(|p| p.overlays.clone());
            let shot = match (segment.shot, segment.enters_with) {
                (Some(shot), Some(transition))
                    if self.pinned.is_none() && previous_camera != Some(shot.camera_id) =>
                {
                    Some(ProgramCommand::Shot {
                        at,
                        camera_id: shot.camera_id,
                        entry: Self::entry(transition),
                    })
                }
                _ => None,
            };
            let overlays = (previous_overlays.as_ref() != Some(&segment.overlays))
                .then(|| segment.overlays.clone());
            if let Some(shot) = shot {
                self.send(shot, ctx);
            }
            if let Some(overlays) = overlays {
                let layers = self.layers(&overlays);
                self.send(ProgramCommand::Overlays { at, layers }, ctx);
            }
        }
        // A timeline that does not loop takes its overlays off exactly at its end.
        let end = self.duration();
        if !self.looping() && self.sent_until < end && end <= until {
            let at = self.clock_at(end, elapsed);
            self.send(
                ProgramCommand::Overlays {
                    at,
                    layers: Vec::new(),
                },
                ctx,
            );
        }
        self.sent_until = self.sent_until.max(until);
    }

    /// Send the preset recalls whose time has come.
    fn send_recalls(&mut self, elapsed: Duration, ctx: &mut Context<Self>) {
        let due = occurrences(
            &self.move_times,
            self.duration(),
            self.looping(),
            self.moved_until,
            elapsed,
        );
        self.moved_until = self.moved_until.max(elapsed);
        for (_, i) in due {
            let m = self.moves[i];
            let pinned_live = m.live && self.pinned.is_some();
            if !pinned_live {
                self.recall_preset(m, ctx);
            }
        }
    }

    fn recall_preset(&mut self, m: PresetMove, ctx: &mut Context<Self>) {
        let Some(target) = self.run.presets.get(&m.preset_id).cloned() else {
            self.note_error(format!("preset {} is unknown to the runtime", m.preset_id));
            return;
        };
        if m.late {
            tracing::info!(
                camera = m.camera_id,
                preset = m.preset_id,
                "preset recall sent late: the camera was on air until just before its cue"
            );
        }
        let answer = self.env.ptz.recall(&target);
        ctx.spawn(
            answer
                .into_actor(self)
                .map(move |answer, act, _| match answer {
                    Ok(outcome) => {
                        let took = Duration::from_millis(outcome.elapsed_ms);
                        if outcome.settled && act.recall.get(&m.camera_id) != Some(&took) {
                            act.recall.insert(m.camera_id, took);
                            act.replan_moves();
                        }
                    }
                    Err(e) => act.note_error(e),
                }),
        );
    }

    /// A timeline that does not loop reached its end: the program keeps its last camera
    /// (a show stays on air until someone decides otherwise), the timeline's overlays and
    /// standby cameras go.
    fn finish(&mut self, ctx: &mut Context<Self>) {
        self.ended = true;
        self.send(ProgramCommand::Release, ctx);
        tracing::info!(
            output = self.run.output_id,
            timeline = self.run.timeline.id,
            "timeline ended"
        );
    }

    /// The live position, stored in the shared cell (and published when it changed).
    pub(super) fn publish(&self) -> TimelinePosition {
        let elapsed = self.elapsed();
        let duration = self.duration();
        let at = position(elapsed, duration, self.looping());
        let current = segment_at(&self.segments, at.offset);
        let shot = current.and_then(|i| self.segments[i].shot);
        let state = if self.ended {
            TimelineState::Ended
        } else if self.paused.is_some() {
            TimelineState::Paused
        } else {
            TimelineState::Running
        };
        let position = TimelinePosition {
            timeline_id: self.run.timeline.id,
            output_id: self.run.output_id,
            run_id: self.run.run_id,
            state,
            elapsed_s: elapsed.as_secs_f64(),
            position_s: at.offset.as_secs_f64(),
            duration_s: duration.as_secs_f64(),
            loops: at.pass,
            cue: shot.map(|s| CuePointer {
                track: s.cue.track,
                index: s.cue.index,
            }),
            camera_id: self.pinned.or(shot.map(|s| s.camera_id)),
            next_cue: if self.ended {
                None
            } else {
                self.next_cue(at.offset)
            },
            pinned_camera_id: self.pinned,
            errors: self
                .errors
                .iter()
                .chain(self.program_error.as_ref())
                .cloned()
                .collect(),
        };
        self.cell.set(position.clone());
        position
    }

    /// The next segment where a video cue begins, and how far it is (into the next pass for
    /// a looping timeline).
    pub(super) fn next_cue_offset(&self, offset: Duration) -> Option<(Duration, usize)> {
        let after = self
            .segments
            .iter()
            .enumerate()
            .find(|(_, s)| s.start > offset && s.enters_with.is_some());
        match after {
            Some((i, s)) => Some((s.start - offset, i)),
            None if self.looping() => self
                .segments
                .iter()
                .enumerate()
                .find(|(_, s)| s.enters_with.is_some())
                .map(|(i, s)| (self.duration() - offset + s.start, i)),
            None => None,
        }
    }

    fn next_cue(&self, offset: Duration) -> Option<NextCue> {
        let (in_time, i) = self.next_cue_offset(offset)?;
        let shot = self.segments[i].shot?;
        Some(NextCue {
            cue: CuePointer {
                track: shot.cue.track,
                index: shot.cue.index,
            },
            camera_id: shot.camera_id,
            in_s: in_time.as_secs_f64(),
        })
    }
}

impl Actor for TimelineActor {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        tracing::info!(
            output = self.run.output_id,
            timeline = self.run.timeline.id,
            elapsed_s = self.elapsed().as_secs_f64(),
            "timeline started"
        );
        self.resync_in(ctx);
        self.tick(ctx);
        ctx.run_interval(self.env.tick, |act, ctx| {
            act.tick(ctx);
        });
    }

    fn stopped(&mut self, _ctx: &mut Self::Context) {
        self.link.report(StopReason::Halted);
    }
}
