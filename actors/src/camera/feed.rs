//! A camera's fan-out point: frames to any number of subscribers, the GOP cache, status.
//!
//! The feed outlives individual RTSP sessions and actor restarts (the Supervisor keeps it per
//! camera), so a consumer subscribes once and keeps receiving across reconnects.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use tokio::sync::{broadcast, watch};

use super::frame::{Frame, MediaKind};
use super::status::CameraStatus;
use crate::events::{EventBus, RuntimeEvent};
use crate::state::CameraState;

/// Frames buffered per subscriber before it counts as slow (about 4 s of 30 fps video + AAC).
const CHANNEL_CAPACITY: usize = 512;
/// The GOP cache gives up (and waits for the next keyframe) beyond these bounds, so a camera
/// with an absurd keyframe interval cannot grow memory without limit.
const GOP_CACHE_MAX_FRAMES: usize = 600;
const GOP_CACHE_MAX_BYTES: usize = 16 * 1024 * 1024;

#[derive(Default)]
struct GopCache {
    frames: Vec<Arc<Frame>>,
    bytes: usize,
}

pub struct CameraFeed {
    camera_id: i64,
    epoch: Instant,
    tx: broadcast::Sender<Arc<Frame>>,
    gop: Mutex<GopCache>,
    status: watch::Sender<CameraStatus>,
    /// Milliseconds since `epoch` of the last frame, plus one (0 = never).
    last_frame_ms: AtomicU64,
    /// When the current session started streaming (ms since epoch plus one; 0 = not streaming).
    streaming_since_ms: AtomicU64,
    frames_total: AtomicU64,
    events: EventBus,
}

impl CameraFeed {
    pub fn new(camera_id: i64, events: EventBus) -> Arc<Self> {
        let (tx, _) = broadcast::channel(CHANNEL_CAPACITY);
        let (status, _) = watch::channel(CameraStatus::new(CameraState::Connecting));
        // A new feed is a camera coming up: say so, so event consumers see every transition.
        events.publish(RuntimeEvent::CameraState {
            camera_id,
            state: CameraState::Connecting,
            reason: None,
            at: chrono::Utc::now(),
        });
        metrics::gauge!("vistter_camera_up", "camera" => camera_id.to_string()).set(0.0);
        Arc::new(Self {
            camera_id,
            epoch: Instant::now(),
            tx,
            gop: Mutex::new(GopCache::default()),
            status,
            last_frame_ms: AtomicU64::new(0),
            streaming_since_ms: AtomicU64::new(0),
            frames_total: AtomicU64::new(0),
            events,
        })
    }

    pub fn camera_id(&self) -> i64 {
        self.camera_id
    }

    fn lock_gop(&self) -> MutexGuard<'_, GopCache> {
        // A poisoned lock only means another thread panicked mid-update; the cache is
        // rebuilt at the next keyframe anyway.
        self.gop.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Publish a frame to every subscriber and keep it in the GOP cache.
    pub fn publish(&self, frame: Arc<Frame>) {
        let now_ms = frame
            .received
            .saturating_duration_since(self.epoch)
            .as_millis() as u64
            + 1;
        self.last_frame_ms.store(now_ms, Ordering::Relaxed);
        if frame.kind == MediaKind::Video {
            self.frames_total.fetch_add(1, Ordering::Relaxed);
        }
        // Cache update and send happen under one lock so that `subscribe` sees each frame
        // exactly once: either in the cached backlog or on the channel.
        let mut gop = self.lock_gop();
        if frame.is_video_keyframe() {
            gop.frames.clear();
            gop.bytes = 0;
        }
        if !gop.frames.is_empty() || frame.is_video_keyframe() {
            if gop.frames.len() >= GOP_CACHE_MAX_FRAMES
                || gop.bytes + frame.data.len() > GOP_CACHE_MAX_BYTES
            {
                gop.frames.clear();
                gop.bytes = 0;
            } else {
                gop.bytes += frame.data.len();
                gop.frames.push(frame.clone());
            }
        }
        let _ = self.tx.send(frame);
    }

    /// Forget the cached GOP (the session ended: its frames must not start a new consumer).
    pub fn clear_gop(&self) {
        let mut gop = self.lock_gop();
        gop.frames.clear();
        gop.bytes = 0;
    }

    /// The frames since the last keyframe (starting with it), or empty.
    pub fn gop(&self) -> Vec<Arc<Frame>> {
        self.lock_gop().frames.clone()
    }

    /// Subscribe to the frames. The subscription starts with the cached GOP, so the consumer
    /// can decode a picture at once instead of waiting up to a keyframe interval.
    pub fn subscribe(&self) -> FrameSubscription {
        let gop = self.lock_gop();
        let rx = self.tx.subscribe();
        let backlog: VecDeque<_> = gop.frames.iter().cloned().collect();
        let need_keyframe = backlog.is_empty();
        FrameSubscription {
            backlog,
            rx,
            need_keyframe,
            skipped: 0,
        }
    }

    pub fn subscriber_count(&self) -> usize {
        self.tx.receiver_count()
    }

    /// Current status, with the last-frame age and uptime computed now.
    pub fn status(&self) -> CameraStatus {
        let mut s = self.status.borrow().clone();
        let now = self.epoch.elapsed().as_millis() as u64 + 1;
        let last = self.last_frame_ms.load(Ordering::Relaxed);
        s.last_frame_age_ms = (last != 0).then(|| now.saturating_sub(last));
        let since = self.streaming_since_ms.load(Ordering::Relaxed);
        s.frames_total = self.frames_total.load(Ordering::Relaxed);
        s.uptime_s = (since != 0 && s.state == CameraState::Streaming)
            .then(|| now.saturating_sub(since) / 1000);
        s
    }

    pub fn watch_status(&self) -> watch::Receiver<CameraStatus> {
        self.status.subscribe()
    }

    /// Milliseconds since the last frame, if any.
    pub fn last_frame_age_ms(&self) -> Option<u64> {
        self.status().last_frame_age_ms
    }

    /// Change state; emits a `camera.state` event when state or reason changed.
    pub fn set_state(&self, state: CameraState, reason: Option<String>) {
        let changed = self.status.send_if_modified(|s| {
            if s.state == state && s.reason == reason {
                return false;
            }
            s.state = state;
            s.reason = reason.clone();
            if state != CameraState::Streaming {
                s.fps = 0.0;
                s.bitrate_bps = 0;
            }
            true
        });
        if state == CameraState::Streaming {
            let now = self.epoch.elapsed().as_millis() as u64 + 1;
            let _ = self.streaming_since_ms.compare_exchange(
                0,
                now,
                Ordering::Relaxed,
                Ordering::Relaxed,
            );
        } else {
            self.streaming_since_ms.store(0, Ordering::Relaxed);
        }
        if changed {
            metrics::gauge!("vistter_camera_up", "camera" => self.camera_id.to_string()).set(
                if state == CameraState::Streaming {
                    1.0
                } else {
                    0.0
                },
            );
            self.events.publish(RuntimeEvent::CameraState {
                camera_id: self.camera_id,
                state,
                reason,
                at: chrono::Utc::now(),
            });
        }
    }

    /// Update the status fields other than state.
    pub fn update_status(&self, f: impl FnOnce(&mut CameraStatus)) {
        self.status.send_modify(f);
    }
}

/// A consumer's view of a camera's frames.
///
/// Never slows the camera: a subscriber that falls more than the channel capacity behind
/// loses frames and then skips ahead to the next video keyframe, so what it decodes next is
/// always a clean picture.
pub struct FrameSubscription {
    backlog: VecDeque<Arc<Frame>>,
    rx: broadcast::Receiver<Arc<Frame>>,
    need_keyframe: bool,
    skipped: u64,
}

impl FrameSubscription {
    /// Next frame; `None` when the camera is gone for good (deleted or runtime shut down).
    pub async fn recv(&mut self) -> Option<Arc<Frame>> {
        loop {
            let frame = match self.backlog.pop_front() {
                Some(f) => f,
                None => match self.rx.recv().await {
                    Ok(f) => f,
                    Err(broadcast::error::RecvError::Lagged(n)) => {
                        self.skipped += n;
                        self.need_keyframe = true;
                        continue;
                    }
                    Err(broadcast::error::RecvError::Closed) => return None,
                },
            };
            if self.need_keyframe {
                if !frame.is_video_keyframe() {
                    if frame.kind == MediaKind::Video {
                        self.skipped += 1;
                    }
                    continue;
                }
                self.need_keyframe = false;
            }
            return Some(frame);
        }
    }

    /// Frames dropped for this subscriber because it fell behind.
    pub fn skipped(&self) -> u64 {
        self.skipped
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use bytes::Bytes;

    use super::*;
    use crate::camera::frame::{StreamParams, VideoCodec, VideoInfo};

    fn params() -> Arc<StreamParams> {
        Arc::new(StreamParams {
            video: VideoInfo {
                codec: VideoCodec::H264,
                rfc6381: "avc1.42C01F".into(),
                width: 640,
                height: 360,
                fps: Some(25.0),
                extra_data: Bytes::new(),
            },
            audio: None,
        })
    }

    fn frame(n: u64, keyframe: bool) -> Arc<Frame> {
        Arc::new(Frame {
            kind: MediaKind::Video,
            keyframe,
            pts: Duration::from_millis(40 * n),
            received: Instant::now(),
            session: 1,
            data: Bytes::from(n.to_be_bytes().to_vec()),
            params: params(),
        })
    }

    fn n(f: &Frame) -> u64 {
        u64::from_be_bytes(f.data[..8].try_into().unwrap())
    }

    #[tokio::test]
    async fn new_subscriber_starts_at_the_cached_keyframe() {
        let feed = CameraFeed::new(1, EventBus::default());
        feed.publish(frame(0, false)); // before any keyframe: not cached
        feed.publish(frame(1, true));
        feed.publish(frame(2, false));
        let mut sub = feed.subscribe();
        feed.publish(frame(3, false));
        let got: Vec<u64> = [
            sub.recv().await.unwrap(),
            sub.recv().await.unwrap(),
            sub.recv().await.unwrap(),
        ]
        .iter()
        .map(|f| n(f))
        .collect();
        assert_eq!(got, vec![1, 2, 3]);
    }

    #[tokio::test]
    async fn slow_subscriber_skips_to_the_next_keyframe() {
        let feed = CameraFeed::new(1, EventBus::default());
        let mut sub = feed.subscribe();
        // Overflow the channel without the subscriber reading.
        for i in 0..(CHANNEL_CAPACITY as u64 + 50) {
            feed.publish(frame(i, i % 100 == 0));
        }
        let first = sub.recv().await.unwrap();
        assert!(first.is_video_keyframe());
        assert_eq!(n(&first) % 100, 0);
        assert!(sub.skipped() > 0);
    }

    #[tokio::test]
    async fn subscription_ends_when_the_feed_is_dropped() {
        let feed = CameraFeed::new(1, EventBus::default());
        let mut sub = feed.subscribe();
        drop(feed);
        assert!(sub.recv().await.is_none());
    }

    #[tokio::test]
    async fn state_changes_are_published_once() {
        let bus = EventBus::default();
        let mut rx = bus.subscribe();
        let feed = CameraFeed::new(7, bus);
        feed.set_state(CameraState::Streaming, None);
        feed.set_state(CameraState::Streaming, None);
        feed.set_state(CameraState::Backoff, Some("connection refused".into()));
        let created = rx.recv().await.unwrap();
        assert!(matches!(
            created,
            RuntimeEvent::CameraState {
                state: CameraState::Connecting,
                camera_id: 7,
                ..
            }
        ));
        let a = rx.recv().await.unwrap();
        let b = rx.recv().await.unwrap();
        assert!(matches!(
            a,
            RuntimeEvent::CameraState {
                state: CameraState::Streaming,
                ..
            }
        ));
        assert!(matches!(
            b,
            RuntimeEvent::CameraState {
                state: CameraState::Backoff,
                ..
            }
        ));
        assert!(rx.try_recv().is_err());
    }
}
