//! Encoder selection: which H.264 encoder a program runs with.
//!
//! `auto` tries the hardware encoders present (V4L2 on a Raspberry Pi 4, VA-API on Intel),
//! each only after it encoded a few frames in a smoke test (a listed element does not mean
//! a working device), and falls back to x264. Results are cached for the process lifetime.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use gstreamer as gst;
use gstreamer::prelude::*;

use super::plan::{EncoderPlan, encoder};
use super::spec::{EncoderChoice, OutputProfile};

/// The encoders to try for `choice`, in order (pure).
pub fn candidates(choice: EncoderChoice, preset: &str) -> Vec<EncoderPlan> {
    let x264 = EncoderPlan::X264 {
        preset: preset.to_string(),
    };
    let vaapi = ["vah264enc", "vaapih264enc"].map(|f| EncoderPlan::Vaapi {
        factory: f.to_string(),
    });
    match choice {
        EncoderChoice::X264 => vec![x264],
        EncoderChoice::V4l2 => vec![EncoderPlan::V4l2],
        EncoderChoice::Vaapi => vaapi.to_vec(),
        EncoderChoice::Auto => {
            let mut all = vec![EncoderPlan::V4l2];
            all.extend(vaapi);
            all.push(x264);
            all
        }
    }
}

fn factory_name(plan: &EncoderPlan) -> &str {
    match plan {
        EncoderPlan::X264 { .. } => "x264enc",
        EncoderPlan::V4l2 => "v4l2h264enc",
        EncoderPlan::Vaapi { factory } => factory,
    }
}

#[derive(Debug, thiserror::Error)]
#[error("no usable H.264 encoder for `{choice}`: {reasons}")]
pub struct NoEncoder {
    choice: &'static str,
    reasons: String,
}

/// Pick the encoder for `choice`. Blocking (a smoke test can take a second): call it from a
/// blocking thread.
pub fn select(choice: EncoderChoice, profile: &OutputProfile) -> Result<EncoderPlan, NoEncoder> {
    let mut reasons = Vec::new();
    for plan in candidates(choice, &profile.x264_preset) {
        match smoke_test_cached(&plan) {
            Ok(()) => return Ok(plan),
            Err(e) => reasons.push(format!("{}: {e}", factory_name(&plan))),
        }
    }
    Err(NoEncoder {
        choice: choice.as_str(),
        reasons: reasons.join("; "),
    })
}

fn smoke_test_cached(plan: &EncoderPlan) -> Result<(), String> {
    static RESULTS: OnceLock<Mutex<HashMap<String, Result<(), String>>>> = OnceLock::new();
    let key = factory_name(plan).to_string();
    let cache = RESULTS.get_or_init(Default::default);
    if let Some(r) = cache.lock().unwrap_or_else(|p| p.into_inner()).get(&key) {
        return r.clone();
    }
    let r = smoke_test(plan);
    cache
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(key, r.clone());
    r
}

/// Encode ten small frames; Ok when they all came out.
fn smoke_test(plan: &EncoderPlan) -> Result<(), String> {
    if gst::ElementFactory::find(factory_name(plan)).is_none() {
        return Err("not installed".into());
    }
    let profile = OutputProfile {
        width: 320,
        height: 240,
        ..OutputProfile::default()
    };
    let description = format!(
        "videotestsrc num-buffers=10 ! video/x-raw,width=320,height=240,framerate=30/1 \
         ! videoconvert ! {} ! h264parse ! fakesink",
        encoder(plan, &profile)
    );
    let pipeline = gst::parse::launch(&description).map_err(|e| e.to_string())?;
    let bus = pipeline.bus().ok_or("pipeline without bus")?;
    pipeline
        .set_state(gst::State::Playing)
        .map_err(|e| format!("does not start: {e}"))?;
    let timeout = gst::ClockTime::from_nseconds(Duration::from_secs(10).as_nanos() as u64);
    let result =
        match bus.timed_pop_filtered(timeout, &[gst::MessageType::Eos, gst::MessageType::Error]) {
            Some(msg) => match msg.view() {
                gst::MessageView::Eos(_) => Ok(()),
                gst::MessageView::Error(e) => Err(e.error().to_string()),
                _ => Err("unexpected message".into()),
            },
            None => Err("timed out".into()),
        };
    let _ = pipeline.set_state(gst::State::Null);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_tries_hardware_first_and_ends_with_x264() {
        let c = candidates(EncoderChoice::Auto, "veryfast");
        assert_eq!(c.first(), Some(&EncoderPlan::V4l2));
        assert_eq!(
            c.last(),
            Some(&EncoderPlan::X264 {
                preset: "veryfast".into()
            })
        );
        assert_eq!(candidates(EncoderChoice::X264, "ultrafast").len(), 1);
    }
}
