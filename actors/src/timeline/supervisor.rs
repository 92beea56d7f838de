//! How timelines are supervised: one child per program output (so an output runs one
//! timeline at a time), its live position in a cell the shell reads without a mailbox
//! round trip, kept across restarts of the actor.

use std::sync::Arc;

use actix::prelude::*;

use super::actor::{TimelineActor, TimelineEnv};
use super::messages::ReplaceRun;
use super::run::TimelineRun;
use super::status::TimelineCell;
use crate::state::TimelinePosition;
use crate::supervision::{ChildLink, Registry, Supervised, Supervisor};

pub type TimelineSupervisor = Supervisor<TimelineActor>;
pub type TimelineRegistry = Registry<TimelineActor>;

impl Registry<TimelineActor> {
    /// The live position of the timeline running on `output_id`.
    pub fn position(&self, output_id: i64) -> Option<TimelinePosition> {
        self.shared(output_id).and_then(|cell| cell.get())
    }
}

impl Supervised for TimelineActor {
    type Spec = TimelineRun;
    type Shared = Arc<TimelineCell>;
    type Env = TimelineEnv;
    const KIND: &'static str = "timeline";

    fn id(spec: &TimelineRun) -> i64 {
        spec.output_id
    }

    fn shared(
        _spec: &TimelineRun,
        previous: Option<Arc<TimelineCell>>,
        env: &TimelineEnv,
    ) -> Arc<TimelineCell> {
        previous.unwrap_or_else(|| Arc::new(TimelineCell::new(env.events.clone())))
    }

    fn make(
        mut spec: TimelineRun,
        shared: &Arc<TimelineCell>,
        link: ChildLink,
        env: &TimelineEnv,
    ) -> Self {
        // A restart of the same run goes on from where the last actor was.
        if let Some(last) = shared.get().filter(|p| p.run_id == spec.run_id) {
            spec.start.elapsed = std::time::Duration::from_secs_f64(last.elapsed_s.max(0.0));
            spec.start.paused = last.state == crate::state::TimelineState::Paused;
            spec.pinned = last.pinned_camera_id;
        }
        TimelineActor::new(spec, env.clone(), shared.clone(), link)
    }

    fn update(addr: &Addr<Self>, spec: TimelineRun) {
        addr.do_send(ReplaceRun(spec));
    }

    fn on_remove(shared: &Arc<TimelineCell>) {
        shared.clear_metrics();
    }
}
