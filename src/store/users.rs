//! Users, login sessions and API tokens.

use sqlx::{FromRow, SqlitePool};

use crate::domain::user::{ApiToken, Role};

use super::error::Result;
use crate::domain::time::now;

#[derive(Clone, Debug, FromRow)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub password_hash: String,
    pub role: Role,
    pub disabled: bool,
    pub created_at: String,
    pub updated_at: String,
}

/// Who a bearer token or cookie belongs to.
#[derive(Clone, Debug, FromRow)]
pub struct CredentialOwner {
    pub user_id: i64,
    pub username: String,
    pub user_role: Role,
    /// The token's own role cap (API tokens); `None` for login sessions.
    pub token_role: Option<Role>,
    pub token_id: Option<i64>,
}

pub async fn count(pool: &SqlitePool) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(pool)
        .await?)
}

pub async fn list(pool: &SqlitePool) -> Result<Vec<UserRow>> {
    Ok(sqlx::query_as("SELECT * FROM users ORDER BY id")
        .fetch_all(pool)
        .await?)
}

pub async fn get(pool: &SqlitePool, id: i64) -> Result<Option<UserRow>> {
    Ok(sqlx::query_as("SELECT * FROM users WHERE id = ?")
        .bind(id)
        .fetch_optional(pool)
        .await?)
}

pub async fn by_username(pool: &SqlitePool, username: &str) -> Result<Option<UserRow>> {
    Ok(sqlx::query_as("SELECT * FROM users WHERE username = ?")
        .bind(username)
        .fetch_optional(pool)
        .await?)
}

pub async fn insert(
    pool: &SqlitePool,
    username: &str,
    password_hash: &str,
    role: Role,
) -> Result<UserRow> {
    let now = now();
    Ok(sqlx::query_as(
        "INSERT INTO users (username, password_hash, role, disabled, created_at, updated_at)
         VALUES (?, ?, ?, 0, ?, ?) RETURNING *",
    )
    .bind(username)
    .bind(password_hash)
    .bind(role)
    .bind(&now)
    .bind(&now)
    .fetch_one(pool)
    .await?)
}

pub async fn update(
    pool: &SqlitePool,
    id: i64,
    role: Role,
    disabled: bool,
) -> Result<Option<UserRow>> {
    let mut tx = pool.begin().await?;
    // The guard is part of the statement, so two concurrent demotions cannot both pass it:
    // SQLite runs writes one at a time.
    let row: Option<UserRow> = sqlx::query_as(
        "UPDATE users SET role = ?1, disabled = ?2, updated_at = ?3 WHERE id = ?4
           AND ((?1 = 'admin' AND ?2 = 0) OR EXISTS (
                SELECT 1 FROM users WHERE role = 'admin' AND disabled = 0 AND id != ?4))
         RETURNING *",
    )
    .bind(role)
    .bind(disabled)
    .bind(now())
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    if disabled {
        sqlx::query("DELETE FROM sessions WHERE user_id = ?")
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(row)
}

/// Set a new password hash and end every other login session of the user.
pub async fn set_password(
    pool: &SqlitePool,
    id: i64,
    password_hash: &str,
    keep_session: Option<&[u8]>,
) -> Result<()> {
    let mut tx = pool.begin().await?;
    sqlx::query("UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?")
        .bind(password_hash)
        .bind(now())
        .bind(id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM sessions WHERE user_id = ? AND token_hash IS NOT ?")
        .bind(id)
        .bind(keep_session)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Delete a user, unless that would leave no active admin (then `false`).
pub async fn delete(pool: &SqlitePool, id: i64) -> Result<bool> {
    Ok(sqlx::query(
        "DELETE FROM users WHERE id = ?1
           AND (NOT (role = 'admin' AND disabled = 0) OR EXISTS (
                SELECT 1 FROM users WHERE role = 'admin' AND disabled = 0 AND id != ?1))",
    )
    .bind(id)
    .execute(pool)
    .await?
    .rows_affected()
        > 0)
}

pub async fn count_admins(pool: &SqlitePool) -> Result<i64> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled = 0")
            .fetch_one(pool)
            .await?,
    )
}

// ---- sessions -------------------------------------------------------------------------------

pub async fn insert_session(
    pool: &SqlitePool,
    user_id: i64,
    token_hash: &[u8],
    expires_at: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(now())
    .bind(expires_at)
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn delete_session(pool: &SqlitePool, token_hash: &[u8]) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = ?")
        .bind(token_hash)
        .execute(pool)
        .await?;
    Ok(())
}

pub async fn purge_expired_sessions(pool: &SqlitePool) -> Result<u64> {
    Ok(sqlx::query("DELETE FROM sessions WHERE expires_at <= ?")
        .bind(now())
        .execute(pool)
        .await?
        .rows_affected())
}

pub async fn session_owner(
    pool: &SqlitePool,
    token_hash: &[u8],
) -> Result<Option<CredentialOwner>> {
    Ok(sqlx::query_as(
        "SELECT u.id AS user_id, u.username, u.role AS user_role,
                NULL AS token_role, NULL AS token_id
         FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.token_hash = ? AND s.expires_at > ? AND u.disabled = 0",
    )
    .bind(token_hash)
    .bind(now())
    .fetch_optional(pool)
    .await?)
}

// ---- API tokens -----------------------------------------------------------------------------

pub async fn insert_token(
    pool: &SqlitePool,
    user_id: i64,
    name: &str,
    token_hash: &[u8],
    prefix: &str,
    role: Role,
    expires_at: Option<&str>,
) -> Result<ApiToken> {
    Ok(sqlx::query_as(
        "INSERT INTO api_tokens (user_id, name, token_hash, prefix, role, created_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         RETURNING id, user_id, name, prefix, role, created_at, expires_at, last_used_at, revoked_at",
    )
    .bind(user_id)
    .bind(name)
    .bind(token_hash)
    .bind(prefix)
    .bind(role)
    .bind(now())
    .bind(expires_at)
    .fetch_one(pool)
    .await?)
}

/// Tokens of one user, or of everybody when `user_id` is `None`.
pub async fn list_tokens(pool: &SqlitePool, user_id: Option<i64>) -> Result<Vec<ApiToken>> {
    Ok(sqlx::query_as(
        "SELECT id, user_id, name, prefix, role, created_at, expires_at, last_used_at, revoked_at
         FROM api_tokens WHERE (?1 IS NULL OR user_id = ?1) ORDER BY id",
    )
    .bind(user_id)
    .fetch_all(pool)
    .await?)
}

pub async fn get_token(pool: &SqlitePool, id: i64) -> Result<Option<ApiToken>> {
    Ok(sqlx::query_as(
        "SELECT id, user_id, name, prefix, role, created_at, expires_at, last_used_at, revoked_at
         FROM api_tokens WHERE id = ?",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?)
}

pub async fn revoke_token(pool: &SqlitePool, id: i64) -> Result<bool> {
    Ok(
        sqlx::query("UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")
            .bind(now())
            .bind(id)
            .execute(pool)
            .await?
            .rows_affected()
            > 0,
    )
}

pub async fn token_owner(pool: &SqlitePool, token_hash: &[u8]) -> Result<Option<CredentialOwner>> {
    let now = now();
    let owner: Option<CredentialOwner> = sqlx::query_as(
        "SELECT u.id AS user_id, u.username, u.role AS user_role,
                t.role AS token_role, t.id AS token_id
         FROM api_tokens t JOIN users u ON u.id = t.user_id
         WHERE t.token_hash = ? AND t.revoked_at IS NULL
           AND (t.expires_at IS NULL OR t.expires_at > ?) AND u.disabled = 0",
    )
    .bind(token_hash)
    .bind(&now)
    .fetch_optional(pool)
    .await?;
    if let Some(o) = &owner {
        sqlx::query("UPDATE api_tokens SET last_used_at = ? WHERE id = ?")
            .bind(&now)
            .bind(o.token_id)
            .execute(pool)
            .await?;
    }
    Ok(owner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_last_active_admin_cannot_be_demoted_disabled_or_deleted() {
        let pool = crate::store::open_memory().await.unwrap();
        let a = insert(&pool, "alice", "h", Role::Admin).await.unwrap();
        let b = insert(&pool, "bob", "h", Role::Admin).await.unwrap();
        assert!(
            update(&pool, a.id, Role::Viewer, false)
                .await
                .unwrap()
                .is_some()
        );
        // bob is now the only active admin
        assert!(
            update(&pool, b.id, Role::Operator, false)
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            update(&pool, b.id, Role::Admin, true)
                .await
                .unwrap()
                .is_none()
        );
        assert!(!delete(&pool, b.id).await.unwrap());
        assert!(
            update(&pool, b.id, Role::Admin, false)
                .await
                .unwrap()
                .is_some(),
            "a no-op change is fine"
        );
        assert!(delete(&pool, a.id).await.unwrap(), "a non-admin can go");
        assert_eq!(count_admins(&pool).await.unwrap(), 1);
    }
}
