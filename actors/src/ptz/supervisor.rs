//! PtzSupervisor: makes the running PTZ actors match the PTZ cameras the shell wants,
//! restarts an actor that stopped unexpectedly (backoff), and keeps the registry the API
//! reads (status without a mailbox round trip, the actor's address for commands).

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use actix::prelude::*;

use super::{PtzActor, PtzActorStopped, PtzCell, PtzConnector, PtzSpec, StopPtz, UpdatePtzSpec};
use crate::backoff::Backoff;
use crate::events::EventBus;

#[derive(Message)]
#[rtype(result = "()")]
pub struct ReconcilePtz(pub Vec<PtzSpec>);

#[derive(Message)]
#[rtype(result = "()")]
pub struct UpsertPtz(pub PtzSpec);

#[derive(Message)]
#[rtype(result = "()")]
pub struct RemovePtz(pub i64);

#[derive(Message)]
#[rtype(result = "()")]
pub struct ShutdownPtz;

/// A running PTZ camera, as the API sees it.
#[derive(Clone)]
pub struct PtzHandle {
    pub addr: Addr<PtzActor>,
    pub cell: Arc<PtzCell>,
}

#[derive(Clone, Default)]
pub struct PtzRegistry(Arc<RwLock<HashMap<i64, PtzHandle>>>);

impl PtzRegistry {
    pub fn get(&self, camera_id: i64) -> Option<PtzHandle> {
        self.0
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(&camera_id)
            .cloned()
    }

    pub fn ids(&self) -> Vec<i64> {
        let mut ids: Vec<i64> = self
            .0
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .keys()
            .copied()
            .collect();
        ids.sort_unstable();
        ids
    }

    fn set(&self, camera_id: i64, handle: Option<PtzHandle>) {
        let mut map = self.0.write().unwrap_or_else(|p| p.into_inner());
        match handle {
            Some(h) => map.insert(camera_id, h),
            None => map.remove(&camera_id),
        };
    }
}

struct Entry {
    spec: PtzSpec,
    cell: Arc<PtzCell>,
    incarnation: u64,
    restart_backoff: Backoff,
    restart: Option<SpawnHandle>,
}

pub struct PtzSupervisor {
    connector: Arc<dyn PtzConnector>,
    events: EventBus,
    registry: PtzRegistry,
    arbiter: ArbiterHandle,
    entries: HashMap<i64, Entry>,
    next_incarnation: u64,
    shutting_down: bool,
}

impl PtzSupervisor {
    pub fn new(
        connector: Arc<dyn PtzConnector>,
        events: EventBus,
        registry: PtzRegistry,
        arbiter: ArbiterHandle,
    ) -> Self {
        Self {
            connector,
            events,
            registry,
            arbiter,
            entries: HashMap::new(),
            next_incarnation: 0,
            shutting_down: false,
        }
    }

    fn spawn(&mut self, camera_id: i64, ctx: &mut Context<Self>) {
        let Some(entry) = self.entries.get_mut(&camera_id) else {
            return;
        };
        self.next_incarnation += 1;
        entry.incarnation = self.next_incarnation;
        let actor = PtzActor::new(
            entry.spec.clone(),
            self.connector.clone(),
            entry.cell.clone(),
            entry.incarnation,
            Some(ctx.address().recipient()),
        );
        let addr = PtzActor::start_in_arbiter(&self.arbiter, move |_| actor);
        self.registry.set(
            camera_id,
            Some(PtzHandle {
                addr,
                cell: entry.cell.clone(),
            }),
        );
    }

    fn upsert(&mut self, spec: PtzSpec, ctx: &mut Context<Self>) {
        if self.shutting_down {
            return;
        }
        let id = spec.camera_id;
        if let Some(entry) = self.entries.get_mut(&id) {
            if entry.spec != spec {
                entry.spec = spec.clone();
                if let Some(h) = self.registry.get(id) {
                    h.addr.do_send(UpdatePtzSpec(spec));
                }
            }
            return;
        }
        self.entries.insert(
            id,
            Entry {
                cell: Arc::new(PtzCell::new(id, self.events.clone())),
                spec,
                incarnation: 0,
                restart_backoff: Backoff::standard(),
                restart: None,
            },
        );
        self.spawn(id, ctx);
    }

    fn remove(&mut self, camera_id: i64, ctx: &mut Context<Self>) {
        if let Some(mut entry) = self.entries.remove(&camera_id) {
            if let Some(h) = entry.restart.take() {
                ctx.cancel_future(h);
            }
            entry.cell.retire();
        }
        if let Some(h) = self.registry.get(camera_id) {
            h.addr.do_send(StopPtz);
        }
        self.registry.set(camera_id, None);
    }
}

impl Actor for PtzSupervisor {
    type Context = Context<Self>;
}

impl Handler<ReconcilePtz> for PtzSupervisor {
    type Result = ();

    fn handle(&mut self, msg: ReconcilePtz, ctx: &mut Self::Context) {
        let wanted: std::collections::HashSet<i64> = msg.0.iter().map(|s| s.camera_id).collect();
        let stale: Vec<i64> = self
            .entries
            .keys()
            .filter(|id| !wanted.contains(id))
            .copied()
            .collect();
        for id in stale {
            self.remove(id, ctx);
        }
        for spec in msg.0 {
            self.upsert(spec, ctx);
        }
    }
}

impl Handler<UpsertPtz> for PtzSupervisor {
    type Result = ();

    fn handle(&mut self, msg: UpsertPtz, ctx: &mut Self::Context) {
        self.upsert(msg.0, ctx);
    }
}

impl Handler<RemovePtz> for PtzSupervisor {
    type Result = ();

    fn handle(&mut self, msg: RemovePtz, ctx: &mut Self::Context) {
        self.remove(msg.0, ctx);
    }
}

impl Handler<ShutdownPtz> for PtzSupervisor {
    type Result = ();

    fn handle(&mut self, _: ShutdownPtz, ctx: &mut Self::Context) {
        self.shutting_down = true;
        let ids: Vec<i64> = self.entries.keys().copied().collect();
        for id in ids {
            self.remove(id, ctx);
        }
    }
}

impl Handler<PtzActorStopped> for PtzSupervisor {
    type Result = ();

    fn handle(&mut self, msg: PtzActorStopped, ctx: &mut Self::Context) {
        if self.shutting_down {
            return;
        }
        let Some(entry) = self.entries.get_mut(&msg.camera_id) else {
            return; // removed on purpose
        };
        if entry.incarnation != msg.incarnation {
            return;
        }
        let delay = entry
            .restart_backoff
            .next_delay()
            .max(Duration::from_millis(100));
        tracing::warn!(
            camera = msg.camera_id,
            restart_in_ms = delay.as_millis() as u64,
            "PTZ actor stopped unexpectedly; restarting"
        );
        let id = msg.camera_id;
        entry.restart = Some(ctx.run_later(delay, move |act, ctx| {
            if let Some(e) = act.entries.get_mut(&id) {
                e.restart = None;
            }
            act.spawn(id, ctx);
        }));
    }
}
