//! The Supervisor reconciles the desired set of cameras into running CameraActors, restarts
//! actors that stop unexpectedly (jittered backoff, 1 s doubling to 30 s, reset after 60 s of
//! health), and keeps the registry of camera feeds that the API reads.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use actix::prelude::*;
use retina::client::SessionGroup;

use crate::backoff::Backoff;
use crate::camera::{
    CameraActor, CameraActorStopped, CameraFeed, CameraSpec, CameraState, StopCamera,
    UpdateCameraSpec,
};
use crate::events::EventBus;

// ---- messages -------------------------------------------------------------------------------

/// Make the running cameras exactly this set (enabled cameras only).
#[derive(Message)]
#[rtype(result = "()")]
pub struct ReconcileCameras(pub Vec<CameraSpec>);

/// Start a camera, or update it if it runs.
#[derive(Message)]
#[rtype(result = "()")]
pub struct UpsertCamera(pub CameraSpec);

/// Stop a camera and forget its feed (disabled or deleted).
#[derive(Message)]
#[rtype(result = "()")]
pub struct RemoveCamera(pub i64);

/// Stop every actor and wait (bounded) for their RTSP sessions to be torn down.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Shutdown {
    pub timeout: Duration,
}

// ---- registry -------------------------------------------------------------------------------

/// Read-only view of the running cameras' feeds, shared with the API so status reads and
/// subscriptions need no mailbox round trip.
#[derive(Clone, Default)]
pub struct CameraRegistry(Arc<RwLock<HashMap<i64, Arc<CameraFeed>>>>);

impl CameraRegistry {
    pub fn get(&self, camera_id: i64) -> Option<Arc<CameraFeed>> {
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

    fn insert(&self, feed: Arc<CameraFeed>) {
        self.0
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(feed.camera_id(), feed);
    }

    fn remove(&self, camera_id: i64) {
        self.0
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&camera_id);
    }
}

// ---- actor ----------------------------------------------------------------------------------

const HEALTHY_RUN: Duration = Duration::from_secs(60);

struct CameraEntry {
    spec: CameraSpec,
    feed: Arc<CameraFeed>,
    group: Arc<SessionGroup>,
    addr: Option<Addr<CameraActor>>,
    incarnation: u64,
    restart_backoff: Backoff,
    started_at: Instant,
    restart: Option<SpawnHandle>,
}

pub struct Supervisor {
    events: EventBus,
    registry: CameraRegistry,
    cameras: HashMap<i64, CameraEntry>,
    media: ArbiterHandle,
    shutting_down: bool,
    /// Never reset, so a stop notice from an actor of a removed-then-re-added camera can
    /// never be mistaken for one from the current actor.
    next_incarnation: u64,
}

impl Supervisor {
    /// `media` is the arbiter the camera actors (and their RTSP sessions) run on, so media
    /// work never shares a thread with the supervisor or the HTTP workers.
    pub fn new(events: EventBus, registry: CameraRegistry, media: ArbiterHandle) -> Self {
        Self {
            events,
            registry,
            cameras: HashMap::new(),
            media,
            shutting_down: false,
            next_incarnation: 0,
        }
    }

    fn spawn_actor(&mut self, camera_id: i64, ctx: &mut Context<Self>) {
        let Some(entry) = self.cameras.get_mut(&camera_id) else {
            return;
        };
        self.next_incarnation += 1;
        entry.incarnation = self.next_incarnation;
        entry.started_at = Instant::now();
        let actor = CameraActor::new(
            entry.spec.clone(),
            entry.feed.clone(),
            entry.group.clone(),
            entry.incarnation,
            Some(ctx.address().recipient()),
        );
        entry.addr = Some(CameraActor::start_in_arbiter(&self.media, move |_| actor));
    }

    fn upsert(&mut self, spec: CameraSpec, ctx: &mut Context<Self>) {
        if self.shutting_down {
            return;
        }
        if let Some(entry) = self.cameras.get_mut(&spec.id) {
            if entry.spec != spec {
                entry.spec = spec.clone();
                if let Some(addr) = &entry.addr {
                    addr.do_send(UpdateCameraSpec(spec));
                }
            }
            return;
        }
        let feed = CameraFeed::new(spec.id, self.events.clone());
        self.registry.insert(feed.clone());
        let id = spec.id;
        self.cameras.insert(
            id,
            CameraEntry {
                spec,
                feed,
                // One SessionGroup per camera: retina uses it to wait out stale sessions
                // (live555 cameras) before reconnecting, and to await TEARDOWN on shutdown.
                group: Arc::new(SessionGroup::default()),
                addr: None,
                incarnation: 0,
                restart_backoff: Backoff::standard(),
                started_at: Instant::now(),
                restart: None,
            },
        );
        self.spawn_actor(id, ctx);
    }

    fn remove(&mut self, camera_id: i64, ctx: &mut Context<Self>) {
        if let Some(mut entry) = self.cameras.remove(&camera_id) {
            if let Some(h) = entry.restart.take() {
                ctx.cancel_future(h);
            }
            if let Some(addr) = entry.addr.take() {
                addr.do_send(StopCamera);
            }
            entry.feed.set_state(CameraState::Disabled, None);
        }
        self.registry.remove(camera_id);
    }
}

impl Actor for Supervisor {
    type Context = Context<Self>;
}

impl Handler<ReconcileCameras> for Supervisor {
    type Result = ();

    fn handle(&mut self, msg: ReconcileCameras, ctx: &mut Self::Context) {
        let wanted: std::collections::HashSet<i64> = msg.0.iter().map(|s| s.id).collect();
        let stale: Vec<i64> = self
            .cameras
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

impl Handler<UpsertCamera> for Supervisor {
    type Result = ();

    fn handle(&mut self, msg: UpsertCamera, ctx: &mut Self::Context) {
        self.upsert(msg.0, ctx);
    }
}

impl Handler<RemoveCamera> for Supervisor {
    type Result = ();

    fn handle(&mut self, msg: RemoveCamera, ctx: &mut Self::Context) {
        self.remove(msg.0, ctx);
    }
}

impl Handler<CameraActorStopped> for Supervisor {
    type Result = ();

    fn handle(&mut self, msg: CameraActorStopped, ctx: &mut Self::Context) {
        if self.shutting_down {
            return;
        }
        let Some(entry) = self.cameras.get_mut(&msg.camera_id) else {
            return; // removed on purpose
        };
        if entry.incarnation != msg.incarnation || entry.restart.is_some() {
            return;
        }
        entry.addr = None;
        if entry.started_at.elapsed() >= HEALTHY_RUN {
            entry.restart_backoff.reset();
        }
        let delay = entry.restart_backoff.next_delay();
        tracing::warn!(
            camera = msg.camera_id,
            restart_in_ms = delay.as_millis() as u64,
            "camera actor stopped unexpectedly; restarting"
        );
        entry
            .feed
            .set_state(CameraState::Backoff, Some("camera actor restarting".into()));
        let id = msg.camera_id;
        entry.restart = Some(ctx.run_later(delay, move |act, ctx| {
            if let Some(e) = act.cameras.get_mut(&id) {
                e.restart = None;
            }
            act.spawn_actor(id, ctx);
        }));
    }
}

impl Handler<Shutdown> for Supervisor {
    type Result = ResponseFuture<()>;

    fn handle(&mut self, msg: Shutdown, ctx: &mut Self::Context) -> Self::Result {
        self.shutting_down = true;
        let mut groups = Vec::new();
        let mut actors = Vec::new();
        let ids: Vec<i64> = self.cameras.keys().copied().collect();
        for id in ids {
            if let Some(entry) = self.cameras.get(&id) {
                groups.push(entry.group.clone());
                actors.extend(entry.addr.clone());
            }
            self.remove(id, ctx);
        }
        Box::pin(async move {
            // First let the actors stop (dropping their sessions starts the TEARDOWNs), then
            // wait for the TEARDOWNs themselves.
            let deadline = Instant::now() + msg.timeout / 2;
            while actors.iter().any(|a| a.connected()) && Instant::now() < deadline {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            let all = futures::future::join_all(groups.iter().map(|g| g.await_teardown()));
            if tokio::time::timeout(msg.timeout, all).await.is_err() {
                tracing::warn!(
                    "some RTSP sessions were not torn down before the shutdown deadline"
                );
            }
        })
    }
}
