//! PTZ requests and presets (PTZ-2, PTZ-3): validated in ONVIF's generic normalized spaces,
//! not degrees (pan and tilt -1..1, zoom 0..1 for positions; every axis -1..1 for speeds and
//! translations).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{FieldError, Validation, check_text};

/// Continuous move: speeds per axis.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveRequest {
    #[serde(default)]
    #[schema(minimum = -1, maximum = 1)]
    pub pan: f64,
    #[serde(default)]
    #[schema(minimum = -1, maximum = 1)]
    pub tilt: f64,
    #[serde(default)]
    #[schema(minimum = -1, maximum = 1)]
    pub zoom: f64,
    /// Stop by itself after this many milliseconds (1..=60000); absent = the configured
    /// watchdog (30 s by default).
    #[schema(minimum = 1, maximum = 60000)]
    pub timeout_ms: Option<u64>,
}

/// Absolute position (or, converted from a [`TranslationRequest`], a relative move).
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PositionRequest {
    #[schema(minimum = -1, maximum = 1)]
    pub pan: f64,
    #[schema(minimum = -1, maximum = 1)]
    pub tilt: f64,
    #[schema(minimum = 0, maximum = 1)]
    pub zoom: f64,
    /// Answer once the head has settled (bounded), with where it ended. Default true.
    pub wait: Option<bool>,
}

/// Relative move: a translation, every axis -1..1.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TranslationRequest {
    #[schema(minimum = -1, maximum = 1)]
    pub pan: f64,
    #[schema(minimum = -1, maximum = 1)]
    pub tilt: f64,
    #[schema(minimum = -1, maximum = 1)]
    pub zoom: f64,
    /// Answer once the head has settled (bounded), with where it ended. Default true.
    pub wait: Option<bool>,
}

impl From<TranslationRequest> for PositionRequest {
    fn from(t: TranslationRequest) -> Self {
        Self {
            pan: t.pan,
            tilt: t.tilt,
            zoom: t.zoom,
            wait: t.wait,
        }
    }
}

/// A position in ONVIF's generic space: pan and tilt -1..1, zoom 0..1.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Coordinates {
    #[schema(minimum = -1, maximum = 1)]
    pub pan: f64,
    #[schema(minimum = -1, maximum = 1)]
    pub tilt: f64,
    #[schema(minimum = 0, maximum = 1)]
    pub zoom: f64,
}

fn axis(v: &mut Validation, field: &str, value: f64, min: f64, max: f64) -> f32 {
    if !value.is_finite() || value < min || value > max {
        v.error(
            field,
            format!("must be between {min} and {max} (ONVIF normalized space)"),
        );
    }
    value as f32
}

pub fn validate_move(
    r: &MoveRequest,
) -> Result<([f32; 3], Option<std::time::Duration>), Vec<FieldError>> {
    let mut v = Validation::default();
    let speeds = [
        axis(&mut v, "pan", r.pan, -1.0, 1.0),
        axis(&mut v, "tilt", r.tilt, -1.0, 1.0),
        axis(&mut v, "zoom", r.zoom, -1.0, 1.0),
    ];
    if let Some(t) = r.timeout_ms
        && !(1..=60_000).contains(&t)
    {
        v.error("timeout_ms", "must be between 1 and 60000");
    }
    v.finish((speeds, r.timeout_ms.map(std::time::Duration::from_millis)))
}

/// A position: pan/tilt -1..1, zoom 0..1.
pub fn validate_position(prefix: &str, c: &Coordinates) -> Result<[f32; 3], Vec<FieldError>> {
    let mut v = Validation::default();
    let p = [
        axis(&mut v, &format!("{prefix}pan"), c.pan, -1.0, 1.0),
        axis(&mut v, &format!("{prefix}tilt"), c.tilt, -1.0, 1.0),
        axis(&mut v, &format!("{prefix}zoom"), c.zoom, 0.0, 1.0),
    ];
    v.finish(p)
}

/// A translation: every axis -1..1.
pub fn validate_translation(c: &Coordinates) -> Result<[f32; 3], Vec<FieldError>> {
    let mut v = Validation::default();
    let p = [
        axis(&mut v, "pan", c.pan, -1.0, 1.0),
        axis(&mut v, "tilt", c.tilt, -1.0, 1.0),
        axis(&mut v, "zoom", c.zoom, -1.0, 1.0),
    ];
    v.finish(p)
}

/// 1–50 characters, like the existing system.
pub fn validate_name(v: &mut Validation, field: &str, name: &str) -> String {
    check_text(v, field, name, 1, 50)
}

/// One preset in an export file (and an import request).
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PresetExportItem {
    /// 1–50 characters.
    #[schema(min_length = 1, max_length = 50)]
    pub name: String,
    /// Absent when the camera does not report positions.
    pub position: Option<Coordinates>,
    /// The camera's own preset token (valid on that camera only).
    #[schema(min_length = 1, max_length = 64, pattern = r"^[^\x00-\x1f\x7f-\x9f]*$")]
    pub camera_token: Option<String>,
}

/// Token: what ONVIF allows (at most 64 characters), no control characters.
pub fn validate_token(v: &mut Validation, field: &str, token: &str) {
    if token.is_empty() || token.chars().count() > 64 || token.chars().any(char::is_control) {
        v.error(
            field,
            "must be 1 to 64 characters without control characters",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speeds_outside_the_unit_range_are_refused_by_name() {
        let err = validate_move(&MoveRequest {
            pan: 1.5,
            tilt: f64::NAN,
            zoom: 0.0,
            timeout_ms: Some(0),
        })
        .err()
        .unwrap_or_default();
        let fields: Vec<_> = err.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["pan", "tilt", "timeout_ms"]);
    }

    #[test]
    fn positions_use_normalized_spaces_not_degrees() {
        let ok = validate_position(
            "",
            &Coordinates {
                pan: -1.0,
                tilt: 1.0,
                zoom: 0.0,
            },
        );
        assert!(ok.is_ok());
        let err = validate_position(
            "position.",
            &Coordinates {
                pan: 90.0,
                tilt: 0.0,
                zoom: -0.1,
            },
        )
        .err()
        .unwrap_or_default();
        let fields: Vec<_> = err.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["position.pan", "position.zoom"]);
    }
}
