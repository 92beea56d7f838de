//! A PTZ camera's connection state, shared between its actor and the API (no mailbox round
//! trip to read it), published as events and as `vistter_ptz_up{camera}`.

use std::sync::RwLock;

use serde::Serialize;

use super::device::{DeviceDescription, PtzReading};
use crate::events::{EventBus, RuntimeEvent};
use crate::state::PtzState;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PtzStatus {
    pub state: PtzState,
    /// Why it is down, or the last command's error while up.
    pub reason: Option<String>,
    pub device: Option<DeviceDescription>,
    /// Whether GetStatus carries a position (decides how presets are recalled).
    pub reports_position: Option<bool>,
    pub last_reading: Option<PtzReading>,
    /// Connection attempts that failed or connections that were lost.
    pub reconnects: u64,
    pub since: chrono::DateTime<chrono::Utc>,
}

pub struct PtzCell {
    camera_id: i64,
    status: RwLock<PtzStatus>,
    events: EventBus,
    up: metrics::Gauge,
}

impl PtzCell {
    pub fn new(camera_id: i64, events: EventBus) -> Self {
        let up = metrics::gauge!("vistter_ptz_up", "camera" => camera_id.to_string());
        up.set(0.0);
        Self {
            camera_id,
            status: RwLock::new(PtzStatus {
                state: PtzState::Connecting,
                reason: None,
                device: None,
                reports_position: None,
                last_reading: None,
                reconnects: 0,
                since: chrono::Utc::now(),
            }),
            events,
            up,
        }
    }

    pub fn camera_id(&self) -> i64 {
        self.camera_id
    }

    pub fn get(&self) -> PtzStatus {
        self.status
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Why it is down (or the last command's error), without copying the whole status.
    pub fn reason(&self) -> Option<String> {
        self.status
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .reason
            .clone()
    }

    pub fn reports_position(&self) -> Option<bool> {
        self.status
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .reports_position
    }

    pub fn update(&self, f: impl FnOnce(&mut PtzStatus)) {
        let mut s = self.status.write().unwrap_or_else(|p| p.into_inner());
        f(&mut s);
    }

    /// Change state (and reason); publishes an event when either changed.
    pub fn set_state(&self, state: PtzState, reason: Option<String>) {
        let changed = {
            let mut s = self.status.write().unwrap_or_else(|p| p.into_inner());
            let changed = s.state != state || s.reason != reason;
            if s.state != state {
                s.since = chrono::Utc::now();
            }
            s.state = state;
            s.reason = reason.clone();
            changed
        };
        self.up.set(if state == PtzState::Up { 1.0 } else { 0.0 });
        if changed {
            self.events.publish(RuntimeEvent::PtzState {
                camera_id: self.camera_id,
                state,
                reason,
                at: chrono::Utc::now(),
            });
        }
    }

    /// The gauge of a camera that is no longer a PTZ camera.
    pub fn retire(&self) {
        self.up.set(0.0);
    }
}
