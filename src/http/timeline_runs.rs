//! `/api/v1/timelines/{id}/start|stop|pause|resume|seek|skip|pin|status|runs` (TL-3, TL-4):
//! a timeline on air, controlled, watched, and its history.

use actix_web::{get, post, web};

use super::error::{ApiError, Problem};
use super::guard::{AsOperator, Caller};
use super::json::ValidJson;
use crate::service::Context;
use crate::service::timeline_runs::{
    self, Origin, PinInput, RunView, SeekInput, StartInput, TimelineStatus,
};

type Ctx = web::Data<Context>;
type Status = Result<web::Json<TimelineStatus>, ApiError>;

#[utoipa::path(tag = "timelines", params(("id" = i64, Path, description = "timeline id")), request_body = StartInput, responses((status = 200, body = TimelineStatus, description = "on air"), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem, description = "another timeline holds the output (see `replace`), or this one runs on another output"), (status = 422, body = Problem, description = "an unknown or relay output, a position past the end")), security(("bearer" = []), ("cookie" = [])))]
#[post("/timelines/{id}/start")]
pub async fn start_timeline(
    ctx: Ctx,
    who: AsOperator,
    id: web::Path<i64>,
    body: ValidJson<StartInput>,
) -> Status {
    Ok(web::Json(
        timeline_runs::start(&ctx, &who, *id, body.0, Origin::OPERATOR).await?,
    ))
}

#[utoipa::path(tag = "timelines", params(("id" = i64, Path, description = "timeline id")), responses((status = 200, body = TimelineStatus), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem, description = "not running")), security(("bearer" = []), ("cookie" = [])))]
#[post("/timelines/{id}/stop")]
pub async fn stop_timeline(ctx: Ctx, who: AsOperator, id: web::Path<i64>) -> Status {
    Ok(web::Json(timeline_runs::stop(&ctx, &who, *id).await?))
}

#[utoipa::path(tag = "timelines", params(("id" = i64, Path, description = "timeline id")), responses((status = 200, body = TimelineStatus, description = "its clock stopped; the program stays on air"), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem, description = "not running"), (status = 503, body = Problem, description = "starting; retry")), security(("bearer" = []), ("cookie" = [])))]
#[post("/timelines/{id}/pause")]
pub async fn pause_timeline(ctx: Ctx, who: AsOperator, id: web::Path<i64>) -> Status {
    Ok(web::Json(timeline_runs::pause(&ctx, &who, *id).await?))
}

#[utoipa::path(tag = "timelines", params(("id" = i64, Path, description = "timeline id")), responses((status = 200, body = TimelineStatus), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem, description = "not running"), (status = 503, body = Problem, description = "starting; retry")), security(("bearer" = []), ("cookie" = [])))]
#[post("/timelines/{id}/resume")]
pub async fn resume_timeline(ctx: Ctx, who: AsOperator, id: web::Path<i64>) -> Status {
    Ok(web::Json(timeline_runs::resume(&ctx, &who, *id).await?))
}

#[utoipa::path(tag = "timelines", params(("id" = i64, Path, description = "timeline id")), request_body = SeekInput, responses((status = 200, body = TimelineStatus), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem, description = "not running"), (status = 422, body = Problem, description = "past the end"), (status = 503, body = Problem, description = "starting; retry")), security(("bearer" = []), ("cookie" = [])))]
#[post("/timelines/{id}/seek")]
pub async fn seek_timeline(
    ctx: Ctx,
    who: AsOperator,
    id: web::Path<i64>,
    body: ValidJson<SeekInput>,
) -> Status {
    Ok(web::Json(
        timeline_runs::seek(&ctx, &who, *id, body.0).await?,
    ))
}

#[utoipa::path(tag = "timelines", params(("id" = i64, Path, description = "timeline id")), responses((status = 200, body = TimelineStatus, description = "at the next video cue"), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem, description = "not running"), (status = 503, body = Problem, description = "starting; retry")), security(("bearer" = []), ("cookie" = [])))]
#[post("/timelines/{id}/skip")]
pub async fn skip_timeline(ctx: Ctx, who: AsOperator, id: web::Path<i64>) -> Status {
    Ok(web::Json(timeline_runs::skip(&ctx, &who, *id).await?))
}

#[utoipa::path(tag = "timelines", params(("id" = i64, Path, description = "timeline id")), request_body = PinInput, responses((status = 200, body = TimelineStatus, description = "pinned (the timeline keeps time, does not cut) or released"), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem, description = "not running"), (status = 422, body = Problem, description = "an unknown camera"), (status = 503, body = Problem, description = "starting; retry")), security(("bearer" = []), ("cookie" = [])))]
#[post("/timelines/{id}/pin")]
pub async fn pin_timeline(
    ctx: Ctx,
    who: AsOperator,
    id: web::Path<i64>,
    body: ValidJson<PinInput>,
) -> Status {
    Ok(web::Json(
        timeline_runs::pin(&ctx, &who, *id, body.0).await?,
    ))
}

#[utoipa::path(tag = "timelines", params(("id" = i64, Path, description = "timeline id")), responses((status = 200, body = TimelineStatus), (status = 404, body = Problem)), security(("bearer" = []), ("cookie" = [])))]
#[get("/timelines/{id}/status")]
pub async fn timeline_status(ctx: Ctx, _who: Caller, id: web::Path<i64>) -> Status {
    Ok(web::Json(timeline_runs::status(&ctx, *id).await?))
}

#[utoipa::path(tag = "timelines", params(("id" = i64, Path, description = "timeline id")), responses((status = 200, body = [RunView], description = "the last 100 runs, newest first"), (status = 404, body = Problem)), security(("bearer" = []), ("cookie" = [])))]
#[get("/timelines/{id}/runs")]
pub async fn timeline_history(
    ctx: Ctx,
    _who: Caller,
    id: web::Path<i64>,
) -> Result<web::Json<Vec<RunView>>, ApiError> {
    Ok(web::Json(timeline_runs::history(&ctx, *id).await?))
}
