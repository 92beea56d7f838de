//! Another appliance's (or the other system's) camera, preset and asset ids mapped onto
//! ours, for imports (TL-6). An id not in a table is kept as it is: the validation that
//! follows says whether it exists here.

use std::collections::HashMap;

use super::input::{TimelineInput, TrackInput};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IdMap {
    pub cameras: HashMap<i64, i64>,
    pub presets: HashMap<i64, i64>,
    pub assets: HashMap<i64, i64>,
}

impl IdMap {
    pub fn camera(&self, id: i64) -> i64 {
        *self.cameras.get(&id).unwrap_or(&id)
    }

    pub fn preset(&self, id: i64) -> i64 {
        *self.presets.get(&id).unwrap_or(&id)
    }

    pub fn asset(&self, id: i64) -> i64 {
        *self.assets.get(&id).unwrap_or(&id)
    }

    /// Every reference of `timeline` mapped.
    pub fn apply(&self, timeline: &mut TimelineInput) {
        for track in &mut timeline.tracks {
            match track {
                TrackInput::Video { cues } => {
                    for cue in cues {
                        cue.camera_id = self.camera(cue.camera_id);
                        cue.preset_id = cue.preset_id.map(|p| self.preset(p));
                    }
                }
                TrackInput::Overlay { cues } => {
                    for cue in cues {
                        cue.asset_id = self.asset(cue.asset_id);
                    }
                }
            }
        }
    }
}

/// The ids a document refers to, by kind (to look their names up).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Referenced {
    pub cameras: Vec<i64>,
    pub presets: Vec<i64>,
    pub assets: Vec<i64>,
}

impl Referenced {
    pub fn of(timeline: &TimelineInput) -> Self {
        let mut r = Self::default();
        for track in &timeline.tracks {
            match track {
                TrackInput::Video { cues } => {
                    for cue in cues {
                        r.cameras.push(cue.camera_id);
                        r.presets.extend(cue.preset_id);
                    }
                }
                TrackInput::Overlay { cues } => r.assets.extend(cues.iter().map(|c| c.asset_id)),
            }
        }
        r.dedup();
        r
    }

    pub fn dedup(&mut self) {
        for v in [&mut self.cameras, &mut self.presets, &mut self.assets] {
            v.sort_unstable();
            v.dedup();
        }
    }
}
