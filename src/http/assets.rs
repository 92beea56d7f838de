//! `/api/v1/assets` (AS-1): the asset library. Pictures are uploaded as
//! `multipart/form-data` (part `file`, optional part `name`), their type checked by content;
//! URL images, text and clocks are created with JSON.

use actix_web::{FromRequest, HttpRequest, HttpResponse, delete, get, post, web};
use futures::StreamExt;

use super::error::{ApiError, Problem};
use super::json::ValidJson;
use crate::app::AppState;
use crate::auth::{AsOperator, Principal};
use crate::domain::FieldError;
use crate::domain::asset::{AssetInput, validate};
use crate::store::assets::{self, AssetRow, AssetWrite};
use crate::store::audit;

type State = web::Data<AppState>;

async fn load(state: &AppState, id: i64) -> Result<AssetRow, ApiError> {
    assets::get(&state.pool, id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("asset {id} does not exist")))
}

/// Write a picture file atomically (temp file, then rename): a reader never sees half.
pub async fn store_picture(state: &AppState, id: i64, bytes: &[u8]) -> Result<(), ApiError> {
    let dir = state.assets_dir();
    let io = |e: std::io::Error| ApiError::Internal(anyhow::anyhow!("storing asset {id}: {e}"));
    tokio::fs::create_dir_all(&dir).await.map_err(io)?;
    let path = crate::assets::picture_path(&dir, id);
    let tmp = path.with_extension("tmp");
    tokio::fs::write(&tmp, bytes).await.map_err(io)?;
    tokio::fs::rename(&tmp, &path).await.map_err(io)?;
    Ok(())
}

/// Upload a picture (multipart: `file`, optional `name`) or create a URL image, text or
/// clock (JSON body, see AssetInput).
#[utoipa::path(tag = "assets", request_body(content = AssetInput, description = "JSON for url_image/text/clock; multipart/form-data with a `file` part (PNG, JPEG or WebP) for uploads"), responses((status = 201, body = AssetRow), (status = 413, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem)), security(("bearer" = []), ("cookie" = [])))]
#[post("/assets")]
pub async fn create(
    state: State,
    who: AsOperator,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let content_type = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let row = if content_type.starts_with("multipart/form-data") {
        upload(&state, &req, payload).await?
    } else {
        let ValidJson(input) =
            ValidJson::<AssetInput>::from_request(&req, &mut payload.into_inner()).await?;
        let valid = validate(&input).map_err(ApiError::Validation)?;
        let row = assets::insert(
            &state.pool,
            &AssetWrite {
                name: valid.name,
                kind: valid.kind.into(),
                url: valid.url,
                refresh_secs: valid.refresh_secs.map(i64::from),
                text: valid.text,
                font_size: valid.font_size.into(),
                color: valid.color,
                ..Default::default()
            },
        )
        .await?;
        // A URL image is fetched by the refresher within a second, then at its own interval.
        row
    };
    audit::record(
        &state.pool,
        who.audit_user(),
        "asset.create",
        Some(format!("asset:{}", row.id)),
        Some(serde_json::json!({"name": row.name, "kind": row.kind})),
    )
    .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/assets/{}", row.id)))
        .json(row))
}

async fn upload(
    state: &AppState,
    req: &HttpRequest,
    payload: web::Payload,
) -> Result<AssetRow, ApiError> {
    let limit = state.config.assets.max_upload_bytes;
    let declared = req
        .headers()
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    // Multipart framing adds a little; anything far beyond the limit is refused unread.
    if declared.is_some_and(|n| n > limit + 64 * 1024) {
        return Err(ApiError::PayloadTooLarge(limit));
    }
    let mut multipart = actix_multipart::Multipart::new(req.headers(), payload.into_inner());
    let mut file: Option<(Vec<u8>, Option<String>)> = None;
    let mut name: Option<String> = None;
    let bad =
        |field: &str, message: String| ApiError::Validation(vec![FieldError::new(field, message)]);
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
                    ApiError::PayloadTooLarge(limit)
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
    let (bytes, filename) =
        file.ok_or_else(|| bad("file", "is required (a PNG, JPEG or WebP picture)".into()))?;
    let name = name.or(filename).unwrap_or_else(|| "picture".into());
    let mut v = crate::domain::Validation::default();
    let name = crate::domain::check_text(&mut v, "name", &name, 1, 100);
    v.finish(()).map_err(ApiError::Validation)?;
    let size = bytes.len();
    let (bytes, decoded) = tokio::task::spawn_blocking(move || {
        let d = crate::assets::decode(&bytes);
        (bytes, d)
    })
    .await
    .map_err(|e| ApiError::Internal(e.into()))?;
    let decoded = decoded.map_err(|m| bad("file", m))?;
    let row = assets::insert(
        &state.pool,
        &AssetWrite {
            name,
            kind: "image".into(),
            mime: Some(decoded.mime.into()),
            width: Some(decoded.raster.width.into()),
            height: Some(decoded.raster.height.into()),
            size_bytes: Some(size as i64),
            font_size: 32,
            color: "#ffffff".into(),
            ..Default::default()
        },
    )
    .await?;
    if let Err(e) = store_picture(state, row.id, &bytes).await {
        let _ = assets::delete(&state.pool, row.id).await;
        return Err(e);
    }
    state.pictures.put(row.id, decoded.raster);
    Ok(row)
}

#[utoipa::path(tag = "assets", responses((status = 200, body = [AssetRow])), security(("bearer" = []), ("cookie" = [])))]
#[get("/assets")]
pub async fn list(state: State, _who: Principal) -> Result<web::Json<Vec<AssetRow>>, ApiError> {
    Ok(web::Json(assets::list(&state.pool).await?))
}

#[utoipa::path(tag = "assets", params(("id" = i64, Path, description = "asset id")), responses((status = 200, body = AssetRow), (status = 404, body = Problem)), security(("bearer" = []), ("cookie" = [])))]
#[get("/assets/{id}")]
pub async fn get_one(
    state: State,
    _who: Principal,
    id: web::Path<i64>,
) -> Result<web::Json<AssetRow>, ApiError> {
    Ok(web::Json(load(&state, *id).await?))
}

/// A PNG of what the asset looks like now (a clock shows the current time).
#[utoipa::path(tag = "assets", params(("id" = i64, Path, description = "asset id")), responses((status = 200, content_type = "image/png"), (status = 404, body = Problem), (status = 409, body = Problem)), security(("bearer" = []), ("cookie" = [])))]
#[get("/assets/{id}/preview")]
pub async fn preview(
    state: State,
    _who: Principal,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    use vistterstream_actors::output::overlay::{clock_text, render_text};
    let row = load(&state, *id).await?;
    let color = crate::domain::asset::parse_color(&row.color).unwrap_or([255, 255, 255, 255]);
    let raster = match row.kind.as_str() {
        "text" | "clock" => {
            let text = row.text.clone().unwrap_or_default();
            let text = if row.kind == "clock" {
                clock_text(&text)
            } else {
                text
            };
            let size = row.font_size.clamp(8, 200) as u32;
            web::block(move || render_text(&text, size, color))
                .await
                .map_err(|e| ApiError::Internal(e.into()))?
                .map(std::sync::Arc::new)
                .ok_or_else(|| {
                    ApiError::Internal(anyhow::anyhow!("no font installed (fonts-dejavu-core)"))
                })?
        }
        _ => state.picture(row.id).await.ok_or_else(|| {
            ApiError::Conflict(format!(
                "asset {} has no picture yet{}",
                row.id,
                row.last_error
                    .as_deref()
                    .map(|e| format!(": {e}"))
                    .unwrap_or_default()
            ))
        })?,
    };
    let png = web::block(move || {
        let mut out = std::io::Cursor::new(Vec::new());
        image::RgbaImage::from_raw(raster.width, raster.height, raster.rgba.to_vec())
            .ok_or_else(|| "picture size mismatch".to_string())?
            .write_to(&mut out, image::ImageFormat::Png)
            .map_err(|e| e.to_string())?;
        Ok::<_, String>(out.into_inner())
    })
    .await
    .map_err(|e| ApiError::Internal(e.into()))?
    .map_err(|e| ApiError::Internal(anyhow::anyhow!("encoding the preview: {e}")))?;
    Ok(HttpResponse::Ok().content_type("image/png").body(png))
}

#[utoipa::path(tag = "assets", params(("id" = i64, Path, description = "asset id")), responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem)), security(("bearer" = []), ("cookie" = [])))]
#[delete("/assets/{id}")]
pub async fn remove(
    state: State,
    who: AsOperator,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let row = load(&state, *id).await?;
    let mut users = assets::outputs_using(&state.pool, row.id).await?;
    users.extend(crate::store::outputs::with_slate_asset(&state.pool, row.id).await?);
    users.sort_unstable();
    users.dedup();
    if !users.is_empty() {
        return Err(ApiError::Conflict(format!(
            "asset {} is shown by outputs {:?}; remove it from their overlays and slates first",
            row.id, users
        )));
    }
    assets::delete(&state.pool, row.id).await?;
    state.pictures.forget(row.id);
    let _ = tokio::fs::remove_file(crate::assets::picture_path(&state.assets_dir(), row.id)).await;
    audit::record(
        &state.pool,
        who.audit_user(),
        "asset.delete",
        Some(format!("asset:{}", row.id)),
        Some(serde_json::json!({"name": row.name})),
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
