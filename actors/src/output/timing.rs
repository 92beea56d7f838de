//! Pure timing decisions of an output: camera timestamps onto the pipeline's running time,
//! and which layer (camera or slate) is on screen.

use std::time::Duration;

/// Maps one camera stream's timestamps (its RTP clock, counted from the RTSP session's
/// start) onto the output pipeline's running time.
///
/// The camera's own clock keeps the spacing of frames (network jitter does not show in the
/// output); the anchor is the running time at which a frame was *received*, so a GOP backlog
/// handed over at subscription lands in the past (decoded for reference, not shown late)
/// rather than delaying everything after it. A new session, a timestamp going backwards or
/// a drift of more than `max_drift` from the arrival times re-anchors.
#[derive(Debug, Clone)]
pub struct TimestampMapper {
    anchor: Option<Anchor>,
    last: Option<Duration>,
    max_drift: Duration,
}

#[derive(Debug, Clone, Copy)]
struct Anchor {
    session: u64,
    frame_pts: Duration,
    running: Duration,
}

/// A mapped timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mapped {
    pub running: Duration,
    /// The mapping restarted here: downstream must treat it as a discontinuity.
    pub discont: bool,
}

impl TimestampMapper {
    pub fn new(max_drift: Duration) -> Self {
        Self {
            anchor: None,
            last: None,
            max_drift,
        }
    }

    /// `received_running` = the pipeline running time at which the frame arrived.
    pub fn map(&mut self, session: u64, pts: Duration, received_running: Duration) -> Mapped {
        let mapped = self.anchor.and_then(|a| {
            if a.session != session || pts < a.frame_pts {
                return None;
            }
            let running = a.running + (pts - a.frame_pts);
            let drift = running.abs_diff(received_running);
            (drift <= self.max_drift).then_some(running)
        });
        let (running, discont) = match mapped {
            Some(r) => (r, false),
            None => {
                self.anchor = Some(Anchor {
                    session,
                    frame_pts: pts,
                    running: received_running,
                });
                (received_running, true)
            }
        };
        // Never hand out a timestamp at or before the previous one: decoders and muxers
        // downstream need them strictly increasing.
        let running = match self.last {
            Some(last) if running <= last => last + Duration::from_millis(1),
            _ => running,
        };
        self.last = Some(running);
        Mapped { running, discont }
    }
}

/// What the program shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
    Camera(i64),
    Slate,
}

/// How long after a cut the previous camera stays on screen while the new one has no
/// picture yet (its decoder is starting from the cached GOP).
pub const PENDING_CUT_GRACE: Duration = Duration::from_secs(2);

/// Decide what is on screen.
///
/// - the camera asked for has a fresh picture → it;
/// - a cut happened less than [`PENDING_CUT_GRACE`] ago, the new camera has no picture yet
///   and the one shown before still has → keep the old one (no slate flash on a cut to a
///   camera whose decoder is just starting);
/// - otherwise → the slate.
///
/// `picture_age(camera)` is the time since the camera's branch last produced a decoded
/// picture (`None` = never); a picture older than `slate_after` is stale.
pub fn choose_layer(
    requested: Option<i64>,
    since_cut: Duration,
    shown: Layer,
    slate_after: Duration,
    picture_age: impl Fn(i64) -> Option<Duration>,
) -> Layer {
    let fresh = |id: i64| picture_age(id).is_some_and(|age| age < slate_after);
    match requested {
        Some(id) if fresh(id) => Layer::Camera(id),
        Some(id) => match shown {
            Layer::Camera(old) if old != id && since_cut < PENDING_CUT_GRACE && fresh(old) => {
                Layer::Camera(old)
            }
            _ => Layer::Slate,
        },
        None => Layer::Slate,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: fn(u64) -> Duration = Duration::from_millis;

    #[test]
    fn frames_follow_the_camera_clock_not_the_arrival_jitter() {
        let mut m = TimestampMapper::new(MS(1000));
        assert_eq!(
            m.map(1, MS(0), MS(5000)),
            Mapped {
                running: MS(5000),
                discont: true
            }
        );
        // Arrives 25 ms late: still stamped one frame interval after the first.
        assert_eq!(m.map(1, MS(40), MS(5065)).running, MS(5040));
        assert_eq!(m.map(1, MS(80), MS(5081)).running, MS(5080));
    }

    #[test]
    fn a_new_session_or_drift_reanchors_and_stays_monotonic() {
        let mut m = TimestampMapper::new(MS(1000));
        m.map(1, MS(10_000), MS(100));
        let r = m.map(2, MS(0), MS(120));
        assert_eq!(
            r,
            Mapped {
                running: MS(120),
                discont: true
            }
        );
        // Camera clock runs 2 s ahead of arrival → drift → re-anchor at arrival time.
        let r = m.map(2, MS(2_160), MS(160));
        assert!(r.discont);
        assert_eq!(r.running, MS(160));
        // A re-anchor that would go backwards is nudged forward.
        let r = m.map(3, MS(0), MS(150));
        assert_eq!(r.running, MS(161));
    }

    #[test]
    fn a_gop_backlog_lands_in_the_past() {
        let mut m = TimestampMapper::new(MS(1000));
        // Backlog: keyframe received 900 ms ago, handed over now (running 10 s).
        let k = m.map(1, MS(0), MS(9_100));
        let last = m.map(1, MS(880), MS(9_980));
        assert_eq!(k.running, MS(9_100));
        assert_eq!(last.running, MS(9_980));
    }

    fn ages(a: Option<u64>, b: Option<u64>) -> impl Fn(i64) -> Option<Duration> {
        move |id| match id {
            1 => a.map(MS),
            2 => b.map(MS),
            _ => None,
        }
    }

    #[test]
    fn fresh_camera_is_shown() {
        let l = choose_layer(Some(1), MS(0), Layer::Slate, MS(1000), ages(Some(10), None));
        assert_eq!(l, Layer::Camera(1));
    }

    #[test]
    fn stale_camera_gives_the_slate() {
        let l = choose_layer(
            Some(1),
            MS(60_000),
            Layer::Camera(1),
            MS(1000),
            ages(Some(1500), None),
        );
        assert_eq!(l, Layer::Slate);
        let l = choose_layer(
            Some(1),
            MS(60_000),
            Layer::Slate,
            MS(1000),
            ages(None, None),
        );
        assert_eq!(l, Layer::Slate);
        assert_eq!(
            choose_layer(None, MS(0), Layer::Slate, MS(1000), ages(Some(1), None)),
            Layer::Slate
        );
    }

    #[test]
    fn a_cut_to_a_camera_without_picture_keeps_the_old_one_briefly() {
        let during = choose_layer(
            Some(2),
            MS(500),
            Layer::Camera(1),
            MS(1000),
            ages(Some(10), None),
        );
        assert_eq!(during, Layer::Camera(1));
        let after = choose_layer(
            Some(2),
            MS(2500),
            Layer::Camera(1),
            MS(1000),
            ages(Some(10), None),
        );
        assert_eq!(after, Layer::Slate);
        // The old camera itself stale: slate at once.
        let stale = choose_layer(
            Some(2),
            MS(100),
            Layer::Camera(1),
            MS(1000),
            ages(Some(5000), None),
        );
        assert_eq!(stale, Layer::Slate);
    }
}
