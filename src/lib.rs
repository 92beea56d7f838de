//! The VistterStream appliance shell: CLI, configuration, persistence, HTTP API, auth, and
//! the wiring of the media runtime (`vistterstream-actors`).

pub mod auth;
pub mod cli;
pub mod config;
pub mod discovery;
pub mod domain;
pub mod http;
pub mod logging;
pub mod metrics;
pub mod pictures;
pub mod recordings;
pub mod secrets;
pub mod serve;
pub mod service;
pub mod store;
