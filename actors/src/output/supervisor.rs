//! How outputs are supervised: an output's status cell outlives its actor (a stopped or
//! restarting output still reports why), a planned restart (new settings) is immediate, and
//! a refreshed asset picture reaches every output that shows it, running or restarting.

use std::sync::Arc;

use actix::prelude::*;

use super::actor::OutputActor;
use super::messages::{BroadcastAsset, UpdateOutput};
use super::shared::OutputShared;
use super::spec::OutputSpec;
use super::status::{OutputStatus, StatusCell};
use crate::camera::CameraRegistry;
use crate::events::EventBus;
use crate::state::OutputState;
use crate::supervision::{ChildLink, Registry, Supervised, Supervisor};

pub type OutputSupervisor = Supervisor<OutputActor>;
pub type OutputRegistry = Registry<OutputActor>;

/// What every output needs: the cameras it reads, and where it reports.
#[derive(Clone)]
pub struct OutputEnv {
    pub cameras: CameraRegistry,
    pub events: EventBus,
}

impl Registry<OutputActor> {
    /// An output's live status (stopped when the runtime never ran it).
    pub fn status(&self, output_id: i64) -> OutputStatus {
        self.shared(output_id)
            .map(|shared| shared.status.get())
            .unwrap_or_else(OutputStatus::stopped)
    }
}

impl Supervised for OutputActor {
    type Spec = OutputSpec;
    type Shared = OutputShared;
    type Env = OutputEnv;
    const KIND: &'static str = "output";

    fn id(spec: &OutputSpec) -> i64 {
        spec.id
    }

    fn shared(spec: &OutputSpec, previous: Option<OutputShared>, env: &OutputEnv) -> OutputShared {
        previous.unwrap_or_else(|| OutputShared {
            status: Arc::new(StatusCell::new(spec.id, env.events.clone())),
            preview: Arc::default(),
        })
    }

    fn make(spec: OutputSpec, shared: &OutputShared, link: ChildLink, env: &OutputEnv) -> Self {
        OutputActor::new(spec, env.cameras.clone(), shared.clone(), link)
    }

    fn update(addr: &Addr<Self>, spec: OutputSpec) {
        addr.do_send(UpdateOutput(spec));
    }

    fn on_restart(shared: &OutputShared, restarts: u64) {
        shared.status.update(|s| s.restarts = restarts);
    }

    fn on_stop(shared: &OutputShared, was_running: bool) {
        if !was_running {
            // Waiting for a restart: nothing runs, but say it is stopped.
            shared.status.update(|s| {
                s.state = OutputState::Stopped;
                s.reason = None;
            });
        }
    }
}

impl Handler<BroadcastAsset> for Supervisor<OutputActor> {
    type Result = ();

    fn handle(&mut self, msg: BroadcastAsset, _ctx: &mut Self::Context) {
        let update = msg.0;
        self.for_each_child(|spec, addr| {
            if spec.swap_asset(update.asset_id, &update.raster).any()
                && let Some(addr) = addr
            {
                addr.do_send(update.clone());
            }
        });
    }
}
