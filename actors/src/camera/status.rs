//! A camera's health as the API, the events and the metrics report it.

use serde::Serialize;

use crate::state::CameraState;

/// Snapshot of a camera's health.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CameraStatus {
    pub state: CameraState,
    pub reason: Option<String>,
    /// Milliseconds since the last frame (any stream), `None` before the first frame.
    pub last_frame_age_ms: Option<u64>,
    /// Video frames per second over the last few seconds.
    pub fps: f64,
    /// Received media bits per second over the last few seconds.
    pub bitrate_bps: u64,
    pub codec: Option<String>,
    pub profile: Option<String>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub audio_codec: Option<String>,
    /// Successful or failed reconnection attempts since the actor started.
    pub reconnects: u64,
    /// Seconds the current session has been streaming.
    pub uptime_s: Option<u64>,
    pub frames_total: u64,
}

impl CameraStatus {
    pub fn new(state: CameraState) -> Self {
        Self {
            state,
            reason: None,
            last_frame_age_ms: None,
            fps: 0.0,
            bitrate_bps: 0,
            codec: None,
            profile: None,
            width: None,
            height: None,
            audio_codec: None,
            reconnects: 0,
            uptime_s: None,
            frames_total: 0,
        }
    }

    pub fn disabled() -> Self {
        Self::new(CameraState::Disabled)
    }
}

/// Frame and byte counts over a sliding window of one-second buckets: fps and bitrate
/// without keeping every frame's size.
#[derive(Debug)]
pub struct RateWindow {
    buckets: [(u32, u64); RateWindow::SECONDS],
    current_second: u64,
}

impl RateWindow {
    const SECONDS: usize = 5;

    pub fn new() -> Self {
        Self {
            buckets: [(0, 0); Self::SECONDS],
            current_second: 0,
        }
    }

    /// Record one unit (`frames` 0 or 1, and its bytes) at `second` (a monotonic second count).
    pub fn record(&mut self, second: u64, frames: u32, bytes: u64) {
        self.advance(second);
        let slot = &mut self.buckets[(second % Self::SECONDS as u64) as usize];
        slot.0 += frames;
        slot.1 += bytes;
    }

    fn advance(&mut self, second: u64) {
        if second <= self.current_second {
            return;
        }
        let gap = (second - self.current_second).min(Self::SECONDS as u64);
        for s in 1..=gap {
            let idx = ((self.current_second + s) % Self::SECONDS as u64) as usize;
            self.buckets[idx] = (0, 0);
        }
        self.current_second = second;
    }

    /// (frames per second, bits per second) over the completed seconds of the window
    /// ending before `second`.
    pub fn rates(&mut self, second: u64) -> (f64, u64) {
        self.advance(second);
        let complete = Self::SECONDS as u64 - 1;
        let (mut frames, mut bytes) = (0u64, 0u64);
        for s in 1..=complete {
            if s > second {
                break;
            }
            let (f, b) = self.buckets[((second - s) % Self::SECONDS as u64) as usize];
            frames += u64::from(f);
            bytes += b;
        }
        let span = complete.min(second).max(1);
        (frames as f64 / span as f64, bytes * 8 / span)
    }
}

impl Default for RateWindow {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steady_stream_gives_its_rate() {
        let mut w = RateWindow::new();
        for second in 0..10u64 {
            for _ in 0..30 {
                w.record(second, 1, 10_000);
            }
        }
        let (fps, bps) = w.rates(10);
        assert_eq!(fps, 30.0);
        assert_eq!(bps, 30 * 10_000 * 8);
    }

    #[test]
    fn silence_decays_to_zero() {
        let mut w = RateWindow::new();
        for _ in 0..25 {
            w.record(3, 1, 1000);
        }
        let (fps, _) = w.rates(20);
        assert_eq!(fps, 0.0);
    }

    #[test]
    fn audio_bytes_count_without_frames() {
        let mut w = RateWindow::new();
        for second in 0..6u64 {
            w.record(second, 0, 1000);
        }
        let (fps, bps) = w.rates(6);
        assert_eq!(fps, 0.0);
        assert_eq!(bps, 8000);
    }
}
