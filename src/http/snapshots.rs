//! Stored snapshots (CAM-4): capture the live picture to disk with metadata, list, fetch,
//! delete.

use actix_web::{HttpResponse, delete, get, post, web};

use super::error::{ApiError, Problem};
use super::guard::{AsOperator, Caller};
use super::json::OptionalJson;
use crate::domain::snapshot::Snapshot;
use crate::service::Context;
use crate::service::snapshots::{self, SnapshotRequest};

type Ctx = web::Data<Context>;

#[utoipa::path(
    tag = "snapshots",
    params(("id" = i64, Path, description = "camera id")),
    request_body(content = SnapshotRequest, description = "optional; an empty body is fine"),
    responses((status = 403, body = Problem), (status = 201, body = Snapshot), (status = 404, body = Problem), (status = 503, body = Problem)),
    security(("bearer" = []), ("cookie" = []))
)]
#[post("/cameras/{id}/snapshots")]
pub async fn capture(
    ctx: Ctx,
    who: AsOperator,
    id: web::Path<i64>,
    body: OptionalJson<SnapshotRequest>,
) -> Result<HttpResponse, ApiError> {
    let stored = snapshots::capture(&ctx, &who, *id, body.0).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/snapshots/{}", stored.id)))
        .json(stored))
}

#[utoipa::path(
    tag = "snapshots",
    params(("id" = i64, Path, description = "camera id")),
    responses((status = 200, body = [Snapshot]), (status = 404, body = Problem)),
    security(("bearer" = []), ("cookie" = []))
)]
#[get("/cameras/{id}/snapshots")]
pub async fn list(
    ctx: Ctx,
    _who: Caller,
    id: web::Path<i64>,
) -> Result<web::Json<Vec<Snapshot>>, ApiError> {
    Ok(web::Json(snapshots::list(&ctx, *id).await?))
}

#[utoipa::path(
    tag = "snapshots",
    params(("id" = i64, Path, description = "snapshot id")),
    responses((status = 200, body = Snapshot), (status = 404, body = Problem)),
    security(("bearer" = []), ("cookie" = []))
)]
#[get("/snapshots/{id}")]
pub async fn get_one(
    ctx: Ctx,
    _who: Caller,
    id: web::Path<i64>,
) -> Result<web::Json<Snapshot>, ApiError> {
    Ok(web::Json(snapshots::get(&ctx, *id).await?))
}

#[utoipa::path(
    tag = "snapshots",
    params(("id" = i64, Path, description = "snapshot id")),
    responses((status = 200, content_type = "image/jpeg", description = "the stored JPEG"), (status = 404, body = Problem)),
    security(("bearer" = []), ("cookie" = []))
)]
#[get("/snapshots/{id}/image")]
pub async fn image(ctx: Ctx, _who: Caller, id: web::Path<i64>) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok()
        .content_type("image/jpeg")
        .insert_header(("Cache-Control", "private, max-age=86400"))
        .body(snapshots::image(&ctx, *id).await?))
}

#[utoipa::path(
    tag = "snapshots",
    params(("id" = i64, Path, description = "snapshot id")),
    responses((status = 403, body = Problem), (status = 204), (status = 404, body = Problem)),
    security(("bearer" = []), ("cookie" = []))
)]
#[delete("/snapshots/{id}")]
pub async fn remove(
    ctx: Ctx,
    who: AsOperator,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    snapshots::delete(&ctx, &who, *id).await?;
    Ok(HttpResponse::NoContent().finish())
}
