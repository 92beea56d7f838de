//! Timelines on air (TL-2..TL-4), against real peers: two simulated cameras with distinct
//! pictures (a red and a blue background), a program publishing to nginx-rtmp, a 30 s
//! timeline with four cuts (one a fade) and two overlay windows. What nginx recorded is
//! decoded frame by frame: each camera and overlay in the right order, every change at its
//! cue time relative to the first within one frame, the fade as mixed frames, one publish
//! session. Then a looping timeline survives a `kill -9` of the appliance.

mod common;

use std::time::{Duration, Instant};

use common::fixtures::{
    add_destination, add_streaming_camera, create_output, created_id, destination_state,
    start_output_until, stop_output, upload_asset,
};
use common::ingest::{self, Nginx};
use common::program_frames::{BLUE, RED, Shows, blue_share, classify, coloured_camera, runs};
use common::wait::wait_until_every;
use common::{Appliance, Options, step};
use serde_json::{Value, json};
use vistterstream_sim::SimCamera;
use vistterstream_sim::picture;

const FPS: f64 = 25.0;
const FRAME: f64 = 1.0 / FPS;

struct Studio {
    app: Appliance,
    token: String,
    _a: SimCamera,
    b: SimCamera,
    cam_a: i64,
    cam_b: i64,
    ingest: Nginx,
    out: i64,
    green: i64,
}

/// Cameras A (red) and B (blue), a green picture for the overlays, a program on A
/// publishing to one nginx.
async fn studio() -> Studio {
    let app = Appliance::start().await;
    let token = app.admin_token().await;
    let a = coloured_camera("A", RED);
    let b = coloured_camera("B", BLUE);
    let cam_a = add_streaming_camera(&app, &token, &a, "A").await;
    let cam_b = add_streaming_camera(&app, &token, &b, "B").await;
    let green = picture::png(64, 64, |_, _| [0, 255, 0, 255]);
    let r = upload_asset(&app, &token, None, "green.png", green).await;
    let green = created_id(r, "the overlay picture").await;
    let ingest = Nginx::start();
    let d = add_destination(&app, &token, "ingest", &ingest.server_url(), "show").await;
    let out = create_output(
        &app,
        &token,
        json!({
            "name": "Program",
            "profile": {"width": 640, "height": 360, "fps": 25, "video_bitrate_kbps": 800},
            "destination_ids": [d],
            "camera_id": cam_a,
        }),
    )
    .await;
    start_output_until(&app, &token, out, "live", |v| {
        v["status"]["state"] == "live" && destination_state(v, d) == "live"
    })
    .await;
    Studio {
        app,
        token,
        _a: a,
        b,
        cam_a,
        cam_b,
        ingest,
        out,
        green,
    }
}

fn video(start: f64, duration: f64, camera_id: i64, transition: Option<Value>) -> Value {
    let mut cue = json!({"start_s": start, "duration_s": duration, "camera_id": camera_id});
    if let Some(t) = transition {
        cue["transition"] = t;
    }
    cue
}

fn overlay(start: f64, duration: f64, asset_id: i64) -> Value {
    json!({"start_s": start, "duration_s": duration, "asset_id": asset_id,
           "x": 0.4, "y": 0.4, "width": 0.2, "height": 0.2})
}

async fn create_timeline(s: &Studio, body: Value) -> i64 {
    let r = s.app.post(&s.token, "/api/v1/timelines", body).await;
    created_id(r, "the timeline").await
}

async fn timeline_status(s: &Studio, id: i64) -> Value {
    s.app
        .get_json(&s.token, &format!("/api/v1/timelines/{id}/status"))
        .await
}

async fn wait_status(
    s: &Studio,
    id: i64,
    within: Duration,
    what: &str,
    ok: impl Fn(&Value) -> bool,
) -> Value {
    wait_until_every(
        Duration::from_millis(100),
        within,
        format!("timeline {id} {what}"),
        async || {
            let v = timeline_status(s, id).await;
            if ok(&v) { Ok(v) } else { Err(v) }
        },
    )
    .await
}

async fn program_view(s: &Studio) -> Value {
    s.app
        .get_json(&s.token, &format!("/api/v1/outputs/{}", s.out))
        .await
}

/// The 30 s show: A [0, 6), B [6, 12), A [12, 18) fading in over 1 s, B [18, 24), A [24, 30);
/// the overlay over [3, 9) and [20, 27).
fn show(s: &Studio) -> Value {
    let (a, b) = (s.cam_a, s.cam_b);
    json!({
        "name": "Harbour show",
        "duration_s": 30,
        "tracks": [
            {"kind": "video", "cues": [
                video(0.0, 6.0, a, None),
                video(6.0, 6.0, b, None),
                video(12.0, 6.0, a, Some(json!({"kind": "fade", "duration_ms": 1000}))),
                video(18.0, 6.0, b, None),
                video(24.0, 6.0, a, None),
            ]},
            {"kind": "overlay", "cues": [overlay(3.0, 6.0, s.green), overlay(20.0, 7.0, s.green)]},
        ]
    })
}

#[actix_web::test]
async fn a_timeline_cuts_fades_and_overlays_on_the_frame_its_cues_name() {
    step("1: two cameras (red, blue), a program on A publishing to nginx");
    let s = studio().await;
    let id = create_timeline(&s, show(&s)).await;

    step("2: start it on the program: running, at cue 0, the next cue B in about 6 s");
    let r = s
        .app
        .post(
            &s.token,
            &format!("/api/v1/timelines/{id}/start"),
            json!({"output_id": s.out}),
        )
        .await;
    assert_eq!(r.status(), 200, "start");
    let v = wait_status(
        &s,
        id,
        Duration::from_secs(5),
        "reported its position",
        |v| v["position"].is_object(),
    )
    .await;
    assert_eq!(v["state"], "running");
    assert_eq!(v["position"]["camera_id"], s.cam_a);
    assert_eq!(v["position"]["next_cue"]["camera_id"], s.cam_b);

    step("3: a second timeline on the same output is refused without replace (409)");
    let other = create_timeline(
        &s,
        json!({"name": "Other", "duration_s": 5, "tracks": [{"kind": "video", "cues": [video(0.0, 5.0, s.cam_b, None)]}]}),
    )
    .await;
    let r = s
        .app
        .post(
            &s.token,
            &format!("/api/v1/timelines/{other}/start"),
            json!({"output_id": s.out}),
        )
        .await;
    assert_eq!(r.status(), 409);

    step("4: at 7 s the program shows B, the timeline says cue 1");
    let v = wait_status(&s, id, Duration::from_secs(12), "reached 7 s", |v| {
        v["position"]["position_s"].as_f64().unwrap_or(0.0) >= 7.0
    })
    .await;
    assert_eq!(v["position"]["cue"]["index"], 1);
    let output = s
        .app
        .get_json(&s.token, &format!("/api/v1/outputs/{}", s.out))
        .await;
    assert_eq!(
        output["status"]["showing"]["camera_id"], s.cam_b,
        "{output}"
    );

    step("5: it ends by itself at 30 s: history says ended; the last camera stays on air");
    wait_status(&s, id, Duration::from_secs(30), "ended", |v| {
        v["state"] == "stopped"
    })
    .await;
    let runs = s
        .app
        .get_json(&s.token, &format!("/api/v1/timelines/{id}/runs"))
        .await;
    assert_eq!(runs[0]["end_reason"], "ended", "{runs}");
    assert_eq!(runs[0]["started_by"], "operator");
    tokio::time::sleep(Duration::from_secs(1)).await;
    stop_output(&s.app, &s.token, s.out).await;

    step("6: what nginx recorded: one session, every change on its frame");
    let files = s.ingest.recordings("show");
    assert_eq!(files.len(), 1, "one publish session: {files:?}");
    check_recording(&ingest::all_frames(&files[0], 64, 36));
}

/// The order of what was on screen, and each change's time relative to the first cut.
fn check_recording(frames: &[(f64, Vec<u8>)]) {
    let shown: Vec<(f64, Shows, bool)> = frames
        .iter()
        .map(|(t, rgb)| {
            let (shows, overlay) = classify(rgb);
            (*t, shows, overlay)
        })
        .collect();
    let summary = runs(&shown);
    // The first cut: the first B after A.
    let first_a = shown
        .iter()
        .position(|f| f.1 == Shows::A)
        .unwrap_or_else(|| panic!("camera A on air: {summary}"));
    let cut1 = shown[first_a..]
        .iter()
        .position(|f| f.1 == Shows::B)
        .map(|i| i + first_a)
        .unwrap_or_else(|| panic!("the cut to B: {summary}"));
    let t0 = shown[cut1].0;
    let after = |from: usize, want: &dyn Fn(&(f64, Shows, bool)) -> bool| {
        shown[from..]
            .iter()
            .position(want)
            .map(|i| i + from)
            .unwrap_or_else(|| panic!("a change after {:.3} s: {summary}", shown[from].0 - t0))
    };
    // The fade: from the last pure B, mixed frames, to pure A; its middle at 12.5 s.
    let fade_start = after(cut1, &|f| f.1 != Shows::B);
    let fade_end = after(fade_start, &|f| f.1 == Shows::A);
    // Both pictures in one frame: neither pure red nor pure blue, each frame redder than
    // the one before.
    let shares: Vec<f64> = frames[fade_start.saturating_sub(3)..fade_end + 3]
        .iter()
        .map(|(_, rgb)| blue_share(rgb))
        .collect();
    let mixed = shares.iter().filter(|b| **b > 0.08 && **b < 0.92).count();
    assert!(
        mixed >= 18,
        "a 1 s fade shows about 23 mixed frames, saw {mixed}: {shares:.2?}"
    );
    assert!(
        shares.windows(2).all(|w| w[1] <= w[0] + 0.05),
        "the fade goes one way: {shares:.2?}"
    );
    let middle = after(fade_start, &|f| match f.1 {
        Shows::Mix(blue) => blue <= 0.5,
        Shows::A => true,
        _ => false,
    });
    let cut3 = after(fade_end, &|f| f.1 == Shows::B);
    let cut4 = after(cut3, &|f| f.1 == Shows::A);
    // The overlay: on at 3 s, off at 9 s, on at 20 s, off at 27 s.
    let on1 = after(0, &|f| f.2);
    let off1 = after(on1, &|f| !f.2);
    let on2 = after(off1, &|f| f.2);
    let off2 = after(on2, &|f| !f.2);
    let changes = [
        ("fade middle", middle, 6.5),
        ("cut to B", cut3, 12.0),
        ("cut to A", cut4, 18.0),
        ("overlay on", on1, -3.0),
        ("overlay off", off1, 3.0),
        ("overlay on again", on2, 14.0),
        ("overlay off again", off2, 21.0),
    ];
    let mut report = String::new();
    for (what, i, expected) in changes {
        let measured = shown[i].0 - t0;
        report.push_str(&format!("{what}: {measured:.3} s (cue {expected:.3} s)\n"));
        assert!(
            (measured - expected).abs() <= FRAME + 0.001,
            "{what} at {measured:.3} s after the first cut, its cue says {expected:.3} s \
             (one frame is {FRAME:.3} s)\n{report}"
        );
    }
    eprintln!("{report}");
    assert!(
        shown[cut1..].iter().all(|f| f.1 != Shows::Slate),
        "no slate between the cuts"
    );
}

#[actix_web::test]
async fn a_running_timeline_resumes_where_the_wall_clock_says_after_kill_9() {
    step("1: a looping 20 s timeline, A [0, 10) and B [10, 20), started at 8 s");
    let mut s = studio().await;
    let (a, b) = (s.cam_a, s.cam_b);
    let id = create_timeline(
        &s,
        json!({"name": "Loop", "duration_s": 20, "loop": true, "tracks": [{"kind": "video", "cues": [
            video(0.0, 10.0, a, None), video(10.0, 10.0, b, None)]}]}),
    )
    .await;
    let r = s
        .app
        .post(
            &s.token,
            &format!("/api/v1/timelines/{id}/start"),
            json!({"output_id": s.out, "position_s": 8.0}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let started = Instant::now();
    wait_status(&s, id, Duration::from_secs(5), "on air", |v| {
        v["position"].is_object()
    })
    .await;

    step("2: pause at about 9 s, resume 3 s later: pauses count");
    tokio::time::sleep(Duration::from_secs(1)).await;
    let r = s
        .app
        .post(
            &s.token,
            &format!("/api/v1/timelines/{id}/pause"),
            json!({}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let paused: Value = r.json().await.unwrap();
    assert_eq!(paused["state"], "paused");
    let paused_at = paused["position"]["position_s"].as_f64().unwrap();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let r = s
        .app
        .post(
            &s.token,
            &format!("/api/v1/timelines/{id}/resume"),
            json!({}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let paused_for = 3.0;

    step("3: kill -9 the appliance at about 12 s of timeline time; restart it");
    tokio::time::sleep(Duration::from_secs(2)).await;
    s.app.kill_hard();
    let killed = Instant::now();
    tokio::time::sleep(Duration::from_secs(2)).await;
    s.app.restart(Options::default()).await;

    step("4: within seconds the same timeline is on air at the position the clock implies");
    let v = wait_status(&s, id, Duration::from_secs(15), "resumed", |v| {
        v["position"].is_object() && v["state"] == "running"
    })
    .await;
    let expected = paused_at + (started.elapsed().as_secs_f64() - 1.0 - paused_for);
    let position = v["position"]["position_s"].as_f64().unwrap();
    assert!(
        (position - expected).abs() < 1.5,
        "resumed at {position:.2} s, the wall clock says {expected:.2} s"
    );
    assert!(killed.elapsed() < Duration::from_secs(20));
    // At 14-18 s of a loop that is cue B.
    assert_eq!(v["position"]["camera_id"], b, "{v}");
    wait_until_every(
        Duration::from_millis(200),
        Duration::from_secs(15),
        "the program to show B again",
        async || {
            let o = s
                .app
                .get_json(&s.token, &format!("/api/v1/outputs/{}", s.out))
                .await;
            if o["status"]["showing"]["camera_id"] == b {
                Ok(())
            } else {
                Err(o["status"]["showing"].to_string())
            }
        },
    )
    .await;
    let runs = s
        .app
        .get_json(&s.token, &format!("/api/v1/timelines/{id}/runs"))
        .await;
    assert_eq!(
        runs.as_array().map(Vec::len),
        Some(1),
        "the same run: {runs}"
    );
    assert!(runs[0]["ended_at"].is_null());

    step("5: stop: the history says stopped");
    let r = s
        .app
        .post(&s.token, &format!("/api/v1/timelines/{id}/stop"), json!({}))
        .await;
    assert_eq!(r.status(), 200);
    let runs = s
        .app
        .get_json(&s.token, &format!("/api/v1/timelines/{id}/runs"))
        .await;
    assert_eq!(runs[0]["end_reason"], "stopped");
}

#[actix_web::test]
async fn a_camera_failing_during_its_cue_shows_the_slate_and_the_timeline_keeps_time() {
    step("1: A [0, 6), B [6, 14), A [14, 20)");
    let mut s = studio().await;
    let (a, b) = (s.cam_a, s.cam_b);
    let id = create_timeline(
        &s,
        json!({"name": "Outage", "duration_s": 20, "tracks": [{"kind": "video", "cues": [
            video(0.0, 6.0, a, None), video(6.0, 8.0, b, None), video(14.0, 6.0, a, None)]}]}),
    )
    .await;
    let r = s
        .app
        .post(
            &s.token,
            &format!("/api/v1/timelines/{id}/start"),
            json!({"output_id": s.out}),
        )
        .await;
    assert_eq!(r.status(), 200);
    wait_status(&s, id, Duration::from_secs(10), "at B's cue", |v| {
        v["position"]["position_s"].as_f64().unwrap_or(0.0) >= 6.5
    })
    .await;
    assert_eq!(program_view(&s).await["status"]["showing"]["camera_id"], b);

    step("2: B dies during its cue: the slate, while the timeline keeps time");
    s.b.stop();
    wait_until_every(
        Duration::from_millis(200),
        Duration::from_secs(5),
        "the slate",
        async || {
            let o = program_view(&s).await;
            if o["status"]["showing"]["kind"] == "slate" {
                Ok(())
            } else {
                Err(o["status"]["showing"].to_string())
            }
        },
    )
    .await;
    let v = timeline_status(&s, id).await;
    assert_eq!(v["state"], "running");
    assert_eq!(v["position"]["cue"]["index"], 1, "still B's cue: {v}");

    step("3: at 14 s the next cue puts A on air on time");
    wait_status(&s, id, Duration::from_secs(10), "at A's cue", |v| {
        v["position"]["position_s"].as_f64().unwrap_or(0.0) >= 14.5
    })
    .await;
    wait_until_every(
        Duration::from_millis(200),
        Duration::from_secs(3),
        "A on air",
        async || {
            let o = program_view(&s).await;
            if o["status"]["showing"]["camera_id"] == a {
                Ok(())
            } else {
                Err(o["status"]["showing"].to_string())
            }
        },
    )
    .await;
}
