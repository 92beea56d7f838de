//! Fan-out of a program's encoded streams to its destinations and its recorder.
//!
//! A program pipeline ends in two appsinks (H.264, AAC); a relay's feeder delivers the
//! camera's own access units here directly (no pipeline in between). Every sample is
//! handed to each attached [`Tap`] (a destination's or the recorder's own small pipeline)
//! by reference, no copy. A tap never slows the program: one that queues more than its limit loses frames
//! up to the next keyframe (counted as dropped), so what it sends next is decodable. A tap
//! starts at a keyframe, with the audio from that moment on.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use gstreamer as gst;
use gstreamer::prelude::*;
use gstreamer_app as gst_app;

use super::preview_tap::PreviewTap;

/// One consumer of the encoded streams.
pub struct Tap {
    pub id: String,
    vsrc: gst_app::AppSrc,
    asrc: gst_app::AppSrc,
    max_queue: gst::ClockTime,
    started: AtomicBool,
    pub dropped: AtomicU64,
}

impl Tap {
    pub fn new(
        id: String,
        vsrc: gst_app::AppSrc,
        asrc: gst_app::AppSrc,
        max_queue: gst::ClockTime,
    ) -> Arc<Self> {
        Arc::new(Self {
            id,
            vsrc,
            asrc,
            max_queue,
            started: AtomicBool::new(false),
            dropped: AtomicU64::new(0),
        })
    }

    fn push_video(&self, sample: &gst::Sample, keyframe: bool) -> bool {
        if !self.started.load(Ordering::Relaxed) {
            if !keyframe {
                return false;
            }
            self.started.store(true, Ordering::Relaxed);
        }
        if self.vsrc.current_level_time() > self.max_queue {
            // The consumer cannot keep up (slow or stuck ingest): skip to the next keyframe.
            self.started.store(false, Ordering::Relaxed);
            self.dropped.fetch_add(1, Ordering::Relaxed);
            return false;
        }
        let _ = self.vsrc.push_sample(sample);
        true
    }

    fn push_audio(&self, sample: &gst::Sample) {
        if self.started.load(Ordering::Relaxed) && self.asrc.current_level_time() <= self.max_queue
        {
            let _ = self.asrc.push_sample(sample);
        }
    }
}

/// The attached taps plus the program-side counters.
#[derive(Default)]
pub struct Fanout {
    taps: Mutex<Vec<Arc<Tap>>>,
    /// Set by a new tap: the next video sample should be a keyframe (see `wants_keyframe`).
    keyframe_wanted: AtomicBool,
    pub video_frames: AtomicU64,
    pub video_bytes: AtomicU64,
    /// The program's previews (set once, by a program's pipeline).
    preview: OnceLock<PreviewTap>,
}

impl Fanout {
    pub fn attach(&self, tap: Arc<Tap>) {
        self.taps
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(tap);
        self.keyframe_wanted.store(true, Ordering::Relaxed);
    }

    pub fn detach(&self, id: &str) {
        self.taps
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|t| t.id != id);
    }

    /// Whether a tap is waiting for a keyframe (the program asks its encoder for one, so a
    /// destination that (re)connects starts at once instead of after up to a GOP).
    pub fn take_keyframe_wish(&self) -> bool {
        self.keyframe_wanted.swap(false, Ordering::Relaxed)
    }

    /// Run `f` on every tap, under the lock: pushing into an appsrc never blocks (they are
    /// unbounded; a tap's own level check bounds them), and attach/detach are rare.
    fn for_each_tap(&self, f: impl Fn(&Tap)) {
        for tap in self.taps.lock().unwrap_or_else(|p| p.into_inner()).iter() {
            f(tap);
        }
    }

    /// Also hand the program's encoded picture to its previews.
    pub(super) fn set_preview(&self, tap: PreviewTap) {
        let _ = self.preview.set(tap);
    }

    /// A sample from the program's video appsink (timestamps in its own segment).
    fn push_video(&self, sample: &gst::Sample) {
        if let Some(restamped) = to_running_time(sample) {
            self.deliver_video(&restamped);
            if let Some(preview) = self.preview.get() {
                preview.push(&restamped);
            }
        }
    }

    /// A sample from the program's audio appsink (timestamps in its own segment).
    fn push_audio(&self, sample: &gst::Sample) {
        if let Some(restamped) = to_running_time(sample) {
            self.deliver_audio(&restamped);
        }
    }

    /// Hand one H.264 access unit, stamped in the program's running time, to every tap.
    pub fn deliver_video(&self, sample: &gst::Sample) {
        let Some(buffer) = sample.buffer() else {
            return;
        };
        self.video_frames.fetch_add(1, Ordering::Relaxed);
        self.video_bytes
            .fetch_add(buffer.size() as u64, Ordering::Relaxed);
        let keyframe = !buffer.flags().contains(gst::BufferFlags::DELTA_UNIT);
        self.for_each_tap(|tap| {
            tap.push_video(sample, keyframe);
        });
    }

    /// Hand one AAC frame, stamped in the program's running time, to every tap.
    pub fn deliver_audio(&self, sample: &gst::Sample) {
        self.for_each_tap(|tap| tap.push_audio(sample));
    }

    /// Wire the program's appsinks to this fan-out. Callbacks hold only a weak reference, so
    /// a dropped fan-out ends the flow instead of being kept alive by the pipeline.
    pub fn connect(self: &Arc<Self>, vout: &gst_app::AppSink, aout: &gst_app::AppSink) {
        let weak = Arc::downgrade(self);
        let video_sink_pad = vout.static_pad("sink");
        vout.set_callbacks(
            gst_app::AppSinkCallbacks::builder()
                .new_sample(move |sink| {
                    let sample = sink.pull_sample().map_err(|_| gst::FlowError::Eos)?;
                    let Some(fanout) = weak.upgrade() else {
                        return Err(gst::FlowError::Flushing);
                    };
                    fanout.push_video(&sample);
                    if fanout.take_keyframe_wish()
                        && let Some(pad) = &video_sink_pad
                    {
                        pad.push_event(force_key_unit_upstream());
                    }
                    Ok(gst::FlowSuccess::Ok)
                })
                .build(),
        );
        let weak = Arc::downgrade(self);
        aout.set_callbacks(
            gst_app::AppSinkCallbacks::builder()
                .new_sample(move |sink| {
                    let sample = sink.pull_sample().map_err(|_| gst::FlowError::Eos)?;
                    let Some(fanout) = weak.upgrade() else {
                        return Err(gst::FlowError::Flushing);
                    };
                    fanout.push_audio(&sample);
                    Ok(gst::FlowSuccess::Ok)
                })
                .build(),
        );
    }
}

/// The sample with its buffer's timestamps turned into running time (a shallow copy: the
/// data is shared). Encoders shift their output segment (x264enc starts it at 1000 h to
/// allow negative DTS); a tap's pipeline shares the program's clock and base time but not
/// its segments, so only running time means the same thing on both sides.
fn to_running_time(sample: &gst::Sample) -> Option<gst::Sample> {
    let buffer = sample.buffer()?;
    let segment = sample.segment()?.downcast_ref::<gst::ClockTime>()?;
    let pts = segment.to_running_time(buffer.pts()?)?;
    let dts = buffer
        .dts()
        .and_then(|d| segment.to_running_time(d))
        .filter(|d| *d <= pts)
        .unwrap_or(pts);
    let mut copy = buffer.copy();
    {
        let b = copy.get_mut()?;
        b.set_pts(pts);
        b.set_dts(dts);
    }
    let caps = sample.caps_owned();
    let mut builder = gst::Sample::builder().buffer(&copy);
    if let Some(caps) = &caps {
        builder = builder.caps(caps);
    }
    Some(builder.build())
}

/// The upstream "force key unit" event (what `gst_video_event_new_upstream_force_key_unit`
/// builds), asking the encoder for a keyframe with SPS/PPS as soon as possible.
fn force_key_unit_upstream() -> gst::Event {
    gst::event::CustomUpstream::new(
        gst::Structure::builder("GstForceKeyUnit")
            .field("running-time", u64::MAX)
            .field("all-headers", true)
            .field("count", 0u32)
            .build(),
    )
}
