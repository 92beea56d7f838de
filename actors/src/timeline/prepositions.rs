//! PTZ pre-positioning, decided from the segments: a cue that brings a camera on air at a
//! preset moves that camera to the preset ahead of the cue, while it is off air, so the cut
//! lands on a settled picture. The lead is the camera's measured recall time plus a margin.
//! A camera that is on air until the cue (the same camera at another preset) can only move
//! live, at the cue, as the existing system does; a camera off air for less than the lead
//! moves as soon as it leaves the air, and the plan says it will be late. A pass is planned
//! on its own: for a looping timeline the actor prepares the first cue of the next pass from
//! the end of the current one.

use std::collections::HashMap;
use std::time::Duration;

use super::segments::Segment;

/// Added to a camera's measured recall time.
pub const MARGIN: Duration = Duration::from_millis(500);
/// A camera whose recall time was never measured.
pub const UNMEASURED_RECALL: Duration = Duration::from_secs(3);

/// One preset recall the timeline actor sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PresetMove {
    /// Offset into the pass at which to send the recall.
    pub at: Duration,
    pub camera_id: i64,
    pub preset_id: i64,
    /// The offset of the cue it prepares.
    pub for_cue_at: Duration,
    /// The camera is on air while it moves (viewers see it).
    pub live: bool,
    /// Off air for less than its lead: it may still be moving at the cut.
    pub late: bool,
}

/// The recalls a pass of the timeline needs, in the order to send them. `recall` holds each
/// camera's measured recall time.
pub fn plan(segments: &[Segment], recall: &HashMap<i64, Duration>) -> Vec<PresetMove> {
    let mut moves = Vec::new();
    for (i, segment) in segments.iter().enumerate() {
        let (Some(shot), Some(_)) = (segment.shot, segment.enters_with) else {
            continue;
        };
        let Some(preset_id) = shot.preset_id else {
            continue;
        };
        let previous = i.checked_sub(1).and_then(|p| segments[p].shot);
        let on_air_before = previous.is_some_and(|p| p.camera_id == shot.camera_id);
        if on_air_before {
            // The same preset again needs no move.
            if previous.and_then(|p| p.preset_id) != Some(preset_id) {
                moves.push(PresetMove {
                    at: segment.start,
                    camera_id: shot.camera_id,
                    preset_id,
                    for_cue_at: segment.start,
                    live: true,
                    late: false,
                });
            }
            continue;
        }
        // Off air since the end of its last segment on air before this one (or the pass's
        // start).
        let off_air_since = segments[..i]
            .iter()
            .rev()
            .find(|s| s.shot.is_some_and(|p| p.camera_id == shot.camera_id))
            .map_or(Duration::ZERO, |s| s.end);
        let lead = recall
            .get(&shot.camera_id)
            .copied()
            .unwrap_or(UNMEASURED_RECALL)
            + MARGIN;
        let wanted = segment.start.saturating_sub(lead);
        let at = wanted.max(off_air_since);
        moves.push(PresetMove {
            at,
            camera_id: shot.camera_id,
            preset_id,
            for_cue_at: segment.start,
            live: false,
            late: segment.start - at < lead,
        });
    }
    moves.sort_by_key(|m| (m.at, m.for_cue_at));
    moves
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timeline::segments::segments;
    use crate::timeline::spec::{TimelineSpec, Transition, VideoCue};

    fn s(secs: u64) -> Duration {
        Duration::from_secs(secs)
    }

    fn cue(start: u64, duration: u64, camera_id: i64, preset_id: Option<i64>) -> VideoCue {
        VideoCue {
            start: s(start),
            duration: s(duration),
            camera_id,
            preset_id,
            transition: Transition::Cut,
        }
    }

    fn spec(cues: Vec<VideoCue>, duration: u64) -> TimelineSpec {
        TimelineSpec {
            id: 1,
            duration: s(duration),
            looping: true,
            video_tracks: vec![cues],
            overlays: vec![],
        }
    }

    #[test]
    fn a_camera_off_air_moves_ahead_of_its_cue_by_its_recall_time_and_a_margin() {
        // Camera 1 for 0-20, camera 2 at preset 9 from 20: camera 2 is off air until then.
        let segs = segments(&spec(
            vec![cue(0, 20, 1, None), cue(20, 10, 2, Some(9))],
            30,
        ));
        let recall = HashMap::from([(2, Duration::from_millis(1800))]);
        assert_eq!(
            plan(&segs, &recall),
            vec![PresetMove {
                at: s(20) - Duration::from_millis(2300),
                camera_id: 2,
                preset_id: 9,
                for_cue_at: s(20),
                live: false,
                late: false,
            }]
        );
        // Not measured yet: the default lead.
        let unmeasured = plan(&segs, &HashMap::new());
        assert_eq!(unmeasured[0].at, s(20) - UNMEASURED_RECALL - MARGIN);
    }

    #[test]
    fn a_camera_just_off_air_moves_when_it_leaves_and_the_plan_says_it_is_late() {
        // Camera 2 on air 0-10, camera 1 10-11, camera 2 at preset 9 from 11: one second off
        // air, less than its lead.
        let segs = segments(&spec(
            vec![
                cue(0, 10, 2, None),
                cue(10, 1, 1, None),
                cue(11, 9, 2, Some(9)),
            ],
            20,
        ));
        let recall = HashMap::from([(2, s(2))]);
        let moves = plan(&segs, &recall);
        assert_eq!(moves.len(), 1);
        assert_eq!(moves[0].at, s(10), "as soon as it leaves the air");
        assert!(moves[0].late && !moves[0].live);
    }

    #[test]
    fn a_preset_change_on_the_camera_on_air_moves_live_at_the_cue() {
        let segs = segments(&spec(
            vec![
                cue(0, 10, 1, Some(3)),
                cue(10, 10, 1, Some(4)),
                cue(20, 10, 1, Some(4)),
            ],
            30,
        ));
        let moves = plan(&segs, &HashMap::new());
        // The first cue's camera is not on air before the pass starts: it moves at 0, late.
        assert_eq!(
            moves
                .iter()
                .map(|m| (m.at.as_secs(), m.preset_id, m.live, m.late))
                .collect::<Vec<_>>(),
            vec![(0, 3, false, true), (10, 4, true, false)],
            "the third cue keeps preset 4: no move"
        );
    }

    #[test]
    fn cues_without_a_preset_move_nothing() {
        let segs = segments(&spec(vec![cue(0, 10, 1, None), cue(10, 10, 2, None)], 20));
        assert!(plan(&segs, &HashMap::new()).is_empty());
    }
}
