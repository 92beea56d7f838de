//! Camera frames into an output pipeline: one feeder task per camera input.
//!
//! A feeder follows the camera through everything: it waits while the camera has no feed
//! (disabled, not yet started), subscribes (getting the cached GOP first, so a picture comes
//! at once), re-subscribes when the feed goes away and comes back, and maps the camera's
//! timestamps onto the program's running time.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use gstreamer as gst;
use gstreamer_app as gst_app;
use tokio::sync::watch;

use super::clock::RunningClock;
use super::fanout::Fanout;
use super::timing::{TimestampMapper, nanos};
use crate::camera::CameraRegistry;
use crate::camera::{Frame, MediaKind, VideoCodec};

/// A camera whose timestamps drift this far from the arrival times is re-anchored.
const MAX_DRIFT: Duration = Duration::from_secs(1);
/// How often a feeder looks for a camera that has no feed.
const FEED_POLL: Duration = Duration::from_millis(250);

/// Where a feeder puts a camera's H.264 (byte-stream access units) or AAC (ADTS frames).
pub enum Target {
    /// A program input's appsrc (decoded there).
    AppSrc(gst_app::AppSrc),
    /// A relay: straight to the destinations and the recorder, which repackage it (FLV,
    /// MP4) without any pipeline in between: a relayed frame crosses no extra thread.
    Fanout(Arc<Fanout>),
}

impl Target {
    fn push(&self, buffer: gst::Buffer, caps: &gst::Caps, kind: MediaKind) {
        match self {
            // Never blocks: the appsrc is leaky; a full queue means the pipeline is behind
            // and the oldest frames go.
            Target::AppSrc(src) => {
                let _ = src.push_buffer(buffer);
            }
            Target::Fanout(fanout) => {
                let sample = gst::Sample::builder().buffer(&buffer).caps(caps).build();
                match kind {
                    MediaKind::Video => fanout.deliver_video(&sample),
                    MediaKind::Audio => fanout.deliver_audio(&sample),
                }
            }
        }
    }
}

/// Called with the first video frame of every subscription; says whether the camera's
/// audio is to be passed on (a relay decides once which audio its stream carries).
pub type FirstFrameHook = Box<dyn FnMut(&Frame) -> bool + Send>;

pub struct Feeder {
    pub camera_id: i64,
    pub registry: CameraRegistry,
    pub clock: RunningClock,
    /// Where the camera's H.264 goes.
    pub video: Target,
    /// Where the camera's AAC goes (`None`: the output makes its own audio).
    pub audio: Option<Target>,
    /// Frames this input lost because it fell behind the camera.
    pub skipped: Arc<AtomicU64>,
    /// Called with the first video frame of every subscription (a relay decides its audio
    /// from the stream parameters). Without a hook the camera's audio always passes.
    pub on_first_frame: Option<FirstFrameHook>,
    /// Program inputs: set to the running time (ns) of every subscription. Pictures stamped
    /// earlier (the GOP the camera actor hands over) are decoded but dropped after the
    /// decoder. Timestamps then also follow the arrival times (the mixer holds early frames
    /// and drops late ones). `None` for a relay: timestamps keep the camera clock and the
    /// cached GOP goes out, so the destination starts on a keyframe.
    pub show_from: Option<Arc<AtomicU64>>,
    /// Hold frames this long and hand them over together (zero: each at once). A relay's
    /// destinations wake a few threads per delivery (appsrc, flvmux, the RTMP connection);
    /// delivering a tenth of a second at a time instead of every frame saves most of those
    /// wake-ups, which are most of a relay's CPU, for a delay no viewer notices.
    pub batch: Duration,
}

/// Frames held back by a batching feeder, in arrival order.
#[derive(Default)]
struct Held {
    frames: Vec<(MediaKind, gst::Buffer)>,
    /// When the oldest held frame is due.
    due: Option<tokio::time::Instant>,
}

impl Feeder {
    pub async fn run(mut self, mut stop: watch::Receiver<bool>) {
        let mut warned_codec = false;
        let video_caps = gst::Caps::builder("video/x-h264")
            .field("stream-format", "byte-stream")
            .field("alignment", "au")
            .build();
        let audio_caps = gst::Caps::builder("audio/mpeg")
            .field("mpegversion", 4i32)
            .field("stream-format", "adts")
            .build();
        // Audio passes once the first picture has shown what the camera sends.
        let mut pass_audio = self.on_first_frame.is_none();
        let mut held = Held::default();
        while !*stop.borrow() {
            let Some(feed) = self.registry.feed(self.camera_id) else {
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
                    _ = tokio::time::sleep_until(held.due.unwrap_or_else(tokio::time::Instant::now)),
                        if held.due.is_some() => {
                        self.release(&mut held, &video_caps, &audio_caps);
                        continue;
                    }
                    _ = stop.changed() => {
                        if *stop.borrow() { return; }
                        continue;
                    }
                };
                let Some(frame) = frame else {
                    self.release(&mut held, &video_caps, &audio_caps);
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
                                pass_audio = cb(&frame);
                            }
                        }
                        let m =
                            video_map.map(frame.session, frame.pts, received(&self.clock, &frame));
                        let ts = u64::try_from(m.running).unwrap_or_else(|_| {
                            before_start += 1_000;
                            before_start
                        });
                        let buffer = stamped(&frame, ts, m.discont);
                        if let Some(buffer) = self.hold(&mut held, MediaKind::Video, buffer) {
                            self.video.push(buffer, &video_caps, MediaKind::Video);
                        }
                    }
                    MediaKind::Audio => {
                        if let Some(target) = self.audio.as_ref().filter(|_| pass_audio)
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
                                let buffer = stamped(&frame, ts, m.discont);
                                if let Some(buffer) = self.hold(&mut held, MediaKind::Audio, buffer)
                                {
                                    target.push(buffer, &audio_caps, MediaKind::Audio);
                                }
                            }
                        }
                    }
                }
            }
            let lost = sub.skipped().saturating_sub(skipped_before);
            self.skipped.fetch_add(lost, Ordering::Relaxed);
        }
    }

    /// Keep `buffer` for the next batch; hands it back when this feeder does not batch.
    fn hold(&self, held: &mut Held, kind: MediaKind, buffer: gst::Buffer) -> Option<gst::Buffer> {
        if self.batch.is_zero() {
            return Some(buffer);
        }
        held.frames.push((kind, buffer));
        held.due
            .get_or_insert_with(|| tokio::time::Instant::now() + self.batch);
        None
    }

    /// Hand over every held frame, in order.
    fn release(&self, held: &mut Held, video_caps: &gst::Caps, audio_caps: &gst::Caps) {
        held.due = None;
        for (kind, buffer) in held.frames.drain(..) {
            match kind {
                MediaKind::Video => self.video.push(buffer, video_caps, kind),
                MediaKind::Audio => {
                    if let Some(audio) = &self.audio {
                        audio.push(buffer, audio_caps, kind);
                    }
                }
            }
        }
    }
}

/// The frame as a buffer (its data shared, not copied); `timestamp_ns`: its running time in
/// the output.
fn stamped(frame: &Frame, timestamp_ns: u64, discont: bool) -> gst::Buffer {
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
    buffer
}
