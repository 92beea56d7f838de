//! The existing (Python) VistterStream's timeline JSON, exactly as its API accepts it
//! (seed-system.md §5.1), and its conversion into ours (TL-6), pure. Unknown fields are
//! ignored. Its semantics are kept where ours can express them and said where not:
//! - only its first video track chooses the camera, and where its cues overlap the first in
//!   `cue_order` wins: we import that track with the overlaps trimmed away;
//! - overlay `width`/`height` are pixels of the timeline's declared `resolution`: we store
//!   fractions of the picture;
//! - `fade` becomes a rendered fade of `transition_duration` (it was stored, never
//!   rendered); `wipe` becomes a cut;
//! - audio tracks, disabled tracks and cues other than `show_camera`/`overlay` were never
//!   executed and are left out.

use serde::Deserialize;

use super::id_map::{IdMap, Referenced};
use super::input::{
    BroadcastInput, MAX_TRANSITION_MS, OverlayCueInput, Privacy, TimelineInput, TrackInput,
    TransitionInput, TransitionKind, VideoCueInput,
};
use crate::domain::FieldError;

#[derive(Clone, Debug, Deserialize)]
pub struct SeedTimeline {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    pub duration: f64,
    #[serde(default = "default_resolution")]
    pub resolution: String,
    #[serde(default = "yes", rename = "loop")]
    pub looping: bool,
    #[serde(default)]
    pub broadcast_title: Option<String>,
    #[serde(default)]
    pub broadcast_description: Option<String>,
    #[serde(default)]
    pub broadcast_tags: Option<String>,
    #[serde(default)]
    pub broadcast_privacy: Option<String>,
    #[serde(default)]
    pub broadcast_category_id: Option<String>,
    #[serde(default)]
    pub broadcast_thumbnail_enabled: Option<bool>,
    #[serde(default)]
    pub tracks: Vec<SeedTrack>,
}

fn default_resolution() -> String {
    "1920x1080".into()
}

fn yes() -> bool {
    true
}

#[derive(Clone, Debug, Deserialize)]
pub struct SeedTrack {
    pub track_type: String,
    #[serde(default = "yes")]
    pub is_enabled: bool,
    #[serde(default)]
    pub cues: Vec<SeedCue>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct SeedCue {
    #[serde(default)]
    pub cue_order: i64,
    pub start_time: f64,
    pub duration: f64,
    pub action_type: String,
    #[serde(default)]
    pub action_params: SeedParams,
    #[serde(default)]
    pub transition_type: Option<String>,
    #[serde(default)]
    pub transition_duration: Option<f64>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct SeedParams {
    pub camera_id: Option<i64>,
    pub preset_id: Option<i64>,
    pub asset_id: Option<i64>,
    pub position_x: Option<f64>,
    pub position_y: Option<f64>,
    pub width: Option<f64>,
    pub height: Option<f64>,
    pub opacity: Option<f64>,
}

impl SeedTimeline {
    /// The ids the document refers to.
    pub fn references(&self) -> Referenced {
        let mut r = Referenced::default();
        for cue in self.tracks.iter().flat_map(|t| &t.cues) {
            let p = &cue.action_params;
            r.cameras.extend(p.camera_id);
            r.presets.extend(p.preset_id);
            r.assets.extend(p.asset_id);
        }
        r.dedup();
        r
    }
}

/// "1920x1080" → (1920, 1080).
fn resolution(text: &str) -> Option<(f64, f64)> {
    let (w, h) = text.trim().split_once(['x', 'X'])?;
    let (w, h): (f64, f64) = (w.trim().parse().ok()?, h.trim().parse().ok()?);
    (w > 0.0 && h > 0.0).then_some((w, h))
}

/// Our timeline from the other system's, and notes on what was changed or left out.
pub fn from_seed(
    doc: &SeedTimeline,
    ids: &IdMap,
) -> Result<(TimelineInput, Vec<String>), Vec<FieldError>> {
    let mut notes = Vec::new();
    let Some((res_w, res_h)) = resolution(&doc.resolution) else {
        return Err(vec![FieldError::new(
            "resolution",
            format!("\"{}\" is not WIDTHxHEIGHT", doc.resolution),
        )]);
    };
    let mut errors = Vec::new();
    let mut tracks = Vec::new();
    let mut video_seen = false;
    for (t, track) in doc.tracks.iter().enumerate() {
        if !track.is_enabled {
            notes.push(format!("tracks[{t}]: disabled; left out"));
            continue;
        }
        match track.track_type.as_str() {
            "video" if video_seen => notes.push(format!(
                "tracks[{t}]: only the first video track chose the camera; left out"
            )),
            "video" => {
                video_seen = true;
                tracks.push(TrackInput::Video {
                    cues: video_cues(t, &track.cues, ids, &mut notes),
                });
            }
            "overlay" => tracks.push(TrackInput::Overlay {
                cues: overlay_cues(t, &track.cues, ids, (res_w, res_h), &mut notes, &mut errors),
            }),
            other => notes.push(format!(
                "tracks[{t}]: a{} {other} track only added cue boundaries; left out",
                if other.starts_with(['a', 'e', 'i', 'o', 'u']) {
                    "n"
                } else {
                    ""
                }
            )),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok((
        TimelineInput {
            name: doc.name.clone(),
            description: doc.description.clone().filter(|d| !d.trim().is_empty()),
            duration_s: doc.duration,
            looping: doc.looping,
            tracks,
            broadcast: broadcast(doc),
        },
        notes,
    ))
}

fn transition(cue: &SeedCue, path: &str, notes: &mut Vec<String>) -> Option<TransitionInput> {
    match cue.transition_type.as_deref().unwrap_or("cut") {
        "fade" => {
            let ms = (cue.transition_duration.unwrap_or(0.0) * 1000.0).round();
            let ms = ms.clamp(1.0, f64::from(MAX_TRANSITION_MS)) as u32;
            Some(TransitionInput {
                kind: TransitionKind::Fade,
                duration_ms: Some(ms),
            })
        }
        "cut" => None,
        other => {
            notes.push(format!("{path}: a {other} transition is imported as a cut"));
            None
        }
    }
}

/// The first video track's camera cues, overlaps resolved as the other system did: the
/// first in `cue_order` wins, later ones keep only what no earlier one covers.
fn video_cues(
    t: usize,
    cues: &[SeedCue],
    ids: &IdMap,
    notes: &mut Vec<String>,
) -> Vec<VideoCueInput> {
    let mut order: Vec<(usize, &SeedCue)> = cues.iter().enumerate().collect();
    order.sort_by_key(|(i, c)| (c.cue_order, *i));
    let mut taken: Vec<(f64, f64)> = Vec::new();
    let mut out = Vec::new();
    for (i, cue) in order {
        let path = format!("tracks[{t}].cues[{i}]");
        if cue.action_type != "show_camera" {
            notes.push(format!(
                "{path}: a {} cue never ran; left out",
                cue.action_type
            ));
            continue;
        }
        let Some(camera) = cue.action_params.camera_id else {
            notes.push(format!("{path}: no camera_id; left out"));
            continue;
        };
        let pieces = uncovered(cue.start_time, cue.start_time + cue.duration, &taken);
        if pieces.len() != 1
            || pieces.first() != Some(&(cue.start_time, cue.start_time + cue.duration))
        {
            notes.push(format!(
                "{path}: overlapped an earlier cue, which wins; trimmed"
            ));
        }
        taken.push((cue.start_time, cue.start_time + cue.duration));
        for (k, (start, end)) in pieces.into_iter().enumerate() {
            out.push(VideoCueInput {
                start_s: start,
                duration_s: end - start,
                camera_id: ids.camera(camera),
                preset_id: cue.action_params.preset_id.map(|p| ids.preset(p)),
                // A trimmed cue's later pieces do not transition in again.
                transition: if k == 0 && start == cue.start_time {
                    transition(cue, &path, notes)
                } else {
                    None
                },
            });
        }
    }
    out.sort_by(|a, b| a.start_s.total_cmp(&b.start_s));
    out
}

/// The parts of [start, end) that none of `taken` covers.
fn uncovered(start: f64, end: f64, taken: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut pieces = vec![(start, end)];
    for &(ts, te) in taken {
        pieces = pieces
            .into_iter()
            .flat_map(|(s, e)| {
                if te <= s || ts >= e {
                    vec![(s, e)]
                } else {
                    [(s, ts.max(s)), (te.min(e), e)]
                        .into_iter()
                        .filter(|(a, b)| b > a)
                        .collect()
                }
            })
            .collect();
    }
    pieces
}

fn overlay_cues(
    t: usize,
    cues: &[SeedCue],
    ids: &IdMap,
    (res_w, res_h): (f64, f64),
    notes: &mut Vec<String>,
    errors: &mut Vec<FieldError>,
) -> Vec<OverlayCueInput> {
    let mut out = Vec::new();
    for (i, cue) in cues.iter().enumerate() {
        let path = format!("tracks[{t}].cues[{i}]");
        let p = &cue.action_params;
        let Some(asset) = p.asset_id else {
            notes.push(format!("{path}: no asset_id; left out"));
            continue;
        };
        let fraction = |px: Option<f64>, of: f64, field: &str, errors: &mut Vec<FieldError>| {
            let px = px?;
            let f = px / of;
            if !(px > 0.0 && f <= 1.0) {
                errors.push(FieldError::new(
                    format!("{path}.action_params.{field}"),
                    format!("{px} px does not fit the timeline's {res_w}x{res_h}"),
                ));
                return None;
            }
            Some(f)
        };
        out.push(OverlayCueInput {
            start_s: cue.start_time,
            duration_s: cue.duration,
            asset_id: ids.asset(asset),
            x: p.position_x,
            y: p.position_y,
            width: fraction(p.width, res_w, "width", errors),
            height: fraction(p.height, res_h, "height", errors),
            opacity: p.opacity,
        });
    }
    out
}

fn broadcast(doc: &SeedTimeline) -> Option<BroadcastInput> {
    let any = doc.broadcast_title.is_some()
        || doc.broadcast_description.is_some()
        || doc.broadcast_tags.is_some()
        || doc.broadcast_category_id.is_some();
    any.then(|| BroadcastInput {
        title: doc
            .broadcast_title
            .clone()
            .filter(|t| !t.trim().is_empty())
            .unwrap_or_else(|| doc.name.clone()),
        description: doc.broadcast_description.clone(),
        tags: doc
            .broadcast_tags
            .as_deref()
            .unwrap_or("")
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(String::from)
            .collect(),
        privacy: match doc.broadcast_privacy.as_deref() {
            Some("unlisted") => Privacy::Unlisted,
            Some("private") => Privacy::Private,
            // The other system's default.
            _ => Privacy::Public,
        },
        category_id: doc.broadcast_category_id.clone(),
        thumbnail: doc.broadcast_thumbnail_enabled.unwrap_or(true),
    })
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    /// The example of seed-system.md §5.1, as its API accepts it.
    const MARINA: &str = r#"{
      "name": "Marina loop", "description": "", "duration": 120, "fps": 30,
      "resolution": "1920x1080", "loop": true,
      "broadcast_title": "Harbor Live Cam", "broadcast_privacy": "public",
      "broadcast_category_id": "19", "broadcast_tags": "harbor,weather",
      "broadcast_thumbnail_enabled": true, "is_active": true,
      "tracks": [
        { "track_type": "video", "layer": 0, "is_enabled": true, "cues": [
          { "cue_order": 0, "start_time": 0, "duration": 40, "action_type": "show_camera",
            "action_params": { "camera_id": 2, "preset_id": 5, "transition": "cut" },
            "transition_type": "cut", "transition_duration": 0 },
          { "cue_order": 1, "start_time": 40, "duration": 40, "action_type": "show_camera",
            "action_params": { "camera_id": 2, "preset_id": 6, "transition": "cut" },
            "transition_type": "cut", "transition_duration": 0 },
          { "cue_order": 2, "start_time": 80, "duration": 40, "action_type": "show_camera",
            "action_params": { "camera_id": 1, "transition": "cut" },
            "transition_type": "fade", "transition_duration": 0.5 } ] },
        { "track_type": "overlay", "layer": 1, "is_enabled": true, "cues": [
          { "cue_order": 0, "start_time": 0, "duration": 120, "action_type": "overlay",
            "action_params": { "asset_id": 7, "position_x": 0.02, "position_y": 0.70,
                               "width": 640, "opacity": 1.0, "transition": "fade" },
            "transition_type": "fade", "transition_duration": 0.5 } ] },
        { "track_type": "audio", "cues": [] }
      ]
    }"#;

    fn ids() -> IdMap {
        IdMap {
            cameras: HashMap::from([(2, 12), (1, 11)]),
            presets: HashMap::from([(5, 25), (6, 26)]),
            assets: HashMap::from([(7, 37)]),
        }
    }

    #[test]
    fn the_documented_example_imports_with_ids_mapped_and_pixels_normalized() {
        let doc: SeedTimeline = serde_json::from_str(MARINA).expect("parses");
        let (t, notes) = from_seed(&doc, &ids()).expect("converts");
        assert_eq!(t.name, "Marina loop");
        assert_eq!(t.duration_s, 120.0);
        assert!(t.looping);
        let TrackInput::Video { cues } = &t.tracks[0] else {
            panic!("a video track first");
        };
        assert_eq!(cues.len(), 3);
        assert_eq!((cues[0].camera_id, cues[0].preset_id), (12, Some(25)));
        assert_eq!((cues[2].camera_id, cues[2].preset_id), (11, None));
        let fade = cues[2].transition.as_ref().expect("a fade");
        assert_eq!(
            (fade.kind, fade.duration_ms),
            (TransitionKind::Fade, Some(500))
        );
        let TrackInput::Overlay { cues } = &t.tracks[1] else {
            panic!("an overlay track");
        };
        assert_eq!(cues[0].asset_id, 37);
        assert_eq!(cues[0].width, Some(640.0 / 1920.0));
        assert_eq!(cues[0].height, None);
        let b = t.broadcast.expect("broadcast metadata");
        assert_eq!(b.tags, vec!["harbor", "weather"]);
        assert_eq!(b.privacy, Privacy::Public);
        assert!(notes.iter().any(|n| n.contains("audio")), "{notes:?}");
    }

    #[test]
    fn overlapping_cues_keep_the_first_in_cue_order() {
        let doc: SeedTimeline = serde_json::from_str(
            r#"{"name": "x", "duration": 30, "tracks": [{"track_type": "video", "cues": [
              {"cue_order": 1, "start_time": 0, "duration": 20, "action_type": "show_camera",
               "action_params": {"camera_id": 1}},
              {"cue_order": 0, "start_time": 5, "duration": 10, "action_type": "show_camera",
               "action_params": {"camera_id": 2}}]}]}"#,
        )
        .expect("parses");
        let (t, notes) = from_seed(&doc, &IdMap::default()).expect("converts");
        let TrackInput::Video { cues } = &t.tracks[0] else {
            panic!("video");
        };
        let spans: Vec<(f64, f64, i64)> = cues
            .iter()
            .map(|c| (c.start_s, c.start_s + c.duration_s, c.camera_id))
            .collect();
        assert_eq!(spans, vec![(0.0, 5.0, 1), (5.0, 15.0, 2), (15.0, 20.0, 1)]);
        assert!(notes.iter().any(|n| n.contains("trimmed")));
    }

    #[test]
    fn an_overlay_wider_than_the_declared_picture_is_refused_by_its_path() {
        let doc: SeedTimeline = serde_json::from_str(
            r#"{"name": "x", "duration": 30, "resolution": "1280x720", "tracks": [
              {"track_type": "overlay", "cues": [{"start_time": 0, "duration": 5,
               "action_type": "overlay", "action_params": {"asset_id": 1, "width": 1920}}]}]}"#,
        )
        .expect("parses");
        let errors = from_seed(&doc, &IdMap::default()).expect_err("refused");
        assert_eq!(errors[0].field, "tracks[0].cues[0].action_params.width");
    }
}
