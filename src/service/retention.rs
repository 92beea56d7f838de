//! The appliance's periodic housekeeping: stored snapshots pruned every hour (and at
//! start-up), recordings every minute (segments arrive continuously).

use std::sync::Arc;
use std::time::Duration;

use super::context::Context;
use super::{recordings, snapshots};

/// Run forever, pruning snapshots hourly and recordings every minute.
pub async fn run(ctx: Arc<Context>) {
    let mut every_minute = tokio::time::interval(Duration::from_secs(60));
    let mut minutes = 0u64;
    loop {
        every_minute.tick().await;
        match recordings::prune(&ctx).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(deleted = n, "recording retention applied"),
            Err(e) => tracing::warn!(error = %e, "recording retention"),
        }
        if minutes.is_multiple_of(60) {
            match snapshots::prune(&ctx).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(deleted = n, "snapshot retention applied"),
                Err(e) => tracing::warn!(error = %e, "snapshot retention"),
            }
        }
        minutes += 1;
    }
}
