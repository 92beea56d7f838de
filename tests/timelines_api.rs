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

/// The seed system's example (seed-system.md §5.1), exactly as its API accepts it, with its
/// own ids: cameras 2 and 1, presets 5 and 6, asset 7.
const MARINA: &str = r#"{
  "name": "Marina loop", "description": "", "duration": 120, "fps": 30,
  "resolution": "1920x1080", "loop": true, "is_active": true,
  "broadcast_title": "Harbor Live Cam", "broadcast_privacy": "public",
  "broadcast_category_id": "19", "broadcast_tags": "harbor,weather",
  "tracks": [
    { "track_type": "video", "layer": 0, "is_enabled": true, "cues": [
      { "cue_order": 0, "start_time": 0, "duration": 40, "action_type": "show_camera",
        "action_params": { "camera_id": 2, "preset_id": 5, "transition": "cut" },
        "transition_type": "cut", "transition_duration": 0 },
      { "cue_order": 1, "start_time": 40, "duration": 40, "action_type": "show_camera",
        "action_params": { "camera_id": 2, "preset_id": 6, "transition": "cut" },
        "transition_type": "cut", "transition_duration": 0 },
      { "cue_order": 2, "start_time": 80, "duration": 40, "action_type": "show_camera",
        "action_params": { "camera_id": 1, "transition": "cut" },
        "transition_type": "fade", "transition_duration": 0.5 } ] },
    { "track_type": "overlay", "layer": 1, "is_enabled": true, "cues": [
      { "cue_order": 0, "start_time": 0, "duration": 120, "action_type": "overlay",
        "action_params": { "asset_id": 7, "position_x": 0.02, "position_y": 0.70,
                           "width": 640, "opacity": 1.0, "transition": "fade" },
        "transition_type": "fade", "transition_duration": 0.5 } ] }
  ]
}"#;

#[tokio::test]
async fn timelines_export_and_import_ours_and_the_existing_systems() {
    let app = Appliance::start().await;
    let token = app.admin_token().await;
    let r = references(&app, &token).await;
    let id = created_id(
        app.post(&token, "/api/v1/timelines", show(&r)).await,
        "a timeline",
    )
    .await;

    step("1: export: schema_version 1, the timeline, and the names of what it uses");
    let doc = app
        .get_json(&token, &format!("/api/v1/timelines/{id}/export"))
        .await;
    assert_eq!(doc["schema_version"], 1);
    assert_eq!(doc["timeline"]["name"], "Harbour day");
    let names: Vec<&str> = doc["references"]["presets"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    assert_eq!(names, vec!["Harbour", "Pier", "Gate"]);

    step("2: importing it again stores a copy under a free name, the same tracks");
    let resp = app
        .post(&token, "/api/v1/timelines/import", json!({"timeline": doc}))
        .await;
    assert_eq!(resp.status(), 201);
    let imported: Value = resp.json().await.unwrap();
    assert_eq!(imported["timeline"]["name"], "Harbour day (2)");
    assert_eq!(imported["timeline"]["tracks"], doc["timeline"]["tracks"]);

    step("3: the existing system's JSON, its ids mapped by name: pixels become fractions");
    let resp = app
        .post(
            &token,
            "/api/v1/timelines/import",
            json!({
                "timeline": serde_json::from_str::<Value>(MARINA).unwrap(),
                "names": {
                    "cameras": {"2": "Dock", "1": "Yard"},
                    "presets": {"5": "Harbour", "6": "Pier"},
                    "assets": {"7": "Caption"}
                }
            }),
        )
        .await;
    assert_eq!(resp.status(), 201);
    let marina: Value = resp.json().await.unwrap();
    let t = &marina["timeline"];
    assert_eq!(t["duration_s"], 120.0);
    assert_eq!(t["loop"], true);
    let video = &t["tracks"][0]["cues"];
    assert_eq!(video[0]["camera_id"], r.dock);
    assert_eq!(video[0]["preset_id"], r.harbour);
    assert_eq!(video[1]["preset_id"], r.pier);
    assert_eq!(video[2]["camera_id"], r.yard);
    assert_eq!(video[2]["transition"]["kind"], "fade");
    assert_eq!(video[2]["transition"]["duration_ms"], 500);
    let overlay = &t["tracks"][1]["cues"][0];
    assert_eq!(overlay["asset_id"], r.caption);
    assert!((overlay["width"].as_f64().unwrap() - 640.0 / 1920.0).abs() < 1e-9);
    assert_eq!(t["broadcast"]["title"], "Harbor Live Cam");
    assert_eq!(t["broadcast"]["tags"], json!(["harbor", "weather"]));
    // A preset change on the camera on air (Harbour → Pier on Dock) is a live move.
    assert_eq!(t["warnings"][0]["field"], "tracks[0].cues[1].preset_id");

    step("4: the same mapped by a table of ids");
    let resp = app
        .post(
            &token,
            "/api/v1/timelines/import",
            json!({
                "timeline": serde_json::from_str::<Value>(MARINA).unwrap(),
                "map": {
                    "cameras": {"2": r.dock, "1": r.yard},
                    "presets": {"5": r.harbour, "6": r.pier},
                    "assets": {"7": r.caption}
                }
            }),
        )
        .await;
    assert_eq!(resp.status(), 201);
    let before = count(&app, &token).await;

    step("5: what cannot be matched is refused by its path, and nothing is stored");
    let marina_doc = serde_json::from_str::<Value>(MARINA).unwrap();
    let resp = app
        .post(
            &token,
            "/api/v1/timelines/import",
            json!({"timeline": marina_doc, "names": {"cameras": {"2": "Lighthouse"}}}),
        )
        .await;
    assert_problem(resp, 422, Some("names.cameras.2")).await;
    // Without any mapping its ids are taken as ours: camera 2 exists (Yard), preset 5 not.
    let resp = app
        .post(
            &token,
            "/api/v1/timelines/import",
            json!({"timeline": marina_doc}),
        )
        .await;
    let p = assert_problem(resp, 422, None).await;
    assert!(p.to_string().contains("preset"), "{p}");
    let mut newer = doc.clone();
    newer["schema_version"] = json!(2);
    let resp = app
        .post(
            &token,
            "/api/v1/timelines/import",
            json!({"timeline": newer}),
        )
        .await;
    assert_problem(resp, 422, Some("timeline.schema_version")).await;
    let resp = app
        .post(
            &token,
            "/api/v1/timelines/import",
            json!({"timeline": {"hello": 1}}),
        )
        .await;
    assert_problem(resp, 422, Some("timeline")).await;
    assert_eq!(count(&app, &token).await, before, "nothing stored");
    let resp = app.get(&token, "/api/v1/timelines/999/export").await;
    assert_problem(resp, 404, None).await;
}

#[tokio::test]
async fn timeline_controls_answer_what_they_did_and_refuse_what_they_cannot() {
    let app = Appliance::start().await;
    let token = app.admin_token().await;
    let r = references(&app, &token).await;
    let id = created_id(
        app.post(&token, "/api/v1/timelines", show(&r)).await,
        "a timeline",
    )
    .await;
    let program = created_id(
        app.post(
            &token,
            "/api/v1/outputs",
            json!({"name": "Rehearsal", "mode": "program"}),
        )
        .await,
        "a program",
    )
    .await;
    let relay = created_id(
        app.post(
            &token,
            "/api/v1/outputs",
            json!({"name": "Relay", "mode": "relay", "camera_id": r.dock}),
        )
        .await,
        "a relay",
    )
    .await;
    let path = |what: &str| format!("/api/v1/timelines/{id}/{what}");

    step("1: stopped: its status says so; controls are 409; history is empty");
    let v = app.get_json(&token, &path("status")).await;
    assert_eq!(v["state"], "stopped");
    for what in ["stop", "pause", "resume", "skip"] {
        let resp = app.post(&token, &path(what), json!({})).await;
        assert_problem(resp, 409, None).await;
    }
    assert_eq!(app.get_json(&token, &path("runs")).await, json!([]));

    step("2: bad starts: past the end, a relay, an output that is not there (422 by field)");
    let resp = app
        .post(
            &token,
            &path("start"),
            json!({"output_id": program, "position_s": 31}),
        )
        .await;
    assert_problem(resp, 422, Some("position_s")).await;
    let resp = app
        .post(&token, &path("start"), json!({"output_id": relay}))
        .await;
    assert_problem(resp, 422, Some("output_id")).await;
    let resp = app
        .post(&token, &path("start"), json!({"output_id": 999}))
        .await;
    assert_problem(resp, 422, Some("output_id")).await;
    assert_eq!(app.get_json(&token, &path("runs")).await, json!([]));

    step("3: started at 12 s on the program (which starts with it): running, cue 1");
    let resp = app
        .post(
            &token,
            &path("start"),
            json!({"output_id": program, "position_s": 12}),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let output = app
        .get_json(&token, &format!("/api/v1/outputs/{program}"))
        .await;
    assert_eq!(output["running"], true);
    let v = common::wait::wait_until(
        std::time::Duration::from_secs(5),
        "a position",
        async || {
            let v = app.get_json(&token, &path("status")).await;
            if v["position"].is_object() {
                Ok(v)
            } else {
                Err(v)
            }
        },
    )
    .await;
    assert_eq!(v["state"], "running");
    assert_eq!(v["position"]["cue"]["index"], 1);
    assert_eq!(v["run"]["started_by"], "operator");
    // The live position is an event too (the stream opens with it).
    let mut events = app.get(&token, "/api/v1/events").await.bytes_stream();
    let seen = common::wait::read_events_until(
        &mut events,
        std::time::Duration::from_secs(5),
        "a timeline.position event",
        |read| {
            read.contains("event: timeline.position")
                && read.contains(&format!("\"timeline_id\":{id}"))
        },
    )
    .await;
    assert!(seen.contains("\"next_cue\""), "{seen}");
    drop(events);

    step("4: pause, seek (refused past the end), skip, pin an unknown camera, pin, release");
    let v: Value = app
        .post(&token, &path("pause"), json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["state"], "paused");
    let at = v["position"]["position_s"].as_f64().unwrap();
    let resp = app
        .post(&token, &path("seek"), json!({"position_s": 45}))
        .await;
    assert_problem(resp, 422, Some("position_s")).await;
    let v: Value = app
        .post(&token, &path("seek"), json!({"position_s": 25}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        v["state"], "paused",
        "a seek keeps a paused timeline paused"
    );
    assert_eq!(v["position"]["position_s"], 25.0);
    assert_eq!(v["position"]["cue"]["index"], 2);
    assert!(at >= 12.0);
    let v: Value = app
        .post(&token, &path("skip"), json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        v["position"]["loops"], 1,
        "a looping timeline skips into its next pass"
    );
    assert_eq!(v["position"]["position_s"], 0.0);
    let resp = app
        .post(&token, &path("pin"), json!({"camera_id": 999}))
        .await;
    assert_problem(resp, 422, Some("camera_id")).await;
    let v: Value = app
        .post(&token, &path("pin"), json!({"camera_id": r.yard}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["position"]["pinned_camera_id"], r.yard);
    assert_eq!(v["position"]["camera_id"], r.yard);
    let v: Value = app
        .post(&token, &path("pin"), json!({"camera_id": null}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["position"]["pinned_camera_id"], Value::Null);
    let v: Value = app
        .post(&token, &path("resume"), json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["state"], "running");

    step("5: one timeline per output: another is refused, then replaces it when asked");
    let doc = app.get_json(&token, &path("export")).await;
    let resp = app
        .post(&token, "/api/v1/timelines/import", json!({"timeline": doc}))
        .await;
    let imported: Value = resp.json().await.unwrap();
    let other = imported["timeline"]["id"].as_i64().expect("the copy's id");
    let other_start = format!("/api/v1/timelines/{other}/start");
    let resp = app
        .post(&token, &other_start, json!({"output_id": program}))
        .await;
    let p = assert_problem(resp, 409, None).await;
    assert!(p["detail"].as_str().unwrap().contains("Harbour day"), "{p}");
    let resp = app
        .post(
            &token,
            &other_start,
            json!({"output_id": program, "replace": true}),
        )
        .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(
        app.get_json(&token, &path("status")).await["state"],
        "stopped"
    );
    let runs = app.get_json(&token, &path("runs")).await;
    assert_eq!(runs[0]["end_reason"], "replaced");

    step("6: the emergency stop ends it; the output is off air");
    let resp = app
        .post(&token, "/api/v1/outputs/stop-all", json!({}))
        .await;
    assert!(resp.status().is_success(), "{}", resp.status());
    let runs = app
        .get_json(&token, &format!("/api/v1/timelines/{other}/runs"))
        .await;
    assert_eq!(runs[0]["end_reason"], "emergency_stop");
    assert_eq!(
        app.get_json(&token, &format!("/api/v1/timelines/{other}/status"))
            .await["state"],
        "stopped"
    );
}
