//! The rules a schedule must meet, as pure functions: a known zone, real times of day, a
//! window with a length, days and timelines named once, references that exist, and no
//! overlap with another schedule on the same output (named with the conflicting window).

use std::collections::HashSet;

use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::input::ScheduleInput;
use super::window::{Weekly, conflict, parse_clock};
use crate::domain::{FieldError, Validation, check_text};

/// The most timelines one window plays in turn.
pub const MAX_TIMELINES: usize = 50;

/// A schedule that meets every rule, with its weekly pattern ready to compute windows.
#[derive(Clone, Debug)]
pub struct ValidSchedule {
    pub input: ScheduleInput,
    pub weekly: Weekly,
}

/// What a schedule may refer to, and the other enabled schedules on its output.
#[derive(Clone, Debug, Default)]
pub struct ScheduleReferences {
    pub outputs: HashSet<i64>,
    pub timelines: HashSet<i64>,
    /// (name, pattern) of every other enabled schedule on the same output.
    pub others_on_output: Vec<(String, Weekly)>,
}

pub fn validate(
    input: &ScheduleInput,
    refs: &ScheduleReferences,
    now: Timestamp,
) -> Result<ValidSchedule, Vec<FieldError>> {
    let mut v = Validation::default();
    let mut clean = input.clone();
    clean.name = check_text(&mut v, "name", &input.name, 1, 100);
    if !refs.outputs.contains(&input.output_id) {
        v.error("output_id", format!("no output {}", input.output_id));
    }
    clean.time_zone = input.time_zone.trim().to_string();
    let zone = match TimeZone::get(&clean.time_zone) {
        Ok(zone) => Some(zone),
        Err(_) => {
            v.error(
                "time_zone",
                format!(
                    "{:?} is not an IANA time zone (e.g. Europe/Berlin, America/New_York, UTC)",
                    clean.time_zone
                ),
            );
            None
        }
    };
    let start = parse_clock(&input.start)
        .map_err(|m| v.error("start", m))
        .ok();
    let end = parse_clock(&input.end).map_err(|m| v.error("end", m)).ok();
    if let (Some(s), Some(e)) = (start, end)
        && s == e
    {
        v.error("end", "must differ from start (a window needs a length)");
    }
    let mut days = [false; 7];
    if input.days.is_empty() {
        v.error("days", "name at least one day");
    }
    for (i, day) in input.days.iter().enumerate() {
        if std::mem::replace(&mut days[day.index()], true) {
            v.error(&format!("days[{i}]"), "is named twice");
        }
    }
    if input.timeline_ids.is_empty() {
        v.error("timeline_ids", "name at least one timeline");
    } else if input.timeline_ids.len() > MAX_TIMELINES {
        v.error("timeline_ids", format!("at most {MAX_TIMELINES} timelines"));
    }
    for (i, id) in input.timeline_ids.iter().enumerate() {
        if !refs.timelines.contains(id) {
            v.error(&format!("timeline_ids[{i}]"), format!("no timeline {id}"));
        }
    }
    let (Some(zone), Some(start), Some(end)) = (zone, start, end) else {
        return Err(v.finish(()).err().unwrap_or_default());
    };
    let weekly = Weekly {
        zone,
        days,
        start,
        end,
    };
    if input.enabled && v.is_empty() {
        for (name, other) in &refs.others_on_output {
            if let Some(overlap) = conflict(&weekly, other, now) {
                v.error(
                    "start",
                    format!(
                        "overlaps schedule {name:?} on this output from {} to {}",
                        overlap
                            .start
                            .to_zoned(weekly.zone.clone())
                            .strftime("%a %Y-%m-%d %H:%M %Z"),
                        overlap
                            .end
                            .to_zoned(weekly.zone.clone())
                            .strftime("%H:%M %Z"),
                    ),
                );
            }
        }
    }
    v.finish(ValidSchedule {
        input: clean,
        weekly,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn refs() -> ScheduleReferences {
        ScheduleReferences {
            outputs: [1].into(),
            timelines: [5, 6].into(),
            others_on_output: vec![],
        }
    }

    fn body() -> serde_json::Value {
        json!({"name": "Weekdays", "output_id": 1, "time_zone": "Europe/Berlin",
               "days": ["monday", "tuesday"], "start": "06:00", "end": "22:00",
               "timeline_ids": [5, 6]})
    }

    fn fields(value: serde_json::Value, refs: &ScheduleReferences) -> Vec<String> {
        let input: ScheduleInput = serde_json::from_value(value).expect("a schedule body");
        match validate(&input, refs, Timestamp::UNIX_EPOCH) {
            Ok(_) => vec![],
            Err(e) => e.into_iter().map(|f| f.field).collect(),
        }
    }

    #[test]
    fn a_good_schedule_passes_and_is_enabled_by_default() {
        let input: ScheduleInput = serde_json::from_value(body()).expect("body");
        assert!(input.enabled);
        assert!(validate(&input, &refs(), Timestamp::UNIX_EPOCH).is_ok());
    }

    #[test]
    fn bad_times_zones_days_and_references_are_named() {
        let mut bad = body();
        bad["start"] = json!("25:00");
        bad["time_zone"] = json!("Mars/Olympus_Mons");
        bad["days"] = json!(["monday", "monday"]);
        bad["timeline_ids"] = json!([5, 9]);
        bad["output_id"] = json!(2);
        assert_eq!(
            fields(bad, &refs()),
            vec![
                "output_id",
                "time_zone",
                "start",
                "days[1]",
                "timeline_ids[1]"
            ]
        );
        let mut same = body();
        same["end"] = json!("06:00");
        assert_eq!(fields(same, &refs()), vec!["end"]);
        let mut empty = body();
        empty["days"] = json!([]);
        empty["timeline_ids"] = json!([]);
        assert_eq!(fields(empty, &refs()), vec!["days", "timeline_ids"]);
    }

    #[test]
    fn an_overlapping_schedule_on_the_output_is_refused_naming_the_window() {
        let mut refs = refs();
        refs.others_on_output.push((
            "Evenings".into(),
            Weekly {
                zone: TimeZone::get("Europe/Berlin").expect("zone"),
                days: [true, false, false, false, false, false, false],
                start: parse_clock("21:00").expect("time"),
                end: parse_clock("23:30").expect("time"),
            },
        ));
        let input: ScheduleInput = serde_json::from_value(body()).expect("body");
        let err = validate(&input, &refs, Timestamp::UNIX_EPOCH).expect_err("overlap");
        assert_eq!(err[0].field, "start");
        assert!(
            err[0].message.contains("\"Evenings\""),
            "{}",
            err[0].message
        );
        assert!(err[0].message.contains("21:00"), "{}", err[0].message);
        // Disabled, it does not compete for the output.
        let mut off = input;
        off.enabled = false;
        assert!(validate(&off, &refs, Timestamp::UNIX_EPOCH).is_ok());
    }
}
