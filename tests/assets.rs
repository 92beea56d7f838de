//! Asset library and overlays against real peers: uploads checked by content, URL images
//! from a real HTTP server (python3 -m http.server on loopback) behind the SSRF guard, and
//! overlay pixels read back from what nginx-rtmp recorded.

mod common;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::ingest::{self, Nginx};
use common::{Appliance, Options, free_port, sim};
use serde_json::{Value, json};

/// A static file server on 127.0.0.1 (python3's http.server), killed by pid on drop.
struct FileServer {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl FileServer {
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
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "http.server did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
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

fn png(w: u32, h: u32, pixel: impl Fn(u32, u32) -> [u8; 4]) -> Vec<u8> {
    let img = image::RgbaImage::from_fn(w, h, |x, y| image::Rgba(pixel(x, y)));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

async fn upload(app: &Appliance, token: &str, name: &str, bytes: Vec<u8>) -> reqwest::Response {
    let form = reqwest::multipart::Form::new()
        .text("name", name.to_string())
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(format!("{name}.png")),
        );
    app.client
        .post(app.url("/api/v1/assets"))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .expect("upload")
}

async fn wait_asset(
    app: &Appliance,
    token: &str,
    id: i64,
    what: &str,
    want: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let v = app.get_json(token, &format!("/api/v1/assets/{id}")).await;
        if want(&v) {
            return v;
        }
        assert!(
            Instant::now() < deadline,
            "asset {id}: {what} never happened: {v}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn fields(v: &Value) -> Vec<String> {
    v["errors"]
        .as_array()
        .map(|e| {
            e.iter()
                .map(|f| f["field"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[actix_web::test]
async fn uploads_are_checked_by_content_and_url_fetches_never_reach_this_machine() {
    let app = Appliance::start().await;
    let token = app.admin_token().await;
    let files = FileServer::start();
    files.put("blue.png", &png(20, 10, |_, _| [0, 0, 255, 255]));

    // A real PNG with alpha: stored, typed by content, previewable.
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

    // A text file named .png; an oversized upload; a JSON asset with bad fields.
    let r = upload(
        &app,
        &token,
        "fake",
        b"this is a text file, not a picture".to_vec(),
    )
    .await;
    assert_eq!(r.status(), 422);
    let v: Value = r.json().await.unwrap();
    assert_eq!(fields(&v), vec!["file"], "{v}");
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
    assert_eq!(r.status(), 422);
    assert_eq!(
        fields(&r.json().await.unwrap()),
        vec!["url", "refresh_secs"]
    );
    let r = app
        .post(
            &token,
            "/api/v1/assets",
            json!({"name": "c", "kind": "clock", "text": "%Q"}),
        )
        .await;
    assert_eq!(fields(&r.json().await.unwrap()), vec!["text"]);
    let listed = app.get_json(&token, "/api/v1/assets").await;
    assert_eq!(
        listed.as_array().unwrap().len(),
        1,
        "nothing else stored: {listed}"
    );

    // URL images aimed at this machine or a metadata service: refused when fetched.
    let port = files.port;
    for url in [
        format!("http://localhost:{port}/blue.png"),
        format!("http://127.0.0.1:{port}/blue.png"),
        format!("http://[::1]:{port}/blue.png"),
        "http://169.254.169.254/latest/meta-data/".to_string(),
    ] {
        let r = app
            .post(
                &token,
                "/api/v1/assets",
                json!({"name": "u", "kind": "url_image", "url": url, "refresh_secs": 5}),
            )
            .await;
        assert_eq!(r.status(), 201, "{url}");
        let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        let v = wait_asset(&app, &token, id, "fetch refused", |v| {
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

    // Text and clock assets preview as rendered text.
    let r = app
        .post(
            &token,
            "/api/v1/assets",
            json!({"name": "t", "kind": "clock", "text": "%H:%M", "font_size": 40}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
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

fn pixel(rgb: &[u8], w: u32, x: u32, y: u32) -> (i32, i32, i32) {
    let i = ((y * w + x) * 3) as usize;
    (rgb[i] as i32, rgb[i + 1] as i32, rgb[i + 2] as i32)
}

fn is_red(p: (i32, i32, i32)) -> bool {
    p.0 > 170 && p.1 < 90 && p.2 < 90
}
fn is_blue(p: (i32, i32, i32)) -> bool {
    p.2 > 170 && p.0 < 90 && p.1 < 90
}
fn is_green(p: (i32, i32, i32)) -> bool {
    p.1 > 150 && p.0 < 90 && p.2 < 90
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
    let cam_id = app.add_streaming_camera(&token, &cam, "O").await;
    let ingest = Nginx::start();
    let files = FileServer::start();
    files.put("weather.png", &png(40, 40, |_, _| [0, 0, 255, 255]));

    // A red square with a transparent hole in the middle.
    let logo = upload(
        &app,
        &token,
        "logo",
        png(100, 100, |x, y| {
            let hole = (30..70).contains(&x) && (30..70).contains(&y);
            [255, 0, 0, if hole { 0 } else { 255 }]
        }),
    )
    .await
    .json::<Value>()
    .await
    .unwrap()["id"]
        .as_i64()
        .unwrap();
    let r = app
        .post(&token, "/api/v1/assets", json!({"name": "weather", "kind": "url_image", "url": format!("http://127.0.0.1:{}/weather.png", files.port), "refresh_secs": 5}))
        .await;
    let weather = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    wait_asset(&app, &token, weather, "first fetch", |v| {
        v["last_fetch_at"].is_string()
    })
    .await;

    let r = app
        .post(&token, "/api/v1/destinations", json!({"name": "n", "platform": "custom", "server_url": ingest.server_url(), "stream_key": "overlay-key"}))
        .await;
    let d = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let r = app
        .post(&token, "/api/v1/outputs", json!({"name": "P", "camera_id": cam_id, "destination_ids": [d], "profile": {"width": 640, "height": 360, "video_bitrate_kbps": 1500}}))
        .await;
    let out = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    // 640x360 frame: logo 25 % wide = 160x160 at (320,180); weather 10 % = 64x64 at (32,18).
    let r = app
        .send(
            reqwest::Method::PUT,
            &token,
            &format!("/api/v1/outputs/{out}/overlays"),
            Some(json!([
                {"asset_id": logo, "x": 0.5, "y": 0.5, "width": 0.25, "z": 2},
                {"asset_id": weather, "x": 0.05, "y": 0.05, "width": 0.1, "z": 1},
                {"asset_id": 999, "x": 0.0, "y": 0.0}
            ])),
        )
        .await;
    assert_eq!(r.status(), 422, "unknown asset");
    assert_eq!(fields(&r.json().await.unwrap()), vec!["[2].asset_id"]);
    let r = app
        .send(
            reqwest::Method::PUT,
            &token,
            &format!("/api/v1/outputs/{out}/overlays"),
            Some(json!([
                {"asset_id": logo, "x": 0.5, "y": 0.5, "width": 0.25, "z": 2},
                {"asset_id": weather, "x": 0.05, "y": 0.05, "width": 0.1, "z": 1}
            ])),
        )
        .await;
    assert_eq!(r.status(), 200);
    let layers: Value = r.json().await.unwrap();
    assert_eq!(
        app.send(
            reqwest::Method::DELETE,
            &token,
            &format!("/api/v1/assets/{logo}"),
            None
        )
        .await
        .status(),
        409,
        "asset in use"
    );

    assert_eq!(
        app.post(&token, &format!("/api/v1/outputs/{out}/start"), json!({}))
            .await
            .status(),
        200
    );
    let started = Instant::now();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let v = app
            .get_json(&token, &format!("/api/v1/outputs/{out}"))
            .await;
        if v["status"]["destinations"][0]["state"] == "live" {
            break;
        }
        assert!(Instant::now() < deadline, "never live: {v}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tokio::time::sleep(Duration::from_secs(4)).await;
    // The URL image changes at its source: swapped in at the next fetch, no restart.
    files.put("weather.png", &png(40, 40, |_, _| [0, 255, 0, 255]));
    let swapped_at = Instant::now();
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
        .send(
            reqwest::Method::PATCH,
            &token,
            &format!("/api/v1/outputs/{out}/overlays/{layer_id}"),
            Some(json!({"visible": false})),
        )
        .await;
    assert_eq!(r.status(), 200);
    tokio::time::sleep(Duration::from_secs(3)).await;
    let total = started.elapsed().as_secs_f64();
    app.post(&token, &format!("/api/v1/outputs/{out}/stop"), json!({}))
        .await;

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
    let after_swap = swapped_at.duration_since(started).as_secs_f64() + 7.0;
    let late = ingest::frame_rgb(flv, after_swap, w, h);
    assert!(
        is_green(pixel(&late, w, 64, 50)),
        "URL image swapped: {:?}",
        pixel(&late, w, 64, 50)
    );
    let end = ingest::frame_rgb(flv, total - 1.5, w, h);
    assert!(
        !is_red(pixel(&end, w, 330, 190)),
        "hidden layer gone: {:?}",
        pixel(&end, w, 330, 190)
    );
}
