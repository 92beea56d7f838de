//! Discovery (CAM-5) through the appliance's API: WS-Discovery on loopback (a responder for
//! the simulated PTZ camera, on a port the test picks) and an RTSP scan of 127.0.0.1; the
//! candidate found is added in one call.

mod common;

use std::time::Duration;

use common::fixtures::{add_camera, ptz_options, wait_camera, wait_ptz};
use common::problem::assert_problem;
use common::{Appliance, step};
use serde_json::{Value, json};
use vistterstream_sim::discovery::{Announcement, SimDiscovery};
use vistterstream_sim::rig::{PASSWORD, PtzRig, PtzRigConfig, USER};

fn free_udp_port() -> u16 {
    std::net::UdpSocket::bind("127.0.0.1:0")
        .and_then(|s| s.local_addr())
        .map(|a| a.port())
        .expect("a free UDP port")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discovery_finds_the_simulated_camera_on_loopback_and_adds_it_in_one_call() {
    let rig = PtzRig::start(PtzRigConfig {
        path: "/Streaming/Channels/101".into(),
        ..Default::default()
    })
    .expect("PTZ rig");
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
    let mut o = ptz_options();
    o.extra_env.push((
        "VISTTER_DISCOVERY__WS_DISCOVERY_PORT".into(),
        ws_port.to_string(),
    ));
    let app = Appliance::start_with(o).await;
    let token = app.admin_token().await;

    step("1: WS-Discovery and the RTSP scan find the camera once, with its details");
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

    step("2: one call adds it (the password is the only thing to add)");
    let mut body = c["camera"].clone();
    body["password"] = PASSWORD.into();
    let id = add_camera(&app, &token, body).await;
    wait_camera(&app, &token, id, "streaming", Duration::from_secs(20)).await;
    wait_ptz(&app, &token, id, "up", Duration::from_secs(15)).await;
    step("3: found again, it is recognised as already added");
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

    step("4: bounded and validated");
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
        eprintln!("case {body}");
        let r = app.post(&token, "/api/v1/discovery", body).await;
        assert_problem(r, 422, Some(field)).await;
    }
}
