//! The one supervision pattern, with a child kind made for the test: what the supervisor does
//! when a child fails, asks for a planned restart, is stopped, removed or shut down — the same
//! for cameras, PTZ devices and outputs.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use actix::prelude::*;
use vistterstream_actors::supervision::{
    ChildLink, Halt, Registry, Shutdown, Stop, StopAll, StopReason, Supervised, Supervisor, Upsert,
};

/// A child's spec: its id and a setting it applies in place.
#[derive(Clone, Debug, PartialEq)]
struct Spec {
    id: i64,
    setting: u32,
}

/// What a child shares with its supervisor's registry: how often it started, the setting it
/// runs with now.
#[derive(Default)]
struct Counters {
    starts: AtomicU64,
    setting: AtomicU64,
}

struct Child {
    link: ChildLink,
    counters: Arc<Counters>,
    stop_reason: StopReason,
}

/// Stop as if something failed (`Failed`) or new settings need a new actor (`Restart`).
#[derive(Message)]
#[rtype(result = "()")]
struct End(StopReason);

#[derive(Message)]
#[rtype(result = "()")]
struct Apply(u32);

impl Actor for Child {
    type Context = Context<Self>;

    fn started(&mut self, _: &mut Context<Self>) {
        self.counters.starts.fetch_add(1, Ordering::SeqCst);
    }

    fn stopped(&mut self, _: &mut Context<Self>) {
        self.link.report(self.stop_reason.clone());
    }
}

impl Handler<End> for Child {
    type Result = ();

    fn handle(&mut self, msg: End, ctx: &mut Context<Self>) {
        self.stop_reason = msg.0;
        ctx.stop();
    }
}

impl Handler<Apply> for Child {
    type Result = ();

    fn handle(&mut self, msg: Apply, _: &mut Context<Self>) {
        self.counters
            .setting
            .store(u64::from(msg.0), Ordering::SeqCst);
    }
}

impl Handler<Halt> for Child {
    type Result = ();

    fn handle(&mut self, _: Halt, ctx: &mut Context<Self>) {
        self.stop_reason = StopReason::Halted;
        ctx.stop();
    }
}

impl Supervised for Child {
    type Spec = Spec;
    type Shared = Arc<Counters>;
    type Env = ();
    const KIND: &'static str = "test child";

    fn id(spec: &Spec) -> i64 {
        spec.id
    }

    fn shared(_: &Spec, previous: Option<Arc<Counters>>, _: &()) -> Arc<Counters> {
        previous.unwrap_or_default()
    }

    fn make(spec: Spec, counters: &Arc<Counters>, link: ChildLink, _: &()) -> Self {
        counters
            .setting
            .store(u64::from(spec.setting), Ordering::SeqCst);
        Child {
            link,
            counters: counters.clone(),
            stop_reason: StopReason::Halted,
        }
    }

    fn update(addr: &Addr<Self>, spec: Spec) {
        addr.do_send(Apply(spec.setting));
    }
}

fn start() -> (Addr<Supervisor<Child>>, Registry<Child>) {
    let registry = Registry::default();
    let supervisor = Supervisor::new((), registry.clone(), Arbiter::new().handle()).start();
    (supervisor, registry)
}

/// Wait (bounded) until `cond` holds.
async fn until(what: &str, cond: impl Fn() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while !cond() {
        assert!(tokio::time::Instant::now() < deadline, "never: {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

fn starts(registry: &Registry<Child>, id: i64) -> u64 {
    registry
        .shared(id)
        .map_or(0, |c| c.starts.load(Ordering::SeqCst))
}

#[actix::test]
async fn a_failed_child_restarts_and_a_planned_restart_is_immediate() {
    let (supervisor, registry) = start();
    supervisor.do_send(Upsert(Spec { id: 1, setting: 7 }));
    until("the child starts", || starts(&registry, 1) == 1).await;
    let first = registry.addr(1).expect("a running child");

    // A failure: restarted after a backoff (the first within a second).
    first.do_send(End(StopReason::Failed("boom".into())));
    until("the failed child restarts", || starts(&registry, 1) == 2).await;
    let second = registry.addr(1).expect("a running child again");
    assert!(!first.connected(), "the failed actor is gone");

    // New settings the child can take in place reach the running actor.
    supervisor.do_send(Upsert(Spec { id: 1, setting: 9 }));
    until("the running child applies the new setting", || {
        registry
            .shared(1)
            .is_some_and(|c| c.setting.load(Ordering::SeqCst) == 9)
    })
    .await;
    assert_eq!(
        starts(&registry, 1),
        2,
        "an in-place change restarts nothing"
    );

    // A planned restart: at once, with the newest spec.
    second.do_send(End(StopReason::Restart));
    until("the planned restart", || starts(&registry, 1) == 3).await;
    assert_eq!(
        registry.shared(1).unwrap().setting.load(Ordering::SeqCst),
        9
    );

    // A late notice from an earlier actor is ignored: no extra start.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(starts(&registry, 1), 3);
}

#[actix::test]
async fn stopped_children_stay_stopped_and_removed_ones_leave_the_registry() {
    let (supervisor, registry) = start();
    for id in [1, 2, 3] {
        supervisor.do_send(Upsert(Spec { id, setting: 0 }));
    }
    until("three children run", || {
        [1, 2, 3].iter().all(|id| registry.addr(*id).is_some())
    })
    .await;

    // Stopped, not forgotten: what it shares stays (an output's status says why).
    supervisor
        .send(Stop {
            id: 1,
            forget: false,
        })
        .await
        .unwrap();
    assert!(registry.addr(1).is_none());
    assert!(registry.shared(1).is_some());
    // Removed: gone from the registry.
    supervisor
        .send(Stop {
            id: 2,
            forget: true,
        })
        .await
        .unwrap();
    assert!(registry.get(2).is_none());

    let stopped = supervisor.send(StopAll).await.unwrap();
    assert_eq!(stopped, vec![3], "the emergency stop names what it stopped");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    for id in [1, 3] {
        assert_eq!(starts(&registry, id), 1, "child {id} was not restarted");
        assert!(registry.addr(id).is_none());
    }

    // Started again later, it keeps what it shared (its counters).
    supervisor.do_send(Upsert(Spec { id: 1, setting: 0 }));
    until("child 1 runs again", || starts(&registry, 1) == 2).await;

    supervisor
        .send(Shutdown {
            timeout: Duration::from_secs(1),
        })
        .await
        .unwrap();
    assert!(
        registry.get(1).is_none(),
        "shutdown removes every running child"
    );
    assert!(registry.ids().iter().all(|id| registry.addr(*id).is_none()));
    supervisor.do_send(Upsert(Spec { id: 4, setting: 0 }));
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(registry.get(4).is_none(), "nothing starts after shutdown");
}
