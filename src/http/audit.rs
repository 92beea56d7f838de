//! `GET /api/v1/audit`: the audit log of changes (admin only).

use actix_web::{get, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::error::{ApiError, Problem};
use super::guard::AsAdmin;
use crate::domain::audit::AuditEntry;
use crate::service::Context;
use crate::service::audit;

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// 1–500, default 100.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// Page backwards: entries with a smaller id.
    pub before_id: Option<i64>,
}

#[utoipa::path(tag = "audit", params(AuditQuery), responses((status = 200, body = [AuditEntry]), (status = 403, body = Problem)), security(("bearer" = []), ("cookie" = [])))]
#[get("/audit")]
pub async fn list(
    ctx: web::Data<Context>,
    _who: AsAdmin,
    q: web::Query<AuditQuery>,
) -> Result<web::Json<Vec<AuditEntry>>, ApiError> {
    let limit = q.limit.unwrap_or(100);
    Ok(web::Json(audit::list(&ctx, limit, q.before_id).await?))
}
