//! A PTZ camera for tests, in one piece: a simulated head, the simulated RTSP camera whose
//! picture is the head's window onto its scene, and the simulated ONVIF device that moves the
//! head, both behind the same credentials. Shared by the appliance's tests and the actors'.
//!
//! Positions are read from the head itself (never from what a client says it did); [`near`]
//! is how close a head must come to where it was sent.

use crate::onvif::{SimOnvif, SimOnvifConfig, SimOnvifError};
use crate::ptz::{Position, PtzHead};
use crate::{SimCamera, SimCameraConfig, SimError};

/// The user a rig's camera and device accept unless told otherwise.
pub const USER: &str = "operator";
/// The password a rig's camera and device accept unless told otherwise.
pub const PASSWORD: &str = "ptz-secret-8c1f";

/// What one rig looks like.
#[derive(Clone, Debug)]
pub struct PtzRigConfig {
    /// The RTSP mount path, starting with '/'.
    pub path: String,
    /// Put the head's Position into GetStatus replies (see [`crate::onvif`]).
    pub report_position: bool,
    pub user: String,
    pub password: String,
}

impl Default for PtzRigConfig {
    fn default() -> Self {
        Self {
            path: "/ptz".into(),
            report_position: true,
            user: USER.into(),
            password: PASSWORD.into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PtzRigError {
    #[error("the rig's camera: {0}")]
    Camera(#[from] SimError),
    #[error("the rig's ONVIF device: {0}")]
    Device(#[from] SimOnvifError),
}

/// A running rig. Dropping it stops the camera and the device.
pub struct PtzRig {
    pub head: PtzHead,
    pub camera: SimCamera,
    pub device: SimOnvif,
    pub config: PtzRigConfig,
}

impl PtzRig {
    pub fn start(config: PtzRigConfig) -> Result<Self, PtzRigError> {
        let head = PtzHead::new();
        let credentials = Some((config.user.clone(), config.password.clone()));
        let camera = SimCamera::start(SimCameraConfig {
            label: "PTZ".into(),
            path: config.path.clone(),
            credentials: credentials.clone(),
            ptz: Some(head.clone()),
            ..Default::default()
        })?;
        let device = SimOnvif::start(SimOnvifConfig {
            credentials,
            stream_uri: camera.url(),
            report_position: config.report_position,
            head: head.clone(),
            ..SimOnvifConfig::default()
        })?;
        Ok(Self {
            head,
            camera,
            device,
            config,
        })
    }
}

/// Is `a` within 0.01 of `b` on every axis?
pub fn near(a: Position, b: Position) -> bool {
    a.iter().zip(b).all(|(x, y)| (x - y).abs() <= 0.01)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_allows_a_hundredth_on_each_axis() {
        assert!(near([0.5, -0.4, 0.3], [0.505, -0.395, 0.3]));
        assert!(!near([0.5, -0.4, 0.3], [0.5, -0.4, 0.32]));
    }
}
