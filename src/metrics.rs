//! Prometheus metrics: the recorder, metric descriptions (HELP lines, so `promtool check
//! metrics` is clean) and the gauges computed at scrape time. The HTTP layer counts its
//! requests in `http::metrics`.

use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use vistterstream_actors::camera::CameraRegistry;

const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Install the global recorder. Call once per process.
pub fn install() -> anyhow::Result<PrometheusHandle> {
    let handle = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), LATENCY_BUCKETS)?
        .install_recorder()?;
    describe();
    Ok(handle)
}

fn describe() {
    describe_gauge!(
        "vistter_camera_up",
        "1 while the camera is streaming, else 0"
    );
    describe_counter!(
        "vistter_camera_frames_total",
        "Video frames received from the camera"
    );
    describe_counter!(
        "vistter_camera_received_bytes_total",
        Unit::Bytes,
        "Media bytes received from the camera"
    );
    describe_counter!(
        "vistter_camera_reconnects_total",
        "RTSP sessions that ended and were reopened"
    );
    describe_gauge!(
        "vistter_camera_bitrate_bps",
        "Received media bitrate over the last seconds, bits per second"
    );
    describe_gauge!(
        "vistter_camera_fps",
        "Received video frames per second over the last seconds"
    );
    describe_gauge!(
        "vistter_camera_last_frame_age_seconds",
        Unit::Seconds,
        "Seconds since the camera's last frame (at scrape time)"
    );
    describe_gauge!(
        "vistter_camera_subscribers",
        "Consumers subscribed to the camera's frames"
    );
    describe_counter!(
        "vistter_http_requests_total",
        "HTTP requests by method, route and status"
    );
    describe_histogram!(
        "vistter_http_request_duration_seconds",
        Unit::Seconds,
        "HTTP request latency by method and route"
    );
    describe_gauge!(
        "vistter_output_up",
        "1 while the output is live (encoding and fanning out frames), else 0"
    );
    describe_counter!(
        "vistter_output_frames_total",
        "Video frames the output produced (encoded, or copied by a relay)"
    );
    describe_counter!(
        "vistter_output_dropped_frames_total",
        "Video frames the output lost: inputs falling behind a camera, destinations too slow"
    );
    describe_counter!(
        "vistter_output_bytes_total",
        Unit::Bytes,
        "Bytes sent to a destination's ingest"
    );
    describe_gauge!(
        "vistter_destination_up",
        "1 while the destination's ingest accepts the stream, else 0"
    );
    describe_counter!(
        "vistter_destination_reconnects_total",
        "Connections to a destination that failed and were retried"
    );
    describe_gauge!("vistter_build_info", "Always 1; labels carry the version");
    metrics::gauge!("vistter_build_info", "version" => env!("CARGO_PKG_VERSION")).set(1.0);
}

/// Gauges that are cheaper to compute at scrape time than on every frame.
pub fn refresh_camera_gauges(cameras: &CameraRegistry) {
    for id in cameras.ids() {
        if let Some(feed) = cameras.feed(id) {
            let camera = id.to_string();
            let status = feed.status();
            if let Some(age) = status.last_frame_age_ms {
                metrics::gauge!("vistter_camera_last_frame_age_seconds", "camera" => camera.clone()).set(age as f64 / 1000.0);
            }
            metrics::gauge!("vistter_camera_subscribers", "camera" => camera)
                .set(feed.subscriber_count() as f64);
        }
    }
}
