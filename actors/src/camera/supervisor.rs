//! How cameras are supervised: each configured camera keeps its feed (and retina's session
//! group) for as long as it is configured, across restarts of its actor; the shell reads
//! feeds from the [`CameraRegistry`].

use std::sync::Arc;

use actix::prelude::*;
use futures::FutureExt;
use futures::future::BoxFuture;
use retina::client::SessionGroup;

use super::actor::CameraActor;
use super::feed::CameraFeed;
use super::messages::UpdateCameraSpec;
use super::spec::CameraSpec;
use crate::events::EventBus;
use crate::state::CameraState;
use crate::supervision::{ChildLink, Registry, Supervised, Supervisor};

pub type CameraSupervisor = Supervisor<CameraActor>;
pub type CameraRegistry = Registry<CameraActor>;

/// What a configured camera keeps across restarts of its actor.
#[derive(Clone)]
pub struct CameraShared {
    pub feed: Arc<CameraFeed>,
    /// One SessionGroup per camera: retina uses it to wait out stale sessions (live555
    /// cameras) before reconnecting, and to await TEARDOWN on shutdown.
    group: Arc<SessionGroup>,
}

impl Registry<CameraActor> {
    /// The feed of a configured camera: its frames, GOP cache and status.
    pub fn feed(&self, camera_id: i64) -> Option<Arc<CameraFeed>> {
        self.shared(camera_id).map(|s| s.feed)
    }
}

impl Supervised for CameraActor {
    type Spec = CameraSpec;
    type Shared = CameraShared;
    type Env = EventBus;
    const KIND: &'static str = "camera";

    fn id(spec: &CameraSpec) -> i64 {
        spec.id
    }

    fn shared(
        spec: &CameraSpec,
        _previous: Option<CameraShared>,
        events: &EventBus,
    ) -> CameraShared {
        CameraShared {
            feed: CameraFeed::new(spec.id, events.clone()),
            group: Arc::new(SessionGroup::default()),
        }
    }

    fn make(spec: CameraSpec, shared: &CameraShared, link: ChildLink, _: &EventBus) -> Self {
        CameraActor::new(spec, shared.feed.clone(), shared.group.clone(), link)
    }

    fn update(addr: &Addr<Self>, spec: CameraSpec) {
        addr.do_send(UpdateCameraSpec(spec));
    }

    fn on_restart(shared: &CameraShared, _restarts: u64) {
        shared
            .feed
            .set_state(CameraState::Backoff, Some("camera actor restarting".into()));
    }

    fn on_remove(shared: &CameraShared) {
        shared.feed.set_state(CameraState::Disabled, None);
    }

    fn after_halt(shared: &CameraShared) -> Option<BoxFuture<'static, ()>> {
        let group = shared.group.clone();
        Some(
            async move {
                // A session that could not be torn down is the camera's loss, not ours.
                let _ = group.await_teardown().await;
            }
            .boxed(),
        )
    }
}
