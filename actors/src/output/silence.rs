//! Silent AAC for relays: one AAC-LC frame of silence, encoded once and repeated.
//!
//! A relay copies video without decoding; platforms still want an audio track. Encoding
//! silence afresh for every frame (what `ffmpeg -f lavfi -i anullsrc -c:a aac` does) costs
//! more than the whole video copy, and every frame of steady silence encodes to the same
//! bytes, so one frame is made at start and then only timestamped.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use gstreamer as gst;
use gstreamer::prelude::*;
use gstreamer_app as gst_app;
use tokio::sync::watch;

use super::clock::RunningClock;
use super::elements::{element, launch};
use super::fanout::Fanout;

pub const SAMPLE_RATE: u32 = 48_000;
pub const SAMPLES_PER_FRAME: u32 = 1024;

/// When frame `n` starts, from the first. u128: `n * 1024 * 10^9` overflows u64 after about
/// four days of audio.
pub fn frame_offset(n: u64) -> Duration {
    let ns =
        u128::from(n) * u128::from(SAMPLES_PER_FRAME) * 1_000_000_000 / u128::from(SAMPLE_RATE);
    Duration::from_nanos(u64::try_from(ns).unwrap_or(u64::MAX))
}

/// One encoded frame of silence and the caps (with codec_data) to announce it with.
#[derive(Clone)]
pub struct SilentAac {
    pub frame: Bytes,
    pub caps: gst::Caps,
}

impl SilentAac {
    pub fn frame_duration() -> Duration {
        Duration::from_nanos(SAMPLES_PER_FRAME as u64 * 1_000_000_000 / SAMPLE_RATE as u64)
    }

    /// Encode a few frames of silence and keep one from the steady state (the first frames
    /// carry the encoder's priming). Blocking.
    pub fn encode(aac_encoder: &str, bitrate: u32) -> Result<Self, String> {
        let description = format!(
            "audiotestsrc wave=silence num-buffers=12 samplesperbuffer={SAMPLES_PER_FRAME} \
             ! audio/x-raw,format=S16LE,layout=interleaved,rate={SAMPLE_RATE},channels=2 \
             ! {aac_encoder} bitrate={bitrate} ! aacparse \
             ! audio/mpeg,mpegversion=4,stream-format=raw ! appsink name=sink sync=false"
        );
        let what = "the silence encoder";
        let pipeline = launch(&description, what)?;
        let sink: gst_app::AppSink = element(&pipeline, "sink", what)?;
        pipeline
            .set_state(gst::State::Playing)
            .map_err(|e| format!("starting the silence encoder: {e}"))?;
        let mut samples = Vec::new();
        while let Some(s) = sink.try_pull_sample(gst::ClockTime::from_seconds(5)) {
            samples.push(s);
        }
        let _ = pipeline.set_state(gst::State::Null);
        let sample = samples
            .get(samples.len().saturating_sub(3))
            .ok_or("the silence encoder produced nothing")?;
        let caps = sample.caps().ok_or("silent AAC without caps")?.to_owned();
        let buffer = sample.buffer().ok_or("silent AAC without data")?;
        let map = buffer
            .map_readable()
            .map_err(|e| format!("reading silent AAC: {e}"))?;
        Ok(Self {
            frame: Bytes::copy_from_slice(map.as_slice()),
            caps,
        })
    }

    /// Deliver the frame to the destinations at its pace, timestamped on the output's
    /// running clock, until `stop`: every `batch`, the frames that have begun by then (at
    /// least one frame's duration, so each wake-up delivers something).
    pub async fn run(
        self,
        fanout: Arc<Fanout>,
        clock: RunningClock,
        batch: Duration,
        mut stop: watch::Receiver<bool>,
    ) {
        let frame_duration = Self::frame_duration();
        let start = clock.now();
        let mut n: u64 = 0;
        let mut tick = tokio::time::interval(batch.max(frame_duration));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = stop.changed() => {
                    if *stop.borrow() { return; }
                }
            }
            // Catch up to the clock in whole frames (timestamps stay exact multiples).
            let now = clock.now();
            let at = |n: u64| start + frame_offset(n);
            while at(n) <= now {
                let pts = at(n);
                let mut buffer = gst::Buffer::from_slice(self.frame.clone());
                if let Some(b) = buffer.get_mut() {
                    let ts = gst::ClockTime::from_nseconds(pts.as_nanos() as u64);
                    b.set_pts(ts);
                    b.set_dts(ts);
                    b.set_duration(gst::ClockTime::from_nseconds(
                        frame_duration.as_nanos() as u64
                    ));
                }
                let sample = gst::Sample::builder()
                    .buffer(&buffer)
                    .caps(&self.caps)
                    .build();
                fanout.deliver_audio(&sample);
                n += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_times_stay_exact_for_months() {
        assert_eq!(frame_offset(3), Duration::from_nanos(64_000_000));
        // 30 days of 48 kHz audio in 1024-sample frames: no overflow, no drift.
        let n = 30 * 86_400 * 48_000 / 1024;
        assert_eq!(frame_offset(n), Duration::from_secs(30 * 86_400));
    }
}
