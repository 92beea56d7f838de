//! When things of a pass happen on a timeline's elapsed time (pure): the occurrences of
//! pass offsets (segment starts, preset recalls) inside a window of elapsed time, across the
//! passes of a looping timeline.

use std::time::Duration;

/// At most this many passes are walked for one window (a very short looping timeline).
const MAX_PASSES: u128 = 1_000;

/// Every `(elapsed, index)` with `times[index]` (offsets into a pass, sorted) landing in
/// `(after, until]` of elapsed time, in order. A timeline that does not loop has one pass;
/// offsets at or past `duration` never occur.
pub fn occurrences(
    times: &[Duration],
    duration: Duration,
    looping: bool,
    after: Duration,
    until: Duration,
) -> Vec<(Duration, usize)> {
    let mut out = Vec::new();
    if duration.is_zero() || until <= after {
        return out;
    }
    let length = duration.as_nanos();
    let (first, last) = if looping {
        (after.as_nanos() / length, until.as_nanos() / length)
    } else {
        (0, 0)
    };
    for pass in first..=last.min(first + MAX_PASSES) {
        let base = Duration::from_nanos(u64::try_from(pass * length).unwrap_or(u64::MAX));
        for (index, t) in times.iter().enumerate() {
            if *t >= duration {
                continue;
            }
            let elapsed = base + *t;
            if elapsed > after && elapsed <= until {
                out.push((elapsed, index));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(secs: u64) -> Duration {
        Duration::from_secs(secs)
    }

    #[test]
    fn a_window_takes_what_is_after_its_start_and_up_to_its_end() {
        let times = [s(0), s(10), s(20)];
        assert_eq!(
            occurrences(&times, s(30), false, s(0), s(10)),
            vec![(s(10), 1)]
        );
        assert_eq!(occurrences(&times, s(30), false, s(10), s(19)), vec![]);
    }

    #[test]
    fn a_looping_window_crosses_the_pass_boundary() {
        let times = [s(0), s(10), s(20)];
        assert_eq!(
            occurrences(&times, s(30), true, s(25), s(41)),
            vec![(s(30), 0), (s(40), 1)]
        );
        // Not looping: nothing after the end.
        assert_eq!(occurrences(&times, s(30), false, s(25), s(41)), vec![]);
    }

    #[test]
    fn an_offset_at_the_end_never_occurs() {
        assert_eq!(occurrences(&[s(30)], s(30), true, s(0), s(100)), vec![]);
    }
}
