//! Our own timeline document (TL-6): what `GET /timelines/{id}/export` writes and
//! `POST /timelines/import` reads back, versioned by `schema_version`. It carries the names
//! of what the timeline refers to, so another appliance can map them by name.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::input::TimelineInput;

/// The version this appliance writes and reads.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
pub struct TimelineDocument {
    /// 1 for this format; an import refuses a newer one.
    pub schema_version: u32,
    pub timeline: TimelineInput,
    /// What the timeline's ids name on the appliance that wrote it.
    #[serde(default)]
    pub references: DocumentReferences,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
pub struct DocumentReferences {
    #[serde(default)]
    pub cameras: Vec<NamedId>,
    #[serde(default)]
    pub presets: Vec<NamedPreset>,
    #[serde(default)]
    pub assets: Vec<NamedId>,
}

#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
pub struct NamedId {
    pub id: i64,
    pub name: String,
}

#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
pub struct NamedPreset {
    pub id: i64,
    pub name: String,
    pub camera_id: i64,
}
