//! The recorder: the program's encoded streams into MP4 segments (no re-encode).
//!
//! Fed from the fan-out like a destination, so a slow disk never slows the program. Each
//! segment is named `output-<id>-<UTC start>-<n>.mp4`; the shell lists, serves and prunes
//! them. On stop the recorder sends end-of-stream and waits (bounded) so the last segment
//! is finalized and playable.

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use gstreamer as gst;
use gstreamer::prelude::*;
use gstreamer_app as gst_app;
use tokio::sync::watch;

use super::clock::RunningClock;
use super::elements::teardown;
use super::elements::{element, launch};
use super::fanout::{Fanout, Tap};
use super::plan;
use super::spec::RecordingSpec;
use crate::backoff::Backoff;

const MAX_QUEUE: Duration = Duration::from_secs(5);
/// Finalizing writes the MP4 index: milliseconds normally; bounded so shutdown stays quick.
const FINALIZE_TIMEOUT: Duration = Duration::from_millis(1500);

pub struct Recorder {
    pub output_id: i64,
    pub spec: RecordingSpec,
    pub fanout: Arc<Fanout>,
    pub clock: RunningClock,
}

/// The file name pattern of one recording run (splitmuxsink fills in the segment number).
/// Milliseconds in the start time: a run restarted within a second gets its own names.
pub fn segment_pattern(output_id: i64, started: chrono::DateTime<chrono::Utc>) -> String {
    format!(
        "output-{output_id}-{}-%05d.mp4",
        started.format("%Y%m%dT%H%M%S%.3fZ")
    )
}

impl Recorder {
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        let mut backoff = Backoff::standard();
        while !*stop.borrow() {
            match self.attempt(&mut stop).await {
                Ok(()) => return,
                Err(e) => {
                    tracing::warn!(output = self.output_id, dir = %self.spec.dir.display(), error = %e, "recording failed; restarting");
                    let delay = backoff.next_delay();
                    tokio::select! {
                        _ = tokio::time::sleep(delay) => {}
                        _ = stop.changed() => {}
                    }
                }
            }
        }
    }

    async fn attempt(&self, stop: &mut watch::Receiver<bool>) -> Result<(), String> {
        tokio::fs::create_dir_all(&self.spec.dir)
            .await
            .map_err(|e| format!("creating {}: {e}", self.spec.dir.display()))?;
        let segment_ns = self.spec.segment.as_nanos() as u64;
        let what = "the recorder";
        let pipeline = launch(&plan::recording(segment_ns), what)?;
        let vsrc: gst_app::AppSrc = element(&pipeline, "vsrc", what)?;
        let asrc: gst_app::AppSrc = element(&pipeline, "asrc", what)?;
        for src in [&vsrc, &asrc] {
            src.set_property("max-bytes", 0u64);
        }
        let rec = pipeline
            .by_name("rec")
            .ok_or("recorder without splitmuxsink")?;
        let location = self
            .spec
            .dir
            .join(segment_pattern(self.output_id, chrono::Utc::now()));
        rec.set_property("location", location.to_string_lossy().as_ref());
        self.clock.share_with(&pipeline);
        pipeline
            .set_state(gst::State::Playing)
            .map_err(|e| format!("starting the recorder: {e}"))?;
        let tap_id = "recorder".to_string();
        let tap = Tap::new(
            tap_id.clone(),
            vsrc.clone(),
            asrc.clone(),
            gst::ClockTime::from_nseconds(MAX_QUEUE.as_nanos() as u64),
        );
        self.fanout.attach(tap);
        let bus = pipeline.bus().ok_or("recorder without bus")?;
        let mut messages = bus.stream();
        let result = loop {
            tokio::select! {
                _ = stop.changed() => {
                    if *stop.borrow() { break Ok(()); }
                }
                msg = messages.next() => match msg {
                    None => break Err("recorder bus closed".to_string()),
                    Some(msg) => if let gst::MessageView::Error(e) = msg.view() {
                        break Err(format!("{}: {}", msg.src().map(|s| s.name().to_string()).unwrap_or_default(), e.error()));
                    }
                }
            }
        };
        self.fanout.detach(&tap_id);
        if result.is_ok() {
            // Finalize the open segment: EOS through the muxer, then wait for it.
            let _ = vsrc.end_of_stream();
            let _ = asrc.end_of_stream();
            let _ = tokio::time::timeout(FINALIZE_TIMEOUT, async {
                while let Some(msg) = messages.next().await {
                    if matches!(
                        msg.view(),
                        gst::MessageView::Eos(_) | gst::MessageView::Error(_)
                    ) {
                        break;
                    }
                }
            })
            .await;
        }
        teardown(pipeline).await;
        result
    }
}
