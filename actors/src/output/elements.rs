//! One way to build an output's pipelines (program, destinations, recorder, silence) and
//! find their elements, report their errors and tear them down, each error naming what it
//! was building.

use gstreamer as gst;
use gstreamer::prelude::*;

/// The pipeline of `description`; `what` names it in errors ("the publisher").
pub fn launch(description: &str, what: &str) -> Result<gst::Pipeline, String> {
    gst::parse::launch(description)
        .map_err(|e| format!("building {what}: {e}"))?
        .downcast::<gst::Pipeline>()
        .map_err(|_| format!("{what} is not a pipeline"))
}

/// The element `name` of `pipeline` as a `T` (an appsrc, an appsink), or an error naming both.
pub fn element<T: IsA<gst::Element>>(
    pipeline: &gst::Pipeline,
    name: &str,
    what: &str,
) -> Result<T, String> {
    pipeline
        .by_name(name)
        .and_then(|e| e.downcast::<T>().ok())
        .ok_or_else(|| format!("{what} without {name}"))
}

/// A GStreamer error as an operator reads it: what failed, why, and the detail when it
/// says more (certificate problems are spelt out).
pub fn describe_error(source: &str, error: &gst::glib::Error, debug: Option<&str>) -> String {
    let mut text = format!("{source}: {error}");
    // The debug text's last line carries the reason ("reason not-negotiated", the TLS
    // verdict, the socket error); the lines before it are source locations.
    if let Some(detail) = debug.and_then(|d| d.lines().last()).map(str::trim)
        && !detail.is_empty()
    {
        text.push_str(&format!(" ({detail})"));
    }
    text
}

/// Stop a pipeline without blocking the async runtime (rtmp2sink joins its connection
/// thread when stopping).
pub async fn teardown(pipeline: gst::Pipeline) {
    let _ = tokio::task::spawn_blocking(move || {
        let _ = pipeline.set_state(gst::State::Null);
    })
    .await;
}
