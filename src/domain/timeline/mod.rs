//! Timelines: what a client sends ([`input`]) and the rules it must meet ([`validate`]);
//! who may take an output from whom ([`priority`]); where a run is by the wall clock
//! ([`anchor`]).

pub mod anchor;
pub mod input;
pub mod priority;
pub mod validate;

pub use input::*;
pub use priority::{Contest, Starter, contest};
pub use validate::{ValidTimeline, validate, warnings};
