//! Frames as the camera hands them to its consumers.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MediaKind {
    Video,
    Audio,
}

/// Video codec of a camera stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum VideoCodec {
    H264,
    H265,
}

impl VideoCodec {
    pub fn as_str(self) -> &'static str {
        match self {
            VideoCodec::H264 => "h264",
            VideoCodec::H265 => "h265",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct VideoInfo {
    pub codec: VideoCodec,
    /// RFC 6381 codec string, e.g. `avc1.42C01F`.
    pub rfc6381: String,
    pub width: u32,
    pub height: u32,
    /// Nominal frame rate from the SPS (VUI) or the SDP, when the camera states one.
    pub fps: Option<f64>,
    /// Decoder configuration (avcC / hvcC), for muxers that want it out of band.
    #[serde(skip)]
    pub extra_data: Bytes,
}

impl VideoInfo {
    /// Human name of the H.264 profile encoded in the RFC 6381 string.
    pub fn profile(&self) -> Option<&'static str> {
        if self.codec != VideoCodec::H264 {
            return None;
        }
        let hex = self.rfc6381.strip_prefix("avc1.")?.get(0..2)?;
        Some(match u8::from_str_radix(hex, 16).ok()? {
            66 => "Baseline",
            77 => "Main",
            88 => "Extended",
            100 => "High",
            110 => "High 10",
            122 => "High 4:2:2",
            244 => "High 4:4:4",
            _ => "Other",
        })
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AudioInfo {
    /// Encoding name from the SDP, lower case (`mpeg4-generic` is reported as `aac`).
    pub codec: String,
    pub sample_rate: u32,
    pub channels: u16,
    /// AudioSpecificConfig for AAC.
    #[serde(skip)]
    pub extra_data: Bytes,
}

/// The streams of one RTSP session. Replaced (new `Arc`) when the camera changes them.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StreamParams {
    pub video: VideoInfo,
    pub audio: Option<AudioInfo>,
}

/// One encoded frame.
///
/// Video is H.264/H.265 Annex B with the parameter sets in front of every keyframe, so any
/// keyframe is a valid starting point for a decoder; AAC is ADTS-framed. `pts` counts from
/// the start of this RTSP session (`session`), per the stream's RTP clock; a consumer that
/// sees `session` change must treat the timestamps as restarted.
#[derive(Clone, Debug)]
pub struct Frame {
    pub kind: MediaKind,
    pub keyframe: bool,
    pub pts: Duration,
    pub received: Instant,
    pub session: u64,
    pub data: Bytes,
    pub params: Arc<StreamParams>,
}

impl Frame {
    pub fn is_video_keyframe(&self) -> bool {
        self.kind == MediaKind::Video && self.keyframe
    }
}
