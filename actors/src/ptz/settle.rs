//! Settled detection (PTZ-4), as a pure state machine fed with GetStatus readings, so its
//! edges are tested without a camera or a clock.
//!
//! A head has settled when it reports idle on both axis groups, or when its position stayed
//! put across two polls, and, when we know where it was sent and it reports positions, it is
//! there. Two guards against reading "idle" before the head has even started (many cameras
//! need a few hundred milliseconds to begin a move): a camera without positions must be idle
//! on two consecutive polls, and one with positions must be at the target or still across two
//! polls. The wait is bounded: cameras that never report idle (thingino-firmware#760) time out
//! instead of hanging the caller.

use std::time::Duration;

use super::device::{PtzReading, PtzVector};

/// Positions closer than this (normalized units) are "the same place".
pub const POSITION_EPSILON: f32 = 0.002;
/// A head this close to its target has arrived (the landing tolerance).
pub const TARGET_TOLERANCE: f32 = 0.01;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Verdict {
    Pending,
    Settled { position: Option<PtzVector> },
    TimedOut { position: Option<PtzVector> },
}

#[derive(Clone, Debug)]
pub struct SettleDetector {
    target: Option<PtzVector>,
    timeout: Duration,
    previous: Option<PtzReading>,
}

impl SettleDetector {
    pub fn new(target: Option<PtzVector>, timeout: Duration) -> Self {
        Self {
            target,
            timeout,
            previous: None,
        }
    }

    /// Feed one reading taken `elapsed` after the move was sent.
    pub fn observe(&mut self, reading: PtzReading, elapsed: Duration) -> Verdict {
        let previous = self.previous.replace(reading);
        let position = reading.position;
        let at_target = match (self.target, position) {
            (Some(t), Some(p)) => Some(t.distance(&p) <= TARGET_TOLERANCE),
            _ => None,
        };
        let still = match (previous.and_then(|r| r.position), position) {
            (Some(a), Some(b)) => a.distance(&b) <= POSITION_EPSILON,
            _ => false,
        };
        let settled = match position {
            // Positions known: at the target (if any) and not moving, or stopped short of it
            // (a limit, a clamped target) with both idle and still.
            Some(_) => match at_target {
                Some(true) => !reading.moving() && (reading.idle() || still),
                Some(false) => reading.idle() && still,
                None => !reading.moving() && still,
            },
            // No positions: two idle readings in a row.
            None => reading.idle() && previous.is_some_and(|p| p.idle()),
        };
        if settled {
            Verdict::Settled { position }
        } else if elapsed >= self.timeout {
            Verdict::TimedOut { position }
        } else {
            Verdict::Pending
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::device::MoveState::{self, *};
    use super::*;

    fn r(p: Option<(f32, f32, f32)>, pt: MoveState, z: MoveState) -> PtzReading {
        PtzReading {
            position: p.map(|(a, b, c)| PtzVector::new(a, b, c)),
            pan_tilt: pt,
            zoom: z,
        }
    }

    const T: Duration = Duration::from_secs(5);
    fn ms(v: u64) -> Duration {
        Duration::from_millis(v)
    }

    #[test]
    fn a_head_at_its_target_and_idle_has_settled_at_once() {
        let mut d = SettleDetector::new(Some(PtzVector::new(0.5, 0.0, 0.0)), T);
        let v = d.observe(r(Some((0.5, 0.0, 0.0)), Idle, Idle), ms(200));
        assert!(matches!(v, Verdict::Settled { .. }));
    }

    #[test]
    fn idle_before_the_head_starts_is_not_settled() {
        // Position known but not at the target: the camera has not started yet.
        let mut d = SettleDetector::new(Some(PtzVector::new(0.5, 0.0, 0.0)), T);
        assert_eq!(
            d.observe(r(Some((0.0, 0.0, 0.0)), Idle, Idle), ms(200)),
            Verdict::Pending
        );
        assert_eq!(
            d.observe(r(Some((0.2, 0.0, 0.0)), Moving, Idle), ms(400)),
            Verdict::Pending
        );
        assert!(matches!(
            d.observe(r(Some((0.5, 0.0, 0.0)), Idle, Idle), ms(600)),
            Verdict::Settled { .. }
        ));
    }

    #[test]
    fn a_camera_without_positions_needs_two_idle_polls() {
        let mut d = SettleDetector::new(None, T);
        assert_eq!(d.observe(r(None, Idle, Idle), ms(200)), Verdict::Pending);
        assert!(matches!(
            d.observe(r(None, Idle, Idle), ms(400)),
            Verdict::Settled { position: None }
        ));
        let mut d = SettleDetector::new(None, T);
        d.observe(r(None, Idle, Idle), ms(200));
        assert_eq!(d.observe(r(None, Moving, Idle), ms(400)), Verdict::Pending);
        assert_eq!(d.observe(r(None, Idle, Idle), ms(600)), Verdict::Pending);
    }

    #[test]
    fn a_camera_without_move_status_settles_when_its_position_stays_put() {
        let mut d = SettleDetector::new(None, T);
        assert_eq!(
            d.observe(r(Some((0.3, 0.1, 0.0)), Unknown, Unknown), ms(200)),
            Verdict::Pending
        );
        assert!(matches!(
            d.observe(r(Some((0.3, 0.1, 0.0)), Unknown, Unknown), ms(400)),
            Verdict::Settled { .. }
        ));
    }

    #[test]
    fn a_head_stopped_short_of_its_target_settles_when_idle_and_still() {
        let mut d = SettleDetector::new(Some(PtzVector::new(1.0, 0.0, 0.0)), T);
        assert_eq!(
            d.observe(r(Some((0.9, 0.0, 0.0)), Idle, Idle), ms(200)),
            Verdict::Pending
        );
        assert!(matches!(
            d.observe(r(Some((0.9, 0.0, 0.0)), Idle, Idle), ms(400)),
            Verdict::Settled { .. }
        ));
    }

    #[test]
    fn a_camera_that_never_reports_idle_times_out() {
        let mut d = SettleDetector::new(None, T);
        assert_eq!(
            d.observe(r(None, Unknown, Unknown), ms(4000)),
            Verdict::Pending
        );
        assert_eq!(
            d.observe(r(None, Unknown, Unknown), ms(5000)),
            Verdict::TimedOut { position: None }
        );
    }
}
