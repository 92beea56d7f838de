//! Asset library and overlays against real peers: uploads checked by content, URL images
//! from a real HTTP server (python3 -m http.server on loopback) behind the SSRF guard, and
//! overlay pixels read back from what nginx-rtmp recorded.

mod common;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::fixtures::{
    add_asset, add_destination, add_streaming_camera, create_output, created_id, start_output,
    upload_asset, wait_output, wait_view,
};
use common::ingest::{self, Nginx};
use common::problem::assert_invalid;
use common::wait::wait_listening;
use common::{Appliance, Options, free_port, sim, step};
use serde_json::{Value, json};
use vistterstream_sim::picture::{is_blue, is_green, is_red, pixel, png};

/// How long a URL image's first fetch (or its refusal) may take.
const FETCH_WITHIN: Duration = Duration::from_secs(20);

/// A static file server on 127.0.0.1 (python3's http.server), killed by pid on drop.
struct FileServer {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl FileServer {
    /// Serve `bytes` as `name`.
    fn serving(name: &str, bytes: &[u8]) -> Self {
        let server = Self::start();
        server.put(name, bytes);
        server
    }

    fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let child = Command::new("python3")
            .args([
                "-m",
                "http.server",
                "--bind",
                "127.0.0.1",
                &port.to_string(),
                "--directory",
            ])
            .arg(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.path().join("access.log")).unwrap())
            .spawn()
            .expect("python3 (scripts/setup.sh installs it)");
        wait_listening(port, "http.server", || {
            std::fs::read_to_string(dir.path().join("access.log")).unwrap_or_default()
        });
        Self { child, port, dir }
    }

    fn put(&self, name: &str, bytes: &[u8]) {
        let tmp = self.dir.path().join(format!(".{name}.tmp"));
        std::fs::write(&tmp, bytes).unwrap();
        std::fs::rename(tmp, self.dir.path().join(name)).unwrap();
    }

    fn requests(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("access.log")).unwrap_or_default()
    }
}

impl Drop for FileServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Upload `bytes` as the asset `name`, from a file `name`.png.
async fn upload(app: &Appliance, token: &str, name: &str, bytes: Vec<u8>) -> reqwest::Response {
    upload_asset(app, token, Some(name), &format!("{name}.png"), bytes).await
}

#[actix_web::test]
async fn uploads_are_checked_by_content_and_url_fetches_never_reach_this_machine() {
    let app = Appliance::start().await;
    let token = app.admin_token().await;
    let files = FileServer::serving("blue.png", &png(20, 10, |_, _| [0, 0, 255, 255]));

    step("1: a real PNG with alpha: stored, typed by content, previewable");
    let r = upload(
        &app,
        &token,
        "logo",
        png(30, 20, |x, _| [255, 0, 0, if x < 15 { 255 } else { 0 }]),
    )
    .await;
    assert_eq!(r.status(), 201);
    let logo: Value = r.json().await.unwrap();
    assert_eq!(
        (
            logo["kind"].as_str(),
            logo["mime"].as_str(),
            logo["width"].as_i64(),
            logo["height"].as_i64()
        ),
        (Some("image"), Some("image/png"), Some(30), Some(20))
    );
    let r = app
        .get(&token, &format!("/api/v1/assets/{}/preview", logo["id"]))
        .await;
    assert_eq!(r.status(), 200);
    let preview = image::load_from_memory(&r.bytes().await.unwrap())
        .unwrap()
        .to_rgba8();
    assert_eq!(preview.dimensions(), (30, 20));
    assert_eq!(preview.get_pixel(20, 5).0[3], 0, "alpha kept");

    step("2: a text file named .png, an oversized upload, bad fields: refused, none stored");
    let r = upload(
        &app,
        &token,
        "fake",
        b"this is a text file, not a picture".to_vec(),
    )
    .await;
    assert_invalid(r, &["file"]).await;
    let big = vec![0u8; 50 * 1024 * 1024];
    match upload(&app, &token, "big", big).await.status().as_u16() {
        413 => {}
        other => panic!("a 50 MB upload got {other}"),
    }
    let r = app
        .post(
            &token,
            "/api/v1/assets",
            json!({"name": "w", "kind": "url_image", "url": "ftp://x/y.png", "refresh_secs": 1}),
        )
        .await;
    assert_invalid(r, &["url", "refresh_secs"]).await;
    let r = app
        .post(
            &token,
            "/api/v1/assets",
            json!({"name": "c", "kind": "clock", "text": "%Q"}),
        )
        .await;
    assert_invalid(r, &["text"]).await;
    // A field of another kind is named, never dropped silently (the schema's variants say so).
    for (body, fields) in [
        (
            json!({"name": "c", "kind": "clock", "url": "http://x/y.png", "refresh_secs": 5}),
            &["url", "refresh_secs"][..],
        ),
        (
            json!({"name": "t", "kind": "text", "text": "hi", "refresh_secs": 5}),
            &["refresh_secs"][..],
        ),
        (
            json!({"name": "w", "kind": "url_image", "url": "http://x/y.png", "text": "hi"}),
            &["text"][..],
        ),
        (
            json!({"name": "w", "kind": "url_image", "url": null}),
            &["url"][..],
        ),
    ] {
        eprintln!("case {body}");
        assert_invalid(app.post(&token, "/api/v1/assets", body).await, fields).await;
    }
    // Named fields come as an object: serde would read a struct from an array in order.
    let r = app
        .post(&token, "/api/v1/assets", json!(["w", "text", "hi"]))
        .await;
    let p = common::problem::assert_problem(r, 400, None).await;
    assert_eq!(p["code"], "invalid_body", "{p}");
    let listed = app.get_json(&token, "/api/v1/assets").await;
    assert_eq!(
        listed.as_array().unwrap().len(),
        1,
        "nothing else stored: {listed}"
    );

    step("3: URL images aimed at this machine or a metadata service: refused when fetched");
    let port = files.port;
    for url in [
        format!("http://localhost:{port}/blue.png"),
        format!("http://127.0.0.1:{port}/blue.png"),
        format!("http://[::1]:{port}/blue.png"),
        "http://169.254.169.254/latest/meta-data/".to_string(),
    ] {
        let body = json!({"name": "u", "kind": "url_image", "url": url, "refresh_secs": 5});
        let id = add_asset(&app, &token, body).await;
        let path = format!("/api/v1/assets/{id}");
        let v = wait_view(&app, &token, &path, FETCH_WITHIN, "fetch refused", |v| {
            v["last_error"].is_string()
        })
        .await;
        let e = v["last_error"].as_str().unwrap();
        assert!(e.contains("refused"), "{url}: {e}");
        assert!(v["last_fetch_at"].is_null());
        assert_eq!(
            app.get(&token, &format!("/api/v1/assets/{id}/preview"))
                .await
                .status(),
            409
        );
    }
    assert!(
        !files.requests().contains("GET"),
        "the file server was reached: {}",
        files.requests()
    );

    step("4: text and clock assets preview as rendered text");
    let id = add_asset(
        &app,
        &token,
        json!({"name": "t", "kind": "clock", "text": "%H:%M", "font_size": 40}),
    )
    .await;
    let r = app
        .get(&token, &format!("/api/v1/assets/{id}/preview"))
        .await;
    let img = image::load_from_memory(&r.bytes().await.unwrap()).unwrap();
    assert!(
        img.height() >= 40 && img.width() > img.height(),
        "{}x{}",
        img.width(),
        img.height()
    );
}

#[actix_web::test]
async fn overlays_land_where_asked_and_url_images_swap_without_a_restart() {
    let cam = sim("O", "u", "p");
    let mut options = Options::default();
    options.extra_env.push((
        "VISTTER_ASSETS__URL_ALLOW_NETWORKS".into(),
        "[\"127.0.0.1/32\"]".into(),
    ));
    let app = Appliance::start_with(options).await;
    let token = app.admin_token().await;
    let cam_id = add_streaming_camera(&app, &token, &cam, "O").await;
    let ingest = Nginx::start();
    step("1: a logo with a transparent hole and a URL image (blue), fetched");
    let files = FileServer::serving("weather.png", &png(40, 40, |_, _| [0, 0, 255, 255]));
    let (logo, weather) = logo_and_weather(&app, &token, &files).await;

    step("2: a program with both as overlays; an unknown asset is refused; in use, not deleted");
    let d = add_destination(&app, &token, "n", &ingest.server_url(), "overlay-key").await;
    let out = create_output(&app, &token, json!({"name": "P", "camera_id": cam_id, "destination_ids": [d], "profile": {"width": 640, "height": 360, "video_bitrate_kbps": 1500}})).await;
    let layers = overlays(&app, &token, out, logo, weather).await;

    step("3: on air; the URL image turns green at its source; the logo layer is hidden");
    let on_air = on_air_with_changes(&app, &token, out, &files, &layers, logo).await;

    step("4: what the ingest got: one session; logo, hole, URL image where asked; swapped; hidden");
    overlays_in_the_recording(&ingest, &on_air);
}

async fn logo_and_weather(app: &Appliance, token: &str, files: &FileServer) -> (i64, i64) {
    // A red square with a transparent hole in the middle.
    let logo = png(100, 100, |x, y| {
        let hole = (30..70).contains(&x) && (30..70).contains(&y);
        [255, 0, 0, if hole { 0 } else { 255 }]
    });
    let logo = created_id(upload(app, token, "logo", logo).await, "the logo").await;
    let url = format!("http://127.0.0.1:{}/weather.png", files.port);
    let weather = add_asset(
        app,
        token,
        json!({"name": "weather", "kind": "url_image", "url": url, "refresh_secs": 5}),
    )
    .await;
    let path = format!("/api/v1/assets/{weather}");
    wait_view(app, token, &path, FETCH_WITHIN, "first fetch", |v| {
        v["last_fetch_at"].is_string()
    })
    .await;
    (logo, weather)
}

/// Put the logo and the weather picture on output `out`; the layers it answered with.
async fn overlays(app: &Appliance, token: &str, out: i64, logo: i64, weather: i64) -> Value {
    let path = format!("/api/v1/outputs/{out}/overlays");
    // 640x360 frame: logo 25 % wide = 160x160 at (320,180); weather 10 % = 64x64 at (32,18).
    let both = [
        json!({"asset_id": logo, "x": 0.5, "y": 0.5, "width": 0.25, "z": 2}),
        json!({"asset_id": weather, "x": 0.05, "y": 0.05, "width": 0.1, "z": 1}),
    ];
    let unknown = json!({"asset_id": 999, "x": 0.0, "y": 0.0});
    let put = async |layers: Vec<Value>| {
        app.send(
            reqwest::Method::PUT,
            token,
            &path,
            Some(Value::from(layers)),
        )
        .await
    };
    let r = put(vec![both[0].clone(), both[1].clone(), unknown]).await;
    assert_invalid(r, &["[2].asset_id"]).await;
    let r = put(both.to_vec()).await;
    assert_eq!(r.status(), 200);
    let layers: Value = r.json().await.unwrap();
    assert_eq!(
        app.delete(token, &format!("/api/v1/assets/{logo}"))
            .await
            .status(),
        409,
        "asset in use"
    );
    layers
}

/// When things happened on air, in seconds from the start.
struct OnAir {
    swapped_at: f64,
    total: f64,
}

async fn on_air_with_changes(
    app: &Appliance,
    token: &str,
    out: i64,
    files: &FileServer,
    layers: &Value,
    logo: i64,
) -> OnAir {
    start_output(app, token, out).await;
    let started = Instant::now();
    wait_output(app, token, out, Duration::from_secs(30), "live", |v| {
        v["status"]["destinations"][0]["state"] == "live"
    })
    .await;
    tokio::time::sleep(Duration::from_secs(4)).await;
    // The URL image changes at its source: swapped in at the next fetch, no restart.
    files.put("weather.png", &png(40, 40, |_, _| [0, 255, 0, 255]));
    let swapped_at = started.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_secs(8)).await;
    // Hide the logo layer.
    let layer_id = layers
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["asset_id"] == logo)
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let r = app
        .patch(
            token,
            &format!("/api/v1/outputs/{out}/overlays/{layer_id}"),
            json!({"visible": false}),
        )
        .await;
    assert_eq!(r.status(), 200);
    tokio::time::sleep(Duration::from_secs(3)).await;
    let total = started.elapsed().as_secs_f64();
    app.post(token, &format!("/api/v1/outputs/{out}/stop"), json!({}))
        .await;
    OnAir { swapped_at, total }
}

fn overlays_in_the_recording(ingest: &Nginx, on_air: &OnAir) {
    let recs = ingest.recordings("overlay-key");
    assert_eq!(
        recs.len(),
        1,
        "one publish session through all overlay changes: {recs:?}"
    );
    let flv: &Path = &recs[0];
    let (w, h) = (640, 360);
    let early = ingest::frame_rgb(flv, 2.0, w, h);
    assert!(
        is_red(pixel(&early, w, 330, 190)),
        "logo edge red: {:?}",
        pixel(&early, w, 330, 190)
    );
    assert!(
        !is_red(pixel(&early, w, 400, 260)),
        "the transparent hole shows the camera"
    );
    assert!(
        !is_red(pixel(&early, w, 600, 40)),
        "nothing outside the logo"
    );
    assert!(
        is_blue(pixel(&early, w, 64, 50)),
        "URL image at its place: {:?}",
        pixel(&early, w, 64, 50)
    );
    let late = ingest::frame_rgb(flv, on_air.swapped_at + 7.0, w, h);
    assert!(
        is_green(pixel(&late, w, 64, 50)),
        "URL image swapped: {:?}",
        pixel(&late, w, 64, 50)
    );
    let end = ingest::frame_rgb(flv, on_air.total - 1.5, w, h);
    assert!(
        !is_red(pixel(&end, w, 330, 190)),
        "hidden layer gone: {:?}",
        pixel(&end, w, 330, 190)
    );
}
