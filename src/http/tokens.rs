//! `/api/v1/tokens`: scoped API tokens for automation and VistterStudio. The token itself is
//! shown once, at creation; afterwards only its prefix.

use actix_web::{HttpResponse, delete, get, post, web};

use super::error::{ApiError, Problem};
use super::guard::{AsOperator, Caller};
use super::json::ValidJson;
use crate::domain::user::ApiToken;
use crate::service::Context;
use crate::service::tokens::{self, CreatedToken, NewToken};

type Ctx = web::Data<Context>;

#[utoipa::path(tag = "tokens", responses((status = 200, body = [ApiToken])), security(("bearer" = []), ("cookie" = [])))]
#[get("/tokens")]
pub async fn list(ctx: Ctx, who: Caller) -> Result<web::Json<Vec<ApiToken>>, ApiError> {
    Ok(web::Json(tokens::list(&ctx, &who).await?))
}

#[utoipa::path(tag = "tokens", request_body = NewToken, responses((status = 403, body = Problem), (status = 201, body = CreatedToken), (status = 422, body = Problem)), security(("bearer" = []), ("cookie" = [])))]
#[post("/tokens")]
pub async fn create(
    ctx: Ctx,
    who: AsOperator,
    body: ValidJson<NewToken>,
) -> Result<HttpResponse, ApiError> {
    let created = tokens::create(&ctx, &who, body.0).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Cache-Control", "no-store"))
        .json(created))
}

#[utoipa::path(tag = "tokens", params(("id" = i64, Path, description = "token id")), responses((status = 403, body = Problem), (status = 204), (status = 404, body = Problem)), security(("bearer" = []), ("cookie" = [])))]
#[delete("/tokens/{id}")]
pub async fn revoke(
    ctx: Ctx,
    who: AsOperator,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    tokens::revoke(&ctx, &who, *id).await?;
    Ok(HttpResponse::NoContent().finish())
}
