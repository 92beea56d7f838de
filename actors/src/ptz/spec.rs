//! What the shell tells the runtime about a PTZ camera.

use std::fmt;
use std::time::Duration;

/// Ports tried in order when the camera record has no ONVIF port: Sunba and many OEM
/// cameras use 8899, Reolink 8000, most others 80.
pub const FALLBACK_ONVIF_PORTS: [u16; 3] = [8899, 8000, 80];

/// Per-camera workarounds, so a quirky camera is handled by a flag instead of a fork.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PtzQuirks {
    /// The camera rejects `Stop`: stop with a zero-velocity `ContinuousMove` instead.
    pub stop_by_zero_velocity: bool,
    /// The camera's reported position is unusable (absent, frozen or in another space):
    /// recall presets by token only, and never trust GetStatus's Position.
    pub ignore_position: bool,
}

/// Everything a PtzActor needs. `Debug` redacts the password.
#[derive(Clone, PartialEq)]
pub struct PtzSpec {
    pub camera_id: i64,
    pub host: String,
    /// The camera record's ONVIF port, tried first; then [`FALLBACK_ONVIF_PORTS`].
    pub onvif_port: Option<u16>,
    pub username: Option<String>,
    pub password: Option<String>,
    /// Media profile token; `None` = the first profile with a PTZ configuration.
    pub profile_token: Option<String>,
    pub quirks: PtzQuirks,
    pub timing: PtzTiming,
}

/// Timeouts and intervals (configuration, with the defaults the issue fixes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PtzTiming {
    /// Every SOAP call is abandoned after this (5 s).
    pub call_timeout: Duration,
    /// How often a connected camera is checked (GetStatus).
    pub health_interval: Duration,
    /// GetStatus polling while waiting for a move to settle.
    pub settle_poll: Duration,
    /// Upper bound of a settle wait.
    pub settle_timeout: Duration,
    /// A continuous move without its own timeout is stopped after this, so a lost browser
    /// tab or a camera that ignores Stop timing cannot leave the head spinning.
    pub move_watchdog: Duration,
}

impl Default for PtzTiming {
    fn default() -> Self {
        Self {
            call_timeout: Duration::from_secs(5),
            health_interval: Duration::from_secs(10),
            settle_poll: Duration::from_millis(200),
            settle_timeout: Duration::from_secs(10),
            move_watchdog: Duration::from_secs(30),
        }
    }
}

impl PtzSpec {
    /// The ONVIF ports to try, in order: the camera record's, then the usual ones.
    pub fn ports(&self) -> Vec<u16> {
        let mut ports: Vec<u16> = self.onvif_port.into_iter().collect();
        for p in FALLBACK_ONVIF_PORTS {
            if !ports.contains(&p) {
                ports.push(p);
            }
        }
        ports
    }

    /// Whether a change needs a new ONVIF session.
    pub fn needs_reconnect(&self, other: &PtzSpec) -> bool {
        self.host != other.host
            || self.onvif_port != other.onvif_port
            || self.username != other.username
            || self.password != other.password
            || self.profile_token != other.profile_token
    }
}

impl fmt::Debug for PtzSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PtzSpec")
            .field("camera_id", &self.camera_id)
            .field("host", &self.host)
            .field("onvif_port", &self.onvif_port)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("profile_token", &self.profile_token)
            .field("quirks", &self.quirks)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> PtzSpec {
        PtzSpec {
            camera_id: 1,
            host: "10.0.0.9".into(),
            onvif_port: None,
            username: Some("admin".into()),
            password: Some("hunter2".into()),
            profile_token: None,
            quirks: PtzQuirks::default(),
            timing: PtzTiming::default(),
        }
    }

    #[test]
    fn ports_fall_back_in_the_documented_order() {
        assert_eq!(spec().ports(), vec![8899, 8000, 80]);
        let s = PtzSpec {
            onvif_port: Some(2020),
            ..spec()
        };
        assert_eq!(s.ports(), vec![2020, 8899, 8000, 80]);
        let s = PtzSpec {
            onvif_port: Some(80),
            ..spec()
        };
        assert_eq!(s.ports(), vec![80, 8899, 8000]);
    }

    #[test]
    fn debug_never_shows_the_password() {
        assert!(!format!("{:?}", spec()).contains("hunter2"));
    }
}
