//! Start-up: the runtime made to run what the store says, and the background jobs.

use std::sync::Arc;

use super::context::Context;
use super::{
    asset_refresh, camera_runtime, output_runtime, retention, schedule_runner, timeline_runtime,
    timeline_watch,
};

/// Start-up: the runtime made to run what the store says (cameras, PTZ, outputs that were
/// running, timelines that were on air), and the background jobs spawned on the current arbiter.
pub async fn start(ctx: Arc<Context>) -> anyhow::Result<()> {
    let cameras = camera_runtime::reconcile(&ctx).await?;
    tracing::info!(cameras, data_dir = %ctx.config().data_dir.display(), "cameras started");
    let outputs = output_runtime::reconcile(&ctx).await?;
    tracing::info!(outputs, "outputs started");
    // Watching before resuming: a run that ends right away is still closed.
    actix::spawn(timeline_watch::run(ctx.clone()));
    let timelines = timeline_runtime::reconcile(&ctx).await?;
    tracing::info!(timelines, "timelines resumed");
    actix::spawn(schedule_runner::run(ctx.clone()));
    actix::spawn(asset_refresh::run(ctx.clone()));
    actix::spawn(retention::run(ctx));
    Ok(())
}
