//! Cameras (CAM-3, CAM-4, CAM-6): one [`CameraActor`] per enabled camera keeps its RTSP
//! session alive, its [`CameraFeed`] fans frames out to every consumer, and the
//! [`CameraSupervisor`] keeps the actors running.

mod actor;
mod feed;
mod frame;
pub mod http_snapshot;
mod messages;
mod probe;
mod session;
mod spec;
mod status;
mod supervisor;

pub use actor::CameraActor;
pub use feed::{CameraFeed, FrameSubscription};
pub use frame::{AudioInfo, Frame, MediaKind, StreamParams, VideoCodec, VideoInfo};
pub use messages::UpdateCameraSpec;
pub use probe::{ProbeReport, probe};
pub use session::SessionError;
pub use spec::CameraSpec;
pub use status::{CameraStatus, RateWindow};
pub use supervisor::{CameraRegistry, CameraShared, CameraSupervisor};
