//! `GET /api/v1/cameras/{id}/live` and `GET /api/v1/outputs/{id}/live` (OUT-10): live
//! previews over a WebSocket on the API port, authenticated like every API call (the session
//! cookie, or a bearer token). Text frames carry JSON — `{"type":"codec",codec,width,height}`
//! before each init segment, `{"type":"state",state,reason}` when the source's state changes,
//! `{"type":"unsupported",codec}` for a codec browsers cannot preview — and binary frames the
//! fragmented MP4: the init segment, then one fragment per access unit (the current GOP
//! first, so the first picture comes at once).

use actix_web::{HttpRequest, HttpResponse, get, web};
use actix_ws::{Message, Session};
use futures::StreamExt;
use serde_json::json;
use vistterstream_actors::preview::PreviewMessage;

use super::error::{ApiError, Problem};
use super::guard::Caller;
use crate::service::Context;
use crate::service::preview::{self, Preview, PreviewEvent};

type Ctx = web::Data<Context>;

/// Upgrade to a WebSocket and pump the preview into it until either side ends.
fn serve(
    ctx: &Context,
    req: &HttpRequest,
    body: web::Payload,
    preview: Preview,
) -> Result<HttpResponse, ApiError> {
    let (response, session, messages) =
        actix_ws::handle(req, body).map_err(|e| ApiError::BadRequest {
            code: "websocket_required",
            detail: format!("this is a WebSocket endpoint: {e}"),
            field: None,
        })?;
    actix_web::rt::spawn(pump(preview, session, messages, ctx.shutdown_signal()));
    Ok(response)
}

async fn pump(
    mut source: Preview,
    mut session: Session,
    mut messages: actix_ws::MessageStream,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            next = source.next() => {
                let Some(next) = next else { break };
                let sent = match next {
                    PreviewEvent::Message(PreviewMessage::Codec { codec, width, height }) => {
                        session
                            .text(json!({"type": "codec", "codec": codec, "width": width, "height": height}).to_string())
                            .await
                    }
                    PreviewEvent::Message(PreviewMessage::Init(bytes) | PreviewMessage::Media(bytes)) => {
                        session.binary(bytes).await
                    }
                    PreviewEvent::State { state, reason } => {
                        session
                            .text(json!({"type": "state", "state": state, "reason": reason}).to_string())
                            .await
                    }
                    PreviewEvent::Unsupported { codec } => {
                        session
                            .text(json!({"type": "unsupported", "codec": codec}).to_string())
                            .await
                    }
                };
                if sent.is_err() {
                    return;
                }
            }
            incoming = messages.next() => match incoming {
                Some(Ok(Message::Ping(bytes))) => {
                    if session.pong(&bytes).await.is_err() {
                        return;
                    }
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                Some(Ok(_)) => {}
            },
            _ = shutdown.wait_for(|stop| *stop) => break,
        }
    }
    let _ = session.close(None).await;
}

/// A camera's live picture, as fragmented MP4 over a WebSocket (see the module notes).
#[utoipa::path(
    tag = "cameras",
    params(("id" = i64, Path, description = "camera id")),
    responses(
        (status = 101, description = "WebSocket: JSON text frames (codec, state, unsupported) and binary fragmented-MP4 frames (init segment, then one fragment per access unit, the current GOP first)"),
        (status = 400, body = Problem, description = "not a WebSocket upgrade"),
        (status = 401, body = Problem), (status = 404, body = Problem)
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[get("/cameras/{id}/live")]
pub async fn camera_live(
    ctx: Ctx,
    _who: Caller,
    id: web::Path<i64>,
    req: HttpRequest,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let preview = preview::camera(&ctx, *id).await?;
    serve(&ctx, &req, body, preview)
}

/// An output's live picture: a program's own encoded picture, or a relay's camera.
#[utoipa::path(
    tag = "outputs",
    params(("id" = i64, Path, description = "output id")),
    responses(
        (status = 101, description = "WebSocket: as for a camera's live picture"),
        (status = 400, body = Problem, description = "not a WebSocket upgrade"),
        (status = 401, body = Problem), (status = 404, body = Problem)
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[get("/outputs/{id}/live")]
pub async fn output_live(
    ctx: Ctx,
    _who: Caller,
    id: web::Path<i64>,
    req: HttpRequest,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let preview = preview::output(&ctx, *id).await?;
    serve(&ctx, &req, body, preview)
}
