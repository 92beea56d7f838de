//! The rules a timeline must meet, as pure functions. The references a timeline makes
//! (cameras, presets, assets) are checked against a [`References`] snapshot the use case
//! reads from the store, so validation needs no I/O and every problem is reported at once
//! with its JSON path (`tracks[0].cues[3].start_s`).

use std::time::Duration;

use super::input::{
    BroadcastInput, MAX_CUES_PER_TRACK, MAX_DURATION_S, MAX_TRACKS, MAX_TRANSITION_MS,
    OverlayCueInput, References, TimelineInput, TrackInput, TransitionInput, TransitionKind,
    VideoCueInput,
};
use crate::domain::{FieldError, Validation, check_text};

/// A timeline that meets every rule: text trimmed, transitions defaulted, and the warnings an
/// operator should read (they do not stop it being stored).
#[derive(Clone, Debug)]
pub struct ValidTimeline {
    pub input: TimelineInput,
    pub duration: Duration,
    pub warnings: Vec<FieldError>,
}

pub fn validate(
    input: &TimelineInput,
    refs: &References,
) -> Result<ValidTimeline, Vec<FieldError>> {
    let mut v = Validation::default();
    let mut clean = input.clone();
    clean.name = check_text(&mut v, "name", &input.name, 1, 100);
    clean.description = input
        .description
        .as_deref()
        .map(|d| check_text(&mut v, "description", d, 0, 2_000));
    let duration = input.duration_s;
    if !(duration.is_finite() && duration > 0.0 && duration <= MAX_DURATION_S) {
        v.error(
            "duration_s",
            format!("must be more than 0 and at most {MAX_DURATION_S} seconds (got {duration})"),
        );
    }
    if input.tracks.len() > MAX_TRACKS {
        v.error("tracks", format!("at most {MAX_TRACKS} tracks"));
    }
    let mut warnings = Vec::new();
    for (t, track) in clean.tracks.iter_mut().enumerate() {
        match track {
            TrackInput::Video { cues } => {
                check_video_track(&mut v, &mut warnings, t, cues, duration, refs)
            }
            TrackInput::Overlay { cues } => check_overlay_track(&mut v, t, cues, duration, refs),
        }
    }
    if let Some(b) = clean.broadcast.as_mut() {
        check_broadcast(&mut v, b);
    }
    let duration = Duration::try_from_secs_f64(duration).unwrap_or_default();
    v.finish(ValidTimeline {
        input: clean,
        duration,
        warnings,
    })
}

/// A cue's start and duration within the timeline; the cue's `[start, end)` in seconds.
fn check_span(
    v: &mut Validation,
    path: &str,
    start: f64,
    length: f64,
    timeline: f64,
) -> Option<(f64, f64)> {
    let mut ok = true;
    if !(start.is_finite() && start >= 0.0 && start <= timeline) {
        v.error(
            &format!("{path}.start_s"),
            format!("must be within the timeline, 0 to {timeline} s (got {start})"),
        );
        ok = false;
    }
    if !(length.is_finite() && length > 0.0) {
        v.error(
            &format!("{path}.duration_s"),
            format!("must be more than 0 seconds (got {length})"),
        );
        ok = false;
    }
    // A thousandth of a second of slack: clients add up decimal seconds.
    if ok && start + length > timeline + 1e-3 {
        v.error(
            &format!("{path}.duration_s"),
            format!(
                "ends at {} s, after the timeline's end ({timeline} s)",
                start + length
            ),
        );
        ok = false;
    }
    ok.then_some((start, start + length))
}

fn check_video_track(
    v: &mut Validation,
    warnings: &mut Vec<FieldError>,
    t: usize,
    cues: &mut [VideoCueInput],
    timeline: f64,
    refs: &References,
) {
    if cues.len() > MAX_CUES_PER_TRACK {
        v.error(
            &format!("tracks[{t}].cues"),
            format!("at most {MAX_CUES_PER_TRACK} cues"),
        );
        return;
    }
    let mut spans = Vec::new();
    for (c, cue) in cues.iter_mut().enumerate() {
        let path = format!("tracks[{t}].cues[{c}]");
        if let Some(span) = check_span(v, &path, cue.start_s, cue.duration_s, timeline) {
            spans.push((span, c));
        }
        if !refs.cameras.contains(&cue.camera_id) {
            v.error(
                &format!("{path}.camera_id"),
                format!("no camera {}", cue.camera_id),
            );
        }
        if let Some(preset) = cue.preset_id {
            match refs.presets.get(&preset) {
                None => v.error(&format!("{path}.preset_id"), format!("no preset {preset}")),
                Some(owner) if *owner != cue.camera_id => v.error(
                    &format!("{path}.preset_id"),
                    format!(
                        "preset {preset} belongs to camera {owner}, not camera {}",
                        cue.camera_id
                    ),
                ),
                Some(_) => {}
            }
        }
        let transition = cue.transition.get_or_insert(TransitionInput {
            kind: TransitionKind::Cut,
            duration_ms: None,
        });
        check_transition(v, &path, transition, cue.duration_s);
    }
    // Overlaps, in the order the cues play.
    spans.sort_by(|a, b| a.0.0.total_cmp(&b.0.0));
    for pair in spans.windows(2) {
        let (((_, prev_end), prev), ((start, _), this)) = (pair[0], pair[1]);
        if start < prev_end - 1e-3 {
            v.error(
                &format!("tracks[{t}].cues[{this}].start_s"),
                format!("overlaps cue {prev} of this track, which runs until {prev_end} s"),
            );
        }
    }
    warnings.extend(live_moves(t, cues));
}

/// A preset change while the camera stays on air is a move the viewers see: one warning per
/// such cue of video track `t`.
pub fn live_moves(t: usize, cues: &[VideoCueInput]) -> Vec<FieldError> {
    let mut order: Vec<usize> = (0..cues.len()).collect();
    order.sort_by(|a, b| cues[*a].start_s.total_cmp(&cues[*b].start_s));
    order
        .windows(2)
        .filter(|pair| {
            let (prev, this) = (&cues[pair[0]], &cues[pair[1]]);
            prev.camera_id == this.camera_id
                && this.preset_id.is_some()
                && this.preset_id != prev.preset_id
        })
        .map(|pair| {
            FieldError::new(
                format!("tracks[{t}].cues[{}].preset_id", pair[1]),
                "the camera is on air when it moves to this preset: viewers see the move",
            )
        })
        .collect()
}

/// Every warning of a stored timeline.
pub fn warnings(tracks: &[TrackInput]) -> Vec<FieldError> {
    tracks
        .iter()
        .enumerate()
        .flat_map(|(t, track)| match track {
            TrackInput::Video { cues } => live_moves(t, cues),
            TrackInput::Overlay { .. } => Vec::new(),
        })
        .collect()
}

fn check_transition(v: &mut Validation, path: &str, t: &TransitionInput, cue_s: f64) {
    let field = format!("{path}.transition.duration_ms");
    match (t.kind, t.duration_ms) {
        (TransitionKind::Cut, None) => {}
        (TransitionKind::Cut, Some(_)) => v.error(&field, "a cut has no duration"),
        (_, None) => v.error(&field, "a fade or dip to black needs its duration"),
        (_, Some(ms)) if ms == 0 || ms > MAX_TRANSITION_MS => v.error(
            &field,
            format!("must be 1 to {MAX_TRANSITION_MS} ms (got {ms})"),
        ),
        // Only against a cue length that is itself valid (else that is the one error).
        (_, Some(ms)) if cue_s > 0.0 && f64::from(ms) / 1000.0 > cue_s => {
            v.error(&field, format!("is longer than its cue ({cue_s} s)"))
        }
        (_, Some(_)) => {}
    }
}

fn check_overlay_track(
    v: &mut Validation,
    t: usize,
    cues: &[OverlayCueInput],
    timeline: f64,
    refs: &References,
) {
    if cues.len() > MAX_CUES_PER_TRACK {
        v.error(
            &format!("tracks[{t}].cues"),
            format!("at most {MAX_CUES_PER_TRACK} cues"),
        );
        return;
    }
    for (c, cue) in cues.iter().enumerate() {
        let path = format!("tracks[{t}].cues[{c}]");
        check_span(v, &path, cue.start_s, cue.duration_s, timeline);
        if !refs.assets.contains(&cue.asset_id) {
            v.error(
                &format!("{path}.asset_id"),
                format!("no asset {}", cue.asset_id),
            );
        }
        for (name, value, zero_ok) in [
            ("x", cue.x, true),
            ("y", cue.y, true),
            ("width", cue.width, false),
            ("height", cue.height, false),
            ("opacity", cue.opacity, true),
        ] {
            let Some(value) = value else { continue };
            let low_ok = if zero_ok { value >= 0.0 } else { value > 0.0 };
            if !(value.is_finite() && low_ok && value <= 1.0) {
                let range = if zero_ok {
                    "0 to 1"
                } else {
                    "more than 0, at most 1"
                };
                v.error(
                    &format!("{path}.{name}"),
                    format!("must be {range} (a fraction of the picture; got {value})"),
                );
            }
        }
    }
}

fn check_broadcast(v: &mut Validation, b: &mut BroadcastInput) {
    b.title = check_text(v, "broadcast.title", &b.title, 1, 100);
    if b.title.contains(['<', '>']) {
        v.error("broadcast.title", "must not contain < or >");
    }
    if let Some(d) = b.description.as_deref() {
        let d = check_text(v, "broadcast.description", d, 0, 5_000);
        if d.contains(['<', '>']) {
            v.error("broadcast.description", "must not contain < or >");
        }
        b.description = Some(d);
    }
    // YouTube counts a tag with a space as quoted (two more characters), 500 in all.
    let total: usize = b
        .tags
        .iter()
        .map(|t| t.chars().count() + if t.contains(' ') { 2 } else { 0 })
        .sum::<usize>()
        + b.tags.len().saturating_sub(1);
    if total > 500 {
        v.error(
            "broadcast.tags",
            format!("are {total} characters in all; YouTube takes at most 500"),
        );
    }
    for (i, tag) in b.tags.iter().enumerate() {
        if tag.trim().is_empty() || tag.contains(['<', '>', ',']) {
            v.error(
                &format!("broadcast.tags[{i}]"),
                "must be text without < > or a comma",
            );
        }
    }
    if let Some(id) = b.category_id.as_deref()
        && (id.is_empty() || id.len() > 4 || !id.bytes().all(|c| c.is_ascii_digit()))
    {
        v.error(
            "broadcast.category_id",
            "must be YouTube's category number, e.g. 19",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn refs() -> References {
        References {
            cameras: [1, 2].into(),
            presets: [(10, 1), (20, 2)].into(),
            assets: [7].into(),
        }
    }

    fn parse(value: serde_json::Value) -> TimelineInput {
        serde_json::from_value(value).expect("a timeline body")
    }

    fn errors(value: serde_json::Value) -> Vec<String> {
        match validate(&parse(value), &refs()) {
            Ok(_) => vec![],
            Err(e) => e.into_iter().map(|f| f.field).collect(),
        }
    }

    fn show() -> serde_json::Value {
        json!({
            "name": " Harbour day ", "duration_s": 30, "loop": true,
            "tracks": [
                {"kind": "video", "cues": [
                    {"start_s": 0, "duration_s": 10, "camera_id": 1, "preset_id": 10},
                    {"start_s": 12, "duration_s": 8, "camera_id": 2,
                     "transition": {"kind": "fade", "duration_ms": 1000}},
                    {"start_s": 20, "duration_s": 10, "camera_id": 1}
                ]},
                {"kind": "overlay", "cues": [
                    {"start_s": 5, "duration_s": 10, "asset_id": 7, "x": 0.05, "y": 0.8, "width": 0.3, "height": 0.1}
                ]}
            ],
            "broadcast": {"title": "Harbour live", "tags": ["harbour", "live cam"], "privacy": "unlisted", "category_id": "19"}
        })
    }

    #[test]
    fn a_good_timeline_is_trimmed_and_its_cuts_spelled_out() {
        let valid = validate(&parse(show()), &refs()).expect("valid");
        assert_eq!(valid.input.name, "Harbour day");
        assert_eq!(valid.duration, Duration::from_secs(30));
        let TrackInput::Video { cues } = &valid.input.tracks[0] else {
            panic!("a video track first");
        };
        assert_eq!(
            cues[2].transition.as_ref().map(|t| t.kind),
            Some(TransitionKind::Cut)
        );
        assert!(valid.warnings.is_empty(), "{:?}", valid.warnings);
    }

    #[test]
    fn every_problem_is_named_by_its_path() {
        let mut bad = show();
        bad["tracks"][0]["cues"][1]["start_s"] = json!(8); // overlaps cue 0 (0-10)
        bad["tracks"][0]["cues"][2]["preset_id"] = json!(20); // camera 2's preset on camera 1
        bad["tracks"][0]["cues"][0]["camera_id"] = json!(99);
        bad["tracks"][1]["cues"][0]["duration_s"] = json!(40); // past the end
        bad["tracks"][1]["cues"][0]["asset_id"] = json!(8);
        bad["tracks"][1]["cues"][0]["width"] = json!(0);
        assert_eq!(
            errors(bad),
            vec![
                "tracks[0].cues[0].camera_id",
                "tracks[0].cues[0].preset_id",
                "tracks[0].cues[2].preset_id",
                "tracks[0].cues[1].start_s",
                "tracks[1].cues[0].duration_s",
                "tracks[1].cues[0].asset_id",
                "tracks[1].cues[0].width",
            ]
        );
    }

    #[test]
    fn cues_stay_inside_the_timeline_and_durations_are_positive() {
        let mut bad = show();
        bad["tracks"][0]["cues"][2]["start_s"] = json!(31);
        bad["tracks"][0]["cues"][1]["duration_s"] = json!(0);
        bad["duration_s"] = json!(30);
        assert_eq!(
            errors(bad),
            vec!["tracks[0].cues[1].duration_s", "tracks[0].cues[2].start_s"]
        );
        assert_eq!(
            errors(json!({"name": "x", "duration_s": 0})),
            vec!["duration_s"]
        );
        assert_eq!(
            errors(json!({"name": "x", "duration_s": 90000})),
            vec!["duration_s"]
        );
        // Adjacent cues touch without overlapping; decimal seconds add up within a millisecond.
        let touching = json!({"name": "x", "duration_s": 0.3, "tracks": [{"kind": "video", "cues": [
            {"start_s": 0.1, "duration_s": 0.1, "camera_id": 1},
            {"start_s": 0.2, "duration_s": 0.1, "camera_id": 2}]}]});
        assert_eq!(errors(touching), Vec::<String>::new());
    }

    #[test]
    fn transitions_have_a_duration_exactly_when_they_need_one() {
        let with = |t: serde_json::Value| {
            let mut tl = show();
            tl["tracks"][0]["cues"][1]["transition"] = t;
            errors(tl)
        };
        let field = vec!["tracks[0].cues[1].transition.duration_ms"];
        assert_eq!(with(json!({"kind": "cut", "duration_ms": 500})), field);
        assert_eq!(with(json!({"kind": "fade"})), field);
        assert_eq!(
            with(json!({"kind": "dip_to_black", "duration_ms": 0})),
            field
        );
        assert_eq!(
            with(json!({"kind": "fade", "duration_ms": 9000})),
            field,
            "longer than the 8 s cue"
        );
        assert!(with(json!({"kind": "dip_to_black", "duration_ms": 800})).is_empty());
    }

    #[test]
    fn a_preset_change_on_the_camera_on_air_is_a_warning_not_an_error() {
        let tl = json!({"name": "x", "duration_s": 20, "tracks": [{"kind": "video", "cues": [
            {"start_s": 0, "duration_s": 10, "camera_id": 1, "preset_id": 10},
            {"start_s": 10, "duration_s": 10, "camera_id": 1}]}]});
        let same = validate(&parse(tl.clone()), &refs()).expect("valid");
        assert!(same.warnings.is_empty(), "no new preset: no move");
        let mut refs = refs();
        refs.presets.insert(11, 1);
        let mut moved = tl;
        moved["tracks"][0]["cues"][1]["preset_id"] = json!(11);
        let valid = validate(&parse(moved), &refs).expect("valid");
        assert_eq!(
            valid
                .warnings
                .iter()
                .map(|w| w.field.as_str())
                .collect::<Vec<_>>(),
            vec!["tracks[0].cues[1].preset_id"]
        );
    }

    #[test]
    fn broadcast_metadata_meets_youtube_s_limits() {
        let with = |b: serde_json::Value| {
            let mut tl = show();
            tl["broadcast"] = b;
            errors(tl)
        };
        assert_eq!(
            with(json!({"title": "<b>Live</b>"})),
            vec!["broadcast.title"]
        );
        assert_eq!(with(json!({"title": ""})), vec!["broadcast.title"]);
        assert_eq!(
            with(json!({"title": "t", "tags": ["a,b"]})),
            vec!["broadcast.tags[0]"]
        );
        let many: Vec<String> = (0..60).map(|i| format!("tag number {i}")).collect();
        assert_eq!(
            with(json!({"title": "t", "tags": many})),
            vec!["broadcast.tags"]
        );
        assert_eq!(
            with(json!({"title": "t", "category_id": "travel"})),
            vec!["broadcast.category_id"]
        );
    }

    #[test]
    fn unknown_fields_and_track_kinds_are_refused_when_read() {
        for body in [
            json!({"name": "x", "duration_s": 5, "bogus": 1}),
            json!({"name": "x", "duration_s": 5, "tracks": [{"kind": "audio", "cues": []}]}),
            json!({"name": "x", "duration_s": 5, "tracks": [{"kind": "video", "cues": [
                {"start_s": 0, "duration_s": 1, "camera_id": 1, "zoom": 2}]}]}),
        ] {
            assert!(
                serde_json::from_value::<TimelineInput>(body.clone()).is_err(),
                "{body}"
            );
        }
    }
}
