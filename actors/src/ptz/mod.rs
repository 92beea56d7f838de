//! PtzActor (PTZ-1..4): one per PTZ camera. Keeps an ONVIF session, serializes the camera's
//! commands, coalesces joystick bursts, stops continuous moves by itself, recalls presets and
//! tells when the head has settled.
//!
//! Commands to one camera run one at a time through a FIFO lane (a camera given two SOAP
//! calls at once does one of them, or neither, depending on its firmware). Continuous-move
//! updates do not queue in that lane: the newest velocity replaces any not yet sent, and
//! only one is on the wire at a time, so a joystick at 50 updates/s never builds a backlog
//! behind a slow camera. Every continuous move is stopped by our own timer (its timeout, or
//! the watchdog): cameras that ignore ONVIF's Timeout keep moving for minutes otherwise
//! (scrypted#2124), and some reject the field, so we never send it.

mod device;
mod error;
mod onvif;
mod settle;
mod spec;
mod status;
mod supervisor;

use std::sync::Arc;
use std::time::{Duration, Instant};

use actix::prelude::*;
use serde::Serialize;

pub use device::{
    DeviceDescription, DevicePreset, MoveState, PtzConnector, PtzDevice, PtzReading, PtzVector,
};
pub use error::PtzError;
pub use onvif::{DeviceSummary, OnvifConnector, OnvifPtz, describe_device, namespace_problem};
pub use settle::{SettleDetector, TARGET_TOLERANCE, Verdict};
pub use spec::{FALLBACK_ONVIF_PORTS, PtzQuirks, PtzSpec, PtzTiming};
pub use status::{PtzCell, PtzState, PtzStatus};
pub use supervisor::{
    PtzHandle, PtzRegistry, PtzSupervisor, ReconcilePtz, RemovePtz, ShutdownPtz, UpsertPtz,
};

use crate::backoff::Backoff;

// ---- messages -------------------------------------------------------------------------------

/// Continuous move (PTZ-2). Answers at once: the velocity is sent as soon as the lane is
/// free, replacing any update not yet sent. Stops by itself after `timeout` (else the
/// watchdog). A zero velocity is a stop.
#[derive(Message)]
#[rtype(result = "Result<MoveAccepted, PtzError>")]
pub struct Move {
    pub velocity: PtzVector,
    pub timeout: Option<Duration>,
}

#[derive(Clone, Copy, Debug, Serialize)]
pub struct MoveAccepted {
    /// This update replaced one that had not been sent yet.
    pub coalesced: bool,
    /// When the head will be stopped unless another update comes first.
    pub stops_after_ms: u64,
}

#[derive(Message)]
#[rtype(result = "Result<(), PtzError>")]
pub struct Stop;

/// Absolute move to a position; with `wait`, answers once settled (bounded).
#[derive(Message)]
#[rtype(result = "Result<MoveOutcome, PtzError>")]
pub struct AbsoluteMove {
    pub position: PtzVector,
    pub wait: bool,
}

#[derive(Message)]
#[rtype(result = "Result<MoveOutcome, PtzError>")]
pub struct RelativeMove {
    pub translation: PtzVector,
    pub wait: bool,
}

/// A fresh GetStatus.
#[derive(Message)]
#[rtype(result = "Result<PtzReading, PtzError>")]
pub struct ReadStatus;

/// Save the current position as a preset on the camera (PTZ-3 capture).
#[derive(Message)]
#[rtype(result = "Result<CapturedPreset, PtzError>")]
pub struct CapturePreset {
    pub name: String,
    /// Overwrite this camera preset instead of creating one.
    pub token: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct CapturedPreset {
    pub token: String,
    /// `None` when the camera does not report positions.
    pub position: Option<PtzVector>,
}

/// Recall a preset (PTZ-3): by coordinates when the camera reports positions, else by the
/// camera's token. With `wait`, answers once settled (PTZ-4).
#[derive(Message)]
#[rtype(result = "Result<MoveOutcome, PtzError>")]
pub struct GotoPreset {
    pub position: Option<PtzVector>,
    pub token: Option<String>,
    pub wait: bool,
}

#[derive(Message)]
#[rtype(result = "Result<(), PtzError>")]
pub struct RemovePreset {
    pub token: String,
}

#[derive(Message)]
#[rtype(result = "Result<Vec<DevicePreset>, PtzError>")]
pub struct ListDevicePresets;

/// Wait until the head has settled (PTZ-4): what the timeline uses to pre-position a camera
/// before cutting to it.
#[derive(Message)]
#[rtype(result = "Result<MoveOutcome, PtzError>")]
pub struct WaitSettled {
    pub target: Option<PtzVector>,
}

#[derive(Message)]
#[rtype(result = "()")]
pub struct UpdatePtzSpec(pub PtzSpec);

#[derive(Message)]
#[rtype(result = "()")]
pub struct StopPtz;

/// Sent to the supervisor when a PTZ actor has stopped.
#[derive(Message)]
#[rtype(result = "()")]
pub struct PtzActorStopped {
    pub camera_id: i64,
    pub incarnation: u64,
}

/// How a move ended.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct MoveOutcome {
    /// `absolute`, `relative` or `preset_token`; `null` for a plain settle wait.
    pub method: Option<&'static str>,
    /// The head reported settled (idle or still) within the settle timeout.
    pub settled: bool,
    pub timed_out: bool,
    /// Where it ended, when the camera reports positions.
    pub position: Option<PtzVector>,
    pub elapsed_ms: u64,
}

// ---- actor ----------------------------------------------------------------------------------

/// Used when the camera cannot tell (no GetStatus): the existing system's fixed settle time.
const BLIND_SETTLE: Duration = Duration::from_secs(2);

pub struct PtzActor {
    spec: PtzSpec,
    connector: Arc<dyn PtzConnector>,
    cell: Arc<PtzCell>,
    device: Option<Arc<dyn PtzDevice>>,
    lane: Arc<tokio::sync::Mutex<()>>,
    backoff: Backoff,
    connect_no: u64,
    retry: Option<SpawnHandle>,
    health: Option<SpawnHandle>,
    pending_move: Option<PtzVector>,
    move_in_flight: bool,
    /// Stops requested so far.
    stops: Arc<std::sync::atomic::AtomicU64>,
    auto_stop: Option<SpawnHandle>,
    incarnation: u64,
    supervisor: Option<Recipient<PtzActorStopped>>,
    coalesced: metrics::Counter,
}

impl PtzActor {
    pub fn new(
        spec: PtzSpec,
        connector: Arc<dyn PtzConnector>,
        cell: Arc<PtzCell>,
        incarnation: u64,
        supervisor: Option<Recipient<PtzActorStopped>>,
    ) -> Self {
        let coalesced = metrics::counter!(
            "vistter_ptz_moves_coalesced_total",
            "camera" => spec.camera_id.to_string()
        );
        Self {
            spec,
            connector,
            cell,
            device: None,
            lane: Arc::default(),
            backoff: Backoff::standard(),
            connect_no: 0,
            retry: None,
            health: None,
            pending_move: None,
            move_in_flight: false,
            stops: Arc::default(),
            auto_stop: None,
            incarnation,
            supervisor,
            coalesced,
        }
    }

    fn connect(&mut self, ctx: &mut Context<Self>, fresh: bool) {
        self.disconnect(ctx);
        self.connect_no += 1;
        let connect_no = self.connect_no;
        if fresh {
            self.cell.set_state(PtzState::Connecting, None);
        }
        let spec = self.spec.clone();
        let connecting = self.connector.connect(spec.clone());
        let fut = async move {
            let device = connecting.await?;
            // One reading tells whether this camera reports positions.
            let first = device.status().await.ok();
            Ok::<_, PtzError>((device, first))
        };
        ctx.spawn(fut.into_actor(self).map(move |result, act, ctx| {
            if connect_no != act.connect_no {
                return; // superseded by a newer attempt
            }
            match result {
                Ok((device, first)) => {
                    act.backoff.reset();
                    let description = device.describe().clone();
                    tracing::info!(
                        camera = act.spec.camera_id,
                        device = %description.device_url,
                        profile = %description.profile_token,
                        clock_offset_s = description.clock_offset_s,
                        "PTZ connected"
                    );
                    act.cell.update(|s| {
                        s.device = Some(description);
                        s.last_reading = first;
                        s.reports_position = first.map(|r| r.position.is_some());
                    });
                    act.device = Some(device);
                    act.cell.set_state(PtzState::Up, None);
                    let every = act.spec.timing.health_interval;
                    act.health = Some(ctx.run_interval(every, |act, ctx| act.check_health(ctx)));
                }
                Err(e) => act.retry_later(ctx, e),
            }
        }));
    }

    fn disconnect(&mut self, ctx: &mut Context<Self>) {
        self.device = None;
        for handle in [self.retry.take(), self.health.take(), self.auto_stop.take()]
            .into_iter()
            .flatten()
        {
            ctx.cancel_future(handle);
        }
        self.pending_move = None;
    }

    fn retry_later(&mut self, ctx: &mut Context<Self>, error: PtzError) {
        self.disconnect(ctx);
        let delay = self.backoff.next_delay();
        tracing::warn!(
            camera = self.spec.camera_id,
            error = %error,
            retry_in_ms = delay.as_millis() as u64,
            "PTZ camera down"
        );
        self.cell.update(|s| s.reconnects += 1);
        self.cell.set_state(PtzState::Down, Some(error.to_string()));
        self.retry = Some(ctx.run_later(delay, |act, ctx| {
            act.retry = None;
            act.connect(ctx, false);
        }));
    }

    /// Act on a command's failure: a lost connection is re-established; anything else is
    /// the command's own problem and is only reported.
    fn on_error(&mut self, ctx: &mut Context<Self>, error: &PtzError) {
        if error.is_connection_lost() && self.device.is_some() {
            self.retry_later(ctx, error.clone());
        }
    }

    fn check_health(&mut self, ctx: &mut Context<Self>) {
        // A camera busy with commands is evidently answering (and a stuck command times out
        // on its own): a poll queued behind them would only delay the next joystick update.
        if self.lane.try_lock().is_err() {
            return;
        }
        let fut = self.exec(None, |d| async move { d.status().await });
        ctx.spawn(fut.into_actor(self).map(|result, act, ctx| match result {
            Ok(reading) => {
                act.cell.update(|s| {
                    s.last_reading = Some(reading);
                    s.reports_position = Some(reading.position.is_some());
                });
                if act.cell.reason().is_some() {
                    act.cell.set_state(PtzState::Up, None);
                }
            }
            Err(e) if e.is_connection_lost() => act.on_error(ctx, &e),
            // The camera answers, but not well (no GetStatus, a malformed reply): still up.
            Err(e) => act.cell.set_state(PtzState::Up, Some(e.to_string())),
        }));
    }

    /// Run `f` on the device when it is this camera's turn. `command` names it in the
    /// metrics (`None` for the actor's own polls).
    fn exec<T, F, Fut>(
        &self,
        command: Option<&'static str>,
        f: F,
    ) -> impl Future<Output = Result<T, PtzError>> + 'static
    where
        T: 'static,
        F: FnOnce(Arc<dyn PtzDevice>) -> Fut + 'static,
        Fut: Future<Output = Result<T, PtzError>> + 'static,
    {
        let device = self.device.clone();
        let lane = self.lane.clone();
        let camera = self.spec.camera_id;
        let reason = self.cell.reason();
        async move {
            let Some(device) = device else {
                return Err(PtzError::Down {
                    camera,
                    reason: reason.unwrap_or_else(|| "connecting".into()),
                });
            };
            let _turn = lane.lock().await;
            let started = Instant::now();
            let result = f(device).await;
            if let Some(command) = command {
                record(camera, command, &result, started.elapsed());
            }
            result
        }
    }

    /// Poll until settled (bounded); `started` is when the move was sent.
    fn settle(
        &self,
        method: Option<&'static str>,
        target: Option<PtzVector>,
        started: Instant,
    ) -> impl Future<Output = Result<MoveOutcome, PtzError>> + 'static {
        let device = self.device.clone();
        let lane = self.lane.clone();
        let timing = self.spec.timing;
        let camera = self.spec.camera_id;
        async move {
            let Some(device) = device else {
                return Err(PtzError::Down {
                    camera,
                    reason: "connection lost during the move".into(),
                });
            };
            let mut detector = SettleDetector::new(target, timing.settle_timeout);
            // The first poll goes out at once: a head already where it was sent (a recall
            // to where it stands, a short move) is settled without waiting a poll period.
            let mut first = true;
            loop {
                if !std::mem::take(&mut first) {
                    tokio::time::sleep(timing.settle_poll).await;
                }
                let reading = {
                    let _turn = lane.lock().await;
                    device.status().await
                };
                let reading = match reading {
                    Ok(r) => r,
                    Err(e) if e.is_connection_lost() => return Err(e),
                    // No usable GetStatus: the best we can do is the fixed wait.
                    Err(_) => {
                        let rest = BLIND_SETTLE.saturating_sub(started.elapsed());
                        tokio::time::sleep(rest.min(timing.settle_timeout)).await;
                        return Ok(MoveOutcome {
                            method,
                            settled: false,
                            timed_out: false,
                            position: None,
                            elapsed_ms: started.elapsed().as_millis() as u64,
                        });
                    }
                };
                let (settled, position) = match detector.observe(reading, started.elapsed()) {
                    Verdict::Pending => continue,
                    Verdict::Settled { position } => (true, position),
                    Verdict::TimedOut { position } => (false, position),
                };
                return Ok(MoveOutcome {
                    method,
                    settled,
                    timed_out: !settled,
                    position,
                    elapsed_ms: started.elapsed().as_millis() as u64,
                });
            }
        }
    }

    /// Answer with `fut`'s result, after acting on its failure (a lost connection is
    /// re-established).
    fn watched<T: 'static>(
        &self,
        fut: impl Future<Output = Result<T, PtzError>> + 'static,
    ) -> ResponseActFuture<Self, Result<T, PtzError>> {
        Box::pin(fut.into_actor(self).map(|result, act, ctx| {
            if let Err(e) = &result {
                act.on_error(ctx, e);
            }
            result
        }))
    }

    /// Send a move, then (with `wait`) poll until settled.
    fn move_then_settle(
        &self,
        method: &'static str,
        send: impl Future<Output = Result<(), PtzError>> + 'static,
        target: Option<PtzVector>,
        wait: bool,
    ) -> ResponseActFuture<Self, Result<MoveOutcome, PtzError>> {
        let started = Instant::now();
        let settle = self.settle(Some(method), target, started);
        self.watched(async move {
            send.await?;
            if wait {
                settle.await
            } else {
                Ok(Self::moved(method, started))
            }
        })
    }

    fn moved(method: &'static str, started: Instant) -> MoveOutcome {
        MoveOutcome {
            method: Some(method),
            settled: false,
            timed_out: false,
            position: None,
            elapsed_ms: started.elapsed().as_millis() as u64,
        }
    }

    /// Send the newest pending velocity, then the next one, until none is left.
    fn pump_moves(&mut self, ctx: &mut Context<Self>) {
        let Some(velocity) = self.pending_move.take() else {
            self.move_in_flight = false;
            return;
        };
        self.move_in_flight = true;
        // A stop requested after this move was queued wins even if it reaches the lane
        // first: the move sees the stop count changed and is dropped.
        let stops = self.stops.clone();
        let stops_seen = stops.load(std::sync::atomic::Ordering::SeqCst);
        let fut = self.exec(Some("move"), move |d| async move {
            if stops.load(std::sync::atomic::Ordering::SeqCst) != stops_seen {
                return Ok(());
            }
            d.continuous_move(velocity).await
        });
        ctx.spawn(fut.into_actor(self).map(|result, act, ctx| {
            if let Err(e) = &result {
                act.on_error(ctx, e);
            }
            act.pump_moves(ctx);
        }));
    }

    /// Forget unsent moves and make queued ones void (see `pump_moves`).
    fn cancel_moves(&mut self, ctx: &mut Context<Self>) {
        self.pending_move = None;
        self.stops.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        if let Some(h) = self.auto_stop.take() {
            ctx.cancel_future(h);
        }
    }

    fn send_stop(&mut self, ctx: &mut Context<Self>, command: &'static str) {
        self.cancel_moves(ctx);
        let fut = self.exec(Some(command), |d| async move { d.stop().await });
        ctx.spawn(fut.into_actor(self).map(|result, act, ctx| {
            if let Err(e) = &result {
                tracing::warn!(camera = act.spec.camera_id, error = %e, "PTZ stop failed");
                act.on_error(ctx, e);
            }
        }));
    }

    fn reports_position(&self) -> bool {
        !self.spec.quirks.ignore_position && self.cell.reports_position() == Some(true)
    }
}

fn record<T>(camera: i64, command: &'static str, result: &Result<T, PtzError>, took: Duration) {
    let outcome = match result {
        Ok(_) => "ok",
        Err(e) if e.is_connection_lost() => "unreachable",
        Err(PtzError::Auth { .. }) => "auth",
        Err(_) => "error",
    };
    metrics::counter!(
        "vistter_ptz_commands_total",
        "camera" => camera.to_string(),
        "command" => command,
        "result" => outcome
    )
    .increment(1);
    metrics::histogram!("vistter_ptz_command_seconds", "command" => command)
        .record(took.as_secs_f64());
}

impl Actor for PtzActor {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        tracing::info!(camera = self.spec.camera_id, host = %self.spec.host, "PTZ actor started");
        self.connect(ctx, true);
    }

    fn stopped(&mut self, _ctx: &mut Self::Context) {
        tracing::info!(camera = self.spec.camera_id, "PTZ actor stopped");
        if let Some(s) = &self.supervisor {
            s.do_send(PtzActorStopped {
                camera_id: self.spec.camera_id,
                incarnation: self.incarnation,
            });
        }
    }
}

impl Handler<Move> for PtzActor {
    type Result = Result<MoveAccepted, PtzError>;

    fn handle(&mut self, msg: Move, ctx: &mut Self::Context) -> Self::Result {
        if self.device.is_none() {
            return Err(PtzError::Down {
                camera: self.spec.camera_id,
                reason: self.cell.reason().unwrap_or_else(|| "connecting".into()),
            });
        }
        if msg.velocity.is_zero() {
            self.send_stop(ctx, "stop");
            return Ok(MoveAccepted {
                coalesced: false,
                stops_after_ms: 0,
            });
        }
        let stops_after = msg
            .timeout
            .unwrap_or(self.spec.timing.move_watchdog)
            .min(self.spec.timing.move_watchdog);
        if let Some(h) = self.auto_stop.take() {
            ctx.cancel_future(h);
        }
        self.auto_stop = Some(ctx.run_later(stops_after, |act, ctx| {
            act.auto_stop = None;
            act.send_stop(ctx, "auto_stop");
        }));
        let coalesced = self.pending_move.replace(msg.velocity).is_some();
        if coalesced {
            self.coalesced.increment(1);
        }
        if !self.move_in_flight {
            self.pump_moves(ctx);
        }
        Ok(MoveAccepted {
            coalesced,
            stops_after_ms: stops_after.as_millis() as u64,
        })
    }
}

impl Handler<Stop> for PtzActor {
    type Result = ResponseActFuture<Self, Result<(), PtzError>>;

    fn handle(&mut self, _: Stop, ctx: &mut Self::Context) -> Self::Result {
        self.cancel_moves(ctx);
        let fut = self.exec(Some("stop"), |d| async move { d.stop().await });
        self.watched(fut)
    }
}

impl Handler<AbsoluteMove> for PtzActor {
    type Result = ResponseActFuture<Self, Result<MoveOutcome, PtzError>>;

    fn handle(&mut self, msg: AbsoluteMove, _ctx: &mut Self::Context) -> Self::Result {
        let position = msg.position;
        let send = self.exec(Some("absolute_move"), move |d| async move {
            d.absolute_move(position).await
        });
        self.move_then_settle("absolute", send, Some(position), msg.wait)
    }
}

impl Handler<RelativeMove> for PtzActor {
    type Result = ResponseActFuture<Self, Result<MoveOutcome, PtzError>>;

    fn handle(&mut self, msg: RelativeMove, _ctx: &mut Self::Context) -> Self::Result {
        let translation = msg.translation;
        let send = self.exec(Some("relative_move"), move |d| async move {
            d.relative_move(translation).await
        });
        self.move_then_settle("relative", send, None, msg.wait)
    }
}

impl Handler<ReadStatus> for PtzActor {
    type Result = ResponseActFuture<Self, Result<PtzReading, PtzError>>;

    fn handle(&mut self, _: ReadStatus, _ctx: &mut Self::Context) -> Self::Result {
        let fut = self.exec(Some("status"), |d| async move { d.status().await });
        Box::pin(fut.into_actor(self).map(|result, act, ctx| {
            match &result {
                Ok(reading) => act.cell.update(|s| {
                    s.last_reading = Some(*reading);
                    s.reports_position = Some(reading.position.is_some());
                }),
                Err(e) => act.on_error(ctx, e),
            }
            result
        }))
    }
}

impl Handler<CapturePreset> for PtzActor {
    type Result = ResponseActFuture<Self, Result<CapturedPreset, PtzError>>;

    fn handle(&mut self, msg: CapturePreset, _ctx: &mut Self::Context) -> Self::Result {
        let ignore_position = self.spec.quirks.ignore_position;
        let fut = self.exec(Some("set_preset"), move |d| async move {
            // Where the head is, if the camera says (it may not: then the token is all).
            let position = match d.status().await {
                Ok(r) if !ignore_position => r.position,
                Ok(_) => None,
                Err(e) if e.is_connection_lost() => return Err(e),
                Err(_) => None,
            };
            let token = d.set_preset(&msg.name, msg.token.as_deref()).await?;
            Ok(CapturedPreset { token, position })
        });
        self.watched(fut)
    }
}

impl Handler<GotoPreset> for PtzActor {
    type Result = ResponseActFuture<Self, Result<MoveOutcome, PtzError>>;

    fn handle(&mut self, msg: GotoPreset, _ctx: &mut Self::Context) -> Self::Result {
        let started = Instant::now();
        let by_position = msg.position.filter(|_| self.reports_position());
        let token = msg.token.clone();
        if by_position.is_none() && token.is_none() {
            let camera = self.spec.camera_id;
            return Box::pin(actix::fut::ready(Err(PtzError::NotPtz(format!(
                "camera {camera} reports no positions and the preset has no camera token: \
                 capture it again"
            )))));
        }
        let send = self.exec(Some("goto_preset"), move |d| async move {
            if let Some(p) = by_position {
                match d.absolute_move(p).await {
                    Ok(()) => return Ok("absolute"),
                    // The existing system's rule: a camera that refuses the absolute move
                    // still knows its own preset.
                    Err(e) if token.is_some() && !e.is_connection_lost() => {
                        tracing::warn!(error = %e, "absolute move refused; recalling by token")
                    }
                    Err(e) => return Err(e),
                }
            }
            match &token {
                Some(t) => d.goto_preset(t).await.map(|()| "preset_token"),
                None => Err(PtzError::NotPtz("preset has no camera token".into())),
            }
        });
        let lane_settle = (
            self.settle(Some("absolute"), by_position, started),
            self.settle(Some("preset_token"), None, started),
        );
        let wait = msg.wait;
        self.watched(async move {
            let method = send.await?;
            if !wait {
                return Ok(Self::moved(method, started));
            }
            if method == "absolute" {
                lane_settle.0.await
            } else {
                lane_settle.1.await
            }
        })
    }
}

impl Handler<RemovePreset> for PtzActor {
    type Result = ResponseActFuture<Self, Result<(), PtzError>>;

    fn handle(&mut self, msg: RemovePreset, _ctx: &mut Self::Context) -> Self::Result {
        let fut = self.exec(Some("remove_preset"), move |d| async move {
            d.remove_preset(&msg.token).await
        });
        self.watched(fut)
    }
}

impl Handler<ListDevicePresets> for PtzActor {
    type Result = ResponseActFuture<Self, Result<Vec<DevicePreset>, PtzError>>;

    fn handle(&mut self, _: ListDevicePresets, _ctx: &mut Self::Context) -> Self::Result {
        let fut = self.exec(Some("get_presets"), |d| async move { d.presets().await });
        self.watched(fut)
    }
}

impl Handler<WaitSettled> for PtzActor {
    type Result = ResponseActFuture<Self, Result<MoveOutcome, PtzError>>;

    fn handle(&mut self, msg: WaitSettled, _ctx: &mut Self::Context) -> Self::Result {
        let fut = self.settle(None, msg.target, Instant::now());
        Box::pin(fut.into_actor(self))
    }
}

impl Handler<UpdatePtzSpec> for PtzActor {
    type Result = ();

    fn handle(&mut self, msg: UpdatePtzSpec, ctx: &mut Self::Context) {
        let reconnect = self.spec.needs_reconnect(&msg.0);
        self.spec = msg.0;
        if reconnect {
            self.backoff.reset();
            self.connect(ctx, true);
        }
    }
}

impl Handler<StopPtz> for PtzActor {
    type Result = ();

    fn handle(&mut self, _: StopPtz, ctx: &mut Self::Context) {
        ctx.stop();
    }
}
