//! The VistterStudio link (issue 16, docs/studio-api.md): pure rules, starting with how the
//! appliance signs what it sends ([`webhook_signature`]).

pub mod webhook_signature;
