//! PtzActor against the simulated ONVIF device (onvif-server), through the real oxvif client.
//! Positions are read from the simulated head itself, not from what the client reports.

use std::time::Duration;

use vistterstream_actors::Runtime;
use vistterstream_actors::ptz::{
    AbsoluteMove, CapturePreset, GotoPreset, Move, PtzQuirks, PtzSpec, PtzState, PtzTiming,
    ReadStatus, RelativeMove, RemovePreset, UpsertPtz,
};
use vistterstream_sim::onvif::{SimOnvif, SimOnvifConfig};

fn spec(id: i64, device: &SimOnvif, password: &str) -> PtzSpec {
    PtzSpec {
        camera_id: id,
        host: "127.0.0.1".into(),
        onvif_port: Some(device.port()),
        username: Some("admin".into()),
        password: Some(password.into()),
        profile_token: None,
        quirks: PtzQuirks::default(),
        timing: PtzTiming {
            health_interval: Duration::from_millis(300),
            settle_poll: Duration::from_millis(100),
            ..PtzTiming::default()
        },
    }
}

async fn wait_state(rt: &Runtime, id: i64, want: PtzState, within: Duration) -> String {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        if let Some(h) = rt.ptz_registry.get(id) {
            let s = h.cell.get();
            if s.state == want {
                return s.reason.unwrap_or_default();
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "PTZ {id} never became {want:?}; last {s:?}"
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn close(a: [f32; 3], b: [f32; 3]) -> bool {
    a.iter().zip(b).all(|(x, y)| (x - y).abs() <= 0.01)
}

#[actix::test]
async fn moves_presets_and_reconnects_against_a_position_reporting_device() {
    let mut device = SimOnvif::start(SimOnvifConfig {
        report_position: true,
        ..SimOnvifConfig::default()
    })
    .unwrap();
    let head = device.head().clone();
    let rt = Runtime::start();
    rt.ptz.do_send(UpsertPtz(spec(1, &device, "admin")));
    wait_state(&rt, 1, PtzState::Up, Duration::from_secs(10)).await;
    let ptz = rt.ptz_registry.get(1).unwrap();
    let status = ptz.cell.get();
    assert_eq!(status.reports_position, Some(true));
    assert!(
        status
            .device
            .unwrap()
            .ptz_url
            .ends_with("/onvif/ptz_service")
    );

    // Continuous move: the head moves, and stops by itself after the timeout.
    let accepted = ptz
        .addr
        .send(Move {
            velocity: vistterstream_actors::ptz::PtzVector::new(0.5, 0.0, 0.0),
            timeout: Some(Duration::from_millis(400)),
        })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(accepted.stops_after_ms, 400);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(head.moving().0, "the head should be moving");
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(
        head.moving(),
        (false, false),
        "auto-stop did not stop the head"
    );
    let stopped_at = head.position();
    assert!(stopped_at[0] > 0.05, "{stopped_at:?}");

    // Absolute move lands within 0.01 and reports settled with the position.
    let outcome = ptz
        .addr
        .send(AbsoluteMove {
            position: vistterstream_actors::ptz::PtzVector::new(-0.4, 0.3, 0.2),
            wait: true,
        })
        .await
        .unwrap()
        .unwrap();
    assert!(outcome.settled, "{outcome:?}");
    assert!(
        close(head.position(), [-0.4, 0.3, 0.2]),
        "{:?}",
        head.position()
    );

    // Relative move.
    ptz.addr
        .send(RelativeMove {
            translation: vistterstream_actors::ptz::PtzVector::new(0.2, -0.1, 0.0),
            wait: true,
        })
        .await
        .unwrap()
        .unwrap();
    assert!(
        close(head.position(), [-0.2, 0.2, 0.2]),
        "{:?}",
        head.position()
    );

    // Capture, move away, goto: back at the captured place, recalled by coordinates.
    let captured = ptz
        .addr
        .send(CapturePreset {
            name: "dock".into(),
            token: None,
        })
        .await
        .unwrap()
        .unwrap();
    let p = captured.position.unwrap();
    assert!(close([p.pan, p.tilt, p.zoom], [-0.2, 0.2, 0.2]));
    assert_eq!(head.presets().len(), 1);
    head.place([0.9, -0.9, 0.0]);
    let outcome = ptz
        .addr
        .send(GotoPreset {
            position: captured.position,
            token: Some(captured.token.clone()),
            wait: true,
        })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(outcome.method, Some("absolute"));
    assert!(outcome.settled);
    assert!(
        close(head.position(), [-0.2, 0.2, 0.2]),
        "{:?}",
        head.position()
    );
    let reading = ptz.addr.send(ReadStatus).await.unwrap().unwrap();
    assert!(reading.idle());

    ptz.addr
        .send(RemovePreset {
            token: captured.token.clone(),
        })
        .await
        .unwrap()
        .unwrap();
    assert!(head.presets().is_empty());

    // Power cut: down by itself, back up by itself.
    device.stop();
    let reason = wait_state(&rt, 1, PtzState::Down, Duration::from_secs(10)).await;
    assert!(reason.contains("127.0.0.1"), "{reason}");
    device.restart().unwrap();
    wait_state(&rt, 1, PtzState::Up, Duration::from_secs(15)).await;
}

#[actix::test]
async fn presets_work_from_tokens_alone_and_a_wrong_password_is_named() {
    let device = SimOnvif::start(SimOnvifConfig::default()).unwrap();
    let head = device.head().clone();
    let rt = Runtime::start();
    rt.ptz.do_send(UpsertPtz(spec(2, &device, "admin")));
    wait_state(&rt, 2, PtzState::Up, Duration::from_secs(10)).await;
    let ptz = rt.ptz_registry.get(2).unwrap();
    assert_eq!(ptz.cell.get().reports_position, Some(false));

    head.place([0.6, -0.3, 0.4]);
    let captured = ptz
        .addr
        .send(CapturePreset {
            name: "pier".into(),
            token: None,
        })
        .await
        .unwrap()
        .unwrap();
    assert!(captured.position.is_none());
    head.place([-1.0, 1.0, 0.0]);
    let outcome = ptz
        .addr
        .send(GotoPreset {
            position: None,
            token: Some(captured.token),
            wait: true,
        })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(outcome.method, Some("preset_token"));
    assert!(outcome.settled, "{outcome:?}");
    assert!(
        close(head.position(), [0.6, -0.3, 0.4]),
        "{:?}",
        head.position()
    );

    rt.ptz.do_send(UpsertPtz(spec(3, &device, "wrong")));
    let reason = wait_state(&rt, 3, PtzState::Down, Duration::from_secs(10)).await;
    assert!(reason.contains("refused the credentials"), "{reason}");
}
