//! Why a request is not allowed: no valid credential, or a role too small for it.

use crate::domain::user::Role;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// No credential, or one that is unknown, expired, revoked or of a disabled user.
    #[error("authentication required")]
    Unauthenticated,
    #[error("this needs the {} role; you have {}", .need.as_str(), .have.as_str())]
    Forbidden { need: Role, have: Role },
    /// The credential could not be checked.
    #[error("checking the credential: {0}")]
    Store(#[from] StoreError),
}
