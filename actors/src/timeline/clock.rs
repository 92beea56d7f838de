//! The clock a timeline keeps time on, injectable: in production the system clock the
//! program pipelines run on (so a time the timeline names is a time the program's switch
//! understands), in tests a clock the test moves by hand.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use gstreamer as gst;
use gstreamer::prelude::*;

pub trait TimelineClock: Send + Sync + 'static {
    /// Monotonic time since an arbitrary origin.
    fn now(&self) -> Duration;
}

/// GStreamer's system clock (monotonic), the one every program pipeline uses.
pub struct SystemClock(gst::Clock);

impl SystemClock {
    pub fn obtain() -> Self {
        // Idempotent; the clock needs GStreamer's types registered.
        let _ = gst::init();
        Self(gst::SystemClock::obtain())
    }
}

impl TimelineClock for SystemClock {
    fn now(&self) -> Duration {
        Duration::from_nanos(self.0.time().nseconds())
    }
}

/// A clock that only moves when told to (tests, simulations).
#[derive(Clone, Default)]
pub struct ManualClock(Arc<Mutex<Duration>>);

impl ManualClock {
    pub fn set(&self, now: Duration) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = now;
    }

    pub fn advance(&self, by: Duration) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) += by;
    }
}

impl TimelineClock for ManualClock {
    fn now(&self) -> Duration {
        *self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}
