//! `/api/v1/schedules` (TL-5): weekly windows that play timelines on an output; run now, stop.

use actix_web::{HttpResponse, delete, get, patch, post, put, web};

use super::error::{ApiError, Problem};
use super::guard::{AsOperator, Caller};
use super::json::ValidJson;
use crate::domain::schedule::ScheduleInput;
use crate::service::Context;
use crate::service::schedules::{self, Schedule, SchedulePatch};

type Ctx = web::Data<Context>;
type One = Result<web::Json<Schedule>, ApiError>;

#[utoipa::path(tag = "schedules", responses((status = 200, body = [Schedule])), security(("bearer" = []), ("cookie" = [])))]
#[get("/schedules")]
pub async fn list_schedules(ctx: Ctx, _who: Caller) -> Result<web::Json<Vec<Schedule>>, ApiError> {
    Ok(web::Json(schedules::list(&ctx).await?))
}

#[utoipa::path(tag = "schedules", request_body = ScheduleInput, responses((status = 201, body = Schedule), (status = 403, body = Problem), (status = 409, body = Problem, description = "the name is taken"), (status = 422, body = Problem, description = "by field: an unknown zone, a time that is not HH:MM, an unknown or relay output or timeline, an overlap with another schedule on the output (its window named)")), security(("bearer" = []), ("cookie" = [])))]
#[post("/schedules")]
pub async fn create_schedule(
    ctx: Ctx,
    who: AsOperator,
    body: ValidJson<ScheduleInput>,
) -> Result<HttpResponse, ApiError> {
    let s = schedules::create(&ctx, &who, body.0).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/schedules/{}", s.id)))
        .json(s))
}

#[utoipa::path(tag = "schedules", params(("id" = i64, Path, description = "schedule id")), responses((status = 200, body = Schedule), (status = 404, body = Problem)), security(("bearer" = []), ("cookie" = [])))]
#[get("/schedules/{id}")]
pub async fn get_schedule(ctx: Ctx, _who: Caller, id: web::Path<i64>) -> One {
    Ok(web::Json(schedules::get(&ctx, *id).await?))
}

#[utoipa::path(tag = "schedules", params(("id" = i64, Path, description = "schedule id")), request_body = ScheduleInput, responses((status = 200, body = Schedule), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem, description = "the name is taken"), (status = 422, body = Problem)), security(("bearer" = []), ("cookie" = [])))]
#[put("/schedules/{id}")]
pub async fn replace_schedule(
    ctx: Ctx,
    who: AsOperator,
    id: web::Path<i64>,
    body: ValidJson<ScheduleInput>,
) -> One {
    Ok(web::Json(
        schedules::replace(&ctx, &who, *id, body.0).await?,
    ))
}

#[utoipa::path(tag = "schedules", params(("id" = i64, Path, description = "schedule id")), request_body = SchedulePatch, responses((status = 200, body = Schedule), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem, description = "the name is taken"), (status = 422, body = Problem)), security(("bearer" = []), ("cookie" = [])))]
#[patch("/schedules/{id}")]
pub async fn update_schedule(
    ctx: Ctx,
    who: AsOperator,
    id: web::Path<i64>,
    body: ValidJson<SchedulePatch>,
) -> One {
    Ok(web::Json(schedules::update(&ctx, &who, *id, body.0).await?))
}

#[utoipa::path(tag = "schedules", params(("id" = i64, Path, description = "schedule id")), responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)), security(("bearer" = []), ("cookie" = [])))]
#[delete("/schedules/{id}")]
pub async fn delete_schedule(
    ctx: Ctx,
    who: AsOperator,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    schedules::delete(&ctx, &who, *id).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(tag = "schedules", params(("id" = i64, Path, description = "schedule id")), responses((status = 200, body = Schedule, description = "open: its timelines play from now until stopped or its next window takes over"), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem, description = "disabled, or the output is held by an operator")), security(("bearer" = []), ("cookie" = [])))]
#[post("/schedules/{id}/run-now")]
pub async fn run_schedule_now(ctx: Ctx, who: AsOperator, id: web::Path<i64>) -> One {
    Ok(web::Json(schedules::run_now(&ctx, &who, *id).await?))
}

#[utoipa::path(tag = "schedules", params(("id" = i64, Path, description = "schedule id")), responses((status = 200, body = Schedule, description = "its run ended; an open window stays quiet until it closes"), (status = 403, body = Problem), (status = 404, body = Problem)), security(("bearer" = []), ("cookie" = [])))]
#[post("/schedules/{id}/stop")]
pub async fn stop_schedule(ctx: Ctx, who: AsOperator, id: web::Path<i64>) -> One {
    Ok(web::Json(schedules::stop(&ctx, &who, *id).await?))
}
