//! Users and roles (AU-1).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{FieldError, Validation};

/// What a user (or an API token) may do. Ordered: each role includes the ones below it.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema, sqlx::Type,
)]
#[serde(rename_all = "lowercase")]
#[sqlx(rename_all = "lowercase")]
pub enum Role {
    /// Read everything except users and tokens of others.
    Viewer,
    /// Viewer, plus change cameras, outputs, timelines.
    Operator,
    /// Operator, plus users, tokens of everybody, settings.
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Operator => "operator",
            Role::Admin => "admin",
        }
    }
}

/// A scoped API token as stored and shown (the secret itself is never stored: only its
/// digest, which is never shown).
#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct ApiToken {
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

pub const MIN_PASSWORD: usize = 8;
pub const MAX_PASSWORD: usize = 256;

pub fn validate_username(v: &mut Validation, field: &str, username: &str) -> String {
    let u = username.trim();
    let len = u.chars().count();
    if !(3..=50).contains(&len) {
        v.error(field, "must be 3 to 50 characters");
    } else if !u
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        v.error(field, "may contain only letters, digits, '.', '_' and '-'");
    }
    u.to_string()
}

pub fn validate_password(v: &mut Validation, field: &str, password: &str) {
    let len = password.chars().count();
    if len < MIN_PASSWORD {
        v.error(field, format!("must be at least {MIN_PASSWORD} characters"));
    } else if len > MAX_PASSWORD {
        v.error(field, format!("must be at most {MAX_PASSWORD} characters"));
    }
}

pub fn check_new_user(username: &str, password: &str) -> Result<String, Vec<FieldError>> {
    let mut v = Validation::default();
    let u = validate_username(&mut v, "username", username);
    validate_password(&mut v, "password", password);
    v.finish(u)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_ordered() {
        assert!(Role::Admin > Role::Operator && Role::Operator > Role::Viewer);
    }

    #[test]
    fn usernames_and_passwords_are_checked() {
        assert!(check_new_user("alice", "correct horse").is_ok());
        let e = check_new_user("al", "short").unwrap_err();
        assert_eq!(e.len(), 2);
        assert!(check_new_user("bad name", "longenough").is_err());
    }
}
