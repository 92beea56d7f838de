//! Relay outputs against real peers: a simulated RTSP camera in, nginx-rtmp (and stunnel for
//! RTMPS) out; what arrived is read back with ffprobe/ffmpeg from nginx's own recordings and
//! compared with the camera's own stream.

mod common;

use std::time::Duration;

use common::fixtures::{
    add_destination, add_streaming_camera, create_output, cut, destination_state, output,
    start_output, start_output_until, stop_output, wait_output,
};
use common::ingest::{self, Nginx, Stunnel};
use common::{Appliance, Options, sim, step};
use serde_json::json;

/// The camera's own SPS, read by an independent client (ffmpeg, copying) with credentials u/p.
fn camera_sps(cam: &vistterstream_sim::SimCamera) -> Vec<u8> {
    ingest::camera_sps(&cam.url().replacen("rtsp://", "rtsp://u:p@", 1))
}

#[actix_web::test]
async fn relay_copies_the_camera_bit_exact_and_comes_back_after_a_restart() {
    let cam = sim("R", "u", "p");
    let mut app = Appliance::start().await;
    let token = app.admin_token().await;
    let cam_id = add_streaming_camera(&app, &token, &cam, "R").await;
    let ingest = Nginx::start();
    let d = add_destination(&app, &token, "relay", &ingest.server_url(), "relay-key").await;
    step("1: the relay goes live, copying (no encoder), showing the camera");
    let out = create_output(
        &app,
        &token,
        json!({"name": "Relay", "mode": "relay", "camera_id": cam_id, "destination_ids": [d]}),
    )
    .await;
    start_output_until(&app, &token, out, "relay live", |v| {
        destination_state(v, d) == "live" && v["status"]["state"] == "live"
    })
    .await;
    let v = output(&app, &token, out).await;
    assert_eq!(v["status"]["encoder"], "copy");
    assert_eq!(v["status"]["showing"]["camera_id"], cam_id);
    step("2: a cut means nothing to a relay: 409");
    let r = cut(&app, &token, out, cam_id).await;
    assert_eq!(r.status(), 409);
    tokio::time::sleep(Duration::from_secs(4)).await;

    step("3: the appliance restarts; the relay is live again by itself");
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
    stop_output(&app, &token, out).await;

    step("4: two sessions at the ingest, each with the camera's own SPS");
    let files = ingest.recordings("relay-key");
    assert!(
        files.len() >= 2,
        "a session before and after the restart: {files:?}"
    );
    let camera_sps = camera_sps(&cam);
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
    let cam_id = add_streaming_camera(&app, &token, &cam, "Q").await;
    let ingest = Nginx::start();
    let d = add_destination(&app, &token, "quiet", &ingest.server_url(), "quiet-key").await;
    let out = create_output(
        &app,
        &token,
        json!({
            "name": "Quiet relay", "mode": "relay", "camera_id": cam_id, "destination_ids": [d],
            "recording": {"enabled": true, "segment_seconds": 60}
        }),
    )
    .await;
    start_output_until(&app, &token, out, "live", |v| {
        destination_state(v, d) == "live"
    })
    .await;
    tokio::time::sleep(Duration::from_secs(6)).await;
    stop_output(&app, &token, out).await;

    // At the ingest: the camera's own H.264 and a continuous silent AAC track.
    let files = ingest.recordings("quiet-key");
    assert_eq!(files.len(), 1, "{files:?}");
    let flv = &files[0];
    let s = ingest::probe(flv);
    assert_eq!((s.width, s.height), (640, 360), "{s:?}");
    assert_eq!(s.audio_codec.as_deref(), Some("aac"), "{s:?}");
    assert_eq!(
        ingest::flv_sps(flv),
        camera_sps(&cam),
        "relay must not re-encode"
    );
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

/// An appliance relaying camera `cam` to `server_url` with stream key `key`: the appliance,
/// its token, the output and the destination.
async fn relay_to(
    options: Options,
    cam: &vistterstream_sim::SimCamera,
    server_url: &str,
    key: &str,
) -> (Appliance, String, i64, i64) {
    let app = Appliance::start_with(options).await;
    let token = app.admin_token().await;
    let cam_id = add_streaming_camera(&app, &token, cam, "T").await;
    let d = add_destination(&app, &token, "tls", server_url, key).await;
    let out = create_output(
        &app,
        &token,
        json!({"name": "TLS", "mode": "relay", "camera_id": cam_id, "destination_ids": [d]}),
    )
    .await;
    start_output(&app, &token, out).await;
    (app, token, out, d)
}

#[actix_web::test]
async fn rtmps_verifies_the_ingest_certificate() {
    let cam = sim("T", "u", "p");
    let ingest = Nginx::start();
    let tls = Stunnel::start(ingest.rtmp_port);
    let server_url = format!("rtmps://localhost:{}/live", tls.port);

    step("1: without the test CA: the certificate is not trusted, clearly said, never live");
    let (app, token, out, d) =
        relay_to(Options::default(), &cam, &server_url, "tls-untrusted").await;
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

    step("2: with the CA configured: verified and published");
    let mut options = Options::default();
    options.extra_env.push((
        "VISTTER_OUTPUTS__RTMPS_CA_FILE".into(),
        tls.ca_file().display().to_string(),
    ));
    let (app, token, out, d) = relay_to(options, &cam, &server_url, "tls-trusted").await;
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
