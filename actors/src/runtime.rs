//! The running media runtime: one supervisor per kind of actor (cameras, PTZ devices,
//! outputs, timelines), their registries and the event bus, started inside the current actix System.

use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;

use crate::camera::{CameraRegistry, CameraSupervisor};
use crate::events::EventBus;
use crate::output::{OutputEnv, OutputRegistry, OutputSupervisor};
use crate::ptz::{OnvifConnector, PtzEnv, PtzRegistry, PtzSupervisor};
use crate::supervision::Shutdown;
use crate::timeline::clock::SystemClock;
use crate::timeline::ports::RuntimePorts;
use crate::timeline::{TimelineEnv, TimelineRegistry, TimelineSupervisor};

/// How often a timeline runs its decisions (shots are handed over a second ahead, so this
/// only bounds how late a pause or a PTZ recall is sent).
const TIMELINE_TICK: Duration = Duration::from_millis(100);

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
    pub timelines: Addr<TimelineSupervisor>,
    pub timeline_registry: TimelineRegistry,
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
        let ports = Arc::new(RuntimePorts {
            outputs: output_registry.clone(),
            ptz: ptz_registry.clone(),
        });
        let timeline_registry = TimelineRegistry::default();
        // Timelines on an arbiter of their own: nothing else delays their ticks.
        let timelines = TimelineSupervisor::new(
            TimelineEnv {
                program: ports.clone(),
                ptz: ports,
                clock: Arc::new(SystemClock::obtain()),
                events: events.clone(),
                tick: TIMELINE_TICK,
            },
            timeline_registry.clone(),
            Arbiter::new().handle(),
        )
        .start();
        Self {
            events,
            timelines,
            timeline_registry,
            cameras,
            camera_registry,
            ptz,
            ptz_registry,
            outputs,
            output_registry,
        }
    }

    /// Stop everything in order, within `timeout` per kind: timelines first (nothing cuts
    /// while the rest goes down), outputs (their RTMP
    /// sessions end cleanly and recordings are finalized), then PTZ, then the cameras the
    /// outputs read from (waiting for their RTSP TEARDOWNs).
    pub async fn shutdown(&self, timeout: Duration) {
        bounded(
            "timelines",
            timeout,
            self.timelines.send(Shutdown { timeout }),
        )
        .await;
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
