//! Timelines: what a client sends ([`input`]) and the rules it must meet ([`validate`]);
//! who may take an output from whom ([`priority`]); where a run is by the wall clock
//! ([`anchor`]); our export document ([`document`]), the other system's format
//! ([`seed_format`]) and the id mapping imports use ([`id_map`]).

pub mod anchor;
pub mod document;
pub mod id_map;
pub mod input;
pub mod priority;
pub mod seed_format;
pub mod validate;

pub use input::*;
pub use priority::{Contest, Starter, contest};
pub use validate::{ValidTimeline, validate, warnings};
