//! The API's input contract: bad input is refused naming the field and nothing is stored;
//! a camera password given in any way appears in no response, no log and not in clear in the
//! database.

mod common;

use std::time::Duration;

use common::fixtures::{add_camera, wait_camera};
use common::problem::assert_problem;
use common::wait::read_events_until;
use common::{ADMIN_PASSWORD, Appliance, Options, sim};
use reqwest::Method;
use serde_json::{Value, json};

async fn camera_names(app: &Appliance, token: &str) -> Vec<Value> {
    let cameras = app.get_json(token, "/api/v1/cameras").await;
    cameras
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].clone())
        .collect()
}

#[tokio::test]
async fn bad_input_is_rejected_naming_the_field_and_nothing_is_stored() {
    let app = Appliance::start().await;
    let token = app.admin_token().await;
    let id = add_camera(&app, &token, json!({"name": "good", "host": "127.0.0.1"})).await;
    let before = camera_names(&app, &token).await;

    let cases = [
        (json!({"name": "", "host": "h"}), "name"),
        (json!({"name": "   ", "host": "h"}), "name"),
        (json!({"name": "x", "host": "h", "port": 0}), "port"),
        (json!({"name": "x", "host": "h", "port": 70000}), "port"),
        (json!({"name": "x", "host": "h", "port": "554"}), "port"),
        (json!({"name": "x", "rtsp_url": "rtsp://"}), "rtsp_url"),
        (json!({"name": "x", "rtsp_url": "not a url"}), "rtsp_url"),
        (
            json!({"name": "x", "rtsp_url": "http://h/stream"}),
            "rtsp_url",
        ),
        (json!({"name": "x", "rtsp_url": "rtsp://h:0/x"}), "rtsp_url"),
        (
            json!({"name": "x", "host": "h", "vendor": "acme"}),
            "vendor",
        ),
        (json!({"name": "x", "host": "h", "kind": "dome"}), "kind"),
        (
            json!({"name": "x", "host": "h", "onvif_port": 0}),
            "onvif_port",
        ),
        (
            json!({"name": "x", "host": "h", "snapshot_url": "ftp://h/x"}),
            "snapshot_url",
        ),
        (json!({"name": "x", "host": "bad host"}), "host"),
        (json!({"name": "x"}), "host"),
        (json!({"host": "h"}), "name"),
        (json!({"name": "x", "host": "h", "colour": "red"}), "colour"),
    ];
    for (body, field) in cases {
        eprintln!("case {body}");
        let r = app.post(&token, "/api/v1/cameras", body).await;
        let p = assert_problem(r, 422, Some(field)).await;
        assert!(!p["detail"].as_str().unwrap().is_empty());
    }

    // Malformed JSON, wrong content type, oversized body.
    let post_raw = async |content_type: &str, body: &'static str| {
        app.client
            .post(app.url("/api/v1/cameras"))
            .bearer_auth(&token)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap()
    };
    let r = post_raw("application/json", "{\"name\":").await;
    let p = assert_problem(r, 400, None).await;
    assert_eq!(p["code"], "malformed_json");
    assert_problem(post_raw("text/plain", "{}").await, 415, None).await;
    let huge = json!({"name": "x".repeat(200_000), "host": "h"});
    assert_problem(app.post(&token, "/api/v1/cameras", huge).await, 413, None).await;

    // PATCH with bad input leaves the stored camera as it was.
    let path = format!("/api/v1/cameras/{id}");
    let r = app
        .patch(&token, &path, json!({"port": 0, "name": "renamed"}))
        .await;
    assert_problem(r, 422, Some("port")).await;
    let r = app
        .patch(
            &token,
            &path,
            json!({"rtsp_url": "rtsp://a/b", "host": "c"}),
        )
        .await;
    assert_problem(r, 422, None).await;
    assert_eq!(camera_names(&app, &token).await, before);
    assert_eq!(camera_names(&app, &token).await.len(), 1);

    // Unknown ids and bad path parameters.
    assert_problem(app.get(&token, "/api/v1/cameras/9999").await, 404, None).await;
    assert_problem(app.get(&token, "/api/v1/cameras/abc").await, 400, None).await;
}

#[tokio::test]
async fn a_planted_camera_password_appears_in_no_response_and_no_log() {
    const PLANTED: &str = "Pl4nted-S3cret-xyz";
    let cam = sim("CAM S", "u", PLANTED);
    let app = Appliance::start_with(Options {
        args: vec!["--log-format".into(), "json".into()],
        ..Default::default()
    })
    .await;
    let token = app.admin_token().await;
    let mut seen = String::new();

    let r = app.post(&token, "/api/v1/cameras", json!({"name": "s", "rtsp_url": cam.url().replace("rtsp://", &format!("rtsp://u:{PLANTED}@"))})).await;
    seen.push_str(&r.text().await.unwrap());
    let r = app.post(&token, "/api/v1/cameras", json!({"name": "s2", "host": "127.0.0.1", "port": cam.port(), "path": "/cam", "username": "u", "password": format!("{PLANTED}-wrong")})).await;
    seen.push_str(&r.text().await.unwrap());
    wait_camera(&app, &token, 1, "streaming", Duration::from_secs(20)).await;
    wait_camera(&app, &token, 2, "error", Duration::from_secs(20)).await;
    let r = app
        .patch(
            &token,
            "/api/v1/cameras/1",
            json!({"password": PLANTED, "name": "renamed"}),
        )
        .await;
    seen.push_str(&r.text().await.unwrap());
    let r = app
        .post(
            &token,
            "/api/v1/cameras/test",
            json!({"name": "t", "rtsp_url": cam.url(), "username": "u", "password": PLANTED}),
        )
        .await;
    seen.push_str(&r.text().await.unwrap());
    for path in [
        "/api/v1/cameras",
        "/api/v1/cameras/1",
        "/api/v1/cameras/2",
        "/api/v1/audit",
        "/api/v1/openapi.json",
    ] {
        seen.push_str(&app.get(&token, path).await.text().await.unwrap());
    }
    seen.push_str(&app.metrics().await);
    // The test endpoint on a saved camera.
    seen.push_str(
        &app.send(Method::POST, &token, "/api/v1/cameras/1/test", None)
            .await
            .text()
            .await
            .unwrap(),
    );
    // The event stream: its opening state of both cameras (one in error: its reason).
    let mut events = app.get(&token, "/api/v1/events").await.bytes_stream();
    let burst = read_events_until(
        &mut events,
        Duration::from_secs(10),
        "both cameras' state",
        |seen| seen.contains("\"camera_id\":1") && seen.contains("\"camera_id\":2"),
    )
    .await;
    assert!(burst.contains("\"state\":\"error\""), "{burst}");
    seen.push_str(&burst);

    assert!(seen.contains("has_password"), "the responses were real");
    assert!(
        !seen.contains(PLANTED),
        "a response leaked the camera password"
    );
    let log = app.log();
    assert!(
        log.contains("camera session ended") || log.contains("camera actor started"),
        "the log was captured"
    );
    assert!(!log.contains(PLANTED), "the log leaked the camera password");
    assert!(
        !log.contains(ADMIN_PASSWORD),
        "the log leaked the admin password"
    );
    // …and it is not in the database file in clear either.
    assert!(!app.stored_in_clear(PLANTED), "stored in clear");
}
