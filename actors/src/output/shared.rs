//! What an output keeps across restarts of its actor.

use std::sync::Arc;

use super::status::StatusCell;
use crate::preview::ProgramFeed;

/// What an output keeps across restarts of its actor: its status (a stopped or restarting
/// output still says why) and its previews' feed (viewers stay connected through a restart).
#[derive(Clone)]
pub struct OutputShared {
    pub status: Arc<StatusCell>,
    pub preview: Arc<ProgramFeed>,
}
