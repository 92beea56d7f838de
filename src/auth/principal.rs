//! Who is calling: resolved from `Authorization: Bearer …` or the session cookie.

use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use futures::future::LocalBoxFuture;

use super::{SESSION_COOKIE, tokens};
use crate::app::AppState;
use crate::domain::user::Role;
use crate::http::error::ApiError;
use crate::store::users;

#[derive(Clone, Debug)]
pub struct Principal {
    pub user_id: i64,
    pub username: String,
    /// Effective role: the user's, capped by the API token's scope.
    pub role: Role,
    /// Set when the caller used an API token.
    pub token_id: Option<i64>,
    /// Set when the caller used a login session (cookie or its bearer token).
    pub session_digest: Option<Vec<u8>>,
}

impl Principal {
    /// 403 unless the caller has at least `role`.
    pub fn require(&self, role: Role) -> Result<(), ApiError> {
        if self.role >= role {
            Ok(())
        } else {
            Err(ApiError::Forbidden(format!(
                "this needs the {} role; you have {}",
                role.as_str(),
                self.role.as_str()
            )))
        }
    }

    pub fn audit_user(&self) -> Option<(i64, &str)> {
        Some((self.user_id, self.username.as_str()))
    }
}

/// The credential presented, if any: a bearer token wins over the cookie.
pub fn presented_token(req: &HttpRequest) -> Option<String> {
    if let Some(h) = req.headers().get(actix_web::http::header::AUTHORIZATION) {
        let value = h.to_str().ok()?.trim();
        let (scheme, token) = value.split_once(' ')?;
        return scheme
            .eq_ignore_ascii_case("bearer")
            .then(|| token.trim().to_string());
    }
    req.cookie(SESSION_COOKIE).map(|c| c.value().to_string())
}

impl FromRequest for Principal {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = presented_token(req);
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::internal("application state missing"))?;
            let token = token.ok_or(ApiError::Unauthorized)?;
            let digest = tokens::digest(&token);
            let owner = if token.starts_with(tokens::API_PREFIX) {
                users::token_owner(&state.pool, &digest).await?
            } else {
                users::session_owner(&state.pool, &digest).await?
            };
            let owner = owner.ok_or(ApiError::Unauthorized)?;
            let user_role = Role::parse(&owner.user_role);
            let role = match owner.token_role.as_deref() {
                Some(cap) => user_role.min(Role::parse(cap)),
                None => user_role,
            };
            Ok(Principal {
                user_id: owner.user_id,
                username: owner.username,
                role,
                token_id: owner.token_id,
                session_digest: owner.token_id.is_none().then_some(digest),
            })
        })
    }
}
