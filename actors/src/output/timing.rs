//! Pure timing decisions of an output: camera timestamps onto the pipeline's running time,
//! and which layer (camera or slate) is on screen.

use std::time::Duration;

/// Maps one camera stream's timestamps (its RTP clock, counted from the RTSP session's
/// start) onto the output pipeline's running time, in signed nanoseconds: a frame that
/// arrived before the pipeline started (the GOP cached by the camera actor, handed over at
/// subscription) maps to a negative time, i.e. into the past, where it is decoded for
/// reference and never shown.
///
/// The camera's own clock keeps the spacing of frames (network jitter does not show in the
/// output); the anchor is the running time at which a frame was *received*. A new session, a
/// timestamp going backwards or a drift of more than `max_drift` from the arrival times
/// re-anchors (a discontinuity).
///
/// A mapper that *follows arrivals* (program inputs) also keeps the anchor at the earliest
/// arrival: a mixer holds every frame stamped ahead of its arrival until its time comes (one
/// full-size picture per frame interval) and drops every frame that arrives later than it
/// waits. So a frame that arrives earlier than its mapped time pulls the anchor back to it,
/// and when the earliest arrival over [`LATENESS_WINDOW`] of camera time is later than
/// [`LATENESS_SLACK`], the anchor moves forward by that much. Jitter then only ever makes
/// frames late (covered by the mixer's wait), and a camera clock that runs slower or faster
/// than ours is followed in steps of a few milliseconds instead of drifting until
/// `max_drift` (a second of lag or lead at ~50 ppm after 5 hours).
#[derive(Debug, Clone)]
pub struct TimestampMapper {
    anchor: Option<Anchor>,
    last: Option<i64>,
    max_drift: i64,
    follow_arrivals: bool,
    window: LatenessWindow,
}

/// Camera time over which the earliest arrival is taken before the anchor moves forward.
pub const LATENESS_WINDOW: Duration = Duration::from_secs(2);
/// Lateness of the earliest arrival in a window that is left alone.
pub const LATENESS_SLACK: Duration = Duration::from_millis(2);

#[derive(Debug, Clone, Copy)]
struct Anchor {
    session: u64,
    frame_pts: Duration,
    running: i64,
}

#[derive(Debug, Clone, Copy, Default)]
struct LatenessWindow {
    start_pts: Option<Duration>,
    min_lateness: i64,
}

/// A mapped timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mapped {
    /// Pipeline running time in nanoseconds; negative = before the pipeline started.
    pub running: i64,
    /// The mapping restarted here: downstream must treat it as a discontinuity.
    pub discont: bool,
}

/// Nanoseconds of a duration, saturating (a u64 of nanoseconds covers 584 years).
pub fn nanos(d: Duration) -> i64 {
    i64::try_from(d.as_nanos()).unwrap_or(i64::MAX)
}

impl TimestampMapper {
    /// Timestamps follow the camera clock; only a hard re-anchor corrects drift (relay:
    /// nothing downstream waits on the clock).
    pub fn new(max_drift: Duration) -> Self {
        Self {
            anchor: None,
            last: None,
            max_drift: nanos(max_drift),
            follow_arrivals: false,
            window: LatenessWindow::default(),
        }
    }

    /// Timestamps follow the camera clock, anchored at the earliest arrival (program inputs:
    /// a mixer waits on these timestamps).
    pub fn following_arrivals(max_drift: Duration) -> Self {
        Self {
            follow_arrivals: true,
            ..Self::new(max_drift)
        }
    }

    /// `received_running` = the pipeline running time (ns, negative before the pipeline
    /// started) at which the frame arrived.
    pub fn map(&mut self, session: u64, pts: Duration, received_running: i64) -> Mapped {
        let mapped = self.anchor.and_then(|a| {
            if a.session != session || pts < a.frame_pts {
                return None;
            }
            let running = a.running.saturating_add(nanos(pts - a.frame_pts));
            let lateness = received_running.saturating_sub(running);
            (lateness.abs() <= self.max_drift).then_some((running, lateness))
        });
        let (running, discont) = match mapped {
            Some((running, lateness)) if self.follow_arrivals => {
                (self.follow(pts, running, lateness), false)
            }
            Some((running, _)) => (running, false),
            None => {
                self.anchor = Some(Anchor {
                    session,
                    frame_pts: pts,
                    running: received_running,
                });
                self.window = LatenessWindow::default();
                (received_running, true)
            }
        };
        // Never hand out a timestamp at or before the previous one: decoders and muxers
        // downstream need them strictly increasing.
        let running = match self.last {
            Some(last) if running <= last => last + nanos(Duration::from_millis(1)),
            _ => running,
        };
        self.last = Some(running);
        Mapped { running, discont }
    }

    /// Moves the anchor so the earliest arrival lands on its own timestamp; returns the
    /// frame's corrected running time.
    fn follow(&mut self, pts: Duration, running: i64, lateness: i64) -> i64 {
        let Some(anchor) = self.anchor.as_mut() else {
            return running;
        };
        if lateness < 0 {
            // Arrived ahead of its timestamp: the new earliest arrival.
            anchor.running += lateness;
            self.window = LatenessWindow::default();
            return running + lateness;
        }
        let w = &mut self.window;
        let start = match w.start_pts {
            Some(start) => {
                w.min_lateness = w.min_lateness.min(lateness);
                start
            }
            None => {
                *w = LatenessWindow {
                    start_pts: Some(pts),
                    min_lateness: lateness,
                };
                pts
            }
        };
        if pts.saturating_sub(start) < LATENESS_WINDOW {
            return running;
        }
        // A whole window in which every frame came late: the camera clock runs slow (or the
        // path got longer). Move the anchor forward by the earliest lateness seen.
        let shift = w.min_lateness;
        *w = LatenessWindow::default();
        if shift > nanos(LATENESS_SLACK) {
            anchor.running += shift;
            return running + shift;
        }
        running
    }
}

/// Whether a camera picture stamped `running` is too old to be shown at pipeline time
/// `now`: the mixer would drop it as late (it waits `mixer_latency` for late inputs and no
/// longer), so it is dropped right after the decoder instead of being converted and queued.
pub fn is_too_late_to_show(running: i64, now: Duration, mixer_latency: Duration) -> bool {
    running.saturating_add(nanos(mixer_latency)) < nanos(now)
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

    /// Milliseconds as signed running-time nanoseconds.
    fn ms(v: i64) -> i64 {
        v * 1_000_000
    }

    #[test]
    fn only_frames_older_than_the_mixer_wait_are_decode_only() {
        let lat = MS(150);
        // A cached GOP handed over at subscription: its first frames arrived a second ago,
        // some before the pipeline started.
        assert!(is_too_late_to_show(ms(-500), MS(300), lat));
        assert!(is_too_late_to_show(ms(9_000), MS(10_000), lat));
        assert!(is_too_late_to_show(ms(9_849), MS(10_000), lat));
        // Within the mixer's wait (or in the future): shown.
        assert!(!is_too_late_to_show(ms(9_850), MS(10_000), lat));
        assert!(!is_too_late_to_show(ms(10_000), MS(10_000), lat));
        assert!(!is_too_late_to_show(ms(10_040), MS(10_000), lat));
    }

    #[test]
    fn frames_follow_the_camera_clock_not_the_arrival_jitter() {
        for mut m in [
            TimestampMapper::new(MS(1000)),
            TimestampMapper::following_arrivals(MS(1000)),
        ] {
            assert_eq!(
                m.map(1, MS(0), ms(5000)),
                Mapped {
                    running: ms(5000),
                    discont: true
                }
            );
            // Arrives 25 ms late: still stamped one frame interval after the first.
            assert_eq!(m.map(1, MS(40), ms(5065)).running, ms(5040));
            assert_eq!(m.map(1, MS(80), ms(5081)).running, ms(5080));
        }
    }

    #[test]
    fn a_new_session_or_drift_reanchors_and_stays_monotonic() {
        let mut m = TimestampMapper::new(MS(1000));
        m.map(1, MS(10_000), ms(100));
        let r = m.map(2, MS(0), ms(120));
        assert_eq!(
            r,
            Mapped {
                running: ms(120),
                discont: true
            }
        );
        // Camera clock runs 2 s ahead of arrival → drift → re-anchor at arrival time.
        let r = m.map(2, MS(2_160), ms(160));
        assert!(r.discont);
        assert_eq!(r.running, ms(160));
        // A re-anchor that would go backwards is nudged forward.
        let r = m.map(3, MS(0), ms(150));
        assert_eq!(r.running, ms(161));
    }

    #[test]
    fn a_gop_cached_before_the_pipeline_started_maps_into_the_past() {
        let mut m = TimestampMapper::following_arrivals(MS(1000));
        // The pipeline has run 300 ms; the cached keyframe was received 900 ms ago.
        let k = m.map(1, MS(0), ms(-600));
        let before_start = m.map(1, MS(500), ms(-100));
        let live = m.map(1, MS(900), ms(300));
        assert_eq!(k.running, ms(-600));
        assert_eq!(before_start.running, ms(-100));
        // The live frame is stamped with its own arrival, not 600 ms in the future.
        assert_eq!(live.running, ms(300));
        assert!(!live.discont);
    }

    /// Deterministic jitter in 0..20 ms.
    fn jitter(i: i64) -> i64 {
        (i * 7_919 % 20_000) * 1_000
    }

    /// Frames every 33 ms of camera time arriving with the camera clock off by `ppm`
    /// against ours (positive: the camera's clock is slow, so frames arrive later and later)
    /// and 0–20 ms of jitter, for ten minutes. Returns (worst early, worst late) of the
    /// mapped times against the arrivals, and whether they stayed strictly increasing with
    /// a single discontinuity.
    fn run_drifting_camera(ppm: i64) -> (i64, i64, bool) {
        let mut m = TimestampMapper::following_arrivals(MS(1000));
        let (mut early, mut late, mut ok) = (0i64, 0i64, true);
        let mut last = i64::MIN;
        for i in 0..18_000i64 {
            let camera = ms(33) * i;
            let arrival = ms(1_000) + camera + camera / 1_000_000 * ppm + jitter(i);
            let r = m.map(1, Duration::from_nanos(camera as u64), arrival);
            early = early.max(r.running - arrival);
            late = late.max(arrival - r.running);
            ok &= r.running > last && (i == 0) == r.discont;
            last = r.running;
        }
        (early, late, ok)
    }

    #[test]
    fn a_slow_camera_clock_is_followed_instead_of_drifting_late() {
        // 1000 ppm: 0.6 s behind after ten minutes without correction.
        let (early, late, ok) = run_drifting_camera(1_000);
        assert!(ok, "timestamps strictly increasing, one discontinuity");
        assert!(early <= 0, "never stamped ahead of its arrival: {early} ns");
        assert!(
            late < ms(25),
            "late by at most jitter + one window's drift: {late} ns"
        );
    }

    #[test]
    fn a_fast_camera_clock_is_followed_instead_of_drifting_early() {
        let (early, late, ok) = run_drifting_camera(-1_000);
        assert!(ok, "timestamps strictly increasing, one discontinuity");
        assert!(early <= 0, "never stamped ahead of its arrival: {early} ns");
        assert!(late < ms(25), "late by at most the jitter: {late} ns");
    }

    #[test]
    fn a_camera_clock_without_following_drifts_until_it_reanchors() {
        // The relay's mapper keeps the camera clock: the lag grows (nothing waits on it).
        let mut m = TimestampMapper::new(MS(1000));
        m.map(1, MS(0), ms(0));
        let r = m.map(1, MS(300_000), ms(300_300));
        assert_eq!(r.running, ms(300_000));
        assert!(!r.discont);
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
