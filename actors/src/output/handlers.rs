//! What an output actor does with each message: its own tasks' notices (prepared, a failed
//! input, a failed pipeline) and the shell's commands (cut, new settings, overlays, a
//! refreshed picture, halt).

use std::time::Duration;

use actix::prelude::*;

use super::actor::OutputActor;
use super::elements::teardown;
use super::messages::{
    Cut, InputFailed, OutputError, PipelineFailed, Prepared, ProgramCommand, ProgramEpoch,
    SetOverlays, UpdateAsset, UpdateOutput,
};
use super::spec::OutputMode;
use super::timing;
use crate::state::OutputState;
use crate::supervision::{Halt, StopReason};

impl Handler<Prepared> for OutputActor {
    type Result = ();

    fn handle(&mut self, msg: Prepared, ctx: &mut Self::Context) {
        if !ctx.state().alive() {
            return;
        }
        let result = msg.0.and_then(|prepared| self.build(prepared, ctx));
        if let Err(e) = result {
            self.fail(e, ctx);
        }
    }
}

impl Handler<InputFailed> for OutputActor {
    type Result = ();

    fn handle(&mut self, msg: InputFailed, _ctx: &mut Self::Context) {
        if !self.program().is_some_and(|p| p.has_input(msg.camera_id)) {
            return; // a bin already removed, reporting late
        }
        tracing::warn!(output = self.spec.id, camera = msg.camera_id, error = %self.redact(&msg.reason), "camera input failed; rebuilding it");
        self.remove_input(msg.camera_id);
        if let Err(e) = self.add_input(msg.camera_id) {
            tracing::warn!(output = self.spec.id, camera = msg.camera_id, error = %e, "could not rebuild the camera input");
        }
        self.decide_layer();
    }
}

impl Handler<PipelineFailed> for OutputActor {
    type Result = ();

    fn handle(&mut self, msg: PipelineFailed, ctx: &mut Self::Context) {
        self.fail(msg.0, ctx);
    }
}

impl Handler<Cut> for OutputActor {
    type Result = Result<(), OutputError>;

    fn handle(&mut self, msg: Cut, ctx: &mut Self::Context) -> Self::Result {
        if self.spec.mode == OutputMode::Relay {
            return Err(OutputError::RelayCannotCut);
        }
        if self.program().is_some() {
            // The input first: a camera that cannot be added changes nothing on air.
            self.add_input(msg.camera_id)
                .map_err(OutputError::Pipeline)?;
        }
        // The operator's cut wins over anything a timeline scheduled.
        if let Some(running) = &self.running
            && let Some(program) = &running.program
        {
            program.clear_scheduled(timing::nanos(running.clock.now()) as u64);
        }
        self.spec.camera_id = Some(msg.camera_id);
        self.request_camera(Some(msg.camera_id));
        // A camera cut away from that is not on standby is decoded for nothing once the
        // pending-cut grace is over.
        ctx.run_later(
            timing::PENDING_CUT_GRACE + Duration::from_millis(500),
            |act, _| act.drop_unneeded_inputs(),
        );
        Ok(())
    }
}

impl Handler<ProgramCommand> for OutputActor {
    type Result = Result<ProgramEpoch, OutputError>;

    fn handle(&mut self, msg: ProgramCommand, ctx: &mut Self::Context) -> Self::Result {
        if self.spec.mode == OutputMode::Relay {
            return Err(OutputError::RelayCannotCut);
        }
        let Some(running) = &self.running else {
            return Err(OutputError::NotRunning);
        };
        let epoch = running.epoch;
        let base = running.clock.base_time.nseconds();
        let now = timing::nanos(running.clock.now()) as u64;
        let running_ns = |at: Duration| (at.as_nanos() as u64).saturating_sub(base);
        match msg {
            ProgramCommand::Prepare(cameras) => {
                self.timeline_standby = cameras.clone();
                for id in cameras {
                    self.add_input(id).map_err(OutputError::Pipeline)?;
                }
                self.drop_unneeded_inputs();
            }
            ProgramCommand::Shot {
                at,
                camera_id,
                entry,
            } => {
                self.add_input(camera_id).map_err(OutputError::Pipeline)?;
                if let Some(program) = self.program() {
                    program
                        .schedule_shot(camera_id, running_ns(at), entry)
                        .map_err(OutputError::Pipeline)?;
                }
            }
            ProgramCommand::Overlays { at, layers } => {
                if let Some(program) = self.program() {
                    program.schedule_overlays(running_ns(at), layers);
                }
            }
            ProgramCommand::Clear => {
                if let Some(program) = self.program() {
                    program.clear_scheduled(now);
                }
            }
            ProgramCommand::Release => {
                self.timeline_standby.clear();
                if let Some(program) = self.program() {
                    program.clear_scheduled(now);
                    program.schedule_overlays(now, Vec::new());
                }
                ctx.run_later(
                    timing::PENDING_CUT_GRACE + Duration::from_millis(500),
                    |act, _| act.drop_unneeded_inputs(),
                );
            }
        }
        Ok(epoch)
    }
}

impl Handler<UpdateOutput> for OutputActor {
    type Result = ();

    fn handle(&mut self, msg: UpdateOutput, ctx: &mut Self::Context) {
        let new = msg.0;
        let overlays_changed = new.overlays != self.spec.overlays;
        if self.spec.needs_new_pipeline(&new) {
            tracing::info!(
                output = self.spec.id,
                "output settings changed; restarting its pipeline"
            );
            self.spec = new;
            // The supervisor starts the new spec at once.
            self.stop_reason = StopReason::Restart;
            self.status.update(|s| {
                s.state = OutputState::Starting;
                s.reason = Some("settings changed".into());
            });
            ctx.stop();
            return;
        }
        let old = std::mem::replace(&mut self.spec, new);
        if self.running.is_none() {
            return; // still preparing: `build` uses the new spec
        }
        if overlays_changed && let Some(p) = self.program() {
            p.overlays.set_layers(self.spec.overlays.clone());
        }
        for d in &old.destinations {
            if !self.spec.destinations.iter().any(|n| n == d) {
                self.stop_publisher(d.id);
            }
        }
        for d in self.spec.destinations.clone() {
            if !old.destinations.contains(&d) {
                self.start_publisher(d);
            }
        }
        if old.slate != self.spec.slate
            && let Some(p) = self.program()
        {
            p.overlays
                .set_slate(&self.spec.slate.text, self.spec.slate.image.clone());
        }
        let wanted = self.wanted_inputs();
        let current = self.program().map(|p| p.input_ids()).unwrap_or_default();
        for id in current {
            if !wanted.contains(&id) {
                self.remove_input(id);
            }
        }
        if self.spec.mode == OutputMode::Program {
            for id in wanted {
                if let Err(e) = self.add_input(id) {
                    tracing::warn!(output = self.spec.id, camera = id, error = %e, "could not add a camera input");
                }
            }
        }
        if old.camera_id != self.spec.camera_id {
            self.request_camera(self.spec.camera_id);
        }
    }
}

impl Handler<SetOverlays> for OutputActor {
    type Result = ();

    fn handle(&mut self, msg: SetOverlays, _ctx: &mut Self::Context) {
        self.spec.overlays = msg.0;
        if let Some(p) = self.program() {
            p.overlays.set_layers(self.spec.overlays.clone());
        }
    }
}

impl Handler<UpdateAsset> for OutputActor {
    type Result = ();

    fn handle(&mut self, msg: UpdateAsset, _ctx: &mut Self::Context) {
        let uses = self.spec.swap_asset(msg.asset_id, &msg.raster);
        if let Some(p) = self.program() {
            if uses.on_slate {
                p.overlays
                    .set_slate(&self.spec.slate.text, self.spec.slate.image.clone());
            }
            p.overlays.update_asset(msg.asset_id, msg.raster);
        }
    }
}

impl Handler<Halt> for OutputActor {
    type Result = ResponseFuture<()>;

    fn handle(&mut self, _: Halt, ctx: &mut Self::Context) -> Self::Result {
        let _ = self.stop_tx.send(true);
        let tasks = std::mem::take(&mut self.tasks);
        let pipeline = self.running.take().map(|r| r.pipeline);
        self.stop_reason = StopReason::Halted;
        ctx.stop();
        Box::pin(async move {
            if let Some(p) = pipeline {
                teardown(p).await;
            }
            // Publishers tear their own pipelines down when they see the stop.
            let all = futures::future::join_all(tasks);
            let _ = tokio::time::timeout(Duration::from_secs(3), all).await;
        })
    }
}
