//! PTZ cameras (PTZ-1..4): one [`PtzActor`] per enabled PTZ camera keeps its ONVIF session,
//! serializes its commands, coalesces joystick bursts, stops continuous moves by itself,
//! recalls presets and tells when the head has settled; the [`PtzSupervisor`] keeps the
//! actors running. ONVIF stays behind the [`PtzDevice`] trait (decision 0006).

mod actor;
mod commands;
mod device;
mod error;
mod lane;
mod messages;
mod onvif;
mod settle;
mod spec;
mod status;
mod supervisor;

pub use actor::PtzActor;
pub use device::{
    DeviceDescription, DevicePreset, MoveState, PtzConnector, PtzDevice, PtzReading, PtzVector,
};
pub use error::PtzError;
pub use messages::{
    AbsoluteMove, CapturePreset, CapturedPreset, GotoPreset, ListDevicePresets, Move, MoveAccepted,
    MoveOutcome, ReadStatus, RelativeMove, RemovePreset, Stop, UpdatePtzSpec, WaitSettled,
};
pub use onvif::{DeviceSummary, OnvifConnector, OnvifPtz, describe_device, namespace_problem};
pub use settle::{SettleDetector, TARGET_TOLERANCE, Verdict};
pub use spec::{FALLBACK_ONVIF_PORTS, PtzQuirks, PtzSpec, PtzTiming};
pub use status::{PtzCell, PtzStatus};
pub use supervisor::{PtzEnv, PtzRegistry, PtzSupervisor};
