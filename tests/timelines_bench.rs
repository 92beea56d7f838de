//! Timeline benchmarks (issue 15), run by `make bench` (they are `#[ignore]`d in the test
//! suite; no timing is asserted): docs/benchmarks.md has the method and the figures.
//!
//! - Cue accuracy at the ingest over 100 cuts: a timeline of 100 cues alternating two
//!   cameras, and side by side in the same run the same 100 cuts sent as operator cuts by a
//!   client timer at the same cue times (what a timer-driven scheduler does). Each cut's time
//!   is read from the frames nginx recorded; |measured interval − cue interval| is reported.
//! - TimelineActor CPU at 10 cuts per second: the appliance's CPU with a program alone, then
//!   with a looping timeline cutting every 100 ms, each for the same time.

mod common;

use std::time::{Duration, Instant};

use common::fixtures::{
    add_destination, add_streaming_camera, create_output, cut, destination_state,
    start_output_until, stop_output,
};
use common::ingest::{self, Nginx};
use common::program_frames::{BLUE, RED, Shows, classify, coloured_camera};
use common::wait::wait_until;
use common::{Appliance, step};
use serde_json::{Value, json};
use vistterstream_sim::SimCamera;

const FRAME_MS: f64 = 40.0;

struct Rig {
    app: Appliance,
    token: String,
    _cams: (SimCamera, SimCamera),
    a: i64,
    b: i64,
    ingest: Nginx,
    out: i64,
}

async fn rig(key: &str) -> Rig {
    let app = Appliance::start().await;
    let token = app.admin_token().await;
    let (ca, cb) = (coloured_camera("A", RED), coloured_camera("B", BLUE));
    let a = add_streaming_camera(&app, &token, &ca, "A").await;
    let b = add_streaming_camera(&app, &token, &cb, "B").await;
    let ingest = Nginx::start();
    let d = add_destination(&app, &token, "ingest", &ingest.server_url(), key).await;
    let out = create_output(
        &app,
        &token,
        json!({"name": "Program", "destination_ids": [d], "camera_id": a,
               "standby_camera_ids": [b],
               "profile": {"width": 640, "height": 360, "fps": 25, "video_bitrate_kbps": 800}}),
    )
    .await;
    start_output_until(&app, &token, out, "live", |v| {
        v["status"]["state"] == "live" && destination_state(v, d) == "live"
    })
    .await;
    Rig {
        app,
        token,
        _cams: (ca, cb),
        a,
        b,
        ingest,
        out,
    }
}

/// 100 cue lengths between 0.4 and 1.2 s (a fixed pattern, so runs compare).
fn cue_lengths() -> Vec<f64> {
    (0..100)
        .map(|i| 0.4 + f64::from((i * 37) % 9) * 0.1)
        .collect()
}

/// The times (s) of every change between camera A and B in a recording.
fn cut_times(path: &std::path::Path) -> Vec<f64> {
    let frames = ingest::all_frames(path, 64, 36);
    let mut last = None;
    let mut cuts = Vec::new();
    for (t, rgb) in &frames {
        let shows = classify(rgb).0;
        if !matches!(shows, Shows::A | Shows::B) {
            continue;
        }
        if last.is_some_and(|l| l != shows) {
            cuts.push(*t);
        }
        last = Some(shows);
    }
    cuts
}

/// p50, p99 and max of |measured interval − cue interval| in ms, over consecutive cuts.
fn errors_ms(measured: &[f64], cues: &[f64]) -> (f64, f64, f64, usize) {
    let mut errors: Vec<f64> = measured
        .windows(2)
        .zip(cues.windows(2))
        .map(|(m, c)| (((m[1] - m[0]) - (c[1] - c[0])) * 1000.0).abs())
        .collect();
    errors.sort_by(f64::total_cmp);
    let at = |q: f64| errors[((errors.len() - 1) as f64 * q).round() as usize];
    (at(0.5), at(0.99), at(1.0), errors.len())
}

#[actix_web::test]
#[ignore = "a benchmark: make bench"]
async fn bench_cue_accuracy_over_100_cuts() {
    let lengths = cue_lengths();
    let mut cue_at = vec![0.0];
    for l in &lengths {
        cue_at.push(cue_at.last().copied().unwrap_or(0.0) + l);
    }
    let total = *cue_at.last().unwrap_or(&0.0);

    step("1: the timeline: 100 cues alternating B and A after 1 s of A");
    let r = rig("bench-timeline").await;
    let mut cues = vec![json!({"start_s": 0, "duration_s": 1.0, "camera_id": r.a})];
    for (i, l) in lengths.iter().enumerate() {
        let camera = if i % 2 == 0 { r.b } else { r.a };
        cues.push(json!({"start_s": 1.0 + cue_at[i], "duration_s": l, "camera_id": camera}));
    }
    let t = r
        .app
        .post(
            &r.token,
            "/api/v1/timelines",
            json!({"name": "Bench", "duration_s": 1.0 + total + 1.0, "tracks": [{"kind": "video", "cues": cues}]}),
        )
        .await;
    let id = t.json::<Value>().await.expect("timeline")["id"]
        .as_i64()
        .expect("an id");
    let started = r
        .app
        .post(
            &r.token,
            &format!("/api/v1/timelines/{id}/start"),
            json!({"output_id": r.out}),
        )
        .await;
    assert_eq!(started.status(), 200);
    wait_until(
        Duration::from_secs_f64(total + 20.0),
        "the timeline to end",
        async || {
            let v = r
                .app
                .get_json(&r.token, &format!("/api/v1/timelines/{id}/status"))
                .await;
            if v["state"] == "stopped" {
                Ok(())
            } else {
                Err(v)
            }
        },
    )
    .await;

    step("2: the same cuts sent by a client timer as operator cuts");
    tokio::time::sleep(Duration::from_secs(1)).await;
    let begin = Instant::now();
    for (i, at) in cue_at.iter().take(100).enumerate() {
        let due = begin + Duration::from_secs_f64(*at);
        tokio::time::sleep_until(due.into()).await;
        let camera = if i % 2 == 0 { r.b } else { r.a };
        cut(&r.app, &r.token, r.out, camera).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    stop_output(&r.app, &r.token, r.out).await;

    step("3: the cut times in what nginx recorded");
    let files = r.ingest.recordings("bench-timeline");
    assert_eq!(files.len(), 1, "one session: {files:?}");
    let cuts = cut_times(&files[0]);
    assert!(cuts.len() >= 200, "both runs' cuts: {}", cuts.len());
    let timeline_cuts = &cuts[..100];
    let timer_cuts = &cuts[cuts.len() - 100..];
    let expected = &cue_at[..100];
    let (p50, p99, max, n) = errors_ms(timeline_cuts, expected);
    let (tp50, tp99, tmax, tn) = errors_ms(timer_cuts, expected);
    eprintln!(
        "BENCH cue accuracy, {n} intervals (one frame = {FRAME_MS} ms):\n\
         BENCH   timeline (switch applies the cue by frame timestamp): p50 {p50:.1} ms, p99 {p99:.1} ms, max {max:.1} ms\n\
         BENCH   operator cuts sent by a client timer at the cue times ({tn}): p50 {tp50:.1} ms, p99 {tp99:.1} ms, max {tmax:.1} ms"
    );
}

/// CPU seconds the appliance used over `window`.
fn cpu_seconds(pid: u32, window: Duration) -> f64 {
    let ticks = || -> f64 {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let after = stat.rsplit_once(") ").map(|(_, r)| r).unwrap_or("");
        let fields: Vec<&str> = after.split_whitespace().collect();
        let num = |i: usize| {
            fields
                .get(i)
                .and_then(|f| f.parse::<f64>().ok())
                .unwrap_or(0.0)
        };
        num(11) + num(12)
    };
    let hz = 100.0; // USER_HZ on Linux
    let before = ticks();
    std::thread::sleep(window);
    (ticks() - before) / hz
}

#[actix_web::test]
#[ignore = "a benchmark: make bench"]
async fn bench_timeline_actor_cpu_at_10_cuts_per_second() {
    let window = Duration::from_secs(30);
    let r = rig("bench-cpu").await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    step("1: the program alone");
    let alone = cpu_seconds(r.app.pid(), window);
    step("2: with a looping timeline cutting every 100 ms");
    let cues: Vec<Value> = (0..10)
        .map(|i| {
            let camera = if i % 2 == 0 { r.a } else { r.b };
            json!({"start_s": f64::from(i) * 0.1, "duration_s": 0.1, "camera_id": camera})
        })
        .collect();
    let t = r
        .app
        .post(
            &r.token,
            "/api/v1/timelines",
            json!({"name": "Ten a second", "duration_s": 1.0, "loop": true, "tracks": [{"kind": "video", "cues": cues}]}),
        )
        .await;
    let id = t.json::<Value>().await.expect("timeline")["id"]
        .as_i64()
        .expect("an id");
    let started = r
        .app
        .post(
            &r.token,
            &format!("/api/v1/timelines/{id}/start"),
            json!({"output_id": r.out}),
        )
        .await;
    assert_eq!(started.status(), 200);
    tokio::time::sleep(Duration::from_secs(3)).await;
    let with_timeline = cpu_seconds(r.app.pid(), window);
    let status = r
        .app
        .get_json(&r.token, &format!("/api/v1/timelines/{id}/status"))
        .await;
    let per_min = |s: f64| s * 60.0 / window.as_secs_f64();
    eprintln!(
        "BENCH appliance CPU over {window:?}: program alone {:.2} CPU s/min, with 10 cuts/s {:.2} CPU s/min (difference {:+.2}); the timeline made {} passes",
        per_min(alone),
        per_min(with_timeline),
        per_min(with_timeline - alone),
        status["position"]["loops"]
    );
    stop_output(&r.app, &r.token, r.out).await;
}
