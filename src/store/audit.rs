//! Audit log of changes: who did what to which thing, never with secrets.

use sqlx::SqlitePool;

use super::error::Result;
use crate::domain::audit::AuditEntry;
use crate::domain::time::now;

pub async fn record(
    pool: &SqlitePool,
    user: Option<(i64, &str)>,
    action: &str,
    target: Option<String>,
    detail: Option<serde_json::Value>,
) -> Result<()> {
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
) -> Result<Vec<AuditEntry>> {
    Ok(sqlx::query_as(
        "SELECT * FROM audit_log WHERE (?1 IS NULL OR id < ?1) ORDER BY id DESC LIMIT ?2",
    )
    .bind(before_id)
    .bind(limit)
    .fetch_all(pool)
    .await?)
}
