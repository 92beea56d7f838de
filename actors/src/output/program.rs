//! The program of an output in `program` mode: one decoder input per camera (on air or on
//! standby) as a layer of the program switch above the live slate, and the decision of what
//! is on screen. A cut is a change of layer alpha and z-order: no encoder restart, no
//! reconnect, timestamps continuous.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use gstreamer as gst;
use gstreamer::prelude::*;
use gstreamer_app as gst_app;
use tokio::sync::watch;

use super::clock::RunningClock;
use super::input::{Feeder, Target};
use super::overlay::Overlays;
use super::plan;
use super::spec::{OutputProfile, OutputSpec};
use super::switch::{ProgramSwitch, SwitchPad};
use super::timing::{self, Layer, choose_layer};
use super::transition::Entry;
use crate::camera::CameraRegistry;
use crate::state::Showing;

/// Numbers the input bins of all programs (see [`Program::add_input`]).
static NEXT_INPUT: AtomicU64 = AtomicU64::new(0);

pub(super) struct Program {
    profile: OutputProfile,
    mix: gst::Element,
    amix: gst::Element,
    inputs: HashMap<i64, ProgramInput>,
    /// The camera asked for, and when.
    requested: Option<i64>,
    cut_at: Instant,
    shown: Layer,
    next_zorder: u32,
    epoch: Instant,
    pub overlays: Arc<Overlays>,
}

struct ProgramInput {
    video_bin: gst::Bin,
    video_pad: gst::Pad,
    audio_bin: gst::Bin,
    audio_pad: gst::Pad,
    /// Milliseconds since the program's epoch of the last decoded picture, plus one.
    picture_ms: Arc<AtomicU64>,
    stop: watch::Sender<bool>,
}

/// What a new camera input needs from its output.
pub(super) struct InputContext<'a> {
    pub pipeline: &'a gst::Pipeline,
    pub clock: &'a RunningClock,
    pub cameras: &'a CameraRegistry,
    /// Frames the feeders skipped (a camera faster than the program takes).
    pub skipped: &'a Arc<AtomicU64>,
    /// Turns true when the whole output stops.
    pub output_stop: watch::Receiver<bool>,
}

impl Program {
    /// The program part of a started pipeline: its switch (with the overlays and slate of
    /// `spec`) and audio mixer; no camera input yet, the slate on screen.
    pub fn new(pipeline: &gst::Pipeline, spec: &OutputSpec) -> Result<Self, String> {
        let mix = pipeline
            .by_name("mix")
            .ok_or("pipeline without the program switch")?;
        let amix = pipeline
            .by_name("amix")
            .ok_or("pipeline without audiomixer")?;
        let overlays = Arc::new(Overlays::default());
        overlays.set_frame(spec.profile.width, spec.profile.height);
        overlays.set_slate(&spec.slate.text, spec.slate.image.clone());
        overlays.set_slate_visible(true);
        overlays.set_layers(spec.overlays.clone());
        mix.downcast_ref::<ProgramSwitch>()
            .ok_or("the program's mix is not the program switch")?
            .set_overlays(overlays.clone());
        Ok(Self {
            overlays,
            profile: spec.profile.clone(),
            mix,
            amix,
            inputs: HashMap::new(),
            requested: spec.camera_id,
            shown: Layer::Slate,
            cut_at: Instant::now(),
            next_zorder: 1,
            epoch: Instant::now(),
        })
    }

    /// What is on screen now (a program starts on its slate until a camera's picture comes).
    pub fn showing(&self) -> Showing {
        match self.shown {
            Layer::Camera(camera_id) => Showing::Camera { camera_id },
            Layer::Slate => Showing::Slate,
        }
    }

    pub fn input_ids(&self) -> Vec<i64> {
        self.inputs.keys().copied().collect()
    }

    pub fn has_input(&self, camera_id: i64) -> bool {
        self.inputs.contains_key(&camera_id)
    }

    /// Ask for `camera_id` on air from now on (what is shown follows in [`Self::decide`]).
    pub fn request(&mut self, camera_id: Option<i64>) {
        self.requested = camera_id;
        self.cut_at = Instant::now();
    }

    /// Decode a camera into a layer of the switch (hidden until chosen). Returns the feeder
    /// task to run, `None` when the camera has an input already.
    pub fn add_input(
        &mut self,
        camera_id: i64,
        ctx: InputContext<'_>,
    ) -> Result<Option<impl Future<Output = ()> + 'static>, String> {
        if self.inputs.contains_key(&camera_id) {
            return Ok(None);
        }
        let err = |what: &str, e: &dyn std::fmt::Display| {
            format!("camera {camera_id} input: {what}: {e}")
        };
        let video_bin =
            gst::parse::bin_from_description(&plan::program_camera_video(&self.profile), true)
                .map_err(|e| err("building the decoder", &e))?;
        let audio_bin = gst::parse::bin_from_description(&plan::program_camera_audio(), true)
            .map_err(|e| err("building the audio decoder", &e))?;
        // Unique names: a removed input's bins may still be on their way out.
        let n = NEXT_INPUT.fetch_add(1, Ordering::Relaxed);
        video_bin.set_property("name", format!("camera-{camera_id}-video-{n}"));
        audio_bin.set_property("name", format!("camera-{camera_id}-audio-{n}"));
        ctx.pipeline
            .add_many([
                video_bin.upcast_ref::<gst::Element>(),
                audio_bin.upcast_ref(),
            ])
            .map_err(|e| err("adding to the pipeline", &e))?;
        let video_pad = self
            .mix
            .request_pad_simple("sink_%u")
            .ok_or_else(|| err("switch pad", &"refused"))?;
        video_pad.set_property("alpha", 0.0f64);
        video_pad.set_property("zorder", self.next_zorder);
        self.next_zorder += 1;
        let audio_pad = self
            .amix
            .request_pad_simple("sink_%u")
            .ok_or_else(|| err("audio mixer pad", &"refused"))?;
        audio_pad.set_property("mute", true);
        let vsrc_pad = video_bin
            .static_pad("src")
            .ok_or_else(|| err("decoder", &"no src pad"))?;
        let asrc_pad = audio_bin
            .static_pad("src")
            .ok_or_else(|| err("audio decoder", &"no src pad"))?;
        vsrc_pad
            .link(&video_pad)
            .map_err(|e| err("linking video", &e))?;
        asrc_pad
            .link(&audio_pad)
            .map_err(|e| err("linking audio", &e))?;
        let show_from = Arc::new(AtomicU64::new(0));
        drop_pictures_not_to_show(&video_bin, show_from.clone(), ctx.clock.clone())
            .map_err(|e| err("watching the decoder", &e))?;
        let picture_ms = Arc::new(AtomicU64::new(0));
        {
            let picture_ms = picture_ms.clone();
            let epoch = self.epoch;
            vsrc_pad.add_probe(gst::PadProbeType::BUFFER, move |_, _| {
                picture_ms.store(epoch.elapsed().as_millis() as u64 + 1, Ordering::Relaxed);
                gst::PadProbeReturn::Ok
            });
        }
        video_bin
            .sync_state_with_parent()
            .map_err(|e| err("starting the decoder", &e))?;
        audio_bin
            .sync_state_with_parent()
            .map_err(|e| err("starting the audio decoder", &e))?;
        let appsrc = |bin: &gst::Bin| {
            bin.by_name("src")
                .and_then(|e| e.downcast::<gst_app::AppSrc>().ok())
                .ok_or_else(|| err("input", &"no appsrc"))
        };
        let (stop, input_stop) = watch::channel(false);
        let feeder = Feeder {
            camera_id,
            registry: ctx.cameras.clone(),
            clock: ctx.clock.clone(),
            video: Target::AppSrc(appsrc(&video_bin)?),
            audio: Some(Target::AppSrc(appsrc(&audio_bin)?)),
            skipped: ctx.skipped.clone(),
            on_first_frame: None,
            show_from: Some(show_from),
            // A program input is on the cut-latency path: every frame at once.
            batch: Duration::ZERO,
        };
        self.inputs.insert(
            camera_id,
            ProgramInput {
                video_bin,
                video_pad,
                audio_bin,
                audio_pad,
                picture_ms,
                stop,
            },
        );
        // The feeder ends with its input or with the whole output.
        let mut output_stop = ctx.output_stop;
        let mut input_stop = input_stop;
        Ok(Some(async move {
            let (tx, rx) = watch::channel(false);
            let forward = async {
                tokio::select! {
                    _ = input_stop.wait_for(|s| *s) => {}
                    _ = output_stop.wait_for(|s| *s) => {}
                }
                let _ = tx.send(true);
            };
            tokio::join!(feeder.run(rx), forward);
        }))
    }

    fn switch(&self) -> Option<&ProgramSwitch> {
        self.mix.downcast_ref::<ProgramSwitch>()
    }

    /// Put a camera (its input added already) on air from `at_ns` of running time, on the
    /// frame that reaches it (see [`super::transition`]).
    pub fn schedule_shot(&self, camera_id: i64, at_ns: u64, entry: Entry) -> Result<(), String> {
        let pad = self
            .inputs
            .get(&camera_id)
            .and_then(|i| i.video_pad.downcast_ref::<SwitchPad>())
            .ok_or_else(|| format!("camera {camera_id} has no input to schedule"))?;
        let switch = self.switch().ok_or("the program's mix is not the switch")?;
        switch.schedule_shot(pad, at_ns, entry);
        Ok(())
    }

    /// A timeline's overlay layers from `at_ns` of running time on.
    pub fn schedule_overlays(&self, at_ns: u64, layers: Vec<super::spec::OverlayLayer>) {
        self.overlays.schedule_timeline(at_ns, layers);
    }

    /// Forget every shot and overlay set scheduled after `now_ns`.
    pub fn clear_scheduled(&self, now_ns: u64) {
        if let Some(switch) = self.switch() {
            switch.clear_shots_after(now_ns);
        }
        self.overlays.clear_timeline_after(now_ns);
    }

    /// A scheduled shot fully on air by `now_ns` becomes what the layer rule shows (and the
    /// camera asked for), then the switch forgets it: returns that camera and what shows
    /// when that changed. The layer rule is set before the shot is dropped, so no frame in
    /// between falls back to the previous camera.
    pub fn settle_shots(
        &mut self,
        now_ns: u64,
        slate_after: Duration,
    ) -> Option<(i64, Option<Showing>)> {
        let switch = self.switch()?.clone();
        let pad = switch.settled_shot(now_ns)?;
        let camera_id = self
            .inputs
            .iter()
            .find(|(_, i)| i.video_pad == *pad.upcast_ref::<gst::Pad>())
            .map(|(id, _)| *id);
        let settled = camera_id.map(|id| {
            self.requested = Some(id);
            self.cut_at = Instant::now();
            (id, self.decide(slate_after))
        });
        switch.drop_settled(now_ns);
        settled
    }

    /// Take a camera's input out of the pipeline (its branch is stopped off the arbiter).
    pub fn remove_input(&mut self, camera_id: i64, pipeline: &gst::Pipeline) {
        let Some(input) = self.inputs.remove(&camera_id) else {
            return;
        };
        if let (Some(switch), Some(pad)) =
            (self.switch(), input.video_pad.downcast_ref::<SwitchPad>())
        {
            switch.unschedule(pad);
        }
        if self.shown == Layer::Camera(camera_id) {
            // Its layer is gone: the slate shows until the next decision says otherwise.
            self.shown = Layer::Slate;
            self.overlays.set_slate_visible(true);
        }
        let _ = input.stop.send(true);
        let mix = self.mix.clone();
        let amix = self.amix.clone();
        let pipeline = pipeline.clone();
        // Stopping a branch waits for its streaming thread: off the arbiter.
        tokio::task::spawn_blocking(move || {
            for (bin, pad, mixer) in [
                (input.video_bin, input.video_pad, mix),
                (input.audio_bin, input.audio_pad, amix),
            ] {
                let _ = bin.set_state(gst::State::Null);
                if let Some(src) = bin.static_pad("src") {
                    let _ = src.unlink(&pad);
                }
                mixer.release_request_pad(&pad);
                let _ = pipeline.remove(&bin);
            }
        });
    }

    /// The inputs of cameras neither wanted (on air or standby) nor shown.
    pub fn unneeded_inputs(&self, wanted: &[i64]) -> Vec<i64> {
        self.inputs
            .keys()
            .copied()
            .filter(|id| !wanted.contains(id) && self.shown != Layer::Camera(*id))
            .collect()
    }

    /// Decide what is on screen and apply it to the switch and the audio mixer; returns what
    /// shows when that changed.
    pub fn decide(&mut self, slate_after: Duration) -> Option<Showing> {
        let now_ms = self.epoch.elapsed().as_millis() as u64 + 1;
        let inputs = &self.inputs;
        let layer = choose_layer(
            self.requested,
            self.cut_at.elapsed(),
            self.shown,
            slate_after,
            |id| {
                inputs.get(&id).and_then(|i| {
                    let at = i.picture_ms.load(Ordering::Relaxed);
                    (at != 0).then(|| Duration::from_millis(now_ms.saturating_sub(at)))
                })
            },
        );
        if layer == self.shown {
            return None;
        }
        // The new layer goes on top first, then the others fade to zero: an output frame
        // composed in between shows the new picture, never a black one.
        if let Layer::Camera(id) = layer
            && let Some(input) = self.inputs.get(&id)
        {
            input.video_pad.set_property("zorder", self.next_zorder);
            self.next_zorder += 1;
            input.video_pad.set_property("alpha", 1.0f64);
            input.audio_pad.set_property("mute", false);
        }
        for (id, input) in &self.inputs {
            if layer != Layer::Camera(*id) {
                input.video_pad.set_property("alpha", 0.0f64);
                input.audio_pad.set_property("mute", true);
            }
        }
        self.shown = layer;
        self.overlays.set_slate_visible(layer == Layer::Slate);
        Some(self.showing())
    }
}

/// Drops, right after a camera's decoder, every picture the mixer would not show: the GOP
/// the camera actor handed over at subscription (stamped before `show_from`) and any frame
/// that arrives after the mixer stopped waiting for it (it would drop it as late). They are
/// still decoded, since later frames refer to them, but never converted, queued or held:
/// the handed-over GOP alone used to grow the decoder's pool to a dozen 1.4 MiB pictures,
/// and GstVideoDecoder ignores the DECODE_ONLY flag on its input.
fn drop_pictures_not_to_show(
    video_bin: &gst::Bin,
    show_from: Arc<AtomicU64>,
    clock: RunningClock,
) -> Result<(), &'static str> {
    let decoder_src = video_bin
        .by_name("dec")
        .and_then(|d| d.static_pad("src"))
        .ok_or("no decoder")?;
    let mixer_wait = Duration::from_millis(plan::MIXER_LATENCY_MS);
    decoder_src.add_probe(gst::PadProbeType::BUFFER, move |_, info| {
        let Some(pts) = info.buffer().and_then(|b| b.pts()) else {
            return gst::PadProbeReturn::Ok;
        };
        let before_subscription = pts.nseconds() < show_from.load(Ordering::Relaxed);
        let too_late =
            timing::is_too_late_to_show(timing::nanos(pts.into()), clock.now(), mixer_wait);
        if before_subscription || too_late {
            gst::PadProbeReturn::Drop
        } else {
            gst::PadProbeReturn::Ok
        }
    });
    Ok(())
}
