//! An output's own encoded picture for its previews: the program's H.264 as the encoder gave
//! it (no decode, no encode for a viewer), fanned out like a camera's frames, with the
//! current GOP kept so a new viewer gets a picture at once. It lives as long as the output
//! is configured, across restarts of its pipeline.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::broadcast;

use super::session::VideoUnit;

/// Frames a viewer may fall behind before it is told it lagged (and skips to a keyframe).
const CAPACITY: usize = 256;
/// The GOP cache never holds more than this (a program's GOP is 2 s; this bounds a broken one).
const MAX_GOP: usize = 600;

pub struct ProgramFeed {
    tx: broadcast::Sender<Arc<VideoUnit>>,
    gop: Mutex<Vec<Arc<VideoUnit>>>,
    runs: AtomicU64,
}

impl Default for ProgramFeed {
    fn default() -> Self {
        Self {
            tx: broadcast::channel(CAPACITY).0,
            gop: Mutex::new(Vec::new()),
            runs: AtomicU64::new(0),
        }
    }
}

impl ProgramFeed {
    /// A new run of the output's pipeline: its timestamps start again and its old pictures
    /// are gone. Returns the run's number, which its units carry as their session.
    pub fn new_run(&self) -> u64 {
        self.gop.lock().unwrap_or_else(|p| p.into_inner()).clear();
        self.runs.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// The output stopped: its last pictures must not greet a new viewer.
    pub fn clear(&self) {
        self.gop.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }

    /// One encoded access unit of the program. The cache and the send happen under one lock,
    /// so a new viewer sees each unit exactly once.
    pub fn publish(&self, unit: VideoUnit) {
        let unit = Arc::new(unit);
        let mut gop = self.gop.lock().unwrap_or_else(|p| p.into_inner());
        if unit.keyframe {
            gop.clear();
        }
        if gop.len() < MAX_GOP && (unit.keyframe || !gop.is_empty()) {
            gop.push(unit.clone());
        }
        // No viewer is not an error.
        let _ = self.tx.send(unit);
    }

    /// The current GOP and every unit after it.
    pub fn subscribe(&self) -> (Vec<Arc<VideoUnit>>, broadcast::Receiver<Arc<VideoUnit>>) {
        let gop = self.gop.lock().unwrap_or_else(|p| p.into_inner());
        (gop.clone(), self.tx.subscribe())
    }

    pub fn viewers(&self) -> usize {
        self.tx.receiver_count()
    }
}
