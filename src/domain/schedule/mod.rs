//! Schedules (TL-5): weekly windows in an IANA time zone that put timelines on an output.
//! What a client sends ([`input`]), the windows a schedule opens, DST-correct ([`window`]),
//! the rules it must meet ([`validate`]), and which timeline plays when ([`playlist`]).

pub mod input;
pub mod playlist;
pub mod validate;
pub mod window;

pub use input::*;
pub use validate::{ScheduleReferences, ValidSchedule, validate};
pub use window::{Weekly, Window, conflict, parse_clock, weekly_of};
