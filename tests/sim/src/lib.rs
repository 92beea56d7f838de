//! Simulated RTSP cameras for VistterStream's tests and `make demo`.
//!
//! Each [`SimCamera`] is a real GStreamer RTSP server (gst-rtsp-server) bound to 127.0.0.1,
//! serving H.264 (a moving ball plus the wall-clock time and a label) and AAC, optionally
//! behind RTSP digest authentication. It runs its GLib main loop on a thread of its own, so
//! it can live inside a test process next to the appliance under test.
//!
//! [`SimCamera::stop`] behaves like a camera crash: the listening socket goes away and every
//! connected client is dropped. [`SimCamera::restart`] brings the camera back on the same port.
//!
//! With [`SimCameraConfig::file`] set, a camera serves a pre-encoded MP4 instead, as a live
//! stream that loops forever without re-encoding (see the `clip` module).
//!
//! For tests: [`rig::PtzRig`] is a whole PTZ camera (head, picture and ONVIF device), and
//! [`picture`] makes and compares the pictures tests upload, serve and read back.

mod clip;
pub mod discovery;
pub mod onvif;
pub mod picture;
pub mod ptz;
pub mod rig;
pub mod stamp;

use std::sync::{Arc, mpsc};
use std::thread::JoinHandle;

use gstreamer as gst;
use gstreamer::glib;
use gstreamer_rtsp_server as rtsp_server;
use gstreamer_rtsp_server::prelude::*;

/// What one simulated camera serves.
#[derive(Clone, Debug)]
pub struct SimCameraConfig {
    /// Text burnt into the picture (top left), e.g. "CAM 1".
    pub label: String,
    /// TCP port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// Mount path, starting with '/'.
    pub path: String,
    /// Digest credentials (user, password); `None` serves without authentication.
    pub credentials: Option<(String, String)>,
    pub width: u32,
    pub height: u32,
    pub fps: u32,
    /// x264 target bitrate in kbit/s.
    pub bitrate_kbps: u32,
    /// Serve an AAC audio track beside the video (in file mode: if the file has one).
    pub audio: bool,
    /// Serve this pre-encoded MP4 (H.264 + optional AAC) as a live stream, looped forever,
    /// instead of encoding a test pattern: costs the server almost no CPU, which is what
    /// benchmarks want. `label`, `width`, `height`, `fps` and `bitrate_kbps` are then
    /// whatever the file holds. The file is read into memory once per process.
    pub file: Option<std::path::PathBuf>,
    /// A PTZ camera: the picture is the head's window onto a larger scene (a colour
    /// gradient), so pan, tilt and zoom visibly move it. Ignored in file mode.
    pub ptz: Option<ptz::PtzHead>,
    /// Paint the capture time into the top rows of every frame ([`stamp`]), for latency
    /// measurements. Ignored in file mode.
    pub stamp: bool,
    /// The background colour (0xAARRGGBB) behind the moving ball, so tests tell cameras
    /// apart in what an ingest recorded; `None` is black. Ignored for PTZ and file mode.
    pub background: Option<u32>,
}

impl Default for SimCameraConfig {
    fn default() -> Self {
        Self {
            label: "SIM".into(),
            port: 0,
            path: "/cam".into(),
            credentials: None,
            width: 640,
            height: 360,
            fps: 25,
            bitrate_kbps: 800,
            audio: true,
            file: None,
            ptz: None,
            stamp: false,
            background: None,
        }
    }
}

impl SimCameraConfig {
    /// GStreamer launch description of the media, as gst-rtsp-server wants it. In file mode
    /// the media is a pair of `appsrc` elements that the camera feeds from the file.
    pub fn launch(&self) -> String {
        if self.file.is_some() {
            return clip::launch(self.audio);
        }
        let gop = (self.fps * 2).max(1);
        let label = self.label.replace('"', "'");
        let source = if self.ptz.is_some() {
            // A scene twice the picture's size; `ptzview` crops the head's window out of it.
            format!(
                "videotestsrc is-live=true pattern=colors \
                 ! video/x-raw,width={sw},height={sh},framerate={fps}/1 \
                 ! videocrop name=ptzview ! videoscale \
                 ! video/x-raw,width={w},height={h}",
                sw = self.width * 2,
                sh = self.height * 2,
                w = self.width,
                h = self.height,
                fps = self.fps,
            )
        } else {
            format!(
                "videotestsrc is-live=true pattern=ball motion=sweep background-color={bg} \
                 ! video/x-raw,width={w},height={h},framerate={fps}/1",
                bg = self.background.unwrap_or(0xff00_0000),
                w = self.width,
                h = self.height,
                fps = self.fps,
            )
        };
        // The capture time goes in after the source and before anything is drawn or encoded.
        let stamp = if self.stamp {
            " ! videoconvert ! video/x-raw,format=I420 ! identity name=stamp"
        } else {
            ""
        };
        let mut launch = format!(
            "( {source}{stamp} \
             ! clockoverlay halignment=left valignment=top font-desc=\"Sans 24\" \
               time-format=\"%H:%M:%S\" text=\"{label}\" shaded-background=true \
             ! x264enc tune=zerolatency speed-preset=ultrafast key-int-max={gop} bitrate={br} \
             ! video/x-h264,profile=baseline \
             ! rtph264pay name=pay0 pt=96 config-interval=-1 ",
            br = self.bitrate_kbps,
        );
        if self.audio {
            launch.push_str(
                "audiotestsrc is-live=true wave=sine freq=440 volume=0.2 ! audioconvert \
                 ! audioresample ! audio/x-raw,rate=48000,channels=2 \
                 ! avenc_aac bitrate=64000 ! rtpmp4gpay name=pay1 pt=97 ",
            );
        }
        launch.push(')');
        launch
    }

    pub fn url(&self, port: u16) -> String {
        format!("rtsp://127.0.0.1:{port}{}", self.path)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("GStreamer init failed: {0}")]
    Init(#[from] glib::Error),
    #[error("RTSP server for {label} could not listen on 127.0.0.1:{port}: {detail}")]
    Bind {
        label: String,
        port: u16,
        detail: String,
    },
    #[error("simulated camera thread for {0} ended before it started")]
    ThreadGone(String),
    #[error("cannot serve {path} in a loop: {detail}")]
    File {
        path: std::path::PathBuf,
        detail: String,
    },
}

/// A running simulated camera. Dropping it stops the server.
pub struct SimCamera {
    config: SimCameraConfig,
    port: u16,
    clip: Option<Arc<clip::Clip>>,
    running: Option<Running>,
}

struct Running {
    main_loop: glib::MainLoop,
    thread: JoinHandle<()>,
}

impl SimCamera {
    /// Starts serving. In file mode the file is demuxed first, and a failure to do so is
    /// reported here; `config.audio` is turned off if the file has no audio track.
    pub fn start(mut config: SimCameraConfig) -> Result<Self, SimError> {
        gst::init()?;
        let clip = match &config.file {
            Some(path) => {
                let clip = clip::load_shared(path).map_err(|detail| SimError::File {
                    path: path.clone(),
                    detail,
                })?;
                config.audio &= clip.has_audio();
                Some(clip)
            }
            None => None,
        };
        let (running, port) = serve(&config, clip.as_ref(), config.port)?;
        Ok(Self {
            config,
            port,
            clip,
            running: Some(running),
        })
    }

    /// Length of one pass of the looped file (file mode only).
    pub fn loop_period(&self) -> Option<std::time::Duration> {
        self.clip
            .as_ref()
            .map(|clip| std::time::Duration::from_nanos(clip.period().nseconds()))
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// URL without credentials.
    pub fn url(&self) -> String {
        self.config.url(self.port)
    }

    pub fn config(&self) -> &SimCameraConfig {
        &self.config
    }

    pub fn is_running(&self) -> bool {
        self.running.is_some()
    }

    /// Crash the camera: stop listening and drop every client connection.
    pub fn stop(&mut self) {
        if let Some(running) = self.running.take() {
            running.main_loop.quit();
            let _ = running.thread.join();
        }
    }

    /// Bring the camera back on the same port.
    pub fn restart(&mut self) -> Result<(), SimError> {
        self.stop();
        // The old socket may linger for a moment after the thread ends; retry briefly.
        let mut last = None;
        for _ in 0..50 {
            match serve(&self.config, self.clip.as_ref(), self.port) {
                Ok((running, _)) => {
                    self.running = Some(running);
                    return Ok(());
                }
                Err(e) => last = Some(e),
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        Err(last.unwrap_or_else(|| SimError::ThreadGone(self.config.label.clone())))
    }
}

impl Drop for SimCamera {
    fn drop(&mut self) {
        self.stop();
    }
}

fn serve(
    config: &SimCameraConfig,
    clip: Option<&Arc<clip::Clip>>,
    port: u16,
) -> Result<(Running, u16), SimError> {
    let (tx, rx) = mpsc::channel::<Result<(glib::MainLoop, u16), SimError>>();
    let config = config.clone();
    let clip = clip.cloned();
    let label = config.label.clone();
    let thread = std::thread::Builder::new()
        .name(format!("sim-{}", config.label))
        .spawn(move || run_server(config, clip, port, tx))
        .map_err(|e| SimError::Bind {
            label: label.clone(),
            port,
            detail: e.to_string(),
        })?;
    match rx.recv() {
        Ok(Ok((main_loop, port))) => Ok((Running { main_loop, thread }, port)),
        Ok(Err(e)) => {
            let _ = thread.join();
            Err(e)
        }
        Err(_) => Err(SimError::ThreadGone(label)),
    }
}

fn run_server(
    config: SimCameraConfig,
    clip: Option<Arc<clip::Clip>>,
    port: u16,
    ready: mpsc::Sender<Result<(glib::MainLoop, u16), SimError>>,
) {
    let context = glib::MainContext::new();
    let main_loop = glib::MainLoop::new(Some(&context), false);
    let server = rtsp_server::RTSPServer::new();
    server.set_address("127.0.0.1");
    server.set_service(&port.to_string());

    let factory = rtsp_server::RTSPMediaFactory::new();
    factory.set_launch(&config.launch());
    factory.set_shared(true);
    if let Some(clip) = clip {
        let label = config.label.clone();
        factory.connect_media_configure(move |_, media| {
            if let Err(e) = clip::attach(media, &clip) {
                eprintln!("vistter-sim {label}: {e}");
            }
        });
    }
    if config.stamp && config.file.is_none() {
        let (label, width) = (config.label.clone(), config.width as usize);
        factory.connect_media_configure(move |_, media| {
            let element = media.element();
            let attached = element
                .downcast_ref::<gst::Bin>()
                .and_then(|bin| bin.by_name("stamp"))
                .ok_or("no stamp element")
                .and_then(|stamp| stamp::attach(&stamp, width));
            if let Err(e) = attached {
                eprintln!("vistter-sim {label}: {e}");
            }
        });
    }
    if let (Some(head), None) = (&config.ptz, &config.file) {
        follow_head(
            &factory,
            &context,
            head.clone(),
            config.width * 2,
            config.height * 2,
        );
    }
    if let Some((user, password)) = &config.credentials {
        let auth = rtsp_server::RTSPAuth::new();
        auth.set_supported_methods(rtsp_server::gst_rtsp::RTSPAuthMethod::Digest);
        let token = rtsp_server::RTSPToken::builder()
            .field(rtsp_server::RTSP_TOKEN_MEDIA_FACTORY_ROLE, "user")
            .build();
        auth.add_digest(user, password, &token);
        server.set_auth(Some(&auth));
        let role = gst::Structure::builder("user")
            .field(rtsp_server::RTSP_PERM_MEDIA_FACTORY_ACCESS, true)
            .field(rtsp_server::RTSP_PERM_MEDIA_FACTORY_CONSTRUCT, true)
            .build();
        factory.add_role_from_structure(&role);
    }
    if let Some(mounts) = server.mount_points() {
        mounts.add_factory(&config.path, factory);
    }

    let source = match server.create_source(gio_cancellable().as_ref()) {
        Ok(source) => source,
        Err(e) => {
            let _ = ready.send(Err(SimError::Bind {
                label: config.label.clone(),
                port,
                detail: e.to_string(),
            }));
            return;
        }
    };
    source.attach(Some(&context));
    let bound = u16::try_from(server.bound_port()).unwrap_or(port);
    if ready.send(Ok((main_loop.clone(), bound))).is_err() {
        return;
    }
    main_loop.run();

    // Crash semantics: stop listening, then drop every client so their TCP connections close.
    source.destroy();
    server.client_filter(Some(&mut |_, _| rtsp_server::RTSPFilterResult::Remove));
    // Let the main context process the removals.
    while context.iteration(false) {}
}

/// Keep every media's `ptzview` crop on the head's current window (checked 25 times a
/// second on the camera's own main context; a property is set only when it changes).
fn follow_head(
    factory: &rtsp_server::RTSPMediaFactory,
    context: &glib::MainContext,
    head: ptz::PtzHead,
    scene_w: u32,
    scene_h: u32,
) {
    let views: Arc<std::sync::Mutex<Vec<glib::WeakRef<gst::Element>>>> = Arc::default();
    {
        let views = views.clone();
        factory.connect_media_configure(move |_, media| {
            let element = media.element();
            if let Some(view) = element
                .downcast_ref::<gst::Bin>()
                .and_then(|bin| bin.by_name("ptzview"))
            {
                views
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push(view.downgrade());
            }
        });
    }
    let source = glib::timeout_source_new(
        std::time::Duration::from_millis(40),
        Some("ptz-view"),
        glib::Priority::DEFAULT,
        move || {
            let (left, right, top, bottom) = head.crop(scene_w, scene_h);
            let mut views = views.lock().unwrap_or_else(|p| p.into_inner());
            views.retain(|weak| {
                let Some(view) = weak.upgrade() else {
                    return false;
                };
                for (name, value) in [
                    ("left", left),
                    ("right", right),
                    ("top", top),
                    ("bottom", bottom),
                ] {
                    let value = value as i32;
                    if view.property::<i32>(name) != value {
                        view.set_property(name, value);
                    }
                }
                true
            });
            glib::ControlFlow::Continue
        },
    );
    source.attach(Some(context));
}

fn gio_cancellable() -> Option<gstreamer_rtsp_server::gio::Cancellable> {
    None
}
