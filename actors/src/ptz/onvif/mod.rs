//! ONVIF implementation of [`PtzDevice`](super::PtzDevice), on the `oxvif` crate (decision
//! 0006).
//!
//! Connecting (PTZ-1): the ONVIF port from the camera record, else 8899, 8000, 80 in turn;
//! `GetSystemDateAndTime` first (it needs no credentials) to learn the camera's clock offset,
//! which then dates every WS-Security UsernameToken digest (a Pi without RTC, a camera
//! without NTP: frigate#12352); `GetCapabilities` for the media and PTZ service addresses
//! (`GetServices` only as a fallback: real devices get its namespaces wrong); `GetProfiles`
//! for the media profile. Every call is bounded by the spec's call timeout (5 s).
//!
//! Replies are checked to be namespace-well-formed before `oxvif` reads them: its parser
//! matches local names, so a cheap camera's reply with undeclared prefixes (ipycam) would
//! otherwise pass for success.
//!
//! One job per file:
//! - `connect.rs`: finding and connecting the camera, ending in an [`OnvifPtz`];
//! - `device.rs`: the connected camera, [`OnvifPtz`], and its PTZ commands;
//! - `describe.rs`: identifying a device discovery found, [`describe_device`];
//! - `faults.rs`: bounding each call and turning what goes wrong into a `PtzError`;
//! - `strict_xml.rs`: refusing replies that are not namespace-well-formed.
//!
//! Files import one another in one direction only: `describe` uses `connect` and `faults`;
//! `connect` uses `device`, `faults` and `strict_xml`; `device` uses `faults`; `faults` uses
//! `strict_xml`. Nothing is defined here.

mod connect;
mod describe;
mod device;
mod faults;
mod strict_xml;

pub use connect::OnvifConnector;
pub use describe::{DeviceSummary, describe_device};
pub use device::OnvifPtz;
pub use strict_xml::namespace_problem;
