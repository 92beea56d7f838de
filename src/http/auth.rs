//! `/api/v1/auth`: login (rate limited), logout, who am I, change password.

use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::{ApiError, Problem};
use super::json::ValidJson;
use super::users::UserView;
use crate::app::AppState;
use crate::auth::{Principal, SESSION_COOKIE, password, tokens};
use crate::domain::Validation;
use crate::domain::user::validate_password;
use crate::store::{audit, users};

type State = web::Data<AppState>;

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

fn session_cookie(state: &AppState, value: String, max_age_s: i64) -> Cookie<'static> {
    Cookie::build(SESSION_COOKIE, value)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(state.config.auth.secure_cookie)
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
    state: State,
    req: HttpRequest,
    body: ValidJson<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let ip = client_ip(&req);
    if let Err(not_until) = state.login_limiter.check_key(&ip) {
        let wait = not_until.wait_time_from(governor::clock::Clock::now(
            &governor::clock::DefaultClock::default(),
        ));
        return Err(ApiError::TooManyRequests(wait.as_secs().max(1)));
    }
    let LoginRequest {
        username,
        password: given,
    } = body.0;
    let user = users::by_username(&state.pool, username.trim()).await?;
    let stored = user
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| password::dummy_hash().to_string());
    let ok = web::block(move || password::verify(&given, &stored))
        .await
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("password check: {e}")))?;
    let user = match user {
        Some(u) if ok && !u.disabled => u,
        other => {
            // Only a real account is named: a typed name may be a password entered in the
            // wrong field, and must not end up in the audit log.
            let target = other.as_ref().map(|u| format!("user:{}", u.id));
            audit::record(
                &state.pool,
                None,
                "auth.login_failed",
                target,
                Some(serde_json::json!({"ip": ip.to_string()})),
            )
            .await?;
            tracing::warn!(ip = %ip, "failed login");
            return Err(ApiError::Unauthorized);
        }
    };
    let token = tokens::generate(tokens::SESSION_PREFIX);
    let ttl_s = u64::from(state.config.auth.session_ttl_hours.max(1)) * 3600;
    let expires = chrono::Utc::now() + chrono::Duration::seconds(ttl_s as i64);
    users::insert_session(
        &state.pool,
        user.id,
        &tokens::digest(&token),
        &crate::store::timestamp(expires),
    )
    .await?;
    users::purge_expired_sessions(&state.pool).await?;
    audit::record(
        &state.pool,
        Some((user.id, &user.username)),
        "auth.login",
        None,
        Some(serde_json::json!({"ip": ip.to_string()})),
    )
    .await?;
    Ok(HttpResponse::Ok()
        .cookie(session_cookie(&state, token.clone(), ttl_s as i64))
        .insert_header(("Cache-Control", "no-store"))
        .json(LoginResponse {
            access_token: token,
            token_type: "bearer",
            expires_in: ttl_s,
            user: UserView::from(user),
        }))
}

#[utoipa::path(
    tag = "auth",
    responses((status = 204, description = "session ended, cookie cleared"), (status = 401, body = Problem)),
    security(("bearer" = []), ("cookie" = []))
)]
#[post("/auth/logout")]
pub async fn logout(state: State, who: Principal) -> Result<HttpResponse, ApiError> {
    if let Some(digest) = &who.session_digest {
        users::delete_session(&state.pool, digest).await?;
    }
    let mut gone = session_cookie(&state, String::new(), 0);
    gone.make_removal();
    Ok(HttpResponse::NoContent().cookie(gone).finish())
}

#[derive(Serialize, ToSchema)]
pub struct MeResponse {
    pub user: UserView,
    /// The role in effect for this request (an API token may cap the user's role).
    pub effective_role: crate::domain::user::Role,
    /// Set when the request used an API token.
    pub token_id: Option<i64>,
}

#[utoipa::path(
    tag = "auth",
    responses((status = 200, body = MeResponse), (status = 401, body = Problem)),
    security(("bearer" = []), ("cookie" = []))
)]
#[get("/auth/me")]
pub async fn me(state: State, who: Principal) -> Result<web::Json<MeResponse>, ApiError> {
    let user = users::get(&state.pool, who.user_id)
        .await?
        .ok_or(ApiError::Unauthorized)?;
    Ok(web::Json(MeResponse {
        user: user.into(),
        effective_role: who.role,
        token_id: who.token_id,
    }))
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
    state: State,
    who: Principal,
    body: ValidJson<ChangePassword>,
) -> Result<HttpResponse, ApiError> {
    let ChangePassword {
        current_password,
        new_password,
    } = body.0;
    let mut v = Validation::default();
    validate_password(&mut v, "new_password", &new_password);
    if current_password == new_password {
        v.error("new_password", "must differ from the current password");
    }
    v.finish(()).map_err(ApiError::Validation)?;
    let user = users::get(&state.pool, who.user_id)
        .await?
        .ok_or(ApiError::Unauthorized)?;
    let stored = user.password_hash.clone();
    let (ok, hash) = web::block(move || {
        (
            password::verify(&current_password, &stored),
            password::hash(&new_password),
        )
    })
    .await
    .map_err(|e| ApiError::Internal(anyhow::anyhow!("password hashing: {e}")))?;
    if !ok {
        return Err(ApiError::field(
            "current_password",
            "is not your current password",
        ));
    }
    users::set_password(&state.pool, user.id, &hash?, who.session_digest.as_deref()).await?;
    audit::record(
        &state.pool,
        who.audit_user(),
        "user.password_change",
        Some(format!("user:{}", user.id)),
        None,
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
