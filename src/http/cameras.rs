//! `/api/v1/cameras`: camera records (CAM-1), connection tests (CAM-2) and the live
//! snapshot (CAM-4); each camera carries its live health (CAM-6).

use actix_web::{HttpResponse, delete, get, patch, post, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::error::{ApiError, Problem};
use super::guard::{AsOperator, Caller};
use super::json::ValidJson;
use crate::domain::camera::CameraInput;
use crate::domain::snapshot::SnapshotSource;
use crate::service::camera_tests::{self, TestResult};
use crate::service::cameras::{self, CameraPatch, CameraView};
use crate::service::{Context, snapshots};

type Ctx = web::Data<Context>;

#[utoipa::path(
    tag = "cameras",
    responses((status = 200, body = [CameraView]), (status = 401, body = Problem)),
    security(("bearer" = []), ("cookie" = []))
)]
#[get("/cameras")]
pub async fn list(ctx: Ctx, _who: Caller) -> Result<web::Json<Vec<CameraView>>, ApiError> {
    Ok(web::Json(cameras::list(&ctx).await?))
}

#[utoipa::path(
    tag = "cameras",
    params(("id" = i64, Path, description = "camera id")),
    responses((status = 200, body = CameraView), (status = 404, body = Problem)),
    security(("bearer" = []), ("cookie" = []))
)]
#[get("/cameras/{id}")]
pub async fn get_one(
    ctx: Ctx,
    _who: Caller,
    id: web::Path<i64>,
) -> Result<web::Json<CameraView>, ApiError> {
    Ok(web::Json(cameras::get(&ctx, *id).await?))
}

#[utoipa::path(
    tag = "cameras",
    request_body = CameraInput,
    responses(
        (status = 201, body = CameraView),
        (status = 400, body = Problem), (status = 403, body = Problem),
        (status = 413, body = Problem), (status = 422, body = Problem)
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[post("/cameras")]
pub async fn create(
    ctx: Ctx,
    who: AsOperator,
    body: ValidJson<CameraInput>,
) -> Result<HttpResponse, ApiError> {
    let camera = cameras::create(&ctx, &who, body.0).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/cameras/{}", camera.id)))
        .json(camera))
}

#[utoipa::path(
    tag = "cameras",
    params(("id" = i64, Path, description = "camera id")),
    request_body = CameraPatch,
    responses((status = 403, body = Problem), (status = 200, body = CameraView), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = []), ("cookie" = []))
)]
#[patch("/cameras/{id}")]
pub async fn update(
    ctx: Ctx,
    who: AsOperator,
    id: web::Path<i64>,
    body: ValidJson<CameraPatch>,
) -> Result<web::Json<CameraView>, ApiError> {
    Ok(web::Json(cameras::update(&ctx, &who, *id, body.0).await?))
}

#[utoipa::path(
    tag = "cameras",
    params(("id" = i64, Path, description = "camera id")),
    responses((status = 403, body = Problem), (status = 204), (status = 404, body = Problem), (status = 409, body = Problem)),
    security(("bearer" = []), ("cookie" = []))
)]
#[delete("/cameras/{id}")]
pub async fn remove(
    ctx: Ctx,
    who: AsOperator,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    cameras::delete(&ctx, &who, *id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Test an unsaved camera form: RTSP DESCRIBE/SETUP/PLAY and the first keyframe.
#[utoipa::path(
    tag = "cameras",
    request_body = CameraInput,
    responses((status = 403, body = Problem), (status = 200, body = TestResult), (status = 422, body = Problem)),
    security(("bearer" = []), ("cookie" = []))
)]
#[post("/cameras/test")]
pub async fn test_unsaved(
    ctx: Ctx,
    _who: AsOperator,
    body: ValidJson<CameraInput>,
) -> Result<web::Json<TestResult>, ApiError> {
    Ok(web::Json(camera_tests::test_unsaved(&ctx, body.0).await?))
}

/// Test a saved camera with its stored credentials.
#[utoipa::path(
    tag = "cameras",
    params(("id" = i64, Path, description = "camera id")),
    responses((status = 403, body = Problem), (status = 200, body = TestResult), (status = 404, body = Problem)),
    security(("bearer" = []), ("cookie" = []))
)]
#[post("/cameras/{id}/test")]
pub async fn test_saved(
    ctx: Ctx,
    _who: AsOperator,
    id: web::Path<i64>,
) -> Result<web::Json<TestResult>, ApiError> {
    Ok(web::Json(camera_tests::test_saved(&ctx, *id).await?))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SnapshotQuery {
    /// auto (default) | stream | http
    pub source: Option<SnapshotSource>,
}

#[utoipa::path(
    tag = "cameras",
    params(("id" = i64, Path, description = "camera id"), SnapshotQuery),
    responses(
        (status = 200, content_type = "image/jpeg", description = "JPEG of the live picture; header X-Snapshot-Source says stream or http"),
        (status = 404, body = Problem), (status = 503, body = Problem, description = "no picture yet")
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[get("/cameras/{id}/snapshot")]
pub async fn live_snapshot(
    ctx: Ctx,
    _who: Caller,
    id: web::Path<i64>,
    query: web::Query<SnapshotQuery>,
) -> Result<HttpResponse, ApiError> {
    let (jpeg, origin) = snapshots::live(&ctx, *id, query.source.unwrap_or_default()).await?;
    Ok(HttpResponse::Ok()
        .content_type("image/jpeg")
        .insert_header(("Cache-Control", "no-store"))
        .insert_header(("X-Image-Width", jpeg.width.to_string()))
        .insert_header(("X-Image-Height", jpeg.height.to_string()))
        .insert_header(("X-Snapshot-Source", origin.as_str()))
        .body(jpeg.data))
}
