//! The file mode loops a pre-encoded clip forever: a client reading for longer than the clip
//! keeps getting frames at the clip's rate (checked with ffmpeg, an independent RTSP client).

use std::process::Command;

use vistterstream_sim::{SimCamera, SimCameraConfig};

#[test]
fn a_three_second_clip_streams_for_eight_seconds() {
    let dir = tempfile::tempdir().unwrap();
    let clip = dir.path().join("clip.mp4");
    let made = Command::new("ffmpeg")
        .args([
            "-nostdin",
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=320x240:rate=25",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:sample_rate=48000",
            "-t",
            "3",
            "-c:v",
            "libx264",
            "-bf",
            "0",
            "-g",
            "25",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-shortest",
        ])
        .arg(&clip)
        .status()
        .expect("ffmpeg (scripts/setup.sh installs it)");
    assert!(made.success());
    let cam = SimCamera::start(SimCameraConfig {
        file: Some(clip),
        ..Default::default()
    })
    .unwrap();
    assert!((cam.loop_period().unwrap_or_default().as_secs_f64() - 3.0).abs() < 0.2);

    let out = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-rtsp_transport",
            "tcp",
            "-read_intervals",
            "%+8",
            "-select_streams",
            "v",
            "-count_packets",
            "-show_entries",
            "stream=nb_read_packets,codec_name",
            "-of",
            "default=nw=1",
            &cam.url(),
        ])
        .output()
        .expect("ffprobe");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("codec_name=h264"), "{text}");
    let packets: u64 = text
        .lines()
        .find_map(|l| l.strip_prefix("nb_read_packets="))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    // 8 s at 25 fps is 200 frames; a clip played once would give at most 75.
    assert!(packets >= 150, "only {packets} frames in 8 s: {text}");
}
