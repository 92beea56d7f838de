//! What kind of camera it is, and the PTZ workarounds a camera may need.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema, sqlx::Type,
)]
#[serde(rename_all = "lowercase")]
#[sqlx(rename_all = "lowercase")]
pub enum CameraKind {
    #[default]
    Fixed,
    Ptz,
}

impl CameraKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CameraKind::Fixed => "fixed",
            CameraKind::Ptz => "ptz",
        }
    }
}

/// A PTZ workaround for a camera that does not follow ONVIF to the letter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PtzQuirk {
    /// The camera rejects Stop: stop with a zero-velocity ContinuousMove.
    StopByZeroVelocity,
    /// The camera's reported position is unusable: recall presets by token only.
    IgnorePosition,
}
