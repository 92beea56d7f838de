//! Where a timeline run is by the wall clock (TL-4), pure: a run stores the wall-clock
//! instant at which its elapsed time was some value (its anchor, moved at every start,
//! pause, resume and seek), so after a restart or a power cut it resumes at the position
//! wall-clock time implies, pauses accounted for.

use std::time::Duration;

use chrono::{DateTime, Utc};

/// A run's elapsed timeline time at `now`. A paused run stays where it was; a wall clock
/// set back before the anchor counts as no time passed (never a negative position).
pub fn elapsed_at(
    anchor_at: DateTime<Utc>,
    anchor_elapsed_ms: i64,
    paused: bool,
    now: DateTime<Utc>,
) -> Duration {
    let base = Duration::from_millis(u64::try_from(anchor_elapsed_ms).unwrap_or(0));
    if paused {
        return base;
    }
    let since = (now - anchor_at).to_std().unwrap_or(Duration::ZERO);
    base + since
}

/// Milliseconds of a duration as stored.
pub fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000 + secs, 0).expect("a valid time")
    }

    #[test]
    fn a_running_timeline_is_as_far_as_the_wall_clock_says() {
        assert_eq!(
            elapsed_at(t(0), 5_000, false, t(95)),
            Duration::from_secs(100)
        );
    }

    #[test]
    fn a_paused_timeline_stays_where_it_was_paused() {
        assert_eq!(
            elapsed_at(t(0), 5_000, true, t(3_600)),
            Duration::from_secs(5)
        );
    }

    #[test]
    fn a_clock_set_back_does_not_rewind_the_timeline() {
        assert_eq!(
            elapsed_at(t(100), 5_000, false, t(40)),
            Duration::from_secs(5)
        );
    }
}
