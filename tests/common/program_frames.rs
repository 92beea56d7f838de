//! What a program showed, frame by frame, in what an ingest recorded: tests with two
//! simulated cameras of distinct backgrounds (A red, B blue) tell the camera, a transition
//! frame, the slate and a green overlay in the middle apart on 64x36 decoded pictures.

use vistterstream_sim::picture::{self, is_green};
use vistterstream_sim::{SimCamera, SimCameraConfig};

/// Camera A's background: red.
pub const RED: u32 = 0xffcc_0000;
/// Camera B's background: blue.
pub const BLUE: u32 = 0xff00_00cc;

/// A simulated camera (user "u", password "p") whose ball moves over `background`.
pub fn coloured_camera(label: &str, background: u32) -> SimCamera {
    SimCamera::start(SimCameraConfig {
        label: label.into(),
        credentials: Some(("u".into(), "p".into())),
        background: Some(background),
        ..Default::default()
    })
    .expect("simulated camera")
}

/// What a decoded 64x36 frame shows.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Shows {
    A,
    B,
    Slate,
    /// Neither camera's colour: a transition frame; the blue share of red + blue.
    Mix(f64),
}

fn median(mut v: Vec<i32>) -> i32 {
    v.sort_unstable();
    v[v.len() / 2]
}

/// The camera by the background along the bottom rows (the median ignores the ball), the
/// overlay by the picture's centre.
pub fn classify(rgb: &[u8]) -> (Shows, bool) {
    let (w, h) = (64, 36);
    let band: Vec<picture::Rgb> = (h - 6..h)
        .flat_map(|y| (0..w).map(move |x| (x, y)))
        .map(|(x, y)| picture::pixel(rgb, w, x, y))
        .collect();
    let r = median(band.iter().map(|p| p.0).collect());
    let g = median(band.iter().map(|p| p.1).collect());
    let b = median(band.iter().map(|p| p.2).collect());
    let shows = if r > 150 && b < 60 {
        Shows::A
    } else if b > 150 && r < 60 {
        Shows::B
    } else if r < 60 && (20..70).contains(&g) && (50..120).contains(&b) {
        // The slate's navy (0x14, 0x28, 0x50).
        Shows::Slate
    } else {
        Shows::Mix(f64::from(b) / f64::from((r + b).max(1)))
    };
    (shows, is_green(picture::pixel(rgb, w, 32, 18)))
}

/// Blue's share of red + blue along the bottom rows: 1 for camera B, 0 for camera A.
pub fn blue_share(rgb: &[u8]) -> f64 {
    let band: Vec<picture::Rgb> = (30..36)
        .flat_map(|y| (0..64).map(move |x| (x, y)))
        .map(|(x, y)| picture::pixel(rgb, 64, x, y))
        .collect();
    let r = median(band.iter().map(|p| p.0).collect());
    let b = median(band.iter().map(|p| p.2).collect());
    f64::from(b) / f64::from((r + b).max(1))
}

/// What was on screen, as runs: "A+overlay 0.000-5.960, Mix 6.000-…".
pub fn runs(shown: &[(f64, Shows, bool)]) -> String {
    let mut out = String::new();
    let mut start = 0;
    for i in 1..=shown.len() {
        let same = |a: &(f64, Shows, bool), b: &(f64, Shows, bool)| {
            a.2 == b.2
                && match (a.1, b.1) {
                    (Shows::Mix(_), Shows::Mix(_)) => true,
                    (x, y) => x == y,
                }
        };
        if i == shown.len() || !same(&shown[i], &shown[start]) {
            let (t, what, overlay) = &shown[start];
            let label = match what {
                Shows::Mix(_) => "Mix".to_string(),
                other => format!("{other:?}"),
            };
            out.push_str(&format!(
                "\n  {label}{} {t:.3}-{:.3} ({} frames)",
                if *overlay { "+overlay" } else { "" },
                shown[i - 1].0,
                i - start
            ));
            start = i;
        }
    }
    out
}
