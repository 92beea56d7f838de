//! One way to supervise every kind of actor: a generic [`Supervisor`] with its
//! [`Registry`] and [`RestartPolicy`], and the [`Supervised`] trait a kind implements (in its
//! own folder's `supervisor.rs`).

mod child;
mod policy;
mod registry;
mod supervisor;

pub use child::{ChildLink, ChildStopped, Halt, Supervised};
pub use policy::{HEALTHY_RUN, RestartPolicy, StopReason};
pub use registry::{Handle, Registry};
pub use supervisor::{Reconcile, Shutdown, Stop, StopAll, Supervisor, Upsert};
