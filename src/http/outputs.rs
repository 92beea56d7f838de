//! `/api/v1/outputs` (OUT-2..OUT-9, PK-3): always-on programs and relays, their desired
//! state (persisted, restored after a restart), cuts, and the emergency stop.

use actix_web::{HttpResponse, delete, get, patch, post, web};

use super::error::{ApiError, Problem};
use super::guard::{AsOperator, Caller};
use super::json::ValidJson;
use crate::domain::output::OutputInput;
use crate::service::Context;
use crate::service::emergency::{self, StopAllView};
use crate::service::outputs::{self, CutInput, OutputView};

type Ctx = web::Data<Context>;

#[utoipa::path(tag = "outputs", responses((status = 200, body = [OutputView])), security(("bearer" = []), ("cookie" = [])))]
#[get("/outputs")]
pub async fn list(ctx: Ctx, _who: Caller) -> Result<web::Json<Vec<OutputView>>, ApiError> {
    Ok(web::Json(outputs::list(&ctx).await?))
}

#[utoipa::path(tag = "outputs", params(("id" = i64, Path, description = "output id")), responses((status = 200, body = OutputView), (status = 404, body = Problem)), security(("bearer" = []), ("cookie" = [])))]
#[get("/outputs/{id}")]
pub async fn get_one(
    ctx: Ctx,
    _who: Caller,
    id: web::Path<i64>,
) -> Result<web::Json<OutputView>, ApiError> {
    Ok(web::Json(outputs::get(&ctx, *id).await?))
}

/// Create an output (stopped; start it with `POST /outputs/{id}/start`).
#[utoipa::path(tag = "outputs", request_body = OutputInput, responses((status = 403, body = Problem), (status = 201, body = OutputView), (status = 422, body = Problem)), security(("bearer" = []), ("cookie" = [])))]
#[post("/outputs")]
pub async fn create(
    ctx: Ctx,
    who: AsOperator,
    body: ValidJson<OutputInput>,
) -> Result<HttpResponse, ApiError> {
    let output = outputs::create(&ctx, &who, body.0).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/outputs/{}", output.id)))
        .json(output))
}

/// Change an output; fields left out keep their value. A running output takes the change at
/// once: destinations, standby cameras, the camera on air and the slate text in place (the
/// other destinations never notice); mode, profile, encoder or recording restart its
/// pipeline.
#[utoipa::path(tag = "outputs", params(("id" = i64, Path, description = "output id")), request_body = OutputInput, responses((status = 403, body = Problem), (status = 200, body = OutputView), (status = 404, body = Problem), (status = 422, body = Problem)), security(("bearer" = []), ("cookie" = [])))]
#[patch("/outputs/{id}")]
pub async fn update(
    ctx: Ctx,
    who: AsOperator,
    id: web::Path<i64>,
    body: ValidJson<OutputInput>,
) -> Result<web::Json<OutputView>, ApiError> {
    Ok(web::Json(outputs::update(&ctx, &who, *id, body.0).await?))
}

#[utoipa::path(tag = "outputs", params(("id" = i64, Path, description = "output id")), responses((status = 403, body = Problem), (status = 204), (status = 404, body = Problem)), security(("bearer" = []), ("cookie" = [])))]
#[delete("/outputs/{id}")]
pub async fn remove(
    ctx: Ctx,
    who: AsOperator,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    outputs::delete(&ctx, &who, *id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Put the output on air (and keep it there across restarts of the appliance).
#[utoipa::path(tag = "outputs", params(("id" = i64, Path, description = "output id")), responses((status = 403, body = Problem), (status = 200, body = OutputView), (status = 404, body = Problem), (status = 409, body = Problem)), security(("bearer" = []), ("cookie" = [])))]
#[post("/outputs/{id}/start")]
pub async fn start(
    ctx: Ctx,
    who: AsOperator,
    id: web::Path<i64>,
) -> Result<web::Json<OutputView>, ApiError> {
    Ok(web::Json(outputs::start(&ctx, &who, *id).await?))
}

/// Take the output off air; returns when its pipelines are down.
#[utoipa::path(tag = "outputs", params(("id" = i64, Path, description = "output id")), responses((status = 403, body = Problem), (status = 200, body = OutputView), (status = 404, body = Problem)), security(("bearer" = []), ("cookie" = [])))]
#[post("/outputs/{id}/stop")]
pub async fn stop(
    ctx: Ctx,
    who: AsOperator,
    id: web::Path<i64>,
) -> Result<web::Json<OutputView>, ApiError> {
    Ok(web::Json(outputs::stop(&ctx, &who, *id).await?))
}

/// Cut to a camera. On a running program the new camera is on the next output frame when it
/// is decoded already (on air or standby), else within its first keyframe; the camera is
/// also stored as the one on air.
#[utoipa::path(tag = "outputs", params(("id" = i64, Path, description = "output id")), request_body = CutInput, responses((status = 403, body = Problem), (status = 200, body = OutputView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = []), ("cookie" = [])))]
#[post("/outputs/{id}/cut")]
pub async fn cut(
    ctx: Ctx,
    who: AsOperator,
    id: web::Path<i64>,
    body: ValidJson<CutInput>,
) -> Result<web::Json<OutputView>, ApiError> {
    Ok(web::Json(outputs::cut(&ctx, &who, *id, body.0).await?))
}

/// Emergency stop (PK-3): every output off air at once; cameras keep running.
#[utoipa::path(tag = "outputs", responses((status = 403, body = Problem), (status = 200, body = StopAllView)), security(("bearer" = []), ("cookie" = [])))]
#[post("/outputs/stop-all")]
pub async fn stop_all(ctx: Ctx, who: AsOperator) -> Result<web::Json<StopAllView>, ApiError> {
    Ok(web::Json(emergency::stop_all(&ctx, &who).await?))
}
