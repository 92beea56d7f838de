//! Outputs against real peers: simulated RTSP cameras in, nginx-rtmp (and stunnel for
//! RTMPS) out; what arrived is read back with ffprobe/ffmpeg from nginx's own recordings.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::ingest::{self, Nginx, Stunnel};
use common::{Appliance, Options, metric, sim};
use serde_json::{Value, json};

/// Poll an output until `want` holds for its JSON view.
async fn wait_output(
    app: &Appliance,
    token: &str,
    id: i64,
    timeout: Duration,
    what: &str,
    want: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = Instant::now() + timeout;
    loop {
        let v = app.get_json(token, &format!("/api/v1/outputs/{id}")).await;
        if want(&v) {
            return v;
        }
        assert!(
            Instant::now() < deadline,
            "output {id}: {what} never happened; last view {v:#}\nlog tail:\n{}",
            common::tail(&app.log(), 60)
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn destination_state(v: &Value, destination_id: i64) -> String {
    v["status"]["destinations"]
        .as_array()
        .and_then(|ds| ds.iter().find(|d| d["destination_id"] == destination_id))
        .and_then(|d| d["state"].as_str())
        .unwrap_or("")
        .to_string()
}

async fn add_destination(
    app: &Appliance,
    token: &str,
    name: &str,
    server_url: &str,
    key: &str,
) -> i64 {
    let r = app
        .post(token, "/api/v1/destinations", json!({"name": name, "platform": "custom", "server_url": server_url, "stream_key": key}))
        .await;
    assert_eq!(r.status(), 201, "creating destination {name}");
    r.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

/// Is the picture at `t` the slate (navy background) rather than a camera (black)?
fn is_slate(path: &Path, t: f64) -> bool {
    let rgb = ingest::frame_rgb(path, t, 64, 36);
    if rgb.len() < 3 {
        return false;
    }
    // Top-left pixel: the slate's navy (0x14,0x28,0x50) vs the cameras' black.
    let (r, g, b) = (rgb[0] as i32, rgb[1] as i32, rgb[2] as i32);
    b > 50 && b > r + 30 && g < 90
}

#[actix_web::test]
async fn program_survives_cuts_camera_outage_and_a_failing_destination() {
    let a = sim("A", "u", "p");
    let mut b = sim("B", "u", "p");
    let app = Appliance::start().await;
    let token = app.admin_token().await;
    let cam_a = app.add_streaming_camera(&token, &a, "A").await;
    let cam_b = app.add_streaming_camera(&token, &b, "B").await;
    let ingest1 = Nginx::start();
    let mut ingest2 = Nginx::start();
    let d1 = add_destination(&app, &token, "one", &ingest1.server_url(), "key-one-s3cr3t").await;
    let d2 = add_destination(&app, &token, "two", &ingest2.server_url(), "key-two-s3cr3t").await;
    // A green square for the slate's picture.
    let mut png = std::io::Cursor::new(Vec::new());
    image::RgbaImage::from_pixel(64, 64, image::Rgba([0, 255, 0, 255]))
        .write_to(&mut png, image::ImageFormat::Png)
        .unwrap();
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(png.into_inner()).file_name("slate.png"),
    );
    let r = app
        .client
        .post(app.url("/api/v1/assets"))
        .bearer_auth(&token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let slate_picture = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();

    let r = app
        .post(
            &token,
            "/api/v1/outputs",
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
    assert_eq!(r.status(), 201);
    let out = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let r = app
        .post(&token, &format!("/api/v1/outputs/{out}/start"), json!({}))
        .await;
    assert_eq!(r.status(), 200);
    wait_output(
        &app,
        &token,
        out,
        Duration::from_secs(30),
        "both destinations live",
        |v| {
            v["status"]["state"] == "live"
                && destination_state(v, d1) == "live"
                && destination_state(v, d2) == "live"
        },
    )
    .await;
    assert_eq!(
        ingest1.publishing().await,
        vec!["key-one-s3cr3t".to_string()]
    );
    let v = app
        .get_json(&token, &format!("/api/v1/outputs/{out}"))
        .await;
    assert_eq!(
        v["status"]["encoder"], "x264",
        "auto falls back to x264 without hardware"
    );
    assert_eq!(v["status"]["showing"]["camera_id"], cam_a);

    // Ten cuts between the two cameras.
    for i in 0..10 {
        let cam = if i % 2 == 0 { cam_b } else { cam_a };
        let r = app
            .post(
                &token,
                &format!("/api/v1/outputs/{out}/cut"),
                json!({"camera_id": cam}),
            )
            .await;
        assert_eq!(r.status(), 200, "cut {i}");
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["camera_id"], cam);
        tokio::time::sleep(Duration::from_millis(600)).await;
    }
    // On air: B (the 10th cut went to A; cut once more to B). Then B dies: slate.
    app.post(
        &token,
        &format!("/api/v1/outputs/{out}/cut"),
        json!({"camera_id": cam_b}),
    )
    .await;
    wait_output(
        &app,
        &token,
        out,
        Duration::from_secs(5),
        "B on screen",
        |v| v["status"]["showing"]["camera_id"] == cam_b,
    )
    .await;
    b.stop();
    let slate_at = Instant::now();
    wait_output(&app, &token, out, Duration::from_secs(5), "slate", |v| {
        v["status"]["showing"]["kind"] == "slate"
    })
    .await;
    assert!(
        slate_at.elapsed() < Duration::from_secs(4),
        "slate took {:?}",
        slate_at.elapsed()
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    b.restart().expect("camera B back");
    wait_output(
        &app,
        &token,
        out,
        Duration::from_secs(30),
        "B back on screen",
        |v| v["status"]["showing"]["camera_id"] == cam_b,
    )
    .await;

    // One ingest dies and comes back: the other never notices; this one reconnects by itself.
    ingest2.kill();
    wait_output(
        &app,
        &token,
        out,
        Duration::from_secs(20),
        "destination two reconnecting",
        |v| matches!(destination_state(v, d2).as_str(), "reconnecting" | "failed"),
    )
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    ingest2.restart();
    let v = wait_output(
        &app,
        &token,
        out,
        Duration::from_secs(40),
        "destination two live again",
        |v| destination_state(v, d2) == "live",
    )
    .await;
    let two = v["status"]["destinations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["destination_id"] == d2)
        .unwrap()
        .clone();
    assert!(two["reconnects"].as_u64().unwrap() >= 1, "{two}");
    assert!(
        two["last_error"]
            .as_str()
            .is_some_and(|e| !e.contains("key-two")),
        "{two}"
    );
    tokio::time::sleep(Duration::from_secs(3)).await;

    let text = app.metrics().await;
    assert_eq!(
        metric(&text, &format!("vistter_output_up{{output=\"{out}\"}}")),
        Some(1.0)
    );
    assert!(
        metric(
            &text,
            &format!("vistter_output_frames_total{{output=\"{out}\"}}")
        )
        .unwrap_or(0.0)
            > 100.0
    );
    assert_eq!(
        metric(
            &text,
            &format!("vistter_destination_up{{output=\"{out}\",destination=\"{d1}\"}}")
        ),
        Some(1.0)
    );
    assert!(
        metric(
            &text,
            &format!(
                "vistter_destination_reconnects_total{{output=\"{out}\",destination=\"{d2}\"}}"
            )
        )
        .unwrap_or(0.0)
            >= 1.0
    );
    assert!(
        metric(
            &text,
            &format!("vistter_output_bytes_total{{output=\"{out}\",destination=\"{d1}\"}}")
        )
        .unwrap_or(0.0)
            > 10_000.0
    );

    let r = app
        .post(&token, &format!("/api/v1/outputs/{out}/stop"), json!({}))
        .await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["running"], false);
    assert_eq!(v["status"]["state"], "stopped");

    // What ingest one received: one publish session, the profile, audio, 2 s keyframes, no
    // timestamp gap above two frame intervals across cuts and the outage, slate frames.
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
    let samples: Vec<bool> = (1..(duration as usize * 2))
        .map(|i| is_slate(flv, i as f64 / 2.0))
        .collect();
    let first_slate = samples
        .iter()
        .position(|s| *s)
        .expect("slate frames while camera B was down");
    let slate = ingest::frame_rgb(flv, (first_slate + 1) as f64 / 2.0 + 0.3, 640, 360);
    let i = ((144 * 640 + 320) * 3) as usize;
    let (r, g, b) = (slate[i], slate[i + 1], slate[i + 2]);
    assert!(
        g > 150 && r < 90 && b < 90,
        "the slate's picture: ({r},{g},{b})"
    );
    assert!(
        samples[first_slate..].iter().any(|s| !s),
        "the camera came back after the slate"
    );
    assert!(!samples[..first_slate].iter().any(|s| *s) || first_slate > 0);

    // Ingest two: a session before the kill and one after; both decodable.
    let files = ingest2.recordings("key-two-s3cr3t");
    assert!(files.len() >= 2, "ingest two reconnected: {files:?}");
    for f in &files {
        assert_eq!(ingest::probe(f).video_codec, "h264");
    }

    let everything = app.get_json(&token, "/api/v1/outputs").await.to_string()
        + &app
            .get_json(&token, "/api/v1/destinations")
            .await
            .to_string();
    let log = app.log() + &everything;
    for key in ["key-one-s3cr3t", "key-two-s3cr3t"] {
        assert!(!log.contains(key), "stream key {key} in the log");
    }
}

#[actix_web::test]
async fn relay_copies_the_camera_bit_exact_and_comes_back_after_a_restart() {
    let cam = sim("R", "u", "p");
    let mut app = Appliance::start().await;
    let token = app.admin_token().await;
    let cam_id = app.add_streaming_camera(&token, &cam, "R").await;
    let ingest = Nginx::start();
    let d = add_destination(&app, &token, "relay", &ingest.server_url(), "relay-key").await;
    let r = app
        .post(
            &token,
            "/api/v1/outputs",
            json!({"name": "Relay", "mode": "relay", "camera_id": cam_id, "destination_ids": [d]}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let out = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    assert_eq!(
        app.post(&token, &format!("/api/v1/outputs/{out}/start"), json!({}))
            .await
            .status(),
        200
    );
    wait_output(
        &app,
        &token,
        out,
        Duration::from_secs(30),
        "relay live",
        |v| destination_state(v, d) == "live" && v["status"]["state"] == "live",
    )
    .await;
    let v = app
        .get_json(&token, &format!("/api/v1/outputs/{out}"))
        .await;
    assert_eq!(v["status"]["encoder"], "copy");
    assert_eq!(v["status"]["showing"]["camera_id"], cam_id);
    // A cut means nothing to a relay.
    let r = app
        .post(
            &token,
            &format!("/api/v1/outputs/{out}/cut"),
            json!({"camera_id": cam_id}),
        )
        .await;
    assert_eq!(r.status(), 409);
    tokio::time::sleep(Duration::from_secs(4)).await;

    // Desired state survives a restart of the appliance.
    let mut options = Options::default();
    options
        .extra_env
        .push(("VISTTER_LOG_FORMAT".into(), "json".into()));
    app.restart(options).await;
    let token = app.admin_token().await;
    let v = wait_output(
        &app,
        &token,
        out,
        Duration::from_secs(40),
        "relay live after restart",
        |v| destination_state(v, d) == "live",
    )
    .await;
    assert_eq!(v["running"], true);
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        app.post(&token, &format!("/api/v1/outputs/{out}/stop"), json!({}))
            .await
            .status(),
        200
    );

    let files = ingest.recordings("relay-key");
    assert!(
        files.len() >= 2,
        "a session before and after the restart: {files:?}"
    );
    let camera_sps = ingest::camera_sps(&cam.url().replacen("rtsp://", "rtsp://u:p@", 1));
    assert!(!camera_sps.is_empty(), "camera SPS");
    for f in &files {
        let s = ingest::probe(f);
        assert_eq!((s.width, s.height), (640, 360), "{s:?}");
        assert_eq!(s.audio_codec.as_deref(), Some("aac"), "{s:?}");
        assert_eq!(
            ingest::flv_sps(f),
            camera_sps,
            "relay must not re-encode: same SPS"
        );
    }
}

#[actix_web::test]
async fn relay_of_a_camera_without_audio_carries_silence_and_records() {
    let cam = vistterstream_sim::SimCamera::start(vistterstream_sim::SimCameraConfig {
        label: "Q".into(),
        credentials: Some(("u".into(), "p".into())),
        audio: false,
        ..Default::default()
    })
    .expect("simulated camera");
    let app = Appliance::start().await;
    let token = app.admin_token().await;
    let cam_id = app.add_streaming_camera(&token, &cam, "Q").await;
    let ingest = Nginx::start();
    let d = add_destination(&app, &token, "quiet", &ingest.server_url(), "quiet-key").await;
    let r = app
        .post(
            &token,
            "/api/v1/outputs",
            json!({
                "name": "Quiet relay", "mode": "relay", "camera_id": cam_id, "destination_ids": [d],
                "recording": {"enabled": true, "segment_seconds": 60}
            }),
        )
        .await;
    assert_eq!(r.status(), 201);
    let out = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    app.post(&token, &format!("/api/v1/outputs/{out}/start"), json!({}))
        .await;
    wait_output(&app, &token, out, Duration::from_secs(30), "live", |v| {
        destination_state(v, d) == "live"
    })
    .await;
    tokio::time::sleep(Duration::from_secs(6)).await;
    assert_eq!(
        app.post(&token, &format!("/api/v1/outputs/{out}/stop"), json!({}))
            .await
            .status(),
        200
    );

    // At the ingest: the camera's own H.264 and a continuous silent AAC track.
    let files = ingest.recordings("quiet-key");
    assert_eq!(files.len(), 1, "{files:?}");
    let flv = &files[0];
    let s = ingest::probe(flv);
    assert_eq!((s.width, s.height), (640, 360), "{s:?}");
    assert_eq!(s.audio_codec.as_deref(), Some("aac"), "{s:?}");
    let camera_sps = ingest::camera_sps(&cam.url().replacen("rtsp://", "rtsp://u:p@", 1));
    assert_eq!(ingest::flv_sps(flv), camera_sps, "relay must not re-encode");
    let packets = ingest::video_packets(flv);
    let duration = packets.last().map(|p| p.t).unwrap_or(0.0);
    assert!(duration > 4.0, "only {duration} s received");
    assert!(
        ingest::audio_packets(flv) as f64 > duration * 40.0,
        "silence (46.9 AAC frames/s) must flow all along"
    );
    let (gap, at) = ingest::max_gap(&packets);
    assert!(gap <= 2.0 / 25.0 + 0.002, "timestamp gap {gap} s at {at} s");

    // The recorder got the same streams, repackaged into a playable MP4.
    let list = app.get_json(&token, "/api/v1/recordings").await;
    let name = list[0]["name"].as_str().expect("a recording").to_string();
    let r = app.get(&token, &format!("/api/v1/recordings/{name}")).await;
    assert_eq!(r.status(), 200);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("relay.mp4");
    std::fs::write(&file, r.bytes().await.unwrap()).unwrap();
    let s = ingest::probe(&file);
    assert_eq!(
        (s.video_codec.as_str(), s.width, s.height),
        ("h264", 640, 360),
        "{s:?}"
    );
    assert_eq!(s.audio_codec.as_deref(), Some("aac"), "{s:?}");
    let packets = ingest::video_packets(&file);
    let span = packets.last().map(|p| p.t).unwrap_or(0.0) - packets[0].t;
    assert!(span > 4.0, "recorded only {span} s");
}

#[actix_web::test]
async fn rtmps_verifies_the_ingest_certificate() {
    let cam = sim("T", "u", "p");
    let ingest = Nginx::start();
    let tls = Stunnel::start(ingest.rtmp_port);
    let server_url = format!("rtmps://localhost:{}/live", tls.port);

    // Without the test CA: the certificate is not trusted, clearly said, never live.
    let app = Appliance::start().await;
    let token = app.admin_token().await;
    let cam_id = app.add_streaming_camera(&token, &cam, "T").await;
    let d = add_destination(&app, &token, "tls", &server_url, "tls-untrusted").await;
    let r = app
        .post(
            &token,
            "/api/v1/outputs",
            json!({"name": "TLS", "mode": "relay", "camera_id": cam_id, "destination_ids": [d]}),
        )
        .await;
    let out = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    app.post(&token, &format!("/api/v1/outputs/{out}/start"), json!({}))
        .await;
    let v = wait_output(
        &app,
        &token,
        out,
        Duration::from_secs(30),
        "certificate error",
        |v| {
            v["status"]["destinations"][0]["last_error"]
                .as_str()
                .is_some()
        },
    )
    .await;
    let error = v["status"]["destinations"][0]["last_error"]
        .as_str()
        .unwrap()
        .to_lowercase();
    assert!(
        error.contains("certificate") || error.contains("tls"),
        "{error}"
    );
    assert!(!error.contains("tls-untrusted"), "{error}");
    assert_ne!(destination_state(&v, d), "live");
    assert!(ingest.recordings("tls-untrusted").is_empty());
    drop(app);

    // With the CA configured: verified and published.
    let mut options = Options::default();
    options.extra_env.push((
        "VISTTER_OUTPUTS__RTMPS_CA_FILE".into(),
        tls.ca_file().display().to_string(),
    ));
    let app = Appliance::start_with(options).await;
    let token = app.admin_token().await;
    let cam_id = app.add_streaming_camera(&token, &cam, "T").await;
    let d = add_destination(&app, &token, "tls", &server_url, "tls-trusted").await;
    let r = app
        .post(
            &token,
            "/api/v1/outputs",
            json!({"name": "TLS", "mode": "relay", "camera_id": cam_id, "destination_ids": [d]}),
        )
        .await;
    let out = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    app.post(&token, &format!("/api/v1/outputs/{out}/start"), json!({}))
        .await;
    wait_output(
        &app,
        &token,
        out,
        Duration::from_secs(30),
        "live over RTMPS",
        |v| destination_state(v, d) == "live",
    )
    .await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(ingest.publishing().await, vec!["tls-trusted".to_string()]);
}

#[actix_web::test]
async fn bad_output_input_is_refused_and_stop_all_leaves_cameras_running() {
    let cam = sim("E", "u", "p");
    let app = Appliance::start().await;
    let token = app.admin_token().await;
    let cam_id = app.add_streaming_camera(&token, &cam, "E").await;
    let ingest = Nginx::start();
    let d = add_destination(&app, &token, "one", &ingest.server_url(), "stop-all-key").await;

    let problem = |v: &Value| {
        v["errors"]
            .as_array()
            .map(|e| {
                e.iter()
                    .map(|f| f["field"].as_str().unwrap_or("").to_string())
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    };
    let r = app
        .post(
            &token,
            "/api/v1/outputs",
            json!({"name": "x", "destination_ids": [d, 999]}),
        )
        .await;
    assert_eq!(r.status(), 422);
    assert_eq!(
        problem(&r.json().await.unwrap()),
        vec!["destination_ids[1]"]
    );
    let r = app
        .post(
            &token,
            "/api/v1/outputs",
            json!({"name": "x", "profile": {"fps": 120}, "camera_id": 999}),
        )
        .await;
    assert_eq!(r.status(), 422);
    assert_eq!(problem(&r.json().await.unwrap()), vec!["profile.fps"]);
    let r = app
        .post(
            &token,
            "/api/v1/outputs",
            json!({"name": "x", "camera_id": 999}),
        )
        .await;
    assert_eq!(problem(&r.json().await.unwrap()), vec!["camera_id"]);
    let r = app
        .post(
            &token,
            "/api/v1/outputs",
            json!({"name": "x", "slate_asset_id": 999}),
        )
        .await;
    assert_eq!(problem(&r.json().await.unwrap()), vec!["slate_asset_id"]);
    let r = app
        .post(
            &token,
            "/api/v1/outputs",
            json!({"name": "x", "mode": "relay"}),
        )
        .await;
    assert_eq!(problem(&r.json().await.unwrap()), vec!["camera_id"]);
    assert_eq!(
        app.get_json(&token, "/api/v1/outputs").await,
        json!([]),
        "nothing stored"
    );

    let r = app
        .post(&token, "/api/v1/outputs", json!({"name": "Empty"}))
        .await;
    let empty = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let r = app
        .post(&token, &format!("/api/v1/outputs/{empty}/start"), json!({}))
        .await;
    assert_eq!(r.status(), 409, "nothing to publish to");

    let r = app.post(&token, "/api/v1/outputs", json!({"name": "P", "camera_id": cam_id, "destination_ids": [d], "profile": {"width": 320, "height": 180, "video_bitrate_kbps": 300}})).await;
    let out = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let r = app
        .post(
            &token,
            &format!("/api/v1/outputs/{out}/cut"),
            json!({"camera_id": 4242}),
        )
        .await;
    assert_eq!(r.status(), 422);
    assert_eq!(problem(&r.json().await.unwrap()), vec!["camera_id"]);
    let r = app
        .post(&token, &format!("/api/v1/outputs/{out}/cut"), json!({}))
        .await;
    assert_eq!(r.status(), 422, "missing camera_id");
    assert_eq!(problem(&r.json().await.unwrap()), vec!["camera_id"]);
    // A destination in use cannot be deleted.
    let r = app
        .send(
            reqwest::Method::DELETE,
            &token,
            &format!("/api/v1/destinations/{d}"),
            None,
        )
        .await;
    assert_eq!(r.status(), 409);

    let events = app.get(&token, "/api/v1/events").await;
    assert_eq!(events.status(), 200);
    let mut events = events.bytes_stream();
    assert_eq!(
        app.post(&token, &format!("/api/v1/outputs/{out}/start"), json!({}))
            .await
            .status(),
        200
    );
    wait_output(&app, &token, out, Duration::from_secs(30), "live", |v| {
        destination_state(v, d) == "live"
    })
    .await;
    // The state changes also went out as server-sent events.
    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !(seen.contains("event: output.state")
        && seen.contains("event: destination.state")
        && seen.contains("\"state\":\"live\""))
    {
        use futures::StreamExt;
        let chunk = tokio::time::timeout_at(deadline, events.next())
            .await
            .expect("output events in time")
            .expect("event stream open")
            .expect("event chunk");
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(seen.contains(&format!("\"output_id\":{out}")), "{seen}");
    assert!(!seen.contains("stop-all-key"), "no stream key in events");
    // A client connecting now starts from the current state of outputs and destinations.
    let mut late = app.get(&token, "/api/v1/events").await.bytes_stream();
    let mut opening = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !(opening.contains("event: output.state") && opening.contains("event: destination.state"))
    {
        use futures::StreamExt;
        let chunk = tokio::time::timeout_at(deadline, late.next())
            .await
            .expect("the opening states in time")
            .expect("event stream open")
            .expect("event chunk");
        opening.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(opening.contains("\"state\":\"live\""), "{opening}");
    let r = app
        .post(&token, "/api/v1/outputs/stop-all", json!({}))
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["stopped"], json!([out]));
    let v = app
        .get_json(&token, &format!("/api/v1/outputs/{out}"))
        .await;
    assert_eq!(
        (v["running"].clone(), v["status"]["state"].clone()),
        (json!(false), json!("stopped"))
    );
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(
        ingest.publishing().await.is_empty(),
        "the ingest lost its publisher"
    );
    let c = app
        .get_json(&token, &format!("/api/v1/cameras/{cam_id}"))
        .await;
    assert_eq!(
        c["status"]["state"], "streaming",
        "cameras keep running: {c}"
    );

    // A relay whose camera is deleted stops (nothing left to copy); a program keeps its
    // slot and loses the camera.
    let r = app
        .post(
            &token,
            "/api/v1/outputs",
            json!({"name": "R", "mode": "relay", "camera_id": cam_id, "destination_ids": [d]}),
        )
        .await;
    let relay = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    assert_eq!(
        app.post(&token, &format!("/api/v1/outputs/{relay}/start"), json!({}))
            .await
            .status(),
        200
    );
    wait_output(
        &app,
        &token,
        relay,
        Duration::from_secs(30),
        "relay live",
        |v| v["status"]["state"] == "live",
    )
    .await;
    let r = app
        .send(
            reqwest::Method::DELETE,
            &token,
            &format!("/api/v1/cameras/{cam_id}"),
            None,
        )
        .await;
    assert_eq!(r.status(), 204);
    let v = app
        .get_json(&token, &format!("/api/v1/outputs/{relay}"))
        .await;
    assert_eq!(
        (
            v["running"].clone(),
            v["status"]["state"].clone(),
            v["camera_id"].clone()
        ),
        (json!(false), json!("stopped"), Value::Null),
        "{v}"
    );
    let v = app
        .get_json(&token, &format!("/api/v1/outputs/{out}"))
        .await;
    assert_eq!(v["camera_id"], Value::Null);
}

#[actix_web::test]
async fn recording_writes_playable_mp4_segments_listed_downloaded_and_deleted() {
    let cam = sim("M", "u", "p");
    let app = Appliance::start().await;
    let token = app.admin_token().await;
    let cam_id = app.add_streaming_camera(&token, &cam, "M").await;
    let r = app
        .post(
            &token,
            "/api/v1/outputs",
            json!({
                "name": "Recorder", "camera_id": cam_id,
                "profile": {"width": 320, "height": 180, "video_bitrate_kbps": 300},
                "recording": {"enabled": true, "segment_seconds": 10}
            }),
        )
        .await;
    assert_eq!(r.status(), 201);
    let out = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    assert_eq!(
        app.post(&token, &format!("/api/v1/outputs/{out}/start"), json!({}))
            .await
            .status(),
        200
    );
    wait_output(&app, &token, out, Duration::from_secs(30), "live", |v| {
        v["status"]["state"] == "live"
    })
    .await;
    tokio::time::sleep(Duration::from_secs(14)).await;
    assert_eq!(
        app.post(&token, &format!("/api/v1/outputs/{out}/stop"), json!({}))
            .await
            .status(),
        200
    );

    let list = app.get_json(&token, "/api/v1/recordings").await;
    let list = list.as_array().expect("a list").clone();
    assert!(
        list.len() >= 2,
        "a full segment and the finalized last one: {list:?}"
    );
    assert!(list.iter().all(|r| r["output_id"] == out), "{list:?}");
    let name = list[0]["name"].as_str().unwrap().to_string();

    let r = app.get(&token, &format!("/api/v1/recordings/{name}")).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "video/mp4");
    let bytes = r.bytes().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("seg.mp4");
    std::fs::write(&file, &bytes).unwrap();
    let s = ingest::probe(&file);
    assert_eq!(
        (s.video_codec.as_str(), s.width, s.height),
        ("h264", 320, 180),
        "{s:?}"
    );
    assert_eq!(s.audio_codec.as_deref(), Some("aac"));
    let packets = ingest::video_packets(&file);
    let span = packets.last().unwrap().t - packets.first().unwrap().t;
    assert!((8.0..=12.5).contains(&span), "segment of {span} s");
    // The last segment was finalized at stop: playable too.
    let last = list.last().unwrap()["name"].as_str().unwrap().to_string();
    let r = app.get(&token, &format!("/api/v1/recordings/{last}")).await;
    std::fs::write(&file, r.bytes().await.unwrap()).unwrap();
    assert_eq!(
        ingest::probe(&file).video_codec,
        "h264",
        "last segment finalized"
    );

    let r = app
        .client
        .get(app.url(&format!("/api/v1/recordings/{name}")))
        .bearer_auth(&token)
        .header("Range", "bytes=0-99")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 206);
    assert_eq!(r.bytes().await.unwrap().len(), 100);

    for bad in [
        "..%2Fvistterstream.db",
        "secret.key",
        "output-1-x-00001.mp4",
    ] {
        assert_eq!(
            app.get(&token, &format!("/api/v1/recordings/{bad}"))
                .await
                .status(),
            404,
            "{bad}"
        );
    }
    let r = app
        .send(
            reqwest::Method::DELETE,
            &token,
            &format!("/api/v1/recordings/{name}"),
            None,
        )
        .await;
    assert_eq!(r.status(), 204);
    let after = app.get_json(&token, "/api/v1/recordings").await;
    assert!(
        after
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["name"] != name.as_str())
    );
    assert_eq!(
        app.send(
            reqwest::Method::DELETE,
            &token,
            &format!("/api/v1/recordings/{name}"),
            None
        )
        .await
        .status(),
        404
    );
}
