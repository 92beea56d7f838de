//! The emergency stop (PK-3): every output off air at once, every timeline ended, every
//! schedule whose window is open kept quiet until it closes; cameras keep running. It wins
//! over everything (docs/timelines.md, "Who wins").

use serde::Serialize;
use utoipa::ToSchema;
use vistterstream_actors::supervision::StopAll;

use super::audit;
use super::context::Context;
use super::error::{Result, ServiceError};
use super::{schedule_runner, timeline_runtime};
use crate::auth::Principal;
use crate::store::outputs;

#[derive(Serialize, ToSchema)]
pub struct StopAllView {
    /// Outputs that were on air and are now stopped.
    pub stopped: Vec<i64>,
}

/// Emergency stop (PK-3): every output off air at once; cameras keep running.
pub async fn stop_all(ctx: &Context, who: &Principal) -> Result<StopAllView> {
    // The emergency stop wins over everything: no timeline cuts, and no schedule starts
    // anything again before its open window closes.
    timeline_runtime::end_all(ctx, "emergency_stop").await?;
    schedule_runner::hold_open_windows(ctx).await?;
    let mut stopped = outputs::stop_all(&ctx.pool).await?;
    let halted = ctx
        .runtime
        .outputs
        .send(StopAll)
        .await
        .map_err(ServiceError::internal)?;
    stopped.extend(halted);
    let stopped = {
        let mut ids = crate::domain::unique(&stopped);
        ids.sort_unstable();
        ids
    };
    audit::record(
        ctx,
        who,
        "output.stop_all",
        None,
        Some(serde_json::json!({"stopped": stopped})),
    )
    .await?;
    Ok(StopAllView { stopped })
}
