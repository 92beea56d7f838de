//! Outputs (OUT-2..OUT-9): the settings an operator gives, checked field by field.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use vistterstream_actors::output::plan::is_x264_preset;
use vistterstream_actors::output::{EncoderChoice, OutputMode, OutputProfile};

use super::{FieldError, Validation, check_text};

/// `program` decodes, composites and encodes (cuts, slate, overlays); `relay` copies one
/// camera's H.264 without re-encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema, sqlx::Type)]
#[serde(rename_all = "lowercase")]
#[sqlx(rename_all = "lowercase")]
pub enum Mode {
    Program,
    Relay,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Program => "program",
            Mode::Relay => "relay",
        }
    }
}

/// `auto` = a hardware encoder that passes a smoke test (V4L2, VA-API), else x264.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema, sqlx::Type)]
#[serde(rename_all = "lowercase")]
#[sqlx(rename_all = "lowercase")]
pub enum Encoder {
    Auto,
    X264,
    V4l2,
    Vaapi,
}

impl From<Mode> for OutputMode {
    fn from(m: Mode) -> Self {
        match m {
            Mode::Program => OutputMode::Program,
            Mode::Relay => OutputMode::Relay,
        }
    }
}

impl From<Encoder> for EncoderChoice {
    fn from(e: Encoder) -> Self {
        match e {
            Encoder::Auto => EncoderChoice::Auto,
            Encoder::X264 => EncoderChoice::X264,
            Encoder::V4l2 => EncoderChoice::V4l2,
            Encoder::Vaapi => EncoderChoice::Vaapi,
        }
    }
}

/// Whether an output records its program, in segments of how long.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct RecordingSettings {
    pub enabled: bool,
    pub segment_seconds: u32,
}

/// The encoding profile; every field optional (defaults: 1280x720, 30 fps, 3000 kbit/s,
/// keyframe every 2 s, AAC 128 kbit/s, x264 `ultrafast`).
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileInput {
    #[schema(minimum = 160, maximum = 3840)]
    pub width: Option<u32>,
    #[schema(minimum = 90, maximum = 2160)]
    pub height: Option<u32>,
    #[schema(minimum = 1, maximum = 60)]
    pub fps: Option<u32>,
    #[schema(minimum = 200, maximum = 50000)]
    pub video_bitrate_kbps: Option<u32>,
    /// Seconds between keyframes; YouTube and Facebook want at most 4, recommend 2.
    #[schema(minimum = 0.5, maximum = 4.0)]
    pub keyframe_interval_s: Option<f64>,
    #[schema(minimum = 32, maximum = 320)]
    pub audio_bitrate_kbps: Option<u32>,
    pub x264_preset: Option<String>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordingInput {
    pub enabled: Option<bool>,
    /// Length of one MP4 segment.
    #[schema(minimum = 10, maximum = 3600)]
    pub segment_seconds: Option<u32>,
}

/// Create (and, merged with the stored output, update) an output.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutputInput {
    #[schema(min_length = 1, max_length = 100)]
    pub name: Option<String>,
    pub mode: Option<Mode>,
    pub profile: Option<ProfileInput>,
    pub encoder: Option<Encoder>,
    /// Destinations published to, in order.
    pub destination_ids: Option<Vec<i64>>,
    /// The camera on air (a relay's only camera); `null` = none (slate).
    #[serde(default, deserialize_with = "super::double_option")]
    pub camera_id: Option<Option<i64>>,
    /// Cameras kept decoded beside the one on air so cuts to them land at once (program).
    pub standby_camera_ids: Option<Vec<i64>>,
    #[schema(max_length = 200)]
    pub slate_text: Option<String>,
    /// An image asset (upload or URL image) shown on the slate above its text; `null` = none.
    #[serde(default, deserialize_with = "super::double_option")]
    pub slate_asset_id: Option<Option<i64>>,
    pub recording: Option<RecordingInput>,
}

/// An output's settings, validated: what is stored (and what the runtime spec is built
/// from). The stored row adds its id, desired state and timestamps.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct OutputSettings {
    pub name: String,
    pub mode: Mode,
    /// The encoding profile, as the runtime takes it.
    pub profile: OutputProfile,
    /// auto | x264 | v4l2 | vaapi
    pub encoder: Encoder,
    /// Destinations published to, in order.
    pub destination_ids: Vec<i64>,
    /// The camera on air (a relay: the camera it copies).
    pub camera_id: Option<i64>,
    /// Cameras kept decoded beside the one on air.
    pub standby_camera_ids: Vec<i64>,
    pub slate_text: String,
    /// Image asset on the slate, above its text.
    pub slate_asset_id: Option<i64>,
    pub recording: RecordingSettings,
}

impl Default for OutputSettings {
    /// What a new output starts from before its input applies.
    fn default() -> Self {
        Self {
            name: String::new(),
            mode: Mode::Program,
            profile: OutputProfile::default(),
            encoder: Encoder::Auto,
            destination_ids: vec![],
            camera_id: None,
            standby_camera_ids: vec![],
            slate_text: vistterstream_actors::output::SlateSpec::default().text,
            slate_asset_id: None,
            recording: RecordingSettings {
                enabled: false,
                segment_seconds: 300,
            },
        }
    }
}

impl OutputSettings {
    /// The cameras this output reads: on air and on standby.
    pub fn cameras(&self) -> impl Iterator<Item = i64> + '_ {
        self.camera_id
            .into_iter()
            .chain(self.standby_camera_ids.iter().copied())
    }
}

pub const MAX_DESTINATIONS: usize = 8;
pub const MAX_STANDBY: usize = 8;

fn range<T: PartialOrd + std::fmt::Display + Copy>(
    v: &mut Validation,
    field: &str,
    value: Option<T>,
    current: T,
    min: T,
    max: T,
) -> T {
    match value {
        Some(x) if x < min || x > max => {
            v.error(field, format!("must be between {min} and {max} (got {x})"));
            current
        }
        Some(x) => x,
        None => current,
    }
}

/// Apply `input` on top of `base` (the defaults for a new output, the stored output for an
/// update) and check the result.
pub fn validate(
    base: &OutputSettings,
    input: &OutputInput,
) -> Result<OutputSettings, Vec<FieldError>> {
    let mut v = Validation::default();
    let name = match &input.name {
        Some(n) => check_text(&mut v, "name", n, 1, 100),
        None if base.name.is_empty() => {
            v.error("name", "is required");
            String::new()
        }
        None => base.name.clone(),
    };
    let mode = input.mode.unwrap_or(base.mode);
    let p = input.profile.clone().unwrap_or_default();
    let b = &base.profile;
    let width = range(&mut v, "profile.width", p.width, b.width, 160, 3840);
    let height = range(&mut v, "profile.height", p.height, b.height, 90, 2160);
    if width % 2 != 0 {
        v.error("profile.width", "must be even (4:2:0 video)");
    }
    if height % 2 != 0 {
        v.error("profile.height", "must be even (4:2:0 video)");
    }
    let fps = range(&mut v, "profile.fps", p.fps, b.fps, 1, 60);
    let video_bitrate_kbps = range(
        &mut v,
        "profile.video_bitrate_kbps",
        p.video_bitrate_kbps,
        b.video_bitrate_kbps,
        200,
        50_000,
    );
    let keyframe_interval_s = range(
        &mut v,
        "profile.keyframe_interval_s",
        p.keyframe_interval_s,
        b.keyframe_interval_s,
        0.5,
        4.0,
    );
    let audio_bitrate_kbps = range(
        &mut v,
        "profile.audio_bitrate_kbps",
        p.audio_bitrate_kbps,
        b.audio_bitrate_kbps,
        32,
        320,
    );
    let x264_preset = match &p.x264_preset {
        Some(preset) if !is_x264_preset(preset) => {
            v.error(
                "profile.x264_preset",
                "must be one of ultrafast, superfast, veryfast, faster, fast, medium, slow, slower, veryslow, placebo",
            );
            b.x264_preset.clone()
        }
        Some(preset) => preset.clone(),
        None => b.x264_preset.clone(),
    };
    let destination_ids = input
        .destination_ids
        .clone()
        .unwrap_or_else(|| base.destination_ids.clone());
    if destination_ids.len() > MAX_DESTINATIONS {
        v.error(
            "destination_ids",
            format!("at most {MAX_DESTINATIONS} destinations per output"),
        );
    }
    for (i, id) in destination_ids.iter().enumerate() {
        if destination_ids[..i].contains(id) {
            v.error(
                &format!("destination_ids[{i}]"),
                format!("destination {id} is listed twice"),
            );
        }
    }
    let camera_id = match input.camera_id {
        Some(c) => c,
        None => base.camera_id,
    };
    let mut standby_camera_ids = input
        .standby_camera_ids
        .as_deref()
        .map(super::unique)
        .unwrap_or_else(|| base.standby_camera_ids.clone());
    if standby_camera_ids.len() > MAX_STANDBY {
        v.error(
            "standby_camera_ids",
            format!("at most {MAX_STANDBY} standby cameras"),
        );
    }
    if mode == Mode::Relay {
        if camera_id.is_none() {
            v.error(
                "camera_id",
                "is required for a relay (the camera it copies)",
            );
        }
        if input
            .standby_camera_ids
            .as_ref()
            .is_some_and(|s| !s.is_empty())
        {
            v.error(
                "standby_camera_ids",
                "a relay copies one camera: no standby cameras",
            );
        }
        standby_camera_ids.clear();
    }
    let slate_text = match &input.slate_text {
        Some(t) => check_text(&mut v, "slate_text", t, 0, 200),
        None => base.slate_text.clone(),
    };
    let rec = input.recording.clone().unwrap_or_default();
    let recording = RecordingSettings {
        enabled: rec.enabled.unwrap_or(base.recording.enabled),
        segment_seconds: range(
            &mut v,
            "recording.segment_seconds",
            rec.segment_seconds,
            base.recording.segment_seconds,
            10,
            3600,
        ),
    };
    v.finish(OutputSettings {
        name,
        mode,
        profile: OutputProfile {
            width,
            height,
            fps,
            video_bitrate_kbps,
            keyframe_interval_s,
            audio_bitrate_kbps,
            x264_preset,
        },
        encoder: input.encoder.unwrap_or(base.encoder),
        destination_ids,
        camera_id,
        standby_camera_ids,
        slate_text,
        slate_asset_id: match input.slate_asset_id {
            Some(a) => a,
            None => base.slate_asset_id,
        },
        recording,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(name: &str) -> OutputInput {
        OutputInput {
            name: Some(name.into()),
            ..Default::default()
        }
    }

    fn fields(e: Vec<FieldError>) -> Vec<String> {
        e.into_iter().map(|f| f.field).collect()
    }

    #[test]
    fn defaults_satisfy_every_platform() {
        let o = validate(&OutputSettings::default(), &named("Main")).unwrap();
        assert_eq!(
            (o.profile.width, o.profile.height, o.profile.fps),
            (1280, 720, 30)
        );
        assert_eq!(o.profile.keyframe_interval_s, 2.0);
        assert_eq!(o.mode, Mode::Program);
    }

    #[test]
    fn every_bad_field_is_named() {
        let input = OutputInput {
            name: Some("  ".into()),
            profile: Some(ProfileInput {
                width: Some(1279),
                fps: Some(0),
                keyframe_interval_s: Some(10.0),
                x264_preset: Some("ludicrous".into()),
                ..Default::default()
            }),
            destination_ids: Some(vec![1, 1]),
            ..Default::default()
        };
        let e = fields(validate(&OutputSettings::default(), &input).unwrap_err());
        for f in [
            "name",
            "profile.width",
            "profile.fps",
            "profile.keyframe_interval_s",
            "profile.x264_preset",
            "destination_ids[1]",
        ] {
            assert!(e.contains(&f.to_string()), "{f} missing from {e:?}");
        }
    }

    #[test]
    fn a_relay_needs_its_camera_and_no_standby() {
        let input = OutputInput {
            mode: Some(Mode::Relay),
            standby_camera_ids: Some(vec![2]),
            ..named("r")
        };
        let e = fields(validate(&OutputSettings::default(), &input).unwrap_err());
        assert_eq!(e, vec!["camera_id", "standby_camera_ids"]);
    }

    #[test]
    fn an_update_keeps_what_it_does_not_mention() {
        let base = validate(
            &OutputSettings::default(),
            &OutputInput {
                destination_ids: Some(vec![3]),
                camera_id: Some(Some(1)),
                ..named("a")
            },
        )
        .unwrap();
        let updated = validate(
            &base,
            &OutputInput {
                profile: Some(ProfileInput {
                    fps: Some(25),
                    ..Default::default()
                }),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(updated.destination_ids, vec![3]);
        assert_eq!(updated.camera_id, Some(1));
        assert_eq!(updated.profile.fps, 25);
        assert_eq!(updated.name, "a");
    }
}
