//! Recording: a program output writes MP4 segments that the API lists, serves (whole and by
//! range), refuses to step outside of, and deletes; each is probed with ffprobe.

mod common;

use std::time::Duration;

use common::fixtures::{add_streaming_camera, create_output, start_output_until, stop_output};
use common::ingest;
use common::{Appliance, sim, step};
use serde_json::json;

#[actix_web::test]
async fn recording_writes_playable_mp4_segments_listed_downloaded_and_deleted() {
    let cam = sim("M", "u", "p");
    let app = Appliance::start().await;
    let token = app.admin_token().await;
    let cam_id = add_streaming_camera(&app, &token, &cam, "M").await;
    step("1: a recording program runs 14 s with 10 s segments");
    let out = create_output(
        &app,
        &token,
        json!({
            "name": "Recorder", "camera_id": cam_id,
            "profile": {"width": 320, "height": 180, "video_bitrate_kbps": 300},
            "recording": {"enabled": true, "segment_seconds": 10}
        }),
    )
    .await;
    start_output_until(&app, &token, out, "live", |v| {
        v["status"]["state"] == "live"
    })
    .await;
    tokio::time::sleep(Duration::from_secs(14)).await;
    stop_output(&app, &token, out).await;

    step("2: two segments listed; the first is a playable 10 s MP4 of the profile");
    let list = app.get_json(&token, "/api/v1/recordings").await;
    let list = list.as_array().expect("a list").clone();
    assert!(
        list.len() >= 2,
        "a full segment and the finalized last one: {list:?}"
    );
    assert!(list.iter().all(|r| r["output_id"] == out), "{list:?}");
    let name = list[0]["name"].as_str().unwrap().to_string();

    let r = app.get(&token, &format!("/api/v1/recordings/{name}")).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "video/mp4");
    let bytes = r.bytes().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("seg.mp4");
    std::fs::write(&file, &bytes).unwrap();
    let s = ingest::probe(&file);
    assert_eq!(
        (s.video_codec.as_str(), s.width, s.height),
        ("h264", 320, 180),
        "{s:?}"
    );
    assert_eq!(s.audio_codec.as_deref(), Some("aac"));
    let packets = ingest::video_packets(&file);
    let span = packets.last().unwrap().t - packets.first().unwrap().t;
    assert!((8.0..=12.5).contains(&span), "segment of {span} s");
    step("3: the last segment was finalized at stop: playable too");
    let last = list.last().unwrap()["name"].as_str().unwrap().to_string();
    let r = app.get(&token, &format!("/api/v1/recordings/{last}")).await;
    std::fs::write(&file, r.bytes().await.unwrap()).unwrap();
    assert_eq!(
        ingest::probe(&file).video_codec,
        "h264",
        "last segment finalized"
    );

    step("4: a range request; names outside the recordings are 404");
    let r = app
        .client
        .get(app.url(&format!("/api/v1/recordings/{name}")))
        .bearer_auth(&token)
        .header("Range", "bytes=0-99")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 206);
    assert_eq!(r.bytes().await.unwrap().len(), 100);

    for bad in [
        "..%2Fvistterstream.db",
        "secret.key",
        "output-1-x-00001.mp4",
    ] {
        assert_eq!(
            app.get(&token, &format!("/api/v1/recordings/{bad}"))
                .await
                .status(),
            404,
            "{bad}"
        );
    }
    step("5: delete: gone from the list; deleting again is 404");
    let path = format!("/api/v1/recordings/{name}");
    assert_eq!(app.delete(&token, &path).await.status(), 204);
    let after = app.get_json(&token, "/api/v1/recordings").await;
    assert!(
        after
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["name"] != name.as_str())
    );
    assert_eq!(app.delete(&token, &path).await.status(), 404);
}
