//! A simulated PTZ head: where the camera points, how it moves, and its presets.
//!
//! One [`PtzHead`] is shared by the simulated ONVIF device (which moves it) and the simulated
//! RTSP camera (whose picture is a window onto a larger scene, placed by the head's position),
//! so a preset recall is visible in the video.
//!
//! Positions are ONVIF's generic normalized spaces: pan and tilt in -1..1, zoom in 0..1.
//! Motion is integrated lazily from the time of the last command, so the head needs no thread
//! of its own.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Units per second of an absolute or relative move (pan/tilt and zoom alike): crossing the
/// whole pan range (2 units) takes 2 s, like a real head at a moderate speed.
const MOVE_SPEED: f32 = 1.0;
/// Units per second of a continuous move at full velocity (1.0).
const CONTINUOUS_SPEED: f32 = 0.5;

/// Pan, tilt, zoom.
pub type Position = [f32; 3];

#[derive(Debug)]
struct HeadState {
    position: Position,
    /// Continuous-move velocity per axis (-1..1); zero when not moving continuously.
    velocity: [f32; 3],
    /// Destination of an absolute/relative/preset move.
    target: Option<Position>,
    updated: Instant,
    presets: BTreeMap<String, (String, Position)>,
    next_token: u32,
    commands: u64,
}

/// The simulated head. Cheap to clone: clones share the same state.
#[derive(Clone, Debug)]
pub struct PtzHead(Arc<Mutex<HeadState>>);

impl Default for PtzHead {
    fn default() -> Self {
        Self::new()
    }
}

fn clamp(p: Position) -> Position {
    [
        p[0].clamp(-1.0, 1.0),
        p[1].clamp(-1.0, 1.0),
        p[2].clamp(0.0, 1.0),
    ]
}

impl HeadState {
    /// Bring `position` up to `now`.
    fn advance(&mut self, now: Instant) {
        let dt = now.saturating_duration_since(self.updated).as_secs_f32();
        self.updated = now;
        if let Some(target) = self.target {
            let step = MOVE_SPEED * dt;
            let mut arrived = true;
            for (axis, goal) in target.iter().enumerate() {
                let delta = goal - self.position[axis];
                if delta.abs() <= step {
                    self.position[axis] = *goal;
                } else {
                    self.position[axis] += step * delta.signum();
                    arrived = false;
                }
            }
            if arrived {
                self.target = None;
            }
        } else if self.velocity != [0.0; 3] {
            let mut p = self.position;
            for (axis, v) in self.velocity.iter().enumerate() {
                p[axis] += v * CONTINUOUS_SPEED * dt;
            }
            self.position = clamp(p);
        }
    }
}

impl PtzHead {
    pub fn new() -> Self {
        Self(Arc::new(Mutex::new(HeadState {
            position: [0.0, 0.0, 0.0],
            velocity: [0.0; 3],
            target: None,
            updated: Instant::now(),
            presets: BTreeMap::new(),
            next_token: 1,
            commands: 0,
        })))
    }

    fn with<R>(&self, f: impl FnOnce(&mut HeadState) -> R) -> R {
        let mut state = self.0.lock().unwrap_or_else(|p| p.into_inner());
        state.advance(Instant::now());
        f(&mut state)
    }

    fn command<R>(&self, f: impl FnOnce(&mut HeadState) -> R) -> R {
        self.with(|s| {
            s.commands += 1;
            f(s)
        })
    }

    /// Where the head points now.
    pub fn position(&self) -> Position {
        self.with(|s| s.position)
    }

    /// (pan/tilt moving, zoom moving).
    pub fn moving(&self) -> (bool, bool) {
        self.with(|s| match s.target {
            Some(t) => (
                t[0] != s.position[0] || t[1] != s.position[1],
                t[2] != s.position[2],
            ),
            None => (
                s.velocity[0] != 0.0 || s.velocity[1] != 0.0,
                s.velocity[2] != 0.0,
            ),
        })
    }

    /// PTZ commands received (moves, stops, preset operations), for benchmarks.
    pub fn commands(&self) -> u64 {
        self.with(|s| s.commands)
    }

    /// Put the head somewhere at once (test set-up).
    pub fn place(&self, p: Position) {
        self.with(|s| {
            s.position = clamp(p);
            s.target = None;
            s.velocity = [0.0; 3];
        })
    }

    pub fn continuous(&self, velocity: [f32; 3]) {
        self.command(|s| {
            s.target = None;
            s.velocity = velocity.map(|v| v.clamp(-1.0, 1.0));
        })
    }

    pub fn stop(&self, pan_tilt: bool, zoom: bool) {
        self.command(|s| {
            if pan_tilt {
                s.velocity[0] = 0.0;
                s.velocity[1] = 0.0;
            }
            if zoom {
                s.velocity[2] = 0.0;
            }
            if pan_tilt && zoom {
                s.target = None;
            }
        })
    }

    pub fn absolute(&self, p: Position) {
        self.command(|s| {
            s.velocity = [0.0; 3];
            s.target = Some(clamp(p));
        })
    }

    pub fn relative(&self, d: Position) {
        self.command(|s| {
            s.velocity = [0.0; 3];
            let from = s.target.unwrap_or(s.position);
            s.target = Some(clamp([from[0] + d[0], from[1] + d[1], from[2] + d[2]]));
        })
    }

    /// Save the current position; returns the preset token.
    pub fn set_preset(&self, name: Option<&str>, token: Option<&str>) -> String {
        self.command(|s| {
            let token = match token {
                Some(t) => t.to_string(),
                None => {
                    let t = format!("preset_{}", s.next_token);
                    s.next_token += 1;
                    t
                }
            };
            let name = name.map(str::to_string).unwrap_or_else(|| token.clone());
            let at = s.position;
            s.presets.insert(token.clone(), (name, at));
            token
        })
    }

    /// Start moving to a saved preset; `false` if the token is unknown.
    pub fn goto_preset(&self, token: &str) -> bool {
        self.command(|s| match s.presets.get(token) {
            Some((_, at)) => {
                s.velocity = [0.0; 3];
                s.target = Some(*at);
                true
            }
            None => false,
        })
    }

    pub fn remove_preset(&self, token: &str) -> bool {
        self.command(|s| s.presets.remove(token).is_some())
    }

    /// (token, name) of every preset.
    pub fn presets(&self) -> Vec<(String, String)> {
        self.with(|s| {
            s.presets
                .iter()
                .map(|(t, (n, _))| (t.clone(), n.clone()))
                .collect()
        })
    }

    pub fn preset_position(&self, token: &str) -> Option<Position> {
        self.with(|s| s.presets.get(token).map(|(_, p)| *p))
    }

    /// The window of a `scene_w`×`scene_h` scene the camera sees at this position, as
    /// `(left, right, top, bottom)` crop margins in pixels (even, for I420). Zoom 0 sees the
    /// whole scene, zoom 1 a quarter of its width; pan/tilt slide the window to the edges.
    pub fn crop(&self, scene_w: u32, scene_h: u32) -> (u32, u32, u32, u32) {
        window(self.position(), scene_w, scene_h)
    }
}

fn window(p: Position, scene_w: u32, scene_h: u32) -> (u32, u32, u32, u32) {
    let frac = 1.0 - 0.75 * p[2].clamp(0.0, 1.0);
    let even = |v: f32| ((v.max(0.0) as u32) / 2) * 2;
    let win_w = even(scene_w as f32 * frac).max(2);
    let win_h = even(scene_h as f32 * frac).max(2);
    let spare_w = (scene_w - win_w) as f32;
    let spare_h = (scene_h - win_h) as f32;
    // pan -1 = left edge, +1 = right edge; tilt +1 = top, -1 = bottom.
    let left = even(spare_w * (p[0].clamp(-1.0, 1.0) + 1.0) / 2.0);
    let top = even(spare_h * (1.0 - p[1].clamp(-1.0, 1.0)) / 2.0);
    let right = scene_w - win_w - left.min(scene_w - win_w);
    let bottom = scene_h - win_h - top.min(scene_h - win_h);
    (left, right, top, bottom)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_absolute_move_takes_time_and_lands_exactly() {
        let head = PtzHead::new();
        head.absolute([0.5, -0.25, 0.1]);
        assert!(head.moving().0);
        std::thread::sleep(std::time::Duration::from_millis(700));
        assert_eq!(head.position(), [0.5, -0.25, 0.1]);
        assert_eq!(head.moving(), (false, false));
    }

    #[test]
    fn continuous_moves_stay_in_range() {
        let head = PtzHead::new();
        head.place([0.99, 0.0, 0.0]);
        head.continuous([1.0, 0.0, 0.0]);
        std::thread::sleep(std::time::Duration::from_millis(100));
        assert_eq!(head.position()[0], 1.0);
        head.stop(true, true);
        assert_eq!(head.moving(), (false, false));
    }

    #[test]
    fn presets_return_to_where_they_were_saved() {
        let head = PtzHead::new();
        head.place([0.3, 0.2, 0.5]);
        let token = head.set_preset(Some("dock"), None);
        head.place([-0.7, -0.7, 0.0]);
        assert!(head.goto_preset(&token));
        std::thread::sleep(std::time::Duration::from_millis(1100));
        assert_eq!(head.position(), [0.3, 0.2, 0.5]);
        assert!(head.remove_preset(&token));
        assert!(!head.goto_preset(&token));
    }

    #[test]
    fn the_window_follows_pan_tilt_and_zoom() {
        assert_eq!(window([0.0, 0.0, 0.0], 1280, 720), (0, 0, 0, 0));
        // Zoomed in fully, panned hard left and tilted to the top: window at the top left.
        let (l, r, t, b) = window([-1.0, 1.0, 1.0], 1280, 720);
        assert_eq!((l, t), (0, 0));
        assert_eq!((1280 - l - r, 720 - t - b), (320, 180));
        let (l, r, _, _) = window([1.0, 0.0, 1.0], 1280, 720);
        assert_eq!((l, r), (960, 0));
    }
}
