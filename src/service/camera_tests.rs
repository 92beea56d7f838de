//! Connection tests (CAM-2): RTSP DESCRIBE/SETUP/PLAY and the first keyframe, for a saved
//! camera (answered from its running session when it streams) or an unsaved form.

use std::time::Duration;

use serde::Serialize;
use utoipa::ToSchema;
use vistterstream_actors::camera::{self as cam, CameraSpec};
use vistterstream_actors::state::CameraState;

use super::camera_runtime;
use super::context::Context;
use super::error::{Result, ServiceError};
use super::lookup;
use crate::domain::camera::{CameraInput, validate};

/// Outcome of a connection test. A failed test is a normal answer, with the cause.
#[derive(Serialize, ToSchema)]
pub struct TestResult {
    pub ok: bool,
    /// What the camera sends (when ok).
    pub codec: Option<String>,
    pub profile: Option<String>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub fps: Option<f64>,
    pub audio_codec: Option<String>,
    /// Time to the first keyframe of a fresh session; absent when a streaming camera answered
    /// from its running session.
    pub first_keyframe_ms: Option<u64>,
    /// auth | not_found | unreachable | timeout | unsupported_codec | protocol | ended
    pub error_kind: Option<String>,
    pub error: Option<String>,
}

async fn run(ctx: &Context, spec: CameraSpec) -> TestResult {
    let timeout = Duration::from_secs(ctx.config.cameras.test_timeout_secs.max(1));
    match cam::probe(&spec, timeout).await {
        Ok(r) => TestResult {
            ok: true,
            codec: Some(r.codec),
            profile: r.profile,
            width: Some(r.width),
            height: Some(r.height),
            fps: r.fps,
            audio_codec: r.audio_codec,
            first_keyframe_ms: Some(r.first_keyframe_ms),
            error_kind: None,
            error: None,
        },
        Err(e) => TestResult {
            ok: false,
            codec: None,
            profile: None,
            width: None,
            height: None,
            fps: None,
            audio_codec: None,
            first_keyframe_ms: None,
            error_kind: Some(e.kind().to_string()),
            error: Some(e.to_string()),
        },
    }
}

/// Test an unsaved camera form.
pub async fn test_unsaved(ctx: &Context, input: CameraInput) -> Result<TestResult> {
    let valid = validate(&input).map_err(ServiceError::Invalid)?;
    let spec = camera_runtime::spec_for(
        ctx,
        0,
        &valid.name,
        &valid.location,
        valid.username.clone(),
        valid.password.clone().filter(|p| !p.is_empty()),
    )?;
    Ok(run(ctx, spec).await)
}

/// Test a saved camera with its stored credentials. A camera that is streaming answers
/// from its running session: a second RTSP session could be refused by cameras with few
/// session slots, or push the main one out.
pub async fn test_saved(ctx: &Context, id: i64) -> Result<TestResult> {
    let row = lookup::camera(ctx, id).await?;
    if let Some(result) = from_feed(ctx, id) {
        return Ok(result);
    }
    let spec = camera_runtime::camera_spec(ctx, &row)?;
    Ok(run(ctx, spec).await)
}

fn from_feed(ctx: &Context, id: i64) -> Option<TestResult> {
    let feed = ctx.runtime.camera_registry.feed(id)?;
    if feed.status().state != CameraState::Streaming {
        return None;
    }
    let params = feed.gop().first()?.params.clone();
    Some(TestResult {
        ok: true,
        codec: Some(params.video.codec.as_str().to_string()),
        profile: params.video.profile().map(str::to_string),
        width: Some(params.video.width),
        height: Some(params.video.height),
        fps: params.video.fps,
        audio_codec: params.audio.as_ref().map(|a| a.codec.clone()),
        first_keyframe_ms: None,
        error_kind: None,
        error: None,
    })
}
