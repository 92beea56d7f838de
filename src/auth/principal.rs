//! Who is calling: a credential (login session or API token) resolved into a user and the
//! role in effect.

use super::error::AuthError;
use super::tokens;
use crate::domain::user::Role;
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
    /// Refused unless the caller has at least `role`.
    pub fn require(&self, role: Role) -> Result<(), AuthError> {
        if self.role >= role {
            Ok(())
        } else {
            Err(AuthError::Forbidden {
                need: role,
                have: self.role,
            })
        }
    }

    /// The appliance itself acting (a schedule's window opening): no user; the audit log
    /// records `name` (e.g. "schedule 3") with user id 0.
    pub fn appliance(name: impl Into<String>) -> Self {
        Self {
            user_id: 0,
            username: name.into(),
            role: crate::domain::user::Role::Admin,
            token_id: None,
            session_digest: None,
        }
    }

    /// Who did it, as the audit log records it.
    pub fn audit_user(&self) -> (i64, &str) {
        (self.user_id, self.username.as_str())
    }
}

/// Resolve a presented credential into a [`Principal`].
pub async fn resolve(pool: &sqlx::SqlitePool, token: &str) -> Result<Principal, AuthError> {
    let digest = tokens::digest(token);
    let owner = if token.starts_with(tokens::API_PREFIX) {
        users::token_owner(pool, &digest).await?
    } else {
        users::session_owner(pool, &digest).await?
    };
    let owner = owner.ok_or(AuthError::Unauthenticated)?;
    let role = match owner.token_role {
        Some(cap) => owner.user_role.min(cap),
        None => owner.user_role,
    };
    Ok(Principal {
        user_id: owner.user_id,
        username: owner.username,
        role,
        token_id: owner.token_id,
        session_digest: owner.token_id.is_none().then_some(digest),
    })
}
