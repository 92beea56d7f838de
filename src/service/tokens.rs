//! Scoped API tokens (AU-1) for automation and VistterStudio. The token itself is shown
//! once, at creation; afterwards only its prefix.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::audit;
use super::context::Context;
use super::error::{Result, ServiceError};
use crate::auth::{Principal, tokens};
use crate::domain::time::timestamp;
use crate::domain::user::{ApiToken, Role};
use crate::domain::{Validation, check_text};
use crate::store::users;

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
    pub info: ApiToken,
}

/// Admins see every token; others their own.
pub async fn list(ctx: &Context, who: &Principal) -> Result<Vec<ApiToken>> {
    let scope = (who.role < Role::Admin).then_some(who.user_id);
    Ok(users::list_tokens(&ctx.pool, scope).await?)
}

pub async fn create(ctx: &Context, who: &Principal, new: NewToken) -> Result<CreatedToken> {
    let mut v = Validation::default();
    let name = check_text(&mut v, "name", &new.name, 1, 100);
    let role = new.role.unwrap_or(who.role);
    if role > who.role {
        v.error(
            "role",
            format!("cannot exceed your own role ({})", who.role.as_str()),
        );
    }
    if new
        .expires_in_days
        .is_some_and(|d| !(1..=3650).contains(&d))
    {
        v.error("expires_in_days", "must be between 1 and 3650");
    }
    v.finish(()).map_err(ServiceError::Invalid)?;
    let token = tokens::generate(tokens::API_PREFIX);
    let mut expires_at = new
        .expires_in_days
        .map(|d| timestamp(chrono::Utc::now() + chrono::Duration::days(i64::from(d))));
    // A token made with a token never outlives it: otherwise an expiring token could mint a
    // permanent one. (Timestamps are RFC 3339 UTC, so they compare as strings.)
    if let Some(parent_id) = who.token_id
        && let Some(parent_expiry) = users::get_token(&ctx.pool, parent_id)
            .await?
            .and_then(|t| t.expires_at)
        && expires_at.as_ref().is_none_or(|e| *e > parent_expiry)
    {
        expires_at = Some(parent_expiry);
    }
    let row = users::insert_token(
        &ctx.pool,
        who.user_id,
        &name,
        &tokens::digest(&token),
        &tokens::display_prefix(&token),
        role,
        expires_at.as_deref(),
    )
    .await?;
    audit::record(
        ctx,
        who,
        "token.create",
        Some(format!("token:{}", row.id)),
        Some(serde_json::json!({"name": row.name, "role": row.role})),
    )
    .await?;
    Ok(CreatedToken { token, info: row })
}

/// Revoke one's own token (an admin: anyone's).
pub async fn revoke(ctx: &Context, who: &Principal, id: i64) -> Result<()> {
    let token = users::get_token(&ctx.pool, id)
        .await?
        .filter(|t| t.user_id == who.user_id || who.role == Role::Admin)
        .ok_or_else(|| ServiceError::NotFound(format!("token {id} does not exist")))?;
    users::revoke_token(&ctx.pool, token.id).await?;
    audit::record(
        ctx,
        who,
        "token.revoke",
        Some(format!("token:{}", token.id)),
        None,
    )
    .await
}
