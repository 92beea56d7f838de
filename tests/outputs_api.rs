//! The outputs API around a running output: bad input refused naming the field, conflicts,
//! state changes as server-sent events, stop-all (cameras keep running), and what deleting a
//! camera does to the outputs that use it. One simulated camera in, nginx-rtmp out.

mod common;

use std::time::Duration;

use common::fixtures::{
    add_destination, add_streaming_camera, create_output, destination_state, output,
    start_output_until, stop_output,
};
use common::ingest::Nginx;
use common::problem::{assert_invalid, assert_problem};
use common::wait::read_events_until;
use common::{Appliance, sim, step};
use serde_json::{Value, json};

#[actix_web::test]
async fn bad_output_input_is_refused_and_stop_all_leaves_cameras_running() {
    let cam = sim("E", "u", "p");
    let app = Appliance::start().await;
    let token = app.admin_token().await;
    let cam_id = add_streaming_camera(&app, &token, &cam, "E").await;
    let ingest = Nginx::start();
    let d = add_destination(&app, &token, "one", &ingest.server_url(), "stop-all-key").await;

    step("1: bad outputs are refused naming the field, and nothing is stored");
    for (body, field) in [
        (
            json!({"name": "x", "destination_ids": [d, 999]}),
            "destination_ids[1]",
        ),
        (
            json!({"name": "x", "profile": {"fps": 120}, "camera_id": 999}),
            "profile.fps",
        ),
        (json!({"name": "x", "camera_id": 999}), "camera_id"),
        (
            json!({"name": "x", "slate_asset_id": 999}),
            "slate_asset_id",
        ),
        (json!({"name": "x", "mode": "relay"}), "camera_id"),
    ] {
        eprintln!("case {body}");
        assert_invalid(app.post(&token, "/api/v1/outputs", body).await, &[field]).await;
    }
    assert_eq!(
        app.get_json(&token, "/api/v1/outputs").await,
        json!([]),
        "nothing stored"
    );

    step("2: conflicts: a relay without destinations, a bad cut, a destination in use");
    let idle_relay = create_output(
        &app,
        &token,
        json!({"name": "Idle relay", "mode": "relay", "camera_id": cam_id}),
    )
    .await;
    let r = app
        .post(
            &token,
            &format!("/api/v1/outputs/{idle_relay}/start"),
            json!({}),
        )
        .await;
    assert_problem(r, 409, None).await;
    // A program without destinations runs for its preview (a rehearsal).
    let rehearsal = create_output(&app, &token, json!({"name": "Rehearsal"})).await;
    start_output_until(&app, &token, rehearsal, "the rehearsal is live", |v| {
        v["status"]["state"] == "live" && v["status"]["showing"]["kind"] == "slate"
    })
    .await;
    stop_output(&app, &token, rehearsal).await;

    let out = create_output(&app, &token, json!({"name": "P", "camera_id": cam_id, "destination_ids": [d], "profile": {"width": 320, "height": 180, "video_bitrate_kbps": 300}})).await;
    // A cut to an unknown camera, and one without a camera.
    let cut = format!("/api/v1/outputs/{out}/cut");
    for body in [json!({"camera_id": 4242}), json!({})] {
        eprintln!("case {body}");
        assert_invalid(app.post(&token, &cut, body).await, &["camera_id"]).await;
    }
    let r = app
        .delete(&token, &format!("/api/v1/destinations/{d}"))
        .await;
    assert_eq!(r.status(), 409);

    step("3: the output goes live; its state changes go out as server-sent events");
    let events = app.get(&token, "/api/v1/events").await;
    assert_eq!(events.status(), 200);
    let mut events = events.bytes_stream();
    start_output_until(&app, &token, out, "live", |v| {
        destination_state(v, d) == "live"
    })
    .await;
    let seen = read_events_until(
        &mut events,
        Duration::from_secs(10),
        "output events",
        |seen| {
            seen.contains("event: output.state")
                && seen.contains("event: destination.state")
                && seen.contains("\"state\":\"live\"")
        },
    )
    .await;
    assert!(seen.contains(&format!("\"output_id\":{out}")), "{seen}");
    assert!(!seen.contains("stop-all-key"), "no stream key in events");
    // A client connecting now starts from the current state of outputs and destinations.
    let mut late = app.get(&token, "/api/v1/events").await.bytes_stream();
    let opening = read_events_until(
        &mut late,
        Duration::from_secs(10),
        "the opening states",
        |opening| {
            opening.contains("event: output.state") && opening.contains("event: destination.state")
        },
    )
    .await;
    assert!(opening.contains("\"state\":\"live\""), "{opening}");

    step("4: stop-all stops the output; the ingest loses it; the camera keeps streaming");
    let r = app
        .post(&token, "/api/v1/outputs/stop-all", json!({}))
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["stopped"], json!([out]));
    let v = output(&app, &token, out).await;
    assert_eq!(
        (v["running"].clone(), v["status"]["state"].clone()),
        (json!(false), json!("stopped"))
    );
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(
        ingest.publishing().await.is_empty(),
        "the ingest lost its publisher"
    );
    let c = app
        .get_json(&token, &format!("/api/v1/cameras/{cam_id}"))
        .await;
    assert_eq!(
        c["status"]["state"], "streaming",
        "cameras keep running: {c}"
    );

    step("5: deleting the camera stops a relay on it; a program keeps its slot, no camera");
    let relay = create_output(
        &app,
        &token,
        json!({"name": "R", "mode": "relay", "camera_id": cam_id, "destination_ids": [d]}),
    )
    .await;
    start_output_until(&app, &token, relay, "relay live", |v| {
        v["status"]["state"] == "live"
    })
    .await;
    let r = app
        .delete(&token, &format!("/api/v1/cameras/{cam_id}"))
        .await;
    assert_eq!(r.status(), 204);
    let v = output(&app, &token, relay).await;
    assert_eq!(
        (
            v["running"].clone(),
            v["status"]["state"].clone(),
            v["camera_id"].clone()
        ),
        (json!(false), json!("stopped"), Value::Null),
        "{v}"
    );
    let v = output(&app, &token, out).await;
    assert_eq!(v["camera_id"], Value::Null);
}
