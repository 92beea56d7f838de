//! GStreamer media work: plans and pipelines. Everything here runs on GStreamer's or
//! tokio's blocking threads, never on an actix arbiter.

pub mod snapshot;

/// Initialise GStreamer once per process. Errors name what is missing.
pub fn init() -> Result<(), gstreamer::glib::Error> {
    gstreamer::init()
}
