//! Pipeline plans: pure functions from an output's spec to GStreamer pipeline descriptions.
//!
//! Nothing here touches GStreamer, so the shape of every pipeline is unit-tested without it.
//! Secrets (publish URLs) and free text (slate text) never go into a description: the actor
//! sets them as properties, so they cannot leak through a parse error or a debug dump, and
//! need no quoting.

use super::silence::{SAMPLE_RATE, SAMPLES_PER_FRAME};
use super::spec::OutputProfile;
use super::switch::{FACTORY, SLATE_ARGB};

/// The H.264 encoder a program runs with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EncoderPlan {
    X264 {
        preset: String,
    },
    /// V4L2 memory-to-memory encoder (Raspberry Pi 4).
    V4l2,
    /// VA-API through the `va` plugin (`vah264enc`) or the older `vaapi` one.
    Vaapi {
        factory: String,
    },
}

impl EncoderPlan {
    pub fn name(&self) -> &'static str {
        match self {
            EncoderPlan::X264 { .. } => "x264",
            EncoderPlan::V4l2 => "v4l2",
            EncoderPlan::Vaapi { .. } => "vaapi",
        }
    }
}

/// The AAC encoder: `voaacenc` when present (cheaper), else libav's.
pub fn aac_encoder(has_factory: impl Fn(&str) -> bool) -> &'static str {
    if has_factory("voaacenc") {
        "voaacenc"
    } else {
        "avenc_aac"
    }
}

const X264_PRESETS: [&str; 10] = [
    "ultrafast",
    "superfast",
    "veryfast",
    "faster",
    "fast",
    "medium",
    "slow",
    "slower",
    "veryslow",
    "placebo",
];

pub fn is_x264_preset(name: &str) -> bool {
    X264_PRESETS.contains(&name)
}

/// The encoder element(s) with rate control set for live streaming: constant bitrate, a
/// closed GOP of exactly `keyframe_frames`, no B-frames (zero latency).
pub fn encoder(plan: &EncoderPlan, p: &OutputProfile) -> String {
    let kbps = p.video_bitrate_kbps;
    let gop = p.keyframe_frames();
    match plan {
        // `keyint-min` = `key-int-max` and no scene-cut keyframes: keyframes exactly every
        // GOP, as YouTube's health checks want. VBV of one second keeps it CBR-like.
        // x264enc applies its own property defaults over the preset; `trellis` defaults to
        // on, which the fast presets turn off (measured: 15 % of the encoder's time).
        EncoderPlan::X264 { preset } => format!(
            "x264enc name=venc tune=zerolatency speed-preset={preset} bitrate={kbps} threads={threads} \
             key-int-max={gop} vbv-buf-capacity=1000 trellis={trellis} \
             option-string=\"keyint-min={gop}:scenecut=0:nal-hrd=cbr:force-cfr=1\"",
            trellis = !matches!(preset.as_str(), "ultrafast" | "superfast" | "veryfast"),
            threads = x264_threads(preset, p),
        ),
        EncoderPlan::V4l2 => format!(
            "v4l2h264enc name=venc extra-controls=\"controls,video_bitrate={bps},\
             video_bitrate_mode=1,h264_i_frame_period={gop},repeat_sequence_header=1\" \
             ! video/x-h264,level=(string)4.1",
            bps = kbps * 1000
        ),
        EncoderPlan::Vaapi { factory } if factory == "vaapih264enc" => format!(
            "vaapih264enc name=venc rate-control=cbr bitrate={kbps} keyframe-period={gop} max-bframes=0"
        ),
        EncoderPlan::Vaapi { factory } => format!(
            "{factory} name=venc rate-control=cbr bitrate={kbps} key-int-max={gop} b-frames=0"
        ),
    }
}

/// Largest picture rate (pixels per second) that x264 encodes on a single thread: 720p30.
const X264_ONE_THREAD_MAX_PIXEL_RATE: u64 = 1280 * 720 * 30;

/// x264's thread count: 1 for a fast preset up to 720p30, else 0 (x264 decides; with
/// `tune=zerolatency`, about 1.5 slice threads per core).
///
/// Slice threads wake x264's workers for every picture, and on a VM a task switch costs as
/// much as encoding a few macroblocks: side by side (docs/benchmarks.md, sixth round) one
/// thread took the program's CPU down 3.6 % at 720p30 ultrafast, where x264 needs about a
/// tenth of one core. One thread also makes one slice per picture, which compresses better.
/// Slower presets and bigger pictures keep the slices, so a small core (a Raspberry Pi)
/// still finishes every picture within its frame interval.
pub fn x264_threads(preset: &str, p: &OutputProfile) -> u32 {
    let pixel_rate = u64::from(p.width) * u64::from(p.height) * u64::from(p.fps);
    let fast = matches!(preset, "ultrafast" | "superfast");
    if fast && pixel_rate <= X264_ONE_THREAD_MAX_PIXEL_RATE {
        1
    } else {
        0
    }
}

/// The colour matrix of the program's pictures: GStreamer's own default for the size (BT.709
/// above 576 lines, as HD broadcast and the platforms expect, else BT.601). Every input is
/// converted to it (a no-op for the usual camera), because the switch passes a camera's
/// picture through as it is: a camera labelled otherwise would show shifted colours.
pub fn colorimetry(p: &OutputProfile) -> &'static str {
    if p.height > 576 { "bt709" } else { "bt601" }
}

/// Caps of the program's raw video.
pub fn raw_video_caps(p: &OutputProfile) -> String {
    format!(
        "video/x-raw,format=I420,width={},height={},framerate={}/1,pixel-aspect-ratio=1/1,colorimetry={}",
        p.width,
        p.height,
        p.fps,
        colorimetry(p)
    )
}

pub const RAW_AUDIO_CAPS: &str =
    "audio/x-raw,format=S16LE,layout=interleaved,rate=48000,channels=2";

/// Side of the slate source's pictures. The switch never shows them (it draws the slate
/// itself, once per clock tick); the source only keeps the switch producing pictures at the
/// program's rate when no camera sends any, so it is as small as a picture can usefully be.
pub const SLATE_SOURCE_PX: u32 = 16;

/// Extra time the mixers wait for a late input in live mode: covers decoding and jitter.
pub const MIXER_LATENCY_MS: u64 = 150;

/// How far a camera's audio may drift from its timestamps before the mixer realigns it.
/// A camera's sound arrives at the rate of the camera's own clock. The mixer places samples
/// by counting them while they stay within this threshold of their timestamps (which follow
/// the arrivals), so a camera clock a few hundred ppm slow used to fall up to 40 ms (the
/// default) behind, with the program's audio, and every muxer's video, waiting for it. 10 ms
/// keeps that wait small; each realignment is a gap or an overlap of about 10 ms.
pub const AUDIO_ALIGNMENT_MS: u64 = 10;

/// The program pipeline without its camera inputs.
///
/// Video: the program switch (`switch::FACTORY`) outputs pictures at the profile's rate
/// whatever the cameras do: a live slate source is its input 0 and never stops; cameras are
/// added as higher layers (alpha 0 when off air). The switch passes the camera on air through
/// without copying it (or, with overlays to draw, copies it once and draws them), and draws
/// the slate (colour, words, clock, overlays) itself when no camera is on air. Audio: live
/// silence is mixer input 0, so the AAC track never has a hole. The silence and the mixer's
/// output come in blocks of one AAC frame: the encoder cannot emit a frame before its last
/// sample anyway, and the mixer's default 10 ms blocks woke every audio thread twice as often
/// (and left a frame waiting for the block holding its last sample). Both encoded streams end
/// in appsinks (`vout`, `aout`) from which each destination's own small pipeline is fed.
///
/// Few threads: every thread hop is a wake-up per buffer, and a profile of the program
/// showed the kernel's task switching at 10 % of its CPU (2,200 switches per second). So
/// the slate source and the encoder run in their neighbours' threads (no queues: the
/// switch takes the slate source's picture when it aggregates, and x264 encodes in the
/// switch's thread, well within a frame interval).
pub fn program(p: &OutputProfile, encoder_plan: &EncoderPlan, aac: &str) -> String {
    let raw = raw_video_caps(p);
    let lat = MIXER_LATENCY_MS * 1_000_000;
    let enc = encoder(encoder_plan, p);
    let abps = p.audio_bitrate_kbps * 1000;
    format!(
        "videotestsrc name=slate_src is-live=true pattern=solid-color foreground-color={SLATE_ARGB} \
           ! video/x-raw,format=I420,width={SLATE_SOURCE_PX},height={SLATE_SOURCE_PX},framerate={fps}/1,colorimetry={colorimetry} \
           ! mix.sink_0 \
         {switch} name=mix latency={lat} \
           ! {raw} ! videoconvert ! {enc} \
           ! h264parse config-interval=-1 ! video/x-h264,stream-format=avc,alignment=au \
           ! appsink name=vout sync=false max-buffers=120 drop=true \
         audiotestsrc name=silence is-live=true wave=silence samplesperbuffer={SAMPLES_PER_FRAME} \
           ! {RAW_AUDIO_CAPS} ! amix.sink_0 \
         audiomixer name=amix latency={lat} alignment-threshold={align} discont-wait=0 \
           output-buffer-duration-fraction={SAMPLES_PER_FRAME}/{SAMPLE_RATE} ! {RAW_AUDIO_CAPS} ! audioconvert \
           ! {aac} bitrate={abps} ! aacparse ! audio/mpeg,mpegversion=4,stream-format=raw \
           ! appsink name=aout sync=false max-buffers=240 drop=true",
        switch = FACTORY,
        fps = p.fps,
        colorimetry = colorimetry(p),
        align = AUDIO_ALIGNMENT_MS * 1_000_000,
    )
}

/// One camera's video input of a program: H.264 access units in, pictures in the program's
/// size out (scaled with borders to keep the aspect ratio), at the camera's own frame rate:
/// the switch samples every input at the program's rate. One decoder thread: frame
/// threading would hold several extra pictures (memory) and add a frame of delay per thread
/// for a 720p/1080p stream one core decodes easily.
pub fn program_camera_video(p: &OutputProfile) -> String {
    format!(
        "appsrc name=src is-live=true format=time min-latency=0 max-bytes=8388608 \
           leaky-type=downstream caps=video/x-h264,stream-format=byte-stream,alignment=au \
         ! h264parse ! avdec_h264 name=dec max-threads=1 direct-rendering=false ! videoconvert ! videoscale add-borders=true \
         ! video/x-raw,format=I420,width={w},height={h},pixel-aspect-ratio=1/1,colorimetry={c} \
         ! queue name=out max-size-buffers=1 leaky=downstream",
        w = p.width,
        h = p.height,
        c = colorimetry(p),
    )
}

/// One camera's audio input of a program: AAC (ADTS) in, PCM in the mixer's format out.
pub fn program_camera_audio() -> String {
    format!(
        "appsrc name=src is-live=true format=time min-latency=0 max-bytes=1048576 \
           leaky-type=downstream caps=audio/mpeg,mpegversion=4,stream-format=adts \
         ! aacparse ! avdec_aac ! audioconvert ! audioresample ! {RAW_AUDIO_CAPS} \
         ! queue name=out max-size-time=500000000 leaky=downstream"
    )
}

/// One destination: the encoded streams in, FLV over RTMP(S) out. The location is set as a
/// property by the publisher (it holds the stream key).
///
/// A program's streams arrive ready for FLV (AVC with codec data, raw AAC). A relay's are
/// the camera's own access units (`repackage`): parsed here into the same form, with SPS
/// and PPS before every keyframe so a player joining mid-stream can decode at once.
///
/// No queues: each appsrc already is the destination's buffer (its own thread, its level
/// watched by the fan-out), and every extra thread hop costs a wake-up per buffer.
pub fn destination(repackage: bool) -> String {
    let (video, audio) = if repackage {
        (
            "! h264parse config-interval=-1 ! video/x-h264,stream-format=avc,alignment=au ",
            "! aacparse ! audio/mpeg,mpegversion=4,stream-format=raw ",
        )
    } else {
        ("", "")
    };
    format!(
        "appsrc name=vsrc is-live=true format=time min-latency=0 {video}! mux.video \
         appsrc name=asrc is-live=true format=time min-latency=0 {audio}! mux.audio \
         flvmux name=mux streamable=true latency=1000000000 \
         ! rtmp2sink name=sink async=false sync=false"
    )
}

/// The recording branch: MP4 segments of `segment_ns`. The location pattern is set by the
/// recorder.
pub fn recording(segment_ns: u64) -> String {
    format!(
        "appsrc name=vsrc is-live=true format=time min-latency=0 ! h264parse ! queue ! rec.video \
         appsrc name=asrc is-live=true format=time min-latency=0 ! aacparse ! queue ! rec.audio_0 \
         splitmuxsink name=rec muxer-factory=mp4mux max-size-time={segment_ns} \
           async-finalize=true send-keyframe-requests=true"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn x264_gets_a_fixed_closed_gop_and_cbr() {
        let p = OutputProfile::default();
        let e = encoder(
            &EncoderPlan::X264 {
                preset: "ultrafast".into(),
            },
            &p,
        );
        assert!(e.contains("key-int-max=60"), "{e}");
        assert!(e.contains("keyint-min=60:scenecut=0"), "{e}");
        assert!(e.contains("bitrate=3000"), "{e}");
        assert!(e.contains("tune=zerolatency"), "{e}");
        assert!(
            e.contains("trellis=false"),
            "the fast presets' trellis setting is kept: {e}"
        );
    }

    #[test]
    fn x264_runs_on_one_thread_only_where_one_core_keeps_up() {
        let p720 = OutputProfile::default();
        assert_eq!(x264_threads("ultrafast", &p720), 1);
        assert_eq!(x264_threads("superfast", &p720), 1);
        assert_eq!(x264_threads("veryfast", &p720), 0, "slower preset");
        let p1080 = OutputProfile {
            width: 1920,
            height: 1080,
            ..OutputProfile::default()
        };
        assert_eq!(x264_threads("ultrafast", &p1080), 0, "bigger pictures");
        let p720p60 = OutputProfile {
            fps: 60,
            ..OutputProfile::default()
        };
        assert_eq!(x264_threads("ultrafast", &p720p60), 0, "higher rate");
        let e = encoder(
            &EncoderPlan::X264 {
                preset: "ultrafast".into(),
            },
            &p720,
        );
        assert!(e.contains(" threads=1 "), "{e}");
    }

    #[test]
    fn every_program_picture_has_the_programs_colour_matrix() {
        let hd = OutputProfile::default();
        let sd = OutputProfile {
            width: 640,
            height: 360,
            ..OutputProfile::default()
        };
        assert_eq!(colorimetry(&hd), "bt709");
        assert_eq!(colorimetry(&sd), "bt601");
        assert!(raw_video_caps(&hd).contains("colorimetry=bt709"));
        assert!(program_camera_video(&hd).contains("colorimetry=bt709"));
        let program = program(
            &hd,
            &EncoderPlan::X264 {
                preset: "ultrafast".into(),
            },
            "voaacenc",
        );
        assert_eq!(program.matches("colorimetry=bt709").count(), 2, "{program}");
    }

    #[test]
    fn hardware_encoders_get_the_same_gop() {
        let p = OutputProfile {
            fps: 25,
            ..OutputProfile::default()
        };
        assert!(encoder(&EncoderPlan::V4l2, &p).contains("h264_i_frame_period=50"));
        let va = encoder(
            &EncoderPlan::Vaapi {
                factory: "vah264enc".into(),
            },
            &p,
        );
        assert!(
            va.contains("key-int-max=50") && va.contains("rate-control=cbr"),
            "{va}"
        );
    }

    /// The program description for the default profile with x264 and voaacenc.
    fn default_program() -> String {
        program(
            &OutputProfile::default(),
            &EncoderPlan::X264 {
                preset: "ultrafast".into(),
            },
            "voaacenc",
        )
    }

    #[test]
    fn program_keeps_slate_and_silence_as_first_inputs() {
        let d = default_program();
        assert!(d.contains("mix.sink_0") && d.contains("amix.sink_0"), "{d}");
        assert!(d.contains("h264parse config-interval=-1"), "{d}");
        assert!(d.contains("width=1280,height=720,framerate=30/1"), "{d}");
        assert!(d.contains("voaacenc bitrate=128000"), "{d}");
    }

    #[test]
    fn program_audio_is_realigned_within_ten_ms() {
        let d = default_program();
        // A camera whose audio clock runs slow must not hold the mix (and every muxer's
        // video) back by up to the mixer's 40 ms default before it is realigned.
        assert!(
            d.contains("alignment-threshold=10000000 discont-wait=0"),
            "{d}"
        );
        assert!(
            d.contains("samplesperbuffer=1024")
                && d.contains("output-buffer-duration-fraction=1024/48000"),
            "audio in AAC-frame blocks: {d}"
        );
    }

    #[test]
    fn only_a_relay_destination_parses_its_streams() {
        let relay = destination(true);
        assert!(relay.contains("h264parse config-interval=-1"), "{relay}");
        assert!(relay.contains("stream-format=avc"), "{relay}");
        assert!(relay.contains("aacparse"), "{relay}");
        let program = destination(false);
        assert!(!program.contains("parse"), "{program}");
        assert!(!program.contains("queue"), "{program}");
    }

    #[test]
    fn no_description_carries_a_location() {
        for d in [
            destination(false),
            destination(true),
            recording(1),
            program_camera_video(&OutputProfile::default()),
        ] {
            assert!(!d.contains("location"), "{d}");
        }
    }

    #[test]
    fn aac_encoder_falls_back_to_libav() {
        assert_eq!(aac_encoder(|f| f == "voaacenc"), "voaacenc");
        assert_eq!(aac_encoder(|_| false), "avenc_aac");
    }
}
