//! A simulated ONVIF PTZ camera: the `onvif-server` crate's SOAP services (Device, Media, PTZ,
//! WS-Security UsernameToken digest, SOAP faults) around a [`PtzHead`], served on 127.0.0.1.
//!
//! Two behaviours of real cameras are selectable:
//! - `report_position: false` (onvif-server's own behaviour, like many cheap cameras):
//!   GetStatus carries the move state but no Position, so a client must work from preset
//!   tokens alone;
//! - `report_position: true`: the PTZStatus also carries the head's Position, which is the
//!   path where presets are recalled by coordinates.
//!
//! Every SOAP request the device receives is kept (see [`SimOnvif::requests`]) so tests can
//! check what a client actually sent, e.g. against the ONVIF schemas.
//! [`SimOnvif::stop`] behaves like a camera losing power: the port closes and open
//! connections drop; [`SimOnvif::restart`] brings it back on the same port.

use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use async_trait::async_trait;
use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use onvif_server::{
    DeviceInfo, DeviceService, OnvifError, OnvifServer, PTZPreset, PTZService, PTZStatusResult,
};

use crate::ptz::PtzHead;

/// What one simulated ONVIF device looks like.
#[derive(Clone, Debug)]
pub struct SimOnvifConfig {
    /// TCP port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// WS-Security user and password; `None` accepts anonymous requests.
    pub credentials: Option<(String, String)>,
    /// What GetStreamUri answers (the simulated RTSP camera showing the head's view).
    pub stream_uri: String,
    pub snapshot_uri: Option<String>,
    /// Put the head's Position into GetStatus replies (see the module docs).
    pub report_position: bool,
    pub head: PtzHead,
    pub model: String,
    /// Answer every request this much later: a slow camera (real ones take 50–300 ms).
    pub reply_delay: std::time::Duration,
}

impl Default for SimOnvifConfig {
    fn default() -> Self {
        Self {
            port: 0,
            credentials: Some(("admin".into(), "admin".into())),
            stream_uri: "rtsp://127.0.0.1:8554/cam1".into(),
            snapshot_uri: None,
            report_position: false,
            head: PtzHead::new(),
            model: "VistterSim PTZ".into(),
            reply_delay: std::time::Duration::ZERO,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SimOnvifError {
    #[error("simulated ONVIF device could not listen on 127.0.0.1:{port}: {source}")]
    Bind { port: u16, source: std::io::Error },
    #[error("simulated ONVIF device could not be built: {0}")]
    Build(String),
}

/// A running simulated ONVIF device. Dropping it stops the server.
pub struct SimOnvif {
    config: SimOnvifConfig,
    port: u16,
    requests: Arc<Mutex<Vec<String>>>,
    concurrency: Arc<Concurrency>,
    delay_ms: Arc<std::sync::atomic::AtomicU64>,
    running: Option<RunningServer>,
}

struct RunningServer {
    stop: tokio::sync::oneshot::Sender<()>,
    thread: JoinHandle<()>,
}

impl SimOnvif {
    pub fn start(config: SimOnvifConfig) -> Result<Self, SimOnvifError> {
        let delay_ms = u64::try_from(config.reply_delay.as_millis()).unwrap_or(u64::MAX);
        let mut sim = Self {
            port: config.port,
            config,
            requests: Arc::default(),
            concurrency: Arc::default(),
            delay_ms: Arc::new(std::sync::atomic::AtomicU64::new(delay_ms)),
            running: None,
        };
        sim.serve()?;
        Ok(sim)
    }

    fn serve(&mut self) -> Result<(), SimOnvifError> {
        let port = self.port;
        let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port)))
            .map_err(|source| SimOnvifError::Bind { port, source })?;
        let bound = listener
            .local_addr()
            .map_err(|source| SimOnvifError::Bind { port, source })?
            .port();
        listener
            .set_nonblocking(true)
            .map_err(|source| SimOnvifError::Bind { port, source })?;
        self.port = bound;
        let router = self.router()?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name(format!("sim-onvif-{bound}"))
            .spawn(move || {
                let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                else {
                    return;
                };
                rt.block_on(async move {
                    let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                        return;
                    };
                    tokio::select! {
                        _ = axum::serve(listener, router) => {}
                        _ = stopped => {}
                    }
                });
                // Dropping the runtime drops every connection task: clients see the
                // connection close, as with a camera that lost power.
                drop(rt);
            })
            .map_err(|e| SimOnvifError::Build(e.to_string()))?;
        self.running = Some(RunningServer { stop, thread });
        Ok(())
    }

    fn router(&self) -> Result<axum::Router, SimOnvifError> {
        let device = VirtualPtz {
            head: self.config.head.clone(),
            stream_uri: self.config.stream_uri.clone(),
            snapshot_uri: self.config.snapshot_uri.clone(),
            model: self.config.model.clone(),
        };
        let mut builder = OnvifServer::builder()
            .port(self.port)
            .advertised_host("127.0.0.1")
            .device_service(device.clone())
            .media_service(device.clone())
            .ptz_service(device);
        if let Some((user, password)) = &self.config.credentials {
            builder = builder.auth(user, password);
        }
        let router = builder
            .build()
            .map_err(|e| SimOnvifError::Build(e.to_string()))?
            .into_router()
            .map_err(|e| SimOnvifError::Build(e.to_string()))?;
        let tap = Tap {
            requests: self.requests.clone(),
            head: self
                .config
                .report_position
                .then(|| self.config.head.clone()),
            delay_ms: self.delay_ms.clone(),
            concurrency: self.concurrency.clone(),
        };
        Ok(router.layer(axum::middleware::from_fn(move |req, next| {
            let tap = tap.clone();
            async move { tap.handle(req, next).await }
        })))
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn device_url(&self) -> String {
        format!("http://127.0.0.1:{}/onvif/device_service", self.port)
    }

    pub fn head(&self) -> &PtzHead {
        &self.config.head
    }

    /// Every SOAP envelope received so far, in order.
    pub fn requests(&self) -> Vec<String> {
        self.requests
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Answer every request this much later from now on (a camera that hangs: a long one).
    pub fn set_reply_delay(&self, delay: std::time::Duration) {
        self.delay_ms.store(
            u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
            std::sync::atomic::Ordering::Relaxed,
        );
    }

    /// The most requests this device ever handled at the same time.
    pub fn max_concurrent_requests(&self) -> usize {
        self.concurrency
            .max
            .load(std::sync::atomic::Ordering::SeqCst)
    }

    /// How many received requests contain `operation` (e.g. `"ContinuousMove"`).
    pub fn count(&self, operation: &str) -> usize {
        let tag = format!(":{operation}>");
        self.requests
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .filter(|r| r.contains(&tag))
            .count()
    }

    pub fn is_running(&self) -> bool {
        self.running.is_some()
    }

    /// Power cut: the port closes and every connection drops.
    pub fn stop(&mut self) {
        if let Some(running) = self.running.take() {
            let _ = running.stop.send(());
            let _ = running.thread.join();
        }
    }

    /// Power back on, same port.
    pub fn restart(&mut self) -> Result<(), SimOnvifError> {
        self.stop();
        let mut last = None;
        for _ in 0..50 {
            match self.serve() {
                Ok(()) => return Ok(()),
                Err(e) => last = Some(e),
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        Err(last.unwrap_or_else(|| SimOnvifError::Build("restart failed".into())))
    }
}

impl Drop for SimOnvif {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Records request bodies and, for a position-reporting device, adds the head's Position to
/// GetStatus replies (onvif-server's PTZ status has no position).
#[derive(Clone)]
struct Tap {
    requests: Arc<Mutex<Vec<String>>>,
    head: Option<PtzHead>,
    /// Reply delay in milliseconds (changeable while running).
    delay_ms: Arc<std::sync::atomic::AtomicU64>,
    concurrency: Arc<Concurrency>,
}

/// Requests being handled now, and the most ever handled at once.
#[derive(Default)]
struct Concurrency {
    now: std::sync::atomic::AtomicUsize,
    max: std::sync::atomic::AtomicUsize,
}

struct InFlight<'a>(&'a Concurrency);

impl<'a> InFlight<'a> {
    fn enter(c: &'a Concurrency) -> Self {
        use std::sync::atomic::Ordering;
        let now = c.now.fetch_add(1, Ordering::SeqCst) + 1;
        c.max.fetch_max(now, Ordering::SeqCst);
        Self(c)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.now.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

const BODY_LIMIT: usize = 1 << 20;

impl Tap {
    async fn handle(&self, req: Request, next: Next) -> Response {
        let _in_flight = InFlight::enter(&self.concurrency);
        let (parts, body) = req.into_parts();
        let bytes = axum::body::to_bytes(body, BODY_LIMIT)
            .await
            .unwrap_or_default();
        self.requests
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(String::from_utf8_lossy(&bytes).into_owned());
        let delay = self.delay_ms.load(std::sync::atomic::Ordering::Relaxed);
        if delay > 0 {
            tokio::time::sleep(std::time::Duration::from_millis(delay)).await;
        }
        let response = next
            .run(Request::from_parts(parts, Body::from(bytes)))
            .await;
        let Some(head) = &self.head else {
            return response;
        };
        let (parts, body) = response.into_parts();
        let bytes = axum::body::to_bytes(body, BODY_LIMIT)
            .await
            .unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes);
        let body = match text.find("<tt:MoveStatus>") {
            Some(at) if text.contains("GetStatusResponse") => {
                let [pan, tilt, zoom] = head.position();
                let position = format!(
                    "<tt:Position><tt:PanTilt x=\"{pan}\" y=\"{tilt}\" \
                     space=\"http://www.onvif.org/ver10/tptz/PanTiltSpaces/PositionGenericSpace\"/>\
                     <tt:Zoom x=\"{zoom}\" \
                     space=\"http://www.onvif.org/ver10/tptz/ZoomSpaces/PositionGenericSpace\"/>\
                     </tt:Position>"
                );
                let mut patched = String::with_capacity(text.len() + position.len());
                patched.push_str(&text[..at]);
                patched.push_str(&position);
                patched.push_str(&text[at..]);
                Bytes::from(patched)
            }
            _ => bytes,
        };
        let mut parts = parts;
        parts.headers.remove(axum::http::header::CONTENT_LENGTH);
        Response::from_parts(parts, Body::from(body))
    }
}

#[derive(Clone)]
struct VirtualPtz {
    head: PtzHead,
    stream_uri: String,
    snapshot_uri: Option<String>,
    model: String,
}

#[async_trait]
impl DeviceService for VirtualPtz {
    async fn get_device_information(&self) -> Result<DeviceInfo, OnvifError> {
        Ok(DeviceInfo {
            manufacturer: "VistterStream".into(),
            model: self.model.clone(),
            firmware_version: env!("CARGO_PKG_VERSION").into(),
            serial_number: "SIM-0001".into(),
            hardware_id: "sim-ptz".into(),
        })
    }
}

#[async_trait]
impl onvif_server::MediaService for VirtualPtz {
    async fn get_stream_uri(&self, _profile_token: &str) -> Result<String, OnvifError> {
        Ok(self.stream_uri.clone())
    }

    async fn get_snapshot_uri(&self, _profile_token: &str) -> Result<String, OnvifError> {
        self.snapshot_uri
            .clone()
            .ok_or(OnvifError::ActionNotSupported)
    }
}

fn in_range(pan: f32, tilt: f32, zoom: f32) -> Result<(), OnvifError> {
    let ok = (-1.0..=1.0).contains(&pan) && (-1.0..=1.0).contains(&tilt);
    if ok && (0.0..=1.0).contains(&zoom) {
        Ok(())
    } else {
        Err(OnvifError::InvalidArgument(format!(
            "position {pan},{tilt},{zoom} outside the generic spaces"
        )))
    }
}

#[async_trait]
impl PTZService for VirtualPtz {
    async fn relative_move(
        &self,
        _profile: &str,
        pan: f32,
        tilt: f32,
        zoom: f32,
    ) -> Result<(), OnvifError> {
        self.head.relative([pan, tilt, zoom]);
        Ok(())
    }

    async fn absolute_move(
        &self,
        _profile: &str,
        pan: f32,
        tilt: f32,
        zoom: f32,
    ) -> Result<(), OnvifError> {
        in_range(pan, tilt, zoom)?;
        self.head.absolute([pan, tilt, zoom]);
        Ok(())
    }

    async fn continuous_move(
        &self,
        _profile: &str,
        pan: f32,
        tilt: f32,
        zoom: f32,
    ) -> Result<(), OnvifError> {
        self.head.continuous([pan, tilt, zoom]);
        Ok(())
    }

    async fn stop(&self, _profile: &str, pan_tilt: bool, zoom: bool) -> Result<(), OnvifError> {
        self.head.stop(pan_tilt, zoom);
        Ok(())
    }

    async fn get_status(&self, _profile: &str) -> Result<PTZStatusResult, OnvifError> {
        let (pan_tilt_moving, zoom_moving) = self.head.moving();
        Ok(PTZStatusResult {
            pan_tilt_moving,
            zoom_moving,
        })
    }

    async fn get_presets(&self, _profile: &str) -> Result<Vec<PTZPreset>, OnvifError> {
        Ok(self
            .head
            .presets()
            .into_iter()
            .map(|(token, name)| PTZPreset { token, name })
            .collect())
    }

    async fn goto_preset(&self, _profile: &str, token: &str) -> Result<(), OnvifError> {
        if self.head.goto_preset(token) {
            Ok(())
        } else {
            Err(OnvifError::InvalidArgument(format!("no preset {token}")))
        }
    }

    async fn set_preset(
        &self,
        _profile: &str,
        name: Option<&str>,
        token: Option<&str>,
    ) -> Result<String, OnvifError> {
        Ok(self.head.set_preset(name, token))
    }

    async fn remove_preset(&self, _profile: &str, token: &str) -> Result<(), OnvifError> {
        if self.head.remove_preset(token) {
            Ok(())
        } else {
            Err(OnvifError::InvalidArgument(format!("no preset {token}")))
        }
    }
}
