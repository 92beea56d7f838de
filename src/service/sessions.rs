//! Signing in and out (AU-1): login (rate limited per client address, a decoy hash for
//! unknown users so timing does not tell them apart), logout, who am I, changing one's own
//! password; resolving a presented credential.

use std::net::IpAddr;

use serde::Serialize;
use utoipa::ToSchema;

use super::audit;
use super::context::Context;
use super::error::{Result, ServiceError};
use super::users::UserView;
use crate::auth::{self, Principal, password, tokens};
use crate::domain::Validation;
use crate::domain::time::timestamp;
use crate::domain::user::{Role, validate_password};
use crate::store::users;

/// A new login session.
pub struct Session {
    /// The bearer token (also the cookie's value).
    pub token: String,
    /// Seconds until it expires.
    pub ttl_s: u64,
    pub user: UserView,
}

/// Sign in from `ip`.
pub async fn login(ctx: &Context, ip: IpAddr, username: &str, given: String) -> Result<Session> {
    if let Err(not_until) = ctx.login_limiter.check_key(&ip) {
        let wait = not_until.wait_time_from(governor::clock::Clock::now(
            &governor::clock::DefaultClock::default(),
        ));
        return Err(ServiceError::RateLimited(wait.as_secs().max(1)));
    }
    let user = users::by_username(&ctx.pool, username.trim()).await?;
    let stored = user
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| password::dummy_hash().to_string());
    let ok = tokio::task::spawn_blocking(move || password::verify(&given, &stored))
        .await
        .map_err(|e| ServiceError::internal(anyhow::anyhow!("password check: {e}")))?;
    let user = match user {
        Some(u) if ok && !u.disabled => u,
        other => {
            // Only a real account is named: a typed name may be a password entered in the
            // wrong field, and must not end up in the audit log.
            let target = other.as_ref().map(|u| format!("user:{}", u.id));
            audit::record_for(
                ctx,
                None,
                "auth.login_failed",
                target,
                Some(serde_json::json!({"ip": ip.to_string()})),
            )
            .await?;
            tracing::warn!(ip = %ip, "failed login");
            return Err(ServiceError::Unauthenticated);
        }
    };
    let token = tokens::generate(tokens::SESSION_PREFIX);
    let ttl_s = u64::from(ctx.config.auth.session_ttl_hours.max(1)) * 3600;
    let expires = chrono::Utc::now() + chrono::Duration::seconds(ttl_s as i64);
    users::insert_session(
        &ctx.pool,
        user.id,
        &tokens::digest(&token),
        &timestamp(expires),
    )
    .await?;
    users::purge_expired_sessions(&ctx.pool).await?;
    audit::record_for(
        ctx,
        Some((user.id, &user.username)),
        "auth.login",
        None,
        Some(serde_json::json!({"ip": ip.to_string()})),
    )
    .await?;
    Ok(Session {
        token,
        ttl_s,
        user: user.into(),
    })
}

/// End the caller's login session (an API token has none to end).
pub async fn logout(ctx: &Context, who: &Principal) -> Result<()> {
    if let Some(digest) = &who.session_digest {
        users::delete_session(&ctx.pool, digest).await?;
    }
    Ok(())
}

#[derive(Serialize, ToSchema)]
pub struct MeResponse {
    pub user: UserView,
    /// The role in effect for this request (an API token may cap the user's role).
    pub effective_role: Role,
    /// Set when the request used an API token.
    pub token_id: Option<i64>,
}

pub async fn me(ctx: &Context, who: &Principal) -> Result<MeResponse> {
    let user = users::get(&ctx.pool, who.user_id)
        .await?
        .ok_or(ServiceError::Unauthenticated)?;
    Ok(MeResponse {
        user: user.into(),
        effective_role: who.role,
        token_id: who.token_id,
    })
}

/// Change one's own password; the user's other sessions end.
pub async fn change_password(
    ctx: &Context,
    who: &Principal,
    current_password: String,
    new_password: String,
) -> Result<()> {
    let mut v = Validation::default();
    validate_password(&mut v, "new_password", &new_password);
    if current_password == new_password {
        v.error("new_password", "must differ from the current password");
    }
    v.finish(()).map_err(ServiceError::Invalid)?;
    let user = users::get(&ctx.pool, who.user_id)
        .await?
        .ok_or(ServiceError::Unauthenticated)?;
    let stored = user.password_hash.clone();
    let (ok, hash) = tokio::task::spawn_blocking(move || {
        (
            password::verify(&current_password, &stored),
            password::hash(&new_password),
        )
    })
    .await
    .map_err(|e| ServiceError::internal(anyhow::anyhow!("password hashing: {e}")))?;
    if !ok {
        return Err(ServiceError::field(
            "current_password",
            "is not your current password",
        ));
    }
    users::set_password(&ctx.pool, user.id, &hash?, who.session_digest.as_deref()).await?;
    audit::record(
        ctx,
        who,
        "user.password_change",
        Some(format!("user:{}", user.id)),
        None,
    )
    .await
}

/// Who a presented credential (bearer token or cookie value) belongs to.
pub async fn authenticate(
    ctx: &Context,
    token: &str,
) -> std::result::Result<Principal, auth::AuthError> {
    auth::resolve(&ctx.pool, token).await
}
