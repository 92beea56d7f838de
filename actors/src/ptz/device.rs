//! The small trait the PtzActor drives: what VistterStream needs from a PTZ camera, and
//! nothing about how it is spoken. The ONVIF implementation lives in `onvif/`; a camera
//! that needs another protocol, or another ONVIF crate, is a new implementation of these two
//! traits, not a change to the actor.

use std::sync::Arc;

use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};

use super::error::PtzError;
use super::spec::PtzSpec;

/// A point or a speed in ONVIF's generic normalized spaces: pan and tilt in -1..1, zoom in
/// 0..1 for positions (-1..1 for speeds and translations).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PtzVector {
    pub pan: f32,
    pub tilt: f32,
    pub zoom: f32,
}

impl PtzVector {
    pub const fn new(pan: f32, tilt: f32, zoom: f32) -> Self {
        Self { pan, tilt, zoom }
    }

    pub fn is_zero(&self) -> bool {
        self.pan == 0.0 && self.tilt == 0.0 && self.zoom == 0.0
    }

    /// Largest per-axis distance to `other`.
    pub fn distance(&self, other: &PtzVector) -> f32 {
        (self.pan - other.pan)
            .abs()
            .max((self.tilt - other.tilt).abs())
            .max((self.zoom - other.zoom).abs())
    }
}

/// An axis group's motion as the camera reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum MoveState {
    Idle,
    Moving,
    /// The camera did not say (no MoveStatus), or said UNKNOWN.
    Unknown,
}

/// One GetStatus.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct PtzReading {
    /// `None` when the camera does not report positions.
    pub position: Option<PtzVector>,
    pub pan_tilt: MoveState,
    pub zoom: MoveState,
}

impl PtzReading {
    pub fn idle(&self) -> bool {
        self.pan_tilt == MoveState::Idle && self.zoom == MoveState::Idle
    }

    pub fn moving(&self) -> bool {
        self.pan_tilt == MoveState::Moving || self.zoom == MoveState::Moving
    }
}

/// A preset as the camera lists it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DevicePreset {
    pub token: String,
    pub name: String,
    pub position: Option<PtzVector>,
}

/// What connecting found out about the device.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceDescription {
    pub device_url: String,
    pub media_url: String,
    pub ptz_url: String,
    pub profile_token: String,
    pub manufacturer: String,
    pub model: String,
    pub firmware: String,
    /// Camera clock minus ours, applied to WS-Security timestamps.
    pub clock_offset_s: i64,
}

/// One connected PTZ camera. Every call is bounded by the spec's call timeout.
pub trait PtzDevice: Send + Sync {
    fn describe(&self) -> &DeviceDescription;
    fn continuous_move(&self, velocity: PtzVector) -> BoxFuture<'_, Result<(), PtzError>>;
    fn stop(&self) -> BoxFuture<'_, Result<(), PtzError>>;
    fn absolute_move(&self, position: PtzVector) -> BoxFuture<'_, Result<(), PtzError>>;
    fn relative_move(&self, translation: PtzVector) -> BoxFuture<'_, Result<(), PtzError>>;
    fn status(&self) -> BoxFuture<'_, Result<PtzReading, PtzError>>;
    /// Save the current position; returns the camera's token for it.
    fn set_preset<'a>(
        &'a self,
        name: &'a str,
        token: Option<&'a str>,
    ) -> BoxFuture<'a, Result<String, PtzError>>;
    fn goto_preset<'a>(&'a self, token: &'a str) -> BoxFuture<'a, Result<(), PtzError>>;
    fn remove_preset<'a>(&'a self, token: &'a str) -> BoxFuture<'a, Result<(), PtzError>>;
    fn presets(&self) -> BoxFuture<'_, Result<Vec<DevicePreset>, PtzError>>;
}

/// Opens a [`PtzDevice`] for a spec (port fallback, clock offset, capabilities, profile).
pub trait PtzConnector: Send + Sync {
    fn connect(&self, spec: PtzSpec) -> BoxFuture<'static, Result<Arc<dyn PtzDevice>, PtzError>>;
}
