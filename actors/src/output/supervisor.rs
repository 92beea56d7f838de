//! The output supervisor: starts, updates and stops OutputActors, restarts a failed one with
//! jittered backoff, and keeps the registry the API reads (status cells outlive actors, so
//! a stopped or restarting output still reports why).

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use actix::prelude::*;

use super::{
    Halt, OutputActor, OutputActorStopped, OutputSpec, OutputStatus, StatusCell, UpdateOutput,
};
use crate::backoff::Backoff;
use crate::events::EventBus;
use crate::supervisor::CameraRegistry;

// ---- messages -------------------------------------------------------------------------------

/// Run this output (start it, or update it in place when it runs).
#[derive(Message)]
#[rtype(result = "()")]
pub struct StartOutput(pub OutputSpec);

/// Stop an output and wait until its pipelines are down. `forget` also drops its status
/// (the output was deleted).
#[derive(Message)]
#[rtype(result = "()")]
pub struct StopOutput {
    pub output_id: i64,
    pub forget: bool,
}

/// Emergency stop: every output, at once. Returns the ids that were running.
#[derive(Message)]
#[rtype(result = "Vec<i64>")]
pub struct StopAllOutputs;

/// A refreshed asset picture for every output that shows it (running or restarting).
#[derive(Message)]
#[rtype(result = "()")]
pub struct BroadcastAsset(pub super::UpdateAsset);

// ---- registry -------------------------------------------------------------------------------

#[derive(Clone)]
pub struct OutputHandle {
    pub status: Arc<StatusCell>,
    pub addr: Option<Addr<OutputActor>>,
}

/// The outputs the API can see: status for every known output, the actor's address for
/// running ones.
#[derive(Clone, Default)]
pub struct OutputRegistry(Arc<RwLock<HashMap<i64, OutputHandle>>>);

impl OutputRegistry {
    pub fn get(&self, output_id: i64) -> Option<OutputHandle> {
        self.0
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(&output_id)
            .cloned()
    }

    pub fn status(&self, output_id: i64) -> OutputStatus {
        self.get(output_id)
            .map(|h| h.status.get())
            .unwrap_or_else(OutputStatus::stopped)
    }

    fn set(&self, output_id: i64, handle: OutputHandle) {
        self.0
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(output_id, handle);
    }

    fn remove(&self, output_id: i64) {
        self.0
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&output_id);
    }
}

// ---- actor ----------------------------------------------------------------------------------

const HEALTHY_RUN: Duration = Duration::from_secs(60);

struct Entry {
    spec: OutputSpec,
    status: Arc<StatusCell>,
    addr: Option<Addr<OutputActor>>,
    incarnation: u64,
    backoff: Backoff,
    started_at: Instant,
    restart: Option<SpawnHandle>,
    restarts: u64,
}

pub struct OutputSupervisor {
    cameras: CameraRegistry,
    events: EventBus,
    registry: OutputRegistry,
    media: ArbiterHandle,
    outputs: HashMap<i64, Entry>,
    next_incarnation: u64,
}

impl OutputSupervisor {
    pub fn new(
        cameras: CameraRegistry,
        events: EventBus,
        registry: OutputRegistry,
        media: ArbiterHandle,
    ) -> Self {
        Self {
            cameras,
            events,
            registry,
            media,
            outputs: HashMap::new(),
            next_incarnation: 0,
        }
    }

    fn spawn_actor(&mut self, output_id: i64, ctx: &mut Context<Self>) {
        let Some(entry) = self.outputs.get_mut(&output_id) else {
            return;
        };
        self.next_incarnation += 1;
        entry.incarnation = self.next_incarnation;
        entry.started_at = Instant::now();
        let actor = OutputActor::new(
            entry.spec.clone(),
            entry.incarnation,
            self.cameras.clone(),
            entry.status.clone(),
            Some(ctx.address().recipient()),
        );
        let addr = OutputActor::start_in_arbiter(&self.media, move |_| actor);
        entry.addr = Some(addr.clone());
        self.registry.set(
            output_id,
            OutputHandle {
                status: entry.status.clone(),
                addr: Some(addr),
            },
        );
    }

    /// Take an output out of the running set; returns its actor to halt.
    fn take(&mut self, output_id: i64, ctx: &mut Context<Self>) -> Option<Addr<OutputActor>> {
        let mut entry = self.outputs.remove(&output_id)?;
        if let Some(h) = entry.restart.take() {
            ctx.cancel_future(h);
        }
        self.registry.set(
            output_id,
            OutputHandle {
                status: entry.status.clone(),
                addr: None,
            },
        );
        if entry.addr.is_none() {
            // Waiting for a restart: nothing runs, but say it is stopped.
            entry.status.update(|s| {
                s.state = super::OutputState::Stopped;
                s.reason = None;
            });
        }
        entry.addr
    }
}

impl Actor for OutputSupervisor {
    type Context = Context<Self>;
}

impl Handler<StartOutput> for OutputSupervisor {
    type Result = ();

    fn handle(&mut self, msg: StartOutput, ctx: &mut Self::Context) {
        let spec = msg.0;
        let id = spec.id;
        if let Some(entry) = self.outputs.get_mut(&id) {
            if entry.spec != spec {
                entry.spec = spec.clone();
                if let Some(addr) = &entry.addr {
                    addr.do_send(UpdateOutput(spec));
                }
            }
            return;
        }
        let status = self
            .registry
            .get(id)
            .map(|h| h.status)
            .unwrap_or_else(|| Arc::new(StatusCell::new(id, self.events.clone())));
        self.outputs.insert(
            id,
            Entry {
                spec,
                status,
                addr: None,
                incarnation: 0,
                backoff: Backoff::standard(),
                started_at: Instant::now(),
                restart: None,
                restarts: 0,
            },
        );
        self.spawn_actor(id, ctx);
    }
}

impl Handler<StopOutput> for OutputSupervisor {
    type Result = ResponseFuture<()>;

    fn handle(&mut self, msg: StopOutput, ctx: &mut Self::Context) -> Self::Result {
        let addr = self.take(msg.output_id, ctx);
        if msg.forget {
            self.registry.remove(msg.output_id);
        }
        Box::pin(async move {
            if let Some(addr) = addr {
                let _ = addr.send(Halt).await;
            }
        })
    }
}

impl Handler<StopAllOutputs> for OutputSupervisor {
    type Result = ResponseFuture<Vec<i64>>;

    fn handle(&mut self, _: StopAllOutputs, ctx: &mut Self::Context) -> Self::Result {
        let mut ids: Vec<i64> = self.outputs.keys().copied().collect();
        ids.sort_unstable();
        let addrs: Vec<_> = ids.iter().filter_map(|id| self.take(*id, ctx)).collect();
        Box::pin(async move {
            futures::future::join_all(addrs.iter().map(|a| a.send(Halt))).await;
            ids
        })
    }
}

impl Handler<OutputActorStopped> for OutputSupervisor {
    type Result = ();

    fn handle(&mut self, msg: OutputActorStopped, ctx: &mut Self::Context) {
        let Some(entry) = self.outputs.get_mut(&msg.output_id) else {
            return; // stopped on purpose
        };
        if entry.incarnation != msg.incarnation || entry.restart.is_some() {
            return;
        }
        entry.addr = None;
        if entry.started_at.elapsed() >= HEALTHY_RUN {
            entry.backoff.reset();
        }
        let settings_changed = entry.status.get().reason.as_deref() == Some("settings changed");
        let delay = if settings_changed {
            Duration::ZERO
        } else {
            entry.backoff.next_delay()
        };
        entry.restarts += 1;
        let restarts = entry.restarts;
        entry.status.update(|s| s.restarts = restarts);
        tracing::warn!(
            output = msg.output_id,
            restart_in_ms = delay.as_millis() as u64,
            "output stopped; restarting"
        );
        let id = msg.output_id;
        entry.restart = Some(ctx.run_later(delay, move |act, ctx| {
            if let Some(e) = act.outputs.get_mut(&id) {
                e.restart = None;
            }
            act.spawn_actor(id, ctx);
        }));
    }
}

impl Handler<BroadcastAsset> for OutputSupervisor {
    type Result = ();

    fn handle(&mut self, msg: BroadcastAsset, _ctx: &mut Self::Context) {
        let update = msg.0;
        for entry in self.outputs.values_mut() {
            let mut uses = entry.spec.slate.image_asset_id == Some(update.asset_id);
            if uses {
                entry.spec.slate.image = Some(update.raster.clone());
            }
            for layer in entry
                .spec
                .overlays
                .iter_mut()
                .filter(|l| l.asset_id == update.asset_id)
            {
                layer.source = super::overlay::LayerSource::Image(update.raster.clone());
                uses = true;
            }
            if uses && let Some(addr) = &entry.addr {
                addr.do_send(update.clone());
            }
        }
    }
}
