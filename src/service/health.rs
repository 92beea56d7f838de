//! Is the appliance well: readiness (the database answers, the media runtime runs, not
//! shutting down) and the Prometheus exposition of every metric.

use serde::Serialize;
use utoipa::ToSchema;

use super::context::Context;

#[derive(Serialize, ToSchema)]
pub struct Readiness {
    pub ready: bool,
    pub database: bool,
    pub runtime: bool,
    /// Seconds since the appliance started.
    pub uptime_s: u64,
}

pub async fn readiness(ctx: &Context) -> Readiness {
    let database = crate::store::ping(&ctx.pool).await;
    let runtime = ctx.runtime.cameras.connected() && !*ctx.shutdown_signal().borrow();
    Readiness {
        ready: database && runtime,
        database,
        runtime,
        uptime_s: ctx.started_at.elapsed().as_secs(),
    }
}

/// Prometheus text exposition (gauges that are cheaper at scrape time refreshed first).
pub fn metrics_text(ctx: &Context) -> String {
    crate::metrics::refresh_camera_gauges(&ctx.runtime.camera_registry);
    ctx.metrics.render()
}
