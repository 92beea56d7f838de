//! Snapshot = decode the camera's cached GOP and encode its newest picture as JPEG.
//!
//! The GOP cache starts at a keyframe, so decoding it yields the picture as of the latest
//! frame (not up to a keyframe interval old). Only that last picture is JPEG-encoded: a pad
//! probe in front of the encoder drops the earlier ones.

use std::sync::Arc;
use std::time::Duration;

use gstreamer as gst;
use gstreamer::prelude::*;
use gstreamer_app as gst_app;

use crate::camera::{Frame, MediaKind, VideoCodec};

#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("no picture yet: the camera has not sent a keyframe")]
    NoPicture,
    #[error("snapshot pipeline: {0}")]
    Pipeline(String),
    #[error("snapshot timed out after {0:?}")]
    Timeout(Duration),
}

#[derive(Clone, Debug)]
pub struct Jpeg {
    pub data: bytes::Bytes,
    pub width: u32,
    pub height: u32,
}

fn err(context: &str, e: impl std::fmt::Display) -> SnapshotError {
    SnapshotError::Pipeline(format!("{context}: {e}"))
}

/// Decode `gop` (video frames from a keyframe on; audio is ignored) and return the newest
/// picture as JPEG. Blocking: call it from a blocking thread.
pub fn encode_latest(
    gop: &[Arc<Frame>],
    quality: i32,
    timeout: Duration,
) -> Result<Jpeg, SnapshotError> {
    let video: Vec<&Arc<Frame>> = gop.iter().filter(|f| f.kind == MediaKind::Video).collect();
    let first = video.first().ok_or(SnapshotError::NoPicture)?;
    if !first.keyframe {
        return Err(SnapshotError::NoPicture);
    }
    let (parse, decode, caps) = match first.params.video.codec {
        VideoCodec::H264 => ("h264parse", "avdec_h264", "video/x-h264"),
        VideoCodec::H265 => ("h265parse", "avdec_h265", "video/x-h265"),
    };
    let description = format!(
        "appsrc name=src format=time caps={caps},stream-format=byte-stream,alignment=au \
         ! {parse} ! {decode} max-threads=1 ! videoconvert \
         ! jpegenc name=enc quality={quality} ! appsink name=sink sync=false"
    );
    let pipeline = gst::parse::launch(&description)
        .map_err(|e| err("building the decoder (is gstreamer1.0-libav installed?)", e))?
        .downcast::<gst::Pipeline>()
        .map_err(|_| SnapshotError::Pipeline("not a pipeline".into()))?;
    let result = run(&pipeline, &video, timeout);
    let _ = pipeline.set_state(gst::State::Null);
    result
}

fn run(
    pipeline: &gst::Pipeline,
    video: &[&Arc<Frame>],
    timeout: Duration,
) -> Result<Jpeg, SnapshotError> {
    let src = pipeline
        .by_name("src")
        .and_then(|e| e.downcast::<gst_app::AppSrc>().ok())
        .ok_or_else(|| SnapshotError::Pipeline("appsrc missing".into()))?;
    let sink = pipeline
        .by_name("sink")
        .and_then(|e| e.downcast::<gst_app::AppSink>().ok())
        .ok_or_else(|| SnapshotError::Pipeline("appsink missing".into()))?;
    let enc = pipeline
        .by_name("enc")
        .ok_or_else(|| SnapshotError::Pipeline("jpegenc missing".into()))?;

    let base = video[0].pts;
    let last_pts = video[video.len() - 1].pts.saturating_sub(base);
    let last_pts = gst::ClockTime::from_nseconds(last_pts.as_nanos() as u64);
    // Encode only the newest picture.
    if let Some(pad) = enc.static_pad("sink") {
        pad.add_probe(gst::PadProbeType::BUFFER, move |_, info| {
            match info.buffer().and_then(|b| b.pts()) {
                Some(pts) if pts < last_pts => gst::PadProbeReturn::Drop,
                _ => gst::PadProbeReturn::Ok,
            }
        });
    }

    pipeline
        .set_state(gst::State::Playing)
        .map_err(|e| err("starting the decoder", e))?;
    for frame in video {
        let mut buffer = gst::Buffer::from_slice(frame.data.clone());
        if let Some(b) = buffer.get_mut() {
            let pts = frame.pts.saturating_sub(base);
            b.set_pts(gst::ClockTime::from_nseconds(pts.as_nanos() as u64));
            if !frame.keyframe {
                b.set_flags(gst::BufferFlags::DELTA_UNIT);
            }
        }
        src.push_buffer(buffer)
            .map_err(|e| err("feeding the decoder", e))?;
    }
    let _ = src.end_of_stream();

    let timeout_ct = gst::ClockTime::from_nseconds(timeout.as_nanos() as u64);
    let mut latest = None;
    loop {
        match sink.try_pull_sample(timeout_ct) {
            Some(sample) => latest = Some(sample),
            None => break,
        }
        if sink.is_eos() {
            break;
        }
    }
    if let Some(bus) = pipeline.bus()
        && let Some(msg) = bus.pop_filtered(&[gst::MessageType::Error])
        && let gst::MessageView::Error(e) = msg.view()
    {
        return Err(err("decoding", e.error()));
    }
    let sample = latest.ok_or(SnapshotError::Timeout(timeout))?;
    let caps = sample
        .caps()
        .ok_or_else(|| SnapshotError::Pipeline("JPEG without caps".into()))?;
    let s = caps
        .structure(0)
        .ok_or_else(|| SnapshotError::Pipeline("JPEG caps empty".into()))?;
    let width = s.get::<i32>("width").unwrap_or(0).max(0) as u32;
    let height = s.get::<i32>("height").unwrap_or(0).max(0) as u32;
    let buffer = sample
        .buffer()
        .ok_or_else(|| SnapshotError::Pipeline("JPEG sample without data".into()))?;
    let map = buffer
        .map_readable()
        .map_err(|e| err("reading the JPEG", e))?;
    Ok(Jpeg {
        data: bytes::Bytes::copy_from_slice(map.as_slice()),
        width,
        height,
    })
}
