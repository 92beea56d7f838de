//! `/api/v1/timelines` (TL-1): timelines stored, read, replaced, patched, copied, deleted.

use actix_web::{HttpResponse, delete, get, patch, post, put, web};

use super::error::{ApiError, Problem};
use super::guard::{AsOperator, Caller};
use super::json::ValidJson;
use crate::domain::timeline::TimelineInput;
use crate::service::Context;
use crate::service::timelines::{self, Timeline, TimelinePatch};

type Ctx = web::Data<Context>;

fn created(timeline: Timeline) -> HttpResponse {
    HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/timelines/{}", timeline.id)))
        .json(timeline)
}

#[utoipa::path(tag = "timelines", responses((status = 200, body = [Timeline])), security(("bearer" = []), ("cookie" = [])))]
#[get("/timelines")]
pub async fn list(ctx: Ctx, _who: Caller) -> Result<web::Json<Vec<Timeline>>, ApiError> {
    Ok(web::Json(timelines::list(&ctx).await?))
}

#[utoipa::path(tag = "timelines", params(("id" = i64, Path, description = "timeline id")), responses((status = 200, body = Timeline), (status = 404, body = Problem)), security(("bearer" = []), ("cookie" = [])))]
#[get("/timelines/{id}")]
pub async fn get_one(
    ctx: Ctx,
    _who: Caller,
    id: web::Path<i64>,
) -> Result<web::Json<Timeline>, ApiError> {
    Ok(web::Json(timelines::get(&ctx, *id).await?))
}

#[utoipa::path(tag = "timelines", request_body = TimelineInput, responses((status = 201, body = Timeline), (status = 403, body = Problem), (status = 409, body = Problem, description = "the name is taken"), (status = 422, body = Problem)), security(("bearer" = []), ("cookie" = [])))]
#[post("/timelines")]
pub async fn create(
    ctx: Ctx,
    who: AsOperator,
    body: ValidJson<TimelineInput>,
) -> Result<HttpResponse, ApiError> {
    Ok(created(timelines::create(&ctx, &who, body.0).await?))
}

#[utoipa::path(tag = "timelines", params(("id" = i64, Path, description = "timeline id")), request_body = TimelineInput, responses((status = 200, body = Timeline), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem, description = "the name is taken"), (status = 422, body = Problem)), security(("bearer" = []), ("cookie" = [])))]
#[put("/timelines/{id}")]
pub async fn replace(
    ctx: Ctx,
    who: AsOperator,
    id: web::Path<i64>,
    body: ValidJson<TimelineInput>,
) -> Result<web::Json<Timeline>, ApiError> {
    Ok(web::Json(
        timelines::replace(&ctx, &who, *id, body.0).await?,
    ))
}

#[utoipa::path(tag = "timelines", params(("id" = i64, Path, description = "timeline id")), request_body = TimelinePatch, responses((status = 200, body = Timeline), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem, description = "the name is taken"), (status = 422, body = Problem)), security(("bearer" = []), ("cookie" = [])))]
#[patch("/timelines/{id}")]
pub async fn update(
    ctx: Ctx,
    who: AsOperator,
    id: web::Path<i64>,
    body: ValidJson<TimelinePatch>,
) -> Result<web::Json<Timeline>, ApiError> {
    Ok(web::Json(timelines::update(&ctx, &who, *id, body.0).await?))
}

#[utoipa::path(tag = "timelines", params(("id" = i64, Path, description = "timeline id")), responses((status = 201, body = Timeline, description = "the copy, named \"<name> (copy)\""), (status = 403, body = Problem), (status = 404, body = Problem)), security(("bearer" = []), ("cookie" = [])))]
#[post("/timelines/{id}/copy")]
pub async fn copy(ctx: Ctx, who: AsOperator, id: web::Path<i64>) -> Result<HttpResponse, ApiError> {
    Ok(created(timelines::copy(&ctx, &who, *id).await?))
}

#[utoipa::path(tag = "timelines", params(("id" = i64, Path, description = "timeline id")), responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)), security(("bearer" = []), ("cookie" = [])))]
#[delete("/timelines/{id}")]
pub async fn remove(
    ctx: Ctx,
    who: AsOperator,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    timelines::delete(&ctx, &who, *id).await?;
    Ok(HttpResponse::NoContent().finish())
}
