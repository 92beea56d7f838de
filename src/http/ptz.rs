//! `/api/v1/cameras/{id}/ptz/…` (PTZ-2, PTZ-4): joystick moves, stops, absolute and relative
//! moves answered once the head has settled, and the camera's PTZ status.

use actix_web::{HttpResponse, get, post, web};

use super::error::{ApiError, Problem};
use super::guard::{AsOperator, Caller};
use super::json::ValidJson;
use crate::domain::preset::{MoveRequest, PositionRequest, TranslationRequest};
use crate::service::Context;
use crate::service::ptz::{self, MoveAcceptedView, MoveOutcomeView, PtzStatusView};

type Ctx = web::Data<Context>;

/// Continuous move; answers at once (202) and stops by itself after `timeout_ms`.
#[utoipa::path(
    tag = "ptz",
    params(("id" = i64, Path, description = "camera id")),
    request_body = MoveRequest,
    responses((status = 403, body = Problem), (status = 202, body = MoveAcceptedView), (status = 409, body = Problem),
              (status = 422, body = Problem), (status = 503, body = Problem)),
    security(("bearer" = []), ("cookie" = []))
)]
#[post("/cameras/{id}/ptz/move")]
pub async fn move_continuous(
    ctx: Ctx,
    _who: AsOperator,
    path: web::Path<i64>,
    body: ValidJson<MoveRequest>,
) -> Result<HttpResponse, ApiError> {
    let accepted = ptz::move_continuous(&ctx, *path, body.0).await?;
    Ok(HttpResponse::Accepted().json(accepted))
}

#[utoipa::path(
    tag = "ptz",
    params(("id" = i64, Path, description = "camera id")),
    responses((status = 403, body = Problem), (status = 204), (status = 409, body = Problem), (status = 503, body = Problem)),
    security(("bearer" = []), ("cookie" = []))
)]
#[post("/cameras/{id}/ptz/stop")]
pub async fn stop(
    ctx: Ctx,
    _who: AsOperator,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    ptz::stop(&ctx, *path).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(
    tag = "ptz",
    params(("id" = i64, Path, description = "camera id")),
    request_body = PositionRequest,
    responses((status = 403, body = Problem), (status = 200, body = MoveOutcomeView), (status = 409, body = Problem),
              (status = 422, body = Problem), (status = 502, body = Problem), (status = 503, body = Problem)),
    security(("bearer" = []), ("cookie" = []))
)]
#[post("/cameras/{id}/ptz/absolute")]
pub async fn absolute(
    ctx: Ctx,
    _who: AsOperator,
    path: web::Path<i64>,
    body: ValidJson<PositionRequest>,
) -> Result<web::Json<MoveOutcomeView>, ApiError> {
    Ok(web::Json(
        ptz::position_move(&ctx, *path, body.0, false).await?,
    ))
}

#[utoipa::path(
    tag = "ptz",
    params(("id" = i64, Path, description = "camera id")),
    request_body = TranslationRequest,
    responses((status = 403, body = Problem), (status = 200, body = MoveOutcomeView), (status = 409, body = Problem),
              (status = 422, body = Problem), (status = 502, body = Problem), (status = 503, body = Problem)),
    security(("bearer" = []), ("cookie" = []))
)]
#[post("/cameras/{id}/ptz/relative")]
pub async fn relative(
    ctx: Ctx,
    _who: AsOperator,
    path: web::Path<i64>,
    body: ValidJson<TranslationRequest>,
) -> Result<web::Json<MoveOutcomeView>, ApiError> {
    Ok(web::Json(
        ptz::position_move(&ctx, *path, body.0.into(), true).await?,
    ))
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
    ctx: Ctx,
    _who: Caller,
    path: web::Path<i64>,
) -> Result<web::Json<PtzStatusView>, ApiError> {
    Ok(web::Json(ptz::status(&ctx, *path).await?))
}
