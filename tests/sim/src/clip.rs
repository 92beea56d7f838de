//! A pre-encoded MP4 served as a live camera, in a loop, without re-encoding.
//!
//! The file is demuxed once into memory ([`Clip`]); every RTSP media built from it gets two
//! live `appsrc` elements (video, audio) that push the clip's access units at their original
//! pace, over and over. Each pass is shifted by the clip's period, so timestamps (and the RTP
//! timestamps derived from them) keep increasing across loops: clients see one endless
//! stream, not a file that restarts. Pushing a buffer copies no media data, so a looping
//! camera costs the server little more than the RTP payloaders.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, PoisonError, Weak};

use gstreamer as gst;
use gstreamer::prelude::*;
use gstreamer_app as gst_app;
use gstreamer_rtsp_server as rtsp_server;
use gstreamer_rtsp_server::prelude::*;

/// How long demuxing a file into memory may take before we give up.
const LOAD_TIMEOUT: gst::ClockTime = gst::ClockTime::from_seconds(120);
/// Latency the live sources announce: buffers reach the payloaders just after their
/// timestamp, so the sinks need a little slack to stay in time.
const SOURCE_LATENCY: gst::ClockTime = gst::ClockTime::from_mseconds(40);

/// One elementary stream of a clip: its caps and its access units, timestamps relative to
/// the start of the clip.
pub(crate) struct Track {
    caps: gst::Caps,
    buffers: Vec<gst::Buffer>,
}

/// A demuxed MP4: H.264 video and, if the file has it, AAC audio.
pub(crate) struct Clip {
    video: Track,
    audio: Option<Track>,
    /// Length of one pass: the span of the longer track.
    period: gst::ClockTime,
}

impl Clip {
    pub(crate) fn has_audio(&self) -> bool {
        self.audio.is_some()
    }

    pub(crate) fn period(&self) -> gst::ClockTime {
        self.period
    }
}

/// Loads `path`, or returns the clip already in memory for it (cameras serving the same
/// file share one copy).
pub(crate) fn load_shared(path: &Path) -> Result<Arc<Clip>, String> {
    static CLIPS: OnceLock<Mutex<HashMap<PathBuf, Weak<Clip>>>> = OnceLock::new();
    let mut clips = CLIPS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    if let Some(clip) = clips.get(path).and_then(Weak::upgrade) {
        return Ok(clip);
    }
    let clip = Arc::new(load(path)?);
    clips.retain(|_, weak| weak.strong_count() > 0);
    clips.insert(path.to_owned(), Arc::downgrade(&clip));
    Ok(clip)
}

/// The gst-rtsp-server launch description for a looping clip; [`attach`] feeds it.
pub(crate) fn launch(audio: bool) -> String {
    let mut launch = String::from(
        "( appsrc name=video is-live=true format=time ! rtph264pay name=pay0 pt=96 \
         config-interval=-1 ",
    );
    if audio {
        launch.push_str("appsrc name=audio is-live=true format=time ! rtpmp4gpay name=pay1 pt=97 ");
    }
    launch.push(')');
    launch
}

/// Connects the `appsrc` elements of a freshly built media to the clip.
pub(crate) fn attach(media: &rtsp_server::RTSPMedia, clip: &Arc<Clip>) -> Result<(), String> {
    let element = media.element();
    let bin = element
        .downcast_ref::<gst::Bin>()
        .ok_or("the media element is not a bin")?;
    // Both tracks are placed on the same timeline, which starts when the first of them
    // asks for data.
    let start = Arc::new(Mutex::new(None));
    feed(bin, "video", clip, TrackKind::Video, &start)?;
    if bin.by_name("audio").is_some() {
        feed(bin, "audio", clip, TrackKind::Audio, &start)?;
    }
    Ok(())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TrackKind {
    Video,
    Audio,
}

impl Clip {
    fn track(&self, kind: TrackKind) -> Option<&Track> {
        match kind {
            TrackKind::Video => Some(&self.video),
            TrackKind::Audio => self.audio.as_ref(),
        }
    }
}

fn feed(
    bin: &gst::Bin,
    name: &str,
    clip: &Arc<Clip>,
    kind: TrackKind,
    start: &Arc<Mutex<Option<gst::ClockTime>>>,
) -> Result<(), String> {
    let appsrc = bin
        .by_name(name)
        .and_then(|e| e.downcast::<gst_app::AppSrc>().ok())
        .ok_or_else(|| format!("the media has no appsrc named {name}"))?;
    let track = clip
        .track(kind)
        .ok_or_else(|| format!("the clip has no {kind:?} track"))?;
    appsrc.set_caps(Some(&track.caps));
    appsrc.set_format(gst::Format::Time);
    appsrc.set_is_live(true);
    appsrc.set_latency(SOURCE_LATENCY, SOURCE_LATENCY);

    let clip = Arc::clone(clip);
    let start = Arc::clone(start);
    let mut next = 0usize;
    let mut pass = 0u64;
    appsrc.set_callbacks(
        gst_app::AppSrcCallbacks::builder()
            .need_data(move |appsrc, _| {
                let Some(track) = clip.track(kind) else {
                    let _ = appsrc.end_of_stream();
                    return;
                };
                if next >= track.buffers.len() {
                    next = 0;
                    pass += 1;
                }
                let Some(source) = track.buffers.get(next) else {
                    let _ = appsrc.end_of_stream();
                    return;
                };
                next += 1;

                let clock = appsrc.clock().zip(appsrc.base_time());
                let origin = *start
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .get_or_insert_with(|| match &clock {
                        Some((clock, base)) => clock
                            .time()
                            .checked_sub(*base)
                            .unwrap_or(gst::ClockTime::ZERO),
                        None => gst::ClockTime::ZERO,
                    });
                let offset = origin
                    .nseconds()
                    .saturating_add(clip.period.nseconds().saturating_mul(pass));
                let shift = |t: Option<gst::ClockTime>| {
                    t.map(|t| gst::ClockTime::from_nseconds(offset.saturating_add(t.nseconds())))
                };

                let mut buffer = source.copy();
                let pts = {
                    let buffer = buffer.make_mut();
                    buffer.set_pts(shift(source.pts()));
                    buffer.set_dts(shift(source.dts()));
                    // Only the very first buffer starts a new stream.
                    if pass > 0 || next > 1 {
                        buffer.unset_flags(gst::BufferFlags::DISCONT);
                    }
                    buffer.dts_or_pts()
                };
                // A live camera: hand the frame over when its time has come.
                if let (Some((clock, base)), Some(pts)) = (&clock, pts) {
                    let _ = clock.new_single_shot_id(*base + pts).wait();
                }
                // Fails only while the media shuts down.
                let _ = appsrc.push_buffer(buffer);
            })
            .build(),
    );
    Ok(())
}

/// Demuxes the whole file into memory.
fn load(path: &Path) -> Result<Clip, String> {
    if !path.is_file() {
        return Err("no such file".into());
    }
    let pipeline = gst::Pipeline::new();
    let src = make("filesrc")?;
    src.set_property("location", path.to_string_lossy().as_ref());
    let demux = make("qtdemux")?;
    pipeline
        .add_many([&src, &demux])
        .map_err(|e| e.to_string())?;
    src.link(&demux).map_err(|e| e.to_string())?;

    let sinks: Arc<Mutex<Vec<(TrackKind, Collected)>>> = Arc::default();
    let problems: Arc<Mutex<Vec<String>>> = Arc::default();
    {
        let pipeline = pipeline.downgrade();
        let sinks = Arc::clone(&sinks);
        let problems = Arc::clone(&problems);
        demux.connect_pad_added(move |_, pad| {
            let Some(pipeline) = pipeline.upgrade() else {
                return;
            };
            if let Err(e) = branch(&pipeline, pad, &sinks) {
                problems
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(e);
            }
        });
    }

    let outcome = run_to_eos(&pipeline);
    let _ = pipeline.set_state(gst::State::Null);
    outcome?;
    if let Some(problem) = problems
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .first()
    {
        return Err(problem.clone());
    }

    let mut video = None;
    let mut audio = None;
    for (kind, collected) in sinks
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .drain(..)
    {
        let (caps, buffers) =
            std::mem::take(&mut *collected.lock().unwrap_or_else(PoisonError::into_inner));
        let caps = caps.ok_or("a track without caps")?;
        let track = Track { caps, buffers };
        match kind {
            TrackKind::Video => video = Some(track),
            TrackKind::Audio => audio = Some(track),
        }
    }
    let video = video.ok_or("the file has no H.264 video track")?;
    assemble(video, audio)
}

fn make(factory: &str) -> Result<gst::Element, String> {
    gst::ElementFactory::make(factory)
        .build()
        .map_err(|e| format!("GStreamer element {factory}: {e}"))
}

/// What an appsink received: the caps of the track and its access units.
type Collected = Arc<Mutex<(Option<gst::Caps>, Vec<gst::Buffer>)>>;

/// Links one demuxer pad: the first H.264 and the first AAC track to an appsink each (behind
/// a queue: the demuxer feeds every track from one thread), anything else to a fakesink.
fn branch(
    pipeline: &gst::Pipeline,
    pad: &gst::Pad,
    sinks: &Mutex<Vec<(TrackKind, Collected)>>,
) -> Result<(), String> {
    let caps = pad.current_caps().or_else(|| pad.allowed_caps());
    let media = caps
        .as_ref()
        .and_then(|c| c.structure(0))
        .map(|s| s.name().to_string())
        .unwrap_or_default();
    let kind = match media.as_str() {
        "video/x-h264" => Some(TrackKind::Video),
        "audio/mpeg" => Some(TrackKind::Audio),
        _ => None,
    };
    let mut sinks = sinks.lock().unwrap_or_else(PoisonError::into_inner);
    let wanted = kind.filter(|k| !sinks.iter().any(|(taken, _)| taken == k));
    let elements = match wanted {
        Some(kind) => {
            let parser = make(match kind {
                TrackKind::Video => "h264parse",
                TrackKind::Audio => "aacparse",
            })?;
            let caps = match kind {
                TrackKind::Video => gst::Caps::builder("video/x-h264")
                    .field("alignment", "au")
                    .build(),
                TrackKind::Audio => gst::Caps::builder("audio/mpeg")
                    .field("mpegversion", 4)
                    .build(),
            };
            let collected = Collected::default();
            let sink = gst_app::AppSink::builder()
                .caps(&caps)
                .sync(false)
                .callbacks(collect(Arc::clone(&collected)))
                .build();
            sinks.push((kind, collected));
            vec![make("queue")?, parser, sink.upcast()]
        }
        None => {
            let sink = make("fakesink")?;
            sink.set_property("sync", false);
            vec![sink]
        }
    };
    pipeline.add_many(&elements).map_err(|e| e.to_string())?;
    gst::Element::link_many(&elements).map_err(|e| e.to_string())?;
    for element in &elements {
        element
            .sync_state_with_parent()
            .map_err(|e| e.to_string())?;
    }
    let sink_pad = elements
        .first()
        .and_then(|e| e.static_pad("sink"))
        .ok_or("branch without a sink pad")?;
    pad.link(&sink_pad)
        .map_err(|e| format!("linking the {media} track: {e:?}"))?;
    Ok(())
}

fn run_to_eos(pipeline: &gst::Pipeline) -> Result<(), String> {
    let bus = pipeline.bus().ok_or("pipeline without a bus")?;
    pipeline
        .set_state(gst::State::Playing)
        .map_err(|_| "the file could not be opened or demuxed".to_string())?;
    let message = bus
        .timed_pop_filtered(
            LOAD_TIMEOUT,
            &[gst::MessageType::Eos, gst::MessageType::Error],
        )
        .ok_or("demuxing did not finish in time")?;
    match message.view() {
        gst::MessageView::Error(err) => Err(format!(
            "{} ({})",
            err.error(),
            err.debug().map(|d| d.to_string()).unwrap_or_default()
        )),
        _ => Ok(()),
    }
}

/// Keeps every sample an appsink receives.
fn collect(into: Collected) -> gst_app::AppSinkCallbacks {
    gst_app::AppSinkCallbacks::builder()
        .new_sample(move |sink| {
            let sample = sink.pull_sample().map_err(|_| gst::FlowError::Eos)?;
            let mut collected = into.lock().unwrap_or_else(PoisonError::into_inner);
            if collected.0.is_none() {
                collected.0 = sample.caps_owned();
            }
            if let Some(buffer) = sample.buffer_owned() {
                collected.1.push(buffer);
            }
            Ok(gst::FlowSuccess::Ok)
        })
        .build()
}

/// Moves both tracks to a timeline starting at zero (keeping them in sync) and computes the
/// loop period: the span of the longer track, so that no track overlaps its next pass.
fn assemble(mut video: Track, mut audio: Option<Track>) -> Result<Clip, String> {
    let earliest = |track: &Track| {
        track
            .buffers
            .iter()
            .flat_map(|b| [b.pts(), b.dts()])
            .flatten()
            .min()
    };
    let origin = earliest(&video)
        .into_iter()
        .chain(audio.as_ref().and_then(earliest))
        .min()
        .ok_or("the video track has no timestamped frames")?;

    let mut period = gst::ClockTime::ZERO;
    for track in std::iter::once(&mut video).chain(audio.as_mut()) {
        if track.buffers.iter().any(|b| b.pts().is_none()) {
            return Err("a frame without a presentation timestamp".into());
        }
        for buffer in &mut track.buffers {
            let buffer = buffer.make_mut();
            buffer.set_pts(buffer.pts().map(|t| t.saturating_sub(origin)));
            buffer.set_dts(buffer.dts().map(|t| t.saturating_sub(origin)));
        }
        let pts = || track.buffers.iter().filter_map(|b| b.pts());
        let (Some(start), Some(first), Some(last)) = (earliest(track), pts().min(), pts().max())
        else {
            continue;
        };
        // Frames without a duration are taken to last the average frame spacing.
        let count = track.buffers.len() as u64;
        let spacing = gst::ClockTime::from_nseconds(
            (last - first)
                .nseconds()
                .checked_div(count.saturating_sub(1))
                .unwrap_or(0),
        );
        let end = track
            .buffers
            .iter()
            .filter_map(|b| Some(b.pts()? + b.duration().unwrap_or(spacing)))
            .max()
            .unwrap_or(last);
        period = period.max(end.saturating_sub(start));
    }
    if period == gst::ClockTime::ZERO {
        return Err("the clip has zero length".into());
    }
    Ok(Clip {
        video,
        audio,
        period,
    })
}
