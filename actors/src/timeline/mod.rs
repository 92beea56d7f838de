//! Timelines (TL-2), as the runtime will run them: what a timeline is ([`spec`]) and the pure
//! decisions a timeline actor makes from it ([`segments`]: what is on screen at any offset,
//! where a looping or ending timeline is after some running time, when the next change
//! comes; [`prepositions`]: which PTZ camera to move to its preset when, so a cut lands on a
//! settled picture). The actor itself, its messages and supervisor follow the shared supervision
//! pattern (docs/architecture.md, "Where a new feature goes").

pub mod prepositions;
pub mod segments;
pub mod spec;
