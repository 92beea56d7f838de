//! The running media runtime: one supervisor per kind of actor (cameras, PTZ devices,
//! outputs), their registries and the event bus, started inside the current actix System.

use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;

use crate::camera::{CameraRegistry, CameraSupervisor};
use crate::events::EventBus;
use crate::output::{OutputEnv, OutputRegistry, OutputSupervisor};
use crate::ptz::{OnvifConnector, PtzEnv, PtzRegistry, PtzSupervisor};
use crate::supervision::Shutdown;

/// Handles on a running media runtime.
#[derive(Clone)]
pub struct Runtime {
    pub events: EventBus,
    pub cameras: Addr<CameraSupervisor>,
    pub camera_registry: CameraRegistry,
    pub ptz: Addr<PtzSupervisor>,
    pub ptz_registry: PtzRegistry,
    pub outputs: Addr<OutputSupervisor>,
    pub output_registry: OutputRegistry,
}

impl Runtime {
    /// Start the runtime inside the current actix System: the supervisors on the current
    /// arbiter; cameras and outputs on a *media* arbiter (thread) of their own, PTZ actors on
    /// another, so SOAP calls never share a thread with media.
    pub fn start() -> Self {
        let events = EventBus::default();
        let media = Arbiter::new().handle();
        let camera_registry = CameraRegistry::default();
        let cameras =
            CameraSupervisor::new(events.clone(), camera_registry.clone(), media.clone()).start();
        let ptz_registry = PtzRegistry::default();
        let ptz = PtzSupervisor::new(
            PtzEnv {
                connector: Arc::new(OnvifConnector),
                events: events.clone(),
            },
            ptz_registry.clone(),
            Arbiter::new().handle(),
        )
        .start();
        let output_registry = OutputRegistry::default();
        let outputs = OutputSupervisor::new(
            OutputEnv {
                cameras: camera_registry.clone(),
                events: events.clone(),
            },
            output_registry.clone(),
            media,
        )
        .start();
        Self {
            events,
            cameras,
            camera_registry,
            ptz,
            ptz_registry,
            outputs,
            output_registry,
        }
    }

    /// Stop everything in order, within `timeout` per kind: outputs first (their RTMP
    /// sessions end cleanly and recordings are finalized), then PTZ, then the cameras the
    /// outputs read from (waiting for their RTSP TEARDOWNs).
    pub async fn shutdown(&self, timeout: Duration) {
        bounded("outputs", timeout, self.outputs.send(Shutdown { timeout })).await;
        bounded("PTZ", timeout, self.ptz.send(Shutdown { timeout })).await;
        bounded("cameras", timeout, self.cameras.send(Shutdown { timeout })).await;
    }
}

async fn bounded(
    what: &str,
    timeout: Duration,
    stop: impl Future<Output = Result<(), MailboxError>>,
) {
    match tokio::time::timeout(timeout, stop).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => tracing::warn!(error = %e, "{what}: shutdown not delivered"),
        Err(_) => tracing::warn!("{what} did not stop before the shutdown deadline"),
    }
}
