//! `/api/v1/cameras`: camera records (CAM-1), connection tests (CAM-2), live snapshots
//! (CAM-4) and health (CAM-6).

use std::time::{Duration, Instant};

use actix_web::{HttpResponse, delete, get, patch, post, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use vistterstream_actors::camera::{self as cam, CameraStatus};
use vistterstream_actors::media::snapshot::{self, Jpeg, SnapshotError};

use super::error::{ApiError, Problem};
use super::json::ValidJson;
use crate::app::AppState;
use crate::auth::{AsOperator, Principal};
use crate::domain::camera::{
    CameraInput, CameraKind, PtzQuirk, ValidCamera, Vendor, rtsp_url, validate,
};
use crate::store::{
    audit,
    cameras::{self, CameraRow, CameraWrite},
};

type State = web::Data<AppState>;

/// Live health of a camera's ingest.
#[derive(Serialize, ToSchema)]
pub struct CameraStatusView {
    /// connecting | streaming | stalled | backoff | disabled | error
    #[schema(example = "streaming")]
    pub state: String,
    /// Why the camera is not streaming (auth failure, unreachable, stalled, …).
    pub reason: Option<String>,
    pub last_frame_age_ms: Option<u64>,
    pub fps: f64,
    pub bitrate_bps: u64,
    pub codec: Option<String>,
    pub profile: Option<String>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub audio_codec: Option<String>,
    pub reconnects: u64,
    pub uptime_s: Option<u64>,
    pub frames_total: u64,
}

impl From<CameraStatus> for CameraStatusView {
    fn from(s: CameraStatus) -> Self {
        Self {
            state: s.state.as_str().to_string(),
            reason: s.reason,
            last_frame_age_ms: s.last_frame_age_ms,
            fps: s.fps,
            bitrate_bps: s.bitrate_bps,
            codec: s.codec,
            profile: s.profile,
            width: s.width,
            height: s.height,
            audio_codec: s.audio_codec,
            reconnects: s.reconnects,
            uptime_s: s.uptime_s,
            frames_total: s.frames_total,
        }
    }
}

/// A camera as the API returns it. The password is never returned: `has_password` says
/// whether one is stored.
#[derive(Serialize, ToSchema)]
pub struct CameraView {
    pub id: i64,
    pub name: String,
    pub kind: CameraKind,
    pub vendor: Vendor,
    /// The stream URL without credentials.
    pub rtsp_url: String,
    pub host: String,
    pub port: u16,
    pub path: String,
    pub username: Option<String>,
    pub has_password: bool,
    pub onvif_port: Option<u16>,
    pub onvif_profile: Option<String>,
    pub ptz_quirks: Vec<PtzQuirk>,
    pub snapshot_url: Option<String>,
    pub enabled: bool,
    pub created_at: String,
    pub updated_at: String,
    pub status: CameraStatusView,
}

pub fn status_of(state: &AppState, row: &CameraRow) -> CameraStatus {
    if !row.enabled {
        return CameraStatus::disabled();
    }
    state
        .runtime
        .cameras
        .get(row.id)
        .map(|feed| feed.status())
        .unwrap_or_else(|| CameraStatus::new(cam::CameraState::Connecting))
}

fn view(state: &AppState, row: CameraRow) -> CameraView {
    let status = status_of(state, &row).into();
    CameraView {
        rtsp_url: rtsp_url(&row.scheme, &row.host, row.port as u16, &row.path),
        id: row.id,
        name: row.name,
        kind: CameraKind::parse(&row.kind),
        vendor: Vendor::parse(&row.vendor),
        host: row.host,
        port: row.port as u16,
        path: row.path,
        username: row.username,
        has_password: row.password_enc.is_some(),
        onvif_port: row.onvif_port.map(|p| p as u16),
        ptz_quirks: PtzQuirk::parse_list(&row.ptz_quirks),
        onvif_profile: row.onvif_profile,
        snapshot_url: row.snapshot_url,
        enabled: row.enabled,
        created_at: row.created_at,
        updated_at: row.updated_at,
        status,
    }
}

async fn load(state: &AppState, id: i64) -> Result<CameraRow, ApiError> {
    cameras::get(&state.pool, id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("camera {id} does not exist")))
}

fn to_write(
    state: &AppState,
    c: &ValidCamera,
    stored_password: Option<Vec<u8>>,
) -> Result<CameraWrite, ApiError> {
    let password_enc = state
        .reseal(c.password.as_deref(), stored_password)
        .map_err(|e| ApiError::Internal(e.into()))?;
    Ok(CameraWrite {
        name: c.name.clone(),
        kind: c.kind.as_str().into(),
        vendor: c.vendor.as_str().into(),
        scheme: c.scheme.clone(),
        host: c.host.clone(),
        port: c.port,
        path: c.path.clone(),
        username: c.username.clone(),
        password_enc,
        onvif_port: c.onvif_port,
        onvif_profile: c.onvif_profile.clone(),
        ptz_quirks: PtzQuirk::join(&c.ptz_quirks),
        snapshot_url: c.snapshot_url.clone(),
        enabled: c.enabled,
    })
}

/// What changed, for the audit log (never secrets).
fn audit_detail(c: &ValidCamera) -> serde_json::Value {
    serde_json::json!({
        "name": c.name,
        "url": rtsp_url(&c.scheme, &c.host, c.port, &c.path),
        "enabled": c.enabled,
        "password_changed": c.password.is_some(),
    })
}

#[utoipa::path(
    tag = "cameras",
    responses((status = 200, body = [CameraView]), (status = 401, body = Problem)),
    security(("bearer" = []), ("cookie" = []))
)]
#[get("/cameras")]
pub async fn list(state: State, _who: Principal) -> Result<web::Json<Vec<CameraView>>, ApiError> {
    let rows = cameras::list(&state.pool).await?;
    Ok(web::Json(
        rows.into_iter().map(|r| view(&state, r)).collect(),
    ))
}

#[utoipa::path(
    tag = "cameras",
    params(("id" = i64, Path, description = "camera id")),
    responses((status = 200, body = CameraView), (status = 404, body = Problem)),
    security(("bearer" = []), ("cookie" = []))
)]
#[get("/cameras/{id}")]
pub async fn get_one(
    state: State,
    _who: Principal,
    id: web::Path<i64>,
) -> Result<web::Json<CameraView>, ApiError> {
    let row = load(&state, *id).await?;
    Ok(web::Json(view(&state, row)))
}

#[utoipa::path(
    tag = "cameras",
    request_body = CameraInput,
    responses(
        (status = 201, body = CameraView),
        (status = 400, body = Problem), (status = 403, body = Problem),
        (status = 413, body = Problem), (status = 422, body = Problem)
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[post("/cameras")]
pub async fn create(
    state: State,
    who: AsOperator,
    body: ValidJson<CameraInput>,
) -> Result<HttpResponse, ApiError> {
    let valid = validate(&body.0).map_err(ApiError::Validation)?;
    let write = to_write(&state, &valid, None)?;
    let row = cameras::insert(&state.pool, &write).await?;
    // The runtime follows the stored row at once, whatever happens to the audit write.
    state.apply_camera(&row)?;
    audit::record(
        &state.pool,
        who.audit_user(),
        "camera.create",
        Some(format!("camera:{}", row.id)),
        Some(audit_detail(&valid)),
    )
    .await?;
    tracing::info!(camera = row.id, name = %row.name, url = %rtsp_url(&row.scheme, &row.host, row.port as u16, &row.path), "camera created");
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/cameras/{}", row.id)))
        .json(view(&state, row)))
}

/// Partial update. Absent fields keep their value; `null` clears optional ones
/// (`username`, `password`, `onvif_port`, `snapshot_url`). Giving `rtsp_url` replaces
/// host, port and path.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CameraPatch {
    pub name: Option<String>,
    pub kind: Option<CameraKind>,
    pub vendor: Option<Vendor>,
    pub rtsp_url: Option<String>,
    pub host: Option<String>,
    #[schema(minimum = 1, maximum = 65535)]
    pub port: Option<u16>,
    pub path: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    pub username: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(write_only)]
    pub password: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    pub onvif_port: Option<Option<u16>>,
    #[serde(default, deserialize_with = "double_option")]
    pub onvif_profile: Option<Option<String>>,
    pub ptz_quirks: Option<Vec<PtzQuirk>>,
    #[serde(default, deserialize_with = "double_option")]
    pub snapshot_url: Option<Option<String>>,
    pub enabled: Option<bool>,
}

/// Distinguish an absent field (`None`) from an explicit `null` (`Some(None)`).
pub(crate) fn double_option<'de, T: Deserialize<'de>, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// The stored camera with the patch applied. A patch with `rtsp_url` drops the stored
/// location; if it also gives host/port/path, validation reports the conflict.
fn merge(row: &CameraRow, patch: CameraPatch) -> CameraInput {
    let url_given = patch.rtsp_url.is_some();
    let url_has_user = patch
        .rtsp_url
        .as_deref()
        .and_then(|u| url::Url::parse(u.trim()).ok())
        .is_some_and(|u| !u.username().is_empty());
    CameraInput {
        name: patch.name.unwrap_or_else(|| row.name.clone()),
        kind: patch.kind.unwrap_or(CameraKind::parse(&row.kind)),
        vendor: patch.vendor.unwrap_or(Vendor::parse(&row.vendor)),
        rtsp_url: patch.rtsp_url,
        host: if url_given {
            patch.host
        } else {
            Some(patch.host.unwrap_or_else(|| row.host.clone()))
        },
        port: if url_given {
            patch.port
        } else {
            Some(patch.port.unwrap_or(row.port as u16))
        },
        path: if url_given {
            patch.path
        } else {
            Some(patch.path.unwrap_or_else(|| row.path.clone()))
        },
        // A new URL that carries its own user replaces the stored one (with its password).
        username: match patch.username {
            Some(u) => u,
            None if url_has_user => None,
            None => row.username.clone(),
        },
        // `None` keeps the sealed password; `Some("")` clears it.
        password: patch.password.map(|p| p.unwrap_or_default()),
        onvif_port: match patch.onvif_port {
            Some(p) => p,
            None => row.onvif_port.map(|p| p as u16),
        },
        onvif_profile: match patch.onvif_profile {
            Some(p) => p,
            None => row.onvif_profile.clone(),
        },
        ptz_quirks: patch
            .ptz_quirks
            .unwrap_or_else(|| PtzQuirk::parse_list(&row.ptz_quirks)),
        snapshot_url: match patch.snapshot_url {
            Some(s) => s,
            None => row.snapshot_url.clone(),
        },
        enabled: Some(patch.enabled.unwrap_or(row.enabled)),
    }
}

#[utoipa::path(
    tag = "cameras",
    params(("id" = i64, Path, description = "camera id")),
    request_body = CameraPatch,
    responses((status = 200, body = CameraView), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = []), ("cookie" = []))
)]
#[patch("/cameras/{id}")]
pub async fn update(
    state: State,
    who: AsOperator,
    id: web::Path<i64>,
    body: ValidJson<CameraPatch>,
) -> Result<web::Json<CameraView>, ApiError> {
    let row = load(&state, *id).await?;
    let input = merge(&row, body.0);
    let valid = validate(&input).map_err(ApiError::Validation)?;
    let write = to_write(&state, &valid, row.password_enc.clone())?;
    let row = cameras::update(&state.pool, row.id, &write)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("camera {id} does not exist")))?;
    // The runtime follows the stored row at once, whatever happens to the audit write.
    state.apply_camera(&row)?;
    audit::record(
        &state.pool,
        who.audit_user(),
        "camera.update",
        Some(format!("camera:{}", row.id)),
        Some(audit_detail(&valid)),
    )
    .await?;
    Ok(web::Json(view(&state, row)))
}

#[utoipa::path(
    tag = "cameras",
    params(("id" = i64, Path, description = "camera id")),
    responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem)),
    security(("bearer" = []), ("cookie" = []))
)]
#[delete("/cameras/{id}")]
pub async fn remove(
    state: State,
    who: AsOperator,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let row = load(&state, *id).await?;
    let files = crate::store::snapshots::file_names_for_camera(&state.pool, row.id).await?;
    let thumbnails: Vec<String> = crate::store::presets::list(&state.pool, row.id)
        .await?
        .into_iter()
        .filter_map(|p| p.thumbnail)
        .collect();
    let on_air = crate::store::outputs::with_camera_on_air(&state.pool, row.id).await?;
    if !cameras::delete(&state.pool, row.id).await? {
        return Err(ApiError::NotFound(format!("camera {id} does not exist")));
    }
    state.remove_camera(row.id);
    // Outputs that had it on air go to the slate (a relay, with nothing left to copy, stops);
    // outputs that kept it decoded on standby forget it. Running ones change at once.
    let mut touched = crate::store::outputs::forget_camera(&state.pool, row.id).await?;
    touched.extend(on_air.iter().copied());
    touched.sort_unstable();
    touched.dedup();
    for output_id in touched {
        let _guard = state.lock_output(output_id).await;
        let Some(mut o) = crate::store::outputs::get(&state.pool, output_id).await? else {
            continue;
        };
        if o.mode == "relay" && o.running && on_air.contains(&output_id) {
            if let Some(stopped) =
                crate::store::outputs::set_running(&state.pool, output_id, false).await?
            {
                o = stopped;
            }
            state.apply_output(&o).await.map_err(ApiError::Internal)?;
        } else if o.running {
            state.apply_output(&o).await.map_err(ApiError::Internal)?;
        }
    }
    super::snapshots::remove_files(&state, files).await;
    super::ptz::remove_thumbnails(&state, thumbnails).await;
    audit::record(
        &state.pool,
        who.audit_user(),
        "camera.delete",
        Some(format!("camera:{}", row.id)),
        Some(serde_json::json!({"name": row.name})),
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Outcome of a connection test. A failed test is a normal answer (200), with the cause.
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

async fn run_test(state: &AppState, spec: cam::CameraSpec) -> TestResult {
    let timeout = Duration::from_secs(state.config.cameras.test_timeout_secs.max(1));
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

/// Test an unsaved camera form: RTSP DESCRIBE/SETUP/PLAY and the first keyframe.
#[utoipa::path(
    tag = "cameras",
    request_body = CameraInput,
    responses((status = 200, body = TestResult), (status = 422, body = Problem)),
    security(("bearer" = []), ("cookie" = []))
)]
#[post("/cameras/test")]
pub async fn test_unsaved(
    state: State,
    _who: AsOperator,
    body: ValidJson<CameraInput>,
) -> Result<web::Json<TestResult>, ApiError> {
    let valid = validate(&body.0).map_err(ApiError::Validation)?;
    let row = CameraRow {
        id: 0,
        name: valid.name.clone(),
        kind: valid.kind.as_str().into(),
        vendor: valid.vendor.as_str().into(),
        scheme: valid.scheme.clone(),
        host: valid.host.clone(),
        port: i64::from(valid.port),
        path: valid.path.clone(),
        username: valid.username.clone(),
        password_enc: None,
        onvif_port: None,
        snapshot_url: None,
        enabled: true,
        onvif_profile: None,
        ptz_quirks: String::new(),
        created_at: String::new(),
        updated_at: String::new(),
    };
    let mut spec = state.camera_spec(&row)?;
    spec.password = valid.password.clone().filter(|p| !p.is_empty());
    Ok(web::Json(run_test(&state, spec).await))
}

/// Test a saved camera with its stored credentials.
#[utoipa::path(
    tag = "cameras",
    params(("id" = i64, Path, description = "camera id")),
    responses((status = 200, body = TestResult), (status = 404, body = Problem)),
    security(("bearer" = []), ("cookie" = []))
)]
#[post("/cameras/{id}/test")]
pub async fn test_saved(
    state: State,
    _who: AsOperator,
    id: web::Path<i64>,
) -> Result<web::Json<TestResult>, ApiError> {
    let row = load(&state, *id).await?;
    // A camera that is streaming answers from its running session: a second RTSP session
    // could be refused by cameras with few session slots, or push the main one out.
    if let Some(result) = test_from_feed(&state, &row) {
        return Ok(web::Json(result));
    }
    let spec = state.camera_spec(&row)?;
    Ok(web::Json(run_test(&state, spec).await))
}

fn test_from_feed(state: &AppState, row: &CameraRow) -> Option<TestResult> {
    let feed = state.runtime.cameras.get(row.id)?;
    if feed.status().state != cam::CameraState::Streaming {
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

/// Where a snapshot comes from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SnapshotSource {
    /// The stream's picture when the camera streams, else its HTTP snapshot URL if set.
    #[default]
    Auto,
    /// Decode the latest picture of the RTSP stream.
    Stream,
    /// The camera's own HTTP snapshot URL (Digest or Basic authentication).
    Http,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SnapshotQuery {
    /// auto (default) | stream | http
    pub source: Option<SnapshotSource>,
}

/// The current picture and where it came from (`stream` or `http`).
pub async fn current_jpeg(
    state: &AppState,
    row: &CameraRow,
    source: SnapshotSource,
) -> Result<(Jpeg, &'static str), ApiError> {
    let has_picture = state
        .runtime
        .cameras
        .get(row.id)
        .is_some_and(|f| !f.gop().is_empty());
    let use_http = match source {
        SnapshotSource::Http => true,
        SnapshotSource::Stream => false,
        SnapshotSource::Auto => !has_picture && row.snapshot_url.is_some(),
    };
    if use_http {
        Ok((http_jpeg(state, row).await?, "http"))
    } else {
        Ok((stream_jpeg(state, row).await?, "stream"))
    }
}

async fn http_jpeg(state: &AppState, row: &CameraRow) -> Result<Jpeg, ApiError> {
    let raw = row.snapshot_url.as_deref().ok_or_else(|| {
        ApiError::field("source", format!("camera {} has no snapshot_url", row.id))
    })?;
    let url = url::Url::parse(raw).map_err(|e| {
        ApiError::Internal(anyhow::anyhow!(
            "camera {}: stored snapshot URL: {e}",
            row.id
        ))
    })?;
    let password = row
        .password_enc
        .as_deref()
        .map(|sealed| state.secrets.open(sealed))
        .transpose()
        .map_err(|e| {
            ApiError::Internal(
                anyhow::Error::new(e).context(format!("camera {}: unsealing its password", row.id)),
            )
        })?;
    let credentials = row
        .username
        .as_deref()
        .map(|u| (u, password.as_deref().unwrap_or("")));
    let timeout = Duration::from_secs(state.config.cameras.test_timeout_secs.max(1));
    cam::http_snapshot::fetch(&state.http, &url, credentials, timeout)
        .await
        .map_err(|e| {
            tracing::warn!(camera = row.id, error = %e, "HTTP snapshot failed");
            ApiError::Unavailable(format!("camera {}: {e}", row.id))
        })
}

/// The current picture, decoded from the camera's stream (cached briefly).
async fn stream_jpeg(state: &AppState, row: &CameraRow) -> Result<Jpeg, ApiError> {
    let max_age = Duration::from_millis(state.config.snapshots.cache_ms);
    if let Some((at, jpeg)) = state
        .snapshot_cache
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(&row.id)
        && at.elapsed() <= max_age
    {
        return Ok(jpeg.clone());
    }
    let status = status_of(state, row);
    let feed = state.runtime.cameras.get(row.id);
    let gop = feed.map(|f| f.gop()).unwrap_or_default();
    if gop.is_empty() {
        return Err(ApiError::Unavailable(format!(
            "camera {} has no picture yet (state {}{})",
            row.id,
            status.state.as_str(),
            status.reason.map(|r| format!(": {r}")).unwrap_or_default()
        )));
    }
    let quality = state.config.snapshots.jpeg_quality.clamp(10, 100);
    let jpeg = web::block(move || snapshot::encode_latest(&gop, quality, Duration::from_secs(5)))
        .await
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("snapshot worker: {e}")))?
        .map_err(|e| match e {
            SnapshotError::NoPicture => {
                ApiError::Unavailable(format!("camera {} has no picture yet", row.id))
            }
            other => ApiError::Internal(
                anyhow::Error::new(other).context(format!("camera {}: snapshot", row.id)),
            ),
        })?;
    state
        .snapshot_cache
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(row.id, (Instant::now(), jpeg.clone()));
    Ok(jpeg)
}

#[utoipa::path(
    tag = "cameras",
    params(("id" = i64, Path, description = "camera id"), SnapshotQuery),
    responses(
        (status = 200, content_type = "image/jpeg", description = "JPEG of the live picture; header X-Snapshot-Source says stream or http"),
        (status = 404, body = Problem), (status = 503, body = Problem, description = "no picture yet")
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[get("/cameras/{id}/snapshot")]
pub async fn live_snapshot(
    state: State,
    _who: Principal,
    id: web::Path<i64>,
    query: web::Query<SnapshotQuery>,
) -> Result<HttpResponse, ApiError> {
    let row = load(&state, *id).await?;
    let (jpeg, source) = current_jpeg(&state, &row, query.source.unwrap_or_default()).await?;
    Ok(HttpResponse::Ok()
        .content_type("image/jpeg")
        .insert_header(("Cache-Control", "no-store"))
        .insert_header(("X-Image-Width", jpeg.width.to_string()))
        .insert_header(("X-Image-Height", jpeg.height.to_string()))
        .insert_header(("X-Snapshot-Source", source))
        .body(jpeg.data))
}
