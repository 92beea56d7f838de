//! Camera snapshots: stored snapshots and their retention, and a camera's own HTTP snapshot
//! URL behind Digest and Basic authentication (Apache httpd).

mod common;

use common::fixtures::{add_camera, add_streaming_camera, take_snapshot};
use common::problem::assert_problem;
use common::{Appliance, sim, step};
use serde_json::{Value, json};
use vistterstream_sim::picture;

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
    let id = add_streaming_camera(&app, &token, &cam, "r").await;
    let mut ids = vec![];
    for _ in 0..3 {
        let snapshot = take_snapshot(&app, &token, id, None).await;
        ids.push(snapshot["id"].as_i64().unwrap());
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

/// The camera's own HTTP snapshot URL, with Digest and Basic authentication (Apache httpd).
#[tokio::test]
async fn http_snapshot_url_with_digest_and_basic_auth() {
    let jpeg = picture::jpeg(320, 240, |x, y| [(x % 256) as u8, (y % 256) as u8, 128]);
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
    step("1: two cameras whose snapshot URLs carry credentials: stripped from the stored URL");
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
    step("2: each snapshot is the camera's JPEG, unchanged; stored snapshots from HTTP too");
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
        let s = take_snapshot(&app, &token, *id, Some(json!({"source": "http"}))).await;
        assert_eq!(
            (
                s["source"].as_str(),
                s["width"].as_i64(),
                s["height"].as_i64()
            ),
            (Some("http"), Some(320), Some(240))
        );
    }

    step("3: a wrong password: a clear auth error, naming the URL but not the password");
    let camera = |i: usize| format!("/api/v1/cameras/{}", ids[i]);
    let r = app
        .patch(&token, &camera(0), json!({"password": "nope"}))
        .await;
    assert_eq!(r.status(), 200);
    let r = app
        .get(&token, &format!("{}/snapshot?source=http", camera(0)))
        .await;
    let p = assert_problem(r, 503, None).await;
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("authentication failed"),
        "{p}"
    );
    assert!(!p.to_string().contains("p@ss"), "{p}");

    step("4: a page that is not a JPEG is refused, whatever its name");
    let r = app
        .patch(
            &token,
            &camera(1),
            json!({"snapshot_url": httpd.url("/basic/error.jpg")}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let r = app
        .get(&token, &format!("{}/snapshot?source=http", camera(1)))
        .await;
    let p = assert_problem(r, 503, None).await;
    assert!(p.to_string().contains("did not return a JPEG"), "{p}");

    step("5: no snapshot URL and no picture: 422 for an explicit http source, 503 for the stream");
    let id = add_camera(
        &app,
        &token,
        json!({"name": "none", "host": "127.0.0.1", "port": closed}),
    )
    .await;
    let snapshot = format!("/api/v1/cameras/{id}/snapshot");
    let status = async |query: &str| {
        app.get(&token, &format!("{snapshot}{query}"))
            .await
            .status()
    };
    assert_eq!(status("?source=http").await, 422);
    assert_eq!(status("").await, 503);
    assert_eq!(status("?source=bogus").await, 400);
}
