//! The command lane of a PTZ actor: one SOAP call to the camera at a time, each timed and
//! counted, and the settle poller that tells when a move has ended (PTZ-4).

use std::sync::Arc;
use std::time::{Duration, Instant};

use actix::prelude::*;

use super::actor::PtzActor;
use super::device::{PtzDevice, PtzVector};
use super::error::PtzError;
use super::messages::MoveOutcome;
use super::settle::{SettleDetector, Verdict};

/// Used when the camera cannot tell (no GetStatus): the existing system's fixed settle time.
const BLIND_SETTLE: Duration = Duration::from_secs(2);

impl PtzActor {
    /// Run `f` on the device when it is this camera's turn. `command` names it in the
    /// metrics (`None` for the actor's own polls).
    pub(super) fn exec<T, F, Fut>(
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
    pub(super) fn settle(
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
    pub(super) fn watched<T: 'static>(
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
    pub(super) fn move_then_settle(
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

    pub(super) fn moved(method: &'static str, started: Instant) -> MoveOutcome {
        MoveOutcome {
            method: Some(method),
            settled: false,
            timed_out: false,
            position: None,
            elapsed_ms: started.elapsed().as_millis() as u64,
        }
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
