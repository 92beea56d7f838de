//! Timelines (TL-2, TL-3): one [`TimelineActor`] per running timeline, driving one program
//! output, kept by the [`TimelineSupervisor`] (one child per output).
//!
//! What a timeline is ([`spec`]), how the shell asks to run it ([`run`]), and the pure
//! decisions the actor makes from it ([`segments`]: what is on screen at any offset, where a
//! looping or ending timeline is after some running time; [`cursor`]: what happens within a
//! window of running time; [`prepositions`]: which PTZ camera to move to its preset when,
//! so a cut lands on a settled picture). The actor keeps time on an injectable [`clock`] and
//! reaches the program and the PTZ cameras through [`ports`].

mod actor;
pub mod clock;
pub mod cursor;
mod handlers;
mod messages;
pub mod ports;
pub mod prepositions;
pub mod run;
pub mod segments;
pub mod spec;
mod status;
mod supervisor;

pub use actor::{LOOKAHEAD, PREPARE_LEAD, TimelineActor, TimelineEnv};
pub use messages::{Pause, Pin, ReplaceRun, Resume, Seek, Skip, Tick, TimelineError};
pub use status::TimelineCell;
pub use supervisor::{TimelineRegistry, TimelineSupervisor};
