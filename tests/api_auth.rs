//! Authentication and roles: every route needs credentials and a viewer cannot change
//! anything; sessions, cookies, API tokens, password changes, logout and rate limits; the
//! audit log of it all.

mod common;

use std::time::Duration;

use common::problem::assert_problem;
use common::{ADMIN_PASSWORD, Appliance, step};
use reqwest::Method;
use serde_json::{Value, json};

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
        app.get_json(&admin, "/api/v1/cameras")
            .await
            .as_array()
            .unwrap()
            .len(),
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

    step("1: login sets an HttpOnly SameSite=Strict cookie and returns a bearer token");
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

    step("2: a scoped API token: capped at viewer though its creator is admin; revoked");
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
        app.delete(&token, &format!("/api/v1/tokens/{tid}"))
            .await
            .status(),
        204
    );
    assert_eq!(
        app.get(&api_token, "/api/v1/cameras").await.status(),
        401,
        "revoked"
    );

    step("3: change password: the old one stops working, other sessions end");
    let other = app.admin_token().await;
    let r = app
        .post(
            &token,
            "/api/v1/auth/password",
            json!({"current_password": "wrong", "new_password": "brand-new-password"}),
        )
        .await;
    assert_problem(r, 422, Some("current_password")).await;
    let r = app
        .post(
            &token,
            "/api/v1/auth/password",
            json!({"current_password": ADMIN_PASSWORD, "new_password": "short"}),
        )
        .await;
    assert_problem(r, 422, Some("new_password")).await;
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

    step("4: logout ends the session");
    assert_eq!(
        app.send(Method::POST, &token, "/api/v1/auth/logout", None)
            .await
            .status(),
        204
    );
    assert_eq!(app.get(&token, "/api/v1/auth/me").await.status(), 401);

    step("5: the last admin cannot be demoted or deleted");
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
    let user = format!("/api/v1/users/{uid}");
    let r = app.patch(&t, &user, json!({"role": "viewer"})).await;
    assert_eq!(r.status(), 409);
    assert_eq!(app.delete(&t, &user).await.status(), 409);

    step("6: brute force: the login endpoint is rate limited per client");
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

    step("7: every change is in the audit log");
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
    assert!(
        parent["expires_at"].is_string(),
        "the parent token expires: {parent}"
    );
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
