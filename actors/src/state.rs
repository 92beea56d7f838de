//! The states the runtime's actors report, carried by events and read by the shell.
//!
//! They live below both the actors that set them and the event bus that carries them, so
//! neither has to import the other's module.

use serde::Serialize;

/// Lifecycle state of a camera's ingest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum CameraState {
    /// Opening the RTSP session (DESCRIBE/SETUP/PLAY, waiting for the first frame).
    Connecting,
    /// Frames are arriving.
    Streaming,
    /// The session is up but no frame arrived within the stall timeout.
    Stalled,
    /// Waiting before the next connection attempt after a transient failure.
    Backoff,
    /// The camera is disabled; no session is kept.
    Disabled,
    /// A failure that needs a person (wrong password, wrong path, unsupported codec).
    /// Retries continue with backoff in case the camera side gets fixed.
    Error,
}

impl CameraState {
    pub fn as_str(self) -> &'static str {
        match self {
            CameraState::Connecting => "connecting",
            CameraState::Streaming => "streaming",
            CameraState::Stalled => "stalled",
            CameraState::Backoff => "backoff",
            CameraState::Disabled => "disabled",
            CameraState::Error => "error",
        }
    }
}

/// Lifecycle state of an output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum OutputState {
    /// Not running (desired state off, or stopped by the operator).
    Stopped,
    /// Pipeline being built or restarted.
    Starting,
    /// Producing frames.
    Live,
    /// The pipeline failed; the supervisor restarts it with backoff.
    Failed,
}

impl OutputState {
    pub fn as_str(self) -> &'static str {
        match self {
            OutputState::Stopped => "stopped",
            OutputState::Starting => "starting",
            OutputState::Live => "live",
            OutputState::Failed => "failed",
        }
    }
}

/// Connection state of one destination of an output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum DestinationState {
    Connecting,
    Live,
    Reconnecting,
    /// Repeated failures without ever getting live (wrong key, certificate not trusted,
    /// ingest refusing us): still retried, at the slowest backoff.
    Failed,
}

impl DestinationState {
    pub fn as_str(self) -> &'static str {
        match self {
            DestinationState::Connecting => "connecting",
            DestinationState::Live => "live",
            DestinationState::Reconnecting => "reconnecting",
            DestinationState::Failed => "failed",
        }
    }
}

/// What is on screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Showing {
    Camera { camera_id: i64 },
    Slate,
    Nothing,
}

/// Connection state of a PTZ camera's ONVIF session.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum PtzState {
    /// Looking for the device, learning its clock, services and profile.
    Connecting,
    /// Connected and answering.
    Up,
    /// Unreachable, refusing the credentials or not a PTZ device; retried with backoff.
    Down,
}

impl PtzState {
    pub fn as_str(self) -> &'static str {
        match self {
            PtzState::Connecting => "connecting",
            PtzState::Up => "up",
            PtzState::Down => "down",
        }
    }
}

/// Where a running timeline is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum TimelineState {
    /// Its clock runs and it cuts the program.
    Running,
    /// Its clock is stopped; the program stays on air with what it showed.
    Paused,
    /// A timeline that does not loop reached its end; the last camera stays on air.
    Ended,
}

/// A video cue of a timeline: its track and its place in that track.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CuePointer {
    pub track: usize,
    pub index: usize,
}

/// The next video cue of a running timeline and how far off it is.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NextCue {
    pub cue: CuePointer,
    pub camera_id: i64,
    /// Seconds of timeline time until it (a paused timeline does not get closer).
    pub in_s: f64,
}

/// Where a running timeline is: its live position, as its status and its events say.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimelinePosition {
    pub timeline_id: i64,
    pub output_id: i64,
    /// The execution (history entry) this is.
    pub run_id: i64,
    pub state: TimelineState,
    /// Timeline time since its start, pauses excluded, every pass included.
    pub elapsed_s: f64,
    /// Offset into the current pass.
    pub position_s: f64,
    pub duration_s: f64,
    /// Passes completed (a looping timeline).
    pub loops: u64,
    /// The video cue on screen (none before the first cue).
    pub cue: Option<CuePointer>,
    /// The camera the timeline has on air (the pinned one while pinned).
    pub camera_id: Option<i64>,
    pub next_cue: Option<NextCue>,
    /// The camera an operator pinned: the timeline keeps time but does not cut.
    pub pinned_camera_id: Option<i64>,
    /// The last problems met (a preset recall that failed, the program not answering).
    pub errors: Vec<String>,
}
