//! Test harness: the real appliance binary as a child process on a free loopback port with a
//! temporary data dir, killed by its pid when the guard drops; plus HTTP helpers.
//!
//! The rest of the harness, by job:
//! - [`fixtures`]: creating, starting and waiting for cameras, destinations, outputs, assets
//!   and PTZ cameras through the API;
//! - [`wait`]: the one polling loop every wait is built on;
//! - [`problem`]: checking an error response (`application/problem+json`);
//! - [`httpd`], [`ingest`]: peers (Apache httpd as a snapshot endpoint; nginx-rtmp, stunnel
//!   and ffprobe for what an output sent);
//! - [`program_frames`]: what a program showed, frame by frame, in a recording;
//! - [`browser`]: a browser script (Chromium under playwright-core) in lockstep with a test.

#![allow(dead_code)]

pub mod browser;
pub mod fixtures;
pub mod httpd;
pub mod ingest;
pub mod live;
pub mod problem;
pub mod program_frames;
pub mod wait;

use std::fmt;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

pub const ADMIN_PASSWORD: &str = "test-admin-password";

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

pub struct Appliance {
    child: Option<Child>,
    pub port: u16,
    pub data_dir: PathBuf,
    pub log_path: PathBuf,
    _tmp: Option<tempfile::TempDir>,
    pub client: reqwest::Client,
}

pub struct Options {
    pub admin_password: Option<String>,
    pub extra_env: Vec<(String, String)>,
    pub args: Vec<String>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            admin_password: Some(ADMIN_PASSWORD.into()),
            extra_env: vec![
                ("VISTTER_CAMERAS__STALL_TIMEOUT_SECS".into(), "5".into()),
                ("VISTTER_CAMERAS__CONNECT_TIMEOUT_SECS".into(), "5".into()),
            ],
            args: vec![],
        }
    }
}

impl Appliance {
    pub async fn start() -> Self {
        Self::start_with(Options::default()).await
    }

    pub async fn start_with(options: Options) -> Self {
        let tmp = tempfile::tempdir().expect("temp dir");
        let data_dir = tmp.path().join("data");
        let mut app = Self::spawn(&data_dir, tmp.path().join("appliance.log"), &options);
        app._tmp = Some(tmp);
        app.wait_ready().await;
        app
    }

    /// Start again on the same data dir (a restart of the appliance).
    pub async fn restart(&mut self, options: Options) {
        self.stop_gracefully();
        let log = self.data_dir.parent().unwrap().join("appliance-2.log");
        let mut next = Self::spawn(&self.data_dir, log, &options);
        self.child = next.child.take();
        self.port = next.port;
        self.log_path = std::mem::take(&mut next.log_path);
        self.wait_ready().await;
    }

    fn spawn(data_dir: &Path, log_path: PathBuf, options: &Options) -> Self {
        let port = free_port();
        let log = std::fs::File::create(&log_path).expect("log file");
        let log_err = log.try_clone().expect("log file");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_vistterstream"));
        cmd.arg("serve")
            .arg("--listen")
            .arg(format!("127.0.0.1:{port}"))
            .arg("--data-dir")
            .arg(data_dir)
            .arg("--log-level")
            .arg("debug,sqlx=warn,actix_server=warn")
            .args(&options.args)
            .env_remove("VISTTER_ADMIN_PASSWORD")
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_err);
        if let Some(pw) = &options.admin_password {
            cmd.env("VISTTER_ADMIN_PASSWORD", pw);
        }
        for (k, v) in &options.extra_env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().expect("spawning the appliance");
        Self {
            child: Some(child),
            port,
            data_dir: data_dir.to_path_buf(),
            log_path,
            _tmp: None,
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                // Below actix-web's 5 s keep-alive: never reuse a connection the server is
                // closing (a race that shows as "IncompleteMessage").
                .pool_idle_timeout(Duration::from_secs(2))
                .build()
                .expect("http client"),
        }
    }

    async fn wait_ready(&mut self) {
        let readyz = self.url("/readyz");
        let (child, client, data_dir) = (&mut self.child, &self.client, &self.data_dir);
        wait::wait_until_every(
            Duration::from_millis(100),
            Duration::from_secs(60),
            "the appliance to answer /readyz",
            async || {
                if let Some(child) = child.as_mut()
                    && let Ok(Some(status)) = child.try_wait()
                {
                    panic!(
                        "appliance exited early ({status}); log:\n{}",
                        logs(data_dir)
                    );
                }
                match client.get(&readyz).send().await {
                    Ok(r) if r.status().is_success() => Ok(()),
                    Ok(r) => Err(Seen::new(r.status(), data_dir)),
                    Err(e) => Err(Seen::new(e, data_dir)),
                }
            },
        )
        .await;
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().map(|c| c.id()).unwrap_or(0)
    }

    /// SIGKILL (a power cut, as far as the appliance can tell), then wait for it to be gone.
    pub fn kill_hard(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// SIGTERM, then wait; returns how long the process took to exit and its status.
    pub fn stop_gracefully(&mut self) -> Option<(Duration, std::process::ExitStatus)> {
        let mut child = self.child.take()?;
        let started = Instant::now();
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(child.id().to_string())
            .status();
        loop {
            if let Ok(Some(status)) = child.try_wait() {
                return Some((started.elapsed(), status));
            }
            if started.elapsed() > Duration::from_secs(20) {
                let _ = child.kill();
                let status = child.wait().ok()?;
                return Some((started.elapsed(), status));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Everything the appliance logged, every run on this data dir.
    pub fn log(&self) -> String {
        logs(&self.data_dir)
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub async fn login(&self, username: &str, password: &str) -> reqwest::Response {
        self.client
            .post(self.url("/api/v1/auth/login"))
            .json(&json!({"username": username, "password": password}))
            .send()
            .await
            .expect("login request")
    }

    /// Log in as admin and return the bearer token.
    pub async fn admin_token(&self) -> String {
        let r = self.login("admin", ADMIN_PASSWORD).await;
        assert_eq!(r.status(), 200, "admin login");
        let body: Value = r.json().await.unwrap();
        body["access_token"].as_str().unwrap().to_string()
    }

    pub async fn get(&self, token: &str, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("GET")
    }

    pub async fn send(
        &self,
        method: reqwest::Method,
        token: &str,
        path: &str,
        body: Option<Value>,
    ) -> reqwest::Response {
        let mut req = self
            .client
            .request(method, self.url(path))
            .bearer_auth(token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        req.send().await.expect("request")
    }

    pub async fn post(&self, token: &str, path: &str, body: Value) -> reqwest::Response {
        self.send(reqwest::Method::POST, token, path, Some(body))
            .await
    }

    pub async fn patch(&self, token: &str, path: &str, body: Value) -> reqwest::Response {
        self.send(reqwest::Method::PATCH, token, path, Some(body))
            .await
    }

    pub async fn delete(&self, token: &str, path: &str) -> reqwest::Response {
        self.send(reqwest::Method::DELETE, token, path, None).await
    }

    pub async fn get_json(&self, token: &str, path: &str) -> Value {
        let r = self.get(token, path).await;
        assert!(r.status().is_success(), "GET {path}: {}", r.status());
        r.json().await.unwrap()
    }

    pub async fn metrics(&self) -> String {
        self.client
            .get(self.url("/metrics"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    /// Do the database files hold `secret` as plain bytes?
    pub fn stored_in_clear(&self, secret: &str) -> bool {
        let db = std::fs::read(self.data_dir.join("vistterstream.db")).unwrap();
        let wal = std::fs::read(self.data_dir.join("vistterstream.db-wal")).unwrap_or_default();
        [db, wal]
            .iter()
            .any(|bytes| bytes.windows(secret.len()).any(|w| w == secret.as_bytes()))
    }

    /// `view` as a wait's last observation: shown, when the wait gives up, with the tail of
    /// the appliance's log (read only then).
    pub fn seen(&self, view: impl fmt::Display) -> Seen {
        Seen::new(view, &self.data_dir)
    }
}

/// The log files of the appliance on `data_dir`, oldest first, as one text.
fn logs(data_dir: &Path) -> String {
    let mut all = String::new();
    if let Some(dir) = data_dir.parent()
        && let Ok(entries) = std::fs::read_dir(dir)
    {
        let mut logs: Vec<_> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "log"))
            .collect();
        logs.sort();
        for p in logs {
            all.push_str(&std::fs::read_to_string(&p).unwrap_or_default());
        }
    }
    all
}

/// What a wait on the appliance saw last; see [`Appliance::seen`].
pub struct Seen {
    view: String,
    data_dir: PathBuf,
}

impl Seen {
    fn new(view: impl fmt::Display, data_dir: &Path) -> Self {
        Self {
            view: format!("{view:#}"),
            data_dir: data_dir.to_path_buf(),
        }
    }
}

impl fmt::Display for Seen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let log = logs(&self.data_dir);
        write!(f, "{}\nlog tail:\n{}", self.view, tail(&log, 60))
    }
}

impl Drop for Appliance {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Stop a peer by its pid: SIGTERM (letting it stop its own children), SIGKILL after 5 s.
pub fn terminate(child: &mut Option<Child>) {
    if let Some(mut c) = child.take() {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(c.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = c.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = c.kill();
        let _ = c.wait();
    }
}

pub fn tail(s: &str, lines: usize) -> String {
    let all: Vec<&str> = s.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// The value of a metric sample with exactly these labels, e.g. `vistter_camera_up{camera="1"}`.
pub fn metric(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find(|l| l.starts_with(series) && l[series.len()..].starts_with(' '))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

/// The value of a metric whose only label is `camera`, e.g. `vistter_camera_up{camera="1"}`.
pub fn camera_metric(text: &str, name: &str, camera: i64) -> Option<f64> {
    metric(text, &format!("{name}{{camera=\"{camera}\"}}"))
}

/// Log the step a long test is at: a failure's output then says which step failed.
pub fn step(text: &str) {
    eprintln!("step {text}");
}

/// Where `scripts/setup.sh` unpacks the Python test peers (ipycam, onvif-zeep-async).
pub fn peers_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/peers/site")
}

pub fn sim(label: &str, user: &str, password: &str) -> vistterstream_sim::SimCamera {
    vistterstream_sim::SimCamera::start(vistterstream_sim::SimCameraConfig {
        label: label.into(),
        credentials: Some((user.into(), password.into())),
        ..Default::default()
    })
    .expect("simulated camera")
}
