//! Connection test (CAM-2): open a session, wait for the first keyframe, report what the
//! camera sends, and hang up. Used for saved cameras and for unsaved forms alike.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use retina::client::SessionGroup;
use retina::codec::CodecItem;
use serde::Serialize;

use super::session::{self, SessionError};
use super::spec::CameraSpec;

#[derive(Clone, Debug, Serialize)]
pub struct ProbeReport {
    pub codec: String,
    pub profile: Option<String>,
    pub rfc6381: String,
    pub width: u32,
    pub height: u32,
    pub fps: Option<f64>,
    pub audio_codec: Option<String>,
    pub audio_sample_rate: Option<u32>,
    pub audio_channels: Option<u16>,
    /// From the start of the test to the first keyframe.
    pub first_keyframe_ms: u64,
}

/// Probe `spec` within `timeout` (connection and first keyframe together).
pub async fn probe(spec: &CameraSpec, timeout: Duration) -> Result<ProbeReport, SessionError> {
    let started = Instant::now();
    let group = Arc::new(SessionGroup::default());
    let result = tokio::time::timeout(timeout, async {
        let mut opened = session::open(spec, group.clone(), timeout).await?;
        loop {
            match opened.demuxed.next().await {
                None => return Err(SessionError::Ended),
                Some(Err(e)) => {
                    return Err(SessionError::Protocol(
                        e.to_string().lines().next().unwrap_or("").to_string(),
                    ));
                }
                Some(Ok(CodecItem::VideoFrame(v))) if v.is_random_access_point() => {
                    let params = session::stream_params(&opened).ok_or_else(|| {
                        SessionError::Protocol("keyframe without decoder parameters".into())
                    })?;
                    let elapsed = started.elapsed().as_millis() as u64;
                    return Ok(ProbeReport {
                        codec: params.video.codec.as_str().to_string(),
                        profile: params.video.profile().map(str::to_string),
                        rfc6381: params.video.rfc6381.clone(),
                        width: params.video.width,
                        height: params.video.height,
                        fps: params.video.fps,
                        audio_codec: params.audio.as_ref().map(|a| a.codec.clone()),
                        audio_sample_rate: params.audio.as_ref().map(|a| a.sample_rate),
                        audio_channels: params.audio.as_ref().map(|a| a.channels),
                        first_keyframe_ms: elapsed,
                    });
                }
                Some(Ok(_)) => {}
            }
        }
    })
    .await;
    let report = match result {
        Ok(r) => r,
        Err(_) => Err(SessionError::Timeout(format!(
            "no keyframe from {} within {timeout:?}",
            spec.url
        ))),
    };
    // The session was dropped above; wait (briefly) for its TEARDOWN so the camera does not
    // keep a stale session slot.
    let _ = tokio::time::timeout(Duration::from_secs(2), group.await_teardown()).await;
    report
}
