//! How PTZ cameras are supervised: each enabled PTZ camera keeps its status cell across
//! restarts of its actor; the shell finds the actor and reads the status in the
//! [`PtzRegistry`].

use std::sync::Arc;

use actix::prelude::*;

use super::actor::PtzActor;
use super::device::PtzConnector;
use super::messages::UpdatePtzSpec;
use super::spec::PtzSpec;
use super::status::PtzCell;
use crate::events::EventBus;
use crate::supervision::{ChildLink, Registry, Supervised, Supervisor};

pub type PtzSupervisor = Supervisor<PtzActor>;
pub type PtzRegistry = Registry<PtzActor>;

/// What every PTZ actor needs: how to reach a device, and where to report.
#[derive(Clone)]
pub struct PtzEnv {
    pub connector: Arc<dyn PtzConnector>,
    pub events: EventBus,
}

impl Supervised for PtzActor {
    type Spec = PtzSpec;
    type Shared = Arc<PtzCell>;
    type Env = PtzEnv;
    const KIND: &'static str = "PTZ";

    fn id(spec: &PtzSpec) -> i64 {
        spec.camera_id
    }

    fn shared(spec: &PtzSpec, _previous: Option<Arc<PtzCell>>, env: &PtzEnv) -> Arc<PtzCell> {
        Arc::new(PtzCell::new(spec.camera_id, env.events.clone()))
    }

    fn make(spec: PtzSpec, cell: &Arc<PtzCell>, link: ChildLink, env: &PtzEnv) -> Self {
        PtzActor::new(spec, env.connector.clone(), cell.clone(), link)
    }

    fn update(addr: &Addr<Self>, spec: PtzSpec) {
        addr.do_send(UpdatePtzSpec(spec));
    }

    fn on_remove(cell: &Arc<PtzCell>) {
        cell.retire();
    }
}
