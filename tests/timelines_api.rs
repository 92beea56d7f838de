//! Timelines through the API (TL-1), against the real appliance and its SQLite file: stored
//! with their tracks, listed, replaced, patched, copied and deleted; bad input refused with the
//! field path and nothing stored; a camera, preset or asset a timeline uses cannot be deleted
//! from under it (409 naming the timeline); what is stored survives a restart.

mod common;

use common::fixtures::{add_asset, add_camera, created_id};
use common::problem::assert_problem;
use common::{Appliance, Options, step};
use reqwest::Method;
use serde_json::{Value, json};

struct Refs {
    dock: i64,
    yard: i64,
    harbour: i64,
    pier: i64,
    yard_gate: i64,
    caption: i64,
}

/// Two PTZ cameras with presets (imported: no device needed) and a text asset.
async fn references(app: &Appliance, token: &str) -> Refs {
    let dock = add_camera(
        app,
        token,
        json!({"name": "Dock", "host": "127.0.0.1", "kind": "ptz"}),
    )
    .await;
    let yard = add_camera(
        app,
        token,
        json!({"name": "Yard", "host": "127.0.0.1", "kind": "ptz"}),
    )
    .await;
    let import = |camera: i64, names: &[&str]| {
        let presets: Vec<Value> = names
            .iter()
            .enumerate()
            .map(|(i, n)| json!({"name": n, "position": {"pan": 0.1 * i as f64, "tilt": 0.0, "zoom": 0.0}}))
            .collect();
        json!({"format": "vistterstream.presets.v1", "camera_id": camera, "presets": presets})
    };
    let mut ids = Vec::new();
    for (camera, names) in [(dock, &["Harbour", "Pier"][..]), (yard, &["Gate"][..])] {
        let r = app
            .post(
                token,
                &format!("/api/v1/cameras/{camera}/presets/import"),
                import(camera, names),
            )
            .await;
        assert!(r.status().is_success(), "import presets: {}", r.status());
        let listed = app
            .get_json(token, &format!("/api/v1/cameras/{camera}/presets"))
            .await;
        for name in names {
            let id = listed
                .as_array()
                .and_then(|ps| ps.iter().find(|p| p["name"] == *name))
                .and_then(|p| p["id"].as_i64())
                .unwrap_or_else(|| panic!("preset {name} in {listed}"));
            ids.push(id);
        }
    }
    let caption = add_asset(
        app,
        token,
        json!({"name": "Caption", "kind": "text", "text": "Live"}),
    )
    .await;
    Refs {
        dock,
        yard,
        harbour: ids[0],
        pier: ids[1],
        yard_gate: ids[2],
        caption,
    }
}

/// 30 s, looping: Dock at Harbour, Yard fading in, Dock at Pier (the camera is off air in
/// between: no live move); a caption from 5 to 15 s.
fn show(r: &Refs) -> Value {
    json!({
        "name": "Harbour day", "description": "Weekday loop", "duration_s": 30, "loop": true,
        "tracks": [
            {"kind": "video", "cues": [
                {"start_s": 0, "duration_s": 10, "camera_id": r.dock, "preset_id": r.harbour},
                {"start_s": 10, "duration_s": 10, "camera_id": r.yard, "preset_id": r.yard_gate,
                 "transition": {"kind": "fade", "duration_ms": 1000}},
                {"start_s": 20, "duration_s": 10, "camera_id": r.dock, "preset_id": r.pier}
            ]},
            {"kind": "overlay", "cues": [
                {"start_s": 5, "duration_s": 10, "asset_id": r.caption, "x": 0.05, "y": 0.8, "width": 0.4, "height": 0.1}
            ]}
        ],
        "broadcast": {"title": "Harbour live", "tags": ["harbour"], "privacy": "unlisted"}
    })
}

async fn count(app: &Appliance, token: &str) -> usize {
    app.get_json(token, "/api/v1/timelines")
        .await
        .as_array()
        .map_or(0, Vec::len)
}

#[tokio::test]
async fn timelines_are_stored_whole_and_refused_by_field_path() {
    let mut app = Appliance::start().await;
    let token = app.admin_token().await;
    let r = references(&app, &token).await;

    step("1: a timeline is stored with its tracks, cuts spelled out, no warnings");
    let resp = app.post(&token, "/api/v1/timelines", show(&r)).await;
    assert_eq!(resp.status(), 201);
    let location = resp
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let created: Value = resp.json().await.unwrap();
    let id = created["id"].as_i64().unwrap();
    assert_eq!(
        location.as_deref(),
        Some(format!("/api/v1/timelines/{id}").as_str())
    );
    assert_eq!(created["loop"], true);
    assert_eq!(created["tracks"][0]["cues"][2]["transition"]["kind"], "cut");
    assert_eq!(created["tracks"][1]["cues"][0]["asset_id"], r.caption);
    assert_eq!(created["warnings"], json!([]));
    assert_eq!(
        app.get_json(&token, &format!("/api/v1/timelines/{id}"))
            .await,
        created
    );

    step("2: bad input is refused with the field path, and nothing is stored");
    let cases: Vec<(Value, &str)> = {
        let mut c = Vec::new();
        let mut overlap = show(&r);
        overlap["tracks"][0]["cues"][1]["start_s"] = json!(8);
        c.push((overlap, "tracks[0].cues[1].start_s"));
        let mut unknown_preset = show(&r);
        unknown_preset["tracks"][0]["cues"][0]["preset_id"] = json!(4242);
        c.push((unknown_preset, "tracks[0].cues[0].preset_id"));
        let mut others_preset = show(&r);
        others_preset["tracks"][0]["cues"][0]["preset_id"] = json!(r.yard_gate);
        c.push((others_preset, "tracks[0].cues[0].preset_id"));
        let mut past_end = show(&r);
        past_end["tracks"][1]["cues"][0]["duration_s"] = json!(30);
        c.push((past_end, "tracks[1].cues[0].duration_s"));
        let mut blank = show(&r);
        blank["name"] = json!("   ");
        c.push((blank, "name"));
        let mut no_length = show(&r);
        no_length["tracks"][0]["cues"][1]["transition"] = json!({"kind": "fade"});
        c.push((no_length, "tracks[0].cues[1].transition.duration_ms"));
        let mut track_kind = show(&r);
        track_kind["tracks"][0]["kind"] = json!("audio");
        c.push((track_kind, "tracks[0].kind"));
        c
    };
    for (body, field) in cases {
        eprintln!("case {field}");
        let resp = app.post(&token, "/api/v1/timelines", body).await;
        assert_problem(resp, 422, Some(field)).await;
    }
    let dup = app.post(&token, "/api/v1/timelines", show(&r)).await;
    assert_problem(dup, 409, None).await;
    assert_eq!(count(&app, &token).await, 1, "nothing else stored");

    step("3: PUT replaces it, PATCH changes fields and is validated whole");
    let mut replaced = show(&r);
    replaced["duration_s"] = json!(40);
    replaced["tracks"][0]["cues"][2]["duration_s"] = json!(20);
    let resp = app
        .send(
            Method::PUT,
            &token,
            &format!("/api/v1/timelines/{id}"),
            Some(replaced),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(
        (
            v["duration_s"].as_f64(),
            v["tracks"][0]["cues"][2]["duration_s"].as_f64()
        ),
        (Some(40.0), Some(20.0))
    );
    let resp = app
        .patch(
            &token,
            &format!("/api/v1/timelines/{id}"),
            json!({"name": "Harbour loop", "loop": false, "description": null}),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(
        (&v["name"], &v["loop"], &v["description"]),
        (&json!("Harbour loop"), &json!(false), &Value::Null)
    );
    // Shortening it under its cues names the cue that would stick out; the stored one stays.
    let resp = app
        .patch(
            &token,
            &format!("/api/v1/timelines/{id}"),
            json!({"duration_s": 25}),
        )
        .await;
    assert_problem(resp, 422, Some("tracks[0].cues[2].duration_s")).await;
    assert_eq!(
        app.get_json(&token, &format!("/api/v1/timelines/{id}"))
            .await["duration_s"],
        40.0
    );
    // A preset change on the camera on air is stored, with a warning naming the cue.
    let live_move = json!({"tracks": [{"kind": "video", "cues": [
        {"start_s": 0, "duration_s": 20, "camera_id": r.dock, "preset_id": r.harbour},
        {"start_s": 20, "duration_s": 20, "camera_id": r.dock, "preset_id": r.pier}]}]});
    let resp = app
        .patch(&token, &format!("/api/v1/timelines/{id}"), live_move)
        .await;
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(
        v["warnings"][0]["field"], "tracks[0].cues[1].preset_id",
        "{v}"
    );

    step("4: copies take the next free name");
    let first = created_id(
        app.post(&token, &format!("/api/v1/timelines/{id}/copy"), json!({}))
            .await,
        "a copy",
    )
    .await;
    let second = created_id(
        app.post(&token, &format!("/api/v1/timelines/{id}/copy"), json!({}))
            .await,
        "a copy",
    )
    .await;
    let name = |v: Value| v["name"].as_str().unwrap_or_default().to_owned();
    assert_eq!(
        name(
            app.get_json(&token, &format!("/api/v1/timelines/{first}"))
                .await
        ),
        "Harbour loop (copy)"
    );
    assert_eq!(
        name(
            app.get_json(&token, &format!("/api/v1/timelines/{second}"))
                .await
        ),
        "Harbour loop (copy 2)"
    );
    for copy in [first, second] {
        assert_eq!(
            app.delete(&token, &format!("/api/v1/timelines/{copy}"))
                .await
                .status(),
            204
        );
    }

    step("5: what a timeline uses cannot be deleted from under it");
    for path in [
        format!("/api/v1/cameras/{}", r.dock),
        format!("/api/v1/presets/{}?force=true", r.pier),
    ] {
        let p = assert_problem(app.delete(&token, &path).await, 409, None).await;
        assert!(
            p["detail"].as_str().unwrap_or("").contains("Harbour loop"),
            "{path}: {p}"
        );
    }
    // The caption left the timeline in step 3 (tracks replaced): it can go.
    assert_eq!(
        app.delete(&token, &format!("/api/v1/assets/{}", r.caption))
            .await
            .status(),
        204
    );

    step("6: it survives a restart; deleted, its camera can go");
    app.restart(Options::default()).await;
    let token = app.admin_token().await;
    let after = app
        .get_json(&token, &format!("/api/v1/timelines/{id}"))
        .await;
    assert_eq!(after["name"], "Harbour loop");
    assert_eq!(after["tracks"][0]["cues"][1]["preset_id"], r.pier);
    assert_eq!(
        app.delete(&token, &format!("/api/v1/timelines/{id}"))
            .await
            .status(),
        204
    );
    assert_eq!(
        app.delete(&token, &format!("/api/v1/cameras/{}", r.dock))
            .await
            .status(),
        204
    );
    assert_eq!(count(&app, &token).await, 0);
    let _ = r.yard;
}
