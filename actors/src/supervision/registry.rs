//! The registry a supervisor keeps of its children, shared with the shell so reading a
//! status or finding an actor's address needs no mailbox round trip.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use actix::Addr;

use super::child::Supervised;

/// A configured child as the shell sees it: what outlives its restarts (a camera's feed, an
/// output's status cell) and, while an actor runs, its address.
pub struct Handle<A: Supervised> {
    pub shared: A::Shared,
    pub addr: Option<Addr<A>>,
}

impl<A: Supervised> Clone for Handle<A> {
    fn clone(&self) -> Self {
        Self {
            shared: self.shared.clone(),
            addr: self.addr.clone(),
        }
    }
}

/// Children by id. Cheap to clone; every clone sees the same map.
pub struct Registry<A: Supervised>(Arc<RwLock<HashMap<i64, Handle<A>>>>);

impl<A: Supervised> Clone for Registry<A> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

impl<A: Supervised> Default for Registry<A> {
    fn default() -> Self {
        Self(Arc::default())
    }
}

impl<A: Supervised> Registry<A> {
    pub fn get(&self, id: i64) -> Option<Handle<A>> {
        self.0
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(&id)
            .cloned()
    }

    /// What a child shares with the shell, while it is configured.
    pub fn shared(&self, id: i64) -> Option<A::Shared> {
        self.0
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(&id)
            .map(|h| h.shared.clone())
    }

    /// The running actor of a child, if one runs now.
    pub fn addr(&self, id: i64) -> Option<Addr<A>> {
        self.0
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(&id)
            .and_then(|h| h.addr.clone())
    }

    /// Ids of every registered child, in order.
    pub fn ids(&self) -> Vec<i64> {
        let mut ids: Vec<i64> = self
            .0
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .keys()
            .copied()
            .collect();
        ids.sort_unstable();
        ids
    }

    pub(super) fn set(&self, id: i64, handle: Handle<A>) {
        self.0
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id, handle);
    }

    pub(super) fn set_addr(&self, id: i64, addr: Option<Addr<A>>) {
        if let Some(h) = self
            .0
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .get_mut(&id)
        {
            h.addr = addr;
        }
    }

    pub(super) fn remove(&self, id: i64) {
        self.0
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&id);
    }
}
