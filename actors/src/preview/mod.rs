//! Live previews for the browser (OUT-10): a camera's or a program's own H.264, packaged as
//! fragmented MP4 for Media Source Extensions — no decode and no encode per viewer.

mod camera_source;
mod fmp4;
mod h264;
mod program_feed;
mod session;
mod timeline;

pub use camera_source::{CameraUnit, CameraUnits};
pub use fmp4::VideoFormat;
pub use h264::AvcConfig;
pub use program_feed::ProgramFeed;
pub use session::{Packing, PreviewMessage, PreviewSession, VideoUnit};
