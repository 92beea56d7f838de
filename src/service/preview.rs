//! Live previews (OUT-10): a camera's or an output's own H.264, packaged for the browser's
//! Media Source Extensions as it arrives — no decode, no encode for a viewer. A preview
//! follows its source through everything (a camera disabled and enabled again, a stall, a
//! reconnect with other settings, a program restart) on the same connection, and says why
//! there is no picture when there is none.

use std::time::Duration;

use tokio::sync::mpsc;
use vistterstream_actors::camera::{CameraRegistry, FrameSubscription};
use vistterstream_actors::output::OutputRegistry;
use vistterstream_actors::preview::{
    CameraUnit, CameraUnits, PreviewMessage, PreviewSession, VideoUnit,
};
use vistterstream_actors::state::CameraState;
use vistterstream_actors::{EventBus, RuntimeEvent};

use super::context::Context;
use super::error::Result;
use super::lookup;
use crate::domain::output::Mode;

/// How often a preview looks for a camera that has no feed (disabled, not started yet).
const FEED_POLL: Duration = Duration::from_millis(250);
/// Messages a viewer may have in flight before its preview skips to the next keyframe.
const VIEWER_QUEUE: usize = 64;

/// What a viewer is sent.
#[derive(Debug)]
pub enum PreviewEvent {
    Message(PreviewMessage),
    /// Why there is (or is not) a picture: the source's state and reason.
    State {
        state: String,
        reason: Option<String>,
    },
    /// The source's codec cannot be previewed in a browser (H.265): snapshots only.
    Unsupported {
        codec: String,
    },
}

/// An open preview: events until the source is gone for good; dropping it stops the work.
pub struct Preview {
    rx: mpsc::Receiver<PreviewEvent>,
}

impl Preview {
    pub async fn next(&mut self) -> Option<PreviewEvent> {
        self.rx.recv().await
    }
}

/// Sends a viewer its events; a viewer too slow for a fragment makes its session skip to
/// the next keyframe instead of queueing.
struct Viewer {
    tx: mpsc::Sender<PreviewEvent>,
    session: PreviewSession,
}

impl Viewer {
    /// Whether the viewer is still there.
    fn state(&self, state: &str, reason: Option<String>) -> bool {
        self.tx
            .try_send(PreviewEvent::State {
                state: state.to_string(),
                reason,
            })
            .is_ok_or_full()
    }

    fn unit(&mut self, unit: &VideoUnit) -> bool {
        let messages = match self.session.push(unit) {
            Ok(m) => m,
            Err(e) => {
                tracing::warn!(error = %e, "a preview fragment could not be written");
                return true;
            }
        };
        for message in messages {
            match self.tx.try_send(PreviewEvent::Message(message)) {
                Ok(()) => {}
                Err(mpsc::error::TrySendError::Full(_)) => {
                    self.session.skip_to_keyframe();
                    return true;
                }
                Err(mpsc::error::TrySendError::Closed(_)) => return false,
            }
        }
        true
    }
}

trait SendOutcome {
    fn is_ok_or_full(&self) -> bool;
}

impl<T> SendOutcome for std::result::Result<(), mpsc::error::TrySendError<T>> {
    fn is_ok_or_full(&self) -> bool {
        !matches!(self, Err(mpsc::error::TrySendError::Closed(_)))
    }
}

fn channel() -> (Viewer, Preview) {
    let (tx, rx) = mpsc::channel(VIEWER_QUEUE);
    (
        Viewer {
            tx,
            session: PreviewSession::default(),
        },
        Preview { rx },
    )
}

/// The live picture of a camera.
pub async fn camera(ctx: &Context, camera_id: i64) -> Result<Preview> {
    lookup::camera(ctx, camera_id).await?;
    let (viewer, preview) = channel();
    actix::spawn(camera_preview(
        ctx.runtime.camera_registry.clone(),
        camera_id,
        viewer,
    ));
    Ok(preview)
}

/// The live picture of an output: a program's encoded picture, or a relay's camera.
pub async fn output(ctx: &Context, output_id: i64) -> Result<Preview> {
    let row = lookup::output(ctx, output_id).await?;
    let (viewer, preview) = channel();
    match (row.settings.mode, row.settings.camera_id) {
        (Mode::Relay, Some(camera_id)) => {
            actix::spawn(camera_preview(
                ctx.runtime.camera_registry.clone(),
                camera_id,
                viewer,
            ));
        }
        _ => {
            actix::spawn(program_preview(
                ctx.runtime.output_registry.clone(),
                ctx.runtime.events.clone(),
                output_id,
                viewer,
            ));
        }
    }
    Ok(preview)
}

async fn camera_preview(cameras: CameraRegistry, camera_id: i64, mut viewer: Viewer) {
    loop {
        let Some(feed) = cameras.feed(camera_id) else {
            if !viewer.state(CameraState::Disabled.as_str(), None) {
                return;
            }
            // Until it is enabled (or the viewer leaves).
            loop {
                tokio::select! {
                    _ = tokio::time::sleep(FEED_POLL) => {}
                    _ = viewer.tx.closed() => return,
                }
                if cameras.feed(camera_id).is_some() {
                    break;
                }
            }
            continue;
        };
        let mut frames: FrameSubscription = feed.subscribe();
        let mut status = feed.watch_status();
        drop(feed);
        let mut said = {
            let s = status.borrow_and_update();
            (s.state, s.reason.clone())
        };
        if !viewer.state(said.0.as_str(), said.1.clone()) {
            return;
        }
        let mut units = CameraUnits::default();
        let mut told_unsupported = false;
        loop {
            tokio::select! {
                frame = frames.recv() => {
                    let Some(frame) = frame else { break };
                    match units.unit(&frame) {
                        CameraUnit::Video(unit) => {
                            if !viewer.unit(&unit) {
                                return;
                            }
                        }
                        CameraUnit::Skip => {}
                        CameraUnit::Unsupported(codec) if !told_unsupported => {
                            told_unsupported = true;
                            let sent = viewer.tx.try_send(PreviewEvent::Unsupported {
                                codec: codec.as_str().to_string(),
                            });
                            if !sent.is_ok_or_full() {
                                return;
                            }
                        }
                        CameraUnit::Unsupported(_) => {}
                    }
                }
                changed = status.changed() => {
                    if changed.is_err() {
                        break;
                    }
                    // The status changes with every second's rates: say only a new state.
                    let now = {
                        let s = status.borrow_and_update();
                        (s.state, s.reason.clone())
                    };
                    if now != said {
                        said = now;
                        if !viewer.state(said.0.as_str(), said.1.clone()) {
                            return;
                        }
                    }
                }
                _ = viewer.tx.closed() => return,
            }
        }
    }
}

async fn program_preview(
    outputs: OutputRegistry,
    events: EventBus,
    output_id: i64,
    mut viewer: Viewer,
) {
    let mut changes = events.subscribe();
    let status = outputs.status(output_id);
    if !viewer.state(status.state.as_str(), status.reason) {
        return;
    }
    // The feed exists once the output was started; until then, its state tells why.
    let feed = loop {
        if let Some(shared) = outputs.shared(output_id) {
            break shared.preview;
        }
        tokio::select! {
            _ = tokio::time::sleep(FEED_POLL) => {}
            _ = viewer.tx.closed() => return,
        }
    };
    let (gop, mut live) = feed.subscribe();
    for unit in &gop {
        if !viewer.unit(unit) {
            return;
        }
    }
    loop {
        tokio::select! {
            unit = live.recv() => match unit {
                Ok(unit) => {
                    if !viewer.unit(&unit) {
                        return;
                    }
                }
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                    viewer.session.skip_to_keyframe();
                }
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
            },
            event = changes.recv() => match event {
                Ok(RuntimeEvent::OutputState { output_id: id, state, reason, .. }) if id == output_id => {
                    if !viewer.state(state.as_str(), reason) {
                        return;
                    }
                }
                Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
            },
            _ = viewer.tx.closed() => return,
        }
    }
}
