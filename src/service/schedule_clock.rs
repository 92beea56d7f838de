//! The schedules' clock (TL-5): real time, or a simulated one that starts at a chosen
//! instant and runs faster (configuration `schedules.simulated_start` / `simulated_rate`),
//! for drills and for tests of windows opening and closing.

use std::time::Instant;

use jiff::{SignedDuration, Timestamp};

use crate::config::ScheduleConfig;

#[derive(Clone, Debug)]
pub enum ScheduleClock {
    Real,
    Simulated {
        origin: Timestamp,
        started: Instant,
        rate: f64,
    },
}

impl ScheduleClock {
    pub fn from_config(config: &ScheduleConfig) -> Result<Self, String> {
        let start = config.simulated_start.trim();
        if start.is_empty() {
            return Ok(Self::Real);
        }
        let origin: Timestamp = start.parse().map_err(|e| {
            format!("schedules.simulated_start: {start:?} is not an RFC 3339 instant: {e}")
        })?;
        let rate = config.simulated_rate;
        if !(0.1..=3600.0).contains(&rate) {
            return Err(format!(
                "schedules.simulated_rate: must be 0.1 to 3600 (got {rate})"
            ));
        }
        tracing::warn!(start, rate, "schedules run on a simulated clock");
        Ok(Self::Simulated {
            origin,
            started: Instant::now(),
            rate,
        })
    }

    pub fn now(&self) -> Timestamp {
        match self {
            Self::Real => Timestamp::now(),
            Self::Simulated {
                origin,
                started,
                rate,
            } => {
                let elapsed = started.elapsed().as_secs_f64() * rate;
                origin
                    .checked_add(SignedDuration::from_secs_f64(elapsed))
                    .unwrap_or(*origin)
            }
        }
    }
}
