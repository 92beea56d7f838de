//! Starting an output's pipeline on the system clock (the program's, or a relay's empty
//! one that only keeps the output's clock and base time), and watching its bus: an error
//! inside one camera's input rebuilds that input only; any other error ends the output.

use std::sync::Arc;

use actix::prelude::*;
use futures::StreamExt;
use gstreamer as gst;
use gstreamer::prelude::*;

use super::clock::RunningClock;
use super::elements::{describe_error, element, launch};
use super::fanout::Fanout;
use super::messages::{InputFailed, PipelineFailed};
use super::plan::{self, EncoderPlan};
use super::spec::{OutputMode, OutputSpec};
use super::switch;

/// A playing pipeline, its time line, and the fan-out its encoded streams reach.
pub(super) struct Started {
    pub pipeline: gst::Pipeline,
    pub clock: RunningClock,
    pub fanout: Arc<Fanout>,
}

pub(super) fn start(spec: &OutputSpec, encoder: Option<&EncoderPlan>) -> Result<Started, String> {
    let fanout = Arc::new(Fanout::default());
    let pipeline = match (&spec.mode, encoder) {
        (OutputMode::Program, Some(enc)) => {
            let aac = plan::aac_encoder(|f| gst::ElementFactory::find(f).is_some());
            let what = "the program pipeline";
            switch::register().map_err(|e| format!("registering the program switch: {e}"))?;
            let pipeline = launch(&plan::program(&spec.profile, enc, aac), what)?;
            fanout.connect(
                &element(&pipeline, "vout", what)?,
                &element(&pipeline, "aout", what)?,
            );
            pipeline
        }
        (OutputMode::Program, None) => return Err("no encoder selected".into()),
        // A relay's feeder delivers the camera's frames to the fan-out itself; its
        // pipeline stays empty and only keeps the output's clock and base time.
        (OutputMode::Relay, _) => gst::Pipeline::new(),
    };
    pipeline.set_property("name", format!("output-{}", spec.id));
    let clock = gst::SystemClock::obtain();
    pipeline.use_clock(Some(&clock));
    pipeline
        .set_state(gst::State::Playing)
        .map_err(|e| format!("starting the pipeline: {e}"))?;
    let base_time = pipeline
        .base_time()
        .ok_or("the pipeline has no base time after starting")?;
    Ok(Started {
        pipeline,
        clock: RunningClock { clock, base_time },
        fanout,
    })
}

/// Reads `pipeline`'s bus until it fails: errors inside a camera's input go to
/// `input_failed`, the first other error to `failed` (and the watch ends).
pub(super) fn watch_bus(
    pipeline: &gst::Pipeline,
    input_failed: Recipient<InputFailed>,
    failed: Recipient<PipelineFailed>,
) -> Option<impl Future<Output = ()> + 'static> {
    let mut messages = pipeline.bus()?.stream();
    Some(async move {
        while let Some(msg) = messages.next().await {
            if let gst::MessageView::Error(e) = msg.view() {
                let source = msg.src().map(|s| s.name().to_string()).unwrap_or_default();
                let text = describe_error(&source, &e.error(), e.debug().as_deref());
                match msg.src().and_then(input_of) {
                    Some(camera_id) => input_failed.do_send(InputFailed {
                        camera_id,
                        reason: text,
                    }),
                    None => {
                        failed.do_send(PipelineFailed(text));
                        return;
                    }
                }
            }
        }
    })
}

/// The camera whose input bin (`camera-<id>-video-<n>` / `-audio-<n>`) holds `object`.
fn input_of(object: &gst::Object) -> Option<i64> {
    let mut current = Some(object.clone());
    while let Some(o) = current {
        let name = o.name();
        if let Some(rest) = name.strip_prefix("camera-")
            && let Some(id) = rest.split('-').next().and_then(|id| id.parse().ok())
        {
            return Some(id);
        }
        current = o.parent();
    }
    None
}
