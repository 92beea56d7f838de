//! OutputActor: one always-on program (or relay) publishing to its destinations.
//!
//! One long-lived GStreamer pipeline per running output. In `program` mode every camera
//! input is decoded into a layer of the program switch ([`super::switch`]) above a live
//! slate, so a cut is a change of layer alpha (no encoder restart, no reconnect, timestamps
//! continuous) and a camera outage shows the slate while the switch keeps producing frames.
//! Audio always flows: the on-air camera's AAC when it has one, silence otherwise. The
//! encoded streams fan out to one small publishing pipeline per destination (see
//! [`super::publish`]), each with its own queue and reconnect loop, and optionally to the
//! recorder. Its message handlers are in [`super::handlers`].
//!
//! GStreamer runs on its own threads; the actor only wires pipelines and reacts to
//! messages, so nothing here blocks the arbiter (stopping a pipeline, which can wait on a
//! network thread, happens on a blocking thread).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;
use gstreamer as gst;
use tokio::sync::watch;

use super::clock::RunningClock;
use super::elements::teardown;
use super::encoder;
use super::fanout::Fanout;
use super::messages::{Preparation, Prepared};
use super::pipeline;
use super::plan;
use super::preview_tap::PreviewTap;
use super::program::{InputContext, Program};
use super::publish::Publisher;
use super::record::Recorder;
use super::relay::Relay;
use super::shared::OutputShared;
use super::silence::SilentAac;
use super::spec::{DestinationTarget, OutputMode, OutputSpec};
use super::stats::{OutputStats, WATCHDOG};
use super::status::StatusCell;
use super::timing;
use crate::camera::CameraRegistry;
use crate::preview::ProgramFeed;
use crate::state::{OutputState, Showing};
use crate::supervision::{ChildLink, StopReason};

/// How often the program re-decides what is on screen.
const LAYER_TICK: Duration = Duration::from_millis(40);
/// How often clocks are re-rendered (only when their text changes).
const CLOCK_TICK: Duration = Duration::from_millis(250);

pub struct OutputActor {
    pub(super) spec: OutputSpec,
    pub(super) cameras: CameraRegistry,
    pub(super) status: Arc<StatusCell>,
    /// The output's previews, fed from its encoder.
    preview: Arc<ProgramFeed>,
    link: ChildLink,
    pub(super) running: Option<RunningOutput>,
    /// Turns true when the output stops: every task of the output ends.
    pub(super) stop_tx: watch::Sender<bool>,
    /// What the supervisor is told when the actor has stopped.
    pub(super) stop_reason: StopReason,
    pub(super) tasks: Vec<tokio::task::JoinHandle<()>>,
    /// Cameras a timeline keeps decoded for its next cues (beyond the spec's standby).
    pub(super) timeline_standby: Vec<i64>,
}

/// A built output: its pipeline and everything hanging off it.
pub(super) struct RunningOutput {
    pub pipeline: gst::Pipeline,
    pub clock: RunningClock,
    pub fanout: Arc<Fanout>,
    /// `None` for a relay.
    pub program: Option<Program>,
    pub publishers: HashMap<i64, (DestinationTarget, watch::Sender<bool>)>,
    pub stats: OutputStats,
    /// Which start of the pipeline this is (see [`super::messages::ProgramEpoch`]).
    pub epoch: u64,
}

/// Numbers the pipelines started in this process.
static NEXT_EPOCH: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

impl OutputActor {
    pub fn new(
        spec: OutputSpec,
        cameras: CameraRegistry,
        shared: OutputShared,
        link: ChildLink,
    ) -> Self {
        let (stop_tx, _) = watch::channel(false);
        Self {
            spec,
            cameras,
            status: shared.status,
            preview: shared.preview,
            link,
            running: None,
            stop_tx,
            stop_reason: StopReason::Halted,
            tasks: Vec::new(),
            timeline_standby: Vec::new(),
        }
    }

    pub(super) fn fail(&mut self, reason: String, ctx: &mut Context<Self>) {
        let reason = self.redact(&reason);
        tracing::error!(output = self.spec.id, error = %reason, "output failed");
        self.status.update(|s| {
            s.state = OutputState::Failed;
            s.reason = Some(reason.clone());
        });
        self.stop_reason = StopReason::Failed(reason);
        ctx.stop();
    }

    /// Scrub every destination's stream key from `text`.
    pub(super) fn redact(&self, text: &str) -> String {
        self.spec
            .destinations
            .iter()
            .fold(text.to_string(), |t, d| d.redact(&t))
    }

    pub(super) fn spawn(&mut self, fut: impl Future<Output = ()> + 'static) {
        self.tasks.retain(|t| !t.is_finished());
        self.tasks.push(actix::spawn(fut));
    }

    pub(super) fn program(&self) -> Option<&Program> {
        self.running.as_ref().and_then(|r| r.program.as_ref())
    }

    fn program_mut(&mut self) -> Option<&mut Program> {
        self.running.as_mut().and_then(|r| r.program.as_mut())
    }

    /// Build and start the pipeline from what the preparation made.
    pub(super) fn build(
        &mut self,
        prepared: Preparation,
        ctx: &mut Context<Self>,
    ) -> Result<(), String> {
        let started = pipeline::start(&self.spec, prepared.encoder.as_ref())?;
        let addr = ctx.address();
        if let Some(watch) = pipeline::watch_bus(
            &started.pipeline,
            addr.clone().recipient(),
            addr.recipient(),
        ) {
            self.spawn(watch);
        }
        let program = match self.spec.mode {
            OutputMode::Program => {
                started
                    .fanout
                    .set_preview(PreviewTap::new(self.preview.clone()));
                Some(Program::new(&started.pipeline, &self.spec)?)
            }
            OutputMode::Relay => None,
        };
        self.running = Some(RunningOutput {
            pipeline: started.pipeline,
            clock: started.clock.clone(),
            fanout: started.fanout.clone(),
            program,
            publishers: HashMap::new(),
            stats: OutputStats::new(self.spec.id),
            epoch: NEXT_EPOCH.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        });
        if self.spec.mode == OutputMode::Program {
            for camera_id in self.wanted_inputs() {
                self.add_input(camera_id)?;
            }
            // The program opens on its slate; a decision only reports changes from there.
            if let Some(showing) = self.program().map(|p| p.showing()) {
                self.status.update(|s| s.showing = showing);
            }
            self.decide_layer();
            ctx.run_interval(LAYER_TICK, |act, _| {
                act.settle_shots();
                act.decide_layer();
            });
            ctx.run_interval(CLOCK_TICK, |act, _| {
                if let Some(p) = act.program() {
                    p.overlays.tick();
                }
            });
        }
        for target in self.spec.destinations.clone() {
            self.start_publisher(target);
        }
        if let Some(rec) = self.spec.recording.clone() {
            let recorder = Recorder {
                output_id: self.spec.id,
                spec: rec,
                fanout: started.fanout.clone(),
                clock: started.clock.clone(),
            };
            let stop = self.stop_tx.subscribe();
            self.spawn(recorder.run(stop));
        }
        // A relay's feeder starts after the destinations have attached to the fan-out, so
        // the camera's cached GOP reaches them and they start on its keyframe at once.
        if self.spec.mode == OutputMode::Relay {
            self.start_relay(started.fanout, started.clock, prepared.silence)?;
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

    fn start_relay(
        &mut self,
        fanout: Arc<Fanout>,
        clock: RunningClock,
        silence: Option<SilentAac>,
    ) -> Result<(), String> {
        let camera_id = self.spec.camera_id.ok_or("a relay output needs a camera")?;
        let skipped = self
            .running
            .as_ref()
            .map(|r| r.stats.skipped.clone())
            .unwrap_or_default();
        let relay = Relay {
            camera_id,
            cameras: self.cameras.clone(),
            fanout,
            clock,
            skipped,
            silence,
        };
        for task in relay.tasks(&self.stop_tx) {
            self.spawn(task);
        }
        Ok(())
    }

    /// Decode a camera into the program (on air or standby); its feeder runs until the
    /// input is removed or the output stops.
    pub(super) fn add_input(&mut self, camera_id: i64) -> Result<(), String> {
        let output_stop = self.stop_tx.subscribe();
        let Some(running) = self.running.as_mut() else {
            return Err("not running".into());
        };
        let Some(program) = running.program.as_mut() else {
            return Err("relay outputs have no inputs to add".into());
        };
        let feeder = program.add_input(
            camera_id,
            InputContext {
                pipeline: &running.pipeline,
                clock: &running.clock,
                cameras: &self.cameras,
                skipped: &running.stats.skipped,
                output_stop,
            },
        )?;
        if let Some(feeder) = feeder {
            self.spawn(feeder);
            tracing::info!(
                output = self.spec.id,
                camera = camera_id,
                "camera input added"
            );
        }
        Ok(())
    }

    pub(super) fn remove_input(&mut self, camera_id: i64) {
        if let Some(running) = self.running.as_mut()
            && let Some(program) = running.program.as_mut()
        {
            program.remove_input(camera_id, &running.pipeline);
        }
    }

    /// Remove the decoders of cameras that are neither on air nor on standby.
    pub(super) fn drop_unneeded_inputs(&mut self) {
        let wanted = self.wanted_inputs();
        let unneeded = self
            .program()
            .map(|p| p.unneeded_inputs(&wanted))
            .unwrap_or_default();
        for id in unneeded {
            self.remove_input(id);
        }
    }

    /// The cameras to keep decoded: on air, on standby, and a timeline's next ones.
    pub(super) fn wanted_inputs(&self) -> Vec<i64> {
        let mut wanted = self.spec.input_cameras();
        for id in &self.timeline_standby {
            if !wanted.contains(id) {
                wanted.push(*id);
            }
        }
        wanted
    }

    /// A timeline's shot that is fully on air becomes the camera on air.
    fn settle_shots(&mut self) {
        let slate_after = self.spec.slate_after;
        let Some(running) = self.running.as_mut() else {
            return;
        };
        let now = timing::nanos(running.clock.now()) as u64;
        let Some((camera_id, showing)) = running
            .program
            .as_mut()
            .and_then(|p| p.settle_shots(now, slate_after))
        else {
            return;
        };
        self.spec.camera_id = Some(camera_id);
        self.status.update(|s| {
            s.camera_id = Some(camera_id);
            if let Some(showing) = showing {
                s.showing = showing;
            }
        });
    }

    /// Decide what is on screen and apply it; the status says what shows.
    pub(super) fn decide_layer(&mut self) {
        let slate_after = self.spec.slate_after;
        let Some(showing) = self.program_mut().and_then(|p| p.decide(slate_after)) else {
            return;
        };
        tracing::info!(output = self.spec.id, ?showing, "program shows");
        self.status.update(|s| s.showing = showing);
    }

    /// Ask the program for another camera on air (a cut or a changed setting).
    pub(super) fn request_camera(&mut self, camera_id: Option<i64>) {
        if let Some(program) = self.program_mut() {
            program.request(camera_id);
        }
        self.status.update(|s| s.camera_id = camera_id);
        self.decide_layer();
    }

    pub(super) fn start_publisher(&mut self, target: DestinationTarget) {
        let output_stop = self.stop_tx.subscribe();
        let Some(running) = self.running.as_mut() else {
            return;
        };
        if running.publishers.contains_key(&target.id) {
            return;
        }
        let (stop, own_stop) = watch::channel(false);
        let publisher = Publisher {
            output_id: self.spec.id,
            target: target.clone(),
            fanout: running.fanout.clone(),
            clock: running.clock.clone(),
            status: self.status.clone(),
            repackage: self.spec.mode == OutputMode::Relay,
        };
        running.publishers.insert(target.id, (target, stop));
        self.spawn(async move {
            let (tx, rx) = watch::channel(false);
            let (mut own, mut all) = (own_stop, output_stop);
            let forward = async {
                tokio::select! {
                    _ = own.wait_for(|s| *s) => {}
                    _ = all.wait_for(|s| *s) => {}
                }
                let _ = tx.send(true);
            };
            tokio::join!(publisher.run(rx), forward);
        });
    }

    pub(super) fn stop_publisher(&mut self, destination_id: i64) {
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
        let sample = running.stats.sample(&running.fanout);
        let relay_camera = (self.spec.mode == OutputMode::Relay)
            .then_some(self.spec.camera_id)
            .flatten();
        self.status.update(|s| {
            if sample.live {
                s.state = OutputState::Live;
                s.uptime_s = Some(sample.uptime_s);
            }
            // A relay shows its camera while frames flow, nothing otherwise.
            if let Some(camera_id) = relay_camera {
                s.showing = if sample.fps > 0.0 {
                    Showing::Camera { camera_id }
                } else {
                    Showing::Nothing
                };
            }
            s.fps = sample.fps;
            s.bitrate_bps = sample.bitrate_bps;
            s.frames_total = sample.frames_total;
            s.dropped_frames =
                sample.skipped_total + s.destinations.iter().map(|d| d.dropped_frames).sum::<u64>();
        });
        // A relay's camera being down is not a stuck pipeline: nothing to send.
        if sample.stuck && self.spec.mode == OutputMode::Program {
            self.fail(
                format!("no frame encoded for {} s", WATCHDOG.as_secs()),
                ctx,
            );
        }
    }
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
        let prepare = tokio::task::spawn_blocking(move || -> Result<Preparation, String> {
            match spec.mode {
                OutputMode::Program => Ok(Preparation {
                    encoder: Some(
                        encoder::select(spec.encoder, &spec.profile).map_err(|e| e.to_string())?,
                    ),
                    silence: None,
                }),
                OutputMode::Relay => {
                    let aac = plan::aac_encoder(|f| gst::ElementFactory::find(f).is_some());
                    Ok(Preparation {
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
        self.preview.clear();
        // A failed or restarting output keeps saying why until it runs again.
        if self.stop_reason == StopReason::Halted {
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
            reason = ?self.stop_reason,
            "output stopped"
        );
        self.link.report(self.stop_reason.clone());
    }
}
