//! Which of a schedule's timelines plays when (TL-5), pure: from the moment its window
//! opened, the timelines play in order; one that does not loop hands over to the next at
//! its end, a looping one plays until the window closes; when the list runs out (all of
//! them ended) it starts over from the first. Computed from the window's opening every
//! time, so a restart or a late tick lands on the same plan.

use std::time::Duration;

/// One timeline of the list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    pub duration: Duration,
    pub looping: bool,
}

/// The entry playing `elapsed` after the window opened, and how far into it.
pub fn slot(entries: &[Entry], elapsed: Duration) -> Option<(usize, Duration)> {
    let finite: Duration = entries
        .iter()
        .take_while(|e| !e.looping)
        .map(|e| e.duration)
        .sum();
    let loops = entries.iter().any(|e| e.looping);
    let mut left = if loops || finite.is_zero() {
        elapsed
    } else {
        Duration::from_nanos(u64::try_from(elapsed.as_nanos() % finite.as_nanos()).unwrap_or(0))
    };
    for (i, e) in entries.iter().enumerate() {
        if e.looping || left < e.duration {
            return Some((i, left));
        }
        left -= e.duration;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(secs: u64) -> Duration {
        Duration::from_secs(secs)
    }

    fn once(secs: u64) -> Entry {
        Entry {
            duration: s(secs),
            looping: false,
        }
    }

    #[test]
    fn timelines_that_end_hand_over_and_the_list_starts_over() {
        let list = [once(60), once(30)];
        assert_eq!(slot(&list, s(0)), Some((0, s(0))));
        assert_eq!(slot(&list, s(59)), Some((0, s(59))));
        assert_eq!(slot(&list, s(60)), Some((1, s(0))));
        assert_eq!(slot(&list, s(95)), Some((0, s(5))));
    }

    #[test]
    fn a_looping_timeline_plays_until_the_window_closes() {
        let list = [
            once(60),
            Entry {
                duration: s(30),
                looping: true,
            },
            once(10),
        ];
        assert_eq!(slot(&list, s(61)), Some((1, s(1))));
        assert_eq!(slot(&list, s(10_000)), Some((1, s(9_940))));
    }

    #[test]
    fn no_timeline_no_slot() {
        assert_eq!(slot(&[], s(5)), None);
    }
}
