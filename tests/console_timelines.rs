//! The console's timeline editor and schedules in a real browser: Debian's Chromium driven by
//! playwright-core (tests/browser/console-timelines.mjs) in lockstep with this test, against
//! the real appliance and two simulated RTSP cameras (a red and a blue picture). Cues dragged
//! from the library with the mouse and resized by an edge are stored where they were dropped,
//! snapped to the grid; the timeline runs on a program output from the page and its playhead
//! moves; an overlap typed into a cue's properties is refused with the message beside the cue
//! and nothing is stored; a schedule made through its form is in the list and the week.
//! axe-core on every page. The browser reports what a person sees; this side checks the API.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::browser::Browser;
use common::fixtures::{
    add_asset, add_streaming_camera, create_output, created_id, start_output_until,
};
use common::program_frames::{BLUE, RED, coloured_camera};
use common::wait::wait_until;
use common::{ADMIN_PASSWORD, Appliance, step};
use serde_json::{Value, json};

/// What a cue dropped from the library lasts when there is room (the editor's default).
const DEFAULT_CUE_S: f64 = 5.0;

/// An operator builds a timeline by dragging cameras and an asset onto its tracks, saves it,
/// runs it on a program output and watches the playhead, has an overlap refused by field, and
/// schedules the timeline through the Schedules form.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_builds_runs_and_schedules_a_timeline_from_the_console() {
    let began = Instant::now();
    let app = Appliance::start().await;
    let token = app.admin_token().await;
    let a = coloured_camera("A", RED);
    let b_cam = coloured_camera("B", BLUE);
    let cam_a = add_streaming_camera(&app, &token, &a, "Harbour").await;
    let cam_b = add_streaming_camera(&app, &token, &b_cam, "Beacon").await;
    let asset = add_asset(
        &app,
        &token,
        json!({"name": "Lower third", "kind": "text", "text": "Harbour live"}),
    )
    .await;
    // A program with no destination: it runs for its preview alone. On air before the
    // timeline starts (a timeline would start it, too).
    let out = create_output(
        &app,
        &token,
        json!({"name": "Program", "camera_id": cam_a,
               "profile": {"width": 640, "height": 360, "fps": 25, "video_bitrate_kbps": 800}}),
    )
    .await;
    start_output_until(&app, &token, out, "on air", |v| {
        v["status"]["state"] == "live"
    })
    .await;
    let r = app
        .post(
            &token,
            "/api/v1/timelines",
            json!({"name": "Harbour show", "duration_s": 30, "loop": true}),
        )
        .await;
    let tl = created_id(r, "the timeline").await;
    let tl_path = format!("/api/v1/timelines/{tl}");
    // The operator guide's pictures: `SCREENSHOT_DIR=docs/screenshots`; an ordinary run keeps
    // its own under target/ so it leaves the checkout as it was.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shots = std::env::var_os("SCREENSHOT_DIR")
        .map(|d| root.join(d))
        .unwrap_or_else(|| root.join("target/screenshots"));
    let mut b = Browser::start(
        "console-timelines.mjs",
        &[
            &app.url(""),
            "admin",
            ADMIN_PASSWORD,
            &tl.to_string(),
            "Harbour show",
            "Harbour",
            "Beacon",
            "Lower third",
            "Program",
            &shots.display().to_string(),
        ],
    );
    assert_eq!(b.expect("SIGNED_IN").await, "admin admin");
    b.next().await;

    step("1: the Timelines page lists the timeline: 30 s, looping, stopped");
    let cells = b.json("LISTED").await;
    assert_eq!(
        (&cells[0], &cells[1], &cells[2], &cells[3], &cells[4]),
        (
            &json!("Harbour show"),
            &json!("30 s"),
            &json!("Loops"),
            &json!("0"),
            &json!("stopped")
        ),
        "{cells}"
    );
    b.next().await;

    step(
        "2: A and B dragged onto the video track, A resized by its end, an asset on the overlay track: stored where dropped, on the grid",
    );
    let built = b.json("BUILT").await;
    assert_eq!(built["status"], 200, "{built}");
    let f = |v: &Value| {
        v.as_f64()
            .unwrap_or_else(|| panic!("a number, not {v}: {built}"))
    };
    let (pps, grid) = (f(&built["pps"]), f(&built["grid"]));
    assert!(pps > 0.0 && grid > 0.0, "{built}");
    let snap = |t: f64| (t / grid).round() * grid;
    // Where the pointer was released, in seconds from the lane's start, snapped.
    let lane_x = f(&built["lane"]["x"]);
    let start_a = snap((f(&built["dropA"]) - lane_x) / pps);
    let start_b = snap((f(&built["dropB"]) - lane_x) / pps);
    let start_o = snap((f(&built["dropO"]) - f(&built["overlayLane"]["x"])) / pps);
    // A's end moved by the drag, snapped.
    let end_a = snap(start_a + DEFAULT_CUE_S + f(&built["resize"]) / pps);
    // The script aimed at 1.1 s, 8.2 s and 2.2 s and dragged A's end 1.5 s on.
    assert_eq!(
        (start_a, start_b, start_o, end_a),
        (1.0, 8.0, 2.0, 7.5),
        "{built}"
    );
    let stored = app.get_json(&token, &tl_path).await;
    let tracks = stored["tracks"].as_array().expect("tracks");
    let video: Vec<&Value> = tracks.iter().filter(|t| t["kind"] == "video").collect();
    let overlay: Vec<&Value> = tracks.iter().filter(|t| t["kind"] == "overlay").collect();
    assert_eq!((video.len(), overlay.len()), (1, 1), "{stored}");
    let cues = video[0]["cues"].as_array().expect("video cues");
    assert_eq!(cues.len(), 2, "{stored}");
    let near = |v: &Value, want: f64| v.as_f64().is_some_and(|x| (x - want).abs() < 1e-6);
    let (ca, cb) = (&cues[0], &cues[1]);
    assert_eq!(ca["camera_id"], cam_a, "{stored}");
    assert!(
        near(&ca["start_s"], start_a) && near(&ca["duration_s"], end_a - start_a),
        "cue A stored as {ca}, dropped at {start_a} s and resized to end at {end_a} s"
    );
    assert_eq!(cb["camera_id"], cam_b, "{stored}");
    assert!(
        near(&cb["start_s"], start_b) && near(&cb["duration_s"], DEFAULT_CUE_S),
        "cue B stored as {cb}, dropped at {start_b} s"
    );
    assert_eq!(ca["transition"]["kind"], "cut", "{ca}");
    let overlays = overlay[0]["cues"].as_array().expect("overlay cues");
    assert_eq!(overlays.len(), 1, "{stored}");
    let o = &overlays[0];
    assert_eq!(o["asset_id"], asset, "{o}");
    assert!(
        near(&o["start_s"], start_o) && near(&o["duration_s"], DEFAULT_CUE_S),
        "{o}"
    );
    assert!(
        near(&o["x"], 0.05) && near(&o["y"], 0.05) && near(&o["width"], 0.25),
        "{o}"
    );
    // What the page shows is what is stored.
    let shown = built["shown"].as_array().expect("shown cues");
    assert_eq!(shown.len(), 3, "{built}");
    b.next().await;

    step("3: started from the editor on the program: running there, the playhead moves on");
    let running = b.json("RUNNING").await;
    let status = app.get_json(&token, &format!("{tl_path}/status")).await;
    assert_eq!(status["state"], "running", "{status}");
    assert_eq!(status["position"]["output_id"], out, "{status}");
    assert_eq!(status["run"]["started_by"], "operator", "{status}");
    let (p0, p1, elapsed) = (f(&running["p0"]), f(&running["p1"]), f(&running["elapsed"]));
    assert!(
        p1 - p0 >= 1.0 && p1 - p0 <= elapsed + 1.0,
        "the playhead went from {p0} s to {p1} s in {elapsed} s: {running}"
    );
    let line = running["status"].as_str().unwrap_or("");
    assert!(line.starts_with("running"), "{running}");
    assert!(line.contains("on Program"), "{running}");
    b.next().await;

    step(
        "4: B moved onto A in its properties and saved: 422, the message beside the cue and its field; nothing stored",
    );
    let refused = b.json("REFUSED").await;
    assert_eq!(refused["status"], 422, "{refused}");
    let note = refused["note"].as_str().unwrap_or("");
    assert!(
        note.starts_with("Beacon at 3 s, start:") && note.contains("overlaps cue 0"),
        "{refused}"
    );
    assert_eq!(refused["field"]["invalid"], "true", "{refused}");
    let field_error = refused["field"]["fieldError"].as_str().unwrap_or("");
    assert!(field_error.contains("overlaps"), "{refused}");
    assert_eq!(
        refused["field"]["described"],
        json!([field_error]),
        "{refused}"
    );
    let flagged: Vec<&Value> = refused["shown"]
        .as_array()
        .expect("shown")
        .iter()
        .filter(|c| c["error"] == true)
        .collect();
    assert_eq!(flagged.len(), 1, "{refused}");
    assert!(
        flagged[0]["label"]
            .as_str()
            .is_some_and(|l| l.contains("Beacon")),
        "{refused}"
    );
    assert!(
        refused["alert"]
            .as_str()
            .is_some_and(|a| a.contains("Nothing was saved")),
        "{refused}"
    );
    let now = app.get_json(&token, &tl_path).await;
    assert_eq!(now["tracks"], stored["tracks"], "a refused save changed it");
    assert_eq!(now["updated_at"], stored["updated_at"], "{now}");
    b.next().await;

    step("5: reverted and stopped from the editor");
    let stopped = b.json("STOPPED").await;
    assert!(
        stopped["status"]
            .as_str()
            .is_some_and(|s| s.starts_with("stopped")),
        "{stopped}"
    );
    let beacon = stopped["shown"]
        .as_array()
        .and_then(|s| {
            s.iter()
                .find(|c| c["label"].as_str().is_some_and(|l| l.starts_with("Beacon")))
        })
        .cloned()
        .unwrap_or_default();
    assert!(near(&beacon["start"], start_b), "reverted: {stopped}");
    wait_until(
        Duration::from_secs(10),
        "the timeline to stop",
        async || {
            let s = app.get_json(&token, &format!("{tl_path}/status")).await;
            if s["state"] == "stopped" {
                Ok(())
            } else {
                Err(s)
            }
        },
    )
    .await;
    b.next().await;

    step(
        "6: a schedule through its form: stored as filled in, listed with its next start, drawn in the week",
    );
    let scheduled = b.json("SCHEDULED").await;
    assert_eq!(scheduled["status"], 201, "{scheduled}");
    let all = app.get_json(&token, "/api/v1/schedules").await;
    let all = all.as_array().expect("schedules");
    assert_eq!(all.len(), 1, "{all:?}");
    let s = &all[0];
    assert_eq!(s["id"], scheduled["id"], "{scheduled}");
    assert_eq!(
        (
            &s["name"],
            &s["output_id"],
            &s["start"],
            &s["end"],
            &s["enabled"]
        ),
        (
            &json!("Evening show"),
            &json!(out),
            &json!("20:00"),
            &json!("02:00"),
            &json!(true)
        ),
        "{s}"
    );
    // The zone the form started from: the browser's own.
    assert_eq!(s["time_zone"], "Europe/Berlin", "{s}");
    assert_eq!(scheduled["zone"], "Europe/Berlin", "{scheduled}");
    assert_eq!(
        s["days"],
        json!([
            "monday",
            "tuesday",
            "wednesday",
            "thursday",
            "friday",
            "saturday",
            "sunday"
        ]),
        "{s}"
    );
    assert_eq!(s["timeline_ids"], json!([tl]), "{s}");
    assert!(s["next_start"].is_string(), "{s}");
    assert_eq!(scheduled["nextStart"], s["next_start"], "{scheduled}");
    let cells = scheduled["cells"].as_array().expect("cells");
    assert!(
        cells[0]
            .as_str()
            .is_some_and(|c| c.starts_with("Evening show"))
            && cells[2]
                .as_str()
                .is_some_and(|c| c.starts_with("Every day, 20:00–02:00")),
        "{scheduled}"
    );
    // Every day: the evening until midnight and the night's end the next morning (the week
    // is drawn in the browser's zone, the schedule's too).
    let week = scheduled["week"].as_array().expect("week");
    assert_eq!(week.len(), 14, "{scheduled}");
    for day in [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ] {
        let texts: Vec<&str> = week
            .iter()
            .filter(|w| w["day"] == day)
            .filter_map(|w| w["text"].as_str())
            .collect();
        assert!(
            texts.contains(&"Evening show 20:00–24:00")
                && texts.contains(&"Evening show 00:00–02:00"),
            "{day}: {texts:?}"
        );
    }
    assert!(
        scheduled["caption"]
            .as_str()
            .is_some_and(|c| c.contains("Europe/Berlin")),
        "{scheduled}"
    );
    b.next().await;

    step("7: screenshots of the editor and the schedules, 1280x800");
    let taken: Vec<String> = serde_json::from_value(b.json("SCREENSHOTS").await).expect("names");
    for name in ["timeline-editor", "schedules"] {
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

    step(
        "8: axe-core: no serious or critical violation on the Timelines, editor and Schedules pages",
    );
    let axe = b.json("AXE").await;
    let pages = axe.as_object().expect("pages");
    for page in [
        "timelines",
        "timeline-import",
        "editor-stopped",
        "editor",
        "editor-refused",
        "schedule-form",
        "schedules",
    ] {
        assert!(pages.contains_key(page), "{page} not checked: {axe}");
    }
    let bad: Vec<_> = pages
        .iter()
        .filter(|(_, v)| v.as_array().is_none_or(|v| !v.is_empty()))
        .collect();
    assert!(bad.is_empty(), "serious or critical violations: {bad:#?}");
    b.next().await;
    b.finish().await;
    eprintln!("console timelines: {:.1} s", began.elapsed().as_secs_f64());
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
