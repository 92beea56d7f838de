//! Messages a timeline actor takes (TL-3 controls), and what it answers.

use std::time::Duration;

use actix::prelude::*;

use super::run::TimelineRun;
use crate::state::TimelinePosition;

/// Stop the timeline's clock; the program stays on air with what it shows.
#[derive(Message)]
#[rtype(result = "Result<TimelinePosition, TimelineError>")]
pub struct Pause;

#[derive(Message)]
#[rtype(result = "Result<TimelinePosition, TimelineError>")]
pub struct Resume;

/// Go to an offset of the current pass (what is on screen there comes on air at once).
#[derive(Message)]
#[rtype(result = "Result<TimelinePosition, TimelineError>")]
pub struct Seek(pub Duration);

/// Go to the next video cue.
#[derive(Message)]
#[rtype(result = "Result<TimelinePosition, TimelineError>")]
pub struct Skip;

/// Pin a camera on air (the timeline keeps time but does not cut), or release the pin
/// (the timeline's camera comes back at once).
#[derive(Message)]
#[rtype(result = "Result<TimelinePosition, TimelineError>")]
pub struct Pin(pub Option<i64>);

/// Run the timeline's decisions now (its interval does it; tests on a manual clock too).
#[derive(Message)]
#[rtype(result = "TimelinePosition")]
pub struct Tick;

/// The timeline changed while running (edited): play on from the same time.
#[derive(Message)]
#[rtype(result = "()")]
pub struct ReplaceRun(pub TimelineRun);

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TimelineError {
    #[error("position {position_s} s is past the timeline's end ({duration_s} s)")]
    PastTheEnd { position_s: f64, duration_s: f64 },
}
