//! Start-up: the runtime made to run what the store says, and the background jobs.

use std::sync::Arc;

use super::context::Context;
use super::{asset_refresh, camera_runtime, output_runtime, retention};

/// Start-up: the runtime made to run what the store says (cameras, PTZ, outputs that were
/// running), and the background jobs spawned on the current arbiter.
pub async fn start(ctx: Arc<Context>) -> anyhow::Result<()> {
    let cameras = camera_runtime::reconcile(&ctx).await?;
    tracing::info!(cameras, data_dir = %ctx.config().data_dir.display(), "cameras started");
    let outputs = output_runtime::reconcile(&ctx).await?;
    tracing::info!(outputs, "outputs started");
    actix::spawn(asset_refresh::run(ctx.clone()));
    actix::spawn(retention::run(ctx));
    Ok(())
}
