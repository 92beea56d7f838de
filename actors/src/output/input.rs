//! Camera frames into an output pipeline: one feeder task per camera input.
//!
//! A feeder follows the camera through everything: it waits while the camera has no feed
//! (disabled, not yet started), subscribes (getting the cached GOP first, so a picture comes
//! at once), re-subscribes when the feed goes away and comes back, and maps the camera's
//! timestamps onto the program's running time.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use gstreamer as gst;
use gstreamer::prelude::*;
use gstreamer_app as gst_app;
use tokio::sync::watch;

use super::timing::{TimestampMapper, nanos};
use crate::camera::{Frame, MediaKind, VideoCodec};
use crate::supervisor::CameraRegistry;

/// A camera whose timestamps drift this far from the arrival times is re-anchored.
const MAX_DRIFT: Duration = Duration::from_secs(1);
/// How often a feeder looks for a camera that has no feed.
const FEED_POLL: Duration = Duration::from_millis(250);

/// Running time of the program pipeline, computed from its clock.
#[derive(Clone)]
pub struct RunningClock {
    pub clock: gst::Clock,
    pub base_time: gst::ClockTime,
}

impl RunningClock {
    pub fn now(&self) -> Duration {
        let now = self.clock.time();
        Duration::from_nanos(now.saturating_sub(self.base_time).nseconds())
    }

    /// The running time (ns) at which something happened at `at`: negative when it happened
    /// before the pipeline started.
    pub fn at(&self, at: Instant) -> i64 {
        nanos(self.now()).saturating_sub(nanos(at.elapsed()))
    }
}

/// Where a feeder puts a camera's audio.
pub enum AudioSink {
    /// Drop it (the output makes its own audio).
    None,
    /// Push the camera's AAC (ADTS) here.
    Aac(gst_app::AppSrc),
}

/// Called with the first video frame of every subscription.
pub type FirstFrameHook = Box<dyn FnMut(&Frame) + Send>;

pub struct Feeder {
    pub camera_id: i64,
    pub registry: CameraRegistry,
    pub clock: RunningClock,
    /// Where the camera's H.264 goes (`None`: this feeder carries audio only).
    pub video: Option<gst_app::AppSrc>,
    pub audio: AudioSink,
    /// Frames this input lost because it fell behind the camera.
    pub skipped: Arc<AtomicU64>,
    /// Called once with the first video frame of every subscription (relay decides its
    /// audio from the stream parameters).
    pub on_first_frame: Option<FirstFrameHook>,
    /// Program inputs: set to the running time (ns) of every subscription. Pictures stamped
    /// earlier (the GOP the camera actor hands over) are decoded but dropped after the
    /// decoder. Timestamps then also follow the arrival times (the mixer holds early frames
    /// and drops late ones). `None` for a relay: timestamps keep the camera clock and the
    /// cached GOP goes out, so the destination starts on a keyframe.
    pub show_from: Option<Arc<AtomicU64>>,
}

impl Feeder {
    pub async fn run(mut self, mut stop: watch::Receiver<bool>) {
        let mut warned_codec = false;
        while !*stop.borrow() {
            let Some(feed) = self.registry.get(self.camera_id) else {
                tokio::select! {
                    _ = tokio::time::sleep(FEED_POLL) => {}
                    _ = stop.changed() => {}
                }
                continue;
            };
            let mut sub = feed.subscribe();
            drop(feed);
            // A relay's timestamps only need to be consistent: nothing waits on them, and the
            // cached GOP must go out (clamped to the pipeline's start). A program's mixer
            // waits on them: they follow arrivals, and the cached GOP lands in the past.
            let program = self.show_from.is_some();
            if let Some(show_from) = &self.show_from {
                show_from.store(nanos(self.clock.now()) as u64, Ordering::Relaxed);
            }
            let new_mapper = || {
                if program {
                    TimestampMapper::following_arrivals(MAX_DRIFT)
                } else {
                    TimestampMapper::new(MAX_DRIFT)
                }
            };
            let mut video_map = new_mapper();
            let mut audio_map = new_mapper();
            let received = |clock: &RunningClock, frame: &Frame| {
                let at = clock.at(frame.received);
                if program { at } else { at.max(0) }
            };
            // Frames from before the pipeline started get distinct microsecond stamps from
            // zero (parsers void repeated timestamps), all before `show_from`.
            let mut before_start = 0u64;
            let mut first = true;
            let skipped_before = sub.skipped();
            loop {
                let frame = tokio::select! {
                    f = sub.recv() => f,
                    _ = stop.changed() => {
                        if *stop.borrow() { return; }
                        continue;
                    }
                };
                let Some(frame) = frame else {
                    break; // camera disabled or deleted: wait for it to come back
                };
                match frame.kind {
                    MediaKind::Video => {
                        if frame.params.video.codec != VideoCodec::H264 {
                            if !warned_codec {
                                tracing::warn!(
                                    camera = self.camera_id,
                                    codec = frame.params.video.codec.as_str(),
                                    "outputs take H.264 cameras only; ignoring this camera's video"
                                );
                                warned_codec = true;
                            }
                            continue;
                        }
                        if first {
                            first = false;
                            if let Some(cb) = self.on_first_frame.as_mut() {
                                cb(&frame);
                            }
                        }
                        if let Some(video) = &self.video {
                            let m = video_map.map(
                                frame.session,
                                frame.pts,
                                received(&self.clock, &frame),
                            );
                            let ts = u64::try_from(m.running).unwrap_or_else(|_| {
                                before_start += 1_000;
                                before_start
                            });
                            push(video, &frame, ts, m.discont);
                        }
                    }
                    MediaKind::Audio => {
                        if let AudioSink::Aac(src) = &self.audio
                            && frame
                                .params
                                .audio
                                .as_ref()
                                .is_some_and(|a| a.codec == "aac")
                        {
                            let m = audio_map.map(
                                frame.session,
                                frame.pts,
                                received(&self.clock, &frame),
                            );
                            // Sound from before the pipeline started has no place in it.
                            if let Ok(ts) = u64::try_from(m.running) {
                                push(src, &frame, ts, m.discont);
                            }
                        }
                    }
                }
            }
            let lost = sub.skipped().saturating_sub(skipped_before);
            self.skipped.fetch_add(lost, Ordering::Relaxed);
        }
    }
}

/// `timestamp_ns`: running time of the frame in the program pipeline.
fn push(src: &gst_app::AppSrc, frame: &Frame, timestamp_ns: u64, discont: bool) {
    let mut buffer = gst::Buffer::from_slice(frame.data.clone());
    if let Some(b) = buffer.get_mut() {
        let ts = gst::ClockTime::from_nseconds(timestamp_ns);
        b.set_pts(ts);
        b.set_dts(ts);
        let mut flags = gst::BufferFlags::empty();
        if frame.kind == MediaKind::Video && !frame.keyframe {
            flags |= gst::BufferFlags::DELTA_UNIT;
        }
        if discont {
            flags |= gst::BufferFlags::DISCONT;
        }
        b.set_flags(flags);
    }
    // Never blocks: the appsrc is leaky; a full queue means the pipeline is behind and the
    // oldest frames go.
    let _ = src.push_buffer(buffer);
}
