//! `/api/v1/users`: user administration (admin only; anyone may read themselves).

use actix_web::{HttpResponse, delete, get, patch, post, web};

use super::error::{ApiError, Problem};
use super::guard::{AsAdmin, Caller};
use super::json::ValidJson;
use crate::service::Context;
use crate::service::users::{self, NewUser, UserPatch, UserView};

type Ctx = web::Data<Context>;

#[utoipa::path(tag = "users", responses((status = 200, body = [UserView]), (status = 403, body = Problem)), security(("bearer" = []), ("cookie" = [])))]
#[get("/users")]
pub async fn list(ctx: Ctx, _who: AsAdmin) -> Result<web::Json<Vec<UserView>>, ApiError> {
    Ok(web::Json(users::list(&ctx).await?))
}

#[utoipa::path(tag = "users", params(("id" = i64, Path, description = "user id")), responses((status = 200, body = UserView), (status = 404, body = Problem)), security(("bearer" = []), ("cookie" = [])))]
#[get("/users/{id}")]
pub async fn get_one(
    ctx: Ctx,
    who: Caller,
    id: web::Path<i64>,
) -> Result<web::Json<UserView>, ApiError> {
    Ok(web::Json(users::get(&ctx, &who, *id).await?))
}

#[utoipa::path(tag = "users", request_body = NewUser, responses((status = 403, body = Problem), (status = 201, body = UserView), (status = 409, body = Problem), (status = 422, body = Problem)), security(("bearer" = []), ("cookie" = [])))]
#[post("/users")]
pub async fn create(
    ctx: Ctx,
    who: AsAdmin,
    body: ValidJson<NewUser>,
) -> Result<HttpResponse, ApiError> {
    let user = users::create(&ctx, &who, body.0).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/users/{}", user.id)))
        .json(user))
}

#[utoipa::path(tag = "users", params(("id" = i64, Path, description = "user id")), request_body = UserPatch, responses((status = 403, body = Problem), (status = 200, body = UserView), (status = 409, body = Problem, description = "would leave no active admin"), (status = 422, body = Problem)), security(("bearer" = []), ("cookie" = [])))]
#[patch("/users/{id}")]
pub async fn update(
    ctx: Ctx,
    who: AsAdmin,
    id: web::Path<i64>,
    body: ValidJson<UserPatch>,
) -> Result<web::Json<UserView>, ApiError> {
    Ok(web::Json(users::update(&ctx, &who, *id, body.0).await?))
}

#[utoipa::path(tag = "users", params(("id" = i64, Path, description = "user id")), responses((status = 403, body = Problem), (status = 204), (status = 404, body = Problem), (status = 409, body = Problem)), security(("bearer" = []), ("cookie" = [])))]
#[delete("/users/{id}")]
pub async fn remove(ctx: Ctx, who: AsAdmin, id: web::Path<i64>) -> Result<HttpResponse, ApiError> {
    users::delete(&ctx, &who, *id).await?;
    Ok(HttpResponse::NoContent().finish())
}
