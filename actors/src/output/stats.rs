//! An output's counters, sampled once a second: frames and bytes out of the encoder (or the
//! relay), frames the feeders skipped, and whether the pipeline is stuck. Also the metrics.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::fanout::Fanout;

/// No encoded frame for this long while running: the pipeline is stuck; restart it.
pub(super) const WATCHDOG: Duration = Duration::from_secs(8);

pub(super) struct OutputStats {
    output: String,
    started_at: Instant,
    last_frames: u64,
    last_bytes: u64,
    last_progress: Instant,
    dropped_reported: u64,
    /// Frames the feeders skipped (shared with them).
    pub skipped: Arc<AtomicU64>,
}

/// One second's worth.
pub(super) struct Sample {
    pub fps: f64,
    pub bitrate_bps: u64,
    pub frames_total: u64,
    pub skipped_total: u64,
    pub uptime_s: u64,
    /// Frames flowed and none is overdue.
    pub live: bool,
    /// No frame for [`WATCHDOG`].
    pub stuck: bool,
}

impl OutputStats {
    pub fn new(output_id: i64) -> Self {
        Self {
            output: output_id.to_string(),
            started_at: Instant::now(),
            last_frames: 0,
            last_bytes: 0,
            last_progress: Instant::now(),
            dropped_reported: 0,
            skipped: Arc::default(),
        }
    }

    /// Read the counters (call once a second) and count them into the metrics.
    pub fn sample(&mut self, fanout: &Fanout) -> Sample {
        let frames = fanout.video_frames.load(Ordering::Relaxed);
        let bytes = fanout.video_bytes.load(Ordering::Relaxed);
        let new_frames = frames.saturating_sub(self.last_frames);
        metrics::counter!("vistter_output_frames_total", "output" => self.output.clone())
            .increment(new_frames);
        let skipped = self.skipped.load(Ordering::Relaxed);
        if skipped > self.dropped_reported {
            metrics::counter!("vistter_output_dropped_frames_total", "output" => self.output.clone())
                .increment(skipped - self.dropped_reported);
            self.dropped_reported = skipped;
        }
        if new_frames > 0 {
            self.last_progress = Instant::now();
        }
        let bitrate_bps = bytes.saturating_sub(self.last_bytes) * 8;
        self.last_frames = frames;
        self.last_bytes = bytes;
        let stuck = self.last_progress.elapsed() > WATCHDOG;
        Sample {
            fps: new_frames as f64,
            bitrate_bps,
            frames_total: frames,
            skipped_total: skipped,
            uptime_s: self.started_at.elapsed().as_secs(),
            live: frames > 0 && !stuck,
            stuck,
        }
    }
}
