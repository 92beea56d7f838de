//! PTZ pre-positioning (TL-2) against real peers: the simulated PTZ camera (ONVIF device and
//! RTSP picture sharing one head) off air while another camera is on, a timeline cue that
//! brings it on air at a preset. The head is sampled every 20 ms: it reaches the preset before
//! the cue and never moves during it; and the pictures nginx recorded after the cut are still.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::fixtures::{
    add_destination, add_ptz_camera, add_streaming_camera, create_output, created_id,
    destination_state, ptz_options, start_output_until, stop_output, wait_camera, wait_head,
    wait_ptz,
};
use common::ingest::{self, Nginx};
use common::program_frames::{RED, Shows, classify, coloured_camera};
use common::wait::wait_until;
use common::{Appliance, step};
use serde_json::{Value, json};
use vistterstream_sim::rig::{self, PtzRig, PtzRigConfig};

const MARINA: [f32; 3] = [0.6, 0.4, 0.0];

/// (time since the timeline started, position, moving) every 20 ms.
type Samples = Arc<Mutex<Vec<(Duration, [f32; 3], bool)>>>;

fn sample_head(
    rig: &PtzRig,
    from: Instant,
    until: Duration,
) -> (Samples, std::thread::JoinHandle<()>) {
    let samples: Samples = Arc::default();
    let head = rig.head.clone();
    let out = samples.clone();
    let sampler = std::thread::spawn(move || {
        while from.elapsed() < until {
            let (pan_tilt, zoom) = head.moving();
            if let Ok(mut s) = out.lock() {
                s.push((from.elapsed(), head.position(), pan_tilt || zoom));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    });
    (samples, sampler)
}

fn at_marina(p: [f32; 3]) -> bool {
    p.iter().zip(MARINA).all(|(a, b)| (a - b).abs() < 0.02)
}

#[actix_web::test]
async fn a_ptz_camera_is_at_its_preset_before_its_cue_and_still_after_the_cut() {
    step("1: the PTZ rig and a red camera stream; the PTZ camera has preset Marina");
    let rig = PtzRig::start(PtzRigConfig::default()).expect("PTZ rig");
    let app = Appliance::start_with(ptz_options()).await;
    let token = app.admin_token().await;
    let ptz = add_ptz_camera(&app, &token, &rig, rig::PASSWORD).await;
    wait_camera(&app, &token, ptz, "streaming", Duration::from_secs(20)).await;
    wait_ptz(&app, &token, ptz, "up", Duration::from_secs(15)).await;
    let red = coloured_camera("A", RED);
    let cam_a = add_streaming_camera(&app, &token, &red, "A").await;
    rig.head.place(MARINA);
    let r = app
        .post(
            &token,
            &format!("/api/v1/cameras/{ptz}/presets"),
            json!({"name": "Marina"}),
        )
        .await;
    let marina = created_id(r, "preset Marina").await;
    rig.head.place([-0.6, -0.4, 0.0]);

    step("2: a program on A publishing to nginx");
    let ingest = Nginx::start();
    let d = add_destination(&app, &token, "ingest", &ingest.server_url(), "ptz-show").await;
    let out = create_output(
        &app,
        &token,
        json!({"name": "Program", "destination_ids": [d], "camera_id": cam_a,
               "profile": {"width": 640, "height": 360, "fps": 25, "video_bitrate_kbps": 800}}),
    )
    .await;
    start_output_until(&app, &token, out, "live", |v| {
        v["status"]["state"] == "live" && destination_state(v, d) == "live"
    })
    .await;

    step("3: A for 8 s, then the PTZ camera at Marina for 6 s, then A");
    let r = app
        .post(
            &token,
            "/api/v1/timelines",
            json!({"name": "Marina", "duration_s": 18, "tracks": [{"kind": "video", "cues": [
                {"start_s": 0, "duration_s": 8, "camera_id": cam_a},
                {"start_s": 8, "duration_s": 6, "camera_id": ptz, "preset_id": marina},
                {"start_s": 14, "duration_s": 4, "camera_id": cam_a}]}]}),
        )
        .await;
    let timeline = created_id(r, "the timeline").await;
    let v: Value = r_json(
        app.post(
            &token,
            &format!("/api/v1/timelines/{timeline}/start"),
            json!({"output_id": out}),
        )
        .await,
    )
    .await;
    assert_eq!(v["state"], "running", "{v}");
    let started = Instant::now();
    let (samples, sampler) = sample_head(&rig, started, Duration::from_secs(15));

    step("4: the head is at Marina and still before the cue at 8 s");
    wait_head(&rig, Duration::from_secs(8), "the head at Marina", |h| {
        at_marina(h.position()) && h.moving() == (false, false)
    })
    .await;
    let settled = started.elapsed();
    eprintln!(
        "BENCH pre-positioned cut: the head settled at its preset {:.2} s before its cue; \
         time from the cue to a settled picture on air: 0 s",
        8.0 - settled.as_secs_f64()
    );
    assert!(
        started.elapsed() < Duration::from_millis(7_800),
        "settled only {:?} after the start",
        started.elapsed()
    );

    step("5: through the cue the head never moves; the timeline reports no error");
    sampler.join().expect("the sampler");
    let samples = samples.lock().expect("samples").clone();
    let during: Vec<_> = samples
        .iter()
        .filter(|(t, _, _)| *t >= Duration::from_millis(7_900) && *t < Duration::from_secs(14))
        .collect();
    assert!(during.len() > 200, "sampled the cue: {}", during.len());
    for (t, p, moving) in &during {
        assert!(
            !moving && at_marina(*p),
            "at {t:?} the head was at {p:?}, moving {moving}"
        );
    }
    let status = app
        .get_json(&token, &format!("/api/v1/timelines/{timeline}/status"))
        .await;
    assert_eq!(status["position"]["errors"], json!([]), "{status}");

    step("6: nginx's pictures of the PTZ cue are still (no frame shows the head moving)");
    wait_until(Duration::from_secs(10), "the timeline to end", async || {
        let v = app
            .get_json(&token, &format!("/api/v1/timelines/{timeline}/status"))
            .await;
        if v["state"] == "stopped" {
            Ok(())
        } else {
            Err(v)
        }
    })
    .await;
    stop_output(&app, &token, out).await;
    let files = ingest.recordings("ptz-show");
    assert_eq!(files.len(), 1, "one publish session: {files:?}");
    let frames = ingest::all_frames(&files[0], 64, 36);
    // Camera A is red all over; the cut is the first frame that is not, and the PTZ camera
    // is on air for the 6 s after it.
    let first_ptz = frames
        .iter()
        .position(|(_, rgb)| classify(rgb).0 != Shows::A)
        .expect("the PTZ camera on air");
    let cut_at = frames[first_ptz].0;
    let ptz_frames: Vec<&(f64, Vec<u8>)> = frames[first_ptz..]
        .iter()
        .take_while(|(t, _)| *t < cut_at + 5.9)
        .collect();
    assert!(
        ptz_frames.len() >= 140,
        "about 6 s of the PTZ camera: {} frames",
        ptz_frames.len()
    );
    // Below the clock the sim burns in, the picture is the head's window on a fixed scene.
    let still = |a: &[u8], b: &[u8]| {
        let rows = 12 * 64 * 3..36 * 64 * 3;
        picture_difference(&a[rows.clone()], &b[rows])
    };
    let first = &ptz_frames[0].1;
    for (t, rgb) in &ptz_frames {
        let d = still(first, rgb);
        assert!(d < 6.0, "the picture moved at {t:.3} s (difference {d:.1})");
    }
}

/// Mean absolute difference per byte.
fn picture_difference(a: &[u8], b: &[u8]) -> f64 {
    let total: u64 = a
        .iter()
        .zip(b)
        .map(|(x, y)| u64::from(x.abs_diff(*y)))
        .sum();
    total as f64 / a.len().max(1) as f64
}

async fn r_json(r: reqwest::Response) -> Value {
    let status = r.status();
    let v: Value = r.json().await.expect("a JSON answer");
    assert!(status.is_success(), "{status}: {v}");
    v
}
