//! PtzActor (PTZ-1..4): one per PTZ camera. Keeps an ONVIF session (connect, health polls,
//! reconnect with backoff) and the state the shell reads; its commands are in
//! [`super::commands`], run one at a time through [`super::lane`].
//!
//! Commands to one camera run one at a time through a FIFO lane (a camera given two SOAP
//! calls at once does one of them, or neither, depending on its firmware). Continuous-move
//! updates do not queue in that lane: the newest velocity replaces any not yet sent, and
//! only one is on the wire at a time, so a joystick at 50 updates/s never builds a backlog
//! behind a slow camera. Every continuous move is stopped by our own timer (its timeout, or
//! the watchdog): cameras that ignore ONVIF's Timeout keep moving for minutes otherwise
//! (scrypted#2124), and some reject the field, so we never send it.

use std::sync::Arc;

use actix::prelude::*;

use super::device::{PtzConnector, PtzDevice, PtzVector};
use super::error::PtzError;
use super::messages::UpdatePtzSpec;
use super::spec::PtzSpec;
use super::status::PtzCell;
use crate::backoff::Backoff;
use crate::state::PtzState;
use crate::supervision::{ChildLink, Halt, StopReason};

pub struct PtzActor {
    pub(super) spec: PtzSpec,
    pub(super) connector: Arc<dyn PtzConnector>,
    pub(super) cell: Arc<PtzCell>,
    pub(super) device: Option<Arc<dyn PtzDevice>>,
    pub(super) lane: Arc<tokio::sync::Mutex<()>>,
    pub(super) backoff: Backoff,
    pub(super) connect_no: u64,
    pub(super) retry: Option<SpawnHandle>,
    pub(super) health: Option<SpawnHandle>,
    pub(super) pending_move: Option<PtzVector>,
    pub(super) move_in_flight: bool,
    /// Stops requested so far.
    pub(super) stops: Arc<std::sync::atomic::AtomicU64>,
    pub(super) auto_stop: Option<SpawnHandle>,
    pub(super) link: ChildLink,
    pub(super) coalesced: metrics::Counter,
}

impl PtzActor {
    pub fn new(
        spec: PtzSpec,
        connector: Arc<dyn PtzConnector>,
        cell: Arc<PtzCell>,
        link: ChildLink,
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
            link,
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
    pub(super) fn on_error(&mut self, ctx: &mut Context<Self>, error: &PtzError) {
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

    pub(super) fn reports_position(&self) -> bool {
        !self.spec.quirks.ignore_position && self.cell.reports_position() == Some(true)
    }
}

impl Actor for PtzActor {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        tracing::info!(camera = self.spec.camera_id, host = %self.spec.host, "PTZ actor started");
        self.connect(ctx, true);
    }

    fn stopped(&mut self, _ctx: &mut Self::Context) {
        tracing::info!(camera = self.spec.camera_id, "PTZ actor stopped");
        // A PTZ actor reconnects forever: only a halt stops it.
        self.link.report(StopReason::Halted);
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

impl Handler<Halt> for PtzActor {
    type Result = ();

    fn handle(&mut self, _: Halt, ctx: &mut Self::Context) {
        ctx.stop();
    }
}
