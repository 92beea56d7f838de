//! `/api/v1/outputs/{id}/overlays` (OUT-5): an output's overlay layers, replaced as a whole
//! or shown, hidden and faded one by one, live.

use actix_web::{get, patch, put, web};

use super::error::{ApiError, Problem};
use super::guard::{AsOperator, Caller};
use super::json::ValidJson;
use crate::domain::asset::{Overlay, OverlayInput};
use crate::service::Context;
use crate::service::overlays::{self, OverlayPatch};

type Ctx = web::Data<Context>;

#[utoipa::path(tag = "outputs", params(("id" = i64, Path, description = "output id")), responses((status = 200, body = [Overlay]), (status = 404, body = Problem)), security(("bearer" = []), ("cookie" = [])))]
#[get("/outputs/{id}/overlays")]
pub async fn list_overlays(
    ctx: Ctx,
    _who: Caller,
    id: web::Path<i64>,
) -> Result<web::Json<Vec<Overlay>>, ApiError> {
    Ok(web::Json(overlays::list(&ctx, *id).await?))
}

/// Replace the output's overlay layers. A running program shows them from the next frame.
#[utoipa::path(tag = "outputs", params(("id" = i64, Path, description = "output id")), request_body = [OverlayInput], responses((status = 403, body = Problem), (status = 200, body = [Overlay]), (status = 404, body = Problem), (status = 422, body = Problem)), security(("bearer" = []), ("cookie" = [])))]
#[put("/outputs/{id}/overlays")]
pub async fn replace_overlays(
    ctx: Ctx,
    who: AsOperator,
    id: web::Path<i64>,
    body: ValidJson<Vec<OverlayInput>>,
) -> Result<web::Json<Vec<Overlay>>, ApiError> {
    Ok(web::Json(overlays::replace(&ctx, &who, *id, body.0).await?))
}

/// Show, hide or fade one overlay layer.
#[utoipa::path(tag = "outputs", params(("id" = i64, Path, description = "output id"), ("layer" = i64, Path, description = "overlay layer id")), request_body = OverlayPatch, responses((status = 403, body = Problem), (status = 200, body = Overlay), (status = 404, body = Problem), (status = 422, body = Problem)), security(("bearer" = []), ("cookie" = [])))]
#[patch("/outputs/{id}/overlays/{layer}")]
pub async fn update_overlay(
    ctx: Ctx,
    who: AsOperator,
    path: web::Path<(i64, i64)>,
    body: ValidJson<OverlayPatch>,
) -> Result<web::Json<Overlay>, ApiError> {
    let (id, layer) = path.into_inner();
    Ok(web::Json(
        overlays::update(&ctx, &who, id, layer, body.0).await?,
    ))
}
