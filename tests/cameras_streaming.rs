//! Cameras streaming, end to end: the appliance binary against simulated GStreamer RTSP
//! cameras; health, metrics and snapshots while streaming, and the faults a camera has (a
//! wrong password, a crash, a frozen connection, quick disable/enable).

mod common;

use std::time::Duration;

use common::fixtures::{add_camera, add_streaming_camera, take_snapshot, wait_camera};
use common::{Appliance, camera_metric, sim, step};
use serde_json::{Value, json};

#[tokio::test]
async fn camera_streams_reports_health_and_snapshots() {
    let cam = sim("CAM A", "viewer", "s3cret:@/pw");
    let app = Appliance::start().await;
    let token = app.admin_token().await;

    step("1: credentials inside the URL, percent-encoded, are moved out of it");
    let url = cam
        .url()
        .replace("rtsp://", "rtsp://viewer:s3cret%3A%40%2Fpw@");
    let r = app
        .post(
            &token,
            "/api/v1/cameras",
            json!({"name": "Front door", "rtsp_url": url}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let created: Value = r.json().await.unwrap();
    let id = created["id"].as_i64().unwrap();
    assert_eq!(created["rtsp_url"], cam.url());
    assert_eq!(created["username"], "viewer");
    assert_eq!(created["has_password"], true);

    step("2: the camera streams H.264 640x360 with AAC");
    let c = wait_camera(&app, &token, id, "streaming", Duration::from_secs(20)).await;
    assert_eq!(c["status"]["codec"], "h264");
    assert_eq!(c["status"]["width"], 640);
    assert_eq!(c["status"]["height"], 360);
    assert_eq!(c["status"]["audio_codec"], "aac");
    assert!(c["status"]["last_frame_age_ms"].as_u64().unwrap() < 3000);

    step("3: fps and bitrate settle after a few seconds of frames");
    tokio::time::sleep(Duration::from_secs(3)).await;
    let c = app.get_json(&token, &format!("/api/v1/cameras/{id}")).await;
    let fps = c["status"]["fps"].as_f64().unwrap();
    assert!((15.0..=35.0).contains(&fps), "fps {fps}");
    assert!(
        c["status"]["bitrate_bps"].as_u64().unwrap() > 100_000,
        "{c}"
    );
    assert!(c["status"]["frames_total"].as_u64().unwrap() > 50);

    step("4: metrics as Prometheus sees them");
    let m = app.metrics().await;
    assert_eq!(camera_metric(&m, "vistter_camera_up", id), Some(1.0));
    assert!(camera_metric(&m, "vistter_camera_frames_total", id).unwrap() > 50.0);
    assert!(camera_metric(&m, "vistter_camera_bitrate_bps", id).unwrap() > 100_000.0);
    assert!(
        camera_metric(&m, "vistter_camera_reconnects_total", id).is_some(),
        "reconnect counter exported"
    );
    assert!(m.contains("vistter_http_requests_total{"), "HTTP counters");
    assert!(
        m.contains("vistter_http_request_duration_seconds_bucket{"),
        "HTTP latency histogram"
    );

    step("5: a live snapshot: a decodable JPEG of the camera's size");
    let r = app
        .get(&token, &format!("/api/v1/cameras/{id}/snapshot"))
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "image/jpeg");
    let jpeg = r.bytes().await.unwrap();
    let img = image::load_from_memory_with_format(&jpeg, image::ImageFormat::Jpeg)
        .expect("decodable JPEG");
    assert_eq!((img.width(), img.height()), (640, 360));

    step("6: stored snapshots with metadata, then deletion (the file too)");
    let snap = take_snapshot(&app, &token, id, Some(json!({"note": "door open"}))).await;
    assert_eq!(snap["camera_id"], id);
    assert_eq!(snap["width"], 640);
    assert_eq!(snap["note"], "door open");
    let sid = snap["id"].as_i64().unwrap();
    let list = app
        .get_json(&token, &format!("/api/v1/cameras/{id}/snapshots"))
        .await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    let stored = app
        .get(&token, &format!("/api/v1/snapshots/{sid}/image"))
        .await
        .bytes()
        .await
        .unwrap();
    let img = image::load_from_memory(&stored).expect("stored JPEG decodes");
    assert_eq!(img.width(), 640);
    assert_eq!(
        app.delete(&token, &format!("/api/v1/snapshots/{sid}"))
            .await
            .status(),
        204
    );
    assert_eq!(
        app.get(&token, &format!("/api/v1/snapshots/{sid}/image"))
            .await
            .status(),
        404
    );
    assert_eq!(
        std::fs::read_dir(app.data_dir.join("snapshots"))
            .unwrap()
            .count(),
        0,
        "file removed"
    );
}

#[tokio::test]
async fn wrong_password_is_an_error_with_an_auth_reason() {
    let cam = sim("CAM B", "admin", "right-password");
    let app = Appliance::start().await;
    let token = app.admin_token().await;
    let id = add_camera(&app, &token, json!({"name": "b", "host": "127.0.0.1", "port": cam.port(), "path": "/cam", "username": "admin", "password": "wrong-password"})).await;
    let c = wait_camera(&app, &token, id, "error", Duration::from_secs(20)).await;
    let reason = c["status"]["reason"].as_str().unwrap();
    assert!(reason.contains("authentication failed"), "{reason}");
    let m = app.metrics().await;
    assert_eq!(camera_metric(&m, "vistter_camera_up", id), Some(0.0));

    // Fixing the password through the API takes effect at once.
    let r = app
        .patch(
            &token,
            &format!("/api/v1/cameras/{id}"),
            json!({"password": "right-password"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    wait_camera(&app, &token, id, "streaming", Duration::from_secs(20)).await;
}

#[tokio::test]
async fn camera_crash_is_detected_and_recovered_without_api_calls() {
    let mut cam = sim("CAM C", "u", "p");
    let app = Appliance::start().await;
    let token = app.admin_token().await;
    let id = add_streaming_camera(&app, &token, &cam, "c").await;

    cam.stop();
    let c = wait_camera(&app, &token, id, "stalled|backoff", Duration::from_secs(15)).await;
    assert!(c["status"]["reason"].is_string(), "{c}");
    let m = app.metrics().await;
    assert_eq!(camera_metric(&m, "vistter_camera_up", id), Some(0.0));

    // Stay down a few retries, then come back: the actor reconnects by itself.
    tokio::time::sleep(Duration::from_secs(3)).await;
    cam.restart().unwrap();
    let c = wait_camera(&app, &token, id, "streaming", Duration::from_secs(45)).await;
    assert!(c["status"]["reconnects"].as_u64().unwrap() >= 1, "{c}");
    let m = app.metrics().await;
    assert_eq!(camera_metric(&m, "vistter_camera_up", id), Some(1.0));
    assert!(camera_metric(&m, "vistter_camera_reconnects_total", id).unwrap() >= 1.0);
}

/// A camera whose connection stays open but sends nothing (frozen firmware, a stuck proxy):
/// a socat proxy between the appliance and the camera is stopped with SIGSTOP.
#[tokio::test]
async fn a_frozen_connection_is_detected_as_a_stall_and_recovered() {
    let cam = sim("CAM F", "u", "p");
    let proxy_port = common::free_port();
    let mut socat = std::process::Command::new("socat")
        .arg(format!(
            "TCP-LISTEN:{proxy_port},bind=127.0.0.1,reuseaddr,fork"
        ))
        .arg(format!("TCP:127.0.0.1:{}", cam.port()))
        .spawn()
        .expect("socat (scripts/setup.sh installs it)");
    let socat_pid = socat.id().to_string();
    struct KillOnDrop(std::process::Child);
    impl Drop for KillOnDrop {
        fn drop(&mut self) {
            let _ = std::process::Command::new("kill")
                .args(["-CONT", &self.0.id().to_string()])
                .status();
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let _ = socat.try_wait();
    let _guard = KillOnDrop(socat);

    let app = Appliance::start().await;
    let token = app.admin_token().await;
    let url = format!("rtsp://127.0.0.1:{proxy_port}/cam");
    let id = add_camera(
        &app,
        &token,
        json!({"name": "f", "rtsp_url": url, "username": "u", "password": "p"}),
    )
    .await;
    wait_camera(&app, &token, id, "streaming", Duration::from_secs(20)).await;

    let signal = |sig: &str| {
        std::process::Command::new("kill")
            .args([sig, &socat_pid])
            .status()
            .unwrap()
    };
    // socat forks a child per connection: stop the whole process group's traffic by stopping
    // every socat (parent and children).
    let pkill = |sig: &str| {
        std::process::Command::new("pkill")
            .args([sig, "-P", &socat_pid])
            .status()
            .unwrap()
    };
    pkill("-STOP");
    signal("-STOP");
    let c = wait_camera(&app, &token, id, "stalled", Duration::from_secs(15)).await;
    assert!(
        c["status"]["reason"].as_str().unwrap().contains("no frame"),
        "{c}"
    );

    signal("-CONT");
    pkill("-CONT");
    // The frozen session is gone for good; a new one comes up through the proxy.
    let c = wait_camera(&app, &token, id, "streaming", Duration::from_secs(45)).await;
    assert!(c["status"]["reconnects"].as_u64().unwrap() >= 1);
}

/// Disable and re-enable in quick succession: exactly one session feeds the camera afterwards
/// (two would double the frame rate the camera is seen to deliver).
#[tokio::test]
async fn quick_disable_enable_leaves_exactly_one_session() {
    let cam = sim("CAM Q", "u", "p");
    let app = Appliance::start().await;
    let token = app.admin_token().await;
    let id = add_streaming_camera(&app, &token, &cam, "q").await;
    let path = format!("/api/v1/cameras/{id}");
    for _ in 0..3 {
        for enabled in [false, true] {
            let r = app.patch(&token, &path, json!({"enabled": enabled})).await;
            assert_eq!(r.status(), 200);
            let view: Value = r.json().await.unwrap();
            assert_eq!(view["enabled"], enabled, "{view}");
        }
    }
    wait_camera(&app, &token, id, "streaming", Duration::from_secs(20)).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let a = app.get_json(&token, &path).await["status"]["frames_total"]
        .as_u64()
        .unwrap();
    tokio::time::sleep(Duration::from_secs(4)).await;
    let b = app.get_json(&token, &path).await["status"]["frames_total"]
        .as_u64()
        .unwrap();
    let rate = (b - a) as f64 / 4.0;
    assert!(
        (12.0..=35.0).contains(&rate),
        "the camera sends 25 fps; seen {rate} fps (two sessions?)"
    );

    // A new URL with its own credentials replaces the stored user and password together.
    let url = cam.url().replace("rtsp://", "rtsp://u:p@");
    app.patch(
        &token,
        &path,
        json!({"username": "someone-else", "password": "wrong"}),
    )
    .await;
    wait_camera(&app, &token, id, "error", Duration::from_secs(20)).await;
    let r = app.patch(&token, &path, json!({"rtsp_url": url})).await;
    let c: Value = r.json().await.unwrap();
    assert_eq!(c["username"], "u");
    wait_camera(&app, &token, id, "streaming", Duration::from_secs(20)).await;
}
