//! The use cases: what the appliance does, whoever asks (the HTTP API today; the Studio link
//! and timelines next). Each operation checks its input, changes the store, hands the new
//! desired state to the media runtime and records it in the audit log; cascades (a camera
//! deleted from the outputs that show it) happen here. It imports the store, the domain
//! rules, auth and the runtime, never the HTTP layer.
//!
//! Files, bottom up: `context` and `error`; `audit`, `lookup`, `files`, `live_picture`;
//! the runtime bridges `camera_runtime` and `output_runtime`; then one file per use case;
//! `asset_refresh` and `retention` are the background jobs.

mod asset_refresh;
pub mod assets;
pub mod audit;
mod camera_runtime;
pub mod camera_tests;
pub mod cameras;
mod context;
pub mod destinations;
pub mod discovery;
pub mod emergency;
mod error;
pub mod events;
mod files;
pub mod health;
mod live_picture;
mod lookup;
mod output_runtime;
pub mod outputs;
pub mod overlays;
pub mod preset_transfer;
pub mod presets;
pub mod preview;
pub mod ptz;
pub mod recordings;
mod retention;
mod schedule_clock;
mod schedule_runner;
pub mod schedules;
pub mod sessions;
pub mod snapshots;
pub mod startup;
pub mod timeline_runs;
mod timeline_runtime;
pub mod timeline_transfer;
mod timeline_watch;
pub mod timelines;
pub mod tokens;
pub mod users;

pub use context::Context;
pub use error::{Result, ServiceError};
