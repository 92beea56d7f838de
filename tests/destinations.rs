//! Destinations (OUT-1): presets, validation naming the field, the stream key write-only,
//! sealed at rest, absent from responses and logs.

mod common;

use common::Appliance;
use common::problem::assert_problem;
use serde_json::{Value, json};

#[tokio::test]
async fn destinations_keep_their_stream_key_secret() {
    const KEY: &str = "abcd-efgh-ijkl-mnop-Secret42";
    let app = Appliance::start().await;
    let token = app.admin_token().await;
    let mut seen = String::new();

    // A YouTube destination from its preset.
    let r = app
        .post(
            &token,
            "/api/v1/destinations",
            json!({"name": "YouTube main", "platform": "youtube", "stream_key": KEY}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let body = r.text().await.unwrap();
    seen.push_str(&body);
    let yt: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(yt["server_url"], "rtmps://a.rtmp.youtube.com:443/live2");
    assert_eq!(
        yt["publish_url_masked"],
        "rtmps://a.rtmp.youtube.com:443/live2/****"
    );
    assert_eq!(yt["has_stream_key"], true);
    let id = yt["id"].as_i64().unwrap();

    // Refused by name, and nothing stored: what the schema's per-platform variants state.
    for (body, field) in [
        (json!({"name": "C", "platform": "custom"}), "server_url"),
        (
            json!({"name": "C", "platform": "custom", "server_url": ""}),
            "server_url",
        ),
        (
            json!({"name": "C", "server_url": "rtmp://h/"}),
            "server_url",
        ),
        (
            json!({"name": "C", "server_url": "rtmp://u:p@h/live"}),
            "server_url",
        ),
        (json!({"name": "T", "platform": "twitch"}), "stream_key"),
        (
            json!({"name": "T", "platform": "twitch", "stream_key": "a b"}),
            "stream_key",
        ),
        (
            json!({"name": "F", "platform": "facebook", "stream_key": "k", "server_url": "rtmp://h/live"}),
            "server_url",
        ),
        (
            json!({"name": "", "platform": "youtube", "stream_key": "k"}),
            "name",
        ),
    ] {
        eprintln!("case {body}");
        let r = app.post(&token, "/api/v1/destinations", body).await;
        let p = common::problem::assert_problem(r, 422, Some(field)).await;
        seen.push_str(&p.to_string());
    }
    // A blank server URL on a platform means its own ingest.
    let r = app
        .post(
            &token,
            "/api/v1/destinations",
            json!({"name": "Facebook", "platform": "facebook", "stream_key": KEY, "server_url": " "}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let fb: Value = r.json().await.unwrap();
    assert!(
        fb["server_url"]
            .as_str()
            .unwrap_or("")
            .starts_with("rtmps://"),
        "{fb}"
    );
    let r = app
        .delete(&token, &format!("/api/v1/destinations/{}", fb["id"]))
        .await;
    assert_eq!(r.status(), 204);
    assert_eq!(
        app.get_json(&token, "/api/v1/destinations")
            .await
            .as_array()
            .map(Vec::len),
        Some(1),
        "only the YouTube destination is stored"
    );

    // A custom RTMP ingest.
    let r = app.post(&token, "/api/v1/destinations", json!({"name": "Lab", "platform": "custom", "server_url": "rtmp://127.0.0.1:1935/live", "stream_key": "lab"})).await;
    assert_eq!(r.status(), 201);

    // Rename without touching the key; the key stays.
    let r = app
        .patch(
            &token,
            &format!("/api/v1/destinations/{id}"),
            json!({"name": "YouTube"}),
        )
        .await;
    let body = r.text().await.unwrap();
    seen.push_str(&body);
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (v["name"].as_str(), v["has_stream_key"].as_bool()),
        (Some("YouTube"), Some(true))
    );

    for path in [
        "/api/v1/destinations",
        &format!("/api/v1/destinations/{id}"),
        "/api/v1/audit",
        "/api/v1/openapi.json",
    ] {
        seen.push_str(&app.get(&token, path).await.text().await.unwrap());
    }
    assert!(!seen.contains(KEY), "a response leaked the stream key");
    assert!(!app.log().contains(KEY), "the log leaked the stream key");
    assert!(!app.stored_in_clear(KEY), "stored in clear");

    // Bad input: a clear error naming the field, nothing changed.
    let before = app.get_json(&token, "/api/v1/destinations").await;
    let cases = [
        (
            json!({"name": "x", "platform": "custom", "server_url": "rtmp:///live", "stream_key": "k"}),
            "server_url",
        ),
        (
            json!({"name": "x", "platform": "custom", "server_url": "rtmp://", "stream_key": "k"}),
            "server_url",
        ),
        (
            json!({"name": "x", "platform": "custom", "server_url": "https://example/live", "stream_key": "k"}),
            "server_url",
        ),
        (
            json!({"name": "x", "platform": "custom", "server_url": "rtmp://host"}),
            "server_url",
        ),
        (json!({"name": "x", "platform": "custom"}), "server_url"),
        (
            json!({"name": "x", "platform": "facebook", "server_url": "rtmp://live-api-s.facebook.com/rtmp", "stream_key": "k"}),
            "server_url",
        ),
        (json!({"name": "x", "platform": "twitch"}), "stream_key"),
        (
            json!({"name": "x", "platform": "youtube", "stream_key": "two words"}),
            "stream_key",
        ),
        (
            json!({"name": "x", "platform": "myspace", "stream_key": "k"}),
            "platform",
        ),
        (
            json!({"name": "", "platform": "youtube", "stream_key": "k"}),
            "name",
        ),
    ];
    for (body, field) in cases {
        eprintln!("case {body}");
        let r = app.post(&token, "/api/v1/destinations", body).await;
        assert_problem(r, 422, Some(field)).await;
    }
    let r = app
        .patch(
            &token,
            &format!("/api/v1/destinations/{id}"),
            json!({"server_url": "rtmp://"}),
        )
        .await;
    assert_problem(r, 422, None).await;
    assert_eq!(
        app.get_json(&token, "/api/v1/destinations").await,
        before,
        "nothing changed"
    );

    // Delete.
    assert_eq!(
        app.delete(&token, &format!("/api/v1/destinations/{id}"))
            .await
            .status(),
        204
    );
    assert_eq!(
        app.get(&token, &format!("/api/v1/destinations/{id}"))
            .await
            .status(),
        404
    );
}
