//! A schedule as a client sends it.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Day {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

impl Day {
    /// Monday = 0 … Sunday = 6.
    pub fn index(self) -> usize {
        self as usize
    }
}

#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleInput {
    /// 1–100 characters.
    pub name: String,
    /// The program output the timelines run on.
    pub output_id: i64,
    /// An IANA time zone, e.g. "Europe/Berlin"; the window's times are wall-clock times there.
    pub time_zone: String,
    /// The days a window opens (an overnight window closes the next day).
    pub days: Vec<Day>,
    /// "HH:MM", 24-hour.
    pub start: String,
    /// "HH:MM"; earlier than `start` means the next day (an overnight window).
    pub end: String,
    /// Played in order; a timeline that does not loop hands over to the next, a looping one
    /// runs until the window closes.
    pub timeline_ids: Vec<i64>,
    #[serde(default = "enabled")]
    pub enabled: bool,
}

fn enabled() -> bool {
    true
}
