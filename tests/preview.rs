//! Live previews (OUT-10) as a browser's player receives them: a camera's and a program's
//! own H.264 as fragmented MP4 over a WebSocket, read back with ffprobe; the first picture
//! from the cached GOP; a camera restart recovered on the same connection; viewers
//! authenticated like the API.

mod common;

use std::time::Duration;

use common::fixtures::{add_streaming_camera, create_output, start_output_until};
use common::ingest::{max_gap, probe, video_packets};
use common::live::{Received, open, read_until};
use common::{Appliance, sim, step};
use serde_json::json;

#[tokio::test]
async fn a_cameras_preview_plays_from_its_gop_and_survives_a_camera_restart() {
    let mut cam = sim("CAM P", "u", "p");
    let app = Appliance::start().await;
    let token = app.admin_token().await;
    let id = add_streaming_camera(&app, &token, &cam, "p").await;
    let path = format!("/api/v1/cameras/{id}/live");
    let dir = tempfile::tempdir().expect("a temp dir");

    step("1: viewers are authenticated like the API; unknown cameras are 404");
    assert_eq!(open(&app, "", &path).await.err(), Some(401));
    assert_eq!(
        open(&app, &token, "/api/v1/cameras/9999/live").await.err(),
        Some(404)
    );

    step("2: state, codec, init segment, then fragments from the cached GOP at once");
    let mut socket = open(&app, &token, &path).await.expect("the preview opens");
    let mut got = Received::default();
    read_until(
        &mut socket,
        &mut got,
        Duration::from_secs(10),
        "50 fragments",
        |r| r.fragments() >= 50,
    )
    .await;
    assert_eq!(got.texts[0]["type"], "state", "{:?}", got.texts);
    assert_eq!(got.states()[0], "streaming");
    let codec = got
        .texts
        .iter()
        .find(|t| t["type"] == "codec")
        .expect("a codec");
    assert!(
        codec["codec"].as_str().unwrap().starts_with("avc1."),
        "{codec}"
    );
    assert_eq!(codec["width"], cam.config().width);
    let file = dir.path().join("camera.mp4");
    got.write_from_init(0, &file);
    let streams = probe(&file);
    assert_eq!(streams.video_codec, "h264");
    assert_eq!(
        (streams.width, streams.height),
        (
            u64::from(cam.config().width),
            u64::from(cam.config().height)
        )
    );
    let packets = video_packets(&file);
    assert!(packets.len() >= 50, "{} packets", packets.len());
    assert!(packets[0].keyframe, "the preview starts on a keyframe");
    assert!(
        packets.windows(2).all(|w| w[1].t > w[0].t),
        "decode times only go forward"
    );

    step("3: the camera dies and comes back: pictures again on the same connection");
    cam.stop();
    read_until(
        &mut socket,
        &mut got,
        Duration::from_secs(15),
        "the outage",
        |r| {
            r.states()
                .iter()
                .any(|s| s == "stalled" || s == "backoff" || s == "error")
        },
    )
    .await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    cam.restart().expect("the camera restarts");
    let before = got.fragments();
    read_until(
        &mut socket,
        &mut got,
        Duration::from_secs(45),
        "pictures again",
        |r| {
            r.states().last().map(String::as_str) == Some("streaming")
                && r.fragments() >= before + 50
        },
    )
    .await;
    // One decodable stream across the outage: the restart resumed on a keyframe (the same
    // settings need no new init segment), and its time line has no hole.
    let whole = dir.path().join("camera-whole.mp4");
    got.write_from_init(0, &whole);
    assert_eq!(decode_errors(&whole), "", "every fragment decodes");
    let packets = video_packets(&whole);
    let (gap, _) = max_gap(&packets);
    assert!(gap < 0.2, "the preview's time line has a {gap} s hole");
}

#[tokio::test]
async fn a_programs_preview_is_its_own_encoded_picture() {
    let cam = sim("CAM Q", "u", "p");
    let app = Appliance::start().await;
    let token = app.admin_token().await;
    let camera = add_streaming_camera(&app, &token, &cam, "q").await;

    step("1: a program with no destination runs for its preview (a rehearsal)");
    let out = create_output(
        &app,
        &token,
        json!({"name": "Rehearsal", "camera_id": camera,
               "profile": {"width": 640, "height": 360, "video_bitrate_kbps": 600}}),
    )
    .await;
    start_output_until(&app, &token, out, "the camera on air", |v| {
        v["status"]["state"] == "live" && v["status"]["showing"]["camera_id"] == camera
    })
    .await;

    step("2: the preview carries the program's encoded picture, at the program's size");
    let mut socket = open(&app, &token, &format!("/api/v1/outputs/{out}/live"))
        .await
        .expect("the preview opens");
    let mut got = Received::default();
    read_until(
        &mut socket,
        &mut got,
        Duration::from_secs(15),
        "60 fragments",
        |r| r.fragments() >= 60,
    )
    .await;
    assert!(got.states().iter().any(|s| s == "live"), "{:?}", got.texts);
    let dir = tempfile::tempdir().expect("a temp dir");
    let file = dir.path().join("program.mp4");
    got.write_from_init(0, &file);
    let streams = probe(&file);
    assert_eq!(
        (streams.video_codec.as_str(), streams.width, streams.height),
        ("h264", 640, 360),
        "the program's profile, not the camera's {}x{}",
        cam.config().width,
        cam.config().height
    );
    assert!(video_packets(&file)[0].keyframe);
}

/// What ffmpeg says when it decodes every frame of `path` (empty: all decoded).
fn decode_errors(path: &std::path::Path) -> String {
    let out = std::process::Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(path)
        .args(["-f", "null", "-"])
        .output()
        .expect("ffmpeg (scripts/setup.sh installs it)");
    String::from_utf8_lossy(&out.stderr).trim().to_string()
}
