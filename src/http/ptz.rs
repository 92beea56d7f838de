//! PTZ control (PTZ-2), presets (PTZ-3) and settled moves (PTZ-4) over the camera's PtzActor.
//!
//! Presets are stored with the camera's own token and, when the camera reports positions,
//! their coordinates; a recall moves to the coordinates when it can and falls back to the
//! token (decision 0006). A thumbnail is taken after the head has settled.

use std::time::Duration;

use actix_web::{HttpResponse, delete, get, patch, post, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use vistterstream_actors::ptz::{
    self as ptz, MoveOutcome, PtzHandle, PtzReading, PtzState, PtzVector,
};

use super::error::{ApiError, Problem};
use super::json::ValidJson;
use crate::app::AppState;
use crate::auth::{AsOperator, Principal};
use crate::domain::Validation;
use crate::domain::camera::CameraKind;
use crate::domain::preset::{
    Coordinates, MoveRequest, PositionRequest, PresetExportItem, validate_move, validate_name,
    validate_position, validate_token, validate_translation,
};
use crate::store::audit;
use crate::store::cameras::{self, CameraRow};
use crate::store::presets::{self, PresetRow, PresetWrite};

type State = web::Data<AppState>;

/// Why a camera has no running PTZ actor, as the error the client gets.
fn not_ptz(row: &CameraRow) -> ApiError {
    if CameraKind::parse(&row.kind) != CameraKind::Ptz {
        ApiError::Conflict(format!(
            "camera {} is a fixed camera; PTZ needs a camera of kind \"ptz\"",
            row.id
        ))
    } else if !row.enabled {
        ApiError::Conflict(format!("camera {} is disabled", row.id))
    } else {
        ApiError::Unavailable(format!("PTZ for camera {} is starting", row.id))
    }
}

async fn camera_row(state: &AppState, camera_id: i64) -> Result<CameraRow, ApiError> {
    cameras::get(&state.pool, camera_id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("camera {camera_id} does not exist")))
}

/// A camera's running PTZ actor. The registry holds exactly the enabled PTZ cameras, so a
/// command (a joystick sends 50 a second) needs no database read; the camera row is read
/// only to explain a miss.
async fn ptz_handle(state: &AppState, camera_id: i64) -> Result<PtzHandle, ApiError> {
    match state.runtime.ptz_registry.get(camera_id) {
        Some(handle) => Ok(handle),
        None => Err(not_ptz(&camera_row(state, camera_id).await?)),
    }
}

/// A PTZ camera's row (for thumbnails) and its running actor.
async fn ptz_camera(state: &AppState, camera_id: i64) -> Result<(CameraRow, PtzHandle), ApiError> {
    let row = camera_row(state, camera_id).await?;
    match state.runtime.ptz_registry.get(camera_id) {
        Some(handle) if CameraKind::parse(&row.kind) == CameraKind::Ptz && row.enabled => {
            Ok((row, handle))
        }
        _ => Err(not_ptz(&row)),
    }
}

async fn ask<M>(handle: &PtzHandle, msg: M) -> Result<M::Result, ApiError>
where
    M: actix::Message + Send + 'static,
    M::Result: Send,
    ptz::PtzActor: actix::Handler<M>,
{
    handle
        .addr
        .send(msg)
        .await
        .map_err(|_| ApiError::Unavailable("the PTZ actor is restarting; retry".into()))
}

fn vector(p: [f32; 3]) -> PtzVector {
    PtzVector::new(p[0], p[1], p[2])
}

// ---- control --------------------------------------------------------------------------------

#[derive(Serialize, ToSchema)]
pub struct MoveAcceptedView {
    /// This update replaced one not yet sent to the camera (joystick bursts).
    pub coalesced: bool,
    pub stops_after_ms: u64,
}

/// Continuous move; answers at once (202) and stops by itself after `timeout_ms`.
#[utoipa::path(
    tag = "ptz",
    params(("id" = i64, Path, description = "camera id")),
    request_body = MoveRequest,
    responses((status = 202, body = MoveAcceptedView), (status = 409, body = Problem),
              (status = 422, body = Problem), (status = 503, body = Problem)),
    security(("bearer" = []), ("cookie" = []))
)]
#[post("/cameras/{id}/ptz/move")]
pub async fn move_continuous(
    state: State,
    _who: AsOperator,
    path: web::Path<i64>,
    body: ValidJson<MoveRequest>,
) -> Result<HttpResponse, ApiError> {
    let (speeds, timeout) = validate_move(&body.0).map_err(ApiError::Validation)?;
    let handle = ptz_handle(&state, path.into_inner()).await?;
    let accepted = ask(
        &handle,
        ptz::Move {
            velocity: vector(speeds),
            timeout,
        },
    )
    .await??;
    Ok(HttpResponse::Accepted().json(MoveAcceptedView {
        coalesced: accepted.coalesced,
        stops_after_ms: accepted.stops_after_ms,
    }))
}

#[utoipa::path(
    tag = "ptz",
    params(("id" = i64, Path, description = "camera id")),
    responses((status = 204), (status = 409, body = Problem), (status = 503, body = Problem)),
    security(("bearer" = []), ("cookie" = []))
)]
#[post("/cameras/{id}/ptz/stop")]
pub async fn stop(
    state: State,
    _who: AsOperator,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let handle = ptz_handle(&state, path.into_inner()).await?;
    ask(&handle, ptz::Stop).await??;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Serialize, ToSchema)]
pub struct MoveOutcomeView {
    /// absolute | relative | preset_token
    pub method: Option<String>,
    /// The head reported settled (idle, or still across two polls) within the bound.
    pub settled: bool,
    pub timed_out: bool,
    /// Where it ended, when the camera reports positions.
    pub position: Option<Coordinates>,
    pub elapsed_ms: u64,
}

fn coordinates(v: PtzVector) -> Coordinates {
    // f32 → f64 through the shortest decimal, so 0.3 reads 0.3 and not 0.30000001.
    let f = |x: f32| x.to_string().parse::<f64>().unwrap_or(f64::from(x));
    Coordinates {
        pan: f(v.pan),
        tilt: f(v.tilt),
        zoom: f(v.zoom),
    }
}

impl From<MoveOutcome> for MoveOutcomeView {
    fn from(o: MoveOutcome) -> Self {
        Self {
            method: o.method.map(str::to_string),
            settled: o.settled,
            timed_out: o.timed_out,
            position: o.position.map(coordinates),
            elapsed_ms: o.elapsed_ms,
        }
    }
}

#[utoipa::path(
    tag = "ptz",
    params(("id" = i64, Path, description = "camera id")),
    request_body = PositionRequest,
    responses((status = 200, body = MoveOutcomeView), (status = 409, body = Problem),
              (status = 422, body = Problem), (status = 502, body = Problem), (status = 503, body = Problem)),
    security(("bearer" = []), ("cookie" = []))
)]
#[post("/cameras/{id}/ptz/absolute")]
pub async fn absolute(
    state: State,
    _who: AsOperator,
    path: web::Path<i64>,
    body: ValidJson<PositionRequest>,
) -> Result<web::Json<MoveOutcomeView>, ApiError> {
    position_move(&state, path.into_inner(), body.0, false).await
}

#[utoipa::path(
    tag = "ptz",
    params(("id" = i64, Path, description = "camera id")),
    request_body = PositionRequest,
    responses((status = 200, body = MoveOutcomeView), (status = 409, body = Problem),
              (status = 422, body = Problem), (status = 502, body = Problem), (status = 503, body = Problem)),
    security(("bearer" = []), ("cookie" = []))
)]
#[post("/cameras/{id}/ptz/relative")]
pub async fn relative(
    state: State,
    _who: AsOperator,
    path: web::Path<i64>,
    body: ValidJson<PositionRequest>,
) -> Result<web::Json<MoveOutcomeView>, ApiError> {
    position_move(&state, path.into_inner(), body.0, true).await
}

/// An absolute move to a position, or a relative one by a translation.
async fn position_move(
    state: &AppState,
    camera_id: i64,
    body: PositionRequest,
    by_translation: bool,
) -> Result<web::Json<MoveOutcomeView>, ApiError> {
    let c = Coordinates {
        pan: body.pan,
        tilt: body.tilt,
        zoom: body.zoom,
    };
    let v = if by_translation {
        validate_translation(&c)
    } else {
        validate_position("", &c)
    }
    .map_err(ApiError::Validation)?;
    let handle = ptz_handle(state, camera_id).await?;
    let wait = body.wait.unwrap_or(true);
    let outcome = if by_translation {
        ask(
            &handle,
            ptz::RelativeMove {
                translation: vector(v),
                wait,
            },
        )
        .await??
    } else {
        ask(
            &handle,
            ptz::AbsoluteMove {
                position: vector(v),
                wait,
            },
        )
        .await??
    };
    Ok(web::Json(outcome.into()))
}

#[derive(Serialize, ToSchema)]
pub struct DeviceView {
    pub device_url: String,
    pub ptz_url: String,
    pub profile_token: String,
    pub manufacturer: String,
    pub model: String,
    pub firmware: String,
    /// Camera clock minus the appliance's, applied to WS-Security timestamps.
    pub clock_offset_s: i64,
}

#[derive(Serialize, ToSchema)]
pub struct PtzStatusView {
    /// connecting | up | down
    pub state: String,
    pub reason: Option<String>,
    pub since: String,
    pub reconnects: u64,
    pub device: Option<DeviceView>,
    pub reports_position: Option<bool>,
    /// From a fresh GetStatus when the camera is up, else the last one.
    pub position: Option<Coordinates>,
    /// idle | moving | unknown
    pub pan_tilt: Option<String>,
    pub zoom: Option<String>,
}

fn move_state(s: ptz::MoveState) -> String {
    match s {
        ptz::MoveState::Idle => "idle",
        ptz::MoveState::Moving => "moving",
        ptz::MoveState::Unknown => "unknown",
    }
    .into()
}

/// Connection state, device, position and move state.
#[utoipa::path(
    tag = "ptz",
    params(("id" = i64, Path, description = "camera id")),
    responses((status = 200, body = PtzStatusView), (status = 404, body = Problem), (status = 409, body = Problem)),
    security(("bearer" = []), ("cookie" = []))
)]
#[get("/cameras/{id}/ptz/status")]
pub async fn status(
    state: State,
    _who: Principal,
    path: web::Path<i64>,
) -> Result<web::Json<PtzStatusView>, ApiError> {
    let handle = ptz_handle(&state, path.into_inner()).await?;
    let mut reading: Option<PtzReading> = None;
    let mut error = None;
    if handle.cell.get().state == PtzState::Up {
        match ask(&handle, ptz::ReadStatus).await? {
            Ok(r) => reading = Some(r),
            Err(e) => error = Some(e.to_string()),
        }
    }
    let s = handle.cell.get();
    let reading = reading.or(s.last_reading);
    Ok(web::Json(PtzStatusView {
        state: s.state.as_str().into(),
        reason: error.or(s.reason),
        since: crate::store::timestamp(s.since),
        reconnects: s.reconnects,
        device: s.device.map(|d| DeviceView {
            device_url: d.device_url,
            ptz_url: d.ptz_url,
            profile_token: d.profile_token,
            manufacturer: d.manufacturer,
            model: d.model,
            firmware: d.firmware,
            clock_offset_s: d.clock_offset_s,
        }),
        reports_position: s.reports_position,
        position: reading.and_then(|r| r.position).map(coordinates),
        pan_tilt: reading.map(|r| move_state(r.pan_tilt)),
        zoom: reading.map(|r| move_state(r.zoom)),
    }))
}

// ---- presets --------------------------------------------------------------------------------

#[derive(Serialize, ToSchema)]
pub struct PresetView {
    #[serde(flatten)]
    pub preset: PresetRow,
    /// `/api/v1/presets/{id}/thumbnail` when one was taken.
    pub thumbnail_url: Option<String>,
}

fn preset_view(row: PresetRow) -> PresetView {
    PresetView {
        thumbnail_url: row
            .thumbnail
            .as_ref()
            .map(|_| format!("/api/v1/presets/{}/thumbnail", row.id)),
        preset: row,
    }
}

fn position_of(row: &PresetRow) -> Option<PtzVector> {
    match (row.pan, row.tilt, row.zoom) {
        (Some(p), Some(t), Some(z)) => Some(PtzVector::new(p as f32, t as f32, z as f32)),
        _ => None,
    }
}

/// Store a fresh picture of the camera as the preset's thumbnail (best effort: a camera
/// without a picture yet leaves the preset without one).
async fn take_thumbnail(state: &AppState, camera: &CameraRow, preset_id: i64) -> Option<String> {
    state.forget_snapshot(camera.id);
    let jpeg = match super::cameras::current_jpeg(
        state,
        camera,
        super::cameras::SnapshotSource::Auto,
    )
    .await
    {
        Ok((jpeg, _)) => jpeg,
        Err(e) => {
            tracing::warn!(camera = camera.id, preset = preset_id, error = %e, "no preset thumbnail");
            return None;
        }
    };
    let dir = state.presets_dir();
    let file = format!("{preset_id}.jpg");
    let write = async {
        tokio::fs::create_dir_all(&dir).await?;
        let tmp = dir.join(format!(".{file}.tmp"));
        tokio::fs::write(&tmp, jpeg.data.as_ref()).await?;
        tokio::fs::rename(&tmp, dir.join(&file)).await
    };
    if let Err(e) = write.await {
        tracing::warn!(preset = preset_id, dir = %dir.display(), error = %e, "preset thumbnail not written");
        return None;
    }
    match presets::set_thumbnail(&state.pool, preset_id, &file).await {
        Ok(()) => Some(file),
        Err(e) => {
            tracing::warn!(preset = preset_id, error = %e, "preset thumbnail not recorded");
            None
        }
    }
}

pub async fn remove_thumbnails(state: &AppState, files: impl IntoIterator<Item = String>) {
    for f in files {
        if let Err(e) = tokio::fs::remove_file(state.presets_dir().join(&f)).await
            && e.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!(file = %f, error = %e, "could not delete a preset thumbnail");
        }
    }
}

#[utoipa::path(
    tag = "presets",
    params(("id" = i64, Path, description = "camera id")),
    responses((status = 200, body = [PresetView]), (status = 404, body = Problem), (status = 409, body = Problem)),
    security(("bearer" = []), ("cookie" = []))
)]
#[get("/cameras/{id}/presets")]
pub async fn list_presets(
    state: State,
    _who: Principal,
    path: web::Path<i64>,
) -> Result<web::Json<Vec<PresetView>>, ApiError> {
    let id = path.into_inner();
    let row = camera_row(&state, id).await?;
    if CameraKind::parse(&row.kind) != CameraKind::Ptz {
        return Err(ApiError::Conflict(format!(
            "camera {id} is a fixed camera: it has no presets"
        )));
    }
    let rows = presets::list(&state.pool, id).await?;
    Ok(web::Json(rows.into_iter().map(preset_view).collect()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaptureRequest {
    /// 1–50 characters, unique per camera.
    pub name: String,
}

/// Capture the current position as a preset: GetStatus, SetPreset on the camera, store the
/// coordinates (when reported) and the camera's token, then a thumbnail.
#[utoipa::path(
    tag = "presets",
    params(("id" = i64, Path, description = "camera id")),
    request_body = CaptureRequest,
    responses((status = 201, body = PresetView), (status = 409, body = Problem),
              (status = 422, body = Problem), (status = 502, body = Problem), (status = 503, body = Problem)),
    security(("bearer" = []), ("cookie" = []))
)]
#[post("/cameras/{id}/presets")]
pub async fn capture(
    state: State,
    who: AsOperator,
    path: web::Path<i64>,
    body: ValidJson<CaptureRequest>,
) -> Result<HttpResponse, ApiError> {
    let mut v = Validation::default();
    let name = validate_name(&mut v, "name", &body.0.name);
    v.finish(()).map_err(ApiError::Validation)?;
    let (camera, handle) = ptz_camera(&state, path.into_inner()).await?;
    if presets::find_by_name(&state.pool, camera.id, &name)
        .await?
        .is_some()
    {
        return Err(ApiError::Conflict(format!(
            "camera {} already has a preset named {name:?}",
            camera.id
        )));
    }
    let captured = ask(
        &handle,
        ptz::CapturePreset {
            name: name.clone(),
            token: None,
        },
    )
    .await??;
    let write = PresetWrite {
        name,
        position: captured
            .position
            .map(coordinates)
            .map(|c| (c.pan, c.tilt, c.zoom)),
        camera_token: Some(captured.token),
    };
    let row = presets::insert(&state.pool, camera.id, &write).await?;
    let thumbnail = take_thumbnail(&state, &camera, row.id).await;
    let row = PresetRow { thumbnail, ..row };
    audit::record(
        &state.pool,
        who.audit_user(),
        "preset.capture",
        Some(format!("preset:{}", row.id)),
        Some(serde_json::json!({"camera_id": camera.id, "name": row.name})),
    )
    .await?;
    Ok(HttpResponse::Created().json(preset_view(row)))
}

async fn load_preset(state: &AppState, id: i64) -> Result<PresetRow, ApiError> {
    presets::get(&state.pool, id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("preset {id} does not exist")))
}

#[utoipa::path(
    tag = "presets",
    params(("id" = i64, Path, description = "preset id")),
    responses((status = 200, body = PresetView), (status = 404, body = Problem)),
    security(("bearer" = []), ("cookie" = []))
)]
#[get("/presets/{id}")]
pub async fn get_preset(
    state: State,
    _who: Principal,
    path: web::Path<i64>,
) -> Result<web::Json<PresetView>, ApiError> {
    Ok(web::Json(preset_view(
        load_preset(&state, path.into_inner()).await?,
    )))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PresetPatch {
    pub name: Option<String>,
    /// New coordinates (all three axes); stored only, the camera's own preset is unchanged.
    pub position: Option<Coordinates>,
}

/// Rename a preset or correct its coordinates.
#[utoipa::path(
    tag = "presets",
    params(("id" = i64, Path, description = "preset id")),
    request_body = PresetPatch,
    responses((status = 200, body = PresetView), (status = 404, body = Problem),
              (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = []), ("cookie" = []))
)]
#[patch("/presets/{id}")]
pub async fn update_preset(
    state: State,
    who: AsOperator,
    path: web::Path<i64>,
    body: ValidJson<PresetPatch>,
) -> Result<web::Json<PresetView>, ApiError> {
    let row = load_preset(&state, path.into_inner()).await?;
    let mut v = Validation::default();
    let name = match &body.0.name {
        Some(n) => validate_name(&mut v, "name", n),
        None => row.name.clone(),
    };
    let position = match &body.0.position {
        Some(c) => match validate_position("position.", c) {
            Ok(_) => Some((c.pan, c.tilt, c.zoom)),
            Err(errors) => {
                for e in errors {
                    v.error(&e.field, e.message);
                }
                None
            }
        },
        None => row
            .pan
            .zip(row.tilt)
            .zip(row.zoom)
            .map(|((p, t), z)| (p, t, z)),
    };
    v.finish(()).map_err(ApiError::Validation)?;
    if name != row.name
        && presets::find_by_name(&state.pool, row.camera_id, &name)
            .await?
            .is_some()
    {
        return Err(ApiError::Conflict(format!(
            "camera {} already has a preset named {name:?}",
            row.camera_id
        )));
    }
    let updated = presets::update(
        &state.pool,
        row.id,
        &PresetWrite {
            name,
            position,
            camera_token: row.camera_token.clone(),
        },
    )
    .await?
    .ok_or_else(|| ApiError::NotFound(format!("preset {} does not exist", row.id)))?;
    audit::record(
        &state.pool,
        who.audit_user(),
        "preset.update",
        Some(format!("preset:{}", row.id)),
        Some(serde_json::json!({"name": updated.name})),
    )
    .await?;
    Ok(web::Json(preset_view(updated)))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct DeleteQuery {
    /// Delete the stored preset even when the camera cannot remove its own (unreachable).
    #[serde(default)]
    pub force: bool,
}

/// Delete a preset here and on the camera (RemovePreset).
#[utoipa::path(
    tag = "presets",
    params(("id" = i64, Path, description = "preset id"), DeleteQuery),
    responses((status = 204), (status = 404, body = Problem), (status = 502, body = Problem), (status = 503, body = Problem)),
    security(("bearer" = []), ("cookie" = []))
)]
#[delete("/presets/{id}")]
pub async fn delete_preset(
    state: State,
    who: AsOperator,
    path: web::Path<i64>,
    query: web::Query<DeleteQuery>,
) -> Result<HttpResponse, ApiError> {
    let row = load_preset(&state, path.into_inner()).await?;
    if let Some(token) = row.camera_token.clone() {
        let removed = match ptz_handle(&state, row.camera_id).await {
            Ok(handle) => ask(&handle, ptz::RemovePreset { token })
                .await
                .and_then(|r| r.map_err(ApiError::from)),
            Err(e) => Err(e),
        };
        match removed {
            Ok(()) => {}
            Err(e) if query.force => {
                tracing::warn!(preset = row.id, error = %e, "preset deleted here only (force)");
            }
            Err(e) => return Err(e),
        }
    }
    presets::delete(&state.pool, row.id).await?;
    remove_thumbnails(&state, row.thumbnail.clone()).await;
    audit::record(
        &state.pool,
        who.audit_user(),
        "preset.delete",
        Some(format!("preset:{}", row.id)),
        Some(
            serde_json::json!({"camera_id": row.camera_id, "name": row.name, "force": query.force}),
        ),
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct GotoQuery {
    /// Answer once settled (default) or as soon as the camera accepted the move.
    pub wait: Option<bool>,
}

async fn goto(
    state: &AppState,
    row: &PresetRow,
    wait: bool,
) -> Result<(CameraRow, MoveOutcome), ApiError> {
    let (camera, handle) = ptz_camera(state, row.camera_id).await?;
    let outcome = ask(
        &handle,
        ptz::GotoPreset {
            position: position_of(row),
            token: row.camera_token.clone(),
            wait,
        },
    )
    .await??;
    Ok((camera, outcome))
}

/// Go to a preset: absolute move to its coordinates when the camera reports positions, else
/// GotoPreset with its token; answers when settled (bounded) with the reached position.
#[utoipa::path(
    tag = "presets",
    params(("id" = i64, Path, description = "preset id"), GotoQuery),
    responses((status = 200, body = MoveOutcomeView), (status = 404, body = Problem),
              (status = 409, body = Problem), (status = 502, body = Problem), (status = 503, body = Problem)),
    security(("bearer" = []), ("cookie" = []))
)]
#[post("/presets/{id}/goto")]
pub async fn goto_preset(
    state: State,
    _who: AsOperator,
    path: web::Path<i64>,
    query: web::Query<GotoQuery>,
) -> Result<web::Json<MoveOutcomeView>, ApiError> {
    let row = load_preset(&state, path.into_inner()).await?;
    let (_, outcome) = goto(&state, &row, query.wait.unwrap_or(true)).await?;
    Ok(web::Json(outcome.into()))
}

#[derive(Serialize, ToSchema)]
pub struct PresetTestView {
    pub outcome: MoveOutcomeView,
    /// The new thumbnail, taken after the head settled; `null` if no picture was available.
    pub thumbnail_url: Option<String>,
}

/// Go to a preset, wait until settled, and take a new thumbnail.
#[utoipa::path(
    tag = "presets",
    params(("id" = i64, Path, description = "preset id")),
    responses((status = 200, body = PresetTestView), (status = 404, body = Problem),
              (status = 502, body = Problem), (status = 503, body = Problem)),
    security(("bearer" = []), ("cookie" = []))
)]
#[post("/presets/{id}/test")]
pub async fn test_preset(
    state: State,
    _who: AsOperator,
    path: web::Path<i64>,
) -> Result<web::Json<PresetTestView>, ApiError> {
    let row = load_preset(&state, path.into_inner()).await?;
    let (camera, outcome) = goto(&state, &row, true).await?;
    // The camera's stream lags the head a little: let a few frames of the new view arrive.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let thumbnail = take_thumbnail(&state, &camera, row.id).await;
    Ok(web::Json(PresetTestView {
        outcome: outcome.into(),
        thumbnail_url: thumbnail.map(|_| format!("/api/v1/presets/{}/thumbnail", row.id)),
    }))
}

#[utoipa::path(
    tag = "presets",
    params(("id" = i64, Path, description = "preset id")),
    responses((status = 200, content_type = "image/jpeg", description = "the preset's thumbnail"), (status = 404, body = Problem)),
    security(("bearer" = []), ("cookie" = []))
)]
#[get("/presets/{id}/thumbnail")]
pub async fn preset_thumbnail(
    state: State,
    _who: Principal,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let row = load_preset(&state, path.into_inner()).await?;
    let file = row
        .thumbnail
        .ok_or_else(|| ApiError::NotFound(format!("preset {} has no thumbnail", row.id)))?;
    let bytes = tokio::fs::read(state.presets_dir().join(&file))
        .await
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => {
                ApiError::NotFound(format!("preset {}'s thumbnail is missing", row.id))
            }
            _ => ApiError::Internal(anyhow::Error::new(e).context("reading a preset thumbnail")),
        })?;
    Ok(HttpResponse::Ok()
        .content_type("image/jpeg")
        .insert_header(("Cache-Control", "no-cache"))
        .body(bytes))
}

// ---- import / export ------------------------------------------------------------------------

#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PresetExport {
    /// Format marker, `vistterstream.presets.v1`.
    pub format: String,
    pub camera_id: Option<i64>,
    pub camera_name: Option<String>,
    pub exported_at: Option<String>,
    pub presets: Vec<PresetExportItem>,
}

const EXPORT_FORMAT: &str = "vistterstream.presets.v1";

#[utoipa::path(
    tag = "presets",
    params(("id" = i64, Path, description = "camera id")),
    responses((status = 200, body = PresetExport), (status = 404, body = Problem), (status = 409, body = Problem)),
    security(("bearer" = []), ("cookie" = []))
)]
#[get("/cameras/{id}/presets/export")]
pub async fn export_presets(
    state: State,
    _who: Principal,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let camera = camera_row(&state, id).await?;
    let rows = presets::list(&state.pool, id).await?;
    let export = PresetExport {
        format: EXPORT_FORMAT.into(),
        camera_id: Some(id),
        camera_name: Some(camera.name.clone()),
        exported_at: Some(crate::store::now()),
        presets: rows
            .into_iter()
            .map(|r| PresetExportItem {
                position: r
                    .pan
                    .zip(r.tilt)
                    .zip(r.zoom)
                    .map(|((pan, tilt), zoom)| Coordinates { pan, tilt, zoom }),
                name: r.name,
                camera_token: r.camera_token,
            })
            .collect(),
    };
    Ok(HttpResponse::Ok()
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"camera-{id}-presets.json\""),
        ))
        .json(export))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ImportQuery {
    /// Replace the camera's stored presets instead of adding to them.
    #[serde(default)]
    pub replace: bool,
}

/// Import presets exported from this or another camera. Stored only: the camera is not
/// moved. Tokens are kept (valid when the file comes from this camera, e.g. after a
/// reinstall); coordinates are what a recall uses on a camera that reports positions.
#[utoipa::path(
    tag = "presets",
    params(("id" = i64, Path, description = "camera id"), ImportQuery),
    request_body = PresetExport,
    responses((status = 201, body = [PresetView]), (status = 404, body = Problem),
              (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = []), ("cookie" = []))
)]
#[post("/cameras/{id}/presets/import")]
pub async fn import_presets(
    state: State,
    who: AsOperator,
    path: web::Path<i64>,
    query: web::Query<ImportQuery>,
    body: ValidJson<PresetExport>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let camera = camera_row(&state, id).await?;
    if CameraKind::parse(&camera.kind) != CameraKind::Ptz {
        return Err(ApiError::Conflict(format!(
            "camera {id} is a fixed camera: it has no presets"
        )));
    }
    let mut v = Validation::default();
    if body.0.format != EXPORT_FORMAT {
        v.error("format", format!("must be {EXPORT_FORMAT:?}"));
    }
    if body.0.presets.len() > 256 {
        v.error("presets", "at most 256 presets per import");
    }
    let mut writes = Vec::new();
    let mut names = std::collections::HashSet::new();
    for (i, p) in body.0.presets.iter().enumerate() {
        let name = validate_name(&mut v, &format!("presets[{i}].name"), &p.name);
        if !names.insert(name.clone()) {
            v.error(&format!("presets[{i}].name"), "appears twice in the import");
        }
        let position = match &p.position {
            Some(c) => match validate_position(&format!("presets[{i}].position."), c) {
                Ok(_) => Some((c.pan, c.tilt, c.zoom)),
                Err(errors) => {
                    for e in errors {
                        v.error(&e.field, e.message);
                    }
                    None
                }
            },
            None => None,
        };
        if let Some(t) = &p.camera_token {
            validate_token(&mut v, &format!("presets[{i}].camera_token"), t);
        }
        if p.position.is_none() && p.camera_token.is_none() {
            v.error(
                &format!("presets[{i}]"),
                "needs a position or a camera_token, else it cannot be recalled",
            );
        }
        writes.push(PresetWrite {
            name,
            position,
            camera_token: p.camera_token.clone(),
        });
    }
    v.finish(()).map_err(ApiError::Validation)?;
    if !query.replace {
        for w in &writes {
            if presets::find_by_name(&state.pool, id, &w.name)
                .await?
                .is_some()
            {
                return Err(ApiError::Conflict(format!(
                    "camera {id} already has a preset named {:?} (import with ?replace=true)",
                    w.name
                )));
            }
        }
    }
    let (rows, old_thumbnails) = presets::insert_all(&state.pool, id, query.replace, &writes)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(d) if d.is_unique_violation() => {
                ApiError::Conflict(format!("camera {id}: a preset name is already taken"))
            }
            _ => e.into(),
        })?;
    remove_thumbnails(&state, old_thumbnails).await;
    audit::record(
        &state.pool,
        who.audit_user(),
        "preset.import",
        Some(format!("camera:{id}")),
        Some(serde_json::json!({"count": rows.len(), "replace": query.replace})),
    )
    .await?;
    Ok(HttpResponse::Created().json(rows.into_iter().map(preset_view).collect::<Vec<_>>()))
}
