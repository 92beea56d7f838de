//! PTZ control and presets (PTZ-1..4) through the appliance's API, against the simulated
//! ONVIF device (crate onvif-server) whose head moves the simulated RTSP camera's picture;
//! what our client sent is checked with xmllint against the ONVIF schemas. Positions are
//! read from the simulated head itself, never from what the appliance says.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::fixtures::{add_camera, add_ptz_camera, ptz_options, wait_camera, wait_head, wait_ptz};
use common::problem::assert_problem;
use common::{Appliance, camera_metric, metric, peers_dir, step};
use serde_json::{Value, json};
use vistterstream_sim::picture::picture_difference;
use vistterstream_sim::rig::{PASSWORD, PtzRig, PtzRigConfig, near};

/// The appliance and a PTZ camera registered on it.
struct Ptz {
    app: Appliance,
    token: String,
    rig: PtzRig,
    id: i64,
}

impl Ptz {
    fn path(&self, rest: &str) -> String {
        format!("/api/v1/cameras/{}/{rest}", self.id)
    }

    async fn post(&self, path: &str, body: Value) -> reqwest::Response {
        self.app.post(&self.token, path, body).await
    }

    async fn bytes(&self, path: &str) -> Vec<u8> {
        let r = self.app.get(&self.token, path).await;
        assert_eq!(r.status(), 200, "GET {path}");
        r.bytes().await.unwrap().to_vec()
    }

    fn at(&self, p: [f32; 3]) -> bool {
        near(self.rig.head.position(), p)
    }
}

/// Dock and Pier, two presets at two places.
struct Presets {
    dock: Value,
    pier: Value,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ptz_control_presets_and_reconnect_against_a_simulated_onvif_camera() {
    step("1: a PTZ camera streams and its PTZ comes up, reporting the device");
    let mut s = ptz_camera_up().await;
    step("2: a continuous move stops by itself; an explicit stop stops at once");
    continuous_moves(&s).await;
    step("3: absolute and relative moves land within 0.01 and report settled");
    absolute_and_relative_moves(&s).await;
    step("4: presets Dock and Pier: coordinates, camera tokens, thumbnails of two places");
    let presets = capture_presets(&s).await;
    step("5: goto Dock from Pier: back there, the picture is Dock's; goto Pier");
    goto_presets(&s, &presets).await;
    step("6: rename, export, import under new names; duplicates refused");
    rename_export_import(&s, &presets).await;
    step("7: delete removes the preset on the camera too");
    delete_preset(&s, &presets).await;
    step("8: bad input: speeds, positions, unknown preset, presets on a fixed camera");
    bad_input(&s).await;
    step("9: metrics; the SOAP we sent validates against the ONVIF schemas");
    metrics_and_schemas(&s).await;
    step("10: power cut: down by itself, commands refused; power back: up by itself");
    power_cut(&mut s, presets.dock["id"].as_i64().unwrap()).await;
    step("11: the password never shows: not in the log, not in any view");
    let views = format!(
        "{}{}",
        s.app
            .get_json(&s.token, &format!("/api/v1/cameras/{}", s.id))
            .await,
        s.app.get_json(&s.token, &s.path("ptz/status")).await
    );
    assert!(!views.contains(PASSWORD));
    assert!(!s.app.log().contains(PASSWORD), "password in the log");
}

async fn ptz_camera_up() -> Ptz {
    let rig = PtzRig::start(PtzRigConfig::default()).expect("PTZ rig");
    let app = Appliance::start_with(ptz_options()).await;
    let token = app.admin_token().await;
    let id = add_ptz_camera(&app, &token, &rig, PASSWORD).await;
    wait_camera(&app, &token, id, "streaming", Duration::from_secs(20)).await;
    let status = wait_ptz(&app, &token, id, "up", Duration::from_secs(15)).await;
    assert_eq!(status["reports_position"], true);
    assert_eq!(status["device"]["model"], "VistterSim PTZ");
    assert!(
        status["device"]["ptz_url"]
            .as_str()
            .unwrap()
            .ends_with("/onvif/ptz_service")
    );
    Ptz {
        app,
        token,
        rig,
        id,
    }
}

async fn continuous_moves(s: &Ptz) {
    let r = s
        .post(&s.path("ptz/move"), json!({"pan": 0.6, "timeout_ms": 1500}))
        .await;
    assert_eq!(r.status(), 202);
    assert_eq!(r.json::<Value>().await.unwrap()["stops_after_ms"], 1500);
    wait_head(&s.rig, Duration::from_secs(2), "the head to move", |h| {
        h.moving().0
    })
    .await;
    wait_head(
        &s.rig,
        Duration::from_secs(8),
        "the head to stop by itself",
        |h| h.moving() == (false, false),
    )
    .await;
    assert!(s.rig.head.position()[0] > 0.05);
    // An explicit stop, of a head that is moving.
    let r = s.post(&s.path("ptz/move"), json!({"tilt": -0.5})).await;
    assert_eq!(r.status(), 202);
    wait_head(&s.rig, Duration::from_secs(2), "the head to tilt", |h| {
        h.moving().0
    })
    .await;
    let r = s.post(&s.path("ptz/stop"), json!({})).await;
    assert_eq!(r.status(), 204);
    assert_eq!(s.rig.head.moving(), (false, false));
}

async fn absolute_and_relative_moves(s: &Ptz) {
    let r = s
        .post(
            &s.path("ptz/absolute"),
            json!({"pan": -0.4, "tilt": 0.3, "zoom": 0.2}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let outcome: Value = r.json().await.unwrap();
    assert_eq!(outcome["settled"], true, "{outcome}");
    assert!(s.at([-0.4, 0.3, 0.2]));
    let r = s
        .post(
            &s.path("ptz/relative"),
            json!({"pan": 0.2, "tilt": -0.1, "zoom": 0.0}),
        )
        .await;
    assert_eq!(r.status(), 200);
    assert!(s.at([-0.2, 0.2, 0.2]), "{:?}", s.rig.head.position());
    let status = s.app.get_json(&s.token, &s.path("ptz/status")).await;
    assert_eq!(status["pan_tilt"], "idle");
    assert!((status["position"]["pan"].as_f64().unwrap() + 0.2).abs() < 0.01);
}

/// Capture two presets at two places: stored coordinates, the camera's token, and a thumbnail
/// showing each place (the picture follows the head).
async fn capture_presets(s: &Ptz) -> Presets {
    let r = s.post(&s.path("presets"), json!({"name": "Dock"})).await;
    assert_eq!(r.status(), 201);
    let dock: Value = r.json().await.unwrap();
    assert!((dock["pan"].as_f64().unwrap() + 0.2).abs() < 0.01, "{dock}");
    let dock_token = dock["camera_token"].as_str().unwrap().to_string();
    assert!(s.rig.head.preset_position(&dock_token).is_some());
    s.post(
        &s.path("ptz/absolute"),
        json!({"pan": 0.8, "tilt": -0.6, "zoom": 0.7}),
    )
    .await;
    // Let the picture of the new place reach the appliance before the thumbnail.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let r = s.post(&s.path("presets"), json!({"name": "Pier"})).await;
    assert_eq!(r.status(), 201);
    let pier: Value = r.json().await.unwrap();
    Presets { dock, pier }
}

/// Goto Dock from Pier: back within 0.01, by coordinates, settled; and the picture is Dock's
/// again (test = goto + a new thumbnail).
async fn goto_presets(s: &Ptz, p: &Presets) {
    let dock_jpeg = s.bytes(p.dock["thumbnail_url"].as_str().unwrap()).await;
    let pier_jpeg = s.bytes(p.pier["thumbnail_url"].as_str().unwrap()).await;
    let apart = picture_difference(&dock_jpeg, &pier_jpeg);
    assert!(apart > 20.0, "the two places look alike ({apart:.1})");

    let r = s
        .post(&format!("/api/v1/presets/{}/test", p.dock["id"]), json!({}))
        .await;
    assert_eq!(r.status(), 200);
    let tested: Value = r.json().await.unwrap();
    assert_eq!(tested["outcome"]["method"], "absolute");
    assert_eq!(tested["outcome"]["settled"], true);
    assert!(s.at([-0.2, 0.2, 0.2]), "{:?}", s.rig.head.position());
    let again = s.bytes(tested["thumbnail_url"].as_str().unwrap()).await;
    let same = picture_difference(&again, &dock_jpeg);
    assert!(
        same < apart / 3.0,
        "Dock looks different after goto ({same:.1} vs {apart:.1})"
    );
    let r = s
        .post(&format!("/api/v1/presets/{}/goto", p.pier["id"]), json!({}))
        .await;
    assert_eq!(r.status(), 200);
    assert!(s.at([0.8, -0.6, 0.7]));
}

async fn rename_export_import(s: &Ptz, p: &Presets) {
    let (app, token) = (&s.app, s.token.as_str());
    let pier = format!("/api/v1/presets/{}", p.pier["id"]);
    let r = app.patch(token, &pier, json!({"name": "Pier end"})).await;
    assert_eq!(r.status(), 200);
    let r = app
        .patch(
            token,
            &pier,
            json!({"position": {"pan": 90.0, "tilt": 0.0, "zoom": 0.0}}),
        )
        .await;
    assert_problem(r, 422, Some("position.pan")).await;
    let export = app.get_json(token, &s.path("presets/export")).await;
    assert_eq!(export["presets"].as_array().unwrap().len(), 2);
    let r = s.post(&s.path("presets/import"), export.clone()).await;
    assert_eq!(r.status(), 409, "importing the same names twice");
    let mut renamed = export.clone();
    for p in renamed["presets"].as_array_mut().unwrap() {
        p["name"] = format!("{} (copy)", p["name"].as_str().unwrap()).into();
    }
    let r = s.post(&s.path("presets/import"), renamed).await;
    assert_eq!(r.status(), 201);
    let listed = app.get_json(token, &s.path("presets")).await;
    assert_eq!(listed.as_array().unwrap().len(), 4);
}

async fn delete_preset(s: &Ptz, p: &Presets) {
    let pier_token = p.pier["camera_token"].as_str().unwrap().to_string();
    assert!(s.rig.head.preset_position(&pier_token).is_some());
    let pier = format!("/api/v1/presets/{}", p.pier["id"]);
    assert_eq!(s.app.delete(&s.token, &pier).await.status(), 204);
    assert!(s.rig.head.preset_position(&pier_token).is_none());
    assert_eq!(s.app.get(&s.token, &pier).await.status(), 404);
}

/// Speeds outside -1..1, positions outside the normalized spaces, an unknown preset, presets
/// on a fixed camera.
async fn bad_input(s: &Ptz) {
    let r = s.post(&s.path("ptz/move"), json!({"pan": 1.5})).await;
    assert_problem(r, 422, Some("pan")).await;
    let r = s
        .post(
            &s.path("ptz/absolute"),
            json!({"pan": 0.0, "tilt": 0.0, "zoom": -0.1}),
        )
        .await;
    assert_problem(r, 422, Some("zoom")).await;
    let r = s.post("/api/v1/presets/999999/goto", json!({})).await;
    let p = assert_problem(r, 404, None).await;
    assert!(p["detail"].as_str().unwrap().contains("999999"));
    let fixed = add_camera(
        &s.app,
        &s.token,
        json!({"name": "Fixed", "host": "127.0.0.1", "port": s.rig.camera.port(), "path": "/none"}),
    )
    .await;
    let r = s
        .post(
            &format!("/api/v1/cameras/{fixed}/presets"),
            json!({"name": "x"}),
        )
        .await;
    let p = assert_problem(r, 409, None).await;
    assert!(p["detail"].as_str().unwrap().contains("fixed camera"));
    let r = s
        .post(
            &format!("/api/v1/cameras/{fixed}/ptz/move"),
            json!({"pan": 0.1}),
        )
        .await;
    assert_eq!(r.status(), 409);
}

async fn metrics_and_schemas(s: &Ptz) {
    let id = s.id;
    let m = s.app.metrics().await;
    assert_eq!(camera_metric(&m, "vistter_ptz_up", id), Some(1.0));
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

    validate_soap(&s.rig.device.requests());
}

async fn power_cut(s: &mut Ptz, dock_id: i64) {
    let (app, token, id) = (&s.app, s.token.as_str(), s.id);
    s.rig.device.stop();
    let down = wait_ptz(app, token, id, "down", Duration::from_secs(10)).await;
    assert!(
        down["reason"].as_str().unwrap().contains("127.0.0.1"),
        "{down}"
    );
    assert_eq!(
        camera_metric(&app.metrics().await, "vistter_ptz_up", id),
        Some(0.0)
    );
    let r = app
        .post(token, &format!("/api/v1/presets/{dock_id}/goto"), json!({}))
        .await;
    assert_eq!(assert_problem(r, 503, None).await["code"], "ptz_down");
    s.rig.device.restart().unwrap();
    wait_ptz(app, token, id, "up", Duration::from_secs(20)).await;
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
async fn presets_work_from_camera_tokens_alone_and_a_wrong_password_is_named() {
    let rig = PtzRig::start(PtzRigConfig {
        report_position: false,
        ..Default::default()
    })
    .expect("PTZ rig");
    let app = Appliance::start_with(ptz_options()).await;
    let token = app.admin_token().await;
    let id = add_ptz_camera(&app, &token, &rig, PASSWORD).await;
    let status = wait_ptz(&app, &token, id, "up", Duration::from_secs(15)).await;
    assert_eq!(status["reports_position"], false);

    step("1: a preset without coordinates is recalled by its camera token");
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

    step("2: the same device with a wrong password: a clear authentication error, no hang");
    let wrong = add_ptz_camera(&app, &token, &rig, "not-the-password").await;
    let down = wait_ptz(&app, &token, wrong, "down", Duration::from_secs(10)).await;
    let reason = down["reason"].as_str().unwrap();
    assert!(reason.contains("refused the credentials"), "{reason}");
    assert!(!reason.contains("not-the-password"));
}
