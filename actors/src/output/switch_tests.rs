//! The program switch in a real GStreamer pipeline: what it shows, that it does not copy the
//! camera on air, and the overlays it draws.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use gstreamer as gst;
use gstreamer::prelude::*;
use gstreamer_app as gst_app;

use super::overlay::Overlays;
use super::switch::*;

/// The mean of the Y plane and the address of the picture's first byte.
fn luma_and_address(sample: &gst::Sample) -> (u8, usize) {
    let buffer = sample.buffer().expect("a buffer");
    let map = buffer.map_readable().expect("readable");
    let y = &map[..320 * 180];
    let mean = y.iter().map(|v| u64::from(*v)).sum::<u64>() / y.len() as u64;
    (mean as u8, map.as_ptr() as usize)
}

/// Pull until `wanted` holds for a picture (the switch acts on the next output frame).
fn wait_for(
    sink: &gst_app::AppSink,
    wanted: impl Fn(u8, usize) -> bool,
    what: &str,
) -> (u8, usize) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if let Some(sample) = sink.try_pull_sample(gst::ClockTime::from_mseconds(200)) {
            let (luma, address) = luma_and_address(&sample);
            if wanted(luma, address) {
                return (luma, address);
            }
        }
    }
    panic!("never saw {what}");
}

/// A slate source, a white "camera" at the output's size on `sink_1` (off air), the
/// switch, and an appsink.
fn switch_pipeline() -> (gst::Pipeline, gst::Pad, gst_app::AppSink) {
    gst::init().expect("gstreamer");
    register().expect("register");
    let pipeline = gst::parse::launch(&format!(
        "videotestsrc is-live=true ! video/x-raw,format=I420,width=16,height=16,framerate=30/1 ! mix.sink_0 \
         videotestsrc name=cam is-live=true pattern=white ! video/x-raw,format=I420,width=320,height=180,framerate=30/1 ! mix.sink_1 \
         {FACTORY} name=mix latency=100000000 \
         ! video/x-raw,format=I420,width=320,height=180,framerate=30/1 \
         ! appsink name=out sync=false max-buffers=2 drop=true"
    ))
    .expect("pipeline")
    .downcast::<gst::Pipeline>()
    .expect("a pipeline");
    let camera_pad = pipeline
        .by_name("mix")
        .and_then(|m| m.static_pad("sink_1"))
        .expect("sink_1");
    camera_pad.set_property("alpha", 0.0f64);
    camera_pad.set_property("zorder", 1u32);
    let sink = pipeline
        .by_name("out")
        .and_then(|e| e.downcast::<gst_app::AppSink>().ok())
        .expect("appsink");
    (pipeline, camera_pad, sink)
}

fn no_errors(pipeline: &gst::Pipeline) {
    if let Some(msg) = pipeline
        .bus()
        .and_then(|b| b.pop_filtered(&[gst::MessageType::Error]))
    {
        panic!("{msg:?}");
    }
}

#[test]
fn shows_the_topmost_input_on_air_without_copying_it_else_the_slate() {
    let (pipeline, camera_pad, sink) = switch_pipeline();
    // Where the camera's pictures live, to tell a shared picture from a copy.
    let camera_address = std::sync::Arc::new(AtomicUsize::new(0));
    {
        let camera_address = camera_address.clone();
        pipeline
            .by_name("cam")
            .and_then(|c| c.static_pad("src"))
            .expect("camera src")
            .add_probe(gst::PadProbeType::BUFFER, move |_, info| {
                if let Some(map) = info.buffer().and_then(|b| b.map_readable().ok()) {
                    camera_address.store(map.as_ptr() as usize, Ordering::Relaxed);
                }
                gst::PadProbeReturn::Ok
            });
    }
    pipeline.set_state(gst::State::Playing).expect("playing");
    let navy = yuv_of_argb(SLATE_ARGB, 0.2126, 0.0722)[0];

    let (luma, _) = wait_for(&sink, |l, _| l.abs_diff(navy) <= 6, "the slate");
    assert!(luma < 100, "slate luma {luma}");

    camera_pad.set_property("alpha", 1.0f64);
    let (_, address) = wait_for(&sink, |l, _| l > 200, "the camera on air");
    // videotestsrc draws each picture into a pooled buffer; a shared picture has one of
    // the camera's addresses (the probe saw the latest, so compare with any recent one).
    let mut shared = address == camera_address.load(Ordering::Relaxed);
    for _ in 0..10 {
        let (_, a) = wait_for(&sink, |_, _| true, "a picture");
        shared |= a == camera_address.load(Ordering::Relaxed);
    }
    assert!(
        shared,
        "the camera's pictures reach the output without a copy"
    );

    camera_pad.set_property("alpha", 0.0f64);
    wait_for(&sink, |l, _| l.abs_diff(navy) <= 6, "the slate again");

    no_errors(&pipeline);
    pipeline.set_state(gst::State::Null).expect("null");
}

#[test]
fn draws_the_overlays_on_a_copy_of_the_camera_on_air() {
    let (pipeline, camera_pad, sink) = switch_pipeline();
    // A black square over the top-left quarter of the white camera.
    let overlays = Arc::new(Overlays::default());
    overlays.set_frame(320, 180);
    let black = crate::output::spec::Raster {
        width: 8,
        height: 8,
        rgba: bytes::Bytes::from([0u8, 0, 0, 255].repeat(64)),
    };
    overlays.set_layers(vec![crate::output::spec::OverlayLayer {
        id: 1,
        asset_id: 1,
        placement: crate::output::spec::OverlayPlacement {
            x: 0.0,
            y: 0.0,
            width: Some(0.5),
            height: Some(0.5),
            opacity: 1.0,
            z: 0,
            visible: true,
        },
        source: crate::output::spec::LayerSource::Image(Arc::new(black)),
    }]);
    pipeline
        .by_name("mix")
        .and_then(|m| m.downcast::<ProgramSwitch>().ok())
        .expect("the switch")
        .set_overlays(overlays);
    camera_pad.set_property("alpha", 1.0f64);
    pipeline.set_state(gst::State::Playing).expect("playing");

    let deadline = Instant::now() + Duration::from_secs(5);
    let mut seen = None;
    while Instant::now() < deadline && seen.is_none() {
        let Some(sample) = sink.try_pull_sample(gst::ClockTime::from_mseconds(200)) else {
            continue;
        };
        let buffer = sample.buffer().expect("a buffer");
        let map = buffer.map_readable().expect("readable");
        // Y plane: row 10, column 10 under the square; row 170, column 310 outside it.
        let (inside, outside) = (map[10 * 320 + 10], map[170 * 320 + 310]);
        if outside > 200 {
            seen = Some((inside, outside));
        }
    }
    let (inside, outside) = seen.expect("the camera on air");
    assert!(inside < 40, "the overlay is drawn: luma {inside} under it");
    assert!(outside > 200, "the camera around it: luma {outside}");
    no_errors(&pipeline);
    pipeline.set_state(gst::State::Null).expect("null");
}
