//! One destination of an output: its own small pipeline (FLV over RTMP/RTMPS) fed from the
//! output's fan-out, and its own reconnect loop with backoff.
//!
//! Isolation is the point: the program pipeline never waits for a destination. A dead
//! ingest shows up here (on this pipeline's bus, as rtmp2sink reports nothing else), is torn
//! down and rebuilt by itself, while the other destinations and the recorder keep their
//! frames.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use gstreamer as gst;
use gstreamer::prelude::*;
use gstreamer_app as gst_app;
use tokio::sync::watch;

use super::clock::RunningClock;
use super::elements::{describe_error, element, launch, teardown};
use super::fanout::{Fanout, Tap};
use super::plan;
use super::spec::DestinationTarget;
use super::status::StatusCell;
use crate::backoff::Backoff;
use crate::state::DestinationState;

/// A destination queueing more than this is too slow: it skips to the next keyframe.
const MAX_QUEUE: Duration = Duration::from_secs(3);
/// Connected or not, no byte accepted by the ingest for this long is a failure.
const NO_PROGRESS_TIMEOUT: Duration = Duration::from_secs(15);
/// Consecutive failures without ever going live after which the state says `failed`.
const FAILED_AFTER: u32 = 4;
/// Live this long → the next failure starts the backoff from the beginning.
const HEALTHY_RUN: Duration = Duration::from_secs(30);

pub struct Publisher {
    pub output_id: i64,
    pub target: DestinationTarget,
    pub fanout: Arc<Fanout>,
    pub clock: RunningClock,
    pub status: Arc<StatusCell>,
    /// The fan-out carries a relay's camera access units, to be parsed for FLV here.
    pub repackage: bool,
}

impl Publisher {
    fn labels(&self) -> [(&'static str, String); 2] {
        [
            ("output", self.output_id.to_string()),
            ("destination", self.target.id.to_string()),
        ]
    }

    fn set(&self, f: impl FnOnce(&mut super::status::DestinationStatus)) {
        self.status
            .update_destination(self.target.id, &self.target.name, false, f);
    }

    /// Publish until `stop` turns true, reconnecting after every failure.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        let mut backoff = Backoff::standard();
        let mut failures_without_live = 0u32;
        let mut first = true;
        // The one place that creates this destination's status row.
        self.status
            .update_destination(self.target.id, &self.target.name, true, |_| {});
        while !*stop.borrow() {
            self.set(|d| {
                d.state = if first {
                    DestinationState::Connecting
                } else if failures_without_live >= FAILED_AFTER {
                    DestinationState::Failed
                } else {
                    DestinationState::Reconnecting
                };
                d.uptime_s = None;
                d.bitrate_bps = 0;
            });
            first = false;
            let outcome = self.attempt(&mut stop).await;
            let Err(failure) = outcome else {
                break; // stopped
            };
            if failure.was_live_for >= HEALTHY_RUN {
                backoff.reset();
            }
            if failure.was_live_for.is_zero() {
                failures_without_live += 1;
            } else {
                failures_without_live = 0;
            }
            tracing::warn!(
                output = self.output_id,
                destination = self.target.id,
                url = %self.target.masked,
                error = %failure.message,
                "destination failed; reconnecting"
            );
            metrics::counter!("vistter_destination_reconnects_total", &self.labels()).increment(1);
            self.set(|d| {
                d.reconnects += 1;
                d.last_error = Some(failure.message.clone());
                d.state = if failures_without_live >= FAILED_AFTER {
                    DestinationState::Failed
                } else {
                    DestinationState::Reconnecting
                };
                d.uptime_s = None;
                d.bitrate_bps = 0;
            });
            let delay = backoff.next_delay();
            tokio::select! {
                _ = tokio::time::sleep(delay) => {}
                _ = stop.changed() => {}
            }
        }
        metrics::gauge!("vistter_destination_up", &self.labels()).set(0.0);
    }

    /// One connection: Ok(()) when stopped, Err when the destination failed.
    async fn attempt(&self, stop: &mut watch::Receiver<bool>) -> Result<(), Failure> {
        let built = match self.build() {
            Ok(b) => b,
            Err(message) => {
                return Err(Failure {
                    message,
                    was_live_for: Duration::ZERO,
                });
            }
        };
        let tap_id = format!("destination-{}", self.target.id);
        self.fanout.attach(built.tap.clone());
        let result = self.watch(&built, stop).await;
        self.fanout.detach(&tap_id);
        let dropped = built.tap.dropped.load(std::sync::atomic::Ordering::Relaxed);
        if dropped > 0 {
            metrics::counter!("vistter_output_dropped_frames_total", "output" => self.output_id.to_string())
                .increment(dropped);
            self.set(|d| d.dropped_frames += dropped);
        }
        teardown(built.pipeline).await;
        result
    }

    fn build(&self) -> Result<Built, String> {
        let what = "the publisher";
        let pipeline = launch(&plan::destination(self.repackage), what)?;
        let vsrc: gst_app::AppSrc = element(&pipeline, "vsrc", what)?;
        let asrc: gst_app::AppSrc = element(&pipeline, "asrc", what)?;
        let sink: gst::Element = element(&pipeline, "sink", what)?;
        sink.set_property("location", &self.target.url);
        for src in [&vsrc, &asrc] {
            src.set_property("max-bytes", 0u64);
        }
        // Same clock and base time as the program: its buffers' running times are valid here.
        self.clock.share_with(&pipeline);
        pipeline
            .set_state(gst::State::Playing)
            .map_err(|e| format!("starting the publisher: {e}"))?;
        let tap = Tap::new(
            format!("destination-{}", self.target.id),
            vsrc,
            asrc,
            gst::ClockTime::from_nseconds(MAX_QUEUE.as_nanos() as u64),
        );
        Ok(Built {
            pipeline,
            sink,
            tap,
        })
    }

    async fn watch(&self, built: &Built, stop: &mut watch::Receiver<bool>) -> Result<(), Failure> {
        let Some(bus) = built.pipeline.bus() else {
            return Err(Failure {
                message: "publisher pipeline without bus".into(),
                was_live_for: Duration::ZERO,
            });
        };
        let mut messages = bus.stream();
        let mut tick = tokio::time::interval(Duration::from_millis(500));
        let mut last_bytes = 0u64;
        let mut last_progress = Instant::now();
        let mut live_since: Option<Instant> = None;
        let mut window_start = (Instant::now(), 0u64);
        let labels = self.labels();
        let fail = |message: String, live_since: Option<Instant>| Failure {
            message: self.target.redact(&message),
            was_live_for: live_since.map(|t| t.elapsed()).unwrap_or_default(),
        };
        loop {
            tokio::select! {
                _ = stop.changed() => {
                    if *stop.borrow() {
                        return Ok(());
                    }
                }
                msg = messages.next() => {
                    let Some(msg) = msg else {
                        return Err(fail("publisher bus closed".into(), live_since));
                    };
                    match msg.view() {
                        gst::MessageView::Error(e) => {
                            let source = msg.src().map(|s| s.name().to_string()).unwrap_or_default();
                            return Err(fail(describe_error(&source, &e.error(), e.debug().as_deref()), live_since));
                        }
                        gst::MessageView::Eos(_) => {
                            return Err(fail("publisher reached end of stream".into(), live_since));
                        }
                        _ => {}
                    }
                }
                _ = tick.tick() => {
                    let bytes = out_bytes(&built.sink);
                    let delta = bytes.saturating_sub(last_bytes);
                    if bytes > last_bytes {
                        metrics::counter!("vistter_output_bytes_total", &labels).increment(delta);
                        last_bytes = bytes;
                        last_progress = Instant::now();
                        if live_since.is_none() {
                            live_since = Some(Instant::now());
                            tracing::info!(output = self.output_id, destination = self.target.id, url = %self.target.masked, "destination live");
                        }
                    } else if last_progress.elapsed() > NO_PROGRESS_TIMEOUT {
                        return Err(fail(format!("the ingest accepted no data for {} s", NO_PROGRESS_TIMEOUT.as_secs()), live_since));
                    }
                    let elapsed = window_start.0.elapsed();
                    let bitrate = if elapsed >= Duration::from_secs(1) {
                        let bps = (bytes.saturating_sub(window_start.1) as f64 * 8.0 / elapsed.as_secs_f64()) as u64;
                        window_start = (Instant::now(), bytes);
                        Some(bps)
                    } else {
                        None
                    };
                    self.set(|d| {
                        if let Some(since) = live_since {
                            d.state = DestinationState::Live;
                            d.uptime_s = Some(since.elapsed().as_secs());
                        }
                        d.bytes_total += delta;
                        if let Some(bps) = bitrate {
                            d.bitrate_bps = bps;
                        }
                    });
                }
            }
        }
    }
}

struct Built {
    pipeline: gst::Pipeline,
    sink: gst::Element,
    tap: Arc<Tap>,
}

struct Failure {
    message: String,
    was_live_for: Duration,
}

/// Bytes the RTMP connection has sent so far (0 before it is connected).
fn out_bytes(sink: &gst::Element) -> u64 {
    let stats = sink.property::<Option<gst::Structure>>("stats");
    stats
        .and_then(|s| {
            s.get::<u64>("out-bytes-total")
                .or_else(|_| s.get::<u64>("out-bytes-acked"))
                .ok()
        })
        .unwrap_or(0)
}
