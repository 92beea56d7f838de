//! When to restart a child that stopped: a pure decision, so its edges are unit-tested
//! without actors or clocks.
//!
//! The same policy serves every kind of child (cameras, PTZ devices, outputs, timelines):
//! a failure restarts after a jittered backoff (1 s doubling to 30 s), a child that ran
//! healthy for 60 s starts the backoff over, a planned restart (new settings that need a new
//! child) happens at once, and a child stopped on purpose is not restarted.

use std::time::{Duration, Instant};

use crate::backoff::Backoff;

/// A child that ran this long before failing was healthy: its next failure restarts as
/// quickly as a first one.
pub const HEALTHY_RUN: Duration = Duration::from_secs(60);

/// Why a child actor stopped, as it tells its supervisor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StopReason {
    /// Stopped on request (removed, disabled, the appliance shutting down): not restarted.
    Halted,
    /// Its settings changed in a way it cannot apply in place: restart it at once with the
    /// new settings (no backoff, not a failure).
    Restart,
    /// It failed (pipeline error, watchdog): restart it after a backoff.
    Failed(String),
}

/// The restart decisions for one child, across its restarts.
#[derive(Clone, Debug)]
pub struct RestartPolicy {
    backoff: Backoff,
    started_at: Instant,
    restarts: u64,
}

impl Default for RestartPolicy {
    fn default() -> Self {
        Self::new(Instant::now())
    }
}

impl RestartPolicy {
    pub fn new(now: Instant) -> Self {
        Self {
            backoff: Backoff::standard(),
            started_at: now,
            restarts: 0,
        }
    }

    /// A child was (re)started at `now`.
    pub fn started(&mut self, now: Instant) {
        self.started_at = now;
    }

    /// Restarts decided so far (planned ones included).
    pub fn restarts(&self) -> u64 {
        self.restarts
    }

    /// How long to wait before restarting a child that stopped at `now` for `reason`;
    /// `None` when it must not be restarted. `unit` is a uniform sample in `[0, 1)` for the
    /// jitter (injected so tests are exact).
    pub fn after_stop_with(
        &mut self,
        reason: &StopReason,
        now: Instant,
        unit: f64,
    ) -> Option<Duration> {
        let delay = match reason {
            StopReason::Halted => return None,
            StopReason::Restart => Duration::ZERO,
            StopReason::Failed(_) => {
                if now.saturating_duration_since(self.started_at) >= HEALTHY_RUN {
                    self.backoff.reset();
                }
                self.backoff.next_delay_with(unit)
            }
        };
        self.restarts += 1;
        Some(delay)
    }

    /// [`Self::after_stop_with`] with a random jitter.
    pub fn after_stop(&mut self, reason: &StopReason) -> Option<Duration> {
        self.after_stop_with(reason, Instant::now(), rand::random::<f64>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failed() -> StopReason {
        StopReason::Failed("pipeline error".into())
    }

    #[test]
    fn failures_back_off_up_to_the_cap() {
        let t0 = Instant::now();
        let mut p = RestartPolicy::new(t0);
        let delays: Vec<Duration> = (0..7)
            .map(|_| p.after_stop_with(&failed(), t0, 1.0).unwrap())
            .collect();
        let secs: Vec<u64> = delays.iter().map(|d| d.as_secs()).collect();
        assert_eq!(secs, vec![1, 2, 4, 8, 16, 30, 30]);
        assert_eq!(p.restarts(), 7);
        // The first retry of a fresh policy comes within a second, whatever the jitter.
        let mut fresh = RestartPolicy::new(t0);
        let first = fresh.after_stop_with(&failed(), t0, 0.0).unwrap();
        assert_eq!(first, Duration::from_millis(500));
    }

    #[test]
    fn a_healthy_run_starts_the_backoff_over() {
        let t0 = Instant::now();
        let mut p = RestartPolicy::new(t0);
        for _ in 0..4 {
            p.after_stop_with(&failed(), t0, 1.0);
        }
        // Restarted, then ran just under the healthy time: the backoff keeps growing.
        p.started(t0);
        let almost = t0 + HEALTHY_RUN - Duration::from_millis(1);
        assert_eq!(
            p.after_stop_with(&failed(), almost, 1.0),
            Some(Duration::from_secs(16))
        );
        // Restarted, then healthy for the whole period: back to the first delay.
        p.started(t0);
        assert_eq!(
            p.after_stop_with(&failed(), t0 + HEALTHY_RUN, 1.0),
            Some(Duration::from_secs(1))
        );
    }

    #[test]
    fn planned_restarts_are_immediate_and_halts_final() {
        let t0 = Instant::now();
        let mut p = RestartPolicy::new(t0);
        p.after_stop_with(&failed(), t0, 1.0);
        assert_eq!(
            p.after_stop_with(&StopReason::Restart, t0, 1.0),
            Some(Duration::ZERO)
        );
        // A planned restart does not advance the failure backoff.
        assert_eq!(
            p.after_stop_with(&failed(), t0, 1.0),
            Some(Duration::from_secs(2))
        );
        assert_eq!(p.after_stop_with(&StopReason::Halted, t0, 1.0), None);
        assert_eq!(p.restarts(), 3);
    }
}
