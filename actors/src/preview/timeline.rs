//! Where each frame goes on the preview's time line: a pure decision, so its edges are
//! tested without a browser.
//!
//! The browser's Media Source Extensions treat a gap of more than a couple of frames as a
//! discontinuity and drop every frame up to the next keyframe: after a 5 s camera stall the
//! picture came back 1.5 s late (reference/preview-notes.md §3b). So the preview's time line
//! never has a gap: a stall, a camera reconnect (its timestamps restart) or a program restart
//! continues one frame after the last, and the viewer sees the first new frame at once.

use std::time::Duration;

/// Ticks per second of the preview's video track.
pub const TIMESCALE: u32 = 90_000;

/// A jump of more than this many frames is a gap to close, not a slow frame.
const GAP_FRAMES: i64 = 4;

#[derive(Clone, Debug)]
pub struct Timeline {
    /// Input ticks minus output ticks.
    offset: i64,
    last: Option<Placed>,
    /// The nominal frame duration, in ticks: the last normal spacing seen.
    frame: i64,
}

#[derive(Clone, Copy, Debug)]
struct Placed {
    session: u64,
    input: i64,
    output: i64,
}

fn ticks(d: Duration) -> i64 {
    (d.as_nanos() * u128::from(TIMESCALE) / 1_000_000_000) as i64
}

impl Timeline {
    /// A time line expecting frames `frame_duration` apart (until it sees otherwise).
    pub fn new(frame_duration: Duration) -> Self {
        Self {
            offset: 0,
            last: None,
            frame: ticks(frame_duration).max(1),
        }
    }

    /// The decode time (ticks) and duration of a frame stamped `pts` in its source's
    /// `session` (a camera's RTSP session, a program's run).
    pub fn place(&mut self, session: u64, pts: Duration) -> (u64, u32) {
        let input = ticks(pts);
        let output = match self.last {
            None => {
                self.offset = input;
                0
            }
            Some(last) => {
                let delta = input - last.input;
                if last.session == session && delta > 0 && delta <= GAP_FRAMES * self.frame {
                    self.frame = delta;
                    input - self.offset
                } else {
                    // A gap, a restart, or a frame out of order: one frame after the last.
                    let output = last.output + self.frame;
                    self.offset = input - output;
                    output
                }
            }
        };
        self.last = Some(Placed {
            session,
            input,
            output,
        });
        (
            output.max(0) as u64,
            self.frame.clamp(1, i64::from(u32::MAX)) as u32,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn frames_keep_their_spacing_from_zero() {
        let mut t = Timeline::new(ms(40));
        assert_eq!(t.place(1, ms(1000)), (0, 3600));
        assert_eq!(t.place(1, ms(1040)), (3600, 3600));
        // 30 fps after all: the duration follows.
        assert_eq!(t.place(1, ms(1073)), (6570, 2970));
    }

    #[test]
    fn a_stall_continues_one_frame_after_the_last() {
        let mut t = Timeline::new(ms(40));
        t.place(1, ms(0));
        t.place(1, ms(40));
        // Five seconds without a frame: the next follows at once, and the ones after it keep
        // their own spacing.
        assert_eq!(t.place(1, ms(5040)).0, 7200);
        assert_eq!(t.place(1, ms(5080)).0, 10800);
        // A slightly late frame (within four frames) is not a gap.
        assert_eq!(t.place(1, ms(5200)).0, 21600);
    }

    #[test]
    fn a_new_session_continues_the_line_whatever_its_timestamps() {
        let mut t = Timeline::new(ms(40));
        t.place(1, ms(90_000));
        t.place(1, ms(90_040));
        assert_eq!(
            t.place(2, ms(0)).0,
            7200,
            "the camera reconnected: stamps restart"
        );
        assert_eq!(t.place(2, ms(40)).0, 10800);
        // Out of order (B-frames, a clock going back): never backwards.
        assert_eq!(t.place(2, ms(20)).0, 14400);
    }
}
