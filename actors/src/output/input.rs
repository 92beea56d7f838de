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

use super::timing::TimestampMapper;
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

    /// The running time at which something happened at `at` (in the past).
    pub fn at(&self, at: Instant) -> Duration {
        self.now().saturating_sub(at.elapsed())
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
            let mut video_map = TimestampMapper::new(MAX_DRIFT);
            let mut audio_map = TimestampMapper::new(MAX_DRIFT);
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
                                self.clock.at(frame.received),
                            );
                            push(video, &frame, m.running, m.discont);
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
                                self.clock.at(frame.received),
                            );
                            push(src, &frame, m.running, m.discont);
                        }
                    }
                }
            }
            let lost = sub.skipped().saturating_sub(skipped_before);
            self.skipped.fetch_add(lost, Ordering::Relaxed);
        }
    }
}

fn push(src: &gst_app::AppSrc, frame: &Frame, running: Duration, discont: bool) {
    let mut buffer = gst::Buffer::from_slice(frame.data.clone());
    if let Some(b) = buffer.get_mut() {
        let ts = gst::ClockTime::from_nseconds(running.as_nanos() as u64);
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
