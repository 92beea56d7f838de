//! Jittered exponential backoff: a pure decision, so its edges are unit-tested without I/O.

use std::time::Duration;

/// Exponential backoff with "equal jitter": the n-th delay is uniformly drawn from
/// `[d/2, d]` where `d = min(cap, base * 2^n)`. With `base = 1 s` the first retry comes
/// within one second; the delay never exceeds `cap`.
#[derive(Clone, Debug)]
pub struct Backoff {
    base: Duration,
    cap: Duration,
    attempt: u32,
}

impl Backoff {
    pub const fn new(base: Duration, cap: Duration) -> Self {
        Self {
            base,
            cap,
            attempt: 0,
        }
    }

    /// The policy DESIGN.md fixes for cameras and actor restarts: 1 s doubling to 30 s.
    pub const fn standard() -> Self {
        Self::new(Duration::from_secs(1), Duration::from_secs(30))
    }

    /// Number of delays handed out since the last reset.
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// The ceiling of the next delay, before jitter.
    pub fn ceiling(&self) -> Duration {
        let factor = 1u32.checked_shl(self.attempt.min(16)).unwrap_or(u32::MAX);
        self.base.saturating_mul(factor).min(self.cap)
    }

    /// Next delay; `unit` is a uniform sample in `[0, 1)` (injected so tests are exact).
    pub fn next_delay_with(&mut self, unit: f64) -> Duration {
        let ceiling = self.ceiling();
        self.attempt = self.attempt.saturating_add(1);
        let unit = unit.clamp(0.0, 1.0);
        ceiling / 2 + ceiling.mul_f64(unit / 2.0)
    }

    /// Next delay with a random jitter.
    pub fn next_delay(&mut self) -> Duration {
        self.next_delay_with(rand::random::<f64>())
    }

    pub fn reset(&mut self) {
        self.attempt = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_retry_is_within_one_second() {
        let mut b = Backoff::standard();
        let lo = b.clone().next_delay_with(0.0);
        let hi = b.next_delay_with(0.999_999);
        assert_eq!(lo, Duration::from_millis(500));
        assert!(hi < Duration::from_secs(1), "{hi:?}");
    }

    #[test]
    fn doubles_then_caps_at_thirty_seconds() {
        let mut b = Backoff::standard();
        let ceilings: Vec<u64> = (0..8)
            .map(|_| {
                let c = b.ceiling().as_secs();
                b.next_delay_with(0.5);
                c
            })
            .collect();
        assert_eq!(ceilings, vec![1, 2, 4, 8, 16, 30, 30, 30]);
        for _ in 0..100 {
            assert!(b.next_delay_with(1.0) <= Duration::from_secs(30));
        }
    }

    #[test]
    fn reset_starts_over() {
        let mut b = Backoff::standard();
        for _ in 0..10 {
            b.next_delay();
        }
        b.reset();
        assert_eq!(b.attempt(), 0);
        assert_eq!(b.ceiling(), Duration::from_secs(1));
    }

    #[test]
    fn jitter_spreads_delays() {
        let mut b = Backoff::standard();
        b.next_delay_with(0.0);
        b.next_delay_with(0.0);
        let mut a = b.clone();
        assert_ne!(a.next_delay_with(0.1), b.next_delay_with(0.9));
    }
}
