//! The appliance's things, made through its API the way a user makes them: cameras,
//! destinations, outputs, assets and PTZ cameras; each helper checks that the API accepted
//! the request. And the waits for them to reach a state, all built on
//! [`wait_until`](super::wait::wait_until).

use std::time::Duration;

use serde_json::{Value, json};
use vistterstream_sim::SimCamera;
use vistterstream_sim::rig::{self, PtzRig};

use super::wait::{wait_until, wait_until_every};
use super::{Appliance, Options};

/// The `id` of what a `201 Created` response made.
pub async fn created_id(r: reqwest::Response, what: &str) -> i64 {
    assert_eq!(r.status(), 201, "creating {what}");
    r.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

// ---- cameras ----------------------------------------------------------------------------------

/// POST /api/v1/cameras with `body`; the new camera's id.
pub async fn add_camera(app: &Appliance, token: &str, body: Value) -> i64 {
    let what = format!("camera {}", body["name"]);
    created_id(app.post(token, "/api/v1/cameras", body).await, &what).await
}

/// Register the simulated camera `cam` under `name`, with its URL and credentials.
pub async fn add_sim_camera(app: &Appliance, token: &str, cam: &SimCamera, name: &str) -> i64 {
    let (user, password) = cam.config().credentials.clone().unwrap_or_default();
    add_camera(
        app,
        token,
        json!({"name": name, "rtsp_url": cam.url(), "username": user, "password": password}),
    )
    .await
}

/// [`add_sim_camera`], then wait (20 s) until it streams.
pub async fn add_streaming_camera(
    app: &Appliance,
    token: &str,
    cam: &SimCamera,
    name: &str,
) -> i64 {
    let id = add_sim_camera(app, token, cam, name).await;
    wait_camera(app, token, id, "streaming", Duration::from_secs(20)).await;
    id
}

/// Wait until camera `id`'s state is `state` (or one of `a|b|…`); its view then.
pub async fn wait_camera(
    app: &Appliance,
    token: &str,
    id: i64,
    state: &str,
    within: Duration,
) -> Value {
    let path = format!("/api/v1/cameras/{id}");
    let what = format!("camera {id} to be {state}");
    wait_view(app, token, &path, within, &what, |cam| {
        let now = cam["status"]["state"].as_str().unwrap_or("");
        state.split('|').any(|s| s == now)
    })
    .await
}

/// POST …/snapshots for camera `id` (with `body`, if any): the stored snapshot's view.
pub async fn take_snapshot(app: &Appliance, token: &str, id: i64, body: Option<Value>) -> Value {
    let path = format!("/api/v1/cameras/{id}/snapshots");
    let r = app.send(reqwest::Method::POST, token, &path, body).await;
    assert_eq!(r.status(), 201, "taking a snapshot of camera {id}");
    r.json().await.unwrap()
}

// ---- destinations -----------------------------------------------------------------------------

/// A custom RTMP destination; its id.
pub async fn add_destination(
    app: &Appliance,
    token: &str,
    name: &str,
    server_url: &str,
    key: &str,
) -> i64 {
    let r = app
        .post(token, "/api/v1/destinations", json!({"name": name, "platform": "custom", "server_url": server_url, "stream_key": key}))
        .await;
    created_id(r, &format!("destination {name}")).await
}

/// The status of destination `destination_id` in an output's view (`Null` if absent).
pub fn destination_status(output: &Value, destination_id: i64) -> Value {
    output["status"]["destinations"]
        .as_array()
        .and_then(|ds| ds.iter().find(|d| d["destination_id"] == destination_id))
        .cloned()
        .unwrap_or(Value::Null)
}

/// The state of destination `destination_id` in an output's view ("" if absent).
pub fn destination_state(output: &Value, destination_id: i64) -> String {
    destination_status(output, destination_id)["state"]
        .as_str()
        .unwrap_or("")
        .to_string()
}

// ---- outputs ----------------------------------------------------------------------------------

/// POST /api/v1/outputs with `body`; the new output's id.
pub async fn create_output(app: &Appliance, token: &str, body: Value) -> i64 {
    let what = format!("output {}", body["name"]);
    created_id(app.post(token, "/api/v1/outputs", body).await, &what).await
}

/// Output `id`'s view (GET /api/v1/outputs/{id}).
pub async fn output(app: &Appliance, token: &str, id: i64) -> Value {
    app.get_json(token, &format!("/api/v1/outputs/{id}")).await
}

/// POST …/start; the API accepted it.
pub async fn start_output(app: &Appliance, token: &str, id: i64) {
    let r = app
        .post(token, &format!("/api/v1/outputs/{id}/start"), json!({}))
        .await;
    assert_eq!(r.status(), 200, "starting output {id}");
}

/// POST …/stop; the API accepted it. The output's view it answered with.
pub async fn stop_output(app: &Appliance, token: &str, id: i64) -> Value {
    let r = app
        .post(token, &format!("/api/v1/outputs/{id}/stop"), json!({}))
        .await;
    assert_eq!(r.status(), 200, "stopping output {id}");
    r.json().await.unwrap()
}

/// POST …/cut to `camera_id`, as it answered.
pub async fn cut(app: &Appliance, token: &str, id: i64, camera_id: i64) -> reqwest::Response {
    app.post(
        token,
        &format!("/api/v1/outputs/{id}/cut"),
        json!({"camera_id": camera_id}),
    )
    .await
}

/// Wait until `want` holds for output `id`'s view; the view then.
pub async fn wait_output(
    app: &Appliance,
    token: &str,
    id: i64,
    within: Duration,
    what: &str,
    want: impl Fn(&Value) -> bool,
) -> Value {
    let path = format!("/api/v1/outputs/{id}");
    wait_view(
        app,
        token,
        &path,
        within,
        &format!("output {id}: {what}"),
        want,
    )
    .await
}

/// [`start_output`], then wait (30 s) until `want` holds for its view; the view then.
pub async fn start_output_until(
    app: &Appliance,
    token: &str,
    id: i64,
    what: &str,
    want: impl Fn(&Value) -> bool,
) -> Value {
    start_output(app, token, id).await;
    wait_output(app, token, id, Duration::from_secs(30), what, want).await
}

/// Wait until `want` holds for the JSON view at `path`; the view then.
pub async fn wait_view(
    app: &Appliance,
    token: &str,
    path: &str,
    within: Duration,
    what: &str,
    want: impl Fn(&Value) -> bool,
) -> Value {
    wait_until(within, what, async || {
        let v = app.get_json(token, path).await;
        if want(&v) { Ok(v) } else { Err(app.seen(v)) }
    })
    .await
}

// ---- assets -----------------------------------------------------------------------------------

/// POST /api/v1/assets with a JSON `body` (a URL image, a text, a clock); the new asset's id.
pub async fn add_asset(app: &Appliance, token: &str, body: Value) -> i64 {
    let what = format!("asset {}", body["name"]);
    created_id(app.post(token, "/api/v1/assets", body).await, &what).await
}

/// Upload `bytes` as a file named `file_name` (and the asset's `name`, when given).
pub async fn upload_asset(
    app: &Appliance,
    token: &str,
    name: Option<&str>,
    file_name: &str,
    bytes: Vec<u8>,
) -> reqwest::Response {
    let mut form = reqwest::multipart::Form::new();
    if let Some(name) = name {
        form = form.text("name", name.to_string());
    }
    let form = form.part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name(file_name.to_string()),
    );
    app.client
        .post(app.url("/api/v1/assets"))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .expect("upload")
}

// ---- PTZ cameras ------------------------------------------------------------------------------

/// The appliance's options for PTZ tests: health checks and settle polls that keep up with a
/// test's pace.
pub fn ptz_options() -> Options {
    let mut o = Options::default();
    o.extra_env.extend([
        ("VISTTER_PTZ__HEALTH_INTERVAL_MS".into(), "300".into()),
        ("VISTTER_PTZ__SETTLE_POLL_MS".into(), "100".into()),
    ]);
    o
}

/// Register the rig as the PTZ camera "Dock PTZ", logging in with `password`; its id.
pub async fn add_ptz_camera(app: &Appliance, token: &str, rig: &PtzRig, password: &str) -> i64 {
    add_camera(
        app,
        token,
        json!({"name": "Dock PTZ", "kind": "ptz", "rtsp_url": rig.camera.url(),
               "username": rig::USER, "password": password, "onvif_port": rig.device.port()}),
    )
    .await
}

/// Wait until camera `id`'s PTZ status is `state`; the status then.
pub async fn wait_ptz(
    app: &Appliance,
    token: &str,
    id: i64,
    state: &str,
    within: Duration,
) -> Value {
    let path = format!("/api/v1/cameras/{id}/ptz/status");
    let what = format!("PTZ {id} to be {state}");
    wait_until_every(Duration::from_millis(150), within, what, async || {
        let r = app.get(token, &path).await;
        if r.status() != 200 {
            return Err(app.seen(format!("PTZ status {}", r.status())));
        }
        let v: Value = r.json().await.unwrap();
        if v["state"] == state {
            Ok(v)
        } else {
            Err(app.seen(v))
        }
    })
    .await
}

/// Wait until the rig's head satisfies `want`, looking every 20 ms (a head moves fast).
pub async fn wait_head(
    rig: &PtzRig,
    within: Duration,
    what: &str,
    want: impl Fn(&vistterstream_sim::ptz::PtzHead) -> bool,
) {
    wait_until_every(Duration::from_millis(20), within, what, async || {
        if want(&rig.head) {
            Ok(())
        } else {
            Err(format!(
                "at {:?}, moving {:?}",
                rig.head.position(),
                rig.head.moving()
            ))
        }
    })
    .await
}
