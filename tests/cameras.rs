//! Cameras end to end: the appliance binary against simulated GStreamer RTSP cameras.

mod common;

use std::time::Duration;

use common::{Appliance, metric, sim};
use reqwest::Method;
use serde_json::{Value, json};

#[tokio::test]
async fn camera_streams_reports_health_and_snapshots() {
    let cam = sim("CAM A", "viewer", "s3cret:@/pw");
    let app = Appliance::start().await;
    let token = app.admin_token().await;

    // Credentials inside the URL, percent-encoded, are moved out of it.
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

    let c = app
        .wait_camera(&token, id, Duration::from_secs(20), |s| s == "streaming")
        .await;
    assert_eq!(c["status"]["codec"], "h264");
    assert_eq!(c["status"]["width"], 640);
    assert_eq!(c["status"]["height"], 360);
    assert_eq!(c["status"]["audio_codec"], "aac");
    assert!(c["status"]["last_frame_age_ms"].as_u64().unwrap() < 3000);

    // fps and bitrate settle after a few seconds of frames.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let c = app.get_json(&token, &format!("/api/v1/cameras/{id}")).await;
    let fps = c["status"]["fps"].as_f64().unwrap();
    assert!((15.0..=35.0).contains(&fps), "fps {fps}");
    assert!(
        c["status"]["bitrate_bps"].as_u64().unwrap() > 100_000,
        "{c}"
    );
    assert!(c["status"]["frames_total"].as_u64().unwrap() > 50);

    // Metrics as Prometheus sees them.
    let m = app.metrics().await;
    assert_eq!(
        metric(&m, &format!("vistter_camera_up{{camera=\"{id}\"}}")),
        Some(1.0)
    );
    assert!(
        metric(
            &m,
            &format!("vistter_camera_frames_total{{camera=\"{id}\"}}")
        )
        .unwrap()
            > 50.0
    );
    assert!(
        metric(
            &m,
            &format!("vistter_camera_bitrate_bps{{camera=\"{id}\"}}")
        )
        .unwrap()
            > 100_000.0
    );
    assert!(
        metric(
            &m,
            &format!("vistter_camera_reconnects_total{{camera=\"{id}\"}}")
        )
        .is_some(),
        "reconnect counter exported"
    );
    assert!(m.contains("vistter_http_requests_total{"), "HTTP counters");
    assert!(
        m.contains("vistter_http_request_duration_seconds_bucket{"),
        "HTTP latency histogram"
    );

    // Live snapshot: a decodable JPEG of the camera's size.
    let r = app
        .get(&token, &format!("/api/v1/cameras/{id}/snapshot"))
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "image/jpeg");
    let jpeg = r.bytes().await.unwrap();
    let img = image::load_from_memory_with_format(&jpeg, image::ImageFormat::Jpeg)
        .expect("decodable JPEG");
    assert_eq!((img.width(), img.height()), (640, 360));

    // Stored snapshots with metadata, then deletion.
    let r = app
        .send(
            Method::POST,
            &token,
            &format!("/api/v1/cameras/{id}/snapshots"),
            Some(json!({"note": "door open"})),
        )
        .await;
    assert_eq!(r.status(), 201);
    let snap: Value = r.json().await.unwrap();
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
        app.send(
            Method::DELETE,
            &token,
            &format!("/api/v1/snapshots/{sid}"),
            None
        )
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
async fn snapshot_retention_keeps_the_newest() {
    let cam = sim("CAM R", "u", "p");
    let app = Appliance::start_with(common::Options {
        extra_env: vec![
            ("VISTTER_SNAPSHOTS__MAX_PER_CAMERA".into(), "2".into()),
            ("VISTTER_SNAPSHOTS__CACHE_MS".into(), "0".into()),
        ],
        ..Default::default()
    })
    .await;
    let token = app.admin_token().await;
    let id = app.add_streaming_camera(&token, &cam, "r").await;
    let mut ids = vec![];
    for _ in 0..3 {
        let r = app
            .send(
                Method::POST,
                &token,
                &format!("/api/v1/cameras/{id}/snapshots"),
                None,
            )
            .await;
        assert_eq!(r.status(), 201);
        ids.push(r.json::<Value>().await.unwrap()["id"].as_i64().unwrap());
    }
    let list = app
        .get_json(&token, &format!("/api/v1/cameras/{id}/snapshots"))
        .await;
    let kept: Vec<i64> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_i64().unwrap())
        .collect();
    assert_eq!(kept, vec![ids[2], ids[1]], "the oldest went first");
    assert_eq!(
        std::fs::read_dir(app.data_dir.join("snapshots"))
            .unwrap()
            .count(),
        2
    );
}

#[tokio::test]
async fn wrong_password_is_an_error_with_an_auth_reason() {
    let cam = sim("CAM B", "admin", "right-password");
    let app = Appliance::start().await;
    let token = app.admin_token().await;
    let r = app
        .post(&token, "/api/v1/cameras", json!({"name": "b", "host": "127.0.0.1", "port": cam.port(), "path": "/cam", "username": "admin", "password": "wrong-password"}))
        .await;
    let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let c = app
        .wait_camera(&token, id, Duration::from_secs(20), |s| s == "error")
        .await;
    let reason = c["status"]["reason"].as_str().unwrap();
    assert!(reason.contains("authentication failed"), "{reason}");
    let m = app.metrics().await;
    assert_eq!(
        metric(&m, &format!("vistter_camera_up{{camera=\"{id}\"}}")),
        Some(0.0)
    );

    // Fixing the password through the API takes effect at once.
    let r = app
        .send(
            Method::PATCH,
            &token,
            &format!("/api/v1/cameras/{id}"),
            Some(json!({"password": "right-password"})),
        )
        .await;
    assert_eq!(r.status(), 200);
    app.wait_camera(&token, id, Duration::from_secs(20), |s| s == "streaming")
        .await;
}

#[tokio::test]
async fn camera_crash_is_detected_and_recovered_without_api_calls() {
    let mut cam = sim("CAM C", "u", "p");
    let app = Appliance::start().await;
    let token = app.admin_token().await;
    let id = app.add_streaming_camera(&token, &cam, "c").await;

    cam.stop();
    let c = app
        .wait_camera(&token, id, Duration::from_secs(15), |s| {
            s == "stalled" || s == "backoff"
        })
        .await;
    assert!(c["status"]["reason"].is_string(), "{c}");
    let m = app.metrics().await;
    assert_eq!(
        metric(&m, &format!("vistter_camera_up{{camera=\"{id}\"}}")),
        Some(0.0)
    );

    // Stay down a few retries, then come back: the actor reconnects by itself.
    tokio::time::sleep(Duration::from_secs(3)).await;
    cam.restart().unwrap();
    let c = app
        .wait_camera(&token, id, Duration::from_secs(45), |s| s == "streaming")
        .await;
    assert!(c["status"]["reconnects"].as_u64().unwrap() >= 1, "{c}");
    let m = app.metrics().await;
    assert_eq!(
        metric(&m, &format!("vistter_camera_up{{camera=\"{id}\"}}")),
        Some(1.0)
    );
    assert!(
        metric(
            &m,
            &format!("vistter_camera_reconnects_total{{camera=\"{id}\"}}")
        )
        .unwrap()
            >= 1.0
    );
}

#[tokio::test]
async fn edits_disable_and_delete_take_effect_at_once() {
    let cam = sim("CAM D", "u", "p");
    let app = Appliance::start().await;
    let token = app.admin_token().await;
    let id = app.add_streaming_camera(&token, &cam, "d").await;
    let path = format!("/api/v1/cameras/{id}");

    // Disable: no session, state disabled.
    let r = app
        .send(
            Method::PATCH,
            &token,
            &path,
            Some(json!({"enabled": false})),
        )
        .await;
    assert_eq!(r.status(), 200);
    let c = app
        .wait_camera(&token, id, Duration::from_secs(5), |s| s == "disabled")
        .await;
    assert_eq!(c["enabled"], false);
    assert_eq!(
        metric(
            &app.metrics().await,
            &format!("vistter_camera_up{{camera=\"{id}\"}}")
        ),
        Some(0.0)
    );

    // Re-enable with a wrong path: the camera has no such stream.
    let r = app
        .send(
            Method::PATCH,
            &token,
            &path,
            Some(json!({"enabled": true, "path": "/nope"})),
        )
        .await;
    assert_eq!(r.status(), 200);
    let c = app
        .wait_camera(&token, id, Duration::from_secs(20), |s| s == "error")
        .await;
    assert!(
        c["status"]["reason"]
            .as_str()
            .unwrap()
            .contains("not found"),
        "{c}"
    );

    // Back to the right path, and a rename: streaming again; the rename kept the password.
    let r = app
        .send(
            Method::PATCH,
            &token,
            &path,
            Some(json!({"path": "/cam", "name": "Driveway"})),
        )
        .await;
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["name"], "Driveway");
    assert_eq!(body["has_password"], true);
    app.wait_camera(&token, id, Duration::from_secs(20), |s| s == "streaming")
        .await;

    // Delete: gone from the API and from the runtime.
    assert_eq!(
        app.send(Method::DELETE, &token, &path, None).await.status(),
        204
    );
    assert_eq!(app.get(&token, &path).await.status(), 404);
    assert_eq!(app.get_json(&token, "/api/v1/cameras").await, json!([]));
}

#[tokio::test]
async fn connection_test_reports_what_the_camera_sends_or_why_not() {
    let cam = sim("CAM T", "u", "p");
    let app = Appliance::start().await;
    let token = app.admin_token().await;

    let r = app
        .post(
            &token,
            "/api/v1/cameras/test",
            json!({"name": "t", "rtsp_url": cam.url(), "username": "u", "password": "p"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let t: Value = r.json().await.unwrap();
    assert_eq!(t["ok"], true, "{t}");
    assert_eq!(t["codec"], "h264");
    assert_eq!(t["profile"], "Baseline");
    assert_eq!(
        (t["width"].as_u64(), t["height"].as_u64()),
        (Some(640), Some(360))
    );
    assert_eq!(t["audio_codec"], "aac");
    assert!((t["fps"].as_f64().unwrap() - 25.0).abs() < 0.5, "{t}");

    let t: Value = app
        .post(
            &token,
            "/api/v1/cameras/test",
            json!({"name": "t", "rtsp_url": cam.url(), "username": "u", "password": "bad"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (t["ok"].as_bool(), t["error_kind"].as_str()),
        (Some(false), Some("auth")),
        "{t}"
    );

    let closed = common::free_port();
    let t: Value = app
        .post(
            &token,
            "/api/v1/cameras/test",
            json!({"name": "t", "host": "127.0.0.1", "port": closed}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (t["ok"].as_bool(), t["error_kind"].as_str()),
        (Some(false), Some("unreachable")),
        "{t}"
    );

    // Saved camera: uses the stored credentials.
    let r = app.post(&token, "/api/v1/cameras", json!({"name": "t", "rtsp_url": cam.url(), "username": "u", "password": "p", "enabled": false})).await;
    let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let t: Value = app
        .send(
            Method::POST,
            &token,
            &format!("/api/v1/cameras/{id}/test"),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(t["ok"], true, "{t}");
    assert!(
        app.get_json(&token, "/api/v1/cameras")
            .await
            .as_array()
            .unwrap()
            .len()
            == 1,
        "the unsaved tests stored nothing"
    );
}

#[tokio::test]
async fn events_stream_carries_camera_state_changes() {
    use futures::StreamExt;
    let cam = sim("CAM E", "u", "p");
    let app = Appliance::start().await;
    let token = app.admin_token().await;
    let resp = app.get(&token, "/api/v1/events").await;
    assert_eq!(resp.status(), 200);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    let mut body = resp.bytes_stream();

    let r = app
        .post(
            &token,
            "/api/v1/cameras",
            json!({"name": "e", "rtsp_url": cam.url(), "username": "u", "password": "p"}),
        )
        .await;
    let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();

    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !seen.contains("\"state\":\"streaming\"") {
        let chunk = tokio::time::timeout_at(deadline, body.next())
            .await
            .expect("a streaming event in time")
            .unwrap()
            .unwrap();
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(seen.contains("event: camera.state"), "{seen}");
    assert!(seen.contains(&format!("\"camera_id\":{id}")), "{seen}");
    assert!(
        seen.contains("\"state\":\"connecting\""),
        "the transitions are all there: {seen}"
    );
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
    let r = app
        .post(
            &token,
            "/api/v1/cameras",
            json!({"name": "f", "rtsp_url": url, "username": "u", "password": "p"}),
        )
        .await;
    let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    app.wait_camera(&token, id, Duration::from_secs(20), |s| s == "streaming")
        .await;

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
    let c = app
        .wait_camera(&token, id, Duration::from_secs(15), |s| s == "stalled")
        .await;
    assert!(
        c["status"]["reason"].as_str().unwrap().contains("no frame"),
        "{c}"
    );

    signal("-CONT");
    pkill("-CONT");
    // The frozen session is gone for good; a new one comes up through the proxy.
    let c = app
        .wait_camera(&token, id, Duration::from_secs(45), |s| s == "streaming")
        .await;
    assert!(c["status"]["reconnects"].as_u64().unwrap() >= 1);
}

fn test_jpeg(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

/// The camera's own HTTP snapshot URL, with Digest and Basic authentication (Apache httpd).
#[tokio::test]
async fn http_snapshot_url_with_digest_and_basic_auth() {
    let jpeg = test_jpeg(320, 240);
    let httpd = common::httpd::Httpd::start(
        "cam",
        "p@ss:word",
        &[
            ("snap.jpg", &jpeg),
            ("error.jpg", b"<html>camera busy</html>"),
        ],
    );
    let app = Appliance::start().await;
    let token = app.admin_token().await;
    // The RTSP side points nowhere: the stream has no picture, so `auto` uses HTTP.
    let closed = common::free_port();
    let mut ids = vec![];
    for area in ["digest", "basic"] {
        let url = httpd
            .url(&format!("/{area}/snap.jpg"))
            .replace("http://", "http://cam:p%40ss%3Aword@");
        let r = app
            .post(&token, "/api/v1/cameras", json!({"name": area, "host": "127.0.0.1", "port": closed, "username": "cam", "password": "p@ss:word", "snapshot_url": url}))
            .await;
        assert_eq!(r.status(), 201);
        let c: Value = r.json().await.unwrap();
        assert_eq!(
            c["snapshot_url"],
            httpd.url(&format!("/{area}/snap.jpg")),
            "credentials stripped from the stored URL"
        );
        ids.push(c["id"].as_i64().unwrap());
    }
    for id in &ids {
        let r = app
            .get(&token, &format!("/api/v1/cameras/{id}/snapshot"))
            .await;
        assert_eq!(r.status(), 200, "camera {id}");
        assert_eq!(r.headers()["x-snapshot-source"], "http");
        let body = r.bytes().await.unwrap();
        assert_eq!(
            body.as_ref(),
            jpeg.as_slice(),
            "the camera's JPEG, unchanged"
        );
        // Stored snapshots can come from HTTP too.
        let r = app
            .send(
                Method::POST,
                &token,
                &format!("/api/v1/cameras/{id}/snapshots"),
                Some(json!({"source": "http"})),
            )
            .await;
        assert_eq!(r.status(), 201);
        let s: Value = r.json().await.unwrap();
        assert_eq!(
            (
                s["source"].as_str(),
                s["width"].as_i64(),
                s["height"].as_i64()
            ),
            (Some("http"), Some(320), Some(240))
        );
    }

    // Wrong password: a clear auth error, naming the URL but not the password.
    let r = app
        .send(
            Method::PATCH,
            &token,
            &format!("/api/v1/cameras/{}", ids[0]),
            Some(json!({"password": "nope"})),
        )
        .await;
    assert_eq!(r.status(), 200);
    let r = app
        .get(
            &token,
            &format!("/api/v1/cameras/{}/snapshot?source=http", ids[0]),
        )
        .await;
    assert_eq!(r.status(), 503);
    let p: Value = r.json().await.unwrap();
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("authentication failed"),
        "{p}"
    );
    assert!(!p.to_string().contains("p@ss"), "{p}");

    // A page that is not a JPEG is refused, whatever its name.
    let r = app
        .send(
            Method::PATCH,
            &token,
            &format!("/api/v1/cameras/{}", ids[1]),
            Some(json!({"snapshot_url": httpd.url("/basic/error.jpg")})),
        )
        .await;
    assert_eq!(r.status(), 200);
    let r = app
        .get(
            &token,
            &format!("/api/v1/cameras/{}/snapshot?source=http", ids[1]),
        )
        .await;
    assert_eq!(r.status(), 503);
    assert!(r.text().await.unwrap().contains("did not return a JPEG"));

    // No snapshot URL and no picture: 422 for an explicit http source, 503 for the stream.
    let r = app
        .post(
            &token,
            "/api/v1/cameras",
            json!({"name": "none", "host": "127.0.0.1", "port": closed}),
        )
        .await;
    let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    assert_eq!(
        app.get(
            &token,
            &format!("/api/v1/cameras/{id}/snapshot?source=http")
        )
        .await
        .status(),
        422
    );
    assert_eq!(
        app.get(&token, &format!("/api/v1/cameras/{id}/snapshot"))
            .await
            .status(),
        503
    );
    assert_eq!(
        app.get(
            &token,
            &format!("/api/v1/cameras/{id}/snapshot?source=bogus")
        )
        .await
        .status(),
        400
    );
}

/// Disable and re-enable in quick succession: exactly one session feeds the camera afterwards
/// (two would double the frame rate the camera is seen to deliver).
#[tokio::test]
async fn quick_disable_enable_leaves_exactly_one_session() {
    let cam = sim("CAM Q", "u", "p");
    let app = Appliance::start().await;
    let token = app.admin_token().await;
    let id = app.add_streaming_camera(&token, &cam, "q").await;
    let path = format!("/api/v1/cameras/{id}");
    for _ in 0..3 {
        app.send(
            Method::PATCH,
            &token,
            &path,
            Some(json!({"enabled": false})),
        )
        .await;
        app.send(Method::PATCH, &token, &path, Some(json!({"enabled": true})))
            .await;
    }
    app.wait_camera(&token, id, Duration::from_secs(20), |s| s == "streaming")
        .await;
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
    app.send(
        Method::PATCH,
        &token,
        &path,
        Some(json!({"username": "someone-else", "password": "wrong"})),
    )
    .await;
    app.wait_camera(&token, id, Duration::from_secs(20), |s| s == "error")
        .await;
    let r = app
        .send(Method::PATCH, &token, &path, Some(json!({"rtsp_url": url})))
        .await;
    let c: Value = r.json().await.unwrap();
    assert_eq!(c["username"], "u");
    app.wait_camera(&token, id, Duration::from_secs(20), |s| s == "streaming")
        .await;
}
