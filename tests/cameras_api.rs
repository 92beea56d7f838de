//! Cameras through the API: edits, disable and delete take effect at once; the connection
//! test says what a camera sends or why not; state changes as server-sent events.

mod common;

use std::time::Duration;

use common::fixtures::{add_camera, add_sim_camera, add_streaming_camera, wait_camera};
use common::wait::read_events_until;
use common::{Appliance, camera_metric, sim};
use reqwest::Method;
use serde_json::{Value, json};

#[tokio::test]
async fn edits_disable_and_delete_take_effect_at_once() {
    let cam = sim("CAM D", "u", "p");
    let app = Appliance::start().await;
    let token = app.admin_token().await;
    let id = add_streaming_camera(&app, &token, &cam, "d").await;
    let path = format!("/api/v1/cameras/{id}");

    // Disable: no session, state disabled.
    let r = app.patch(&token, &path, json!({"enabled": false})).await;
    assert_eq!(r.status(), 200);
    let c = wait_camera(&app, &token, id, "disabled", Duration::from_secs(5)).await;
    assert_eq!(c["enabled"], false);
    assert_eq!(
        camera_metric(&app.metrics().await, "vistter_camera_up", id),
        Some(0.0)
    );

    // Re-enable with a wrong path: the camera has no such stream.
    let r = app
        .patch(&token, &path, json!({"enabled": true, "path": "/nope"}))
        .await;
    assert_eq!(r.status(), 200);
    let c = wait_camera(&app, &token, id, "error", Duration::from_secs(20)).await;
    assert!(
        c["status"]["reason"]
            .as_str()
            .unwrap()
            .contains("not found"),
        "{c}"
    );

    // Back to the right path, and a rename: streaming again; the rename kept the password.
    let r = app
        .patch(&token, &path, json!({"path": "/cam", "name": "Driveway"}))
        .await;
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["name"], "Driveway");
    assert_eq!(body["has_password"], true);
    wait_camera(&app, &token, id, "streaming", Duration::from_secs(20)).await;

    // Delete: gone from the API and from the runtime.
    assert_eq!(app.delete(&token, &path).await.status(), 204);
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

    // Unsaved tests that fail say why: wrong credentials, nothing listening.
    let closed = common::free_port();
    for (body, kind) in [
        (
            json!({"name": "t", "rtsp_url": cam.url(), "username": "u", "password": "bad"}),
            "auth",
        ),
        (
            json!({"name": "t", "host": "127.0.0.1", "port": closed}),
            "unreachable",
        ),
    ] {
        let r = app.post(&token, "/api/v1/cameras/test", body).await;
        let t: Value = r.json().await.unwrap();
        assert_eq!(
            (t["ok"].as_bool(), t["error_kind"].as_str()),
            (Some(false), Some(kind)),
            "{t}"
        );
    }

    // Saved camera: uses the stored credentials.
    let id = add_camera(&app, &token, json!({"name": "t", "rtsp_url": cam.url(), "username": "u", "password": "p", "enabled": false})).await;
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

    let id = add_sim_camera(&app, &token, &cam, "e").await;

    let seen = read_events_until(
        &mut body,
        Duration::from_secs(20),
        "a streaming event",
        |seen| seen.contains("\"state\":\"streaming\""),
    )
    .await;
    assert!(seen.contains("event: camera.state"), "{seen}");
    assert!(seen.contains(&format!("\"camera_id\":{id}")), "{seen}");
    assert!(
        seen.contains("\"state\":\"connecting\""),
        "the transitions are all there: {seen}"
    );
}
