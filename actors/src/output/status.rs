//! Output and destination status, shared between the actor, its tasks and the API.

use std::sync::Mutex;

use serde::Serialize;

use crate::events::{EventBus, RuntimeEvent};
use crate::state::{DestinationState, OutputState, Showing};

#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DestinationStatus {
    pub destination_id: i64,
    pub name: String,
    pub state: DestinationState,
    /// Seconds live in the current connection.
    pub uptime_s: Option<u64>,
    pub bytes_total: u64,
    pub bitrate_bps: u64,
    pub reconnects: u64,
    pub dropped_frames: u64,
    /// Last connection error, with the stream key masked.
    pub last_error: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OutputStatus {
    pub state: OutputState,
    pub reason: Option<String>,
    /// The camera asked for (on air).
    pub camera_id: Option<i64>,
    pub showing: Showing,
    pub encoder: Option<String>,
    pub uptime_s: Option<u64>,
    pub fps: f64,
    pub bitrate_bps: u64,
    pub frames_total: u64,
    pub dropped_frames: u64,
    pub restarts: u64,
    pub destinations: Vec<DestinationStatus>,
}

impl OutputStatus {
    pub fn stopped() -> Self {
        Self {
            state: OutputState::Stopped,
            reason: None,
            camera_id: None,
            showing: Showing::Nothing,
            encoder: None,
            uptime_s: None,
            fps: 0.0,
            bitrate_bps: 0,
            frames_total: 0,
            dropped_frames: 0,
            restarts: 0,
            destinations: vec![],
        }
    }
}

/// The live status cell of one output; every change that matters to a watcher is also
/// published on the event bus.
pub struct StatusCell {
    output_id: i64,
    status: Mutex<OutputStatus>,
    events: EventBus,
}

impl StatusCell {
    pub fn new(output_id: i64, events: EventBus) -> Self {
        Self {
            output_id,
            status: Mutex::new(OutputStatus::stopped()),
            events,
        }
    }

    pub fn get(&self) -> OutputStatus {
        self.status
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Apply `f`; publish an `output.state` event when state, reason, camera or what is on
    /// screen changed.
    pub fn update(&self, f: impl FnOnce(&mut OutputStatus)) {
        let (before, after) = {
            let mut s = self.status.lock().unwrap_or_else(|p| p.into_inner());
            let before = (s.state, s.reason.clone(), s.camera_id, s.showing);
            f(&mut s);
            (before, (s.state, s.reason.clone(), s.camera_id, s.showing))
        };
        if before != after {
            metrics::gauge!("vistter_output_up", "output" => self.output_id.to_string()).set(
                if after.0 == OutputState::Live {
                    1.0
                } else {
                    0.0
                },
            );
            self.events.publish(RuntimeEvent::OutputState {
                output_id: self.output_id,
                state: after.0,
                reason: after.1,
                camera_id: after.2,
                showing: after.3,
                at: chrono::Utc::now(),
            });
        }
    }

    /// Apply `f` to one destination's status (inserting it if new and `create`); publish a
    /// `destination.state` event when its state or error changed. Without `create`, a
    /// destination removed meanwhile (taken off the output) stays removed.
    pub fn update_destination(
        &self,
        destination_id: i64,
        name: &str,
        create: bool,
        f: impl FnOnce(&mut DestinationStatus),
    ) {
        let change = {
            let mut s = self.status.lock().unwrap_or_else(|p| p.into_inner());
            let idx = match s
                .destinations
                .iter()
                .position(|d| d.destination_id == destination_id)
            {
                Some(i) => i,
                None if !create => return,
                None => {
                    s.destinations.push(DestinationStatus {
                        destination_id,
                        name: name.to_string(),
                        state: DestinationState::Connecting,
                        uptime_s: None,
                        bytes_total: 0,
                        bitrate_bps: 0,
                        reconnects: 0,
                        dropped_frames: 0,
                        last_error: None,
                    });
                    s.destinations.len() - 1
                }
            };
            let d = &mut s.destinations[idx];
            let before = (d.state, d.last_error.clone());
            f(d);
            let after = (d.state, d.last_error.clone());
            (before != after).then_some(after)
        };
        if let Some((state, reason)) = change {
            let labels = [
                ("output", self.output_id.to_string()),
                ("destination", destination_id.to_string()),
            ];
            metrics::gauge!("vistter_destination_up", &labels).set(
                if state == DestinationState::Live {
                    1.0
                } else {
                    0.0
                },
            );
            self.events.publish(RuntimeEvent::DestinationState {
                output_id: self.output_id,
                destination_id,
                state,
                reason,
                at: chrono::Utc::now(),
            });
        }
    }

    pub fn remove_destination(&self, destination_id: i64) {
        self.status
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .destinations
            .retain(|d| d.destination_id != destination_id);
        metrics::gauge!("vistter_destination_up", "output" => self.output_id.to_string(), "destination" => destination_id.to_string()).set(0.0);
    }
}
