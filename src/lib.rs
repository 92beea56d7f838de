//! The VistterStream appliance shell: CLI, configuration, persistence, HTTP API, auth, and
//! the wiring of the media runtime (`vistterstream-actors`).

pub mod app;
pub mod assets;
pub mod assets_refresh;
pub mod auth;
pub mod cli;
pub mod config;
pub mod discovery;
pub mod domain;
pub mod http;
pub mod logging;
pub mod metrics;
pub mod recordings;
pub mod secrets;
pub mod serve;
pub mod store;
