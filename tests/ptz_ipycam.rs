//! A non-conformant ONVIF camera (PTZ-1..4): ipycam, a real Python ONVIF implementation that
//! serves its replies with undeclared namespace prefixes and unfilled placeholders.

mod common;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::fixtures::{add_camera, ptz_options, wait_ptz};
use common::problem::assert_problem;
use common::{Appliance, peers_dir};
use serde_json::json;

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

/// Every malformed reply must become a clear error within the call timeout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_non_conformant_camera_gets_clear_errors_never_a_hang() {
    let site = peers_dir();
    assert!(
        site.join("ipycam").is_dir(),
        "{} missing: run ./scripts/setup.sh",
        site.display()
    );
    let mut peer = IpyCam::start(&site);
    let app = Appliance::start_with(ptz_options()).await;
    let token = app.admin_token().await;
    let id = add_camera(
        &app,
        &token,
        json!({"name": "Cheap PTZ", "kind": "ptz", "host": "127.0.0.1",
               "port": common::free_port(), "path": "/none", "onvif_port": peer.port}),
    )
    .await;
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
        let p = assert_problem(r, 502, None).await;
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
    assert_eq!(
        assert_problem(r, 502, None).await["code"],
        "ptz_malformed_reply"
    );
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
