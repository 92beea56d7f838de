//! CameraActor against a real RTSP server (the simulated GStreamer camera).

use std::time::Duration;

use url::Url;
use vistterstream_actors::Runtime;
use vistterstream_actors::camera::{CameraSpec, MediaKind};
use vistterstream_actors::media;
use vistterstream_actors::state::CameraState;
use vistterstream_actors::supervision::{Shutdown, Stop, Upsert};
use vistterstream_sim::{SimCamera, SimCameraConfig};

fn spec(id: i64, cam: &SimCamera, user: &str, password: &str) -> CameraSpec {
    CameraSpec {
        id,
        name: format!("cam{id}"),
        url: Url::parse(&cam.url()).unwrap(),
        username: Some(user.into()),
        password: Some(password.into()),
        stall_timeout: Duration::from_secs(3),
        connect_timeout: Duration::from_secs(5),
    }
}

async fn wait_for(
    rt: &Runtime,
    id: i64,
    timeout: Duration,
    want: impl Fn(CameraState) -> bool,
) -> vistterstream_actors::camera::CameraStatus {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if let Some(feed) = rt.camera_registry.feed(id) {
            let s = feed.status();
            if want(s.state) {
                return s;
            }
            if tokio::time::Instant::now() > deadline {
                panic!("camera {id} never reached the wanted state; last status {s:?}");
            }
        } else if tokio::time::Instant::now() > deadline {
            panic!("camera {id} not registered");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[actix::test]
async fn streams_fans_out_survives_a_crash_and_snapshots() {
    media::init().unwrap();
    let mut cam = SimCamera::start(SimCameraConfig {
        label: "A".into(),
        credentials: Some(("user".into(), "pw".into())),
        ..Default::default()
    })
    .unwrap();
    let rt = Runtime::start();
    rt.cameras.do_send(Upsert(spec(1, &cam, "user", "pw")));

    let status = wait_for(&rt, 1, Duration::from_secs(15), |s| {
        s == CameraState::Streaming
    })
    .await;
    assert_eq!(status.reason, None);

    // Two subscribers get the same frames; the first frame each sees is a keyframe.
    let feed = rt.camera_registry.feed(1).unwrap();
    let mut a = feed.subscribe();
    let mut b = feed.subscribe();
    let fa = a.recv().await.unwrap();
    let fb = b.recv().await.unwrap();
    assert!(fa.is_video_keyframe() && fb.is_video_keyframe());
    assert_eq!(fa.params.video.width, 640);
    assert_eq!(fa.params.video.height, 360);
    let mut audio = false;
    for _ in 0..200 {
        let f = a.recv().await.unwrap();
        audio |= f.kind == MediaKind::Audio;
    }
    assert!(audio, "the simulated camera sends AAC");

    tokio::time::sleep(Duration::from_secs(2)).await;
    let status = feed.status();
    assert!(status.fps > 15.0, "{status:?}");
    assert!(status.bitrate_bps > 100_000, "{status:?}");
    assert_eq!(status.codec.as_deref(), Some("h264"));

    // Snapshot of the current picture.
    let gop = feed.gop();
    let jpeg = tokio::task::spawn_blocking(move || {
        media::snapshot::encode_latest(&gop, 85, Duration::from_secs(5))
    })
    .await
    .unwrap()
    .unwrap();
    assert_eq!((jpeg.width, jpeg.height), (640, 360));
    assert_eq!(&jpeg.data[..2], &[0xFF, 0xD8]);

    // Crash the camera: the actor notices and backs off; the subscription stays open.
    cam.stop();
    let s = wait_for(&rt, 1, Duration::from_secs(10), |s| {
        matches!(s, CameraState::Backoff | CameraState::Stalled)
    })
    .await;
    assert!(s.reason.is_some());
    cam.restart().unwrap();
    let s = wait_for(&rt, 1, Duration::from_secs(20), |s| {
        s == CameraState::Streaming
    })
    .await;
    assert!(s.reconnects >= 1);
    // The old subscription keeps receiving, and resumes on a keyframe of the new session.
    let mut session = None;
    for _ in 0..1000 {
        let f = tokio::time::timeout(Duration::from_secs(5), a.recv())
            .await
            .unwrap()
            .unwrap();
        if f.session >= 2 {
            session = Some(f.session);
            break;
        }
    }
    assert!(
        session.is_some(),
        "frames from the new session reach the old subscriber"
    );

    rt.cameras
        .send(Stop {
            id: 1,
            forget: true,
        })
        .await
        .unwrap();
    assert!(rt.camera_registry.feed(1).is_none());
    rt.cameras
        .send(Shutdown {
            timeout: Duration::from_secs(2),
        })
        .await
        .unwrap();
}

#[actix::test]
async fn wrong_password_is_an_auth_error() {
    media::init().unwrap();
    let cam = SimCamera::start(SimCameraConfig {
        label: "B".into(),
        credentials: Some(("user".into(), "right".into())),
        ..Default::default()
    })
    .unwrap();
    let rt = Runtime::start();
    rt.cameras.do_send(Upsert(spec(2, &cam, "user", "wrong")));
    let s = wait_for(&rt, 2, Duration::from_secs(15), |s| s == CameraState::Error).await;
    let reason = s.reason.unwrap();
    assert!(reason.contains("authentication"), "{reason}");
    assert!(
        !reason.contains("wrong"),
        "the password must not leak into reasons: {reason}"
    );
    rt.cameras
        .send(Shutdown {
            timeout: Duration::from_secs(2),
        })
        .await
        .unwrap();
}
