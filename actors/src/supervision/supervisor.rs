//! The one supervisor every kind of child runs under: it makes the running set match what
//! the shell wants (reconcile, upsert, stop), restarts a child that stopped unexpectedly
//! according to the [`RestartPolicy`], and keeps the [`Registry`] the shell reads.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use actix::prelude::*;

use super::child::{ChildLink, ChildStopped, Halt, Supervised};
use super::policy::{RestartPolicy, StopReason};
use super::registry::{Handle, Registry};

// ---- messages -------------------------------------------------------------------------------

/// Make the running children exactly this set (at start-up).
pub struct Reconcile<S>(pub Vec<S>);

impl<S: 'static> Message for Reconcile<S> {
    type Result = ();
}

/// Start a child, or give a running one its new spec.
pub struct Upsert<S>(pub S);

impl<S: 'static> Message for Upsert<S> {
    type Result = ();
}

/// Stop a child; answered once it is down. `forget` also drops it from the registry (it was
/// deleted or disabled); otherwise the registry keeps what it shares, so a stopped output
/// still reports its status.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Stop {
    pub id: i64,
    pub forget: bool,
}

/// Stop every child (the emergency stop); answered with their ids once all are down. The
/// registry keeps what they share.
#[derive(Message)]
#[rtype(result = "Vec<i64>")]
pub struct StopAll;

/// Stop every child, wait (bounded) until they are down and their connections closed, and
/// start nothing after.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Shutdown {
    pub timeout: Duration,
}

// ---- actor ----------------------------------------------------------------------------------

struct Child<A: Supervised> {
    spec: A::Spec,
    shared: A::Shared,
    addr: Option<Addr<A>>,
    incarnation: u64,
    policy: RestartPolicy,
    restart: Option<SpawnHandle>,
}

pub struct Supervisor<A: Supervised> {
    env: A::Env,
    registry: Registry<A>,
    /// Where the children run: never the supervisor's own arbiter, so a child's work never
    /// delays another child's restart.
    arbiter: ArbiterHandle,
    children: HashMap<i64, Child<A>>,
    /// Never reset, so a stop notice from an actor of a removed-then-re-added child can
    /// never be mistaken for one from the current actor.
    next_incarnation: u64,
    shutting_down: bool,
}

impl<A: Supervised> Supervisor<A> {
    pub fn new(env: A::Env, registry: Registry<A>, arbiter: ArbiterHandle) -> Self {
        Self {
            env,
            registry,
            arbiter,
            children: HashMap::new(),
            next_incarnation: 0,
            shutting_down: false,
        }
    }

    /// Every configured child's spec and running actor, for messages that concern several
    /// children of one kind (a refreshed picture for every output that shows it).
    pub fn for_each_child(&mut self, mut f: impl FnMut(&mut A::Spec, Option<&Addr<A>>)) {
        for child in self.children.values_mut() {
            f(&mut child.spec, child.addr.as_ref());
        }
    }

    fn spawn(&mut self, id: i64, ctx: &mut Context<Self>) {
        let Some(child) = self.children.get_mut(&id) else {
            return;
        };
        self.next_incarnation += 1;
        child.incarnation = self.next_incarnation;
        child.policy.started(Instant::now());
        let link = ChildLink::new(id, child.incarnation, ctx.address().recipient());
        let actor = A::make(child.spec.clone(), &child.shared, link, &self.env);
        let addr = A::start_in_arbiter(&self.arbiter, move |_| actor);
        child.addr = Some(addr.clone());
        self.registry.set_addr(id, Some(addr));
    }

    fn upsert(&mut self, spec: A::Spec, ctx: &mut Context<Self>) {
        if self.shutting_down {
            return;
        }
        let id = A::id(&spec);
        if let Some(child) = self.children.get_mut(&id) {
            if child.spec != spec {
                child.spec = spec.clone();
                if let Some(addr) = &child.addr {
                    A::update(addr, spec);
                }
            }
            return;
        }
        let shared = A::shared(&spec, self.registry.shared(id), &self.env);
        self.registry.set(
            id,
            Handle {
                shared: shared.clone(),
                addr: None,
            },
        );
        self.children.insert(
            id,
            Child {
                spec,
                shared,
                addr: None,
                incarnation: 0,
                policy: RestartPolicy::default(),
                restart: None,
            },
        );
        self.spawn(id, ctx);
    }

    /// Take a child out of the running set; returns its actor (to halt) and what it shares.
    fn take(
        &mut self,
        id: i64,
        forget: bool,
        ctx: &mut Context<Self>,
    ) -> Option<(Option<Addr<A>>, A::Shared)> {
        let Some(mut child) = self.children.remove(&id) else {
            if forget && let Some(shared) = self.registry.shared(id) {
                self.registry.remove(id);
                A::on_remove(&shared);
            }
            return None;
        };
        if let Some(h) = child.restart.take() {
            ctx.cancel_future(h);
        }
        A::on_stop(&child.shared, child.addr.is_some());
        if forget {
            self.registry.remove(id);
            A::on_remove(&child.shared);
        } else {
            self.registry.set_addr(id, None);
        }
        Some((child.addr, child.shared))
    }
}

/// Halt an actor and wait until it is down (a closed mailbox means it already is).
async fn halt<A: Supervised>(addr: Option<Addr<A>>) {
    if let Some(addr) = addr {
        let _ = addr.send(Halt).await;
    }
}

impl<A: Supervised> Actor for Supervisor<A> {
    type Context = Context<Self>;
}

impl<A: Supervised> Handler<Reconcile<A::Spec>> for Supervisor<A> {
    type Result = ();

    fn handle(&mut self, msg: Reconcile<A::Spec>, ctx: &mut Self::Context) {
        let wanted: HashSet<i64> = msg.0.iter().map(A::id).collect();
        let stale: Vec<i64> = self
            .children
            .keys()
            .filter(|id| !wanted.contains(id))
            .copied()
            .collect();
        for id in stale {
            if let Some((addr, _)) = self.take(id, true, ctx) {
                ctx.spawn(halt(addr).into_actor(self));
            }
        }
        for spec in msg.0 {
            self.upsert(spec, ctx);
        }
    }
}

impl<A: Supervised> Handler<Upsert<A::Spec>> for Supervisor<A> {
    type Result = ();

    fn handle(&mut self, msg: Upsert<A::Spec>, ctx: &mut Self::Context) {
        self.upsert(msg.0, ctx);
    }
}

impl<A: Supervised> Handler<Stop> for Supervisor<A> {
    type Result = ResponseFuture<()>;

    fn handle(&mut self, msg: Stop, ctx: &mut Self::Context) -> Self::Result {
        let addr = self
            .take(msg.id, msg.forget, ctx)
            .and_then(|(addr, _)| addr);
        Box::pin(halt(addr))
    }
}

impl<A: Supervised> Handler<StopAll> for Supervisor<A> {
    type Result = ResponseFuture<Vec<i64>>;

    fn handle(&mut self, _: StopAll, ctx: &mut Self::Context) -> Self::Result {
        let mut ids: Vec<i64> = self.children.keys().copied().collect();
        ids.sort_unstable();
        let addrs: Vec<_> = ids
            .iter()
            .filter_map(|id| self.take(*id, false, ctx).and_then(|(addr, _)| addr))
            .collect();
        Box::pin(async move {
            futures::future::join_all(addrs.into_iter().map(|a| halt(Some(a)))).await;
            ids
        })
    }
}

impl<A: Supervised> Handler<Shutdown> for Supervisor<A> {
    type Result = ResponseFuture<()>;

    fn handle(&mut self, msg: Shutdown, ctx: &mut Self::Context) -> Self::Result {
        self.shutting_down = true;
        let ids: Vec<i64> = self.children.keys().copied().collect();
        let mut halts = Vec::new();
        let mut afterwards = Vec::new();
        for id in ids {
            if let Some((addr, shared)) = self.take(id, true, ctx) {
                halts.push(halt(addr));
                afterwards.extend(A::after_halt(&shared));
            }
        }
        Box::pin(async move {
            // First the actors (stopping them closes their sessions and pipelines), then
            // what their connections still owe (a camera's RTSP TEARDOWN).
            let all_down = futures::future::join_all(halts);
            if tokio::time::timeout(msg.timeout / 2, all_down)
                .await
                .is_err()
            {
                tracing::warn!(
                    kind = A::KIND,
                    "some actors did not stop before the deadline"
                );
            }
            let all_closed = futures::future::join_all(afterwards);
            if tokio::time::timeout(msg.timeout, all_closed).await.is_err() {
                tracing::warn!(
                    kind = A::KIND,
                    "some connections were not closed before the shutdown deadline"
                );
            }
        })
    }
}

impl<A: Supervised> Handler<ChildStopped> for Supervisor<A> {
    type Result = ();

    fn handle(&mut self, msg: ChildStopped, ctx: &mut Self::Context) {
        if self.shutting_down {
            return;
        }
        let Some(child) = self.children.get_mut(&msg.id) else {
            return; // stopped on purpose: no longer configured
        };
        if child.incarnation != msg.incarnation || child.restart.is_some() {
            return; // an earlier actor of this child, reporting late
        }
        child.addr = None;
        self.registry.set_addr(msg.id, None);
        // A child still configured that says it was halted stopped without being asked to:
        // it is restarted like a failed one.
        let reason = match msg.reason {
            StopReason::Halted => StopReason::Failed("stopped unexpectedly".into()),
            other => other,
        };
        let Some(delay) = child.policy.after_stop(&reason) else {
            return;
        };
        A::on_restart(&child.shared, child.policy.restarts());
        match &reason {
            StopReason::Failed(why) => tracing::warn!(
                kind = A::KIND,
                id = msg.id,
                reason = %why,
                restart_in_ms = delay.as_millis() as u64,
                "{} stopped; restarting", A::KIND
            ),
            _ => tracing::info!(
                kind = A::KIND,
                id = msg.id,
                "{} restarting with new settings",
                A::KIND
            ),
        }
        let id = msg.id;
        child.restart = Some(ctx.run_later(delay, move |act, ctx| {
            if let Some(c) = act.children.get_mut(&id) {
                c.restart = None;
            }
            act.spawn(id, ctx);
        }));
    }
}
