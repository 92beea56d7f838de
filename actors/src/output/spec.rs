//! What the shell tells the runtime about an output.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use serde::{Deserialize, Serialize};

/// `program` decodes, composites and encodes (cuts, slate, overlays); `relay` copies one
/// camera's H.264 to the destinations without re-encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OutputMode {
    Program,
    Relay,
}

impl OutputMode {
    pub fn as_str(self) -> &'static str {
        match self {
            OutputMode::Program => "program",
            OutputMode::Relay => "relay",
        }
    }
}

/// Which H.264 encoder a program uses. `Auto` takes the first hardware encoder that passes a
/// smoke test and falls back to x264.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EncoderChoice {
    Auto,
    X264,
    V4l2,
    Vaapi,
}

impl EncoderChoice {
    pub fn as_str(self) -> &'static str {
        match self {
            EncoderChoice::Auto => "auto",
            EncoderChoice::X264 => "x264",
            EncoderChoice::V4l2 => "v4l2",
            EncoderChoice::Vaapi => "vaapi",
        }
    }
}

/// The program's encoding profile.
///
/// The defaults (1280x720 at 30 fps, 3 Mbit/s CBR, keyframe every 2 s, AAC-LC 128 kbit/s at
/// 48 kHz stereo) sit inside what YouTube, Twitch and Facebook all accept, and are what a
/// Raspberry Pi 5 (no hardware encoder) can encode in software.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OutputProfile {
    pub width: u32,
    pub height: u32,
    pub fps: u32,
    pub video_bitrate_kbps: u32,
    pub keyframe_interval_s: f64,
    pub audio_bitrate_kbps: u32,
    /// x264 speed preset (ignored by hardware encoders).
    pub x264_preset: String,
}

impl Default for OutputProfile {
    fn default() -> Self {
        Self {
            width: 1280,
            height: 720,
            fps: 30,
            video_bitrate_kbps: 3000,
            keyframe_interval_s: 2.0,
            audio_bitrate_kbps: 128,
            x264_preset: "ultrafast".into(),
        }
    }
}

impl OutputProfile {
    /// Frames between keyframes (at least 1).
    pub fn keyframe_frames(&self) -> u32 {
        ((self.fps as f64 * self.keyframe_interval_s).round() as u32).max(1)
    }
}

/// One publishing target. `url` carries the stream key: it never reaches a log line or an
/// API response; `masked` is what may be shown.
#[derive(Clone, PartialEq, Eq)]
pub struct DestinationTarget {
    pub id: i64,
    pub name: String,
    pub url: String,
    pub masked: String,
    /// The stream key alone, so that error text quoting it in any form can be scrubbed.
    pub secret: String,
}

impl fmt::Debug for DestinationTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DestinationTarget")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("url", &self.masked)
            .finish()
    }
}

impl DestinationTarget {
    /// `text` with the stream key and the full publish URL replaced by their masked forms.
    pub fn redact(&self, text: &str) -> String {
        redact_secret(text, &self.url, &self.masked, &self.secret)
    }
}

/// Replace every occurrence of `url` by `masked` and of `secret` (also percent-encoded) by
/// `****`.
pub fn redact_secret(text: &str, url: &str, masked: &str, secret: &str) -> String {
    let mut out = if url.is_empty() {
        text.to_string()
    } else {
        text.replace(url, masked)
    };
    if secret.len() >= 2 {
        out = out.replace(secret, "****");
        let encoded: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
        if encoded != secret {
            out = out.replace(&encoded, "****");
        }
    }
    out
}

/// Recording of the program into MP4 segments.
#[derive(Clone, Debug, PartialEq)]
pub struct RecordingSpec {
    pub dir: PathBuf,
    pub segment: Duration,
}

/// Where an overlay layer's picture comes from. Images are decoded by the shell; the runtime
/// only sees pixels.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OverlayPlacement {
    /// Left edge, as a fraction of the program width (0..1).
    pub x: f64,
    /// Top edge, as a fraction of the program height (0..1).
    pub y: f64,
    /// Width as a fraction of the program width (0..1]; `None` = the picture's own size.
    pub width: Option<f64>,
    /// Height as a fraction of the program height; `None` keeps the aspect ratio.
    pub height: Option<f64>,
    pub opacity: f64,
    pub z: i32,
    pub visible: bool,
}

/// The slate shown while the camera on air has no picture.
#[derive(Clone, Debug, PartialEq)]
pub struct SlateSpec {
    pub text: String,
    /// A picture above the text (an asset; refreshed like any URL image).
    pub image_asset_id: Option<i64>,
    pub image: Option<Arc<Raster>>,
}

impl Default for SlateSpec {
    fn default() -> Self {
        Self {
            text: "We'll be right back".into(),
            image_asset_id: None,
            image: None,
        }
    }
}

/// Everything an OutputActor needs.
#[derive(Clone, Debug, PartialEq)]
pub struct OutputSpec {
    pub id: i64,
    pub name: String,
    pub mode: OutputMode,
    pub profile: OutputProfile,
    pub encoder: EncoderChoice,
    pub destinations: Vec<DestinationTarget>,
    /// The camera on air (relay: the camera relayed).
    pub camera_id: Option<i64>,
    /// Cameras kept decoded beside the one on air, so a cut to them lands within a frame.
    pub standby_cameras: Vec<i64>,
    pub slate: SlateSpec,
    pub recording: Option<RecordingSpec>,
    /// No picture from the camera on air for this long → slate.
    pub slate_after: Duration,
    /// Overlay layers drawn over the program (ignored by a relay).
    pub overlays: Vec<OverlayLayer>,
}

impl OutputSpec {
    /// The cameras this output decodes (program) or copies (relay), on-air camera first.
    pub fn input_cameras(&self) -> Vec<i64> {
        let mut ids: Vec<i64> = self.camera_id.into_iter().collect();
        if self.mode == OutputMode::Program {
            for id in &self.standby_cameras {
                if !ids.contains(id) {
                    ids.push(*id);
                }
            }
        }
        ids
    }

    /// Whether going from this spec to `new` needs a new pipeline (a restart of the output)
    /// rather than a change in place: mode, profile, encoder and recording are built into
    /// the pipeline, and a relay's camera is its whole input.
    pub fn needs_new_pipeline(&self, new: &OutputSpec) -> bool {
        new.mode != self.mode
            || new.profile != self.profile
            || new.encoder != self.encoder
            || new.recording != self.recording
            || (new.mode == OutputMode::Relay && new.camera_id != self.camera_id)
    }

    /// Show `raster` wherever the spec shows asset `asset_id` (a URL image refreshed).
    pub fn swap_asset(&mut self, asset_id: i64, raster: &Arc<Raster>) -> AssetUse {
        let mut uses = AssetUse::default();
        for layer in self.overlays.iter_mut().filter(|l| l.asset_id == asset_id) {
            layer.source = LayerSource::Image(raster.clone());
            uses.in_layers = true;
        }
        if self.slate.image_asset_id == Some(asset_id) {
            self.slate.image = Some(raster.clone());
            uses.on_slate = true;
        }
        uses
    }
}

/// Where an output shows an asset.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AssetUse {
    pub on_slate: bool,
    pub in_layers: bool,
}

impl AssetUse {
    pub fn any(self) -> bool {
        self.on_slate || self.in_layers
    }
}

/// A picture with straight (not premultiplied) alpha, RGBA, row after row.
#[derive(Clone, PartialEq, Eq)]
pub struct Raster {
    pub width: u32,
    pub height: u32,
    pub rgba: Bytes,
}

impl std::fmt::Debug for Raster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Raster({}x{})", self.width, self.height)
    }
}

/// What a layer shows.
#[derive(Clone, Debug, PartialEq)]
pub enum LayerSource {
    Image(Arc<Raster>),
    Text {
        text: String,
        size_px: u32,
        color: [u8; 4],
    },
    /// A clock: `format` is a strftime pattern, local time of the appliance.
    Clock {
        format: String,
        size_px: u32,
        color: [u8; 4],
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct OverlayLayer {
    pub id: i64,
    pub asset_id: i64,
    pub placement: OverlayPlacement,
    pub source: LayerSource,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_removes_the_key_in_plain_and_encoded_form() {
        let url = "rtmp://127.0.0.1:1935/live/k3y/with space";
        let text = format!(
            "Could not connect to {url}: refused (stream k3y/with space, k3y%2Fwith+space)"
        );
        let out = redact_secret(
            &text,
            url,
            "rtmp://127.0.0.1:1935/live/****",
            "k3y/with space",
        );
        assert!(!out.contains("k3y"), "{out}");
        assert!(out.contains("rtmp://127.0.0.1:1935/live/****"));
    }

    #[test]
    fn keyframe_interval_in_frames() {
        let p = OutputProfile::default();
        assert_eq!(p.keyframe_frames(), 60);
        let p = OutputProfile {
            fps: 25,
            keyframe_interval_s: 2.0,
            ..p
        };
        assert_eq!(p.keyframe_frames(), 50);
    }

    #[test]
    fn relay_inputs_are_only_the_camera_on_air() {
        let spec = OutputSpec {
            id: 1,
            name: "o".into(),
            mode: OutputMode::Relay,
            profile: OutputProfile::default(),
            encoder: EncoderChoice::Auto,
            destinations: vec![],
            camera_id: Some(3),
            standby_cameras: vec![4, 3],
            slate: SlateSpec::default(),
            recording: None,
            slate_after: Duration::from_secs(1),
            overlays: vec![],
        };
        assert_eq!(spec.input_cameras(), vec![3]);
        let program = OutputSpec {
            mode: OutputMode::Program,
            ..spec
        };
        assert_eq!(program.input_cameras(), vec![3, 4]);
    }
}
