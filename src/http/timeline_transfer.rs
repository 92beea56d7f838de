//! `POST /api/v1/timelines/import` and `GET /api/v1/timelines/{id}/export` (TL-6).

use actix_web::{HttpResponse, get, post, web};

use super::error::{ApiError, Problem};
use super::guard::{AsOperator, Caller};
use super::json::ValidJson;
use crate::domain::timeline::document::TimelineDocument;
use crate::service::Context;
use crate::service::timeline_transfer::{self, ImportInput, Imported};

type Ctx = web::Data<Context>;

#[utoipa::path(tag = "timelines", request_body = ImportInput, responses((status = 201, body = Imported, description = "stored (under a free name); `notes` say what the import changed or left out"), (status = 403, body = Problem), (status = 422, body = Problem, description = "not a timeline either format reads, a newer schema_version, a reference nothing here matches (by its path)")), security(("bearer" = []), ("cookie" = [])))]
#[post("/timelines/import")]
pub async fn import_timeline(
    ctx: Ctx,
    who: AsOperator,
    body: ValidJson<ImportInput>,
) -> Result<HttpResponse, ApiError> {
    let imported = timeline_transfer::import(&ctx, &who, body.0).await?;
    Ok(HttpResponse::Created()
        .insert_header((
            "Location",
            format!("/api/v1/timelines/{}", imported.timeline.id),
        ))
        .json(imported))
}

#[utoipa::path(tag = "timelines", params(("id" = i64, Path, description = "timeline id")), responses((status = 200, body = TimelineDocument, description = "schema_version 1, with the names of what it refers to"), (status = 404, body = Problem)), security(("bearer" = []), ("cookie" = [])))]
#[get("/timelines/{id}/export")]
pub async fn export_timeline(
    ctx: Ctx,
    _who: Caller,
    id: web::Path<i64>,
) -> Result<web::Json<TimelineDocument>, ApiError> {
    Ok(web::Json(timeline_transfer::export(&ctx, *id).await?))
}
