//! The audit log's entries (AU-1): who did what to which thing, never with secrets.

use serde::Serialize;
use utoipa::ToSchema;

/// One recorded change.
#[derive(Clone, Debug, sqlx::FromRow, Serialize, ToSchema)]
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
