//! `/api/v1/cameras/{id}/presets` and `/api/v1/presets/{id}` (PTZ-3): capture, recall
//! (settled), test, rename, delete (also on the camera), thumbnails, import and export.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::error::{ApiError, Problem};
use super::guard::{AsOperator, Caller};
use super::json::ValidJson;
use crate::service::Context;
use crate::service::preset_transfer::{self, PresetExport};
use crate::service::presets::{self, PresetCapture, PresetPatch, PresetTestView, PresetView};
use crate::service::ptz::MoveOutcomeView;

type Ctx = web::Data<Context>;

#[utoipa::path(
    tag = "presets",
    params(("id" = i64, Path, description = "camera id")),
    responses((status = 200, body = [PresetView]), (status = 404, body = Problem), (status = 409, body = Problem)),
    security(("bearer" = []), ("cookie" = []))
)]
#[get("/cameras/{id}/presets")]
pub async fn list_presets(
    ctx: Ctx,
    _who: Caller,
    path: web::Path<i64>,
) -> Result<web::Json<Vec<PresetView>>, ApiError> {
    Ok(web::Json(presets::list(&ctx, *path).await?))
}

/// Capture the current position as a preset: GetStatus, SetPreset on the camera, store the
/// coordinates (when reported) and the camera's token, then a thumbnail.
#[utoipa::path(
    tag = "presets",
    params(("id" = i64, Path, description = "camera id")),
    request_body = PresetCapture,
    responses((status = 403, body = Problem), (status = 201, body = PresetView), (status = 409, body = Problem),
              (status = 422, body = Problem), (status = 502, body = Problem), (status = 503, body = Problem)),
    security(("bearer" = []), ("cookie" = []))
)]
#[post("/cameras/{id}/presets")]
pub async fn capture(
    ctx: Ctx,
    who: AsOperator,
    path: web::Path<i64>,
    body: ValidJson<PresetCapture>,
) -> Result<HttpResponse, ApiError> {
    let preset = presets::capture(&ctx, &who, *path, body.0).await?;
    Ok(HttpResponse::Created().json(preset))
}

#[utoipa::path(
    tag = "presets",
    params(("id" = i64, Path, description = "preset id")),
    responses((status = 200, body = PresetView), (status = 404, body = Problem)),
    security(("bearer" = []), ("cookie" = []))
)]
#[get("/presets/{id}")]
pub async fn get_preset(
    ctx: Ctx,
    _who: Caller,
    path: web::Path<i64>,
) -> Result<web::Json<PresetView>, ApiError> {
    Ok(web::Json(presets::get(&ctx, *path).await?))
}

/// Rename a preset or correct its coordinates.
#[utoipa::path(
    tag = "presets",
    params(("id" = i64, Path, description = "preset id")),
    request_body = PresetPatch,
    responses((status = 403, body = Problem), (status = 200, body = PresetView), (status = 404, body = Problem),
              (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = []), ("cookie" = []))
)]
#[patch("/presets/{id}")]
pub async fn update_preset(
    ctx: Ctx,
    who: AsOperator,
    path: web::Path<i64>,
    body: ValidJson<PresetPatch>,
) -> Result<web::Json<PresetView>, ApiError> {
    Ok(web::Json(presets::update(&ctx, &who, *path, body.0).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct DeleteQuery {
    /// Delete the stored preset even when the camera cannot remove its own (unreachable).
    #[serde(default)]
    pub force: bool,
}

/// Delete a preset here and on the camera (RemovePreset).
#[utoipa::path(
    tag = "presets",
    params(("id" = i64, Path, description = "preset id"), DeleteQuery),
    responses((status = 403, body = Problem), (status = 204), (status = 404, body = Problem), (status = 502, body = Problem), (status = 503, body = Problem)),
    security(("bearer" = []), ("cookie" = []))
)]
#[delete("/presets/{id}")]
pub async fn delete_preset(
    ctx: Ctx,
    who: AsOperator,
    path: web::Path<i64>,
    query: web::Query<DeleteQuery>,
) -> Result<HttpResponse, ApiError> {
    presets::delete(&ctx, &who, *path, query.force).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct GotoQuery {
    /// Answer once settled (default) or as soon as the camera accepted the move.
    pub wait: Option<bool>,
}

/// Go to a preset: absolute move to its coordinates when the camera reports positions, else
/// GotoPreset with its token; answers when settled (bounded) with the reached position.
#[utoipa::path(
    tag = "presets",
    params(("id" = i64, Path, description = "preset id"), GotoQuery),
    responses((status = 403, body = Problem), (status = 200, body = MoveOutcomeView), (status = 404, body = Problem),
              (status = 409, body = Problem), (status = 502, body = Problem), (status = 503, body = Problem)),
    security(("bearer" = []), ("cookie" = []))
)]
#[post("/presets/{id}/goto")]
pub async fn goto_preset(
    ctx: Ctx,
    _who: AsOperator,
    path: web::Path<i64>,
    query: web::Query<GotoQuery>,
) -> Result<web::Json<MoveOutcomeView>, ApiError> {
    let wait = query.wait.unwrap_or(true);
    Ok(web::Json(presets::goto_preset(&ctx, *path, wait).await?))
}

/// Go to a preset, wait until settled, and take a new thumbnail.
#[utoipa::path(
    tag = "presets",
    params(("id" = i64, Path, description = "preset id")),
    responses((status = 403, body = Problem), (status = 200, body = PresetTestView), (status = 404, body = Problem),
              (status = 502, body = Problem), (status = 503, body = Problem)),
    security(("bearer" = []), ("cookie" = []))
)]
#[post("/presets/{id}/test")]
pub async fn test_preset(
    ctx: Ctx,
    _who: AsOperator,
    path: web::Path<i64>,
) -> Result<web::Json<PresetTestView>, ApiError> {
    Ok(web::Json(presets::test(&ctx, *path).await?))
}

#[utoipa::path(
    tag = "presets",
    params(("id" = i64, Path, description = "preset id")),
    responses((status = 200, content_type = "image/jpeg", description = "the preset's thumbnail"), (status = 404, body = Problem)),
    security(("bearer" = []), ("cookie" = []))
)]
#[get("/presets/{id}/thumbnail")]
pub async fn preset_thumbnail(
    ctx: Ctx,
    _who: Caller,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok()
        .content_type("image/jpeg")
        .insert_header(("Cache-Control", "no-cache"))
        .body(presets::thumbnail(&ctx, *path).await?))
}

#[utoipa::path(
    tag = "presets",
    params(("id" = i64, Path, description = "camera id")),
    responses((status = 200, body = PresetExport), (status = 404, body = Problem), (status = 409, body = Problem)),
    security(("bearer" = []), ("cookie" = []))
)]
#[get("/cameras/{id}/presets/export")]
pub async fn export_presets(
    ctx: Ctx,
    _who: Caller,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = *path;
    let export = preset_transfer::export(&ctx, id).await?;
    Ok(HttpResponse::Ok()
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"camera-{id}-presets.json\""),
        ))
        .json(export))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ImportQuery {
    /// Replace the camera's stored presets instead of adding to them.
    #[serde(default)]
    pub replace: bool,
}

/// Import presets exported from this or another camera. Stored only: the camera is not
/// moved. Tokens are kept (valid when the file comes from this camera, e.g. after a
/// reinstall); coordinates are what a recall uses on a camera that reports positions.
#[utoipa::path(
    tag = "presets",
    params(("id" = i64, Path, description = "camera id"), ImportQuery),
    request_body = PresetExport,
    responses((status = 403, body = Problem), (status = 201, body = [PresetView]), (status = 404, body = Problem),
              (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = []), ("cookie" = []))
)]
#[post("/cameras/{id}/presets/import")]
pub async fn import_presets(
    ctx: Ctx,
    who: AsOperator,
    path: web::Path<i64>,
    query: web::Query<ImportQuery>,
    body: ValidJson<PresetExport>,
) -> Result<HttpResponse, ApiError> {
    let imported = preset_transfer::import(&ctx, &who, *path, query.replace, body.0).await?;
    Ok(HttpResponse::Created().json(imported))
}
