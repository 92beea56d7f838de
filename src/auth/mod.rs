//! Authentication (AU-1): argon2id password hashes, login sessions (cookie + bearer), scoped
//! API tokens, and who a credential belongs to. The HTTP layer turns a request into a
//! credential and an [`AuthError`] into a response.

mod error;
pub mod password;
mod principal;
pub mod tokens;

pub use error::AuthError;
pub use principal::{Principal, resolve};

/// Name of the session cookie. Its value is the same token a login returns as
/// `access_token`, so the UI (cookie) and scripts (bearer) share one mechanism.
pub const SESSION_COOKIE: &str = "vistter_session";
