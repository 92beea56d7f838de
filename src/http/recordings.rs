//! `/api/v1/recordings` (OUT-7): the program's MP4 segments: list, download, delete.

use std::str::FromStr;

use actix_web::{HttpRequest, HttpResponse, delete, get, web};

use super::error::{ApiError, Problem};
use crate::app::AppState;
use crate::auth::{AsOperator, Principal};
use crate::recordings::{self, Recording};
use crate::store::audit;

type State = web::Data<AppState>;

fn io_error(e: std::io::Error) -> ApiError {
    ApiError::Internal(anyhow::anyhow!("reading the recordings directory: {e}"))
}

fn checked_name(name: &str) -> Result<&str, ApiError> {
    recordings::parse_name(name)
        .map(|_| name)
        .ok_or_else(|| ApiError::NotFound(format!("recording {name} does not exist")))
}

#[utoipa::path(tag = "recordings", responses((status = 200, body = [Recording])), security(("bearer" = []), ("cookie" = [])))]
#[get("/recordings")]
pub async fn list(state: State, _who: Principal) -> Result<web::Json<Vec<Recording>>, ApiError> {
    let dir = state.recordings_dir();
    let all = web::block(move || recordings::list(&dir))
        .await
        .map_err(|e| ApiError::Internal(e.into()))?
        .map_err(io_error)?;
    Ok(web::Json(all))
}

/// Download one segment (`video/mp4`, byte ranges supported).
#[utoipa::path(tag = "recordings", params(("name" = String, Path, description = "file name from the list")), responses((status = 200, content_type = "video/mp4"), (status = 404, body = Problem)), security(("bearer" = []), ("cookie" = [])))]
#[get("/recordings/{name}")]
pub async fn download(
    state: State,
    _who: Principal,
    name: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let name = checked_name(&name)?;
    let path = state.recordings_dir().join(name);
    let file = actix_files::NamedFile::open_async(&path)
        .await
        .map_err(|_| ApiError::NotFound(format!("recording {name} does not exist")))?
        .set_content_type(
            actix_web::mime::Mime::from_str("video/mp4")
                .map_err(|e| ApiError::Internal(e.into()))?,
        )
        .set_content_disposition(actix_web::http::header::ContentDisposition {
            disposition: actix_web::http::header::DispositionType::Attachment,
            parameters: vec![actix_web::http::header::DispositionParam::Filename(
                name.to_string(),
            )],
        });
    Ok(file.into_response(&req))
}

#[utoipa::path(tag = "recordings", params(("name" = String, Path, description = "file name from the list")), responses((status = 204), (status = 404, body = Problem)), security(("bearer" = []), ("cookie" = [])))]
#[delete("/recordings/{name}")]
pub async fn remove(
    state: State,
    who: AsOperator,
    name: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let name = checked_name(&name)?.to_string();
    let path = state.recordings_dir().join(&name);
    match tokio::fs::remove_file(&path).await {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(ApiError::NotFound(format!(
                "recording {name} does not exist"
            )));
        }
        Err(e) => return Err(io_error(e)),
    }
    audit::record(
        &state.pool,
        who.audit_user(),
        "recording.delete",
        Some(format!("recording:{name}")),
        None,
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
