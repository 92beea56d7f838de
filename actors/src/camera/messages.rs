//! Messages a camera actor takes from outside (beyond the supervisor's [`Halt`]).
//!
//! [`Halt`]: crate::supervision::Halt

use actix::prelude::*;

use super::spec::CameraSpec;

/// Replace the camera's spec. Reconnects at once when the connection details changed.
#[derive(Message)]
#[rtype(result = "()")]
pub struct UpdateCameraSpec(pub CameraSpec);
