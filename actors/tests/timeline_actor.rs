//! The timeline actor on a manual clock, with recorders in place of the program and the PTZ
//! cameras: what it hands the program, when, and stamped with which time.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix::prelude::*;
use futures::FutureExt;
use futures::future::BoxFuture;
use vistterstream_actors::EventBus;
use vistterstream_actors::output::{
    LayerSource, OverlayLayer, OverlayPlacement, ProgramCommand, ProgramEpoch, ShotEntry,
};
use vistterstream_actors::ptz::MoveOutcome;
use vistterstream_actors::state::TimelineState;
use vistterstream_actors::supervision::ChildLink;
use vistterstream_actors::timeline::clock::ManualClock;
use vistterstream_actors::timeline::ports::{ProgramPort, PtzPort};
use vistterstream_actors::timeline::run::{PresetTarget, StartAt, TimelineRun};
use vistterstream_actors::timeline::spec::{OverlayCue, TimelineSpec, Transition, VideoCue};
use vistterstream_actors::timeline::{
    Pause, Pin, Resume, Seek, Skip, Tick, TimelineActor, TimelineCell, TimelineEnv,
};

fn s(secs: f64) -> Duration {
    Duration::from_secs_f64(secs)
}

/// Records every command with the clock time it was sent at; answers with an epoch the
/// test can change (a restarted program).
#[derive(Clone, Default)]
struct Program {
    sent: Arc<Mutex<Vec<(Duration, ProgramCommand)>>>,
    epoch: Arc<AtomicU64>,
    clock: ManualClock,
}

impl Program {
    /// The commands sent since the last call, without the `Prepare`s.
    fn take(&self) -> Vec<(Duration, ProgramCommand)> {
        let mut sent = self.sent.lock().unwrap();
        std::mem::take(&mut *sent)
            .into_iter()
            .filter(|(_, c)| !matches!(c, ProgramCommand::Prepare(_)))
            .collect()
    }

    fn shots(&self) -> Vec<(Duration, i64, ShotEntry)> {
        self.take()
            .into_iter()
            .filter_map(|(_, c)| match c {
                ProgramCommand::Shot {
                    at,
                    camera_id,
                    entry,
                } => Some((at, camera_id, entry)),
                _ => None,
            })
            .collect()
    }
}

impl ProgramPort for Program {
    fn command(
        &self,
        _output_id: i64,
        command: ProgramCommand,
    ) -> BoxFuture<'static, Result<ProgramEpoch, String>> {
        use vistterstream_actors::timeline::clock::TimelineClock;
        self.sent.lock().unwrap().push((self.clock.now(), command));
        futures::future::ready(Ok(self.epoch.load(Ordering::SeqCst))).boxed()
    }
}

#[derive(Clone, Default)]
struct Ptz {
    recalls: Arc<Mutex<Vec<(Duration, i64)>>>,
    clock: ManualClock,
}

impl PtzPort for Ptz {
    fn recall(&self, target: &PresetTarget) -> BoxFuture<'static, Result<MoveOutcome, String>> {
        use vistterstream_actors::timeline::clock::TimelineClock;
        self.recalls
            .lock()
            .unwrap()
            .push((self.clock.now(), target.camera_id));
        futures::future::ready(Ok(MoveOutcome {
            method: Some("preset_token"),
            settled: true,
            timed_out: false,
            position: None,
            elapsed_ms: 1_000,
        }))
        .boxed()
    }
}

fn cue(start: f64, duration: f64, camera_id: i64, transition: Transition) -> VideoCue {
    VideoCue {
        start: s(start),
        duration: s(duration),
        camera_id,
        preset_id: None,
        transition,
    }
}

fn text_layer(id: i64) -> OverlayLayer {
    OverlayLayer {
        id,
        asset_id: 7,
        placement: OverlayPlacement {
            x: 0.1,
            y: 0.1,
            width: None,
            height: None,
            opacity: 1.0,
            z: 0,
            visible: true,
        },
        source: LayerSource::Text {
            text: "LIVE".into(),
            size_px: 24,
            color: [255, 255, 255, 255],
        },
    }
}

/// 10 s: camera 1 [0, 4), camera 2 [4, 7) fading in over 1 s, camera 1 [7, 10); an overlay
/// over [2, 5).
fn show(looping: bool) -> TimelineRun {
    TimelineRun {
        run_id: 1,
        output_id: 9,
        timeline: TimelineSpec {
            id: 3,
            duration: s(10.0),
            looping,
            video_tracks: vec![vec![
                cue(0.0, 4.0, 1, Transition::Cut),
                cue(4.0, 3.0, 2, Transition::Fade(s(1.0))),
                cue(7.0, 3.0, 1, Transition::Cut),
            ]],
            overlays: vec![OverlayCue {
                start: s(2.0),
                duration: s(3.0),
                asset_id: 7,
                place: None,
            }],
        },
        overlay_layers: vec![Some(text_layer(-1))],
        presets: HashMap::new(),
        start: StartAt::default(),
        pinned: None,
    }
}

struct Rig {
    clock: ManualClock,
    program: Program,
    ptz: Ptz,
    addr: Addr<TimelineActor>,
    cell: Arc<TimelineCell>,
}

/// The clock starts at 100 s so times before the start are representable.
fn start(run: TimelineRun) -> Rig {
    let clock = ManualClock::default();
    clock.set(s(100.0));
    let program = Program {
        clock: clock.clone(),
        ..Default::default()
    };
    let ptz = Ptz {
        clock: clock.clone(),
        ..Default::default()
    };
    let env = TimelineEnv {
        program: Arc::new(program.clone()),
        ptz: Arc::new(ptz.clone()),
        clock: Arc::new(clock.clone()),
        events: EventBus::default(),
        tick: Duration::from_secs(3600),
    };
    let cell = Arc::new(TimelineCell::new(env.events.clone()));
    let addr = TimelineActor::new(run, env, cell.clone(), ChildLink::detached(9)).start();
    Rig {
        clock,
        program,
        ptz,
        addr,
        cell,
    }
}

impl Rig {
    async fn at(&self, secs: f64) -> vistterstream_actors::state::TimelinePosition {
        self.clock.set(s(100.0 + secs));
        self.addr.send(Tick).await.expect("the actor answers")
    }
}

#[actix::test]
async fn cues_are_handed_over_ahead_stamped_with_their_exact_time() {
    let rig = start(show(false));
    let first = rig.at(0.0).await;
    assert_eq!(first.camera_id, Some(1));
    let opening = rig.program.take();
    assert!(matches!(opening[0].1, ProgramCommand::Clear), "{opening:?}");
    assert!(
        matches!(opening[1].1, ProgramCommand::Shot { at, camera_id: 1, entry: ShotEntry::Cut } if at == s(100.0)),
        "{opening:?}"
    );

    // The overlay at 2 s goes out a second ahead, stamped 102 s.
    rig.at(1.2).await;
    let sent = rig.program.take();
    let overlay = sent.iter().find_map(|(_, c)| match c {
        ProgramCommand::Overlays { at, layers } => Some((*at, layers.len())),
        _ => None,
    });
    assert_eq!(overlay, Some((s(102.0), 1)), "{sent:?}");

    // The fade to camera 2 at 4 s, sent at 3.3 s for 104 s.
    rig.at(3.3).await;
    assert_eq!(
        rig.program.shots(),
        vec![(s(104.0), 2, ShotEntry::Fade(1_000_000_000))]
    );
    let position = rig.at(4.5).await;
    assert_eq!(position.camera_id, Some(2));
    assert_eq!(position.cue.map(|c| c.index), Some(1));
    let next = position.next_cue.expect("a next cue");
    assert_eq!(next.camera_id, 1);
    assert!((next.in_s - 2.5).abs() < 1e-9, "{next:?}");

    // Its end: the overlays go exactly at 10 s; then the timeline ends and releases.
    rig.at(9.5).await;
    let sent = rig.program.take();
    assert!(sent.iter().any(|(_, c)| matches!(c, ProgramCommand::Overlays { at, layers } if *at == s(110.0) && layers.is_empty())), "{sent:?}");
    let end = rig.at(10.0).await;
    assert_eq!(end.state, TimelineState::Ended);
    assert!(
        rig.program
            .take()
            .iter()
            .any(|(_, c)| matches!(c, ProgramCommand::Release))
    );
}

#[actix::test]
async fn a_pause_stops_the_clock_and_forgets_what_was_scheduled() {
    let rig = start(show(false));
    rig.at(3.5).await;
    rig.program.take();
    let paused = rig.addr.send(Pause).await.unwrap().unwrap();
    assert_eq!(paused.state, TimelineState::Paused);
    assert!(matches!(rig.program.take()[0].1, ProgramCommand::Clear));
    // Twenty seconds later it is still at 3.5 s and sends nothing.
    let later = rig.at(23.5).await;
    assert!((later.position_s - 3.5).abs() < 1e-9);
    assert!(rig.program.shots().is_empty());
    // Resumed, the fade comes 0.5 s later on the clock.
    rig.addr.send(Resume).await.unwrap().unwrap();
    let shots = rig.program.shots();
    assert_eq!(
        shots.last(),
        Some(&(s(124.0), 2, ShotEntry::Fade(1_000_000_000))),
        "{shots:?}"
    );
}

#[actix::test]
async fn seek_skip_and_pin() {
    let rig = start(show(true));
    rig.at(1.0).await;
    rig.program.take();
    // Seek onto the exact boundary of the third cue: camera 1 on air at once.
    let seeked = rig.addr.send(Seek(s(7.0))).await.unwrap().unwrap();
    assert_eq!(seeked.cue.map(|c| c.index), Some(2));
    assert!((seeked.position_s - 7.0).abs() < 1e-9);
    assert_eq!(rig.program.shots().first().map(|s| s.1), Some(1));
    // Past the end is refused.
    assert!(rig.addr.send(Seek(s(11.0))).await.unwrap().is_err());
    // Skip from 7 s goes to the next pass's first cue (looping): loop 1, offset 0.
    let skipped = rig.addr.send(Skip).await.unwrap().unwrap();
    assert_eq!(skipped.loops, 1);
    assert!(skipped.position_s.abs() < 1e-9, "{skipped:?}");
    rig.program.take();
    // Pinned to camera 5: camera 5 on air, and the fade at 4 s is not sent.
    let pinned = rig.addr.send(Pin(Some(5))).await.unwrap().unwrap();
    assert_eq!(pinned.pinned_camera_id, Some(5));
    assert_eq!(rig.program.shots().first().map(|s| s.1), Some(5));
    rig.at(4.0).await; // clock moved 3 s since the skip
    assert!(rig.program.shots().is_empty());
    // Released: the timeline's camera (2 at 3 s + ...) comes back at once.
    let released = rig.addr.send(Pin(None)).await.unwrap().unwrap();
    assert_eq!(released.pinned_camera_id, None);
    assert_eq!(rig.program.shots().first().map(|s| s.1), released.camera_id);
}

#[actix::test]
async fn a_restarted_program_gets_the_picture_back() {
    let rig = start(show(false));
    rig.at(1.0).await;
    rig.program.take();
    rig.program.epoch.store(2, Ordering::SeqCst);
    rig.at(1.1).await; // the Prepare's answer carries the new epoch
    rig.at(1.2).await;
    let shots = rig.program.shots();
    assert!(shots.iter().any(|(_, camera, _)| *camera == 1), "{shots:?}");
}

#[actix::test]
async fn a_ptz_camera_moves_to_its_preset_ahead_of_its_cue() {
    let mut run = show(false);
    run.timeline.video_tracks[0][1].preset_id = Some(11);
    run.presets.insert(
        11,
        PresetTarget {
            camera_id: 2,
            position: None,
            token: Some("marina".into()),
        },
    );
    let rig = start(run);
    // Unmeasured: 3 s recall + 0.5 s margin before the cue at 4 s.
    rig.at(0.4).await;
    assert!(rig.ptz.recalls.lock().unwrap().is_empty());
    rig.at(0.6).await;
    assert_eq!(rig.ptz.recalls.lock().unwrap().clone(), vec![(s(100.6), 2)]);
    // The cell has the live position for the shell.
    assert_eq!(rig.cell.get().map(|p| p.output_id), Some(9));
}

#[actix::test]
async fn a_pause_across_the_loop_end_resumes_in_the_same_pass_and_then_wraps() {
    let rig = start(show(true));
    rig.at(9.5).await;
    rig.program.take();
    let paused = rig.addr.send(Pause).await.unwrap().unwrap();
    assert!((paused.position_s - 9.5).abs() < 1e-9);
    // Five seconds later, across where the loop would have ended: still pass 0 at 9.5 s.
    let later = rig.at(14.5).await;
    assert_eq!((later.loops, later.state), (0, TimelineState::Paused));
    assert!(rig.program.shots().is_empty(), "nothing cut while paused");
    rig.addr.send(Resume).await.unwrap().unwrap();
    rig.program.take();
    // Resumed at 14.5 s of clock: the pass ends 0.5 s later, at 115.0, where camera 1's first
    // cue comes back (camera 1 is on air already: no shot), the overlay set unchanged.
    let wrapped = rig.at(15.2).await;
    assert_eq!(wrapped.loops, 1);
    assert!((wrapped.position_s - 0.2).abs() < 1e-6, "{wrapped:?}");
    assert_eq!(wrapped.camera_id, Some(1));
}

#[actix::test]
async fn adjacent_cues_of_one_camera_need_no_cut_and_a_zero_length_gap_is_none() {
    // Camera 1 [0, 4) and [4, 8) back to back (no gap), camera 2 from 8 s.
    let mut run = show(false);
    run.timeline.video_tracks[0] = vec![
        cue(0.0, 4.0, 1, Transition::Cut),
        cue(4.0, 4.0, 1, Transition::Cut),
        cue(8.0, 2.0, 2, Transition::Cut),
    ];
    let rig = start(run);
    rig.at(0.0).await;
    rig.program.take();
    rig.at(3.5).await;
    assert!(
        rig.program.shots().is_empty(),
        "the same camera again: no cut"
    );
    rig.at(7.5).await;
    assert_eq!(rig.program.shots(), vec![(s(108.0), 2, ShotEntry::Cut)]);
}
