//! The console running a program in a real browser: Debian's Chromium driven by
//! playwright-core, in lockstep with this test over stdin/stdout (tests/browser/console-*.mjs),
//! against the real appliance, simulated RTSP cameras and nginx-rtmp: destinations and outputs
//! through their forms, cuts, overlays, the emergency stop, a viewer, screenshots and axe-core.
//! The browser reports what a person sees; this side checks the API and the pictures nginx
//! recorded.

mod common;

use std::path::Path;
use std::time::Duration;

use common::browser::{Browser, assert_plays};
use common::fixtures::{
    add_asset, add_destination, add_sim_camera, create_output, created_id, destination_state,
    output, start_output, stop_output, upload_asset, wait_camera, wait_output,
};
use common::ingest::{self, Nginx};
use common::wait::wait_until;
use common::{ADMIN_PASSWORD, Appliance, sim, step};
use serde_json::{Value, json};
use vistterstream_sim::picture::{is_green, is_red, pixel, png};
use vistterstream_sim::{SimCamera, SimCameraConfig};

/// One browser at a time: two Chromiums, encoders and cameras at once starve two cores.
static ONE_BROWSER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A program put on air from the console: a destination and an output through their forms,
/// started from the page, its preview, a cut by button and one by key (checked in what nginx
/// recorded), screenshots and axe-core on every main page, the emergency stop (cameras keep
/// streaming), and a viewer who sees no control that changes anything.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_runs_a_program_from_the_console_and_a_viewer_only_watches() {
    let _one = ONE_BROWSER.lock().await;
    // A: the moving ball on black; B: red all over. The ingest's pictures tell them apart.
    let clips = tempfile::tempdir().expect("temp dir");
    let a = sim("Harbour", "u", "p");
    let b_cam = red_camera(&clips.path().join("red.mp4"));
    let app = Appliance::start().await;
    let token = app.admin_token().await;
    let cam_a = add_sim_camera(&app, &token, &a, "Harbour").await;
    let cam_b = add_sim_camera(&app, &token, &b_cam, "Beacon").await;
    for id in [cam_a, cam_b] {
        wait_camera(&app, &token, id, "streaming", Duration::from_secs(20)).await;
    }
    let r = app
        .post(
            &token,
            "/api/v1/users",
            json!({"username": "watcher", "password": "watcher-pass", "role": "viewer"}),
        )
        .await;
    created_id(r, "the viewer").await;
    let nginx = Nginx::start();
    let key = "console-key-s3cr3t";
    // The operator guide's pictures: `make screenshots` sets SCREENSHOT_DIR=docs/screenshots;
    // an ordinary run keeps its own under target/ so it leaves the checkout as it was.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shots = std::env::var_os("SCREENSHOT_DIR")
        .map(|d| root.join(d))
        .unwrap_or_else(|| root.join("target/screenshots"));
    let mut b = Browser::start(
        "console-program.mjs",
        &[
            &app.url(""),
            "admin",
            ADMIN_PASSWORD,
            "watcher",
            "watcher-pass",
            &nginx.server_url(),
            key,
            &cam_a.to_string(),
            "Harbour",
            "Beacon",
            &shots.display().to_string(),
        ],
    );
    assert_eq!(b.expect("SIGNED_IN").await, "admin admin");
    b.next().await;

    step("1: a destination through its form: listed with its URL, the key only as stored");
    let cells: Value = b.json("DESTINATION").await;
    let server_url = nginx.server_url();
    assert_eq!(cells[0], "Test ingest", "{cells}");
    assert!(
        cells[2]
            .as_str()
            .is_some_and(|u| u.starts_with(&server_url)),
        "{cells}"
    );
    assert_eq!(cells[3], "A key is stored", "{cells}");
    assert!(!cells.to_string().contains(key), "the key shows: {cells}");
    let dests = app.get_json(&token, "/api/v1/destinations").await;
    let dests = dests
        .as_array()
        .or_else(|| dests["items"].as_array())
        .cloned()
        .unwrap_or_default();
    assert_eq!(dests.len(), 1, "{dests:?}");
    assert_eq!(dests[0]["server_url"], server_url.as_str());
    assert_eq!(dests[0]["has_stream_key"], true);
    let dest = dests[0]["id"].as_i64().expect("destination id");
    b.next().await;

    step("2: a program output through its form, as filled in");
    let path = b.expect("OUTPUT_CREATED").await;
    let out: i64 = path
        .strip_prefix("/outputs/")
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("the new output's page: {path}"));
    let v = output(&app, &token, out).await;
    assert_eq!(
        (&v["name"], &v["mode"], &v["camera_id"]),
        (&json!("Program"), &json!("program"), &json!(cam_a)),
        "{v}"
    );
    assert_eq!(v["standby_camera_ids"], json!([cam_b]), "{v}");
    assert_eq!(v["destination_ids"], json!([dest]), "{v}");
    assert_eq!(
        (
            &v["profile"]["width"],
            &v["profile"]["height"],
            &v["profile"]["fps"]
        ),
        (&json!(640), &json!(360), &json!(25)),
        "{v}"
    );
    let text = add_asset(
        &app,
        &token,
        json!({"name": "Lower third", "kind": "text", "text": "Harbour live"}),
    )
    .await;
    let layer = json!({"asset_id": text, "x": 0.04, "y": 0.84, "width": 0.3, "z": 1});
    let path = format!("/api/v1/outputs/{out}/overlays");
    let r = app
        .send(reqwest::Method::PUT, &token, &path, Some(json!([layer])))
        .await;
    assert_eq!(r.status(), 200, "placing an overlay layer");
    b.next().await;

    step("3: started from the page: on air at the ingest with camera A; the preview plays");
    assert_eq!(b.expect("STARTED").await, "live");
    wait_output(
        &app,
        &token,
        out,
        Duration::from_secs(60),
        "live at the ingest",
        |v| v["status"]["state"] == "live" && destination_state(v, dest) == "live",
    )
    .await;
    ingest_shows(&nginx, key, Camera::A).await;
    b.next().await;
    assert_plays(&b.json("PROGRAM_PLAYING").await, "the program preview");
    b.next().await;

    step("4: the switcher: key 1 is A (on air), key 2 is B");
    let tiles = b.json("SWITCHER").await;
    assert_eq!(
        tiles[0],
        json!({"key": "1", "button": "Harbour · on air"}),
        "{tiles}"
    );
    assert_eq!(
        tiles[1],
        json!({"key": "2", "button": "Cut to Beacon"}),
        "{tiles}"
    );
    b.next().await;

    step("5: the on-screen button cuts to B: the ingest records B");
    let caption = b.expect("CUT_BY_BUTTON").await;
    assert!(caption.contains("On screen: Beacon"), "{caption}");
    wait_output(
        &app,
        &token,
        out,
        Duration::from_secs(20),
        "B on screen",
        |v| v["status"]["showing"]["camera_id"] == cam_b,
    )
    .await;
    ingest_shows(&nginx, key, Camera::B).await;
    b.next().await;

    step("6: the key 1 cuts back to A: the ingest records A");
    let caption = b.expect("CUT_BY_KEY").await;
    assert!(caption.contains("On screen: Harbour"), "{caption}");
    wait_output(
        &app,
        &token,
        out,
        Duration::from_secs(20),
        "A on screen",
        |v| v["status"]["showing"]["camera_id"] == cam_a,
    )
    .await;
    ingest_shows(&nginx, key, Camera::A).await;
    b.next().await;

    step("7: screenshots of the main pages, 1280x800");
    let taken: Vec<String> = serde_json::from_value(b.json("SCREENSHOTS").await).expect("names");
    for name in [
        "dashboard",
        "switcher",
        "cameras",
        "camera-detail",
        "output-overlays",
        "destinations",
    ] {
        assert!(
            taken.iter().any(|t| t == name),
            "{name} not taken: {taken:?}"
        );
        assert_eq!(
            png_size(&shots.join(format!("{name}.png"))),
            (1280, 800),
            "{name}"
        );
    }
    b.next().await;

    step("8: axe-core: no serious or critical violation on any main page");
    let axe = b.json("AXE").await;
    let pages = axe.as_object().expect("pages");
    assert!(pages.len() >= 20, "pages checked: {:?}", pages.keys());
    let bad: Vec<_> = pages
        .iter()
        .filter(|(_, v)| v.as_array().is_none_or(|v| !v.is_empty()))
        .collect();
    assert!(bad.is_empty(), "serious or critical violations: {bad:#?}");
    b.next().await;

    step("9: the emergency stop: the output stops, the cameras keep streaming");
    let stopped = b.json("STOPPED").await;
    assert_eq!(stopped["tally"], "PROGRAM · OFF AIR", "{stopped}");
    let v = wait_output(&app, &token, out, Duration::from_secs(20), "stopped", |v| {
        v["status"]["state"] == "stopped"
    })
    .await;
    assert_eq!(v["running"], false, "{v}");
    wait_until(
        Duration::from_secs(20),
        "the ingest to lose its publisher",
        async || {
            let now = nginx.publishing().await;
            if now.is_empty() {
                Ok(())
            } else {
                Err(format!("{now:?}"))
            }
        },
    )
    .await;
    for id in [cam_a, cam_b] {
        wait_camera(&app, &token, id, "streaming", Duration::from_secs(1)).await;
    }
    b.next().await;
    assert_plays(
        &b.json("CAMERA_STILL_PLAYING").await,
        "camera A after the stop",
    );
    b.next().await;

    step("10: a viewer sees every page and no control that changes anything");
    assert_eq!(b.expect("VIEWER_SIGNED_IN").await, "watcher viewer");
    b.next().await;
    let looks = b.json("VIEWER").await;
    let looks = looks.as_object().expect("pages");
    assert_eq!(looks.len(), 12, "{:?}", looks.keys());
    for (page, look) in looks {
        assert_eq!(
            look["changing"],
            json!([]),
            "the viewer can change things on {page}: {look}"
        );
        let text = look["text"].as_str().unwrap_or("");
        assert!(
            ["Harbour", "Program", "Test ingest", "Lower third"]
                .iter()
                .any(|n| text.contains(n)),
            "{page} shows nothing of the appliance: {look}"
        );
    }
    b.next().await;
    step("11: the viewer's key 2 cuts nothing");
    let caption = b.expect("VIEWER_KEY").await;
    assert!(caption.contains("On screen"), "{caption}");
    assert_eq!(
        output(&app, &token, out).await["camera_id"],
        cam_a,
        "a viewer's key 2 must not cut"
    );
    b.next().await;
    b.finish().await;
}

/// Overlays from the console on a program on air: a layer added from an asset and saved is in
/// the picture nginx records where the editor put it; hidden and saved, it is gone; dragged
/// with the mouse and resized by its corner, saved, the API holds the place it was dropped at
/// and the ingest shows it there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_places_moves_and_hides_an_overlay_from_the_console() {
    let _one = ONE_BROWSER.lock().await;
    let cam = sim("Harbour", "u", "p");
    let app = Appliance::start().await;
    let token = app.admin_token().await;
    let cam_id = add_sim_camera(&app, &token, &cam, "Harbour").await;
    wait_camera(&app, &token, cam_id, "streaming", Duration::from_secs(20)).await;
    // A green square: nothing in the camera's picture (a white ball on black) is green.
    let square = png(100, 100, |_, _| [0, 255, 0, 255]);
    let r = upload_asset(&app, &token, Some("Green square"), "green.png", square).await;
    let asset = created_id(r, "the green square").await;
    let nginx = Nginx::start();
    let key = "overlay-console-key";
    let dest = add_destination(&app, &token, "Test ingest", &nginx.server_url(), key).await;
    let out = create_output(
        &app,
        &token,
        json!({"name": "Program", "camera_id": cam_id, "destination_ids": [dest],
               "profile": {"width": FRAME.0, "height": FRAME.1, "fps": 25, "video_bitrate_kbps": 1500}}),
    )
    .await;
    start_output(&app, &token, out).await;
    wait_output(
        &app,
        &token,
        out,
        Duration::from_secs(60),
        "live at the ingest",
        |v| v["status"]["state"] == "live" && destination_state(v, dest) == "live",
    )
    .await;
    // Where the editor puts a new layer: (0.05, 0.05), a quarter of the frame wide; a square
    // asset is as tall on the frame as it is wide.
    let first = Place {
        x: 0.05,
        y: 0.05,
        width: 0.25,
        height: 0.25 * ASPECT,
    };
    ingest_green(&nginx, key, &[first.centre()], false).await;
    let mut b = Browser::start(
        "console-overlays.mjs",
        &[
            &app.url(""),
            "admin",
            ADMIN_PASSWORD,
            &out.to_string(),
            "Green square",
        ],
    );
    assert_eq!(b.expect("SIGNED_IN").await, "admin admin");
    b.next().await;

    step("1: a layer added from the asset and saved: stored, and green where it was put");
    let added = b.json("ADDED").await;
    assert_eq!(added["status"], 200, "{added}");
    assert_eq!(added["layers"], json!(["Green square"]), "{added}");
    let layers = overlay_layers(&app, &token, out).await;
    assert_eq!(layers.len(), 1, "{layers:?}");
    let l = &layers[0];
    assert_eq!(
        (&l["asset_id"], &l["visible"]),
        (&json!(asset), &json!(true)),
        "{l}"
    );
    assert!(first.matches(l, 0.001, false), "{l}");
    ingest_green(&nginx, key, &[first.centre()], true).await;
    ingest_green(&nginx, key, &[(0.8, 0.8)], false).await;
    b.next().await;

    step("2: its Visible box unticked and saved: stored hidden, gone from the picture");
    let hidden = b.json("HIDDEN").await;
    assert_eq!(
        (&hidden["status"], &hidden["visible"]),
        (&json!(200), &json!(false)),
        "{hidden}"
    );
    let layers = overlay_layers(&app, &token, out).await;
    assert_eq!(layers.len(), 1, "{layers:?}");
    assert_eq!(layers[0]["visible"], false, "{layers:?}");
    ingest_green(&nginx, key, &[first.centre()], false).await;
    b.next().await;

    step("3: shown again, dragged and resized with the mouse, saved: stored where dropped");
    let moved = b.json("MOVED").await;
    assert_eq!(moved["status"], 200, "{moved}");
    let f = |v: &Value| v.as_f64().unwrap_or(f64::NAN);
    let (stage_w, stage_h) = (f(&moved["stage"]["width"]), f(&moved["stage"]["height"]));
    // The drag distances in fractions of the frame the stage shows.
    let width = first.width + f(&moved["resize"]["dx"]) / stage_w;
    let dropped = Place {
        x: first.x + f(&moved["move"]["dx"]) / stage_w,
        y: first.y + f(&moved["move"]["dy"]) / stage_h,
        width,
        // The aspect ratio is kept while resizing.
        height: width * ASPECT,
    };
    let layers = overlay_layers(&app, &token, out).await;
    assert_eq!(layers.len(), 1, "{layers:?}");
    let l = &layers[0];
    assert_eq!(l["visible"], true, "{l}");
    assert!(
        dropped.matches(l, 0.03, true),
        "stored {l}, dropped at {dropped:?}: {moved}"
    );
    // The picture: green in its new middle and near its new lower right corner (only there
    // once it is larger), no longer where it was.
    let corner = (
        dropped.x + dropped.width - 0.03,
        dropped.y + dropped.height - 0.04,
    );
    ingest_green(&nginx, key, &[dropped.centre(), corner], true).await;
    ingest_green(&nginx, key, &[first.centre()], false).await;
    b.next().await;
    b.finish().await;
    stop_output(&app, &token, out).await;
}

/// The program frame of the overlay test, and its width over its height.
const FRAME: (u32, u32) = (640, 360);
const ASPECT: f64 = FRAME.0 as f64 / FRAME.1 as f64;

/// A layer's place in fractions of the frame.
#[derive(Debug)]
struct Place {
    x: f64,
    y: f64,
    width: f64,
    height: f64,
}

impl Place {
    fn centre(&self) -> (f64, f64) {
        (self.x + self.width / 2.0, self.y + self.height / 2.0)
    }

    /// Does the stored layer `l` sit here, within `tolerance` (its height too, when `height`)?
    fn matches(&self, l: &Value, tolerance: f64, height: bool) -> bool {
        let near =
            |k: &str, want: f64| l[k].as_f64().is_some_and(|v| (v - want).abs() <= tolerance);
        near("x", self.x)
            && near("y", self.y)
            && near("width", self.width)
            && (!height || near("height", self.height))
    }
}

async fn overlay_layers(app: &Appliance, token: &str, out: i64) -> Vec<Value> {
    let v = app
        .get_json(token, &format!("/api/v1/outputs/{out}/overlays"))
        .await;
    v.as_array().cloned().unwrap_or_default()
}

/// Wait (30 s) until the newest picture nginx recorded for `key` is green (`green`) or not at
/// every one of `points` (fractions of the frame).
async fn ingest_green(nginx: &Nginx, key: &str, points: &[(f64, f64)], green: bool) {
    let (w, h) = FRAME;
    wait_until(
        Duration::from_secs(30),
        format!(
            "the ingest's picture {}green at {points:?}",
            if green { "" } else { "not " }
        ),
        async || {
            let rgb = newest_frame(nginx, key, w, h).ok_or("no recording yet".to_string())?;
            let seen: Vec<_> = points
                .iter()
                .map(|(x, y)| {
                    pixel(
                        &rgb,
                        w,
                        (x * f64::from(w)) as u32,
                        (y * f64::from(h)) as u32,
                    )
                })
                .collect();
            if seen.iter().all(|p| is_green(*p) == green) {
                Ok(())
            } else {
                Err(format!("pixels {seen:?}"))
            }
        },
    )
    .await;
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Camera {
    /// The moving ball on black.
    A,
    /// Red all over.
    B,
}

/// Wait (30 s) until the newest picture nginx recorded for `key` is `camera`'s.
async fn ingest_shows(nginx: &Nginx, key: &str, camera: Camera) {
    wait_until(
        Duration::from_secs(30),
        format!("the ingest to record camera {camera:?}"),
        async || {
            let seen = newest_picture(nginx, key);
            let (red, dark) = seen.ok_or("no recording yet".to_string())?;
            let is = match camera {
                Camera::A => dark > 0.5 && red < 0.05,
                Camera::B => red > 0.6,
            };
            if is {
                Ok(())
            } else {
                Err(format!(
                    "{:.0}% red, {:.0}% dark",
                    red * 100.0,
                    dark * 100.0
                ))
            }
        },
    )
    .await;
}

/// The share of red and of dark pixels in the picture recorded half a second before the end
/// of the newest recording.
fn newest_picture(nginx: &Nginx, key: &str) -> Option<(f64, f64)> {
    let (w, h) = (64, 36);
    let rgb = newest_frame(nginx, key, w, h)?;
    let pixels: Vec<_> = (0..h)
        .flat_map(|y| (0..w).map(move |x| (x, y)))
        .map(|(x, y)| pixel(&rgb, w, x, y))
        .collect();
    let share = |f: &dyn Fn(&(i32, i32, i32)) -> bool| {
        pixels.iter().filter(|p| f(p)).count() as f64 / pixels.len() as f64
    };
    Some((
        share(&|p| is_red(*p)),
        share(&|p| p.0 < 60 && p.1 < 60 && p.2 < 60),
    ))
}

/// The picture recorded half a second before the end of the newest recording for `key`,
/// scaled to `w`x`h` (RGB24).
fn newest_frame(nginx: &Nginx, key: &str, w: u32, h: u32) -> Option<Vec<u8>> {
    let file = nginx.recordings(key).pop()?;
    let end = ingest::video_packets(&file).last()?.t;
    if end < 1.0 {
        return None;
    }
    let rgb = ingest::frame_rgb(&file, end - 0.5, w, h);
    (rgb.len() >= (w * h * 3) as usize).then_some(rgb)
}

/// A camera serving a red picture (a clip made with ffmpeg, looped), with digest credentials.
fn red_camera(clip: &Path) -> SimCamera {
    let made = std::process::Command::new("ffmpeg")
        .args(["-nostdin", "-loglevel", "error", "-f", "lavfi", "-i"])
        .arg("color=c=red:size=640x360:rate=25")
        .args(["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"])
        .args(["-t", "4", "-c:v", "libx264", "-bf", "0", "-g", "25"])
        .args(["-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest"])
        .arg(clip)
        .status()
        .expect("ffmpeg (scripts/setup.sh installs it)");
    assert!(made.success(), "ffmpeg made no clip");
    SimCamera::start(SimCameraConfig {
        label: "Beacon".into(),
        credentials: Some(("u".into(), "p".into())),
        file: Some(clip.to_path_buf()),
        ..Default::default()
    })
    .expect("the red camera")
}

/// Width and height of a PNG file (its IHDR chunk).
fn png_size(path: &Path) -> (u32, u32) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(
        bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        "{} is no PNG",
        path.display()
    );
    let be =
        |at: usize| u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    (be(16), be(20))
}
