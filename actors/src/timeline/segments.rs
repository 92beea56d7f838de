//! A timeline cut at every cue boundary into segments in which nothing changes, and where a
//! timeline is after some running time. Pure functions of the spec: the timeline actor asks
//! them what to show and when the next change comes, and they are tested on a simulated
//! clock without GStreamer.
//!
//! Rules: a later video track is on top of an earlier one; where no track has a cue (a gap),
//! the last camera stays on screen (before the first cue there is none: the output's own
//! slate); a transition plays only where its cue begins, not when a segment boundary inside
//! the cue comes from another track or an overlay; an overlay shows from its start up to, not
//! including, its end.

use std::time::Duration;

use super::spec::{TimelineSpec, Transition};

/// One video cue: its track and its place in that track.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CueRef {
    pub track: usize,
    pub index: usize,
}

/// The camera a segment shows, and the cue that put it there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shot {
    pub cue: CueRef,
    pub camera_id: i64,
    pub preset_id: Option<i64>,
}

/// A stretch of the timeline in which nothing changes.
#[derive(Clone, Debug, PartialEq)]
pub struct Segment {
    pub start: Duration,
    pub end: Duration,
    /// What is on screen; `None` before the first video cue.
    pub shot: Option<Shot>,
    /// How the shot comes on screen when its cue begins at this segment's start.
    pub enters_with: Option<Transition>,
    /// Indices of the overlay cues shown throughout the segment.
    pub overlays: Vec<usize>,
}

/// The segments of a timeline, in order, covering `[0, duration)` without gaps.
pub fn segments(spec: &TimelineSpec) -> Vec<Segment> {
    let mut bounds = vec![Duration::ZERO, spec.duration];
    for cue in spec.video_tracks.iter().flatten() {
        bounds.extend([cue.start, cue.end()]);
    }
    for cue in &spec.overlays {
        bounds.extend([cue.start, cue.end()]);
    }
    bounds.retain(|b| *b <= spec.duration);
    bounds.sort();
    bounds.dedup();

    let mut out: Vec<Segment> = Vec::with_capacity(bounds.len());
    for pair in bounds.windows(2) {
        let (start, end) = (pair[0], pair[1]);
        let held = out.last().and_then(|s| s.shot);
        let covering = top_cue_at(spec, start);
        let shot = covering.or(held);
        let enters_with = covering.and_then(|shot| {
            let cue = &spec.video_tracks[shot.cue.track][shot.cue.index];
            let new_cue = held.map(|h| h.cue) != Some(shot.cue);
            (cue.start == start && new_cue).then_some(cue.transition)
        });
        let overlays = spec
            .overlays
            .iter()
            .enumerate()
            .filter(|(_, o)| o.start <= start && start < o.end())
            .map(|(i, _)| i)
            .collect();
        out.push(Segment {
            start,
            end,
            shot,
            enters_with,
            overlays,
        });
    }
    out
}

/// The topmost video cue covering `at`.
fn top_cue_at(spec: &TimelineSpec, at: Duration) -> Option<Shot> {
    spec.video_tracks
        .iter()
        .enumerate()
        .rev()
        .find_map(|(track, cues)| {
            cues.iter()
                .position(|c| c.start <= at && at < c.end())
                .map(|index| {
                    let cue = &cues[index];
                    Shot {
                        cue: CueRef { track, index },
                        camera_id: cue.camera_id,
                        preset_id: cue.preset_id,
                    }
                })
        })
}

/// Where a timeline is after `elapsed` of its own running time (pauses already taken out).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    /// Completed passes (0 on the first).
    pub pass: u64,
    /// Offset into the current pass.
    pub offset: Duration,
    /// A timeline that does not loop has ended (`offset` is then its duration).
    pub ended: bool,
}

pub fn position(elapsed: Duration, duration: Duration, looping: bool) -> Position {
    if duration.is_zero() {
        return Position {
            pass: 0,
            offset: Duration::ZERO,
            ended: true,
        };
    }
    let total = elapsed.as_nanos();
    let length = duration.as_nanos();
    if !looping {
        return if total >= length {
            Position {
                pass: 0,
                offset: duration,
                ended: true,
            }
        } else {
            Position {
                pass: 0,
                offset: elapsed,
                ended: false,
            }
        };
    }
    let pass = u64::try_from(total / length).unwrap_or(u64::MAX);
    let offset = Duration::from_nanos(u64::try_from(total % length).unwrap_or(0));
    Position {
        pass,
        offset,
        ended: false,
    }
}

/// The index of the segment playing at `offset` (a boundary belongs to the segment it
/// starts); `None` past the end.
pub fn segment_at(segments: &[Segment], offset: Duration) -> Option<usize> {
    let index = segments
        .partition_point(|s| s.start <= offset)
        .checked_sub(1)?;
    (offset < segments[index].end).then_some(index)
}

/// How long from `offset` until what is on screen next changes: the end of the segment
/// playing (for a looping timeline the end of a pass is a change too: the first segment
/// comes back). `None` when nothing plays at `offset`.
pub fn time_to_next_change(segments: &[Segment], offset: Duration) -> Option<Duration> {
    segment_at(segments, offset).map(|i| segments[i].end - offset)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timeline::spec::{OverlayCue, VideoCue};

    fn s(secs: u64) -> Duration {
        Duration::from_secs(secs)
    }

    fn cue(start: u64, duration: u64, camera_id: i64, transition: Transition) -> VideoCue {
        VideoCue {
            start: s(start),
            duration: s(duration),
            camera_id,
            preset_id: None,
            transition,
        }
    }

    fn overlay(start: u64, duration: u64, asset_id: i64) -> OverlayCue {
        OverlayCue {
            start: s(start),
            duration: s(duration),
            asset_id,
            place: None,
        }
    }

    /// 30 s: camera 1 for 0-10, a gap 10-12, camera 2 12-20 fading in over 1 s, camera 1
    /// again 20-30 (adjacent, no gap); an overlay 5-15 and one 25-30.
    fn show() -> TimelineSpec {
        TimelineSpec {
            id: 1,
            duration: s(30),
            looping: true,
            video_tracks: vec![vec![
                cue(0, 10, 1, Transition::Cut),
                cue(12, 8, 2, Transition::Fade(Duration::from_secs(1))),
                cue(20, 10, 1, Transition::Cut),
            ]],
            overlays: vec![overlay(5, 10, 7), overlay(25, 5, 8)],
        }
    }

    fn cameras(segs: &[Segment]) -> Vec<(u64, u64, Option<i64>)> {
        segs.iter()
            .map(|g| {
                (
                    g.start.as_secs(),
                    g.end.as_secs(),
                    g.shot.map(|shot| shot.camera_id),
                )
            })
            .collect()
    }

    #[test]
    fn segments_cover_the_timeline_and_a_gap_holds_the_last_camera() {
        let segs = segments(&show());
        assert_eq!(
            cameras(&segs),
            vec![
                (0, 5, Some(1)),
                (5, 10, Some(1)),
                (10, 12, Some(1)), // the gap holds camera 1
                (12, 15, Some(2)),
                (15, 20, Some(2)),
                (20, 25, Some(1)),
                (25, 30, Some(1)),
            ]
        );
        assert_eq!(segs.first().map(|g| g.start), Some(Duration::ZERO));
        assert_eq!(segs.last().map(|g| g.end), Some(s(30)));
    }

    #[test]
    fn a_transition_plays_only_where_its_cue_begins() {
        let segs = segments(&show());
        let entering: Vec<_> = segs
            .iter()
            .map(|g| (g.start.as_secs(), g.enters_with))
            .filter(|(_, t)| t.is_some())
            .collect();
        assert_eq!(
            entering,
            vec![
                (0, Some(Transition::Cut)),
                (12, Some(Transition::Fade(Duration::from_secs(1)))),
                (20, Some(Transition::Cut)),
            ],
            "the overlay boundaries at 5, 15 and 25 cut nothing"
        );
    }

    #[test]
    fn overlays_show_from_their_start_up_to_their_end() {
        let segs = segments(&show());
        let shown: Vec<_> = segs
            .iter()
            .map(|g| (g.start.as_secs(), g.overlays.clone()))
            .collect();
        assert_eq!(
            shown,
            vec![
                (0, vec![]),
                (5, vec![0]),
                (10, vec![0]),
                (12, vec![0]),
                (15, vec![]),
                (20, vec![]),
                (25, vec![1]),
            ]
        );
    }

    #[test]
    fn before_the_first_cue_nothing_is_shown_and_a_top_track_wins() {
        let spec = TimelineSpec {
            id: 2,
            duration: s(20),
            looping: false,
            video_tracks: vec![
                vec![cue(4, 16, 1, Transition::Cut)],
                vec![cue(
                    8,
                    4,
                    2,
                    Transition::DipToBlack(Duration::from_millis(500)),
                )],
            ],
            overlays: vec![],
        };
        let segs = segments(&spec);
        assert_eq!(
            cameras(&segs),
            vec![
                (0, 4, None),
                (4, 8, Some(1)),
                (8, 12, Some(2)),
                (12, 20, Some(1))
            ]
        );
        // Back to the lower track's cue mid-way: a cut back, not its own transition again.
        assert_eq!(segs[3].enters_with, None);
        assert_eq!(
            segs[2].enters_with,
            Some(Transition::DipToBlack(Duration::from_millis(500)))
        );
    }

    #[test]
    fn the_same_camera_in_two_adjacent_cues_is_two_shots() {
        let spec = TimelineSpec {
            id: 3,
            duration: s(10),
            looping: false,
            video_tracks: vec![vec![
                cue(0, 5, 1, Transition::Cut),
                VideoCue {
                    preset_id: Some(9),
                    ..cue(5, 5, 1, Transition::Cut)
                },
            ]],
            overlays: vec![],
        };
        let segs = segments(&spec);
        assert_eq!(segs.len(), 2);
        assert_eq!(segs[1].enters_with, Some(Transition::Cut));
        assert_eq!(segs[1].shot.and_then(|shot| shot.preset_id), Some(9));
    }

    #[test]
    fn a_looping_timeline_wraps_at_its_end_and_one_that_does_not_ends() {
        let d = s(30);
        assert_eq!(
            position(s(29), d, true),
            Position {
                pass: 0,
                offset: s(29),
                ended: false
            }
        );
        // Exactly on the loop boundary: the next pass at offset 0.
        assert_eq!(
            position(s(30), d, true),
            Position {
                pass: 1,
                offset: Duration::ZERO,
                ended: false
            }
        );
        assert_eq!(
            position(s(95), d, true),
            Position {
                pass: 3,
                offset: s(5),
                ended: false
            }
        );
        assert_eq!(
            position(s(30), d, false),
            Position {
                pass: 0,
                offset: d,
                ended: true
            }
        );
        assert!(position(s(1), Duration::ZERO, true).ended);
    }

    #[test]
    fn a_seek_onto_a_boundary_lands_in_the_segment_it_starts() {
        let segs = segments(&show());
        let at = |secs: u64| segment_at(&segs, s(secs)).map(|i| segs[i].start.as_secs());
        assert_eq!(at(0), Some(0));
        assert_eq!(at(12), Some(12));
        assert_eq!(at(11), Some(10));
        assert_eq!(at(30), None, "the end is past the last segment");
        assert_eq!(
            segment_at(&segs, s(12) - Duration::from_nanos(1)).map(|i| segs[i].start),
            Some(s(10))
        );
    }

    #[test]
    fn the_next_change_is_the_end_of_the_segment_playing() {
        let segs = segments(&show());
        assert_eq!(time_to_next_change(&segs, s(0)), Some(s(5)));
        assert_eq!(
            time_to_next_change(&segs, Duration::from_millis(11_500)),
            Some(Duration::from_millis(500))
        );
        assert_eq!(time_to_next_change(&segs, s(29)), Some(s(1)));
        assert_eq!(time_to_next_change(&segs, s(30)), None);
    }
}
