//! OutputActor against real peers: simulated RTSP cameras in, nginx-rtmp out.

use std::time::Duration;

use url::Url;
use vistterstream_actors::Runtime;
use vistterstream_actors::camera::CameraSpec;
use vistterstream_actors::media;
use vistterstream_actors::output::{
    Cut, DestinationTarget, EncoderChoice, OutputMode, OutputProfile, OutputSpec, SlateSpec,
    StartOutput, StopOutput,
};
use vistterstream_actors::supervisor::UpsertCamera;
use vistterstream_sim::{SimCamera, SimCameraConfig};

fn camera(id: i64, cam: &SimCamera) -> CameraSpec {
    CameraSpec {
        id,
        name: format!("cam{id}"),
        url: Url::parse(&cam.url()).unwrap(),
        username: None,
        password: None,
        stall_timeout: Duration::from_secs(3),
        connect_timeout: Duration::from_secs(5),
    }
}

#[actix::test]
#[ignore = "manual: needs nginx on 19350"]
async fn manual_program() {
    media::init().unwrap();
    let a = SimCamera::start(SimCameraConfig {
        label: "A".into(),
        ..Default::default()
    })
    .unwrap();
    let mut b = SimCamera::start(SimCameraConfig {
        label: "B".into(),
        ..Default::default()
    })
    .unwrap();
    let rt = Runtime::start();
    rt.supervisor.do_send(UpsertCamera(camera(1, &a)));
    rt.supervisor.do_send(UpsertCamera(camera(2, &b)));
    let mode = if std::env::var("RELAY").is_ok() {
        OutputMode::Relay
    } else {
        OutputMode::Program
    };
    let spec = OutputSpec {
        id: 1,
        name: "prog".into(),
        mode,
        profile: OutputProfile::default(),
        encoder: EncoderChoice::Auto,
        destinations: vec![DestinationTarget {
            id: 1,
            name: "nginx".into(),
            url: "rtmp://127.0.0.1:19350/live/manualkey".into(),
            masked: "rtmp://127.0.0.1:19350/live/****".into(),
            secret: "manualkey".into(),
        }],
        camera_id: Some(1),
        standby_cameras: vec![2],
        slate: SlateSpec::default(),
        recording: None,
        slate_after: Duration::from_secs(1),
    };
    rt.outputs.do_send(StartOutput(spec));
    for i in 0..16 {
        tokio::time::sleep(Duration::from_secs(1)).await;
        eprintln!("{i}: {:?}", rt.output_registry.status(1));
        if mode == OutputMode::Program {
            if i == 4 || i == 8 {
                let h = rt.output_registry.get(1).unwrap();
                let cam = if i == 4 { 2 } else { 1 };
                eprintln!(
                    "cut → {cam}: {:?}",
                    h.addr.unwrap().send(Cut { camera_id: cam }).await
                );
            }
            if i == 9 {
                b.stop();
            }
            if i == 10 {
                let h = rt.output_registry.get(1).unwrap();
                eprintln!(
                    "cut → 2: {:?}",
                    h.addr.unwrap().send(Cut { camera_id: 2 }).await
                );
            }
            if i == 12 {
                b.restart().unwrap();
            }
        }
    }
    rt.outputs
        .send(StopOutput {
            output_id: 1,
            forget: false,
        })
        .await
        .unwrap();
    eprintln!("stopped: {:?}", rt.output_registry.status(1));
}
