//! `/api/v1/assets` (AS-1): the asset library. Pictures are uploaded as
//! `multipart/form-data` (part `file`, optional part `name`), their type checked by content;
//! URL images, text and clocks are created with JSON.

use actix_web::{FromRequest, HttpRequest, HttpResponse, delete, get, post, web};
use futures::StreamExt;

use super::error::{ApiError, Problem};
use super::guard::{AsOperator, Caller};
use super::json::{ValidJson, media_type};
use crate::domain::asset::{Asset, AssetInput};
use crate::service::Context;
use crate::service::assets;

type Ctx = web::Data<Context>;

/// Upload a picture (multipart: `file`, optional `name`) or create a URL image, text or
/// clock (JSON body, see AssetInput).
#[utoipa::path(tag = "assets", request_body(content = AssetInput, description = "JSON for url_image/text/clock; multipart/form-data with a `file` part (PNG, JPEG or WebP) for uploads"), responses((status = 403, body = Problem), (status = 201, body = Asset), (status = 413, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem)), security(("bearer" = []), ("cookie" = [])))]
#[post("/assets")]
pub async fn create(
    ctx: Ctx,
    who: AsOperator,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let row = if media_type(&req) == "multipart/form-data" {
        let form = read_upload(assets::max_upload_bytes(&ctx), &req, payload).await?;
        assets::upload(&ctx, &who, form.name, form.file_name, form.bytes).await?
    } else {
        let ValidJson(input) =
            ValidJson::<AssetInput>::from_request(&req, &mut payload.into_inner()).await?;
        assets::create(&ctx, &who, input).await?
    };
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/assets/{}", row.id)))
        .json(row))
}

/// What an upload form carried.
struct UploadForm {
    bytes: Vec<u8>,
    file_name: Option<String>,
    name: Option<String>,
}

/// Read a multipart upload (`file`, optional `name`), refusing more than `limit` bytes of
/// picture.
async fn read_upload(
    limit: usize,
    req: &HttpRequest,
    payload: web::Payload,
) -> Result<UploadForm, ApiError> {
    let declared = req
        .headers()
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    // Multipart framing adds a little; anything far beyond the limit is refused unread.
    if declared.is_some_and(|n| n > limit + 64 * 1024) {
        return Err(ApiError::too_large(limit));
    }
    let mut multipart = actix_multipart::Multipart::new(req.headers(), payload.into_inner());
    let mut file: Option<(Vec<u8>, Option<String>)> = None;
    let mut name: Option<String> = None;
    let bad = |field: &str, message: String| ApiError::field(field, message);
    while let Some(part) = multipart.next().await {
        let mut part = part.map_err(|e| bad("file", format!("malformed multipart body: {e}")))?;
        let field = part.name().unwrap_or("").to_string();
        let filename = part
            .content_disposition()
            .and_then(|c| c.get_filename())
            .map(str::to_string);
        let mut data = Vec::new();
        while let Some(chunk) = part.next().await {
            let chunk = chunk.map_err(|e| bad(&field, format!("reading the upload: {e}")))?;
            let cap = if field == "file" { limit } else { 1024 };
            if data.len() + chunk.len() > cap {
                return Err(if field == "file" {
                    ApiError::too_large(limit)
                } else {
                    bad(&field, "is too long".into())
                });
            }
            data.extend_from_slice(&chunk);
        }
        match field.as_str() {
            "file" => file = Some((data, filename)),
            "name" => name = Some(String::from_utf8_lossy(&data).to_string()),
            other => {
                return Err(bad(
                    other,
                    "unknown part; send `file` and optionally `name`".into(),
                ));
            }
        }
    }
    let (bytes, file_name) =
        file.ok_or_else(|| bad("file", "is required (a PNG, JPEG or WebP picture)".into()))?;
    Ok(UploadForm {
        bytes,
        file_name,
        name,
    })
}

#[utoipa::path(tag = "assets", responses((status = 200, body = [Asset])), security(("bearer" = []), ("cookie" = [])))]
#[get("/assets")]
pub async fn list(ctx: Ctx, _who: Caller) -> Result<web::Json<Vec<Asset>>, ApiError> {
    Ok(web::Json(assets::list(&ctx).await?))
}

#[utoipa::path(tag = "assets", params(("id" = i64, Path, description = "asset id")), responses((status = 200, body = Asset), (status = 404, body = Problem)), security(("bearer" = []), ("cookie" = [])))]
#[get("/assets/{id}")]
pub async fn get_one(
    ctx: Ctx,
    _who: Caller,
    id: web::Path<i64>,
) -> Result<web::Json<Asset>, ApiError> {
    Ok(web::Json(assets::get(&ctx, *id).await?))
}

/// A PNG of what the asset looks like now (a clock shows the current time).
#[utoipa::path(tag = "assets", params(("id" = i64, Path, description = "asset id")), responses((status = 200, content_type = "image/png"), (status = 404, body = Problem), (status = 409, body = Problem)), security(("bearer" = []), ("cookie" = [])))]
#[get("/assets/{id}/preview")]
pub async fn preview(ctx: Ctx, _who: Caller, id: web::Path<i64>) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok()
        .content_type("image/png")
        .body(assets::preview(&ctx, *id).await?))
}

#[utoipa::path(tag = "assets", params(("id" = i64, Path, description = "asset id")), responses((status = 403, body = Problem), (status = 204), (status = 404, body = Problem), (status = 409, body = Problem)), security(("bearer" = []), ("cookie" = [])))]
#[delete("/assets/{id}")]
pub async fn remove(
    ctx: Ctx,
    who: AsOperator,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    assets::delete(&ctx, &who, *id).await?;
    Ok(HttpResponse::NoContent().finish())
}
