//! Schedules through the API (TL-5), against the real appliance: stored with their next
//! start and stop (DST-correct), refused by field with nothing stored, overlaps named by
//! their window; and on a simulated clock a window opening starts its timeline on the
//! output and its closing stops both.

mod common;

use std::time::Duration;

use common::fixtures::{add_camera, created_id};
use common::problem::assert_problem;
use common::wait::wait_until;
use common::{Appliance, Options, step};
use serde_json::{Value, json};

/// The appliance with the schedules' clock starting at `start`, `rate` times as fast.
async fn appliance_at(start: &str, rate: f64) -> Appliance {
    let mut options = Options::default();
    options.extra_env.extend([
        ("VISTTER_SCHEDULES__SIMULATED_START".into(), start.into()),
        ("VISTTER_SCHEDULES__SIMULATED_RATE".into(), rate.to_string()),
    ]);
    Appliance::start_with(options).await
}

async fn program(app: &Appliance, token: &str, name: &str) -> i64 {
    created_id(
        app.post(
            token,
            "/api/v1/outputs",
            json!({"name": name, "mode": "program"}),
        )
        .await,
        "a program",
    )
    .await
}

async fn timeline(app: &Appliance, token: &str, camera: i64, looping: bool) -> i64 {
    created_id(
        app.post(
            token,
            "/api/v1/timelines",
            json!({"name": format!("Show {looping}"), "duration_s": 20, "loop": looping,
                   "tracks": [{"kind": "video", "cues": [
                       {"start_s": 0, "duration_s": 20, "camera_id": camera}]}]}),
        )
        .await,
        "a timeline",
    )
    .await
}

async fn count(app: &Appliance, token: &str) -> usize {
    app.get_json(token, "/api/v1/schedules")
        .await
        .as_array()
        .map_or(0, Vec::len)
}

#[tokio::test]
async fn schedules_are_validated_and_say_when_they_open_across_a_dst_change() {
    // Saturday 30 March 2024, noon UTC: Europe/Berlin goes to summer time that night.
    let app = appliance_at("2024-03-30T12:00:00Z", 1.0).await;
    let token = app.admin_token().await;
    let camera = add_camera(&app, &token, json!({"name": "Dock", "host": "127.0.0.1"})).await;
    let out = program(&app, &token, "Program").await;
    let show = timeline(&app, &token, camera, true).await;
    let body = |name: &str, start: &str, end: &str| {
        json!({"name": name, "output_id": out, "time_zone": "Europe/Berlin",
               "days": ["sunday"], "start": start, "end": end, "timeline_ids": [show]})
    };

    step("1: 01:00–05:00 on the night the clocks go forward lasts three hours");
    let r = app
        .post(&token, "/api/v1/schedules", body("Night", "01:00", "05:00"))
        .await;
    assert_eq!(r.status(), 201);
    let s: Value = r.json().await.unwrap();
    assert_eq!(s["next_start"], "2024-03-31T01:00:00+01:00", "{s}");
    assert_eq!(s["next_stop"], "2024-03-31T05:00:00+02:00", "{s}");
    assert_eq!(s["open"], false);
    let id = s["id"].as_i64().unwrap();

    step("2: bad input is refused by field, and nothing is stored");
    let before = count(&app, &token).await;
    let r = app
        .post(&token, "/api/v1/schedules", body("Bad", "25:00", "05:00"))
        .await;
    assert_problem(r, 422, Some("start")).await;
    let mut b = body("Bad", "06:00", "07:00");
    b["time_zone"] = json!("Mars/Olympus");
    assert_problem(
        app.post(&token, "/api/v1/schedules", b).await,
        422,
        Some("time_zone"),
    )
    .await;
    let mut b = body("Bad", "06:00", "07:00");
    b["timeline_ids"] = json!([999]);
    assert_problem(
        app.post(&token, "/api/v1/schedules", b).await,
        422,
        Some("timeline_ids[0]"),
    )
    .await;
    let p = assert_problem(
        app.post(
            &token,
            "/api/v1/schedules",
            body("Overlap", "04:00", "06:00"),
        )
        .await,
        422,
        Some("start"),
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("Night"), "{p}");
    assert_eq!(count(&app, &token).await, before);

    step("3: a timeline or output a schedule uses cannot be deleted (409 naming it)");
    let r = app
        .delete(&token, &format!("/api/v1/timelines/{show}"))
        .await;
    let p = assert_problem(r, 409, None).await;
    assert!(p["detail"].as_str().unwrap().contains("Night"), "{p}");
    let r = app.delete(&token, &format!("/api/v1/outputs/{out}")).await;
    assert_problem(r, 409, None).await;

    step("4: PATCH disables it: no next start; DELETE removes it");
    let r = app
        .patch(
            &token,
            &format!("/api/v1/schedules/{id}"),
            json!({"enabled": false}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let s: Value = r.json().await.unwrap();
    assert_eq!(s["next_start"], Value::Null);
    let r = app.delete(&token, &format!("/api/v1/schedules/{id}")).await;
    assert_eq!(r.status(), 204);
    assert_eq!(count(&app, &token).await, before - 1);
}

#[tokio::test]
async fn a_window_opening_and_closing_starts_and_stops_its_timeline_on_the_output() {
    // Four seconds before Saturday 10:00 UTC, four times as fast: the window 10:00–10:01
    // opens after a second of real time and closes 15 s later.
    let app = appliance_at("2026-12-05T09:59:56Z", 4.0).await;
    let token = app.admin_token().await;
    let camera = add_camera(&app, &token, json!({"name": "Dock", "host": "127.0.0.1"})).await;
    let out = program(&app, &token, "Program").await;
    let show = timeline(&app, &token, camera, true).await;
    let r = app
        .post(
            &token,
            "/api/v1/schedules",
            json!({"name": "Saturday", "output_id": out, "time_zone": "UTC",
                   "days": ["saturday"], "start": "10:00", "end": "10:01",
                   "timeline_ids": [show]}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();

    step("1: the window opens: the timeline runs on the output, started by the schedule");
    let status = wait_until(Duration::from_secs(10), "the window to open", async || {
        let v = app
            .get_json(&token, &format!("/api/v1/timelines/{show}/status"))
            .await;
        if v["state"] == "running" {
            Ok(v)
        } else {
            Err(v)
        }
    })
    .await;
    assert_eq!(status["run"]["started_by"], "schedule");
    assert_eq!(status["run"]["schedule_id"], id);
    let o = app
        .get_json(&token, &format!("/api/v1/outputs/{out}"))
        .await;
    assert_eq!(o["running"], true, "the schedule put the output on air");
    let s = app
        .get_json(&token, &format!("/api/v1/schedules/{id}"))
        .await;
    assert_eq!(s["open"], true);
    assert_eq!(s["on_air_timeline_id"], show);

    step("2: it closes: the run ends (window_closed) and the output goes off air");
    wait_until(Duration::from_secs(30), "the window to close", async || {
        let runs = app
            .get_json(&token, &format!("/api/v1/timelines/{show}/runs"))
            .await;
        if runs[0]["end_reason"] == "window_closed" {
            Ok(())
        } else {
            Err(runs)
        }
    })
    .await;
    let o = wait_until(Duration::from_secs(10), "the output off air", async || {
        let o = app
            .get_json(&token, &format!("/api/v1/outputs/{out}"))
            .await;
        if o["running"] == false { Ok(o) } else { Err(o) }
    })
    .await;
    assert_eq!(o["status"]["state"], "stopped");
    let s = app
        .get_json(&token, &format!("/api/v1/schedules/{id}"))
        .await;
    assert_eq!(s["open"], false);
    assert_eq!(
        s["next_start"], "2026-12-12T10:00:00+00:00",
        "a week later: {s}"
    );

    step("3: run now outside the window: on air until stopped");
    let r = app
        .post(
            &token,
            &format!("/api/v1/schedules/{id}/run-now"),
            json!({}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let s: Value = r.json().await.unwrap();
    assert_eq!(s["manual"], true);
    assert_eq!(s["on_air_timeline_id"], show);
    let r = app
        .post(&token, &format!("/api/v1/schedules/{id}/stop"), json!({}))
        .await;
    assert_eq!(r.status(), 200);
    let runs = app
        .get_json(&token, &format!("/api/v1/timelines/{show}/runs"))
        .await;
    assert_eq!(runs[0]["end_reason"], "schedule_stopped");
}
