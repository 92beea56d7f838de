//! The API's contract: authentication and roles, input validation, secrets, persistence
//! across restarts, graceful shutdown, OpenAPI, metrics lint.

mod common;

use std::time::Duration;

use common::{ADMIN_PASSWORD, Appliance, Options, sim};
use reqwest::Method;
use serde_json::{Value, json};

async fn cameras(app: &Appliance, token: &str) -> Vec<Value> {
    app.get_json(token, "/api/v1/cameras")
        .await
        .as_array()
        .unwrap()
        .clone()
}

async fn problem(r: reqwest::Response) -> (u16, Value) {
    let status = r.status().as_u16();
    assert_eq!(
        r.headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_string())
            .as_deref(),
        Some("application/problem+json"),
        "status {status}"
    );
    (status, r.json().await.unwrap())
}

#[tokio::test]
async fn bad_input_is_rejected_naming_the_field_and_nothing_is_stored() {
    let app = Appliance::start().await;
    let token = app.admin_token().await;
    let ok = json!({"name": "good", "host": "127.0.0.1"});
    let r = app.post(&token, "/api/v1/cameras", ok).await;
    assert_eq!(r.status(), 201);
    let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let before = cameras(&app, &token).await;

    let cases = [
        (json!({"name": "", "host": "h"}), 422, "name"),
        (json!({"name": "   ", "host": "h"}), 422, "name"),
        (json!({"name": "x", "host": "h", "port": 0}), 422, "port"),
        (
            json!({"name": "x", "host": "h", "port": 70000}),
            422,
            "port",
        ),
        (
            json!({"name": "x", "host": "h", "port": "554"}),
            422,
            "port",
        ),
        (json!({"name": "x", "rtsp_url": "rtsp://"}), 422, "rtsp_url"),
        (
            json!({"name": "x", "rtsp_url": "not a url"}),
            422,
            "rtsp_url",
        ),
        (
            json!({"name": "x", "rtsp_url": "http://h/stream"}),
            422,
            "rtsp_url",
        ),
        (
            json!({"name": "x", "rtsp_url": "rtsp://h:0/x"}),
            422,
            "rtsp_url",
        ),
        (
            json!({"name": "x", "host": "h", "vendor": "acme"}),
            422,
            "vendor",
        ),
        (
            json!({"name": "x", "host": "h", "kind": "dome"}),
            422,
            "kind",
        ),
        (
            json!({"name": "x", "host": "h", "onvif_port": 0}),
            422,
            "onvif_port",
        ),
        (
            json!({"name": "x", "host": "h", "snapshot_url": "ftp://h/x"}),
            422,
            "snapshot_url",
        ),
        (json!({"name": "x", "host": "bad host"}), 422, "host"),
        (json!({"name": "x"}), 422, "host"),
        (json!({"host": "h"}), 422, "name"),
        (
            json!({"name": "x", "host": "h", "colour": "red"}),
            422,
            "colour",
        ),
    ];
    for (body, status, field) in cases {
        let (got, p) = problem(app.post(&token, "/api/v1/cameras", body.clone()).await).await;
        assert_eq!(got, status, "{body}: {p}");
        assert_eq!(p["field"], field, "{body}: {p}");
        assert!(!p["detail"].as_str().unwrap().is_empty());
    }

    // Malformed JSON, wrong content type, oversized body.
    let r = app
        .client
        .post(app.url("/api/v1/cameras"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{\"name\":")
        .send()
        .await
        .unwrap();
    let (status, p) = problem(r).await;
    assert_eq!((status, p["code"].as_str()), (400, Some("malformed_json")));
    let r = app
        .client
        .post(app.url("/api/v1/cameras"))
        .bearer_auth(&token)
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(problem(r).await.0, 415);
    let huge = json!({"name": "x".repeat(200_000), "host": "h"});
    let (status, p) = problem(app.post(&token, "/api/v1/cameras", huge).await).await;
    assert_eq!(status, 413, "{p}");

    // PATCH with bad input leaves the stored camera as it was.
    let (status, p) = problem(
        app.send(
            Method::PATCH,
            &token,
            &format!("/api/v1/cameras/{id}"),
            Some(json!({"port": 0, "name": "renamed"})),
        )
        .await,
    )
    .await;
    assert_eq!((status, p["field"].as_str()), (422, Some("port")));
    let (status, _) = problem(
        app.send(
            Method::PATCH,
            &token,
            &format!("/api/v1/cameras/{id}"),
            Some(json!({"rtsp_url": "rtsp://a/b", "host": "c"})),
        )
        .await,
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(
        cameras(&app, &token)
            .await
            .iter()
            .map(|c| c["name"].clone())
            .collect::<Vec<_>>(),
        before.iter().map(|c| c["name"].clone()).collect::<Vec<_>>()
    );
    assert_eq!(cameras(&app, &token).await.len(), 1);

    // Unknown ids and bad path parameters.
    let (status, _) = problem(app.get(&token, "/api/v1/cameras/9999").await).await;
    assert_eq!(status, 404);
    let (status, _) = problem(app.get(&token, "/api/v1/cameras/abc").await).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn every_route_needs_credentials_and_viewers_cannot_change_anything() {
    let app = Appliance::start().await;
    let admin = app.admin_token().await;
    let spec: Value = app.get_json(&admin, "/api/v1/openapi.json").await;
    assert!(spec["openapi"].as_str().unwrap().starts_with("3.1"));

    // A viewer, with a password of its own.
    let r = app
        .post(
            &admin,
            "/api/v1/users",
            json!({"username": "watcher", "password": "watcher-pass", "role": "viewer"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let viewer: Value = app
        .login("watcher", "watcher-pass")
        .await
        .json()
        .await
        .unwrap();
    let viewer = viewer["access_token"].as_str().unwrap().to_string();
    let r = app
        .post(
            &admin,
            "/api/v1/cameras",
            json!({"name": "cam", "host": "127.0.0.1", "enabled": false}),
        )
        .await;
    assert_eq!(r.status(), 201);

    let paths = spec["paths"].as_object().unwrap();
    assert!(paths.len() >= 20, "every route is documented");
    let mut checked = 0;
    for (path, ops) in paths {
        if !path.starts_with("/api/v1") {
            continue;
        }
        let concrete = path.replace("{id}", "1");
        for method in ops.as_object().unwrap().keys() {
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            if path == "/api/v1/auth/login" {
                continue;
            }
            // No credentials: 401, whatever the route.
            let r = app
                .client
                .request(m.clone(), app.url(&concrete))
                .json(&json!({}))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 401, "{method} {path} without credentials");
            // A garbage token: 401 too.
            let r = app
                .client
                .request(m.clone(), app.url(&concrete))
                .bearer_auth("vss_garbage")
                .json(&json!({}))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 401, "{method} {path} with a bad token");
            // Viewer: reads are fine (except admin-only ones), changes are 403.
            if m != Method::GET && path != "/api/v1/auth/logout" && path != "/api/v1/auth/password"
            {
                let r = app.client.request(m.clone(), app.url(&concrete)).bearer_auth(&viewer).json(&json!({"name": "x", "host": "h", "username": "abc", "password": "abcdefgh", "role": "viewer"})).send().await.unwrap();
                assert_eq!(r.status(), 403, "{method} {path} as viewer");
            }
            checked += 1;
        }
    }
    assert!(checked >= 20, "checked {checked} operations");
    assert_eq!(app.get(&viewer, "/api/v1/cameras").await.status(), 200);
    assert_eq!(app.get(&viewer, "/api/v1/users").await.status(), 403);
    assert_eq!(
        cameras(&app, &admin).await.len(),
        1,
        "the viewer changed nothing"
    );
    // Unknown API routes do not reveal themselves without credentials.
    assert_eq!(
        app.client
            .get(app.url("/api/v1/nope"))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    assert_eq!(app.get(&admin, "/api/v1/nope").await.status(), 404);
}

#[tokio::test]
async fn sessions_cookies_tokens_and_rate_limits() {
    let app = Appliance::start().await;

    // Login sets an HttpOnly SameSite=Strict cookie and returns a bearer token.
    let r = app.login("admin", ADMIN_PASSWORD).await;
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.starts_with("vistter_session="), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let token = r.json::<Value>().await.unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let value = cookie.split(';').next().unwrap().to_string();
    let me = app
        .client
        .get(app.url("/api/v1/auth/me"))
        .header("cookie", &value)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    assert_eq!(
        me.json::<Value>().await.unwrap()["user"]["username"],
        "admin"
    );

    // A scoped API token: capped at viewer even though its creator is admin.
    let r = app
        .post(
            &token,
            "/api/v1/tokens",
            json!({"name": "studio", "role": "viewer"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let created: Value = r.json().await.unwrap();
    let api_token = created["token"].as_str().unwrap().to_string();
    assert!(api_token.starts_with("vst_"));
    assert_eq!(app.get(&api_token, "/api/v1/cameras").await.status(), 200);
    assert_eq!(
        app.post(
            &api_token,
            "/api/v1/cameras",
            json!({"name": "x", "host": "h"})
        )
        .await
        .status(),
        403
    );
    let listed = app.get_json(&token, "/api/v1/tokens").await;
    assert!(
        !listed.to_string().contains(&api_token),
        "the secret is shown only once"
    );
    assert!(listed[0]["last_used_at"].is_string());
    let tid = created["id"].as_i64().unwrap();
    assert_eq!(
        app.send(
            Method::DELETE,
            &token,
            &format!("/api/v1/tokens/{tid}"),
            None
        )
        .await
        .status(),
        204
    );
    assert_eq!(
        app.get(&api_token, "/api/v1/cameras").await.status(),
        401,
        "revoked"
    );

    // Change password: the old one stops working, other sessions end.
    let other = app.admin_token().await;
    let r = app
        .post(
            &token,
            "/api/v1/auth/password",
            json!({"current_password": "wrong", "new_password": "brand-new-password"}),
        )
        .await;
    assert_eq!(problem(r).await.1["field"], "current_password");
    let r = app
        .post(
            &token,
            "/api/v1/auth/password",
            json!({"current_password": ADMIN_PASSWORD, "new_password": "short"}),
        )
        .await;
    assert_eq!(problem(r).await.1["field"], "new_password");
    let r = app
        .post(
            &token,
            "/api/v1/auth/password",
            json!({"current_password": ADMIN_PASSWORD, "new_password": "brand-new-password"}),
        )
        .await;
    assert_eq!(r.status(), 204);
    assert_eq!(
        app.get(&token, "/api/v1/auth/me").await.status(),
        200,
        "this session stays"
    );
    assert_eq!(
        app.get(&other, "/api/v1/auth/me").await.status(),
        401,
        "other sessions end"
    );
    assert_eq!(app.login("admin", ADMIN_PASSWORD).await.status(), 401);
    assert_eq!(app.login("admin", "brand-new-password").await.status(), 200);

    // Logout ends the session.
    assert_eq!(
        app.send(Method::POST, &token, "/api/v1/auth/logout", None)
            .await
            .status(),
        204
    );
    assert_eq!(app.get(&token, "/api/v1/auth/me").await.status(), 401);

    // The last admin cannot be demoted or deleted.
    let t = app
        .login("admin", "brand-new-password")
        .await
        .json::<Value>()
        .await
        .unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let me = app.get_json(&t, "/api/v1/auth/me").await;
    let uid = me["user"]["id"].as_i64().unwrap();
    assert_eq!(
        app.send(
            Method::PATCH,
            &t,
            &format!("/api/v1/users/{uid}"),
            Some(json!({"role": "viewer"}))
        )
        .await
        .status(),
        409
    );
    assert_eq!(
        app.send(Method::DELETE, &t, &format!("/api/v1/users/{uid}"), None)
            .await
            .status(),
        409
    );

    // Brute force: the login endpoint is rate limited per client.
    let mut limited = false;
    for _ in 0..15 {
        let r = app.login("admin", "guess").await;
        if r.status() == 429 {
            assert!(r.headers().contains_key("retry-after"));
            limited = true;
            break;
        }
        assert_eq!(r.status(), 401);
    }
    assert!(limited, "login attempts are rate limited");

    // Every change is in the audit log.
    let t2 = t.clone();
    let audit = app.get_json(&t2, "/api/v1/audit?limit=100").await;
    let actions: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for a in [
        "token.create",
        "token.revoke",
        "user.password_change",
        "auth.login_failed",
    ] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
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
    app.wait_camera(&token, 1, Duration::from_secs(20), |s| s == "streaming")
        .await;
    app.wait_camera(&token, 2, Duration::from_secs(20), |s| s == "error")
        .await;
    let r = app
        .send(
            Method::PATCH,
            &token,
            "/api/v1/cameras/1",
            Some(json!({"password": PLANTED, "name": "renamed"})),
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
    // The test endpoint on a saved camera and an SSE burst.
    seen.push_str(
        &app.send(Method::POST, &token, "/api/v1/cameras/1/test", None)
            .await
            .text()
            .await
            .unwrap(),
    );

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
    let db = std::fs::read(app.data_dir.join("vistterstream.db")).unwrap();
    let wal = std::fs::read(app.data_dir.join("vistterstream.db-wal")).unwrap_or_default();
    for bytes in [db, wal] {
        assert!(
            !bytes
                .windows(PLANTED.len())
                .any(|w| w == PLANTED.as_bytes()),
            "stored in clear"
        );
    }
}

#[tokio::test]
async fn restart_keeps_cameras_users_and_tokens_and_shuts_down_within_5_s() {
    let cam = sim("CAM P", "u", "p");
    let mut app = Appliance::start().await;
    let token = app.admin_token().await;
    let r = app.post(&token, "/api/v1/cameras", json!({"name": "persist", "rtsp_url": cam.url(), "username": "u", "password": "p", "vendor": "hikvision"})).await;
    let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    app.wait_camera(&token, id, Duration::from_secs(20), |s| s == "streaming")
        .await;
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
    let c = app
        .wait_camera(&token, id, Duration::from_secs(20), |s| s == "streaming")
        .await;
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
    let r = app
        .post(
            &token,
            "/api/v1/cameras",
            json!({"name": "m", "rtsp_url": cam.url(), "username": "u", "password": "p"}),
        )
        .await;
    let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    app.wait_camera(&token, id, Duration::from_secs(20), |s| s == "streaming")
        .await;
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
    let docs = app.client.get(app.url("/api/docs/")).send().await.unwrap();
    assert_eq!(docs.status(), 200);
    assert!(
        docs.text().await.unwrap().contains("swagger"),
        "browsable docs"
    );
}

#[tokio::test]
async fn an_event_stream_ends_when_its_session_is_logged_out() {
    use futures::StreamExt;
    let app = Appliance::start().await;
    let token = app.admin_token().await;
    let resp = app.get(&token, "/api/v1/events").await;
    assert_eq!(resp.status(), 200);
    let mut body = resp.bytes_stream();
    let first = body.next().await.unwrap().unwrap();
    assert!(String::from_utf8_lossy(&first).contains("retry:"));
    assert_eq!(
        app.send(Method::POST, &token, "/api/v1/auth/logout", None)
            .await
            .status(),
        204
    );
    // The stream re-checks its credential every 15 s; it must end well before a minute.
    let ended = tokio::time::timeout(Duration::from_secs(40), async {
        while let Some(chunk) = body.next().await {
            if chunk.is_err() {
                break;
            }
        }
    })
    .await;
    assert!(
        ended.is_ok(),
        "the event stream outlived its logged-out session"
    );
}

#[tokio::test]
async fn a_token_made_with_an_expiring_token_expires_no_later() {
    let app = Appliance::start().await;
    let admin = app.admin_token().await;
    let parent: Value = app
        .post(
            &admin,
            "/api/v1/tokens",
            json!({"name": "short", "expires_in_days": 1}),
        )
        .await
        .json()
        .await
        .unwrap();
    let parent_token = parent["token"].as_str().unwrap();
    let child: Value = app
        .post(parent_token, "/api/v1/tokens", json!({"name": "child"}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(child["expires_at"], parent["expires_at"], "{child}");
    let child: Value = app
        .post(
            parent_token,
            "/api/v1/tokens",
            json!({"name": "child2", "expires_in_days": 3650}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(child["expires_at"], parent["expires_at"], "{child}");
}
