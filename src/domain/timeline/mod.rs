//! Timelines (TL-1): what a client sends ([`input`]) and the rules it must meet
//! ([`validate`]).

pub mod input;
pub mod validate;

pub use input::*;
pub use validate::{ValidTimeline, validate, warnings};
