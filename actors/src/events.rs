//! The runtime's event bus: state changes that the shell turns into server-sent events.

use serde::Serialize;
use tokio::sync::broadcast;

use crate::state::{
    CameraState, DestinationState, OutputState, PtzState, Showing, TimelinePosition,
};

/// Something that happened in the media runtime.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum RuntimeEvent {
    /// A camera changed state (or the reason for its state changed).
    CameraState {
        camera_id: i64,
        state: CameraState,
        reason: Option<String>,
        at: chrono::DateTime<chrono::Utc>,
    },
    /// An output changed state, camera on air or what is on screen.
    OutputState {
        output_id: i64,
        state: OutputState,
        reason: Option<String>,
        camera_id: Option<i64>,
        showing: Showing,
        at: chrono::DateTime<chrono::Utc>,
    },
    /// One destination of an output changed connection state.
    DestinationState {
        output_id: i64,
        destination_id: i64,
        state: DestinationState,
        reason: Option<String>,
        at: chrono::DateTime<chrono::Utc>,
    },
    /// A PTZ camera's ONVIF connection changed state.
    PtzState {
        camera_id: i64,
        state: PtzState,
        reason: Option<String>,
        at: chrono::DateTime<chrono::Utc>,
    },
    /// A running timeline changed cue, state or pin, or a second passed.
    TimelinePosition {
        #[serde(flatten)]
        position: TimelinePosition,
        at: chrono::DateTime<chrono::Utc>,
    },
}

impl RuntimeEvent {
    /// The SSE `event:` name.
    pub fn name(&self) -> &'static str {
        match self {
            RuntimeEvent::CameraState { .. } => "camera.state",
            RuntimeEvent::OutputState { .. } => "output.state",
            RuntimeEvent::DestinationState { .. } => "destination.state",
            RuntimeEvent::PtzState { .. } => "ptz.state",
            RuntimeEvent::TimelinePosition { .. } => "timeline.position",
        }
    }
}

/// A cheap-to-clone handle on the event bus. Sending never blocks; a subscriber that
/// falls behind loses the oldest events (and is told how many).
#[derive(Clone, Debug)]
pub struct EventBus {
    tx: broadcast::Sender<RuntimeEvent>,
}

impl EventBus {
    pub fn new(capacity: usize) -> Self {
        let (tx, _) = broadcast::channel(capacity.max(1));
        Self { tx }
    }

    pub fn publish(&self, event: RuntimeEvent) {
        // No subscriber is not an error: nobody is watching.
        let _ = self.tx.send(event);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<RuntimeEvent> {
        self.tx.subscribe()
    }
}

impl Default for EventBus {
    fn default() -> Self {
        Self::new(1024)
    }
}
