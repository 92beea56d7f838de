//! `/api/v1/outputs` (OUT-2..OUT-9, PK-3): always-on programs and relays, their desired
//! state (persisted, restored after a restart), cuts, and the emergency stop.

use actix_web::{HttpResponse, delete, get, patch, post, put, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use vistterstream_actors::output::{Cut, OutputError, StopAllOutputs, StopOutput};

use super::error::{ApiError, Problem};
use super::json::ValidJson;
use crate::app::AppState;
use crate::auth::{AsOperator, Principal};
use crate::domain::FieldError;
use crate::domain::asset::{OverlayInput, validate_layers};
use crate::domain::output::{OutputInput, ValidOutput, validate};
use crate::store::assets::OverlayRow;
use crate::store::outputs::{self, OutputRow, OutputWrite};
use crate::store::{audit, cameras, destinations};

type State = web::Data<AppState>;

#[derive(Serialize, ToSchema)]
pub struct ProfileView {
    pub width: u32,
    pub height: u32,
    pub fps: u32,
    pub video_bitrate_kbps: u32,
    pub keyframe_interval_s: f64,
    pub audio_bitrate_kbps: u32,
    pub x264_preset: String,
}

#[derive(Serialize, ToSchema)]
pub struct RecordingView {
    pub enabled: bool,
    pub segment_seconds: u32,
}

#[derive(Serialize, ToSchema)]
pub struct OutputView {
    pub id: i64,
    pub name: String,
    /// program | relay
    pub mode: String,
    pub profile: ProfileView,
    /// auto | x264 | v4l2 | vaapi
    pub encoder: String,
    pub destination_ids: Vec<i64>,
    pub camera_id: Option<i64>,
    pub standby_camera_ids: Vec<i64>,
    pub slate_text: String,
    /// Image asset on the slate, above its text.
    pub slate_asset_id: Option<i64>,
    pub recording: RecordingView,
    /// Desired state: whether the output should be on air (kept across restarts).
    pub running: bool,
    /// Live status: `state` (stopped | starting | live | failed), `reason`, `showing`
    /// (camera | slate), encoder, uptime, fps, bitrate, frames, dropped frames, restarts, and
    /// per destination `state` (connecting | live | reconnecting | failed), bytes, bitrate,
    /// reconnects, `last_error` (stream key masked).
    #[schema(value_type = Object)]
    pub status: serde_json::Value,
    pub created_at: String,
    pub updated_at: String,
}

async fn view(state: &AppState, row: OutputRow) -> Result<OutputView, ApiError> {
    let destination_ids = outputs::destination_ids(&state.pool, row.id).await?;
    let status = serde_json::to_value(state.runtime.output_registry.status(row.id))
        .map_err(|e| ApiError::Internal(e.into()))?;
    Ok(OutputView {
        id: row.id,
        name: row.name,
        mode: row.mode,
        profile: ProfileView {
            width: row.width as u32,
            height: row.height as u32,
            fps: row.fps as u32,
            video_bitrate_kbps: row.video_bitrate_kbps as u32,
            keyframe_interval_s: row.keyframe_interval_s,
            audio_bitrate_kbps: row.audio_bitrate_kbps as u32,
            x264_preset: row.x264_preset,
        },
        encoder: row.encoder,
        destination_ids,
        camera_id: row.camera_id,
        standby_camera_ids: serde_json::from_str(&row.standby_camera_ids).unwrap_or_default(),
        slate_text: row.slate_text,
        slate_asset_id: row.slate_asset_id,
        recording: RecordingView {
            enabled: row.recording_enabled,
            segment_seconds: row.recording_segment_secs as u32,
        },
        running: row.running,
        status,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

async fn load(state: &AppState, id: i64) -> Result<OutputRow, ApiError> {
    outputs::get(&state.pool, id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("output {id} does not exist")))
}

/// The referenced destinations and cameras must exist.
async fn check_references(state: &AppState, o: &ValidOutput) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    for (i, id) in o.destination_ids.iter().enumerate() {
        if destinations::get(&state.pool, *id).await?.is_none() {
            errors.push(FieldError::new(
                format!("destination_ids[{i}]"),
                format!("destination {id} does not exist"),
            ));
        }
    }
    if let Some(id) = o.camera_id
        && cameras::get(&state.pool, id).await?.is_none()
    {
        errors.push(FieldError::new(
            "camera_id",
            format!("camera {id} does not exist"),
        ));
    }
    for (i, id) in o.standby_camera_ids.iter().enumerate() {
        if cameras::get(&state.pool, *id).await?.is_none() {
            errors.push(FieldError::new(
                format!("standby_camera_ids[{i}]"),
                format!("camera {id} does not exist"),
            ));
        }
    }
    if let Some(id) = o.slate_asset_id {
        match crate::store::assets::get(&state.pool, id).await? {
            None => errors.push(FieldError::new(
                "slate_asset_id",
                format!("asset {id} does not exist"),
            )),
            Some(a) if a.kind != "image" && a.kind != "url_image" => errors.push(FieldError::new(
                "slate_asset_id",
                format!("asset {id} is a {}; the slate takes an image", a.kind),
            )),
            Some(_) => {}
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}

fn to_write(o: &ValidOutput) -> OutputWrite {
    OutputWrite {
        name: o.name.clone(),
        mode: o.mode.as_str().into(),
        width: o.profile.width.into(),
        height: o.profile.height.into(),
        fps: o.profile.fps.into(),
        video_bitrate_kbps: o.profile.video_bitrate_kbps.into(),
        keyframe_interval_s: o.profile.keyframe_interval_s,
        audio_bitrate_kbps: o.profile.audio_bitrate_kbps.into(),
        x264_preset: o.profile.x264_preset.clone(),
        encoder: o.encoder.as_str().into(),
        camera_id: o.camera_id,
        standby_camera_ids: o.standby_camera_ids.clone(),
        slate_text: o.slate_text.clone(),
        slate_asset_id: o.slate_asset_id,
        recording_enabled: o.recording_enabled,
        recording_segment_secs: o.recording_segment_secs.into(),
        destination_ids: o.destination_ids.clone(),
    }
}

fn runtime_error(e: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(anyhow::anyhow!("{e}"))
}

async fn audit_output(
    state: &AppState,
    who: &AsOperator,
    action: &str,
    id: i64,
    detail: serde_json::Value,
) -> Result<(), ApiError> {
    audit::record(
        &state.pool,
        who.audit_user(),
        action,
        Some(format!("output:{id}")),
        Some(detail),
    )
    .await?;
    Ok(())
}

#[utoipa::path(tag = "outputs", responses((status = 200, body = [OutputView])), security(("bearer" = []), ("cookie" = [])))]
#[get("/outputs")]
pub async fn list(state: State, _who: Principal) -> Result<web::Json<Vec<OutputView>>, ApiError> {
    let mut views = Vec::new();
    for row in outputs::list(&state.pool).await? {
        views.push(view(&state, row).await?);
    }
    Ok(web::Json(views))
}

#[utoipa::path(tag = "outputs", params(("id" = i64, Path, description = "output id")), responses((status = 200, body = OutputView), (status = 404, body = Problem)), security(("bearer" = []), ("cookie" = [])))]
#[get("/outputs/{id}")]
pub async fn get_one(
    state: State,
    _who: Principal,
    id: web::Path<i64>,
) -> Result<web::Json<OutputView>, ApiError> {
    let row = load(&state, *id).await?;
    Ok(web::Json(view(&state, row).await?))
}

/// Create an output (stopped; start it with `POST /outputs/{id}/start`).
#[utoipa::path(tag = "outputs", request_body = OutputInput, responses((status = 201, body = OutputView), (status = 422, body = Problem)), security(("bearer" = []), ("cookie" = [])))]
#[post("/outputs")]
pub async fn create(
    state: State,
    who: AsOperator,
    body: ValidJson<OutputInput>,
) -> Result<HttpResponse, ApiError> {
    let valid = validate(&ValidOutput::default(), &body.0).map_err(ApiError::Validation)?;
    check_references(&state, &valid).await?;
    let row = outputs::insert(&state.pool, &to_write(&valid)).await?;
    audit_output(
        &state,
        &who,
        "output.create",
        row.id,
        serde_json::json!({"name": row.name, "mode": row.mode}),
    )
    .await?;
    let id = row.id;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/outputs/{id}")))
        .json(view(&state, row).await?))
}

/// Change an output; fields left out keep their value. A running output takes the change at
/// once: destinations, standby cameras, the camera on air and the slate text in place (the
/// other destinations never notice); mode, profile, encoder or recording restart its
/// pipeline.
#[utoipa::path(tag = "outputs", params(("id" = i64, Path, description = "output id")), request_body = OutputInput, responses((status = 200, body = OutputView), (status = 404, body = Problem), (status = 422, body = Problem)), security(("bearer" = []), ("cookie" = [])))]
#[patch("/outputs/{id}")]
pub async fn update(
    state: State,
    who: AsOperator,
    id: web::Path<i64>,
    body: ValidJson<OutputInput>,
) -> Result<web::Json<OutputView>, ApiError> {
    let _guard = state.lock_output(*id).await;
    let row = load(&state, *id).await?;
    let base = ValidOutput::from_row(&row, outputs::destination_ids(&state.pool, row.id).await?);
    let valid = validate(&base, &body.0).map_err(ApiError::Validation)?;
    check_references(&state, &valid).await?;
    let row = outputs::update(&state.pool, row.id, &to_write(&valid))
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("output {id} does not exist")))?;
    state.apply_output(&row).await.map_err(ApiError::Internal)?;
    audit_output(
        &state,
        &who,
        "output.update",
        row.id,
        serde_json::json!({"name": row.name}),
    )
    .await?;
    Ok(web::Json(view(&state, row).await?))
}

#[utoipa::path(tag = "outputs", params(("id" = i64, Path, description = "output id")), responses((status = 204), (status = 404, body = Problem)), security(("bearer" = []), ("cookie" = [])))]
#[delete("/outputs/{id}")]
pub async fn remove(
    state: State,
    who: AsOperator,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let _guard = state.lock_output(*id).await;
    let row = load(&state, *id).await?;
    // The row first: nothing can re-apply a deleted output afterwards.
    outputs::delete(&state.pool, row.id).await?;
    state
        .runtime
        .outputs
        .send(StopOutput {
            output_id: row.id,
            forget: true,
        })
        .await
        .map_err(runtime_error)?;
    audit_output(
        &state,
        &who,
        "output.delete",
        row.id,
        serde_json::json!({"name": row.name}),
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Put the output on air (and keep it there across restarts of the appliance).
#[utoipa::path(tag = "outputs", params(("id" = i64, Path, description = "output id")), responses((status = 200, body = OutputView), (status = 404, body = Problem), (status = 409, body = Problem)), security(("bearer" = []), ("cookie" = [])))]
#[post("/outputs/{id}/start")]
pub async fn start(
    state: State,
    who: AsOperator,
    id: web::Path<i64>,
) -> Result<web::Json<OutputView>, ApiError> {
    let _guard = state.lock_output(*id).await;
    let row = load(&state, *id).await?;
    if outputs::enabled_destination_count(&state.pool, row.id).await? == 0 && !row.recording_enabled
    {
        return Err(ApiError::Conflict(format!(
            "output {} has no enabled destination and no recording: nothing to publish to",
            row.id
        )));
    }
    set_running(&state, &who, row.id, true).await
}

/// Store the desired state, apply it (a stop returns once the pipelines are down), audit.
async fn set_running(
    state: &AppState,
    who: &AsOperator,
    id: i64,
    running: bool,
) -> Result<web::Json<OutputView>, ApiError> {
    let row = outputs::set_running(&state.pool, id, running)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("output {id} does not exist")))?;
    state.apply_output(&row).await.map_err(ApiError::Internal)?;
    let action = if running {
        "output.start"
    } else {
        "output.stop"
    };
    audit_output(
        state,
        who,
        action,
        row.id,
        serde_json::json!({"name": row.name}),
    )
    .await?;
    Ok(web::Json(view(state, row).await?))
}

/// Take the output off air; returns when its pipelines are down.
#[utoipa::path(tag = "outputs", params(("id" = i64, Path, description = "output id")), responses((status = 200, body = OutputView), (status = 404, body = Problem)), security(("bearer" = []), ("cookie" = [])))]
#[post("/outputs/{id}/stop")]
pub async fn stop(
    state: State,
    who: AsOperator,
    id: web::Path<i64>,
) -> Result<web::Json<OutputView>, ApiError> {
    let _guard = state.lock_output(*id).await;
    let row = load(&state, *id).await?;
    set_running(&state, &who, row.id, false).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CutInput {
    pub camera_id: i64,
}

/// Cut to a camera. On a running program the new camera is on the next output frame when it
/// is decoded already (on air or standby), else within its first keyframe; the camera is
/// also stored as the one on air.
#[utoipa::path(tag = "outputs", params(("id" = i64, Path, description = "output id")), request_body = CutInput, responses((status = 200, body = OutputView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = []), ("cookie" = [])))]
#[post("/outputs/{id}/cut")]
pub async fn cut(
    state: State,
    who: AsOperator,
    id: web::Path<i64>,
    body: ValidJson<CutInput>,
) -> Result<web::Json<OutputView>, ApiError> {
    let _guard = state.lock_output(*id).await;
    let row = load(&state, *id).await?;
    let camera_id = body.0.camera_id;
    if cameras::get(&state.pool, camera_id).await?.is_none() {
        return Err(ApiError::Validation(vec![FieldError::new(
            "camera_id",
            format!("camera {camera_id} does not exist"),
        )]));
    }
    if row.mode == "relay" {
        return Err(ApiError::Conflict(OutputError::RelayCannotCut.to_string()));
    }
    if let Some(addr) = state
        .runtime
        .output_registry
        .get(row.id)
        .and_then(|h| h.addr)
    {
        match addr.send(Cut { camera_id }).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(ApiError::Conflict(e.to_string())),
            Err(e) => return Err(runtime_error(e)),
        }
    }
    let row = outputs::set_camera(&state.pool, row.id, camera_id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("output {id} does not exist")))?;
    // The supervisor's copy too: a restart of the output resumes on this camera.
    if row.running {
        state.apply_output(&row).await.map_err(ApiError::Internal)?;
    }
    audit_output(
        &state,
        &who,
        "output.cut",
        row.id,
        serde_json::json!({"camera_id": camera_id}),
    )
    .await?;
    Ok(web::Json(view(&state, row).await?))
}

#[derive(Serialize, ToSchema)]
pub struct StopAllView {
    /// Outputs that were on air and are now stopped.
    pub stopped: Vec<i64>,
}

/// Emergency stop (PK-3): every output off air at once; cameras keep running.
#[utoipa::path(tag = "outputs", responses((status = 200, body = StopAllView)), security(("bearer" = []), ("cookie" = [])))]
#[post("/outputs/stop-all")]
pub async fn stop_all(state: State, who: AsOperator) -> Result<web::Json<StopAllView>, ApiError> {
    let mut stopped = outputs::stop_all(&state.pool).await?;
    let halted = state
        .runtime
        .outputs
        .send(StopAllOutputs)
        .await
        .map_err(runtime_error)?;
    stopped.extend(halted);
    stopped.sort_unstable();
    stopped.dedup();
    audit::record(
        &state.pool,
        who.audit_user(),
        "output.stop_all",
        None,
        Some(serde_json::json!({"stopped": stopped})),
    )
    .await?;
    Ok(web::Json(StopAllView { stopped }))
}

async fn push_overlays(state: &AppState, output_id: i64) -> Result<(), ApiError> {
    if let Some(addr) = state
        .runtime
        .output_registry
        .get(output_id)
        .and_then(|h| h.addr)
    {
        let layers = state
            .overlay_layers(output_id)
            .await
            .map_err(ApiError::Internal)?;
        addr.do_send(vistterstream_actors::output::SetOverlays(layers));
    }
    // Keep the supervisor's copy (used at a restart) current too.
    if let Some(row) = outputs::get(&state.pool, output_id).await?
        && row.running
    {
        state.apply_output(&row).await.map_err(ApiError::Internal)?;
    }
    Ok(())
}

#[utoipa::path(tag = "outputs", params(("id" = i64, Path, description = "output id")), responses((status = 200, body = [OverlayRow]), (status = 404, body = Problem)), security(("bearer" = []), ("cookie" = [])))]
#[get("/outputs/{id}/overlays")]
pub async fn list_overlays(
    state: State,
    _who: Principal,
    id: web::Path<i64>,
) -> Result<web::Json<Vec<OverlayRow>>, ApiError> {
    let row = load(&state, *id).await?;
    Ok(web::Json(
        crate::store::assets::overlays(&state.pool, row.id).await?,
    ))
}

/// Replace the output's overlay layers. A running program shows them from the next frame.
#[utoipa::path(tag = "outputs", params(("id" = i64, Path, description = "output id")), request_body = [OverlayInput], responses((status = 200, body = [OverlayRow]), (status = 404, body = Problem), (status = 422, body = Problem)), security(("bearer" = []), ("cookie" = [])))]
#[put("/outputs/{id}/overlays")]
pub async fn replace_overlays(
    state: State,
    who: AsOperator,
    id: web::Path<i64>,
    body: ValidJson<Vec<OverlayInput>>,
) -> Result<web::Json<Vec<OverlayRow>>, ApiError> {
    let _guard = state.lock_output(*id).await;
    let row = load(&state, *id).await?;
    validate_layers(&body.0).map_err(ApiError::Validation)?;
    let mut errors = Vec::new();
    for (i, l) in body.0.iter().enumerate() {
        if crate::store::assets::get(&state.pool, l.asset_id)
            .await?
            .is_none()
        {
            errors.push(FieldError::new(
                format!("[{i}].asset_id"),
                format!("asset {} does not exist", l.asset_id),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let layers: Vec<OverlayRow> = body
        .0
        .iter()
        .map(|l| OverlayRow {
            id: 0,
            output_id: row.id,
            asset_id: l.asset_id,
            x: l.x,
            y: l.y,
            width: l.width,
            height: l.height,
            opacity: l.opacity.unwrap_or(1.0),
            z: l.z.unwrap_or(0),
            visible: l.visible.unwrap_or(true),
        })
        .collect();
    let stored = crate::store::assets::replace_overlays(&state.pool, row.id, &layers).await?;
    push_overlays(&state, row.id).await?;
    audit_output(
        &state,
        &who,
        "output.overlays",
        row.id,
        serde_json::json!({"layers": stored.len()}),
    )
    .await?;
    Ok(web::Json(stored))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OverlayPatch {
    pub visible: Option<bool>,
    /// 0..1
    pub opacity: Option<f64>,
}

/// Show, hide or fade one overlay layer.
#[utoipa::path(tag = "outputs", params(("id" = i64, Path, description = "output id"), ("layer" = i64, Path, description = "overlay layer id")), request_body = OverlayPatch, responses((status = 200, body = OverlayRow), (status = 404, body = Problem), (status = 422, body = Problem)), security(("bearer" = []), ("cookie" = [])))]
#[patch("/outputs/{id}/overlays/{layer}")]
pub async fn update_overlay(
    state: State,
    who: AsOperator,
    path: web::Path<(i64, i64)>,
    body: ValidJson<OverlayPatch>,
) -> Result<web::Json<OverlayRow>, ApiError> {
    let (id, layer) = path.into_inner();
    let _guard = state.lock_output(id).await;
    let row = load(&state, id).await?;
    if body.0.opacity.is_some_and(|o| !(0.0..=1.0).contains(&o)) {
        return Err(ApiError::Validation(vec![FieldError::new(
            "opacity",
            "must be between 0 and 1",
        )]));
    }
    let updated = crate::store::assets::set_overlay_visible(
        &state.pool,
        row.id,
        layer,
        body.0.visible,
        body.0.opacity,
    )
    .await?
    .ok_or_else(|| ApiError::NotFound(format!("output {id} has no overlay layer {layer}")))?;
    push_overlays(&state, row.id).await?;
    audit_output(
        &state,
        &who,
        "output.overlay",
        row.id,
        serde_json::json!({"layer": layer, "visible": updated.visible, "opacity": updated.opacity}),
    )
    .await?;
    Ok(web::Json(updated))
}
