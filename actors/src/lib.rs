//! VistterStream's media runtime.
//!
//! One actix actor per camera, PTZ camera and output (and, next, timeline), each kind kept
//! running by the one generic [`supervision::Supervisor`]. This crate knows nothing about
//! HTTP or SQL: the shell turns stored rows into spec structs ([`camera::CameraSpec`],
//! [`ptz::PtzSpec`], [`output::OutputSpec`]) and reads back status, frames and events.
//!
//! Imports run one way: `state` and `backoff` at the bottom, then `events`, `supervision`
//! and `media`, then each kind (`camera`, `ptz`, `output`, `timeline`), then `runtime`.

pub mod backoff;
pub mod camera;
pub mod events;
pub mod media;
pub mod output;
pub mod preview;
pub mod ptz;
pub mod runtime;
pub mod state;
pub mod supervision;
pub mod timeline;

pub use events::{EventBus, RuntimeEvent};
pub use runtime::Runtime;
