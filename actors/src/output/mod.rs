//! Outputs (OUT-2..OUT-9): one [`OutputActor`] per running output (an always-on program, or
//! a relay of one camera) publishing to its destinations, kept running by the
//! [`OutputSupervisor`]. Pipeline plans are pure ([`plan`]); the actor wires them.

mod actor;
mod blend;
mod clock;
mod elements;
pub mod encoder;
mod fanout;
mod handlers;
mod input;
mod messages;
pub mod overlay;
mod pipeline;
pub mod plan;
mod preview_tap;
mod program;
mod publish;
mod record;
mod relay;
mod shared;
pub mod silence;
mod slate_picture;
pub mod spec;
mod stats;
mod status;
mod supervisor;
mod switch;
#[cfg(test)]
mod switch_tests;
pub mod timing;
mod transition;

pub use actor::OutputActor;
pub use messages::{
    BroadcastAsset, Cut, OutputError, ProgramCommand, ProgramEpoch, SetOverlays, UpdateAsset,
    UpdateOutput,
};
pub use shared::OutputShared;
pub use spec::{
    AssetUse, DestinationTarget, EncoderChoice, LayerSource, OutputMode, OutputProfile, OutputSpec,
    OverlayLayer, OverlayPlacement, Raster, RecordingSpec, SlateSpec, redact_secret,
};
pub use status::{DestinationStatus, OutputStatus, StatusCell};
pub use supervisor::{OutputEnv, OutputRegistry, OutputSupervisor};
pub use transition::Entry as ShotEntry;
