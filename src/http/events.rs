//! `GET /api/v1/events`: server-sent events for state changes, so the UI never polls.
//! The stream opens with the current state of every camera, then carries changes; a comment
//! line every 15 s keeps proxies from closing it. It ends when the appliance shuts down.

use std::time::Duration;

use actix_web::{HttpResponse, get, web};
use futures::StreamExt;
use tokio_stream::wrappers::{BroadcastStream, IntervalStream, WatchStream};
use vistterstream_actors::RuntimeEvent;

use super::error::{ApiError, Problem};
use crate::app::AppState;
use crate::auth::Principal;
use crate::store::cameras;

/// How often an open stream re-checks the credential it was opened with.
const RECHECK: Duration = Duration::from_secs(15);

/// Resolves once the stream's credential stops being valid (logout, revoked token, disabled
/// user, expiry), so an event stream never outlives its authorisation.
async fn credential_revoked(state: web::Data<AppState>, req: actix_web::HttpRequest) {
    let Some(token) = crate::auth::principal::presented_token(&req) else {
        return;
    };
    loop {
        tokio::time::sleep(RECHECK).await;
        if let Err(ApiError::Unauthorized) = crate::auth::principal::resolve(&state, &token).await {
            return;
        }
    }
}

fn frame(event: &RuntimeEvent) -> web::Bytes {
    let data = serde_json::to_string(event).unwrap_or_else(|_| "{}".into());
    web::Bytes::from(format!("event: {}\ndata: {data}\n\n", event.name()))
}

#[utoipa::path(
    tag = "events",
    responses((status = 200, content_type = "text/event-stream", description = "`event: camera.state` (`data: {type, camera_id, state, reason, at}`), `output.state`, `destination.state`; opens with the current state of every camera, output and destination"), (status = 401, body = Problem)),
    security(("bearer" = []), ("cookie" = []))
)]
#[get("/events")]
pub async fn stream(
    state: web::Data<AppState>,
    _who: Principal,
    req: actix_web::HttpRequest,
) -> Result<HttpResponse, ApiError> {
    // Subscribe before reading the current state, so no change falls in between.
    let live = BroadcastStream::new(state.runtime.events.subscribe()).filter_map(|e| async move {
        match e {
            Ok(event) => Some(frame(&event)),
            // A slow reader lost events: tell it to refetch.
            Err(_) => Some(web::Bytes::from_static(b"event: resync\ndata: {}\n\n")),
        }
    });
    let mut initial = vec![web::Bytes::from_static(b"retry: 2000\n\n")];
    for row in cameras::list(&state.pool).await? {
        let status = super::cameras::status_of(&state, &row);
        initial.push(frame(&RuntimeEvent::CameraState {
            camera_id: row.id,
            state: status.state,
            reason: status.reason,
            at: chrono::Utc::now(),
        }));
    }
    // Then every output and its destinations, so a client starts from the whole picture.
    for row in crate::store::outputs::list(&state.pool).await? {
        let status = state.runtime.output_registry.status(row.id);
        initial.push(frame(&RuntimeEvent::OutputState {
            output_id: row.id,
            state: status.state,
            reason: status.reason.clone(),
            camera_id: status.camera_id.or(row.camera_id),
            showing: status.showing,
            at: chrono::Utc::now(),
        }));
        for d in status.destinations {
            initial.push(frame(&RuntimeEvent::DestinationState {
                output_id: row.id,
                destination_id: d.destination_id,
                state: d.state,
                reason: d.last_error,
                at: chrono::Utc::now(),
            }));
        }
    }
    let heartbeat = IntervalStream::new(tokio::time::interval(Duration::from_secs(15)))
        .skip(1)
        .map(|_| web::Bytes::from_static(b": keep-alive\n\n"));
    let shutdown =
        WatchStream::new(state.shutdown.clone()).filter(|stop| futures::future::ready(*stop));
    let body = futures::stream::iter(initial)
        .chain(futures::stream::select(live, heartbeat))
        .take_until(futures::future::select(
            Box::pin(shutdown.into_future()),
            Box::pin(credential_revoked(state.clone(), req)),
        ))
        .map(Ok::<_, actix_web::Error>);
    Ok(HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header(("Cache-Control", "no-cache"))
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(body))
}
