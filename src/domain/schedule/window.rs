//! The windows a weekly schedule opens, in absolute time. A window is computed in civil time
//! in its zone and only then turned into instants, never by adding 24 h to the last one: a
//! window across a DST change is as long as the wall clock says (01:00–05:00 lasts three hours
//! the night the clocks go forward). A start time the clocks skip opens the window when the
//! clocks get there (02:30 → 03:30 that night); a time they pass twice means the first time.

use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};

/// "HH:MM" (24-hour) as a time of day.
pub fn parse_clock(text: &str) -> Result<Time, String> {
    let invalid = || format!("must be a time of day as HH:MM, 00:00 to 23:59 (got {text:?})");
    let (h, m) = text.split_once(':').ok_or_else(invalid)?;
    if h.len() != 2 || m.len() != 2 {
        return Err(invalid());
    }
    let hour: i8 = h.parse().map_err(|_| invalid())?;
    let minute: i8 = m.parse().map_err(|_| invalid())?;
    Time::new(hour, minute, 0, 0).map_err(|_| invalid())
}

/// The pattern of a stored schedule (validated when stored; `None` only if its zone is no
/// longer known).
pub fn weekly_of(
    time_zone: &str,
    days: &[super::input::Day],
    start: &str,
    end: &str,
) -> Option<Weekly> {
    let mut selected = [false; 7];
    for d in days {
        selected[d.index()] = true;
    }
    Some(Weekly {
        zone: TimeZone::get(time_zone).ok()?,
        days: selected,
        start: parse_clock(start).ok()?,
        end: parse_clock(end).ok()?,
    })
}

/// One opening of a schedule: from `start` (included) to `end` (excluded).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub start: Timestamp,
    pub end: Timestamp,
}

impl Window {
    pub fn contains(&self, at: Timestamp) -> bool {
        self.start <= at && at < self.end
    }
}

/// A weekly pattern: on each of `days` (Monday = 0), from `start` to `end` wall-clock time in
/// `zone`, the next day when `end` is not after `start`.
#[derive(Clone, Debug)]
pub struct Weekly {
    pub zone: TimeZone,
    pub days: [bool; 7],
    pub start: Time,
    pub end: Time,
}

impl Weekly {
    fn overnight(&self) -> bool {
        self.end <= self.start
    }

    /// The window that opens on `date` (a selected day), in absolute time.
    fn window_on(&self, date: Date) -> Option<Window> {
        let offset = usize::try_from(date.weekday().to_monday_zero_offset()).ok()?;
        if !self.days.get(offset).copied().unwrap_or(false) {
            return None;
        }
        let end_date = if self.overnight() {
            date.checked_add(1.day()).ok()?
        } else {
            date
        };
        let instant = |d: Date, t: Time| {
            self.zone
                .to_ambiguous_zoned(d.to_datetime(t))
                .compatible()
                .ok()
                .map(|z| z.timestamp())
        };
        Some(Window {
            start: instant(date, self.start)?,
            end: instant(end_date, self.end)?,
        })
    }

    /// The window open at `now`, else the next one to open (`None` when no day is selected).
    pub fn current_or_next(&self, now: Timestamp) -> Option<Window> {
        self.windows_from(now).next()
    }

    /// Every window that has not closed by `from`, in order.
    pub fn windows_from(&self, from: Timestamp) -> impl Iterator<Item = Window> + '_ {
        // Yesterday's overnight window may still be open.
        let first = from
            .to_zoned(self.zone.clone())
            .date()
            .checked_sub(1.day())
            .ok();
        let any_day = self.days.iter().any(|d| *d);
        std::iter::successors(first, |d| d.checked_add(1.day()).ok())
            .take(if any_day { usize::MAX } else { 0 })
            .filter_map(|date| self.window_on(date))
            .filter(move |w| w.end > from)
    }
}

/// The first moment within a year from `from` at which two schedules are both open, if any
/// (touching windows do not overlap). A year covers every DST change of both zones.
pub fn conflict(a: &Weekly, b: &Weekly, from: Timestamp) -> Option<Window> {
    let until = from
        .checked_add(jiff::SignedDuration::from_hours(24 * 372))
        .ok()?;
    let mut left = a
        .windows_from(from)
        .take_while(|w| w.start < until)
        .peekable();
    let mut right = b
        .windows_from(from)
        .take_while(|w| w.start < until)
        .peekable();
    while let (Some(x), Some(y)) = (left.peek().copied(), right.peek().copied()) {
        let start = x.start.max(y.start);
        let end = x.end.min(y.end);
        if start < end {
            return Some(Window { start, end });
        }
        if x.end <= y.end {
            left.next();
        } else {
            right.next();
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn weekly(zone: &str, days: &[usize], start: &str, end: &str) -> Weekly {
        let mut selected = [false; 7];
        for d in days {
            selected[*d] = true;
        }
        Weekly {
            zone: TimeZone::get(zone).expect("a zone in the bundled database"),
            days: selected,
            start: parse_clock(start).expect("start"),
            end: parse_clock(end).expect("end"),
        }
    }

    fn at(zone: &str, civil: &str) -> Timestamp {
        let dt: jiff::civil::DateTime = civil.parse().expect("a civil date-time");
        dt.in_tz(zone).expect("in zone").timestamp()
    }

    fn hours(w: Window) -> f64 {
        w.end.duration_since(w.start).as_secs_f64() / 3600.0
    }

    const MON: usize = 0;
    const TUE: usize = 1;
    const SAT: usize = 5;
    const SUN: usize = 6;

    #[test]
    fn times_of_day_are_two_digit_hours_and_minutes() {
        assert!(parse_clock("07:05").is_ok());
        assert!(parse_clock("23:59").is_ok());
        for bad in [
            "25:00", "24:00", "7:05", "07:5", "07-05", "", "ab:cd", "12:60",
        ] {
            assert!(parse_clock(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn an_overnight_window_closes_the_next_morning_and_is_open_after_midnight() {
        // Monday 22:00 to Tuesday 02:00, Berlin; 2024-06-03 was a Monday.
        let s = weekly("Europe/Berlin", &[MON], "22:00", "02:00");
        let w = s
            .current_or_next(at("Europe/Berlin", "2024-06-03T12:00"))
            .expect("a window");
        assert_eq!(w.start, at("Europe/Berlin", "2024-06-03T22:00"));
        assert_eq!(w.end, at("Europe/Berlin", "2024-06-04T02:00"));
        // At 01:00 on Tuesday, Monday's window is still the one open.
        let open = s
            .current_or_next(at("Europe/Berlin", "2024-06-04T01:00"))
            .expect("open");
        assert!(open.contains(at("Europe/Berlin", "2024-06-04T01:00")));
        assert_eq!(open, w);
        // At 02:00 it has closed; the next is a week later.
        let next = s
            .current_or_next(at("Europe/Berlin", "2024-06-04T02:00"))
            .expect("next");
        assert_eq!(next.start, at("Europe/Berlin", "2024-06-10T22:00"));
    }

    #[test]
    fn a_window_across_a_dst_change_is_as_long_as_the_wall_clock_says() {
        // Europe: forward on 2024-03-31 (a Sunday), back on 2024-10-27 (a Sunday).
        let night = weekly("Europe/Berlin", &[SUN], "01:00", "05:00");
        let spring = night
            .current_or_next(at("Europe/Berlin", "2024-03-30T12:00"))
            .expect("spring");
        assert_eq!(hours(spring), 3.0);
        let autumn = night
            .current_or_next(at("Europe/Berlin", "2024-10-26T12:00"))
            .expect("autumn");
        assert_eq!(hours(autumn), 5.0);
        // America: forward on 2026-03-08, back on 2026-11-01 (Sundays); an overnight window
        // from Saturday 22:00 to Sunday 06:00.
        let overnight = weekly("America/New_York", &[SAT], "22:00", "06:00");
        let spring = overnight
            .current_or_next(at("America/New_York", "2026-03-07T12:00"))
            .expect("spring");
        assert_eq!(hours(spring), 7.0);
        let autumn = overnight
            .current_or_next(at("America/New_York", "2026-10-31T12:00"))
            .expect("autumn");
        assert_eq!(hours(autumn), 9.0);
        // An ordinary week: eight hours.
        let plain = overnight
            .current_or_next(at("America/New_York", "2026-06-06T12:00"))
            .expect("plain");
        assert_eq!(hours(plain), 8.0);
    }

    #[test]
    fn a_start_the_clocks_skip_opens_when_they_get_there() {
        let s = weekly("Europe/Berlin", &[SUN], "02:30", "04:00");
        let w = s
            .current_or_next(at("Europe/Berlin", "2024-03-30T12:00"))
            .expect("window");
        // 02:30 does not exist that night: 03:30 summer time, half an hour before 04:00.
        assert_eq!(hours(w), 0.5);
        assert_eq!(w.end, at("Europe/Berlin", "2024-03-31T04:00"));
    }

    #[test]
    fn windows_follow_each_other_across_the_week_end() {
        let s = weekly("UTC", &[SUN, MON], "23:00", "01:00");
        let from = at("UTC", "2024-06-08T00:00"); // a Saturday
        let starts: Vec<_> = s.windows_from(from).take(3).map(|w| w.start).collect();
        assert_eq!(
            starts,
            vec![
                at("UTC", "2024-06-09T23:00"),
                at("UTC", "2024-06-10T23:00"),
                at("UTC", "2024-06-16T23:00"),
            ]
        );
        let none = weekly("UTC", &[], "10:00", "11:00");
        assert_eq!(none.current_or_next(from), None);
    }

    #[test]
    fn schedules_on_one_output_conflict_only_where_their_windows_overlap() {
        let from = at("UTC", "2024-06-01T00:00");
        let morning = weekly("UTC", &[MON], "10:00", "12:00");
        let late_morning = weekly("UTC", &[MON], "11:00", "13:00");
        let noon = weekly("UTC", &[MON], "12:00", "14:00");
        let c = conflict(&morning, &late_morning, from).expect("overlap");
        assert_eq!(c.start, at("UTC", "2024-06-03T11:00"));
        assert_eq!(c.end, at("UTC", "2024-06-03T12:00"));
        assert_eq!(
            conflict(&morning, &noon, from),
            None,
            "touching is not overlapping"
        );
        // An overnight Monday window reaches into Tuesday's early one.
        let night = weekly("UTC", &[MON], "22:00", "02:00");
        let early = weekly("UTC", &[TUE], "01:00", "03:00");
        assert!(conflict(&night, &early, from).is_some());
        // The same wall-clock hours in two zones an hour apart overlap by an hour.
        let berlin = weekly("Europe/Berlin", &[MON], "10:00", "12:00");
        let london = weekly("Europe/London", &[MON], "10:00", "12:00");
        let c = conflict(&berlin, &london, from).expect("overlap");
        assert_eq!(hours(c), 1.0);
    }
}
