//! The program switch in a real GStreamer pipeline: what it shows, that it does not copy the
//! camera on air, and the overlays it draws.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use gstreamer as gst;
use gstreamer::prelude::*;
use gstreamer_app as gst_app;

use super::overlay::Overlays;
use super::slate_picture::yuv_of_argb;
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

/// The slate, a white camera on air (`sink_1`) and a black one off air (`sink_2`); returns
/// the pipeline, the switch, the black camera's pad and the sink.
fn two_camera_pipeline() -> (gst::Pipeline, ProgramSwitch, SwitchPad, gst_app::AppSink) {
    gst::init().expect("gstreamer");
    register().expect("register");
    let caps = "video/x-raw,format=I420,width=320,height=180,framerate=30/1";
    let pipeline = gst::parse::launch(&format!(
        "videotestsrc is-live=true ! video/x-raw,format=I420,width=16,height=16,framerate=30/1 ! mix.sink_0 \
         videotestsrc is-live=true pattern=white ! {caps} ! mix.sink_1 \
         videotestsrc is-live=true pattern=black ! {caps} ! mix.sink_2 \
         {FACTORY} name=mix latency=100000000 ! {caps} \
         ! appsink name=out sync=false max-buffers=100 drop=false"
    ))
    .expect("pipeline")
    .downcast::<gst::Pipeline>()
    .expect("a pipeline");
    let switch = pipeline
        .by_name("mix")
        .and_then(|m| m.downcast::<ProgramSwitch>().ok())
        .expect("the switch");
    let pad = |name: &str, alpha: f64, zorder: u32| {
        let pad = switch
            .static_pad(name)
            .and_then(|p| p.downcast::<SwitchPad>().ok())
            .expect("a switch pad");
        pad.set_property("alpha", alpha);
        pad.set_property("zorder", zorder);
        pad
    };
    pad("sink_1", 1.0, 1);
    let black = pad("sink_2", 0.0, 2);
    let sink = pipeline
        .by_name("out")
        .and_then(|e| e.downcast::<gst_app::AppSink>().ok())
        .expect("appsink");
    (pipeline, switch, black, sink)
}

/// (running time in ms, mean luma) of the output frames until `until_ms` of running time.
fn frames_until(sink: &gst_app::AppSink, until_ms: u64) -> Vec<(u64, u8)> {
    let mut frames = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        let Some(sample) = sink.try_pull_sample(gst::ClockTime::from_mseconds(200)) else {
            continue;
        };
        let segment = sample.segment().expect("a segment");
        let segment = segment
            .downcast_ref::<gst::ClockTime>()
            .expect("a time segment");
        let pts = sample.buffer().and_then(|b| b.pts()).expect("a timestamp");
        let running = segment.to_running_time(pts).expect("running time");
        let (luma, _) = luma_and_address(&sample);
        frames.push((running.mseconds(), luma));
        if running.mseconds() >= until_ms {
            return frames;
        }
    }
    panic!("the output stopped before {until_ms} ms: {frames:?}");
}

fn running_ms(pipeline: &gst::Pipeline) -> u64 {
    let clock = pipeline.clock().expect("a clock");
    let base = pipeline.base_time().expect("a base time");
    (clock.time().saturating_sub(base)).mseconds()
}

#[test]
fn a_scheduled_cut_lands_on_the_first_frame_at_its_time() {
    let (pipeline, switch, black, sink) = two_camera_pipeline();
    pipeline.set_state(gst::State::Playing).expect("playing");
    wait_for(&sink, |l, _| l > 200, "the white camera");
    let at_ms = running_ms(&pipeline) + 500;
    switch.schedule_shot(&black, at_ms * 1_000_000, super::transition::Entry::Cut);
    let frames = frames_until(&sink, at_ms + 300);
    for (t, luma) in &frames {
        if *t < at_ms {
            assert!(*luma > 200, "white before the cut: {t} ms luma {luma}");
        } else {
            assert!(*luma < 30, "black from the cut on: {t} ms luma {luma}");
        }
    }
    assert!(frames.iter().any(|(t, _)| *t < at_ms), "{frames:?}");
    no_errors(&pipeline);
    pipeline.set_state(gst::State::Null).expect("null");
}

#[test]
fn a_scheduled_fade_mixes_both_pictures_for_its_duration() {
    let (pipeline, switch, black, sink) = two_camera_pipeline();
    pipeline.set_state(gst::State::Playing).expect("playing");
    wait_for(&sink, |l, _| l > 200, "the white camera");
    let at_ms = running_ms(&pipeline) + 400;
    switch.schedule_shot(
        &black,
        at_ms * 1_000_000,
        super::transition::Entry::Fade(1_000_000_000),
    );
    let frames = frames_until(&sink, at_ms + 1_300);
    let mut previous = 255u8;
    let mut mixed = 0;
    for (t, luma) in &frames {
        if *t < at_ms {
            assert!(*luma > 200, "white before the fade: {t} ms luma {luma}");
        } else if *t < at_ms + 1_000 {
            // Decreasing from white to black, in step with the time into the fade.
            let expected = 235.0 - 219.0 * (*t - at_ms) as f64 / 1000.0;
            assert!(
                (f64::from(*luma) - expected).abs() <= 4.0,
                "{t} ms: luma {luma}, expected {expected:.0}"
            );
            assert!(*luma <= previous, "fading down: {frames:?}");
            previous = *luma;
            mixed += u32::from(*luma > 30 && *luma < 220);
        } else {
            assert!(*luma < 30, "black after the fade: {t} ms luma {luma}");
        }
    }
    assert!(mixed >= 25, "about 30 mixed frames: {mixed} in {frames:?}");
    // Once it has been on air, the program hands the shot to the layer rule.
    assert_eq!(
        switch.settled_shot((at_ms + 1_300) * 1_000_000).as_ref(),
        Some(&black)
    );
    no_errors(&pipeline);
    pipeline.set_state(gst::State::Null).expect("null");
}
