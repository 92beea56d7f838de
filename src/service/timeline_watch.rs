//! A background job: what the timeline actors report, written into their runs. A timeline
//! that does not loop and reached its end is closed in the history ("ended") and its actor
//! stopped; loops and errors are stored as they change.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::broadcast::error::RecvError;
use vistterstream_actors::RuntimeEvent;
use vistterstream_actors::state::TimelineState;

use super::context::Context;
use super::timeline_runtime;
use crate::store::timeline_runs;

pub async fn run(ctx: Arc<Context>) {
    let mut events = ctx.runtime.events.subscribe();
    // Per run: the loops and errors last stored.
    let mut stored: HashMap<i64, (u64, Vec<String>)> = HashMap::new();
    loop {
        let position = match events.recv().await {
            Ok(RuntimeEvent::TimelinePosition { position, .. }) => position,
            Ok(_) => continue,
            Err(RecvError::Lagged(n)) => {
                tracing::warn!(missed = n, "timeline watch fell behind the event bus");
                continue;
            }
            Err(RecvError::Closed) => return,
        };
        let progress = (position.loops, position.errors.clone());
        if stored.get(&position.run_id) != Some(&progress) {
            let loops = i64::try_from(position.loops).unwrap_or(i64::MAX);
            if let Err(e) =
                timeline_runs::set_progress(&ctx.pool, position.run_id, loops, &position.errors)
                    .await
            {
                tracing::warn!(run = position.run_id, error = %e, "storing a timeline run's progress");
            }
            stored.insert(position.run_id, progress);
        }
        if position.state == TimelineState::Ended {
            stored.remove(&position.run_id);
            let run = match timeline_runs::get(&ctx.pool, position.run_id).await {
                Ok(run) if run.ended_at.is_none() => run,
                Ok(_) => continue,
                Err(e) => {
                    tracing::warn!(run = position.run_id, error = %e, "reading an ended timeline run");
                    continue;
                }
            };
            if let Err(e) = timeline_runtime::end(&ctx, &run, "ended").await {
                tracing::warn!(run = run.id, error = %e, "closing an ended timeline run");
            }
        }
    }
}
