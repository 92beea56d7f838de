//! `/api/v1/recordings` (OUT-7): the program's MP4 segments: list, download, delete.

use std::str::FromStr;

use actix_web::{HttpRequest, HttpResponse, delete, get, web};

use super::error::{ApiError, Problem};
use super::guard::{AsOperator, Caller};
use crate::service::Context;
use crate::service::recordings::{self, Recording};

type Ctx = web::Data<Context>;

#[utoipa::path(tag = "recordings", responses((status = 200, body = [Recording])), security(("bearer" = []), ("cookie" = [])))]
#[get("/recordings")]
pub async fn list(ctx: Ctx, _who: Caller) -> Result<web::Json<Vec<Recording>>, ApiError> {
    Ok(web::Json(recordings::list(&ctx).await?))
}

/// Download one segment (`video/mp4`, byte ranges supported).
#[utoipa::path(tag = "recordings", params(("name" = String, Path, description = "file name from the list")), responses((status = 200, content_type = "video/mp4"), (status = 404, body = Problem)), security(("bearer" = []), ("cookie" = [])))]
#[get("/recordings/{name}")]
pub async fn download(
    ctx: Ctx,
    _who: Caller,
    name: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let name = name.as_str();
    let path = recordings::path(&ctx, name)?;
    let file = actix_files::NamedFile::open_async(&path)
        .await
        .map_err(|_| ApiError::not_found(format!("recording {name} does not exist")))?
        .set_content_type(
            actix_web::mime::Mime::from_str("video/mp4")
                .map_err(|e| ApiError::from(crate::service::ServiceError::internal(e)))?,
        )
        .set_content_disposition(actix_web::http::header::ContentDisposition {
            disposition: actix_web::http::header::DispositionType::Attachment,
            parameters: vec![actix_web::http::header::DispositionParam::Filename(
                name.to_string(),
            )],
        });
    Ok(file.into_response(&req))
}

#[utoipa::path(tag = "recordings", params(("name" = String, Path, description = "file name from the list")), responses((status = 403, body = Problem), (status = 204), (status = 404, body = Problem)), security(("bearer" = []), ("cookie" = [])))]
#[delete("/recordings/{name}")]
pub async fn remove(
    ctx: Ctx,
    who: AsOperator,
    name: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    recordings::delete(&ctx, &who, &name).await?;
    Ok(HttpResponse::NoContent().finish())
}
