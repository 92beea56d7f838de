//! A timeline as a client sends it (TL-1): its tracks, cues, transitions and broadcast
//! metadata, and the references it may make.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The longest timeline: a day.
pub const MAX_DURATION_S: f64 = 86_400.0;
/// The longest fade or dip to black.
pub const MAX_TRANSITION_MS: u32 = 10_000;
pub const MAX_TRACKS: usize = 16;
pub const MAX_CUES_PER_TRACK: usize = 2_000;

#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TimelineInput {
    /// 1–100 characters.
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    /// Seconds, more than 0 and at most 86400.
    #[schema(exclusive_minimum = 0, maximum = 86400)]
    pub duration_s: f64,
    /// Start again from 0 at the end (else the timeline ends).
    #[serde(default, rename = "loop")]
    pub looping: bool,
    #[serde(default)]
    pub tracks: Vec<TrackInput>,
    /// Kept for the YouTube broadcast a scheduled run creates.
    #[serde(default)]
    pub broadcast: Option<BroadcastInput>,
}

/// A track: video cues (a later video track is on top where both have a cue) or overlay cues.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum TrackInput {
    Video { cues: Vec<VideoCueInput> },
    Overlay { cues: Vec<OverlayCueInput> },
}

#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VideoCueInput {
    /// Seconds from the timeline's start.
    #[schema(minimum = 0, maximum = 86400)]
    pub start_s: f64,
    #[schema(exclusive_minimum = 0, maximum = 86400)]
    pub duration_s: f64,
    pub camera_id: i64,
    /// A preset of this camera, recalled before the cue (ahead of time when the camera is not
    /// on air).
    #[serde(default)]
    pub preset_id: Option<i64>,
    /// How the cue comes on screen (default: a cut).
    #[serde(default)]
    pub transition: Option<TransitionInput>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TransitionKind {
    Cut,
    Fade,
    DipToBlack,
}

#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionInput {
    pub kind: TransitionKind,
    /// Fade and dip to black: 1–10000 ms, within the cue. A cut has none.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 10000)]
    pub duration_ms: Option<u32>,
}

#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OverlayCueInput {
    #[schema(minimum = 0, maximum = 86400)]
    pub start_s: f64,
    #[schema(exclusive_minimum = 0, maximum = 86400)]
    pub duration_s: f64,
    pub asset_id: i64,
    /// Where, in fractions of the picture (default: where the output's layer of this asset
    /// is, else the top left corner at a quarter of the width).
    #[serde(default)]
    #[schema(minimum = 0, maximum = 1)]
    pub x: Option<f64>,
    #[serde(default)]
    #[schema(minimum = 0, maximum = 1)]
    pub y: Option<f64>,
    #[serde(default)]
    #[schema(exclusive_minimum = 0, maximum = 1)]
    pub width: Option<f64>,
    #[serde(default)]
    #[schema(exclusive_minimum = 0, maximum = 1)]
    pub height: Option<f64>,
    #[serde(default)]
    #[schema(minimum = 0, maximum = 1)]
    pub opacity: Option<f64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Privacy {
    Public,
    Unlisted,
    #[default]
    Private,
}

/// YouTube broadcast metadata (issue 16 uses it).
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BroadcastInput {
    /// 1–100 characters, without `<` or `>` (YouTube refuses them).
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub privacy: Privacy,
    /// YouTube's category id (digits), e.g. "19" for Travel & Events.
    #[serde(default)]
    pub category_id: Option<String>,
    /// Upload a thumbnail taken from the program when the broadcast is created.
    #[serde(default)]
    pub thumbnail: bool,
}

/// What a timeline may refer to: the cameras, presets (with their camera) and assets stored.
#[derive(Clone, Debug, Default)]
pub struct References {
    pub cameras: HashSet<i64>,
    /// Preset id → its camera.
    pub presets: HashMap<i64, i64>,
    pub assets: HashSet<i64>,
}
