//! The audit log (AU-1): every change, who made it, never with secrets; and reading it.

use serde_json::Value;

use super::context::Context;
use super::error::{Result, ServiceError};
use crate::auth::Principal;
use crate::domain::audit::AuditEntry;
use crate::store::audit;

/// Record a change made by `who`.
pub(super) async fn record(
    ctx: &Context,
    who: &Principal,
    action: &str,
    target: Option<String>,
    detail: Option<Value>,
) -> Result<()> {
    record_for(ctx, Some(who.audit_user()), action, target, detail).await
}

/// Record something done by a user (id, name) that is not a signed-in caller yet (a
/// login), or by nobody (`None`: a failed login).
pub(super) async fn record_for(
    ctx: &Context,
    user: Option<(i64, &str)>,
    action: &str,
    target: Option<String>,
    detail: Option<Value>,
) -> Result<()> {
    audit::record(&ctx.pool, user, action, target, detail).await?;
    Ok(())
}

/// Newest first; `before_id` pages backwards; `limit` 1–500.
pub async fn list(ctx: &Context, limit: i64, before_id: Option<i64>) -> Result<Vec<AuditEntry>> {
    if !(1..=500).contains(&limit) {
        return Err(ServiceError::field("limit", "must be between 1 and 500"));
    }
    Ok(audit::list(&ctx.pool, limit, before_id).await?)
}
