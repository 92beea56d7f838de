//! VistterStream's media runtime.
//!
//! One actix actor per camera (and, in later modules, per PTZ device, output and timeline),
//! supervised by [`supervisor::Supervisor`]. This crate knows nothing about HTTP or SQL: the
//! shell turns stored rows into spec structs ([`camera::CameraSpec`]) and reads back status,
//! frames and events.

pub mod backoff;
pub mod camera;
pub mod events;
pub mod media;
pub mod output;
pub mod ptz;
pub mod supervisor;

use actix::prelude::*;

pub use events::{EventBus, RuntimeEvent};
pub use output::{OutputRegistry, OutputSupervisor};
pub use ptz::{PtzRegistry, PtzSupervisor};
pub use supervisor::{CameraRegistry, Supervisor};

/// Handles on a running media runtime.
#[derive(Clone)]
pub struct Runtime {
    pub supervisor: Addr<Supervisor>,
    pub cameras: CameraRegistry,
    pub events: EventBus,
    pub outputs: Addr<OutputSupervisor>,
    pub output_registry: OutputRegistry,
    pub ptz: Addr<PtzSupervisor>,
    pub ptz_registry: PtzRegistry,
}

impl Runtime {
    /// Start the runtime inside the current actix System: the supervisor on the current
    /// arbiter, the camera actors on an arbiter (thread) of their own.
    pub fn start() -> Self {
        let events = EventBus::default();
        let cameras = CameraRegistry::default();
        let media = Arbiter::new().handle();
        let supervisor = Supervisor::new(events.clone(), cameras.clone(), media.clone()).start();
        let ptz_registry = PtzRegistry::default();
        // PTZ actors get a thread of their own: SOAP calls never share one with media.
        let ptz = PtzSupervisor::new(
            std::sync::Arc::new(ptz::OnvifConnector),
            events.clone(),
            ptz_registry.clone(),
            Arbiter::new().handle(),
        )
        .start();
        let output_registry = OutputRegistry::default();
        let outputs = OutputSupervisor::new(
            cameras.clone(),
            events.clone(),
            output_registry.clone(),
            media,
        )
        .start();
        Self {
            supervisor,
            cameras,
            events,
            outputs,
            output_registry,
            ptz,
            ptz_registry,
        }
    }
}
