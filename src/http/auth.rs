//! `/api/v1/auth`: login (rate limited), logout, who am I, change password.

use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::{ApiError, Problem};
use super::guard::Caller;
use super::json::ValidJson;
use crate::auth::SESSION_COOKIE;
use crate::service::Context;
use crate::service::sessions::{self, MeResponse};
use crate::service::users::UserView;

type Ctx = web::Data<Context>;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    #[schema(write_only)]
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct LoginResponse {
    /// Use as `Authorization: Bearer <access_token>`; the same value is set as the session cookie.
    pub access_token: String,
    /// Always `bearer`.
    pub token_type: &'static str,
    /// Seconds until the session expires.
    pub expires_in: u64,
    pub user: UserView,
}

fn client_ip(req: &HttpRequest) -> std::net::IpAddr {
    // The peer address, not X-Forwarded-For: a client must not choose its own rate-limit key.
    req.peer_addr()
        .map(|a| a.ip())
        .unwrap_or(std::net::IpAddr::from([0, 0, 0, 0]))
}

fn session_cookie(ctx: &Context, value: String, max_age_s: i64) -> Cookie<'static> {
    Cookie::build(SESSION_COOKIE, value)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(ctx.config().auth.secure_cookie)
        .max_age(CookieDuration::seconds(max_age_s))
        .finish()
}

#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, body = LoginResponse, description = "also sets the HttpOnly SameSite=Strict session cookie"),
        (status = 401, body = Problem, description = "wrong username or password"),
        (status = 429, body = Problem, description = "too many attempts from this client")
    )
)]
#[post("/auth/login")]
pub async fn login(
    ctx: Ctx,
    req: HttpRequest,
    body: ValidJson<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let LoginRequest { username, password } = body.0;
    let session = sessions::login(&ctx, client_ip(&req), &username, password).await?;
    Ok(HttpResponse::Ok()
        .cookie(session_cookie(
            &ctx,
            session.token.clone(),
            session.ttl_s as i64,
        ))
        .insert_header(("Cache-Control", "no-store"))
        .json(LoginResponse {
            access_token: session.token,
            token_type: "bearer",
            expires_in: session.ttl_s,
            user: session.user,
        }))
}

#[utoipa::path(
    tag = "auth",
    responses((status = 204, description = "session ended, cookie cleared"), (status = 401, body = Problem)),
    security(("bearer" = []), ("cookie" = []))
)]
#[post("/auth/logout")]
pub async fn logout(ctx: Ctx, who: Caller) -> Result<HttpResponse, ApiError> {
    sessions::logout(&ctx, &who).await?;
    let mut gone = session_cookie(&ctx, String::new(), 0);
    gone.make_removal();
    Ok(HttpResponse::NoContent().cookie(gone).finish())
}

#[utoipa::path(
    tag = "auth",
    responses((status = 200, body = MeResponse), (status = 401, body = Problem)),
    security(("bearer" = []), ("cookie" = []))
)]
#[get("/auth/me")]
pub async fn me(ctx: Ctx, who: Caller) -> Result<web::Json<MeResponse>, ApiError> {
    Ok(web::Json(sessions::me(&ctx, &who).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePassword {
    #[schema(write_only)]
    pub current_password: String,
    /// At least 8 characters.
    #[schema(write_only, min_length = 8, max_length = 256)]
    pub new_password: String,
}

#[utoipa::path(
    tag = "auth",
    request_body = ChangePassword,
    responses((status = 204, description = "changed; other sessions of the user are ended"), (status = 422, body = Problem)),
    security(("bearer" = []), ("cookie" = []))
)]
#[post("/auth/password")]
pub async fn change_password(
    ctx: Ctx,
    who: Caller,
    body: ValidJson<ChangePassword>,
) -> Result<HttpResponse, ApiError> {
    let ChangePassword {
        current_password,
        new_password,
    } = body.0;
    sessions::change_password(&ctx, &who, current_password, new_password).await?;
    Ok(HttpResponse::NoContent().finish())
}
