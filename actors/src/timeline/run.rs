//! A timeline as the shell asks the runtime to run it: the timeline, the output it drives,
//! what its overlay cues draw and where its presets are, and where to start.

use std::collections::HashMap;
use std::time::Duration;

use super::spec::TimelineSpec;
use crate::output::OverlayLayer;
use crate::ptz::PtzVector;

/// One running timeline (the supervisor's child, one per output).
#[derive(Clone, Debug, PartialEq)]
pub struct TimelineRun {
    /// The execution in the shell's history.
    pub run_id: i64,
    /// The program output the timeline drives.
    pub output_id: i64,
    pub timeline: TimelineSpec,
    /// What each overlay cue draws, in the order of `timeline.overlays` (`None`: its asset
    /// could not be drawn; the cue shows nothing).
    pub overlay_layers: Vec<Option<OverlayLayer>>,
    /// Where each preset the timeline uses is.
    pub presets: HashMap<i64, PresetTarget>,
    pub start: StartAt,
    /// A camera pinned by an operator (kept across restarts of the actor).
    pub pinned: Option<i64>,
}

/// Where a run begins: timeline time already elapsed (every pass counted) and whether its
/// clock is stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct StartAt {
    pub elapsed: Duration,
    pub paused: bool,
}

/// A preset as a recall needs it.
#[derive(Clone, Debug, PartialEq)]
pub struct PresetTarget {
    pub camera_id: i64,
    pub position: Option<PtzVector>,
    pub token: Option<String>,
}
