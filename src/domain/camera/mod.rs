//! Cameras (CAM-1): kinds and PTZ quirks, vendor profiles, where the stream is, and the
//! validation of what an operator gives.

mod kinds;
mod location;
mod validate;
mod vendor;

pub use kinds::{CameraKind, PtzQuirk};
pub use location::RtspLocation;
pub use validate::{CameraInput, ValidCamera, validate};
pub use vendor::{Vendor, VendorDefaults};
