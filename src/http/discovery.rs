//! `POST /api/v1/discovery` (CAM-5).

use actix_web::{post, web};

use super::error::{ApiError, Problem};
use super::guard::AsOperator;
use super::json::ValidJson;
use crate::discovery::{DiscoveryReport, DiscoveryRequest};
use crate::service::{Context, discovery};

/// Find cameras: a WS-Discovery probe on one interface and/or an RTSP probe of a host or
/// range (at most a /24). Each candidate carries a body for `POST /api/v1/cameras`.
#[utoipa::path(
    tag = "cameras",
    request_body = DiscoveryRequest,
    responses((status = 403, body = Problem), (status = 200, body = DiscoveryReport), (status = 422, body = Problem)),
    security(("bearer" = []), ("cookie" = []))
)]
#[post("/discovery")]
pub async fn discover(
    ctx: web::Data<Context>,
    _who: AsOperator,
    body: ValidJson<DiscoveryRequest>,
) -> Result<web::Json<DiscoveryReport>, ApiError> {
    Ok(web::Json(discovery::discover(&ctx, body.0).await?))
}
