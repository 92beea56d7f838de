//! The console's camera pages in a real browser: Debian's Chromium driven by playwright-core,
//! in lockstep with this test over stdin/stdout (tests/browser/console-*.mjs), against the real
//! appliance and simulated RTSP and ONVIF cameras: signing in, the camera form and its
//! connection test, live previews, field errors, discovery, an ended session. The browser
//! reports what a person sees (texts, the player's time and frames, a frame's pixels); this
//! side checks it against the API and the cameras.

mod common;

use std::time::Duration;

use common::browser::{Browser, assert_plays};
use common::fixtures::{add_sim_camera, ptz_options, wait_camera, wait_ptz};
use common::problem::assert_problem;
use common::{ADMIN_PASSWORD, Appliance, sim, step};
use serde_json::{Value, json};
use vistterstream_sim::discovery::{Announcement, SimDiscovery};
use vistterstream_sim::rig::{self, PtzRig, PtzRigConfig};

/// One browser at a time: two Chromiums, encoders and cameras at once starve two cores.
static ONE_BROWSER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Signing in, adding a camera through its form (a failed and a passed connection test), its
/// live preview, the API's field errors next to their fields, and the preview coming back
/// after the camera's outage.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_adds_a_camera_and_watches_it_in_the_console() {
    let _one = ONE_BROWSER.lock().await;
    let mut cam = sim("Yard", "yard-user", "yard-pass");
    let app = Appliance::start().await;
    let token = app.admin_token().await;
    let mut b = Browser::start(
        "console-cameras.mjs",
        &[
            &app.url(""),
            "admin",
            ADMIN_PASSWORD,
            &cam.url(),
            "yard-user",
            "yard-pass",
            "not-the-password",
            "Yard",
        ],
    );

    step("1: a wrong password is refused on the sign-in form; the right one signs in");
    let refused = b.expect("SIGNIN_REFUSED").await;
    assert!(refused.contains("Wrong username or password"), "{refused}");
    b.next().await;
    assert_eq!(
        b.expect("SIGNED_IN").await,
        "admin admin",
        "the header's user and role"
    );
    b.next().await;

    step("2: the camera form: the test fails with the wrong password, passes with the right one");
    let failed = b.expect("TEST_FAILED").await;
    assert!(failed.contains("Wrong username or password"), "{failed}");
    assert_eq!(cameras(&app, &token).await.len(), 0, "a test saves nothing");
    b.next().await;
    let ok = b.expect("TEST_OK").await;
    assert!(
        ok.contains("Connected.") && ok.contains("h264") && ok.contains("640×360"),
        "{ok}"
    );
    b.next().await;
    let saved = b.expect("SAVED").await;
    let list = cameras(&app, &token).await;
    assert_eq!(list.len(), 1, "{list:?}");
    let id = list[0]["id"].as_i64().expect("camera id");
    assert_eq!(list[0]["name"], "Yard");
    assert_eq!(list[0]["has_password"], true);
    assert_eq!(
        saved,
        format!("/cameras/{id}"),
        "the page of the new camera"
    );
    wait_camera(&app, &token, id, "streaming", Duration::from_secs(20)).await;
    b.next().await;
    let listed: Value = b.json("LISTED").await;
    assert_eq!(listed, json!(["Yard"]), "the Cameras page lists it");
    b.next().await;

    step("3: its live preview plays: time and frames advance, the picture is not blank");
    assert_plays(&b.json("PLAYING").await, "camera Yard's preview");
    b.next().await;

    step("4: the API's field errors show next to the field they name");
    // What the API says to the same mistakes, field by field.
    let port_error = api_field_error(
        &app,
        &token,
        json!({"name": "Bad port", "host": "127.0.0.1", "port": 70000}),
        "port",
    )
    .await;
    let name_error = api_field_error(
        &app,
        &token,
        json!({"name": "", "host": "127.0.0.1", "port": 8554}),
        "name",
    )
    .await;
    let port = b.json("PORT_ERROR").await;
    assert_field_shows(&port, &port_error);
    b.next().await;
    let name = b.json("NAME_ERROR").await;
    assert_field_shows(&name, &name_error);
    assert_eq!(
        name["portAfter"]["invalid"],
        Value::Null,
        "the corrected port shows no error: {name}"
    );
    assert_eq!(cameras(&app, &token).await.len(), 1, "nothing was added");
    b.next().await;

    step("5: the camera goes away and comes back: the page shows it, then plays again");
    b.expect("WATCHING").await;
    cam.stop();
    b.next().await;
    let down = b.json("DOWN").await;
    assert_ne!(down["badge"], "streaming", "{down}");
    assert!(
        down["picture"]
            .as_array()
            .is_some_and(|n| n.iter().any(|t| t.as_str().is_some_and(|t| !t.is_empty()))),
        "the picture says why it has none: {down}"
    );
    cam.restart().expect("camera back");
    b.next().await;
    let again = b.json("RECOVERED").await;
    assert_eq!(again["sameDocument"], true, "no reload: {again}");
    assert_plays(&again, "the preview after the outage");
    b.next().await;
    b.finish().await;
}

/// Discovery in the console: the Discover tab finds the simulated PTZ camera (WS-Discovery on
/// loopback and an RTSP scan of 127.0.0.1) and adds it with one click; it then streams.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_discovers_the_simulated_camera_and_adds_it() {
    let _one = ONE_BROWSER.lock().await;
    let rig = PtzRig::start(PtzRigConfig {
        path: "/Streaming/Channels/101".into(),
        ..Default::default()
    })
    .expect("PTZ rig");
    let ws_port = std::net::UdpSocket::bind("127.0.0.1:0")
        .and_then(|s| s.local_addr())
        .map(|a| a.port())
        .expect("a free UDP port");
    let responder = SimDiscovery::start(
        ws_port,
        Announcement {
            endpoint: "urn:uuid:5f0c7a4e-0000-4000-8000-000000000002".into(),
            xaddr: rig.device.device_url(),
            name: "Dock PTZ".into(),
            hardware: "SIM-PTZ".into(),
        },
    )
    .expect("WS-Discovery responder");
    let mut options = ptz_options();
    options.extra_env.push((
        "VISTTER_DISCOVERY__WS_DISCOVERY_PORT".into(),
        ws_port.to_string(),
    ));
    let app = Appliance::start_with(options).await;
    let token = app.admin_token().await;
    let mut b = Browser::start(
        "console-discovery.mjs",
        &[
            &app.url(""),
            "admin",
            ADMIN_PASSWORD,
            "lo",
            "127.0.0.1",
            &rig.camera.port().to_string(),
            rig::USER,
            rig::PASSWORD,
        ],
    );

    step("1: the search lists the camera once, found both ways, with its stream");
    let found = b.json("FOUND").await;
    assert!(
        responder.probes() >= 1,
        "the probe never reached the responder"
    );
    assert!(
        found["heading"]
            .as_str()
            .is_some_and(|h| h.starts_with("1 found")),
        "{found}"
    );
    let c = &found["candidates"][0];
    assert_eq!(c["name"], "Dock PTZ", "{found}");
    assert_eq!(c["sources"], "ws-discovery + rtsp-scan", "{found}");
    let details = c["details"].as_str().unwrap_or("");
    assert!(details.contains(&rig.camera.url()), "{found}");
    assert!(!found.to_string().contains(rig::PASSWORD), "{found}");
    b.next().await;

    step("2: one click adds it; it streams and its PTZ is up");
    let page = b.expect("ADDED").await;
    let list = cameras(&app, &token).await;
    assert_eq!(list.len(), 1, "{list:?}");
    let id = list[0]["id"].as_i64().expect("camera id");
    assert_eq!(page, format!("/cameras/{id}"));
    assert_eq!(
        (&list[0]["name"], &list[0]["kind"]),
        (&json!("Dock PTZ"), &json!("ptz"))
    );
    wait_camera(&app, &token, id, "streaming", Duration::from_secs(20)).await;
    wait_ptz(&app, &token, id, "up", Duration::from_secs(15)).await;
    b.next().await;
    b.finish().await;
}

/// A session that ends while a camera's page is open: the page turns into the sign-in form
/// with a notice by itself, and signing in again brings the operator back to that camera.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ended_session_asks_to_sign_in_and_returns_to_the_same_page() {
    let _one = ONE_BROWSER.lock().await;
    let cam = sim("Yard", "u", "p");
    let app = Appliance::start().await;
    let token = app.admin_token().await;
    let id = add_sim_camera(&app, &token, &cam, "Yard").await;
    wait_camera(&app, &token, id, "streaming", Duration::from_secs(20)).await;
    let mut b = Browser::start(
        "console-session.mjs",
        &[
            &app.url(""),
            "admin",
            ADMIN_PASSWORD,
            &id.to_string(),
            "Yard",
        ],
    );

    step("1: signed in, on the camera's page");
    let on = b.json("ON_PAGE").await;
    assert_eq!(on["path"], format!("/cameras/{id}"), "{on}");
    b.next().await;

    step("2: the appliance ends the browser's session (the browser keeps its cookie)");
    let session = b.expect("SESSION").await;
    let r = app
        .send(reqwest::Method::GET, &session, "/api/v1/auth/me", None)
        .await;
    assert_eq!(r.status(), 200, "the browser's cookie is its session");
    let r = app
        .send(reqwest::Method::POST, &session, "/api/v1/auth/logout", None)
        .await;
    assert_eq!(r.status(), 204, "logging the session out");
    let r = app
        .send(reqwest::Method::GET, &session, "/api/v1/auth/me", None)
        .await;
    assert_eq!(r.status(), 401, "the session is over");
    b.next().await;

    step("3: the page shows the sign-in form with a notice, at the same address");
    let out = b.json("SIGNED_OUT").await;
    assert_eq!(out["heading"], "Sign in", "{out}");
    assert_eq!(out["path"], format!("/cameras/{id}"), "{out}");
    assert_eq!(out["cookieKept"], true, "{out}");
    let notice = out["notice"].as_str().unwrap_or("");
    assert!(notice.contains("session has ended"), "{out}");
    b.next().await;

    step("4: signed in again: back on the camera's page, the camera streaming");
    let back = b.json("BACK").await;
    assert_eq!(back["path"], format!("/cameras/{id}"), "{back}");
    assert_eq!(back["title"], "Yard", "{back}");
    assert_eq!(back["badge"], "streaming", "{back}");
    assert_eq!(back["who"], "admin admin", "{back}");
    assert_eq!(back["sameDocument"], true, "no reload: {back}");
    b.next().await;
    b.finish().await;
}

/// The message the API gives for `field` when a camera `body` is refused (422).
async fn api_field_error(app: &Appliance, token: &str, body: Value, field: &str) -> String {
    let p = assert_problem(app.post(token, "/api/v1/cameras", body).await, 422, None).await;
    p["errors"]
        .as_array()
        .and_then(|e| e.iter().find(|e| e["field"] == field))
        .and_then(|e| e["message"].as_str())
        .or_else(|| {
            (p["field"] == field)
                .then(|| p["detail"].as_str())
                .flatten()
        })
        .unwrap_or_else(|| panic!("the API names no {field}: {p}"))
        .to_string()
}

/// The input is marked invalid and described (aria-describedby) by its field's error, which
/// says what the API said.
fn assert_field_shows(seen: &Value, message: &str) {
    assert_eq!(seen["invalid"], "true", "{seen}");
    assert_eq!(seen["fieldError"], message, "the field's error: {seen}");
    assert!(
        seen["described"]
            .as_array()
            .is_some_and(|d| d.iter().any(|t| t == message)),
        "the input is described by its error: {seen}"
    );
}

async fn cameras(app: &Appliance, token: &str) -> Vec<Value> {
    let v = app.get_json(token, "/api/v1/cameras").await;
    v.as_array()
        .or_else(|| v["items"].as_array())
        .cloned()
        .unwrap_or_default()
}
