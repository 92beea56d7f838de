//! A running timeline's live position, shared with the shell, and published as
//! `timeline.position` events when its cue, state or pin changes, and once a second.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::events::{EventBus, RuntimeEvent};
use crate::state::TimelinePosition;

/// Position events between changes, so a playhead far away stays in step.
const HEARTBEAT: Duration = Duration::from_secs(1);

pub struct TimelineCell {
    position: Mutex<Option<(TimelinePosition, Instant)>>,
    events: EventBus,
}

impl TimelineCell {
    pub fn new(events: EventBus) -> Self {
        Self {
            position: Mutex::new(None),
            events,
        }
    }

    /// The timeline left its output: its gauges say so.
    pub fn clear_metrics(&self) {
        if let Some(p) = self.get() {
            metrics::gauge!("vistter_timeline_running", "output" => p.output_id.to_string())
                .set(0.0);
        }
    }

    /// The last position (none before the actor first ran).
    pub fn get(&self) -> Option<TimelinePosition> {
        self.lock().as_ref().map(|(p, _)| p.clone())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<(TimelinePosition, Instant)>> {
        self.position.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Store `position`; publish it when something other than the running time changed,
    /// or the last event is a second old.
    pub fn set(&self, position: TimelinePosition) {
        let output = position.output_id.to_string();
        let on_air = position.state != crate::state::TimelineState::Ended;
        metrics::gauge!("vistter_timeline_running", "output" => output.clone()).set(if on_air {
            1.0
        } else {
            0.0
        });
        metrics::gauge!("vistter_timeline_position_seconds", "output" => output.clone())
            .set(position.position_s);
        metrics::gauge!("vistter_timeline_loops", "output" => output.clone())
            .set(position.loops as f64);
        metrics::gauge!("vistter_timeline_errors", "output" => output)
            .set(position.errors.len() as f64);
        let publish = {
            let mut cell = self.lock();
            let now = Instant::now();
            let due = match cell.as_ref() {
                None => true,
                Some((old, sent)) => {
                    old.state != position.state
                        || old.cue != position.cue
                        || old.loops != position.loops
                        || old.camera_id != position.camera_id
                        || old.pinned_camera_id != position.pinned_camera_id
                        || old.errors != position.errors
                        || now.duration_since(*sent) >= HEARTBEAT
                }
            };
            let sent = match cell.as_ref() {
                Some((_, sent)) if !due => *sent,
                _ => now,
            };
            *cell = Some((position.clone(), sent));
            due
        };
        if publish {
            self.events.publish(RuntimeEvent::TimelinePosition {
                position,
                at: chrono::Utc::now(),
            });
        }
    }
}
