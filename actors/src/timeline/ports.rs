//! What a timeline actor reaches outside itself, as traits so tests put recorders in their
//! place: the program it drives and the PTZ cameras it moves. [`RuntimePorts`] is the real
//! thing: the output and PTZ registries, looked up on every call, so an output or a PTZ
//! actor that restarted is found again.

use futures::FutureExt;
use futures::future::BoxFuture;

use super::run::PresetTarget;
use crate::output::{OutputRegistry, ProgramCommand, ProgramEpoch};
use crate::ptz::{GotoPreset, MoveOutcome, PtzRegistry};

pub trait ProgramPort: Send + Sync + 'static {
    /// Send `command` to output `output_id` (queued at once, in call order).
    fn command(
        &self,
        output_id: i64,
        command: ProgramCommand,
    ) -> BoxFuture<'static, Result<ProgramEpoch, String>>;
}

pub trait PtzPort: Send + Sync + 'static {
    /// Recall a preset and answer once the head settled (how long it took is measured).
    fn recall(&self, target: &PresetTarget) -> BoxFuture<'static, Result<MoveOutcome, String>>;
}

/// The runtime's registries.
#[derive(Clone)]
pub struct RuntimePorts {
    pub outputs: OutputRegistry,
    pub ptz: PtzRegistry,
}

impl ProgramPort for RuntimePorts {
    fn command(
        &self,
        output_id: i64,
        command: ProgramCommand,
    ) -> BoxFuture<'static, Result<ProgramEpoch, String>> {
        let Some(addr) = self.outputs.addr(output_id) else {
            return futures::future::ready(Err(format!("output {output_id} is not running")))
                .boxed();
        };
        let request = addr.send(command);
        async move {
            match request.await {
                Ok(answer) => answer.map_err(|e| format!("output {output_id}: {e}")),
                Err(e) => Err(format!("output {output_id}: {e}")),
            }
        }
        .boxed()
    }
}

impl PtzPort for RuntimePorts {
    fn recall(&self, target: &PresetTarget) -> BoxFuture<'static, Result<MoveOutcome, String>> {
        let camera_id = target.camera_id;
        let Some(addr) = self.ptz.addr(camera_id) else {
            return futures::future::ready(Err(format!("PTZ camera {camera_id} is not connected")))
                .boxed();
        };
        let request = addr.send(GotoPreset {
            position: target.position,
            token: target.token.clone(),
            wait: true,
        });
        async move {
            match request.await {
                Ok(answer) => answer.map_err(|e| format!("PTZ camera {camera_id}: {e}")),
                Err(e) => Err(format!("PTZ camera {camera_id}: {e}")),
            }
        }
        .boxed()
    }
}
