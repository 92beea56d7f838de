//! The HTTP surface: JSON REST under `/api/v1` (one module per resource: extract the
//! request, check the role, call one use case, map the result), health, metrics, the
//! OpenAPI document and its browsable docs.

pub mod assets;
pub mod audit;
pub mod auth;
pub mod cameras;
pub mod destinations;
pub mod discovery;
pub mod error;
pub mod events;
pub mod fallback;
pub mod guard;
pub mod health;
pub mod json;
pub mod live;
pub mod metrics;
pub mod openapi;
pub mod outputs;
pub mod overlays;
pub mod presets;
pub mod ptz;
pub mod recordings;
pub mod routes;
mod schedules;
pub mod serde_messages;
mod snapshots;
mod timeline_runs;
mod timeline_transfer;
mod timelines;
pub mod tokens;
pub mod ui;
pub mod users;

pub use openapi::ApiDoc;
pub use routes::configure;
