//! Audit log of changes: who did what to which thing, never with secrets.

use serde::Serialize;
use sqlx::{FromRow, SqlitePool};
use utoipa::ToSchema;

use super::now;

#[derive(Clone, Debug, FromRow, Serialize, ToSchema)]
pub struct AuditEntry {
    pub id: i64,
    pub at: String,
    pub user_id: Option<i64>,
    pub username: Option<String>,
    /// e.g. `camera.create`, `user.delete`, `auth.login_failed`.
    pub action: String,
    /// e.g. `camera:3`.
    pub target: Option<String>,
    /// JSON object with the non-secret details.
    pub detail: Option<String>,
}

pub async fn record(
    pool: &SqlitePool,
    user: Option<(i64, &str)>,
    action: &str,
    target: Option<String>,
    detail: Option<serde_json::Value>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (at, user_id, username, action, target, detail)
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(now())
    .bind(user.map(|u| u.0))
    .bind(user.map(|u| u.1))
    .bind(action)
    .bind(target)
    .bind(detail.map(|d| d.to_string()))
    .execute(pool)
    .await?;
    Ok(())
}

/// Newest first; `before_id` pages backwards.
pub async fn list(
    pool: &SqlitePool,
    limit: i64,
    before_id: Option<i64>,
) -> sqlx::Result<Vec<AuditEntry>> {
    sqlx::query_as(
        "SELECT * FROM audit_log WHERE (?1 IS NULL OR id < ?1) ORDER BY id DESC LIMIT ?2",
    )
    .bind(before_id)
    .bind(limit)
    .fetch_all(pool)
    .await
}
