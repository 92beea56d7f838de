//! CameraActor: keeps one camera's RTSP session alive, 24/7.
//!
//! One actor per enabled camera, one RTSP session per actor however many consumers there
//! are: frames fan out through the camera's [`CameraFeed`]. The actor reconnects by itself
//! with jittered backoff (first retry within 1 s, cap 30 s) after any failure, including a
//! stream that ends quietly (what retina reports when a camera dies) and a stall.

use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;
use retina::client::SessionGroup;

use super::feed::CameraFeed;
use super::messages::UpdateCameraSpec;
use super::session::{self, SessionError};
use super::spec::CameraSpec;
use crate::backoff::Backoff;
use crate::state::CameraState;
use crate::supervision::{ChildLink, Halt, StopReason};

// ---- messages -------------------------------------------------------------------------------

/// A session ended (internal).
#[derive(Message)]
#[rtype(result = "()")]
struct SessionEnded {
    session_no: u64,
    error: SessionError,
    streamed_for: Option<Duration>,
}

/// A session that streamed at least this long counts as healthy: the next failure starts the
/// backoff over, so a camera that was up for hours is retried within a second.
const HEALTHY_SESSION: Duration = Duration::from_secs(60);

pub struct CameraActor {
    spec: CameraSpec,
    feed: Arc<CameraFeed>,
    group: Arc<SessionGroup>,
    backoff: Backoff,
    session_no: u64,
    /// The running session: a task of its own on this actor's arbiter, so a packet's wake-up
    /// polls only the session, not the actor's mailbox and context.
    session: Option<tokio::task::JoinHandle<()>>,
    retry: Option<SpawnHandle>,
    link: ChildLink,
    reconnects: metrics::Counter,
}

impl CameraActor {
    pub fn new(
        spec: CameraSpec,
        feed: Arc<CameraFeed>,
        group: Arc<SessionGroup>,
        link: ChildLink,
    ) -> Self {
        let reconnects =
            metrics::counter!("vistter_camera_reconnects_total", "camera" => spec.id.to_string());
        Self {
            spec,
            feed,
            group,
            backoff: Backoff::standard(),
            session_no: 0,
            session: None,
            retry: None,
            link,
            reconnects,
        }
    }

    /// Open a new session. `fresh` (first start, changed settings) shows `connecting`; a retry
    /// keeps showing the failure that caused it (stalled, backoff, error with its reason)
    /// until the camera streams again, so the state does not flicker on every attempt.
    fn connect(&mut self, ctx: &mut Context<Self>, fresh: bool) {
        self.cancel(ctx);
        self.session_no += 1;
        let session_no = self.session_no;
        if fresh {
            // New settings may mean another stream: its old picture must not serve anyone.
            self.feed.clear_gop();
            self.feed.set_state(CameraState::Connecting, None);
        }
        tracing::debug!(camera = self.spec.id, url = %self.spec.url, session_no, "connecting");
        let addr = ctx.address();
        let run = session::run(
            self.spec.clone(),
            self.feed.clone(),
            self.group.clone(),
            session_no,
        );
        // The session runs on this actor's arbiter; it posts frames straight into the feed
        // (no mailbox hop per frame) and tells the actor how it ended.
        self.session = Some(actix::spawn(async move {
            let (error, streamed_for) = run.await;
            addr.do_send(SessionEnded {
                session_no,
                error,
                streamed_for,
            });
        }));
    }

    fn cancel(&mut self, ctx: &mut Context<Self>) {
        if let Some(h) = self.session.take() {
            // Dropping the session future closes the RTSP connection (and retina tears the
            // session down in the background when the server needs it).
            h.abort();
        }
        if let Some(h) = self.retry.take() {
            ctx.cancel_future(h);
        }
    }
}

impl Actor for CameraActor {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        tracing::info!(camera = self.spec.id, name = %self.spec.name, url = %self.spec.url, "camera actor started");
        self.connect(ctx, true);
    }

    fn stopping(&mut self, ctx: &mut Self::Context) -> Running {
        self.cancel(ctx);
        self.feed.clear_gop();
        Running::Stop
    }

    fn stopped(&mut self, _ctx: &mut Self::Context) {
        tracing::info!(camera = self.spec.id, "camera actor stopped");
        // A camera actor never stops by itself (it reconnects forever): only a halt stops it.
        self.link.report(StopReason::Halted);
    }
}

impl Handler<SessionEnded> for CameraActor {
    type Result = ();

    fn handle(&mut self, msg: SessionEnded, ctx: &mut Self::Context) {
        if msg.session_no != self.session_no {
            return; // a cancelled session reporting late
        }
        self.session = None;
        self.feed.clear_gop();
        if msg.streamed_for.is_some_and(|d| d >= HEALTHY_SESSION) {
            self.backoff.reset();
        }
        let delay = self.backoff.next_delay();
        self.reconnects.increment(1);
        self.feed.update_status(|s| s.reconnects += 1);
        let state = msg.error.state();
        tracing::warn!(
            camera = self.spec.id,
            url = %self.spec.url,
            error = %msg.error,
            retry_in_ms = delay.as_millis() as u64,
            "camera session ended"
        );
        self.feed.set_state(state, Some(msg.error.to_string()));
        self.retry = Some(ctx.run_later(delay, |act, ctx| {
            act.retry = None;
            act.connect(ctx, false);
        }));
    }
}

impl Handler<UpdateCameraSpec> for CameraActor {
    type Result = ();

    fn handle(&mut self, msg: UpdateCameraSpec, ctx: &mut Self::Context) {
        let reconnect = self.spec.needs_reconnect(&msg.0);
        self.spec = msg.0;
        if reconnect {
            tracing::info!(camera = self.spec.id, url = %self.spec.url, "camera settings changed; reconnecting");
            self.backoff.reset();
            self.connect(ctx, true);
        }
    }
}

impl Handler<Halt> for CameraActor {
    type Result = ();

    fn handle(&mut self, _: Halt, ctx: &mut Self::Context) {
        ctx.stop();
    }
}
