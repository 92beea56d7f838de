//! The appliance's state changes as a stream (for server-sent events): the current state of
//! every camera, output, destination and timeline on air first, then every change as it happens.

use tokio::sync::broadcast;
use vistterstream_actors::RuntimeEvent;

use super::context::Context;
use super::error::Result;
use super::live_picture::status_of;
use crate::store::{cameras, outputs, timeline_runs};

/// A subscription to state changes and the state it starts from.
pub struct Subscription {
    /// The current state of every camera, output and destination.
    pub initial: Vec<RuntimeEvent>,
    /// Every change after `initial`.
    pub changes: broadcast::Receiver<RuntimeEvent>,
}

pub async fn subscribe(ctx: &Context) -> Result<Subscription> {
    // Subscribe before reading the current state, so no change falls in between.
    let changes = ctx.runtime.events.subscribe();
    let now = chrono::Utc::now;
    let mut initial = Vec::new();
    for row in cameras::list(&ctx.pool).await? {
        let status = status_of(ctx, &row);
        initial.push(RuntimeEvent::CameraState {
            camera_id: row.id,
            state: status.state,
            reason: status.reason,
            at: now(),
        });
    }
    // Then every output and its destinations, so a client starts from the whole picture.
    for row in outputs::list(&ctx.pool).await? {
        let status = ctx.runtime.output_registry.status(row.id);
        initial.push(RuntimeEvent::OutputState {
            output_id: row.id,
            state: status.state,
            reason: status.reason.clone(),
            camera_id: status.camera_id.or(row.settings.camera_id),
            showing: status.showing,
            at: now(),
        });
        for d in status.destinations {
            initial.push(RuntimeEvent::DestinationState {
                output_id: row.id,
                destination_id: d.destination_id,
                state: d.state,
                reason: d.last_error,
                at: now(),
            });
        }
    }
    // And where every timeline on air is.
    for run in timeline_runs::active(&ctx.pool).await? {
        if let Some(position) = run
            .output_id
            .and_then(|o| ctx.runtime.timeline_registry.position(o))
        {
            initial.push(RuntimeEvent::TimelinePosition {
                position,
                at: now(),
            });
        }
    }
    Ok(Subscription { initial, changes })
}
