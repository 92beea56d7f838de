//! Discovery (CAM-5): a WS-Discovery probe on one interface and/or an RTSP probe of a host or
//! range; each candidate says whether it is stored already and carries a camera body.

use super::context::Context;
use super::error::{Result, ServiceError};
use crate::discovery::{self, DiscoveryReport, DiscoveryRequest, KnownCameras};
use crate::store::cameras;

pub async fn discover(ctx: &Context, request: DiscoveryRequest) -> Result<DiscoveryReport> {
    let plan = discovery::validate(&request).map_err(ServiceError::Invalid)?;
    let settings = &ctx.config.discovery;
    let interface = if plan.onvif {
        let wanted = plan
            .interface
            .clone()
            .or_else(|| Some(settings.interface.clone()).filter(|i| !i.is_empty()));
        Some(
            discovery::resolve_interface(wanted.as_deref())
                .map_err(|e| ServiceError::field("interface", e))?,
        )
    } else {
        None
    };
    let known: KnownCameras = cameras::list(&ctx.pool)
        .await?
        .into_iter()
        .map(|c| ((c.location.host, c.location.port), c.id))
        .collect();
    let report = discovery::run(
        plan,
        interface,
        settings.ws_discovery_port,
        settings.scan_concurrency,
        known,
    )
    .await
    .map_err(|e| ServiceError::internal(anyhow::Error::new(e).context("WS-Discovery probe")))?;
    tracing::info!(
        candidates = report.candidates.len(),
        replies = report.replies,
        hosts = report.hosts_scanned,
        "discovery finished"
    );
    Ok(report)
}
