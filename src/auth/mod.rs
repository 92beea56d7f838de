//! Authentication (AU-1): argon2id password hashes, login sessions (cookie + bearer), scoped
//! API tokens, and the [`Principal`] extractor every `/api/v1` handler takes.

pub mod password;
pub mod principal;
pub mod tokens;

pub use principal::{AsAdmin, AsOperator, Principal};

/// Name of the session cookie. Its value is the same token a login returns as
/// `access_token`, so the UI (cookie) and scripts (bearer) share one mechanism.
pub const SESSION_COOKIE: &str = "vistter_session";
