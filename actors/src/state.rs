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
