//! Snapshots (CAM-4): where a picture of a camera comes from.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Where a snapshot is asked to come from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SnapshotSource {
    /// The stream's picture when the camera streams, else its HTTP snapshot URL if set.
    #[default]
    Auto,
    /// Decode the latest picture of the RTSP stream.
    Stream,
    /// The camera's own HTTP snapshot URL (Digest or Basic authentication).
    Http,
}

/// Where a picture came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema, sqlx::Type)]
#[serde(rename_all = "lowercase")]
#[sqlx(rename_all = "lowercase")]
pub enum PictureOrigin {
    /// Decoded from the camera's video.
    Stream,
    /// The camera's HTTP snapshot URL.
    Http,
}

impl PictureOrigin {
    pub fn as_str(self) -> &'static str {
        match self {
            PictureOrigin::Stream => "stream",
            PictureOrigin::Http => "http",
        }
    }
}

/// A stored snapshot: the JPEG lives in `<data-dir>/snapshots/`.
#[derive(Clone, Debug, sqlx::FromRow, Serialize, ToSchema)]
pub struct Snapshot {
    pub id: i64,
    pub camera_id: i64,
    #[serde(skip)]
    pub file_name: String,
    pub width: i64,
    pub height: i64,
    pub bytes: i64,
    /// `stream` (decoded from the camera's video) or `http` (the camera's snapshot URL).
    pub source: PictureOrigin,
    pub note: Option<String>,
    pub created_at: String,
}
