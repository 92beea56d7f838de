//! Messages an output actor takes, the errors it answers with, and the notices its own
//! tasks send it.

use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;

use super::plan::EncoderPlan;
use super::silence::SilentAac;
use super::spec::{OutputSpec, OverlayLayer, Raster};
use super::transition::Entry;

/// Put a camera on air. Lands on the next output frame when the camera is decoded already
/// (on air or standby); otherwise its decoder starts and the old picture stays until the
/// new one is ready (at most [`super::timing::PENDING_CUT_GRACE`]).
#[derive(Message)]
#[rtype(result = "Result<(), OutputError>")]
pub struct Cut {
    pub camera_id: i64,
}

/// What a timeline asks of the program it drives. Times are on the system clock the
/// program runs on (`gst::SystemClock`, monotonic), so a shot lands on the output frame whose
/// timestamp reaches it, however late the message arrives within its lead.
#[derive(Message, Debug, Clone)]
#[rtype(result = "Result<ProgramEpoch, OutputError>")]
pub enum ProgramCommand {
    /// Keep these cameras decoded (standby) for the timeline's next cues; replaces the
    /// previous list.
    Prepare(Vec<i64>),
    /// Put a camera on air at `at`, entering with `entry`.
    Shot {
        at: Duration,
        camera_id: i64,
        entry: Entry,
    },
    /// Show the timeline's overlay layers from `at` (replacing its previous ones).
    Overlays {
        at: Duration,
        layers: Vec<OverlayLayer>,
    },
    /// Forget every shot and overlay set not on air yet (pause, seek, pin).
    Clear,
    /// The timeline is done: its overlays go now, its standby cameras when unneeded; the
    /// camera on air stays.
    Release,
}

/// Which start of the program's pipeline answered: a timeline seeing another one re-sends
/// what should be on air (the output restarted and forgot its schedule).
pub type ProgramEpoch = u64;

/// The output's settings changed. Destinations, standby cameras, the camera on air and the
/// slate text change in place; mode, profile, encoder or recording need a new pipeline.
#[derive(Message)]
#[rtype(result = "()")]
pub struct UpdateOutput(pub OutputSpec);

/// Replace the overlay layers (shown from the next frame; no pipeline change).
#[derive(Message)]
#[rtype(result = "()")]
pub struct SetOverlays(pub Vec<OverlayLayer>);

/// A new picture for an asset (a URL image refreshed): every layer showing it swaps.
#[derive(Message, Clone)]
#[rtype(result = "()")]
pub struct UpdateAsset {
    pub asset_id: i64,
    pub raster: Arc<Raster>,
}

/// For the output supervisor: a refreshed asset picture for every output that shows it
/// (running or restarting).
#[derive(Message)]
#[rtype(result = "()")]
pub struct BroadcastAsset(pub UpdateAsset);

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("a relay output copies one camera; change its camera with an update instead")]
    RelayCannotCut,
    #[error("the output is not running")]
    NotRunning,
    #[error("{0}")]
    Pipeline(String),
}

// ---- from the output's own tasks ------------------------------------------------------------

/// What the blocking preparation (encoder smoke tests, the silent AAC frame) hands back.
pub(super) struct Preparation {
    pub encoder: Option<EncoderPlan>,
    pub silence: Option<SilentAac>,
}

/// The preparation is done (or failed): build the pipeline.
#[derive(Message)]
#[rtype(result = "()")]
pub(super) struct Prepared(pub Result<Preparation, String>);

/// Something on the program pipeline's bus that ends it.
#[derive(Message)]
#[rtype(result = "()")]
pub(super) struct PipelineFailed(pub String);

/// An element inside one camera's input failed (a decoder giving up on a broken stream).
#[derive(Message)]
#[rtype(result = "()")]
pub(super) struct InputFailed {
    pub camera_id: i64,
    pub reason: String,
}
