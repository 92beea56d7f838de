//! Messages a PTZ actor takes (PTZ-2..PTZ-4), and what it answers.

use std::time::Duration;

use actix::prelude::*;
use serde::Serialize;

use super::device::{DevicePreset, PtzReading, PtzVector};
use super::error::PtzError;
use super::spec::PtzSpec;

/// Continuous move (PTZ-2). Answers at once: the velocity is sent as soon as the lane is
/// free, replacing any update not yet sent. Stops by itself after `timeout` (else the
/// watchdog). A zero velocity is a stop.
#[derive(Message)]
#[rtype(result = "Result<MoveAccepted, PtzError>")]
pub struct Move {
    pub velocity: PtzVector,
    pub timeout: Option<Duration>,
}

#[derive(Clone, Copy, Debug, Serialize)]
pub struct MoveAccepted {
    /// This update replaced one that had not been sent yet.
    pub coalesced: bool,
    /// When the head will be stopped unless another update comes first.
    pub stops_after_ms: u64,
}

#[derive(Message)]
#[rtype(result = "Result<(), PtzError>")]
pub struct Stop;

/// Absolute move to a position; with `wait`, answers once settled (bounded).
#[derive(Message)]
#[rtype(result = "Result<MoveOutcome, PtzError>")]
pub struct AbsoluteMove {
    pub position: PtzVector,
    pub wait: bool,
}

#[derive(Message)]
#[rtype(result = "Result<MoveOutcome, PtzError>")]
pub struct RelativeMove {
    pub translation: PtzVector,
    pub wait: bool,
}

/// A fresh GetStatus.
#[derive(Message)]
#[rtype(result = "Result<PtzReading, PtzError>")]
pub struct ReadStatus;

/// Save the current position as a preset on the camera (PTZ-3 capture).
#[derive(Message)]
#[rtype(result = "Result<CapturedPreset, PtzError>")]
pub struct CapturePreset {
    pub name: String,
    /// Overwrite this camera preset instead of creating one.
    pub token: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct CapturedPreset {
    pub token: String,
    /// `None` when the camera does not report positions.
    pub position: Option<PtzVector>,
}

/// Recall a preset (PTZ-3): by coordinates when the camera reports positions, else by the
/// camera's token. With `wait`, answers once settled (PTZ-4).
#[derive(Message)]
#[rtype(result = "Result<MoveOutcome, PtzError>")]
pub struct GotoPreset {
    pub position: Option<PtzVector>,
    pub token: Option<String>,
    pub wait: bool,
}

#[derive(Message)]
#[rtype(result = "Result<(), PtzError>")]
pub struct RemovePreset {
    pub token: String,
}

#[derive(Message)]
#[rtype(result = "Result<Vec<DevicePreset>, PtzError>")]
pub struct ListDevicePresets;

/// Wait until the head has settled (PTZ-4): what the timeline uses to pre-position a camera
/// before cutting to it.
#[derive(Message)]
#[rtype(result = "Result<MoveOutcome, PtzError>")]
pub struct WaitSettled {
    pub target: Option<PtzVector>,
}

#[derive(Message)]
#[rtype(result = "()")]
pub struct UpdatePtzSpec(pub PtzSpec);

/// How a move ended.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct MoveOutcome {
    /// `absolute`, `relative` or `preset_token`; `null` for a plain settle wait.
    pub method: Option<&'static str>,
    /// The head reported settled (idle or still) within the settle timeout.
    pub settled: bool,
    pub timed_out: bool,
    /// Where it ended, when the camera reports positions.
    pub position: Option<PtzVector>,
    pub elapsed_ms: u64,
}
