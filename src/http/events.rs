//! `GET /api/v1/events`: server-sent events for state changes, so the UI never polls.
//! The stream opens with the current state of every camera, output and destination, then
//! carries changes; a comment line every 15 s keeps proxies from closing it. It ends when
//! the appliance shuts down or the credential it was opened with stops being valid.

use std::time::Duration;

use actix_web::{HttpRequest, HttpResponse, get, web};
use futures::StreamExt;
use tokio_stream::wrappers::{BroadcastStream, IntervalStream, WatchStream};
use vistterstream_actors::RuntimeEvent;

use super::error::{ApiError, Problem};
use super::guard::{Caller, presented_token};
use crate::auth::AuthError;
use crate::service::{Context, events, sessions};

/// How often an open stream re-checks the credential it was opened with.
const RECHECK: Duration = Duration::from_secs(15);

/// Resolves once the stream's credential stops being valid (logout, revoked token, disabled
/// user, expiry), so an event stream never outlives its authorisation.
async fn credential_revoked(ctx: web::Data<Context>, token: Option<String>) {
    let Some(token) = token else {
        return;
    };
    loop {
        tokio::time::sleep(RECHECK).await;
        if let Err(AuthError::Unauthenticated) = sessions::authenticate(&ctx, &token).await {
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
    ctx: web::Data<Context>,
    _who: Caller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let subscription = events::subscribe(&ctx).await?;
    let live = BroadcastStream::new(subscription.changes).filter_map(|e| async move {
        match e {
            Ok(event) => Some(frame(&event)),
            // A slow reader lost events: tell it to refetch.
            Err(_) => Some(web::Bytes::from_static(b"event: resync\ndata: {}\n\n")),
        }
    });
    let initial = std::iter::once(web::Bytes::from_static(b"retry: 2000\n\n"))
        .chain(subscription.initial.iter().map(frame))
        .collect::<Vec<_>>();
    let heartbeat = IntervalStream::new(tokio::time::interval(Duration::from_secs(15)))
        .skip(1)
        .map(|_| web::Bytes::from_static(b": keep-alive\n\n"));
    let shutdown =
        WatchStream::new(ctx.shutdown_signal()).filter(|stop| futures::future::ready(*stop));
    let body = futures::stream::iter(initial)
        .chain(futures::stream::select(live, heartbeat))
        .take_until(futures::future::select(
            Box::pin(shutdown.into_future()),
            Box::pin(credential_revoked(ctx.clone(), presented_token(&req))),
        ))
        .map(Ok::<_, actix_web::Error>);
    Ok(HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header(("Cache-Control", "no-cache"))
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(body))
}
