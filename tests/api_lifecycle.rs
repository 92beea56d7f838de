//! The appliance as a process: rows survive a restart, shutdown is quick even with a client
//! connected, the first run prints a generated admin password once; metrics pass promtool and
//! the docs are served.

mod common;

use std::time::Duration;

use common::fixtures::{add_camera, add_streaming_camera, wait_camera};
use common::{Appliance, Options, sim};
use serde_json::{Value, json};

#[tokio::test]
async fn restart_keeps_cameras_users_and_tokens_and_shuts_down_within_5_s() {
    let cam = sim("CAM P", "u", "p");
    let mut app = Appliance::start().await;
    let token = app.admin_token().await;
    let id = add_camera(&app, &token, json!({"name": "persist", "rtsp_url": cam.url(), "username": "u", "password": "p", "vendor": "hikvision"})).await;
    wait_camera(&app, &token, id, "streaming", Duration::from_secs(20)).await;
    assert_eq!(
        app.post(
            &token,
            "/api/v1/users",
            json!({"username": "olga", "password": "olga-password", "role": "operator"})
        )
        .await
        .status(),
        201
    );
    let api_token: Value = app
        .post(&token, "/api/v1/tokens", json!({"name": "automation"}))
        .await
        .json()
        .await
        .unwrap();
    let api_token = api_token["token"].as_str().unwrap().to_string();

    // An SSE client stays connected: shutdown must not wait for it.
    let _sse = app.get(&token, "/api/v1/events").await;

    let (took, status) = app.stop_gracefully().unwrap();
    assert!(status.success(), "clean exit: {status}");
    assert!(took < Duration::from_secs(5), "shutdown took {took:?}");
    assert!(
        app.log().contains("stopped"),
        "{}",
        common::tail(&app.log(), 20)
    );

    // Restart with a different VISTTER_ADMIN_PASSWORD: the existing admin is not reset.
    app.restart(Options {
        admin_password: Some("another-password".into()),
        ..Default::default()
    })
    .await;
    assert_eq!(app.login("admin", "another-password").await.status(), 401);
    let token = app.admin_token().await;
    let c = wait_camera(&app, &token, id, "streaming", Duration::from_secs(20)).await;
    assert_eq!(c["name"], "persist");
    assert_eq!(c["vendor"], "hikvision");
    assert_eq!(c["has_password"], true);
    assert_eq!(app.login("olga", "olga-password").await.status(), 200);
    assert_eq!(
        app.get(&api_token, "/api/v1/cameras").await.status(),
        200,
        "API token survives"
    );
}

#[tokio::test]
async fn first_run_without_a_password_prints_a_generated_one_once() {
    let mut app = Appliance::start_with(Options {
        admin_password: None,
        ..Default::default()
    })
    .await;
    let log = app.log();
    let line = log
        .lines()
        .find(|l| l.contains("created user 'admin' with password:"))
        .expect("printed");
    let password = line.rsplit(' ').next().unwrap().trim().to_string();
    assert_eq!(password.len(), 20);
    assert_eq!(app.login("admin", &password).await.status(), 200);
    app.restart(Options {
        admin_password: None,
        ..Default::default()
    })
    .await;
    assert_eq!(log.matches("with password:").count(), 1);
    assert_eq!(
        app.log().matches("with password:").count(),
        1,
        "printed only on the first run"
    );
    assert_eq!(
        app.login("admin", &password).await.status(),
        200,
        "not reset"
    );
}

#[tokio::test]
async fn metrics_pass_promtool_and_docs_are_served() {
    let cam = sim("CAM M", "u", "p");
    let app = Appliance::start().await;
    let token = app.admin_token().await;
    add_streaming_camera(&app, &token, &cam, "m").await;
    let text = app.metrics().await;
    for name in [
        "vistter_camera_up",
        "vistter_camera_frames_total",
        "vistter_camera_reconnects_total",
        "vistter_camera_bitrate_bps",
        "vistter_http_requests_total",
        "vistter_http_request_duration_seconds",
    ] {
        assert!(text.contains(&format!("# TYPE {name} ")), "{name} missing");
    }
    let mut child = std::process::Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("promtool (scripts/setup.sh installs prometheus)");
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "promtool: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );

    assert_eq!(
        app.client
            .get(app.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    // Readiness says what is up and for how long (the console's System page shows it).
    let ready: Value = app
        .client
        .get(app.url("/readyz"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (&ready["ready"], &ready["database"], &ready["runtime"]),
        (&json!(true), &json!(true), &json!(true)),
        "{ready}"
    );
    assert!(ready["uptime_s"].as_u64().is_some(), "{ready}");
    let docs = app.client.get(app.url("/api/docs/")).send().await.unwrap();
    assert_eq!(docs.status(), 200);
    assert!(
        docs.text().await.unwrap().contains("swagger"),
        "browsable docs"
    );
}
