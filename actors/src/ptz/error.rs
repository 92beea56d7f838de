//! What can go wrong talking to a PTZ camera, in words an operator can act on.
//!
//! Every error names the ONVIF operation and the service URL (ONVIF URLs carry no
//! credentials; passwords travel in the WS-Security header only).

use std::time::Duration;

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum PtzError {
    #[error("ONVIF device at {url} is unreachable ({operation}): {detail}")]
    Unreachable {
        operation: &'static str,
        url: String,
        detail: String,
    },
    #[error("ONVIF {operation} at {url} did not answer within {} ms", after.as_millis())]
    Timeout {
        operation: &'static str,
        url: String,
        after: Duration,
    },
    #[error("ONVIF device at {url} refused the credentials ({operation}): {detail}")]
    Auth {
        operation: &'static str,
        url: String,
        detail: String,
    },
    #[error("ONVIF {operation} failed on the camera: {reason} [{code}]")]
    Fault {
        operation: &'static str,
        code: String,
        reason: String,
    },
    #[error("the camera sent a malformed {operation} reply: {detail}")]
    Malformed {
        operation: &'static str,
        detail: String,
    },
    #[error("{0}")]
    NotPtz(String),
    #[error("PTZ camera {camera} is not connected: {reason}")]
    Down { camera: i64, reason: String },
}

impl PtzError {
    /// Network-level failures: the connection is presumed lost and is re-established.
    pub fn is_connection_lost(&self) -> bool {
        matches!(
            self,
            PtzError::Unreachable { .. } | PtzError::Timeout { .. }
        )
    }

    /// A stable machine-readable kind for the API.
    pub fn code(&self) -> &'static str {
        match self {
            PtzError::Unreachable { .. } => "ptz_unreachable",
            PtzError::Timeout { .. } => "ptz_timeout",
            PtzError::Auth { .. } => "ptz_auth",
            PtzError::Fault { .. } => "ptz_fault",
            PtzError::Malformed { .. } => "ptz_malformed_reply",
            PtzError::NotPtz(_) => "ptz_unsupported",
            PtzError::Down { .. } => "ptz_down",
        }
    }
}
