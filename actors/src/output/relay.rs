//! A relay's feeder: the camera's access units straight to the fan-out (destinations and
//! recorder repackage them), with the camera's own AAC when it has one, otherwise silence.

use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use futures::FutureExt;
use futures::future::LocalBoxFuture;
use tokio::sync::watch;

use super::clock::RunningClock;
use super::fanout::Fanout;
use super::input::{Feeder, FirstFrameHook, Target};
use super::silence::SilentAac;
use crate::camera::{CameraRegistry, Frame};

/// A relay's feeder hands frames to the destinations this many at a time (see
/// `Feeder::batch`): three pictures at 30 fps.
pub(super) const RELAY_BATCH: Duration = Duration::from_millis(100);

pub(super) struct Relay {
    pub camera_id: i64,
    pub cameras: CameraRegistry,
    pub fanout: Arc<Fanout>,
    pub clock: RunningClock,
    pub skipped: Arc<AtomicU64>,
    pub silence: Option<SilentAac>,
}

impl Relay {
    /// The relay's two tasks (the feeder, and the silence it adds when the camera has no
    /// AAC); both end when `stop` turns true. Start them after the destinations have attached
    /// to the fan-out, so the camera's cached GOP reaches them and they start on its keyframe.
    pub fn tasks(self, stop: &watch::Sender<bool>) -> [LocalBoxFuture<'static, ()>; 2] {
        // The camera's own AAC is copied when it has one; otherwise silence. Decided on the
        // first frame (the stream parameters travel with it) and kept for this run: the
        // audio format of an FLV stream cannot change mid-stream.
        let (decision_tx, mut decision_rx) = watch::channel::<Option<bool>>(None);
        let on_first = Box::new(move |frame: &Frame| {
            if decision_tx.borrow().is_none() {
                let has_aac = frame
                    .params
                    .audio
                    .as_ref()
                    .is_some_and(|a| a.codec == "aac");
                let _ = decision_tx.send(Some(has_aac));
            }
            decision_tx.borrow().unwrap_or(false)
        }) as FirstFrameHook;
        let feeder = Feeder {
            camera_id: self.camera_id,
            registry: self.cameras,
            clock: self.clock.clone(),
            video: Target::Fanout(self.fanout.clone()),
            audio: Some(Target::Fanout(self.fanout.clone())),
            skipped: self.skipped,
            on_first_frame: Some(on_first),
            show_from: None,
            batch: RELAY_BATCH,
        };
        let mut stop_silence = stop.subscribe();
        let (fanout, clock, silence) = (self.fanout, self.clock, self.silence);
        let silence_task = async move {
            // Silence, once the first frame has shown the camera has no AAC.
            let copies_camera_audio = loop {
                if let Some(c) = *decision_rx.borrow() {
                    break c;
                }
                tokio::select! {
                    r = decision_rx.changed() => if r.is_err() { return; },
                    _ = stop_silence.changed() => if *stop_silence.borrow() { return; },
                }
            };
            if !copies_camera_audio && let Some(silence) = silence {
                silence.run(fanout, clock, RELAY_BATCH, stop_silence).await;
            }
        };
        [
            silence_task.boxed_local(),
            feeder.run(stop.subscribe()).boxed_local(),
        ]
    }
}
