//! What a PTZ actor does on command: joystick moves (coalesced, stopped by our own timer),
//! stops, absolute and relative moves, status reads, presets on the camera, settle waits.

use std::time::Instant;

use actix::prelude::*;

use super::actor::PtzActor;
use super::device::{DevicePreset, PtzReading};
use super::error::PtzError;
use super::messages::{
    AbsoluteMove, CapturePreset, CapturedPreset, GotoPreset, ListDevicePresets, Move, MoveAccepted,
    MoveOutcome, ReadStatus, RelativeMove, RemovePreset, Stop, WaitSettled,
};

impl PtzActor {
    /// Send the newest pending velocity, then the next one, until none is left.
    pub(super) fn pump_moves(&mut self, ctx: &mut Context<Self>) {
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
    pub(super) fn cancel_moves(&mut self, ctx: &mut Context<Self>) {
        self.pending_move = None;
        self.stops.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        if let Some(h) = self.auto_stop.take() {
            ctx.cancel_future(h);
        }
    }

    pub(super) fn send_stop(&mut self, ctx: &mut Context<Self>, command: &'static str) {
        self.cancel_moves(ctx);
        let fut = self.exec(Some(command), |d| async move { d.stop().await });
        ctx.spawn(fut.into_actor(self).map(|result, act, ctx| {
            if let Err(e) = &result {
                tracing::warn!(camera = act.spec.camera_id, error = %e, "PTZ stop failed");
                act.on_error(ctx, e);
            }
        }));
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
