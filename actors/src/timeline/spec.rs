//! A timeline as plain values: the shell builds it from a stored, validated timeline; the
//! runtime never sees ids it would have to look up in a database.

use std::time::Duration;

/// How a video cue comes on screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transition {
    /// On the cue's first frame.
    Cut,
    /// The previous picture and the cue's mixed over this long.
    Fade(Duration),
    /// The previous picture to black, then black to the cue's, this long in all.
    DipToBlack(Duration),
}

/// A camera (at an optional preset) on screen from `start` for `duration`.
#[derive(Clone, Debug, PartialEq)]
pub struct VideoCue {
    pub start: Duration,
    pub duration: Duration,
    pub camera_id: i64,
    pub preset_id: Option<i64>,
    pub transition: Transition,
}

impl VideoCue {
    pub fn end(&self) -> Duration {
        self.start + self.duration
    }
}

/// Where an overlay cue puts its asset, in fractions of the program picture.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OverlayPlace {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
    pub opacity: f64,
}

/// An asset over the program from `start` for `duration`; `place` overrides the asset's
/// default placement.
#[derive(Clone, Debug, PartialEq)]
pub struct OverlayCue {
    pub start: Duration,
    pub duration: Duration,
    pub asset_id: i64,
    pub place: Option<OverlayPlace>,
}

impl OverlayCue {
    pub fn end(&self) -> Duration {
        self.start + self.duration
    }
}

/// A timeline: video tracks (a later track is on top of an earlier one where both have a
/// cue) and overlay cues on one clock of `duration`, once or in a loop.
#[derive(Clone, Debug, PartialEq)]
pub struct TimelineSpec {
    pub id: i64,
    pub duration: Duration,
    pub looping: bool,
    pub video_tracks: Vec<Vec<VideoCue>>,
    pub overlays: Vec<OverlayCue>,
}
