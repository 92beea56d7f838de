//! The running time of an output: one clock and base time shared by the program pipeline,
//! the camera feeders, every destination's pipeline and the recorder, so they all stamp
//! buffers on the same time line.

use std::time::{Duration, Instant};

use gstreamer as gst;
use gstreamer::prelude::*;

use super::timing::nanos;

#[derive(Clone, Debug)]
pub struct RunningClock {
    pub clock: gst::Clock,
    pub base_time: gst::ClockTime,
}

impl RunningClock {
    /// Running time now.
    pub fn now(&self) -> Duration {
        let now = self.clock.time();
        Duration::from_nanos(now.saturating_sub(self.base_time).nseconds())
    }

    /// The running time (ns) at which something happened at `at`: negative when it happened
    /// before the pipeline started.
    pub fn at(&self, at: Instant) -> i64 {
        nanos(self.now()).saturating_sub(nanos(at.elapsed()))
    }

    /// Run `pipeline` on this clock and time line (a destination's or the recorder's own
    /// pipeline, fed from the program's).
    pub fn share_with(&self, pipeline: &gst::Pipeline) {
        pipeline.use_clock(Some(&self.clock));
        pipeline.set_base_time(self.base_time);
        pipeline.set_start_time(gst::ClockTime::NONE);
    }
}
