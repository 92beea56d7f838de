//! One RTSP session with retina: open it, then pump frames into the feed until it fails.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures::StreamExt;
use retina::client::{
    Demuxed, PlayOptions, Session, SessionGroup, SessionOptions, SetupOptions, TcpTransportOptions,
    Transport,
};
use retina::codec::{CodecItem, FrameFormat, ParametersRef, VideoParametersCodec};

use super::feed::CameraFeed;
use super::frame::{AudioInfo, Frame, MediaKind, StreamParams, VideoCodec, VideoInfo};
use super::spec::CameraSpec;
use super::status::RateWindow;
use crate::state::CameraState;

/// Why a session could not start or stopped. Messages name the camera's URL (never its
/// credentials) and say what a person can do about it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    #[error("authentication failed: the camera rejected the username or password ({0})")]
    Auth(String),
    #[error("stream not found: the camera has no stream at {0}")]
    NotFound(String),
    #[error("camera unreachable: {0}")]
    Unreachable(String),
    #[error("timed out: {0}")]
    Timeout(String),
    #[error("unsupported codec: {0}")]
    UnsupportedCodec(String),
    #[error("stalled: no frame for {0:?}")]
    Stalled(Duration),
    #[error("the camera closed the stream")]
    Ended,
    #[error("RTSP error: {0}")]
    Protocol(String),
}

impl SessionError {
    /// The state a camera shows while it waits to retry after this error.
    pub fn state(&self) -> CameraState {
        match self {
            SessionError::Auth(_)
            | SessionError::NotFound(_)
            | SessionError::UnsupportedCodec(_) => CameraState::Error,
            SessionError::Stalled(_) => CameraState::Stalled,
            _ => CameraState::Backoff,
        }
    }

    /// Short machine-readable cause, used as a metric label and in probe reports.
    pub fn kind(&self) -> &'static str {
        match self {
            SessionError::Auth(_) => "auth",
            SessionError::NotFound(_) => "not_found",
            SessionError::Unreachable(_) => "unreachable",
            SessionError::Timeout(_) => "timeout",
            SessionError::UnsupportedCodec(_) => "unsupported_codec",
            SessionError::Stalled(_) => "stalled",
            SessionError::Ended => "ended",
            SessionError::Protocol(_) => "protocol",
        }
    }

    fn from_retina(e: &retina::Error, url: &str) -> Self {
        // retina's Display carries connection context (addresses, positions) but the URL it
        // was given has no credentials, so it is safe to show; keep only the first line.
        let text = e.to_string();
        let first = text.lines().next().unwrap_or("").trim().to_string();
        match e.status_code() {
            Some(401) | Some(403) => SessionError::Auth(first),
            Some(404) => SessionError::NotFound(url.to_string()),
            _ if text.contains("Unable to connect") || text.contains("Connection refused") => {
                SessionError::Unreachable(first)
            }
            _ => SessionError::Protocol(first),
        }
    }
}

/// What was negotiated: which streams, and their parameters.
pub(crate) struct Opened {
    pub demuxed: Demuxed,
    pub video_stream: usize,
    pub audio_stream: Option<usize>,
}

/// DESCRIBE, SETUP (TCP interleaved) and PLAY. The whole exchange is bounded by `timeout`.
pub(crate) async fn open(
    spec: &CameraSpec,
    group: Arc<SessionGroup>,
    timeout: Duration,
) -> Result<Opened, SessionError> {
    let url = spec.url.to_string();
    tokio::time::timeout(timeout, open_inner(spec, group))
        .await
        .map_err(|_| {
            SessionError::Timeout(format!("no RTSP answer from {url} within {timeout:?}"))
        })?
}

async fn open_inner(spec: &CameraSpec, group: Arc<SessionGroup>) -> Result<Opened, SessionError> {
    let url = spec.url.to_string();
    let options = SessionOptions::default()
        .creds(spec.credentials())
        .session_group(group)
        .user_agent(format!("VistterStream/{}", env!("CARGO_PKG_VERSION")));
    let mut session = Session::describe(spec.url.clone(), options)
        .await
        .map_err(|e| SessionError::from_retina(&e, &url))?;

    let streams = session.streams();
    let video_stream = streams
        .iter()
        .position(|s| s.media() == "video" && matches!(s.encoding_name(), "h264" | "h265"))
        .ok_or_else(|| {
            let offered: Vec<String> = streams
                .iter()
                .map(|s| format!("{}/{}", s.media(), s.encoding_name()))
                .collect();
            SessionError::UnsupportedCodec(format!(
                "no H.264 or H.265 video stream (the camera offers {})",
                if offered.is_empty() {
                    "nothing".to_string()
                } else {
                    offered.join(", ")
                }
            ))
        })?;
    let audio_stream = streams
        .iter()
        .position(|s| s.media() == "audio" && s.encoding_name() == "mpeg4-generic");

    let setup = || {
        SetupOptions::default()
            .transport(Transport::Tcp(TcpTransportOptions::default()))
            .frame_format(FrameFormat::SIMPLE)
    };
    session
        .setup(video_stream, setup())
        .await
        .map_err(|e| SessionError::from_retina(&e, &url))?;
    if let Some(a) = audio_stream {
        session
            .setup(a, setup())
            .await
            .map_err(|e| SessionError::from_retina(&e, &url))?;
    }
    let demuxed = session
        .play(PlayOptions::default())
        .await
        .map_err(|e| SessionError::from_retina(&e, &url))?
        .demuxed()
        .map_err(|e| SessionError::from_retina(&e, &url))?;
    Ok(Opened {
        demuxed,
        video_stream,
        audio_stream,
    })
}

/// Current stream parameters, or `None` while the video ones are still unknown.
pub(crate) fn stream_params(opened: &Opened) -> Option<StreamParams> {
    let streams = opened.demuxed.streams();
    let video = match streams.get(opened.video_stream)?.parameters()? {
        ParametersRef::Video(v) => {
            let codec = match v.codec_params() {
                VideoParametersCodec::H264 { .. } => VideoCodec::H264,
                _ => VideoCodec::H265,
            };
            let (width, height) = v.pixel_dimensions();
            let fps = v
                .frame_rate()
                .filter(|(num, _)| *num != 0)
                .map(|(num, den)| f64::from(den) / f64::from(num))
                .or_else(|| streams[opened.video_stream].framerate().map(f64::from));
            VideoInfo {
                codec,
                rfc6381: v.rfc6381_codec().to_string(),
                width,
                height,
                fps,
                extra_data: Bytes::copy_from_slice(v.extra_data()),
            }
        }
        _ => return None,
    };
    let audio = opened
        .audio_stream
        .and_then(|i| match streams.get(i)?.parameters()? {
            ParametersRef::Audio(a) => Some(AudioInfo {
                codec: "aac".into(),
                sample_rate: a.clock_rate(),
                channels: a.channels().get(),
                extra_data: Bytes::copy_from_slice(a.extra_data()),
            }),
            _ => None,
        });
    Some(StreamParams { video, audio })
}

fn to_duration(ts: retina::Timestamp) -> Duration {
    let elapsed = ts.elapsed().max(0) as u128;
    let rate = u128::from(ts.clock_rate().get());
    Duration::from_nanos((elapsed * 1_000_000_000 / rate) as u64)
}

/// Counters for one camera, resolved once per session instead of once per frame, and
/// flushed once a second (and when the session ends) instead of touched for every frame.
struct FrameMetrics {
    frames: metrics::Counter,
    bytes: metrics::Counter,
    bitrate: metrics::Gauge,
    fps: metrics::Gauge,
    pending_frames: u64,
    pending_bytes: u64,
}

impl FrameMetrics {
    fn new(camera_id: i64) -> Self {
        let camera = camera_id.to_string();
        Self {
            frames: metrics::counter!("vistter_camera_frames_total", "camera" => camera.clone()),
            bytes: metrics::counter!("vistter_camera_received_bytes_total", "camera" => camera.clone()),
            bitrate: metrics::gauge!("vistter_camera_bitrate_bps", "camera" => camera.clone()),
            fps: metrics::gauge!("vistter_camera_fps", "camera" => camera),
            pending_frames: 0,
            pending_bytes: 0,
        }
    }

    fn count(&mut self, video: bool, bytes: u64) {
        self.pending_frames += u64::from(video);
        self.pending_bytes += bytes;
    }

    fn flush(&mut self) {
        self.frames
            .increment(std::mem::take(&mut self.pending_frames));
        self.bytes
            .increment(std::mem::take(&mut self.pending_bytes));
    }
}

impl Drop for FrameMetrics {
    /// The session is over: count what is pending and stop reporting a rate.
    fn drop(&mut self) {
        self.flush();
        self.fps.set(0.0);
        self.bitrate.set(0.0);
    }
}

/// Run one session to its end: connect, stream into `feed`, and return why it ended and, if
/// it got as far as streaming, for how long. A session only ends by error: a camera that goes
/// away cleanly still ends the stream, which is [`SessionError::Ended`].
pub async fn run(
    spec: CameraSpec,
    feed: Arc<CameraFeed>,
    group: Arc<SessionGroup>,
    session_no: u64,
) -> (SessionError, Option<Duration>) {
    let started = Instant::now();
    let mut opened = match open(&spec, group, spec.connect_timeout).await {
        Ok(o) => o,
        Err(e) => return (e, None),
    };
    let mut metrics = FrameMetrics::new(spec.id);
    let mut window = RateWindow::new();
    // Resolved at the first video frame (and again when the camera changes them), so the
    // status always reflects what is actually streaming.
    let mut params: Option<Arc<StreamParams>> = None;
    let mut streaming_since: Option<Instant> = None;
    let mut last_publish_second = 0u64;
    // Until the first keyframe the connect timeout applies; after it, the stall timeout
    // counts from the last *video* frame, so a camera whose picture freezes while its audio
    // keeps flowing is still detected.
    let first_frame_deadline = started + spec.connect_timeout.max(Duration::from_secs(1));
    let mut last_video = Instant::now();
    // Deadlines are checked on a coarse tick rather than with a timer armed for every frame.
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);

    loop {
        let next = tokio::select! {
            biased;
            next = opened.demuxed.next() => next,
            _ = tick.tick() => {
                let now = Instant::now();
                let timed_out = match streaming_since {
                    None => now >= first_frame_deadline,
                    Some(_) => now.duration_since(last_video) >= spec.stall_timeout,
                };
                if !timed_out {
                    continue;
                }
                let err = if streaming_since.is_some() {
                    SessionError::Stalled(spec.stall_timeout)
                } else {
                    SessionError::Timeout(format!(
                        "{} answered PLAY but sent no frame within {:?}",
                        spec.url, spec.connect_timeout
                    ))
                };
                return (err, streaming_since.map(|s| s.elapsed()));
            }
        };
        let item = match next {
            None => return (SessionError::Ended, streaming_since.map(|s| s.elapsed())),
            Some(Err(e)) => {
                return (
                    SessionError::from_retina(&e, spec.url.as_str()),
                    streaming_since.map(|s| s.elapsed()),
                );
            }
            Some(Ok(item)) => item,
        };
        let (kind, keyframe, pts, data) = match item {
            CodecItem::VideoFrame(v) => {
                if v.has_new_parameters() || params.is_none() {
                    params = stream_params(&opened).map(Arc::new);
                    if let Some(p) = &params {
                        let p = p.clone();
                        feed.update_status(|s| {
                            s.codec = Some(p.video.codec.as_str().to_string());
                            s.profile = p.video.profile().map(str::to_string);
                            s.width = Some(p.video.width);
                            s.height = Some(p.video.height);
                            s.audio_codec = p.audio.as_ref().map(|a| a.codec.clone());
                        });
                    }
                }
                let keyframe = v.is_random_access_point();
                let pts = to_duration(v.timestamp());
                (MediaKind::Video, keyframe, pts, Bytes::from(v.into_data()))
            }
            CodecItem::AudioFrame(a) => (
                MediaKind::Audio,
                true,
                to_duration(a.timestamp()),
                Bytes::copy_from_slice(a.data()),
            ),
            _ => continue,
        };
        let Some(p) = params.clone() else {
            continue; // no decoder configuration yet: nothing a consumer could use
        };
        if kind == MediaKind::Video && streaming_since.is_none() {
            if !keyframe {
                continue; // start every session on a keyframe
            }
            streaming_since = Some(Instant::now());
            feed.set_state(CameraState::Streaming, None);
        }
        if streaming_since.is_none() {
            continue;
        }
        // One clock read per frame serves the stall check, the rate window and the frame.
        let now = Instant::now();
        if kind == MediaKind::Video {
            last_video = now;
        }
        let second = now.duration_since(started).as_secs();
        let size = data.len() as u64;
        window.record(second, u32::from(kind == MediaKind::Video), size);
        metrics.count(kind == MediaKind::Video, size);
        feed.publish(Arc::new(Frame {
            kind,
            keyframe,
            pts,
            received: now,
            session: session_no,
            data,
            params: p,
        }));
        if second != last_publish_second {
            last_publish_second = second;
            let (fps, bps) = window.rates(second);
            metrics.flush();
            metrics.fps.set(fps);
            metrics.bitrate.set(bps as f64);
            feed.update_status(|s| {
                s.fps = (fps * 10.0).round() / 10.0;
                s.bitrate_bps = bps;
            });
        }
    }
}
