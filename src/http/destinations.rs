//! `/api/v1/destinations` (OUT-1): where programs are published. The stream key is
//! write-only: stored sealed, never returned; URLs are shown with the key masked.

use actix_web::{HttpResponse, delete, get, patch, post, web};

use super::error::{ApiError, Problem};
use super::guard::{AsOperator, Caller};
use super::json::ValidJson;
use crate::domain::destination::DestinationInput;
use crate::service::Context;
use crate::service::destinations::{self, DestinationPatch, DestinationView};

type Ctx = web::Data<Context>;

#[utoipa::path(tag = "destinations", responses((status = 200, body = [DestinationView])), security(("bearer" = []), ("cookie" = [])))]
#[get("/destinations")]
pub async fn list(ctx: Ctx, _who: Caller) -> Result<web::Json<Vec<DestinationView>>, ApiError> {
    Ok(web::Json(destinations::list(&ctx).await?))
}

#[utoipa::path(tag = "destinations", params(("id" = i64, Path, description = "destination id")), responses((status = 200, body = DestinationView), (status = 404, body = Problem)), security(("bearer" = []), ("cookie" = [])))]
#[get("/destinations/{id}")]
pub async fn get_one(
    ctx: Ctx,
    _who: Caller,
    id: web::Path<i64>,
) -> Result<web::Json<DestinationView>, ApiError> {
    Ok(web::Json(destinations::get(&ctx, *id).await?))
}

#[utoipa::path(tag = "destinations", request_body = DestinationInput, responses((status = 403, body = Problem), (status = 201, body = DestinationView), (status = 422, body = Problem)), security(("bearer" = []), ("cookie" = [])))]
#[post("/destinations")]
pub async fn create(
    ctx: Ctx,
    who: AsOperator,
    body: ValidJson<DestinationInput>,
) -> Result<HttpResponse, ApiError> {
    let destination = destinations::create(&ctx, &who, body.0).await?;
    Ok(HttpResponse::Created()
        .insert_header((
            "Location",
            format!("/api/v1/destinations/{}", destination.id),
        ))
        .json(destination))
}

#[utoipa::path(tag = "destinations", params(("id" = i64, Path, description = "destination id")), request_body = DestinationPatch, responses((status = 403, body = Problem), (status = 200, body = DestinationView), (status = 404, body = Problem), (status = 422, body = Problem)), security(("bearer" = []), ("cookie" = [])))]
#[patch("/destinations/{id}")]
pub async fn update(
    ctx: Ctx,
    who: AsOperator,
    id: web::Path<i64>,
    body: ValidJson<DestinationPatch>,
) -> Result<web::Json<DestinationView>, ApiError> {
    Ok(web::Json(
        destinations::update(&ctx, &who, *id, body.0).await?,
    ))
}

#[utoipa::path(tag = "destinations", params(("id" = i64, Path, description = "destination id")), responses((status = 403, body = Problem), (status = 204), (status = 404, body = Problem), (status = 409, body = Problem)), security(("bearer" = []), ("cookie" = [])))]
#[delete("/destinations/{id}")]
pub async fn remove(
    ctx: Ctx,
    who: AsOperator,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    destinations::delete(&ctx, &who, *id).await?;
    Ok(HttpResponse::NoContent().finish())
}
