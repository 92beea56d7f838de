//! A program output against real peers, through everything that can happen on air: two
//! simulated RTSP cameras in, two nginx-rtmp ingests out; cuts, a camera outage (the slate),
//! an ingest outage. What arrived is read back with ffprobe/ffmpeg from nginx's recordings.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::fixtures::{
    add_destination, add_streaming_camera, create_output, created_id, cut, destination_state,
    destination_status, output, start_output_until, stop_output, upload_asset, wait_output,
};
use common::ingest::{self, Nginx};
use common::{Appliance, metric, sim, step};
use serde_json::{Value, json};
use vistterstream_sim::SimCamera;
use vistterstream_sim::picture::{self, is_green, is_slate};

/// Everything the program test works with.
struct OnAir {
    app: Appliance,
    token: String,
    b: SimCamera,
    cam_a: i64,
    cam_b: i64,
    ingest1: Nginx,
    ingest2: Nginx,
    d1: i64,
    d2: i64,
    out: i64,
}

#[actix_web::test]
async fn program_survives_cuts_camera_outage_and_a_failing_destination() {
    let a = sim("A", "u", "p");
    step("1: cameras A and B stream, two ingests, a program with a slate picture goes live");
    let mut s = go_live(&a, sim("B", "u", "p")).await;
    step("2: ten cuts between A and B, each answered with the camera cut to");
    ten_cuts(&s).await;
    step("3: B on air dies: the slate within 4 s; B comes back on screen");
    camera_outage(&mut s).await;
    step("4: ingest two dies and comes back: it reconnects by itself, the key never shows");
    ingest_outage(&mut s).await;
    step("5: metrics say up, frames, bytes and the reconnect");
    metrics_tell_the_story(&s).await;
    step("6: stop: the view says stopped");
    let v = stop_output(&s.app, &s.token, s.out).await;
    assert_eq!(v["running"], false);
    assert_eq!(v["status"]["state"], "stopped");
    step("7: ingest one got one session: the profile, audio, keyframes, no gap, the slate");
    ingest_one_received_one_clean_session(&s.ingest1);
    step("8: ingest two got a session before the kill and one after, both decodable");
    let files = s.ingest2.recordings("key-two-s3cr3t");
    assert!(files.len() >= 2, "ingest two reconnected: {files:?}");
    for f in &files {
        assert_eq!(ingest::probe(f).video_codec, "h264");
    }
    step("9: no stream key in the log or the API's views");
    let everything = s
        .app
        .get_json(&s.token, "/api/v1/outputs")
        .await
        .to_string()
        + &s.app
            .get_json(&s.token, "/api/v1/destinations")
            .await
            .to_string();
    let log = s.app.log() + &everything;
    for key in ["key-one-s3cr3t", "key-two-s3cr3t"] {
        assert!(!log.contains(key), "stream key {key} in the log");
    }
}

async fn go_live(a: &SimCamera, b: SimCamera) -> OnAir {
    let app = Appliance::start().await;
    let token = app.admin_token().await;
    let cam_a = add_streaming_camera(&app, &token, a, "A").await;
    let cam_b = add_streaming_camera(&app, &token, &b, "B").await;
    let ingest1 = Nginx::start();
    let ingest2 = Nginx::start();
    let d1 = add_destination(&app, &token, "one", &ingest1.server_url(), "key-one-s3cr3t").await;
    let d2 = add_destination(&app, &token, "two", &ingest2.server_url(), "key-two-s3cr3t").await;
    // A green square for the slate's picture.
    let green = picture::png(64, 64, |_, _| [0, 255, 0, 255]);
    let r = upload_asset(&app, &token, None, "slate.png", green).await;
    let slate_picture = created_id(r, "the slate's picture").await;

    let out = create_output(
        &app,
        &token,
        json!({
            "name": "Program",
            "profile": {"width": 640, "height": 360, "fps": 25, "video_bitrate_kbps": 800},
            "destination_ids": [d1, d2],
            "camera_id": cam_a,
            "standby_camera_ids": [cam_b],
            "slate_text": "Back soon",
            "slate_asset_id": slate_picture
        }),
    )
    .await;
    start_output_until(&app, &token, out, "both destinations live", |v| {
        v["status"]["state"] == "live"
            && destination_state(v, d1) == "live"
            && destination_state(v, d2) == "live"
    })
    .await;
    assert_eq!(
        ingest1.publishing().await,
        vec!["key-one-s3cr3t".to_string()]
    );
    let v = output(&app, &token, out).await;
    assert_eq!(
        v["status"]["encoder"], "x264",
        "auto falls back to x264 without hardware"
    );
    assert_eq!(v["status"]["showing"]["camera_id"], cam_a);
    OnAir {
        app,
        token,
        b,
        cam_a,
        cam_b,
        ingest1,
        ingest2,
        d1,
        d2,
        out,
    }
}

async fn ten_cuts(s: &OnAir) {
    for i in 0..10 {
        let cam = if i % 2 == 0 { s.cam_b } else { s.cam_a };
        let r = cut(&s.app, &s.token, s.out, cam).await;
        assert_eq!(r.status(), 200, "cut {i}");
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["camera_id"], cam);
        tokio::time::sleep(Duration::from_millis(600)).await;
    }
}

/// On air: B (the 10th cut went to A; cut once more to B). Then B dies: slate.
async fn camera_outage(s: &mut OnAir) {
    let (app, token, out, cam_b) = (&s.app, s.token.as_str(), s.out, s.cam_b);
    cut(app, token, out, cam_b).await;
    wait_output(
        app,
        token,
        out,
        Duration::from_secs(5),
        "B on screen",
        |v| v["status"]["showing"]["camera_id"] == cam_b,
    )
    .await;
    s.b.stop();
    let slate_at = Instant::now();
    wait_output(app, token, out, Duration::from_secs(5), "slate", |v| {
        v["status"]["showing"]["kind"] == "slate"
    })
    .await;
    assert!(
        slate_at.elapsed() < Duration::from_secs(4),
        "slate took {:?}",
        slate_at.elapsed()
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    s.b.restart().expect("camera B back");
    wait_output(
        app,
        token,
        out,
        Duration::from_secs(30),
        "B back on screen",
        |v| v["status"]["showing"]["camera_id"] == cam_b,
    )
    .await;
}

/// One ingest dies and comes back: the other never notices; this one reconnects by itself.
async fn ingest_outage(s: &mut OnAir) {
    let (app, token, out, d2) = (&s.app, s.token.as_str(), s.out, s.d2);
    s.ingest2.kill();
    wait_output(
        app,
        token,
        out,
        Duration::from_secs(20),
        "destination two reconnecting",
        |v| matches!(destination_state(v, d2).as_str(), "reconnecting" | "failed"),
    )
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    s.ingest2.restart();
    let v = wait_output(
        app,
        token,
        out,
        Duration::from_secs(40),
        "destination two live again",
        |v| destination_state(v, d2) == "live",
    )
    .await;
    let two = destination_status(&v, d2);
    assert!(two["reconnects"].as_u64().unwrap() >= 1, "{two}");
    assert!(
        two["last_error"]
            .as_str()
            .is_some_and(|e| !e.contains("key-two")),
        "{two}"
    );
    tokio::time::sleep(Duration::from_secs(3)).await;
}

async fn metrics_tell_the_story(s: &OnAir) {
    let (out, d1, d2) = (s.out, s.d1, s.d2);
    let text = s.app.metrics().await;
    let value = |series: String| metric(&text, &series);
    assert_eq!(
        value(format!("vistter_output_up{{output=\"{out}\"}}")),
        Some(1.0)
    );
    assert!(
        value(format!("vistter_output_frames_total{{output=\"{out}\"}}")).unwrap_or(0.0) > 100.0
    );
    assert_eq!(
        value(format!(
            "vistter_destination_up{{output=\"{out}\",destination=\"{d1}\"}}"
        )),
        Some(1.0)
    );
    assert!(
        value(format!(
            "vistter_destination_reconnects_total{{output=\"{out}\",destination=\"{d2}\"}}"
        ))
        .unwrap_or(0.0)
            >= 1.0
    );
    assert!(
        value(format!(
            "vistter_output_bytes_total{{output=\"{out}\",destination=\"{d1}\"}}"
        ))
        .unwrap_or(0.0)
            > 10_000.0
    );
}

/// One publish session, the profile, audio, 2 s keyframes, no timestamp gap above two frame
/// intervals across cuts and the outage, slate frames.
fn ingest_one_received_one_clean_session(ingest1: &Nginx) {
    let files = ingest1.recordings("key-one-s3cr3t");
    assert_eq!(
        files.len(),
        1,
        "one publish session on ingest one: {files:?}"
    );
    let flv = &files[0];
    let s = ingest::probe(flv);
    assert_eq!(
        (s.video_codec.as_str(), s.width, s.height),
        ("h264", 640, 360),
        "{s:?}"
    );
    assert!((s.avg_frame_rate - 25.0).abs() < 0.5, "{s:?}");
    assert_eq!(s.audio_codec.as_deref(), Some("aac"), "{s:?}");
    let packets = ingest::video_packets(flv);
    let duration = packets.last().map(|p| p.t).unwrap_or(0.0);
    assert!(duration > 15.0, "recording only {duration} s");
    assert!(
        ingest::max_keyframe_interval(&packets) <= 2.05,
        "keyframe interval {}",
        ingest::max_keyframe_interval(&packets)
    );
    let (gap, at) = ingest::max_gap(&packets);
    assert!(gap <= 2.0 / 25.0 + 0.002, "timestamp gap {gap} s at {at} s");
    // The cameras (a moving ball at the program's 25 fps) reach the program evenly: almost
    // every program picture is a new camera picture, through the cuts too. Camera
    // timestamps that ran ahead of their arrival once made the mixer hold pictures and the
    // input queue drop them: 40 % repeats.
    let (distinct, total) = ingest::distinct_pictures(flv, 1.0, 6.0);
    assert!(
        total >= 100 && distinct as f64 >= 0.85 * total as f64,
        "{distinct} distinct pictures of {total} while the cameras were on air"
    );
    assert!(
        ingest::audio_packets(flv) as f64 > duration * 40.0,
        "audio must flow all along"
    );
    slate_shows_its_picture_and_the_camera_comes_back(flv, duration);
}

fn slate_shows_its_picture_and_the_camera_comes_back(flv: &Path, duration: f64) {
    let samples: Vec<bool> = (1..(duration as usize * 2))
        .map(|i| is_slate(&ingest::frame_rgb(flv, i as f64 / 2.0, 64, 36)))
        .collect();
    let first_slate = samples
        .iter()
        .position(|s| *s)
        .expect("slate frames while camera B was down");
    let slate = ingest::frame_rgb(flv, (first_slate + 1) as f64 / 2.0 + 0.3, 640, 360);
    let p = picture::pixel(&slate, 640, 320, 144);
    assert!(is_green(p), "the slate's picture: {p:?}");
    assert!(
        samples[first_slate..].iter().any(|s| !s),
        "the camera came back after the slate"
    );
    assert!(
        first_slate > 0,
        "the program showed camera B before the outage, not the slate"
    );
}
