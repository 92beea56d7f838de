//! PTZ (PTZ-1..4) and discovery (CAM-5) through the appliance's API, against real peers:
//! the simulated ONVIF device (crate onvif-server) whose head moves the simulated RTSP
//! camera's picture, ipycam (a non-conformant ONVIF camera), xmllint with the ONVIF schemas
//! on what our client sent, and WS-Discovery on loopback. Positions are read from the
//! simulated head itself, never from what the appliance says.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{Appliance, Options, metric, tail};
use serde_json::{Value, json};
use vistterstream_sim::discovery::{Announcement, SimDiscovery};
use vistterstream_sim::onvif::{SimOnvif, SimOnvifConfig};
use vistterstream_sim::ptz::PtzHead;
use vistterstream_sim::{SimCamera, SimCameraConfig};

const USER: &str = "operator";
const PASSWORD: &str = "ptz-secret-8c1f";

fn options() -> Options {
    let mut o = Options::default();
    o.extra_env.extend([
        ("VISTTER_PTZ__HEALTH_INTERVAL_MS".into(), "300".into()),
        ("VISTTER_PTZ__SETTLE_POLL_MS".into(), "100".into()),
    ]);
    o
}

/// A PTZ camera: the head, its RTSP picture and its ONVIF device (same credentials).
struct PtzRig {
    head: PtzHead,
    camera: SimCamera,
    device: SimOnvif,
}

fn rig(report_position: bool, path: &str) -> PtzRig {
    let head = PtzHead::new();
    let camera = SimCamera::start(SimCameraConfig {
        label: "PTZ".into(),
        path: path.into(),
        credentials: Some((USER.into(), PASSWORD.into())),
        ptz: Some(head.clone()),
        ..Default::default()
    })
    .expect("simulated PTZ camera");
    let device = SimOnvif::start(SimOnvifConfig {
        credentials: Some((USER.into(), PASSWORD.into())),
        stream_uri: camera.url(),
        report_position,
        head: head.clone(),
        ..SimOnvifConfig::default()
    })
    .expect("simulated ONVIF device");
    PtzRig {
        head,
        camera,
        device,
    }
}

async fn add_ptz_camera(app: &Appliance, token: &str, rig: &PtzRig, password: &str) -> i64 {
    let r = app
        .post(
            token,
            "/api/v1/cameras",
            json!({"name": "Dock PTZ", "kind": "ptz", "rtsp_url": rig.camera.url(),
                   "username": USER, "password": password, "onvif_port": rig.device.port()}),
        )
        .await;
    assert_eq!(r.status(), 201);
    r.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

async fn wait_ptz(app: &Appliance, token: &str, id: i64, want: &str, within: Duration) -> Value {
    let deadline = Instant::now() + within;
    loop {
        let r = app
            .get(token, &format!("/api/v1/cameras/{id}/ptz/status"))
            .await;
        if r.status() == 200 {
            let v: Value = r.json().await.unwrap();
            if v["state"] == want {
                return v;
            }
            assert!(
                Instant::now() < deadline,
                "PTZ {id} never became {want}: {v}\n{}",
                tail(&app.log(), 30)
            );
        } else {
            assert!(Instant::now() < deadline, "PTZ status {}", r.status());
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

/// Poll `cond` every 20 ms until it holds, or fail after `within`.
async fn until(within: Duration, what: &str, cond: impl Fn() -> bool) {
    let deadline = Instant::now() + within;
    while !cond() {
        assert!(Instant::now() < deadline, "waited {within:?} for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn near(a: [f32; 3], b: [f32; 3]) -> bool {
    a.iter().zip(b).all(|(x, y)| (x - y).abs() <= 0.01)
}

async fn problem(r: reqwest::Response, status: u16) -> Value {
    assert_eq!(r.status(), status);
    assert_eq!(
        r.headers()["content-type"].to_str().unwrap(),
        "application/problem+json"
    );
    r.json().await.unwrap()
}

/// Mean absolute difference of two JPEGs' pixels (0..255).
fn picture_difference(a: &[u8], b: &[u8]) -> f64 {
    let a = image::load_from_memory(a).expect("jpeg a").to_rgb8();
    let b = image::load_from_memory(b).expect("jpeg b").to_rgb8();
    assert_eq!(a.dimensions(), b.dimensions());
    let total: u64 = a
        .as_raw()
        .iter()
        .zip(b.as_raw())
        .map(|(x, y)| u64::from(x.abs_diff(*y)))
        .sum();
    total as f64 / a.as_raw().len() as f64
}

async fn bytes(app: &Appliance, token: &str, path: &str) -> Vec<u8> {
    let r = app.get(token, path).await;
    assert_eq!(r.status(), 200, "GET {path}");
    r.bytes().await.unwrap().to_vec()
}

fn peers_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/peers/site")
}

/// Every SOAP request the device received, checked with xmllint against the ONVIF schemas.
fn validate_soap(requests: &[String]) {
    let wsdl = peers_dir().join("onvif/wsdl");
    assert!(
        wsdl.is_dir(),
        "{} missing: run ./scripts/setup.sh (it unpacks onvif-zeep-async's schemas)",
        wsdl.display()
    );
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (i, body) in requests.iter().enumerate() {
        let f = dir.path().join(format!("request-{i:03}.xml"));
        std::fs::write(&f, body).unwrap();
        files.push(f);
    }
    let out = Command::new("python3")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers/validate_onvif_soap.py"))
        .arg("--wsdl-dir")
        .arg(&wsdl)
        .args(&files)
        .output()
        .expect("running the SOAP validator");
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "SOAP requests failed schema validation:\n{report}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The check covered the operations that matter.
    for op in [
        "GetSystemDateAndTime",
        "GetCapabilities",
        "GetProfiles",
        "ContinuousMove",
        "Stop",
        "AbsoluteMove",
        "RelativeMove",
        "GetStatus",
        "SetPreset",
        "RemovePreset",
    ] {
        assert!(
            report.contains(&format!(":{op}")),
            "{op} not sent:\n{report}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ptz_control_presets_and_reconnect_against_a_simulated_onvif_camera() {
    let mut rig = rig(true, "/ptz");
    let app = Appliance::start_with(options()).await;
    let token = app.admin_token().await;
    let id = add_ptz_camera(&app, &token, &rig, PASSWORD).await;
    app.wait_camera(&token, id, Duration::from_secs(20), |s| s == "streaming")
        .await;
    let status = wait_ptz(&app, &token, id, "up", Duration::from_secs(15)).await;
    assert_eq!(status["reports_position"], true);
    assert_eq!(status["device"]["model"], "VistterSim PTZ");
    assert!(
        status["device"]["ptz_url"]
            .as_str()
            .unwrap()
            .ends_with("/onvif/ptz_service")
    );

    // Continuous move: the head moves, then stops by itself after timeout_ms.
    let r = app
        .post(
            &token,
            &format!("/api/v1/cameras/{id}/ptz/move"),
            json!({"pan": 0.6, "timeout_ms": 1500}),
        )
        .await;
    assert_eq!(r.status(), 202);
    assert_eq!(r.json::<Value>().await.unwrap()["stops_after_ms"], 1500);
    until(Duration::from_secs(2), "the head to move", || {
        rig.head.moving().0
    })
    .await;
    until(Duration::from_secs(8), "the head to stop by itself", || {
        rig.head.moving() == (false, false)
    })
    .await;
    assert!(rig.head.position()[0] > 0.05);
    // An explicit stop.
    app.post(
        &token,
        &format!("/api/v1/cameras/{id}/ptz/move"),
        json!({"tilt": -0.5}),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let r = app
        .post(&token, &format!("/api/v1/cameras/{id}/ptz/stop"), json!({}))
        .await;
    assert_eq!(r.status(), 204);
    assert_eq!(rig.head.moving(), (false, false));

    // Absolute and relative moves land within 0.01 and report settled.
    let r = app
        .post(
            &token,
            &format!("/api/v1/cameras/{id}/ptz/absolute"),
            json!({"pan": -0.4, "tilt": 0.3, "zoom": 0.2}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let outcome: Value = r.json().await.unwrap();
    assert_eq!(outcome["settled"], true, "{outcome}");
    assert!(near(rig.head.position(), [-0.4, 0.3, 0.2]));
    let r = app
        .post(
            &token,
            &format!("/api/v1/cameras/{id}/ptz/relative"),
            json!({"pan": 0.2, "tilt": -0.1, "zoom": 0.0}),
        )
        .await;
    assert_eq!(r.status(), 200);
    assert!(
        near(rig.head.position(), [-0.2, 0.2, 0.2]),
        "{:?}",
        rig.head.position()
    );
    let status = app
        .get_json(&token, &format!("/api/v1/cameras/{id}/ptz/status"))
        .await;
    assert_eq!(status["pan_tilt"], "idle");
    assert!((status["position"]["pan"].as_f64().unwrap() + 0.2).abs() < 0.01);

    // Capture two presets at two places: stored coordinates, the camera's token, and a
    // thumbnail showing each place (the picture follows the head).
    let r = app
        .post(
            &token,
            &format!("/api/v1/cameras/{id}/presets"),
            json!({"name": "Dock"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let dock: Value = r.json().await.unwrap();
    assert!((dock["pan"].as_f64().unwrap() + 0.2).abs() < 0.01, "{dock}");
    let dock_token = dock["camera_token"].as_str().unwrap().to_string();
    assert!(rig.head.preset_position(&dock_token).is_some());
    app.post(
        &token,
        &format!("/api/v1/cameras/{id}/ptz/absolute"),
        json!({"pan": 0.8, "tilt": -0.6, "zoom": 0.7}),
    )
    .await;
    // Let the picture of the new place reach the appliance before the thumbnail.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let r = app
        .post(
            &token,
            &format!("/api/v1/cameras/{id}/presets"),
            json!({"name": "Pier"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let pier: Value = r.json().await.unwrap();
    let dock_id = dock["id"].as_i64().unwrap();
    let pier_id = pier["id"].as_i64().unwrap();
    let dock_jpeg = bytes(&app, &token, dock["thumbnail_url"].as_str().unwrap()).await;
    let pier_jpeg = bytes(&app, &token, pier["thumbnail_url"].as_str().unwrap()).await;
    let apart = picture_difference(&dock_jpeg, &pier_jpeg);
    assert!(apart > 20.0, "the two places look alike ({apart:.1})");

    // Goto Dock from Pier: back within 0.01, by coordinates, settled; and the picture is
    // Dock's again (test = goto + a new thumbnail).
    let r = app
        .post(
            &token,
            &format!("/api/v1/presets/{dock_id}/test"),
            json!({}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let tested: Value = r.json().await.unwrap();
    assert_eq!(tested["outcome"]["method"], "absolute");
    assert_eq!(tested["outcome"]["settled"], true);
    assert!(
        near(rig.head.position(), [-0.2, 0.2, 0.2]),
        "{:?}",
        rig.head.position()
    );
    let again = bytes(&app, &token, tested["thumbnail_url"].as_str().unwrap()).await;
    let same = picture_difference(&again, &dock_jpeg);
    assert!(
        same < apart / 3.0,
        "Dock looks different after goto ({same:.1} vs {apart:.1})"
    );
    let r = app
        .post(
            &token,
            &format!("/api/v1/presets/{pier_id}/goto"),
            json!({}),
        )
        .await;
    assert_eq!(r.status(), 200);
    assert!(near(rig.head.position(), [0.8, -0.6, 0.7]));

    // Rename; export; import under new names; a duplicate name is refused.
    let r = app
        .send(
            reqwest::Method::PATCH,
            &token,
            &format!("/api/v1/presets/{pier_id}"),
            Some(json!({"name": "Pier end"})),
        )
        .await;
    assert_eq!(r.status(), 200);
    let r = app
        .send(
            reqwest::Method::PATCH,
            &token,
            &format!("/api/v1/presets/{pier_id}"),
            Some(json!({"position": {"pan": 90.0, "tilt": 0.0, "zoom": 0.0}})),
        )
        .await;
    assert_eq!(problem(r, 422).await["field"], "position.pan");
    let export = app
        .get_json(&token, &format!("/api/v1/cameras/{id}/presets/export"))
        .await;
    assert_eq!(export["presets"].as_array().unwrap().len(), 2);
    let r = app
        .post(
            &token,
            &format!("/api/v1/cameras/{id}/presets/import"),
            export.clone(),
        )
        .await;
    assert_eq!(r.status(), 409, "importing the same names twice");
    let mut renamed = export.clone();
    for p in renamed["presets"].as_array_mut().unwrap() {
        p["name"] = format!("{} (copy)", p["name"].as_str().unwrap()).into();
    }
    let r = app
        .post(
            &token,
            &format!("/api/v1/cameras/{id}/presets/import"),
            renamed,
        )
        .await;
    assert_eq!(r.status(), 201);
    let listed = app
        .get_json(&token, &format!("/api/v1/cameras/{id}/presets"))
        .await;
    assert_eq!(listed.as_array().unwrap().len(), 4);

    // Delete removes the preset on the camera too.
    let pier_token = pier["camera_token"].as_str().unwrap().to_string();
    assert!(rig.head.preset_position(&pier_token).is_some());
    let r = app
        .send(
            reqwest::Method::DELETE,
            &token,
            &format!("/api/v1/presets/{pier_id}"),
            None,
        )
        .await;
    assert_eq!(r.status(), 204);
    assert!(rig.head.preset_position(&pier_token).is_none());
    assert_eq!(
        app.get(&token, &format!("/api/v1/presets/{pier_id}"))
            .await
            .status(),
        404
    );

    // Bad input: speeds outside -1..1, positions outside the normalized spaces, an unknown
    // preset, presets on a fixed camera.
    let r = app
        .post(
            &token,
            &format!("/api/v1/cameras/{id}/ptz/move"),
            json!({"pan": 1.5}),
        )
        .await;
    assert_eq!(problem(r, 422).await["field"], "pan");
    let r = app
        .post(
            &token,
            &format!("/api/v1/cameras/{id}/ptz/absolute"),
            json!({"pan": 0.0, "tilt": 0.0, "zoom": -0.1}),
        )
        .await;
    assert_eq!(problem(r, 422).await["field"], "zoom");
    let r = app
        .post(&token, "/api/v1/presets/999999/goto", json!({}))
        .await;
    assert!(
        problem(r, 404).await["detail"]
            .as_str()
            .unwrap()
            .contains("999999")
    );
    let r = app
        .post(
            &token,
            "/api/v1/cameras",
            json!({"name": "Fixed", "host": "127.0.0.1", "port": rig.camera.port(), "path": "/none"}),
        )
        .await;
    let fixed = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let r = app
        .post(
            &token,
            &format!("/api/v1/cameras/{fixed}/presets"),
            json!({"name": "x"}),
        )
        .await;
    assert!(
        problem(r, 409).await["detail"]
            .as_str()
            .unwrap()
            .contains("fixed camera")
    );
    let r = app
        .post(
            &token,
            &format!("/api/v1/cameras/{fixed}/ptz/move"),
            json!({"pan": 0.1}),
        )
        .await;
    assert_eq!(r.status(), 409);

    // Metrics.
    let m = app.metrics().await;
    assert_eq!(
        metric(&m, &format!("vistter_ptz_up{{camera=\"{id}\"}}")),
        Some(1.0)
    );
    assert!(
        metric(
            &m,
            &format!(
                "vistter_ptz_commands_total{{camera=\"{id}\",command=\"absolute_move\",result=\"ok\"}}"
            )
        )
        .unwrap_or(0.0)
            >= 2.0,
        "{m}"
    );
    assert!(m.contains("vistter_ptz_command_seconds_bucket{command=\"goto_preset\""));

    // What our client sent validates against the ONVIF schemas.
    validate_soap(&rig.device.requests());

    // Power cut: down by itself; power back: up by itself.
    rig.device.stop();
    let down = wait_ptz(&app, &token, id, "down", Duration::from_secs(10)).await;
    assert!(
        down["reason"].as_str().unwrap().contains("127.0.0.1"),
        "{down}"
    );
    assert_eq!(
        metric(
            &app.metrics().await,
            &format!("vistter_ptz_up{{camera=\"{id}\"}}")
        ),
        Some(0.0)
    );
    let r = app
        .post(
            &token,
            &format!("/api/v1/presets/{dock_id}/goto"),
            json!({}),
        )
        .await;
    assert_eq!(problem(r, 503).await["code"], "ptz_down");
    rig.device.restart().unwrap();
    wait_ptz(&app, &token, id, "up", Duration::from_secs(20)).await;

    // The password never shows: not in the log, not in any view.
    let views = format!(
        "{}{}",
        app.get_json(&token, &format!("/api/v1/cameras/{id}")).await,
        app.get_json(&token, &format!("/api/v1/cameras/{id}/ptz/status"))
            .await
    );
    assert!(!views.contains(PASSWORD));
    assert!(!app.log().contains(PASSWORD), "password in the log");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presets_work_from_camera_tokens_alone_and_a_wrong_password_is_named() {
    let rig = rig(false, "/ptz");
    let app = Appliance::start_with(options()).await;
    let token = app.admin_token().await;
    let id = add_ptz_camera(&app, &token, &rig, PASSWORD).await;
    let status = wait_ptz(&app, &token, id, "up", Duration::from_secs(15)).await;
    assert_eq!(status["reports_position"], false);

    rig.head.place([0.5, -0.4, 0.3]);
    let r = app
        .post(
            &token,
            &format!("/api/v1/cameras/{id}/presets"),
            json!({"name": "Gate"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let gate: Value = r.json().await.unwrap();
    assert!(gate["pan"].is_null(), "no position was reported: {gate}");
    assert!(gate["camera_token"].is_string());
    rig.head.place([-1.0, 1.0, 0.0]);
    let r = app
        .post(
            &token,
            &format!("/api/v1/presets/{}/goto", gate["id"]),
            json!({}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let outcome: Value = r.json().await.unwrap();
    assert_eq!(outcome["method"], "preset_token");
    assert_eq!(outcome["settled"], true, "{outcome}");
    assert!(
        near(rig.head.position(), [0.5, -0.4, 0.3]),
        "{:?}",
        rig.head.position()
    );

    // The same device with a wrong password: a clear authentication error, not a hang.
    let wrong = add_ptz_camera(&app, &token, &rig, "not-the-password").await;
    let down = wait_ptz(&app, &token, wrong, "down", Duration::from_secs(10)).await;
    let reason = down["reason"].as_str().unwrap();
    assert!(reason.contains("refused the credentials"), "{reason}");
    assert!(!reason.contains("not-the-password"));
}

/// ipycam serves its ONVIF replies with undeclared namespace prefixes and unfilled
/// placeholders: every such reply must become a clear error within the call timeout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_non_conformant_camera_gets_clear_errors_never_a_hang() {
    let site = peers_dir();
    assert!(
        site.join("ipycam").is_dir(),
        "{} missing: run ./scripts/setup.sh",
        site.display()
    );
    let mut peer = IpyCam::start(&site);
    let app = Appliance::start_with(options()).await;
    let token = app.admin_token().await;
    let r = app
        .post(
            &token,
            "/api/v1/cameras",
            json!({"name": "Cheap PTZ", "kind": "ptz", "host": "127.0.0.1",
                   "port": common::free_port(), "path": "/none", "onvif_port": peer.port}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let status = wait_ptz(&app, &token, id, "up", Duration::from_secs(15)).await;
    assert_eq!(status["device"]["profile_token"], "Profile_Main");

    for (path, body) in [
        ("stop", json!({})),
        ("absolute", json!({"pan": 0.1, "tilt": 0.1, "zoom": 0.1})),
    ] {
        let started = Instant::now();
        let r = app
            .post(&token, &format!("/api/v1/cameras/{id}/ptz/{path}"), body)
            .await;
        let took = started.elapsed();
        let p = problem(r, 502).await;
        assert_eq!(p["code"], "ptz_malformed_reply", "{p}");
        assert!(
            p["detail"]
                .as_str()
                .unwrap()
                .contains("undeclared namespace prefix"),
            "{p}"
        );
        assert!(took < Duration::from_secs(10), "{path} took {took:?}");
    }
    let r = app
        .post(
            &token,
            &format!("/api/v1/cameras/{id}/presets"),
            json!({"name": "x"}),
        )
        .await;
    assert_eq!(problem(r, 502).await["code"], "ptz_malformed_reply");
    // Status still answers, with the reason.
    let status = app
        .get_json(&token, &format!("/api/v1/cameras/{id}/ptz/status"))
        .await;
    assert!(
        status["reason"].as_str().unwrap().contains("malformed"),
        "{status}"
    );
    assert!(peer.alive(), "ipycam died");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discovery_finds_the_simulated_camera_on_loopback_and_adds_it_in_one_call() {
    let rig = rig(true, "/Streaming/Channels/101");
    let ws_port = free_udp_port();
    let responder = SimDiscovery::start(
        ws_port,
        Announcement {
            endpoint: "urn:uuid:5f0c7a4e-0000-4000-8000-000000000001".into(),
            xaddr: rig.device.device_url(),
            name: "Dock PTZ".into(),
            hardware: "SIM-PTZ".into(),
        },
    )
    .expect("WS-Discovery responder");
    let mut o = options();
    o.extra_env.push((
        "VISTTER_DISCOVERY__WS_DISCOVERY_PORT".into(),
        ws_port.to_string(),
    ));
    let app = Appliance::start_with(o).await;
    let token = app.admin_token().await;

    let r = app
        .post(
            &token,
            "/api/v1/discovery",
            json!({"interface": "lo", "timeout_ms": 1000,
                   "scan": {"target": "127.0.0.1/32", "ports": [rig.camera.port()]},
                   "username": USER, "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let report: Value = r.json().await.unwrap();
    assert_eq!(report["interface"]["address"], "127.0.0.1", "{report}");
    assert_eq!(report["probes_sent"], 2);
    assert!(
        responder.probes() >= 2,
        "the probe did not reach the responder"
    );
    // Each probe was answered twice; the device appears once.
    assert!(report["replies"].as_u64().unwrap() >= 2, "{report}");
    let candidates = report["candidates"].as_array().unwrap();
    assert_eq!(candidates.len(), 1, "{report}");
    let c = &candidates[0];
    assert_eq!(c["address"], "127.0.0.1");
    assert_eq!(c["onvif_url"], rig.device.device_url());
    assert_eq!(c["name"], "Dock PTZ");
    assert_eq!(c["model"], "VistterSim PTZ");
    assert_eq!(c["ptz"], true);
    assert_eq!(c["vendor"], "hikvision");
    let sources: Vec<&str> = c["sources"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(sources, ["ws-discovery", "rtsp-scan"]);
    assert!(
        c["rtsp_urls"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u == &Value::from(rig.camera.url())),
        "{c}"
    );
    assert!(!report.to_string().contains(PASSWORD));

    // One call adds it (the password is the only thing to add).
    let mut body = c["camera"].clone();
    body["password"] = PASSWORD.into();
    let r = app.post(&token, "/api/v1/cameras", body).await;
    assert_eq!(r.status(), 201);
    let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    app.wait_camera(&token, id, Duration::from_secs(20), |s| s == "streaming")
        .await;
    wait_ptz(&app, &token, id, "up", Duration::from_secs(15)).await;
    // Found again, it is recognised as already added.
    let again: Value = app
        .post(
            &token,
            "/api/v1/discovery",
            json!({"onvif": false, "scan": {"target": "127.0.0.1", "ports": [rig.camera.port()]}}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["candidates"][0]["existing_camera_id"], id);
    assert_eq!(again["candidates"][0]["rtsp_auth_required"], true);

    // Bounded and validated.
    for (body, field) in [
        (json!({"scan": {"target": "10.0.0.0/16"}}), "scan.target"),
        (json!({"interface": "nope0"}), "interface"),
        (json!({"timeout_ms": 50}), "timeout_ms"),
        (json!({"onvif": false}), "scan"),
        (
            json!({"onvif": false, "scan": {"target": "127.0.0.1", "ports": [0]}}),
            "scan.ports",
        ),
    ] {
        let r = app.post(&token, "/api/v1/discovery", body.clone()).await;
        let p = problem(r, 422).await;
        assert_eq!(p["field"], field, "{body}: {p}");
    }
}

fn free_udp_port() -> u16 {
    std::net::UdpSocket::bind("127.0.0.1:0")
        .and_then(|s| s.local_addr())
        .map(|a| a.port())
        .expect("a free UDP port")
}

/// ipycam's ONVIF server as a child process, killed by its pid on drop.
struct IpyCam {
    child: Child,
    port: u16,
}

impl IpyCam {
    fn start(site: &Path) -> Self {
        use std::io::BufRead;
        let mut child = Command::new("python3")
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers/ipycam_onvif.py"))
            .args(["--port", "0"])
            .env("PYTHONPATH", site)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting ipycam");
        let stdout = child.stdout.take().expect("ipycam stdout");
        let mut line = String::new();
        std::io::BufReader::new(stdout)
            .read_line(&mut line)
            .expect("ipycam READY line");
        let port = line
            .trim()
            .strip_prefix("READY ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("ipycam said {line:?}"));
        Self { child, port }
    }

    fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for IpyCam {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The page's PTZ pad in a real browser (Debian's Chromium driven by playwright-core): holding
/// an arrow moves the camera's head, releasing it stops the head, and a preset chosen in the
/// list is recalled.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ptz_pad_on_the_page_moves_stops_and_recalls_presets() {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/ptz-pad.mjs");
    assert!(
        script
            .with_file_name("node_modules/playwright-core")
            .is_dir(),
        "playwright-core missing: run ./scripts/setup.sh"
    );
    let rig = rig(true, "/ptz");
    let app = Appliance::start_with(options()).await;
    let token = app.admin_token().await;
    let id = add_ptz_camera(&app, &token, &rig, PASSWORD).await;
    wait_ptz(&app, &token, id, "up", Duration::from_secs(15)).await;
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

    let mut browser = tokio::process::Command::new("node")
        .arg(&script)
        .args([
            &app.url(""),
            "admin",
            common::ADMIN_PASSWORD,
            "Dock PTZ",
            "Harbour",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .expect("starting node");
    let mut stdin = browser.stdin.take().expect("stdin");
    let mut out = tokio::io::BufReader::new(browser.stdout.take().expect("stdout")).lines();
    let mut expect = async |what: &str| -> String {
        let line = tokio::time::timeout(Duration::from_secs(30), out.next_line())
            .await
            .unwrap_or_else(|_| panic!("browser: no {what} within 30 s"))
            .expect("browser output")
            .unwrap_or_else(|| panic!("browser ended before {what}"));
        assert!(
            line.starts_with(what),
            "browser said {line:?}, expected {what}"
        );
        line
    };

    expect("READY").await;
    expect("HOLDING").await;
    assert!(rig.head.moving().0, "holding ▶ does not move the head");
    assert!(rig.head.position()[0] > -0.9, "{:?}", rig.head.position());
    stdin.write_all(b"release\n").await.unwrap();
    expect("RELEASED").await;
    until(
        Duration::from_secs(2),
        "the head to stop on release",
        || rig.head.moving() == (false, false),
    )
    .await;
    stdin.write_all(b"go\n").await.unwrap();
    let settled = expect("SETTLED").await;
    assert!(settled.contains("settled in"), "{settled}");
    assert!(
        near(rig.head.position(), [-0.3, 0.4, 0.2]),
        "{:?}",
        rig.head.position()
    );
    let status = tokio::time::timeout(Duration::from_secs(10), browser.wait())
        .await
        .expect("browser exits")
        .expect("browser status");
    assert!(status.success());
}
