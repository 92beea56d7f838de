//! The console's PTZ pad and presets in a real browser (Debian's Chromium driven by
//! playwright-core, in lockstep with this test over stdin/stdout: tests/browser/ptz-pad.mjs,
//! ptz-presets.mjs), against the simulated ONVIF camera; positions are read from the simulated
//! head itself.

mod common;

use std::time::Duration;

use common::browser::Browser;
use common::fixtures::{add_ptz_camera, ptz_options, wait_head, wait_ptz};
use common::{Appliance, step};
use serde_json::json;
use vistterstream_sim::rig::{PASSWORD, PtzRig, PtzRigConfig, near};

/// One browser at a time: two Chromiums and cameras at once starve two cores.
static ONE_BROWSER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Holding an arrow moves the camera's head, releasing it stops the head, and a preset chosen
/// in the list is recalled.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ptz_pad_on_the_page_moves_stops_and_recalls_presets() {
    let _one = ONE_BROWSER.lock().await;
    let rig = PtzRig::start(PtzRigConfig::default()).expect("PTZ rig");
    let app = Appliance::start_with(ptz_options()).await;
    let token = app.admin_token().await;
    let id = add_ptz_camera(&app, &token, &rig, PASSWORD).await;
    wait_ptz(&app, &token, id, "up", Duration::from_secs(15)).await;
    step("1: a preset Harbour, then the head elsewhere");
    rig.head.place([-0.3, 0.4, 0.2]);
    let r = app
        .post(
            &token,
            &format!("/api/v1/cameras/{id}/presets"),
            json!({"name": "Harbour"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    rig.head.place([-0.9, 0.0, 0.0]);

    step("2: the browser logs in and holds ▶ on the pad: the head moves");
    let mut browser = Browser::start(
        "ptz-pad.mjs",
        &[
            &app.url(""),
            "admin",
            common::ADMIN_PASSWORD,
            &id.to_string(),
            "Harbour",
        ],
    );
    browser.expect("READY").await;
    browser.expect("HOLDING").await;
    assert!(rig.head.moving().0, "holding ▶ does not move the head");
    assert!(rig.head.position()[0] > -0.9, "{:?}", rig.head.position());
    step("3: releasing ▶ stops the head");
    browser.next().await;
    browser.expect("RELEASED").await;
    wait_head(
        &rig,
        Duration::from_secs(2),
        "the head to stop on release",
        |h| h.moving() == (false, false),
    )
    .await;
    step("4: choosing Harbour in the list recalls it");
    browser.next().await;
    let settled = browser.expect("SETTLED").await;
    assert!(settled.contains("Settled in"), "{settled}");
    assert!(
        near(rig.head.position(), [-0.3, 0.4, 0.2]),
        "{:?}",
        rig.head.position()
    );
    browser.finish().await;
}

/// A preset captured through the presets form with a typed name holds the head's position;
/// its "Go" brings the head back there from elsewhere, and the page says how long it took.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_preset_captured_on_the_page_brings_the_head_back_with_go() {
    let _one = ONE_BROWSER.lock().await;
    let rig = PtzRig::start(PtzRigConfig::default()).expect("PTZ rig");
    let app = Appliance::start_with(ptz_options()).await;
    let token = app.admin_token().await;
    let id = add_ptz_camera(&app, &token, &rig, PASSWORD).await;
    wait_ptz(&app, &token, id, "up", Duration::from_secs(15)).await;
    let mut b = Browser::start(
        "ptz-presets.mjs",
        &[
            &app.url(""),
            "admin",
            common::ADMIN_PASSWORD,
            &id.to_string(),
            "Pier",
        ],
    );
    assert_eq!(b.expect("SIGNED_IN").await, "admin admin");
    let pier = [0.35, -0.25, 0.4];
    rig.head.place(pier);
    b.next().await;

    step("1: \"Pier\" typed into the presets form and saved: listed with the head's position");
    let captured = b.json("CAPTURED").await;
    assert_eq!(captured["cards"], json!(["Pier"]), "{captured}");
    assert_eq!(
        captured["position"], "Pan 0.35 · Tilt -0.25 · Zoom 0.40",
        "{captured}"
    );
    let list = app
        .get_json(&token, &format!("/api/v1/cameras/{id}/presets"))
        .await;
    let list = list.as_array().cloned().unwrap_or_default();
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0]["name"], "Pier", "{list:?}");
    let stored = |k: &str| list[0][k].as_f64().unwrap_or(f64::NAN) as f32;
    assert!(
        near([stored("pan"), stored("tilt"), stored("zoom")], pier),
        "stored {:?}, the head was at {pier:?}",
        list[0]
    );

    step("2: the head elsewhere; the preset's Go brings it back");
    rig.head.place([-0.7, 0.6, 0.1]);
    b.next().await;
    let settled = b.expect("SETTLED").await;
    assert!(
        settled.starts_with("Settled in ") && settled.contains(" ms"),
        "{settled}"
    );
    assert!(
        near(rig.head.position(), pier),
        "the head is at {:?}, Pier is {pier:?}",
        rig.head.position()
    );
    b.next().await;
    b.finish().await;
}
