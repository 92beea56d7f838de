//! `POST /api/v1/discovery` (CAM-5).

use actix_web::{post, web};

use super::error::{ApiError, Problem};
use super::json::ValidJson;
use crate::app::AppState;
use crate::auth::AsOperator;
use crate::discovery::{self, DiscoveryReport, DiscoveryRequest, KnownCameras};
use crate::store::cameras;

type State = web::Data<AppState>;

/// Find cameras: a WS-Discovery probe on one interface and/or an RTSP probe of a host or
/// range (at most a /24). Each candidate carries a body for `POST /api/v1/cameras`.
#[utoipa::path(
    tag = "cameras",
    request_body = DiscoveryRequest,
    responses((status = 200, body = DiscoveryReport), (status = 422, body = Problem)),
    security(("bearer" = []), ("cookie" = []))
)]
#[post("/discovery")]
pub async fn discover(
    state: State,
    _who: AsOperator,
    body: ValidJson<DiscoveryRequest>,
) -> Result<web::Json<DiscoveryReport>, ApiError> {
    let plan = discovery::validate(&body.0).map_err(ApiError::Validation)?;
    let interface = if plan.onvif {
        let wanted = plan
            .interface
            .clone()
            .or_else(|| Some(state.config.discovery.interface.clone()).filter(|i| !i.is_empty()));
        Some(
            discovery::resolve_interface(wanted.as_deref())
                .map_err(|e| ApiError::field("interface", e))?,
        )
    } else {
        None
    };
    let known: KnownCameras = cameras::list(&state.pool)
        .await?
        .into_iter()
        .map(|c| ((c.host, c.port as u16), c.id))
        .collect();
    let report = discovery::run(
        plan,
        interface,
        state.config.discovery.ws_discovery_port,
        state.config.discovery.scan_concurrency,
        known,
    )
    .await
    .map_err(|e| ApiError::Internal(anyhow::Error::new(e).context("WS-Discovery probe")))?;
    tracing::info!(
        candidates = report.candidates.len(),
        replies = report.replies,
        hosts = report.hosts_scanned,
        "discovery finished"
    );
    Ok(web::Json(report))
}
