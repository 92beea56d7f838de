//! `/api/v1/tokens`: scoped API tokens for automation and VistterStudio. The token itself is
//! shown once, at creation; afterwards only its prefix.

use actix_web::{HttpResponse, delete, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::{ApiError, Problem};
use super::json::ValidJson;
use crate::app::AppState;
use crate::auth::{AsOperator, Principal, tokens};
use crate::domain::user::Role;
use crate::domain::{Validation, check_text};
use crate::store::{
    audit,
    users::{self, TokenRow},
};

type State = web::Data<AppState>;

#[derive(Serialize, ToSchema)]
pub struct TokenView {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    /// The first characters of the token, to recognise it.
    pub prefix: String,
    /// The most the token may do (capped by its owner's role).
    pub role: Role,
    pub created_at: String,
    pub expires_at: Option<String>,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

impl From<TokenRow> for TokenView {
    fn from(t: TokenRow) -> Self {
        Self {
            id: t.id,
            user_id: t.user_id,
            name: t.name,
            prefix: t.prefix,
            role: Role::parse(&t.role),
            created_at: t.created_at,
            expires_at: t.expires_at,
            last_used_at: t.last_used_at,
            revoked_at: t.revoked_at,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    /// What the token is for, e.g. "VistterStudio".
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    /// Scope; at most the creator's own role. Default: the creator's role.
    pub role: Option<Role>,
    /// Lifetime in days (1–3650); none = until revoked.
    #[schema(minimum = 1, maximum = 3650)]
    pub expires_in_days: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct CreatedToken {
    /// The secret: shown only now. Use as `Authorization: Bearer <token>`.
    pub token: String,
    #[serde(flatten)]
    pub info: TokenView,
}

#[utoipa::path(tag = "tokens", responses((status = 200, body = [TokenView])), security(("bearer" = []), ("cookie" = [])))]
#[get("/tokens")]
pub async fn list(state: State, who: Principal) -> Result<web::Json<Vec<TokenView>>, ApiError> {
    // Admins see every token; others their own.
    let scope = (who.role < Role::Admin).then_some(who.user_id);
    Ok(web::Json(
        users::list_tokens(&state.pool, scope)
            .await?
            .into_iter()
            .map(TokenView::from)
            .collect(),
    ))
}

#[utoipa::path(tag = "tokens", request_body = NewToken, responses((status = 201, body = CreatedToken), (status = 422, body = Problem)), security(("bearer" = []), ("cookie" = [])))]
#[post("/tokens")]
pub async fn create(
    state: State,
    who: AsOperator,
    body: ValidJson<NewToken>,
) -> Result<HttpResponse, ApiError> {
    let NewToken {
        name,
        role,
        expires_in_days,
    } = body.0;
    let mut v = Validation::default();
    let name = check_text(&mut v, "name", &name, 1, 100);
    let role = role.unwrap_or(who.role);
    if role > who.role {
        v.error(
            "role",
            format!("cannot exceed your own role ({})", who.role.as_str()),
        );
    }
    if expires_in_days.is_some_and(|d| !(1..=3650).contains(&d)) {
        v.error("expires_in_days", "must be between 1 and 3650");
    }
    v.finish(()).map_err(ApiError::Validation)?;
    let token = tokens::generate(tokens::API_PREFIX);
    let mut expires_at = expires_in_days.map(|d| {
        crate::store::timestamp(chrono::Utc::now() + chrono::Duration::days(i64::from(d)))
    });
    // A token made with a token never outlives it: otherwise an expiring token could mint a
    // permanent one. (Timestamps are RFC 3339 UTC, so they compare as strings.)
    if let Some(parent_id) = who.token_id
        && let Some(parent_expiry) = users::get_token(&state.pool, parent_id)
            .await?
            .and_then(|t| t.expires_at)
        && expires_at.as_ref().is_none_or(|e| *e > parent_expiry)
    {
        expires_at = Some(parent_expiry);
    }
    let row = users::insert_token(
        &state.pool,
        who.user_id,
        &name,
        &tokens::digest(&token),
        &tokens::display_prefix(&token),
        role.as_str(),
        expires_at.as_deref(),
    )
    .await?;
    audit::record(
        &state.pool,
        who.audit_user(),
        "token.create",
        Some(format!("token:{}", row.id)),
        Some(serde_json::json!({"name": row.name, "role": row.role})),
    )
    .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Cache-Control", "no-store"))
        .json(CreatedToken {
            token,
            info: row.into(),
        }))
}

#[utoipa::path(tag = "tokens", params(("id" = i64, Path, description = "token id")), responses((status = 204), (status = 404, body = Problem)), security(("bearer" = []), ("cookie" = [])))]
#[delete("/tokens/{id}")]
pub async fn revoke(
    state: State,
    who: AsOperator,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let token = users::get_token(&state.pool, *id)
        .await?
        .filter(|t| t.user_id == who.user_id || who.role == Role::Admin);
    let token = token.ok_or_else(|| ApiError::NotFound(format!("token {id} does not exist")))?;
    users::revoke_token(&state.pool, token.id).await?;
    audit::record(
        &state.pool,
        who.audit_user(),
        "token.revoke",
        Some(format!("token:{}", token.id)),
        None,
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
