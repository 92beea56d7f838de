//! PtzActor against the simulated ONVIF device (onvif-server), through the real oxvif client.
//! Positions are read from the simulated head itself, not from what the client reports.

use std::time::Duration;

use vistterstream_actors::Runtime;
use vistterstream_actors::ptz::{
    AbsoluteMove, CapturePreset, GotoPreset, Move, PtzActor, PtzCell, PtzQuirks, PtzSpec,
    PtzTiming, ReadStatus, RelativeMove, RemovePreset,
};
use vistterstream_actors::state::PtzState;
use vistterstream_actors::supervision::Upsert;
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
            let s = h.shared.get();
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

/// A running PTZ actor and its status.
struct Running {
    addr: actix::Addr<PtzActor>,
    cell: std::sync::Arc<PtzCell>,
}

fn running(rt: &Runtime, id: i64) -> Running {
    let handle = rt.ptz_registry.get(id).expect("PTZ camera registered");
    Running {
        addr: handle.addr.expect("PTZ actor running"),
        cell: handle.shared,
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
    rt.ptz.do_send(Upsert(spec(1, &device, "admin")));
    wait_state(&rt, 1, PtzState::Up, Duration::from_secs(10)).await;
    let ptz = running(&rt, 1);
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
            timeout: Some(Duration::from_millis(1500)),
        })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(accepted.stops_after_ms, 1500);
    let deadline = std::time::Instant::now() + Duration::from_secs(2);
    while !head.moving().0 {
        assert!(std::time::Instant::now() < deadline, "the head never moved");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let deadline = std::time::Instant::now() + Duration::from_secs(8);
    while head.moving() != (false, false) {
        assert!(
            std::time::Instant::now() < deadline,
            "auto-stop did not stop the head"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
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
    rt.ptz.do_send(Upsert(spec(2, &device, "admin")));
    wait_state(&rt, 2, PtzState::Up, Duration::from_secs(10)).await;
    let ptz = running(&rt, 2);
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

    rt.ptz.do_send(Upsert(spec(3, &device, "wrong")));
    let reason = wait_state(&rt, 3, PtzState::Down, Duration::from_secs(10)).await;
    assert!(reason.contains("refused the credentials"), "{reason}");
}

/// A camera that answers 100 ms late: concurrent commands reach it one at a time, and a
/// joystick burst reaches it as a handful of moves ending with the newest velocity.
#[actix::test]
async fn commands_are_serialized_and_joystick_bursts_coalesced_against_a_slow_camera() {
    let device = SimOnvif::start(SimOnvifConfig {
        report_position: true,
        reply_delay: Duration::from_millis(100),
        ..SimOnvifConfig::default()
    })
    .unwrap();
    let head = device.head().clone();
    let rt = Runtime::start();
    rt.ptz.do_send(Upsert(spec(4, &device, "admin")));
    wait_state(&rt, 4, PtzState::Up, Duration::from_secs(10)).await;
    let ptz = running(&rt, 4);

    // Ten absolute moves at once: the camera never sees two requests at the same time.
    let sends: Vec<_> = (0..10)
        .map(|i| {
            ptz.addr.send(AbsoluteMove {
                position: vistterstream_actors::ptz::PtzVector::new(i as f32 / 20.0, 0.0, 0.0),
                wait: false,
            })
        })
        .collect();
    for s in futures::future::join_all(sends).await {
        s.unwrap().unwrap();
    }
    assert_eq!(device.max_concurrent_requests(), 1);

    // A 50-update burst in a few milliseconds: at most a couple of moves go out, and the
    // head ends up with the last velocity.
    let before = device.count("ContinuousMove");
    let mut coalesced = 0;
    for i in 1..=50 {
        let accepted = ptz
            .addr
            .send(Move {
                velocity: vistterstream_actors::ptz::PtzVector::new(i as f32 / 100.0, 0.0, 0.0),
                timeout: Some(Duration::from_secs(5)),
            })
            .await
            .unwrap()
            .unwrap();
        coalesced += usize::from(accepted.coalesced);
    }
    // Wait until the newest velocity reached the camera (the lane also carries the health
    // polls, each 100 ms here), then let the head apply it.
    let last_move = || {
        device
            .requests()
            .into_iter()
            .rfind(|r| r.contains(":ContinuousMove>"))
            .and_then(|r| {
                r.split("PanTilt x=\"")
                    .nth(1)
                    .map(|x| x.chars().take_while(|c| *c != '"').collect::<String>())
            })
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while last_move().as_deref() != Some("0.5") {
        assert!(
            std::time::Instant::now() < deadline,
            "last move {:?}",
            last_move()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(250)).await;
    let sent = device.count("ContinuousMove") - before;
    assert!(sent <= 4, "{sent} moves reached the camera for 50 updates");
    assert!(coalesced >= 45, "{coalesced}");
    let p0 = head.position()[0];
    tokio::time::sleep(Duration::from_millis(200)).await;
    // The last velocity (0.5 × 0.5 unit/s in the simulated head) is the one applied.
    let speed = (head.position()[0] - p0) / 0.2;
    assert!((speed - 0.25).abs() < 0.05, "speed {speed}");
    ptz.addr
        .send(vistterstream_actors::ptz::Stop)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(device.max_concurrent_requests(), 1);

    // A press released at once (move, then stop right behind it): the head ends stopped.
    for _ in 0..3 {
        ptz.addr.do_send(Move {
            velocity: vistterstream_actors::ptz::PtzVector::new(-0.5, 0.0, 0.0),
            timeout: Some(Duration::from_secs(5)),
        });
        ptz.addr
            .send(vistterstream_actors::ptz::Stop)
            .await
            .unwrap()
            .unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(
            head.moving(),
            (false, false),
            "a move outlived the stop after it"
        );
    }
}

/// A camera that stops answering (connection open, no reply): the command fails with a
/// timeout within the call timeout, never a hang, and the camera is marked down.
#[actix::test]
async fn a_silent_camera_times_out_within_the_call_timeout() {
    let device = SimOnvif::start(SimOnvifConfig::default()).unwrap();
    let rt = Runtime::start();
    let mut s = spec(5, &device, "admin");
    s.timing.call_timeout = Duration::from_millis(300);
    s.timing.health_interval = Duration::from_secs(60);
    rt.ptz.do_send(Upsert(s));
    wait_state(&rt, 5, PtzState::Up, Duration::from_secs(10)).await;
    let ptz = running(&rt, 5);
    device.set_reply_delay(Duration::from_secs(30));
    let started = std::time::Instant::now();
    let err = ptz
        .addr
        .send(AbsoluteMove {
            position: vistterstream_actors::ptz::PtzVector::new(0.1, 0.1, 0.1),
            wait: false,
        })
        .await
        .unwrap()
        .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(err.code(), "ptz_timeout", "{err}");
    assert!(err.to_string().contains("AbsoluteMove"), "{err}");
    wait_state(&rt, 5, PtzState::Down, Duration::from_secs(5)).await;
    device.set_reply_delay(Duration::ZERO);
    wait_state(&rt, 5, PtzState::Up, Duration::from_secs(10)).await;
}
