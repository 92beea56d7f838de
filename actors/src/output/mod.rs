//! OutputActor: one always-on program (or relay) publishing to its destinations.
//!
//! One long-lived GStreamer pipeline per running output. In `program` mode every camera
//! input is decoded into a layer of the program switch ([`switch`]) above a live slate, so a
//! cut is a change of layer alpha (no encoder restart, no reconnect, timestamps continuous)
//! and a camera outage shows the slate while the switch keeps producing frames. Audio always flows:
//! the on-air camera's AAC when it has one, silence otherwise. The encoded streams fan out
//! to one small publishing pipeline per destination (see [`publish`]), each with its own
//! queue and reconnect loop, and optionally to the recorder.
//!
//! GStreamer runs on its own threads; the actor only wires pipelines and reacts to
//! messages, so nothing here blocks the arbiter (stopping a pipeline, which can wait on a
//! network thread, happens on a blocking thread).

mod blend;
pub mod encoder;
mod fanout;
mod input;
pub mod overlay;
pub mod plan;
mod publish;
mod record;
pub mod silence;
pub mod spec;
mod status;
mod supervisor;
mod switch;
pub mod timing;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use actix::prelude::*;
use futures::StreamExt;
use gstreamer as gst;
use gstreamer::prelude::*;
use gstreamer_app as gst_app;
use tokio::sync::watch;

pub use spec::{
    DestinationTarget, EncoderChoice, OutputMode, OutputProfile, OutputSpec, RecordingSpec,
    SlateSpec, redact_secret,
};
pub use status::{
    DestinationState, DestinationStatus, OutputState, OutputStatus, Showing, StatusCell,
};
pub use supervisor::{
    BroadcastAsset, OutputHandle, OutputRegistry, OutputSupervisor, StartOutput, StopAllOutputs,
    StopOutput,
};

use fanout::Fanout;
use input::{Feeder, RunningClock, Target};
use plan::EncoderPlan;
use publish::{ProgramClock, Publisher, teardown};
use silence::SilentAac;
use timing::{Layer, choose_layer};

use crate::supervisor::CameraRegistry;

// ---- messages -------------------------------------------------------------------------------

/// Put a camera on air. Lands on the next output frame when the camera is decoded already
/// (on air or standby); otherwise its decoder starts and the old picture stays until the
/// new one is ready (at most [`timing::PENDING_CUT_GRACE`]).
#[derive(Message)]
#[rtype(result = "Result<(), OutputError>")]
pub struct Cut {
    pub camera_id: i64,
}

/// The output's settings changed. Destinations, standby cameras, the camera on air and the
/// slate text change in place; mode, profile, encoder or recording need a new pipeline.
#[derive(Message)]
#[rtype(result = "()")]
pub struct UpdateOutput(pub OutputSpec);

/// Replace the overlay layers (shown from the next frame; no pipeline change).
#[derive(Message)]
#[rtype(result = "()")]
pub struct SetOverlays(pub Vec<overlay::OverlayLayer>);

/// A new picture for an asset (a URL image refreshed): every layer showing it swaps.
#[derive(Message, Clone)]
#[rtype(result = "()")]
pub struct UpdateAsset {
    pub asset_id: i64,
    pub raster: Arc<overlay::Raster>,
}

/// Stop the output and wait until its pipelines are torn down.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Halt;

/// Sent to the output supervisor when an actor has stopped.
#[derive(Message)]
#[rtype(result = "()")]
pub struct OutputActorStopped {
    pub output_id: i64,
    pub incarnation: u64,
    /// Stopped because of a failure (restart it) rather than on request.
    pub failed: bool,
}

/// The pipeline is built (or could not be).
#[derive(Message)]
#[rtype(result = "()")]
struct Prepared(Result<Prepared2, String>);

/// Something on the program pipeline's bus that ends it.
#[derive(Message)]
#[rtype(result = "()")]
struct PipelineFailed(String);

/// An element inside one camera's input failed (a decoder giving up on a broken stream).
#[derive(Message)]
#[rtype(result = "()")]
struct InputFailed {
    camera_id: i64,
    reason: String,
}

/// The camera whose input bin (`camera-<id>-video-<n>` / `-audio-<n>`) holds `object`.
fn input_of(object: &gst::Object) -> Option<i64> {
    let mut current = Some(object.clone());
    while let Some(o) = current {
        let name = o.name();
        if let Some(rest) = name.strip_prefix("camera-")
            && let Some(id) = rest.split('-').next().and_then(|id| id.parse().ok())
        {
            return Some(id);
        }
        current = o.parent();
    }
    None
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

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("a relay output copies one camera; change its camera with an update instead")]
    RelayCannotCut,
    #[error("the output is not running")]
    NotRunning,
    #[error("{0}")]
    Pipeline(String),
}

// ---- actor ----------------------------------------------------------------------------------

/// Numbers the input bins of all programs (see `add_input`).
static NEXT_INPUT: AtomicU64 = AtomicU64::new(0);

/// No encoded frame for this long while running: the pipeline is stuck; restart it.
const WATCHDOG: Duration = Duration::from_secs(8);
/// A relay's feeder hands frames to the destinations this many at a time (see
/// `Feeder::batch`): three pictures at 30 fps.
const RELAY_BATCH: Duration = Duration::from_millis(100);
/// How often the program re-decides what is on screen.
const LAYER_TICK: Duration = Duration::from_millis(40);

pub struct OutputActor {
    spec: OutputSpec,
    incarnation: u64,
    cameras: CameraRegistry,
    status: Arc<StatusCell>,
    supervisor: Option<Recipient<OutputActorStopped>>,
    running: Option<RunningOutput>,
    stop_tx: watch::Sender<bool>,
    failed: bool,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

struct RunningOutput {
    pipeline: gst::Pipeline,
    clock: RunningClock,
    fanout: Arc<Fanout>,
    program: Option<Program>,
    publishers: HashMap<i64, (DestinationTarget, watch::Sender<bool>)>,
    started_at: Instant,
    last_frames: u64,
    last_bytes: u64,
    last_progress: Instant,
    dropped_reported: u64,
    skipped: Arc<AtomicU64>,
}

struct Program {
    profile: OutputProfile,
    mix: gst::Element,
    amix: gst::Element,
    inputs: HashMap<i64, ProgramInput>,
    requested: Option<i64>,
    shown: Layer,
    cut_at: Instant,
    next_zorder: u32,
    epoch: Instant,
    overlays: Arc<overlay::Overlays>,
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

/// What the blocking preparation hands back to the actor.
struct Prepared2 {
    encoder: Option<EncoderPlan>,
    silence: Option<SilentAac>,
}

impl OutputActor {
    pub fn new(
        spec: OutputSpec,
        incarnation: u64,
        cameras: CameraRegistry,
        status: Arc<StatusCell>,
        supervisor: Option<Recipient<OutputActorStopped>>,
    ) -> Self {
        let (stop_tx, _) = watch::channel(false);
        Self {
            spec,
            incarnation,
            cameras,
            status,
            supervisor,
            running: None,
            stop_tx,
            failed: false,
            tasks: Vec::new(),
        }
    }

    fn fail(&mut self, reason: String, ctx: &mut Context<Self>) {
        let reason = self.redact(&reason);
        tracing::error!(output = self.spec.id, error = %reason, "output failed");
        self.failed = true;
        self.status.update(|s| {
            s.state = OutputState::Failed;
            s.reason = Some(reason);
        });
        ctx.stop();
    }

    /// Scrub every destination's stream key from `text`.
    fn redact(&self, text: &str) -> String {
        self.spec
            .destinations
            .iter()
            .fold(text.to_string(), |t, d| d.redact(&t))
    }

    fn spawn(&mut self, fut: impl Future<Output = ()> + 'static) {
        self.tasks.retain(|t| !t.is_finished());
        self.tasks.push(actix::spawn(fut));
    }

    fn build(&mut self, prepared: Prepared2, ctx: &mut Context<Self>) -> Result<(), String> {
        let fanout = Arc::new(Fanout::default());
        let pipeline = match (&self.spec.mode, &prepared.encoder) {
            (OutputMode::Program, Some(enc)) => {
                let aac = plan::aac_encoder(|f| gst::ElementFactory::find(f).is_some());
                let what = "the program pipeline";
                switch::register().map_err(|e| format!("registering the program switch: {e}"))?;
                let pipeline = launch(&plan::program(&self.spec.profile, enc, aac), what)?;
                fanout.connect(
                    &element(&pipeline, "vout", what)?,
                    &element(&pipeline, "aout", what)?,
                );
                pipeline
            }
            (OutputMode::Program, None) => return Err("no encoder selected".into()),
            // A relay's feeder delivers the camera's frames to the fan-out itself; its
            // pipeline stays empty and only keeps the output's clock and base time.
            (OutputMode::Relay, _) => gst::Pipeline::new(),
        };
        pipeline.set_property("name", format!("output-{}", self.spec.id));
        pipeline.use_clock(Some(&gst::SystemClock::obtain()));
        pipeline
            .set_state(gst::State::Playing)
            .map_err(|e| format!("starting the pipeline: {e}"))?;
        let base_time = pipeline
            .base_time()
            .ok_or("the pipeline has no base time after starting")?;
        let clock = RunningClock {
            clock: gst::SystemClock::obtain(),
            base_time,
        };

        // Bus: an error inside one camera's input rebuilds that input only; any other error
        // ends the output (the supervisor restarts it).
        if let Some(bus) = pipeline.bus() {
            let addr = ctx.address();
            let mut messages = bus.stream();
            self.spawn(async move {
                while let Some(msg) = messages.next().await {
                    if let gst::MessageView::Error(e) = msg.view() {
                        let source = msg.src().map(|s| s.name().to_string()).unwrap_or_default();
                        let text =
                            publish::describe_error(&source, &e.error(), e.debug().as_deref());
                        match msg.src().and_then(input_of) {
                            Some(camera_id) => addr.do_send(InputFailed {
                                camera_id,
                                reason: text,
                            }),
                            None => {
                                addr.do_send(PipelineFailed(text));
                                return;
                            }
                        }
                    }
                }
            });
        }

        let skipped = Arc::new(AtomicU64::new(0));
        let program = match self.spec.mode {
            OutputMode::Program => {
                let mix = pipeline
                    .by_name("mix")
                    .ok_or("pipeline without the program switch")?;
                let amix = pipeline
                    .by_name("amix")
                    .ok_or("pipeline without audiomixer")?;
                let overlays = Arc::new(overlay::Overlays::default());
                overlays.set_frame(self.spec.profile.width, self.spec.profile.height);
                overlays.set_slate(&self.spec.slate.text, self.spec.slate.image.clone());
                overlays.set_slate_visible(true);
                overlays.set_layers(self.spec.overlays.clone());
                mix.downcast_ref::<switch::ProgramSwitch>()
                    .ok_or("the program's mix is not the program switch")?
                    .set_overlays(overlays.clone());
                Some(Program {
                    overlays,
                    profile: self.spec.profile.clone(),
                    mix,
                    amix,
                    inputs: HashMap::new(),
                    requested: self.spec.camera_id,
                    shown: Layer::Slate,
                    cut_at: Instant::now(),
                    next_zorder: 1,
                    epoch: Instant::now(),
                })
            }
            OutputMode::Relay => None,
        };
        self.running = Some(RunningOutput {
            pipeline: pipeline.clone(),
            clock: clock.clone(),
            fanout: fanout.clone(),
            program,
            publishers: HashMap::new(),
            started_at: Instant::now(),
            last_frames: 0,
            last_bytes: 0,
            last_progress: Instant::now(),
            dropped_reported: 0,
            skipped: skipped.clone(),
        });

        match self.spec.mode {
            OutputMode::Program => {
                for camera_id in self.spec.input_cameras() {
                    self.add_input(camera_id)?;
                }
                self.decide_layer();
                ctx.run_interval(LAYER_TICK, |act, _| act.decide_layer());
                // Clocks: re-rendered when their text changes.
                ctx.run_interval(Duration::from_millis(250), |act, _| {
                    if let Some(p) = act.running.as_ref().and_then(|r| r.program.as_ref()) {
                        p.overlays.tick();
                    }
                });
            }
            OutputMode::Relay => {}
        }
        for target in self.spec.destinations.clone() {
            self.start_publisher(target);
        }
        if let Some(rec) = self.spec.recording.clone() {
            let recorder = record::Recorder {
                output_id: self.spec.id,
                spec: rec,
                fanout: fanout.clone(),
                clock: ProgramClock {
                    clock: clock_of(&self.running),
                    base_time,
                },
            };
            let stop = self.stop_tx.subscribe();
            self.spawn(recorder.run(stop));
        }
        // A relay's feeder starts after the destinations have attached to the fan-out, so
        // the camera's cached GOP reaches them and they start on its keyframe at once.
        if self.spec.mode == OutputMode::Relay {
            self.start_relay_feeder(fanout, clock, skipped, prepared.silence)?;
        }
        let encoder_name = prepared.encoder.as_ref().map(|e| e.name().to_string());
        self.status.update(|s| {
            s.state = OutputState::Starting;
            s.reason = None;
            s.camera_id = self.spec.camera_id;
            s.encoder = encoder_name.or(Some("copy".into()));
        });
        ctx.run_interval(Duration::from_secs(1), |act, ctx| act.stats_tick(ctx));
        tracing::info!(output = self.spec.id, name = %self.spec.name, mode = self.spec.mode.as_str(), "output started");
        Ok(())
    }

    fn start_relay_feeder(
        &mut self,
        fanout: Arc<Fanout>,
        clock: RunningClock,
        skipped: Arc<AtomicU64>,
        silence: Option<SilentAac>,
    ) -> Result<(), String> {
        let Some(camera_id) = self.spec.camera_id else {
            return Err("a relay output needs a camera".into());
        };
        // The camera's own AAC is copied when it has one; otherwise silence. Decided on the
        // first frame (the stream parameters travel with it) and kept for this run: the
        // audio format of an FLV stream cannot change mid-stream.
        let (decision_tx, mut decision_rx) = watch::channel::<Option<bool>>(None);
        let on_first = Box::new(move |frame: &crate::camera::Frame| {
            if decision_tx.borrow().is_none() {
                let has_aac = frame
                    .params
                    .audio
                    .as_ref()
                    .is_some_and(|a| a.codec == "aac");
                let _ = decision_tx.send(Some(has_aac));
            }
            decision_tx.borrow().unwrap_or(false)
        }) as input::FirstFrameHook;
        let feeder = Feeder {
            camera_id,
            registry: self.cameras.clone(),
            clock: clock.clone(),
            video: Target::Fanout(fanout.clone()),
            audio: Some(Target::Fanout(fanout.clone())),
            skipped,
            on_first_frame: Some(on_first),
            show_from: None,
            batch: RELAY_BATCH,
        };
        let mut stop = self.stop_tx.subscribe();
        self.spawn(async move {
            // Silence, once the first frame has shown the camera has no AAC.
            let copies_camera_audio = loop {
                if let Some(c) = *decision_rx.borrow() {
                    break c;
                }
                tokio::select! {
                    r = decision_rx.changed() => if r.is_err() { return; },
                    _ = stop.changed() => if *stop.borrow() { return; },
                }
            };
            if !copies_camera_audio && let Some(silence) = silence {
                silence.run(fanout, clock, RELAY_BATCH, stop).await;
            }
        });
        self.spawn(feeder.run(self.stop_tx.subscribe()));
        Ok(())
    }

    fn add_input(&mut self, camera_id: i64) -> Result<(), String> {
        let Some(running) = self.running.as_mut() else {
            return Err("not running".into());
        };
        let Some(program) = running.program.as_mut() else {
            return Err("relay outputs have no inputs to add".into());
        };
        if program.inputs.contains_key(&camera_id) {
            return Ok(());
        }
        let ctx = |what: &str, e: &dyn std::fmt::Display| {
            format!("camera {camera_id} input: {what}: {e}")
        };
        let video_bin =
            gst::parse::bin_from_description(&plan::program_camera_video(&program.profile), true)
                .map_err(|e| ctx("building the decoder", &e))?;
        let audio_bin = gst::parse::bin_from_description(&plan::program_camera_audio(), true)
            .map_err(|e| ctx("building the audio decoder", &e))?;
        // Unique names: a removed input's bins may still be on their way out.
        let n = NEXT_INPUT.fetch_add(1, Ordering::Relaxed);
        video_bin.set_property("name", format!("camera-{camera_id}-video-{n}"));
        audio_bin.set_property("name", format!("camera-{camera_id}-audio-{n}"));
        running
            .pipeline
            .add_many([
                video_bin.upcast_ref::<gst::Element>(),
                audio_bin.upcast_ref(),
            ])
            .map_err(|e| ctx("adding to the pipeline", &e))?;
        let video_pad = program
            .mix
            .request_pad_simple("sink_%u")
            .ok_or_else(|| ctx("switch pad", &"refused"))?;
        video_pad.set_property("alpha", 0.0f64);
        video_pad.set_property("zorder", program.next_zorder);
        program.next_zorder += 1;
        let audio_pad = program
            .amix
            .request_pad_simple("sink_%u")
            .ok_or_else(|| ctx("audio mixer pad", &"refused"))?;
        audio_pad.set_property("mute", true);
        let vsrc_pad = video_bin
            .static_pad("src")
            .ok_or_else(|| ctx("decoder", &"no src pad"))?;
        let asrc_pad = audio_bin
            .static_pad("src")
            .ok_or_else(|| ctx("audio decoder", &"no src pad"))?;
        vsrc_pad
            .link(&video_pad)
            .map_err(|e| ctx("linking video", &e))?;
        asrc_pad
            .link(&audio_pad)
            .map_err(|e| ctx("linking audio", &e))?;
        let show_from = Arc::new(AtomicU64::new(0));
        drop_pictures_not_to_show(&video_bin, show_from.clone(), running.clock.clone())
            .map_err(|e| ctx("watching the decoder", &e))?;
        let picture_ms = Arc::new(AtomicU64::new(0));
        {
            let picture_ms = picture_ms.clone();
            let epoch = program.epoch;
            vsrc_pad.add_probe(gst::PadProbeType::BUFFER, move |_, _| {
                picture_ms.store(epoch.elapsed().as_millis() as u64 + 1, Ordering::Relaxed);
                gst::PadProbeReturn::Ok
            });
        }
        video_bin
            .sync_state_with_parent()
            .map_err(|e| ctx("starting the decoder", &e))?;
        audio_bin
            .sync_state_with_parent()
            .map_err(|e| ctx("starting the audio decoder", &e))?;
        let appsrc = |bin: &gst::Bin| {
            bin.by_name("src")
                .and_then(|e| e.downcast::<gst_app::AppSrc>().ok())
                .ok_or_else(|| ctx("input", &"no appsrc"))
        };
        let (stop, stop_rx) = watch::channel(false);
        let feeder = Feeder {
            camera_id,
            registry: self.cameras.clone(),
            clock: running.clock.clone(),
            video: Target::AppSrc(appsrc(&video_bin)?),
            audio: Some(Target::AppSrc(appsrc(&audio_bin)?)),
            skipped: running.skipped.clone(),
            on_first_frame: None,
            show_from: Some(show_from),
            // A program input is on the cut-latency path: every frame at once.
            batch: Duration::ZERO,
        };
        program.inputs.insert(
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
        // The whole output's stop also ends the feeder.
        let mut all_stop = self.stop_tx.subscribe();
        self.spawn(async move {
            let mut stop_rx = stop_rx;
            let (tx, rx) = watch::channel(false);
            let forward = async {
                tokio::select! {
                    _ = stop_rx.wait_for(|s| *s) => {}
                    _ = all_stop.wait_for(|s| *s) => {}
                }
                let _ = tx.send(true);
            };
            tokio::join!(feeder.run(rx), forward);
        });
        tracing::info!(
            output = self.spec.id,
            camera = camera_id,
            "camera input added"
        );
        Ok(())
    }

    fn remove_input(&mut self, camera_id: i64) {
        let Some(program) = self.running.as_mut().and_then(|r| r.program.as_mut()) else {
            return;
        };
        let Some(input) = program.inputs.remove(&camera_id) else {
            return;
        };
        if program.shown == Layer::Camera(camera_id) {
            // Its layer is gone: the slate shows until the next decision says otherwise.
            program.shown = Layer::Slate;
            program.overlays.set_slate_visible(true);
        }
        let _ = input.stop.send(true);
        let mix = program.mix.clone();
        let amix = program.amix.clone();
        let pipeline = self.running.as_ref().map(|r| r.pipeline.clone());
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
                if let Some(p) = &pipeline {
                    let _ = p.remove(&bin);
                }
            }
        });
    }

    /// Remove the decoders of cameras that are neither on air nor on standby.
    fn drop_unneeded_inputs(&mut self) {
        let wanted = self.spec.input_cameras();
        let current: Vec<i64> = self
            .running
            .as_ref()
            .and_then(|r| r.program.as_ref())
            .map(|p| p.inputs.keys().copied().collect())
            .unwrap_or_default();
        let shown = self
            .running
            .as_ref()
            .and_then(|r| r.program.as_ref())
            .map(|p| p.shown);
        for id in current {
            if !wanted.contains(&id) && shown != Some(Layer::Camera(id)) {
                self.remove_input(id);
            }
        }
    }

    /// Decide what is on screen and apply it to the switch and the audio mixer.
    fn decide_layer(&mut self) {
        let Some(program) = self.running.as_mut().and_then(|r| r.program.as_mut()) else {
            return;
        };
        let now_ms = program.epoch.elapsed().as_millis() as u64 + 1;
        let layer = choose_layer(
            program.requested,
            program.cut_at.elapsed(),
            program.shown,
            self.spec.slate_after,
            |id| {
                program.inputs.get(&id).and_then(|i| {
                    let at = i.picture_ms.load(Ordering::Relaxed);
                    (at != 0).then(|| Duration::from_millis(now_ms.saturating_sub(at)))
                })
            },
        );
        if layer == program.shown {
            return;
        }
        // The new layer goes on top first, then the others fade to zero: an output frame
        // composed in between shows the new picture, never a black one.
        if let Layer::Camera(id) = layer
            && let Some(input) = program.inputs.get(&id)
        {
            input.video_pad.set_property("zorder", program.next_zorder);
            program.next_zorder += 1;
            input.video_pad.set_property("alpha", 1.0f64);
            input.audio_pad.set_property("mute", false);
        }
        for (id, input) in &program.inputs {
            if layer != Layer::Camera(*id) {
                input.video_pad.set_property("alpha", 0.0f64);
                input.audio_pad.set_property("mute", true);
            }
        }
        program.shown = layer;
        program.overlays.set_slate_visible(layer == Layer::Slate);
        let showing = match layer {
            Layer::Camera(camera_id) => Showing::Camera { camera_id },
            Layer::Slate => Showing::Slate,
        };
        tracing::info!(output = self.spec.id, ?showing, "program shows");
        self.status.update(|s| s.showing = showing);
    }

    fn start_publisher(&mut self, target: DestinationTarget) {
        let Some(running) = self.running.as_mut() else {
            return;
        };
        if running.publishers.contains_key(&target.id) {
            return;
        }
        let (stop, stop_rx) = watch::channel(false);
        let publisher = Publisher {
            output_id: self.spec.id,
            target: target.clone(),
            fanout: running.fanout.clone(),
            clock: ProgramClock {
                clock: running.clock.clock.clone(),
                base_time: running.clock.base_time,
            },
            status: self.status.clone(),
            repackage: self.spec.mode == OutputMode::Relay,
        };
        running.publishers.insert(target.id, (target, stop));
        let mut all_stop = self.stop_tx.subscribe();
        self.spawn(async move {
            let (tx, rx) = watch::channel(false);
            let mut own = stop_rx;
            let forward = async {
                tokio::select! {
                    _ = own.wait_for(|s| *s) => {}
                    _ = all_stop.wait_for(|s| *s) => {}
                }
                let _ = tx.send(true);
            };
            tokio::join!(publisher.run(rx), forward);
        });
    }

    fn stop_publisher(&mut self, destination_id: i64) {
        if let Some(running) = self.running.as_mut()
            && let Some((_, stop)) = running.publishers.remove(&destination_id)
        {
            let _ = stop.send(true);
            self.status.remove_destination(destination_id);
        }
    }

    fn stats_tick(&mut self, ctx: &mut Context<Self>) {
        let Some(running) = self.running.as_mut() else {
            return;
        };
        let frames = running.fanout.video_frames.load(Ordering::Relaxed);
        let bytes = running.fanout.video_bytes.load(Ordering::Relaxed);
        let fps = frames.saturating_sub(running.last_frames) as f64;
        let bps = bytes.saturating_sub(running.last_bytes) * 8;
        let output = self.spec.id.to_string();
        metrics::counter!("vistter_output_frames_total", "output" => output.clone())
            .increment(frames.saturating_sub(running.last_frames));
        let skipped = running.skipped.load(Ordering::Relaxed);
        if skipped > running.dropped_reported {
            metrics::counter!("vistter_output_dropped_frames_total", "output" => output)
                .increment(skipped - running.dropped_reported);
            running.dropped_reported = skipped;
        }
        if frames > running.last_frames {
            running.last_progress = Instant::now();
        }
        running.last_frames = frames;
        running.last_bytes = bytes;
        let uptime = running.started_at.elapsed().as_secs();
        let stuck = running.last_progress.elapsed() > WATCHDOG;
        let live = frames > 0 && !stuck;
        let relay_camera = (self.spec.mode == OutputMode::Relay)
            .then_some(self.spec.camera_id)
            .flatten();
        self.status.update(|s| {
            if live {
                s.state = OutputState::Live;
                s.uptime_s = Some(uptime);
            }
            // A relay shows its camera while frames flow, nothing otherwise.
            if let Some(camera_id) = relay_camera {
                s.showing = if fps > 0.0 {
                    Showing::Camera { camera_id }
                } else {
                    Showing::Nothing
                };
            }
            s.fps = fps;
            s.bitrate_bps = bps;
            s.frames_total = frames;
            s.dropped_frames =
                skipped + s.destinations.iter().map(|d| d.dropped_frames).sum::<u64>();
        });
        if stuck {
            // A relay's camera being down is not a stuck pipeline: nothing to send.
            if self.spec.mode == OutputMode::Program {
                self.fail(
                    format!("no frame encoded for {} s", WATCHDOG.as_secs()),
                    ctx,
                );
            }
        }
    }
}

/// The pipeline of `description`; `what` names it in errors ("the publisher").
fn launch(description: &str, what: &str) -> Result<gst::Pipeline, String> {
    gst::parse::launch(description)
        .map_err(|e| format!("building {what}: {e}"))?
        .downcast::<gst::Pipeline>()
        .map_err(|_| format!("{what} is not a pipeline"))
}

/// The element `name` of `pipeline` as a `T` (an appsrc, an appsink), or an error naming both.
fn element<T: IsA<gst::Element>>(
    pipeline: &gst::Pipeline,
    name: &str,
    what: &str,
) -> Result<T, String> {
    pipeline
        .by_name(name)
        .and_then(|e| e.downcast::<T>().ok())
        .ok_or_else(|| format!("{what} without {name}"))
}

fn clock_of(running: &Option<RunningOutput>) -> gst::Clock {
    running
        .as_ref()
        .map(|r| r.clock.clock.clone())
        .unwrap_or_else(gst::SystemClock::obtain)
}

impl Actor for OutputActor {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        self.status.update(|s| {
            s.state = OutputState::Starting;
            s.reason = None;
            s.camera_id = self.spec.camera_id;
            s.showing = Showing::Nothing;
            s.destinations.clear();
        });
        let spec = self.spec.clone();
        // Encoder smoke tests and the silent AAC frame take a moment: a blocking thread.
        let prepare = tokio::task::spawn_blocking(move || -> Result<Prepared2, String> {
            match spec.mode {
                OutputMode::Program => Ok(Prepared2 {
                    encoder: Some(
                        encoder::select(spec.encoder, &spec.profile).map_err(|e| e.to_string())?,
                    ),
                    silence: None,
                }),
                OutputMode::Relay => {
                    let aac = plan::aac_encoder(|f| gst::ElementFactory::find(f).is_some());
                    Ok(Prepared2 {
                        encoder: None,
                        silence: Some(SilentAac::encode(
                            aac,
                            spec.profile.audio_bitrate_kbps * 1000,
                        )?),
                    })
                }
            }
        });
        let addr = ctx.address();
        actix::spawn(async move {
            let result = match prepare.await {
                Ok(r) => r,
                Err(e) => Err(format!("preparing the output: {e}")),
            };
            addr.do_send(Prepared(result));
        });
    }

    fn stopping(&mut self, _ctx: &mut Self::Context) -> Running {
        let _ = self.stop_tx.send(true);
        if let Some(running) = self.running.take() {
            actix::spawn(teardown(running.pipeline));
        }
        Running::Stop
    }

    fn stopped(&mut self, _ctx: &mut Self::Context) {
        if !self.failed {
            self.status.update(|s| {
                s.state = OutputState::Stopped;
                s.reason = None;
                s.showing = Showing::Nothing;
                s.fps = 0.0;
                s.bitrate_bps = 0;
                s.uptime_s = None;
                s.destinations.clear();
            });
        }
        tracing::info!(
            output = self.spec.id,
            failed = self.failed,
            "output stopped"
        );
        if let Some(s) = &self.supervisor {
            s.do_send(OutputActorStopped {
                output_id: self.spec.id,
                incarnation: self.incarnation,
                failed: self.failed,
            });
        }
    }
}

impl Handler<Prepared> for OutputActor {
    type Result = ();

    fn handle(&mut self, msg: Prepared, ctx: &mut Self::Context) {
        if !ctx.state().alive() {
            return;
        }
        let result = msg.0.and_then(|prepared| self.build(prepared, ctx));
        if let Err(e) = result {
            self.fail(e, ctx);
        }
    }
}

impl Handler<InputFailed> for OutputActor {
    type Result = ();

    fn handle(&mut self, msg: InputFailed, _ctx: &mut Self::Context) {
        let known = self
            .running
            .as_ref()
            .and_then(|r| r.program.as_ref())
            .is_some_and(|p| p.inputs.contains_key(&msg.camera_id));
        if !known {
            return; // a bin already removed, reporting late
        }
        tracing::warn!(output = self.spec.id, camera = msg.camera_id, error = %self.redact(&msg.reason), "camera input failed; rebuilding it");
        self.remove_input(msg.camera_id);
        if let Err(e) = self.add_input(msg.camera_id) {
            tracing::warn!(output = self.spec.id, camera = msg.camera_id, error = %e, "could not rebuild the camera input");
        }
        self.decide_layer();
    }
}

impl Handler<PipelineFailed> for OutputActor {
    type Result = ();

    fn handle(&mut self, msg: PipelineFailed, ctx: &mut Self::Context) {
        self.fail(msg.0, ctx);
    }
}

impl Handler<Cut> for OutputActor {
    type Result = Result<(), OutputError>;

    fn handle(&mut self, msg: Cut, ctx: &mut Self::Context) -> Self::Result {
        if self.spec.mode == OutputMode::Relay {
            return Err(OutputError::RelayCannotCut);
        }
        let preparing = self
            .running
            .as_ref()
            .and_then(|r| r.program.as_ref())
            .is_none();
        if !preparing {
            // The input first: a camera that cannot be added changes nothing on air.
            self.add_input(msg.camera_id)
                .map_err(OutputError::Pipeline)?;
        }
        self.spec.camera_id = Some(msg.camera_id);
        self.status.update(|s| s.camera_id = Some(msg.camera_id));
        if let Some(program) = self.running.as_mut().and_then(|r| r.program.as_mut()) {
            program.requested = Some(msg.camera_id);
            program.cut_at = Instant::now();
        }
        self.decide_layer();
        // A camera cut away from that is not on standby is decoded for nothing once the
        // pending-cut grace is over.
        ctx.run_later(
            timing::PENDING_CUT_GRACE + Duration::from_millis(500),
            |act, _| {
                act.drop_unneeded_inputs();
            },
        );
        Ok(())
    }
}

impl Handler<UpdateOutput> for OutputActor {
    type Result = ();

    fn handle(&mut self, msg: UpdateOutput, ctx: &mut Self::Context) {
        let new = msg.0;
        let overlays_changed = new.overlays != self.spec.overlays;
        let rebuild = new.mode != self.spec.mode
            || new.profile != self.spec.profile
            || new.encoder != self.spec.encoder
            || new.recording != self.spec.recording
            || (new.mode == OutputMode::Relay && new.camera_id != self.spec.camera_id);
        if rebuild {
            tracing::info!(
                output = self.spec.id,
                "output settings changed; restarting its pipeline"
            );
            self.spec = new;
            // Restart through the supervisor (it starts the new spec at once).
            self.failed = true;
            self.status.update(|s| {
                s.state = OutputState::Starting;
                s.reason = Some("settings changed".into());
            });
            ctx.stop();
            return;
        }
        let old = std::mem::replace(&mut self.spec, new);
        if self.running.is_none() {
            return; // still preparing: `build` uses the new spec
        }
        if overlays_changed && let Some(p) = self.running.as_ref().and_then(|r| r.program.as_ref())
        {
            p.overlays.set_layers(self.spec.overlays.clone());
        }
        for d in &old.destinations {
            if !self.spec.destinations.iter().any(|n| n == d) {
                self.stop_publisher(d.id);
            }
        }
        for d in self.spec.destinations.clone() {
            if !old.destinations.contains(&d) {
                self.start_publisher(d);
            }
        }
        if old.slate != self.spec.slate
            && let Some(p) = self.running.as_ref().and_then(|r| r.program.as_ref())
        {
            p.overlays
                .set_slate(&self.spec.slate.text, self.spec.slate.image.clone());
        }
        let wanted = self.spec.input_cameras();
        let current: Vec<i64> = self
            .running
            .as_ref()
            .and_then(|r| r.program.as_ref())
            .map(|p| p.inputs.keys().copied().collect())
            .unwrap_or_default();
        for id in current {
            if !wanted.contains(&id) {
                self.remove_input(id);
            }
        }
        let program_mode = self.spec.mode == OutputMode::Program;
        for id in wanted.into_iter().filter(|_| program_mode) {
            if let Err(e) = self.add_input(id) {
                tracing::warn!(output = self.spec.id, camera = id, error = %e, "could not add a camera input");
            }
        }
        if old.camera_id != self.spec.camera_id {
            if let Some(program) = self.running.as_mut().and_then(|r| r.program.as_mut()) {
                program.requested = self.spec.camera_id;
                program.cut_at = Instant::now();
            }
            self.status.update(|s| s.camera_id = self.spec.camera_id);
            self.decide_layer();
        }
    }
}

impl Handler<SetOverlays> for OutputActor {
    type Result = ();

    fn handle(&mut self, msg: SetOverlays, _ctx: &mut Self::Context) {
        self.spec.overlays = msg.0;
        if let Some(p) = self.running.as_ref().and_then(|r| r.program.as_ref()) {
            p.overlays.set_layers(self.spec.overlays.clone());
        }
    }
}

impl Handler<UpdateAsset> for OutputActor {
    type Result = ();

    fn handle(&mut self, msg: UpdateAsset, _ctx: &mut Self::Context) {
        for layer in self
            .spec
            .overlays
            .iter_mut()
            .filter(|l| l.asset_id == msg.asset_id)
        {
            layer.source = overlay::LayerSource::Image(msg.raster.clone());
        }
        let slate_uses = self.spec.slate.image_asset_id == Some(msg.asset_id);
        if slate_uses {
            self.spec.slate.image = Some(msg.raster.clone());
        }
        if let Some(p) = self.running.as_ref().and_then(|r| r.program.as_ref()) {
            if slate_uses {
                p.overlays
                    .set_slate(&self.spec.slate.text, self.spec.slate.image.clone());
            }
            p.overlays.update_asset(msg.asset_id, msg.raster);
        }
    }
}

impl Handler<Halt> for OutputActor {
    type Result = ResponseFuture<()>;

    fn handle(&mut self, _: Halt, ctx: &mut Self::Context) -> Self::Result {
        let _ = self.stop_tx.send(true);
        let tasks = std::mem::take(&mut self.tasks);
        let pipeline = self.running.take().map(|r| r.pipeline);
        ctx.stop();
        Box::pin(async move {
            if let Some(p) = pipeline {
                teardown(p).await;
            }
            // Publishers tear their own pipelines down when they see the stop.
            let all = futures::future::join_all(tasks);
            let _ = tokio::time::timeout(Duration::from_secs(3), all).await;
        })
    }
}
