//! What a supervised actor is: the trait every kind of child implements (cameras, PTZ
//! devices, outputs, timelines), the link it reports its stop through, and the message that
//! halts it.

use actix::prelude::*;
use futures::future::BoxFuture;

use super::policy::StopReason;

/// Sent by a child to its supervisor when it has stopped, for whatever reason.
#[derive(Message)]
#[rtype(result = "()")]
pub struct ChildStopped {
    pub id: i64,
    /// Which start of the child this was: a late notice from an actor already replaced (or
    /// of a child removed and added again) is ignored.
    pub incarnation: u64,
    pub reason: StopReason,
}

/// Stop the child; answered once it is down (sessions closed, pipelines torn down).
#[derive(Message)]
#[rtype(result = "()")]
pub struct Halt;

/// Given to a child when it starts: who to tell when it stops.
#[derive(Clone)]
pub struct ChildLink {
    id: i64,
    incarnation: u64,
    supervisor: Option<Recipient<ChildStopped>>,
}

impl ChildLink {
    pub(super) fn new(id: i64, incarnation: u64, supervisor: Recipient<ChildStopped>) -> Self {
        Self {
            id,
            incarnation,
            supervisor: Some(supervisor),
        }
    }

    /// A child started without a supervisor (tests, tools): nobody is told when it stops.
    pub fn detached(id: i64) -> Self {
        Self {
            id,
            incarnation: 0,
            supervisor: None,
        }
    }

    pub fn id(&self) -> i64 {
        self.id
    }

    /// Tell the supervisor the child stopped and why (call from `Actor::stopped`).
    pub fn report(&self, reason: StopReason) {
        if let Some(s) = &self.supervisor {
            s.do_send(ChildStopped {
                id: self.id,
                incarnation: self.incarnation,
                reason,
            });
        }
    }
}

/// A kind of actor that a [`super::Supervisor`] keeps running: how to build one from its
/// spec, what it shares with the shell beyond its restarts, and how it says what happened
/// to it. The supervisor does the rest the same way for every kind: the registry, restarts
/// with backoff, updates in place, halts and shutdown.
pub trait Supervised: Actor<Context = Context<Self>> + Handler<Halt> + Send {
    /// What the shell wants running (one per child).
    type Spec: Clone + PartialEq + Send + Unpin + 'static;
    /// What lives as long as the child is configured, across restarts, and is read by the
    /// shell without a mailbox round trip (a camera's feed, an output's status cell).
    type Shared: Clone + Send + Sync + Unpin + 'static;
    /// What every child of this kind needs from outside (the event bus, other registries).
    type Env: Clone + Unpin + 'static;
    /// Names the kind in logs ("camera", "output", "PTZ").
    const KIND: &'static str;

    fn id(spec: &Self::Spec) -> i64;

    /// The shared part of a child being configured; `previous` is what the registry still
    /// holds for this id (a stopped output's status, kept so it can say why it stopped).
    fn shared(spec: &Self::Spec, previous: Option<Self::Shared>, env: &Self::Env) -> Self::Shared;

    /// A new actor for the child (its first start or a restart).
    fn make(spec: Self::Spec, shared: &Self::Shared, link: ChildLink, env: &Self::Env) -> Self;

    /// The child's spec changed while its actor runs.
    fn update(addr: &Addr<Self>, spec: Self::Spec);

    /// The child stopped and will be restarted (`restarts` so far, this one included).
    fn on_restart(_shared: &Self::Shared, _restarts: u64) {}

    /// The child left the running set; `was_running` is false when it was waiting for a
    /// restart (so no actor will say it stopped).
    fn on_stop(_shared: &Self::Shared, _was_running: bool) {}

    /// The child was removed altogether (deleted, disabled).
    fn on_remove(_shared: &Self::Shared) {}

    /// What to wait for at shutdown once the actor is down (a camera's RTSP TEARDOWN).
    fn after_halt(_shared: &Self::Shared) -> Option<BoxFuture<'static, ()>> {
        None
    }
}
