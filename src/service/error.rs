//! What a use case answers when it cannot do what was asked, in terms the caller can act
//! on; the HTTP layer maps each to a status and a problem+json body.

use crate::auth::AuthError;
use crate::domain::FieldError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The input is wrong: every offending field, named by its JSON path.
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    #[error("{0}")]
    NotFound(String),
    /// The request contradicts the current state (a name taken, a thing still in use).
    #[error("{0}")]
    Conflict(String),
    /// Not now: something it needs is starting, busy or has no picture yet.
    #[error("{0}")]
    Unavailable(String),
    #[error("authentication required")]
    Unauthenticated,
    #[error("{0}")]
    Forbidden(String),
    #[error("too many attempts; retry in {0} s")]
    RateLimited(u64),
    #[error("larger than {0} bytes")]
    TooLarge(usize),
    /// A device (camera) failed the request: `unreachable` when it could not be reached.
    #[error("{detail}")]
    Device {
        code: &'static str,
        detail: String,
        unreachable: bool,
    },
    /// A fault of the appliance: logged with its context, the caller learns only that it
    /// failed.
    #[error("internal error: {0:#}")]
    Internal(anyhow::Error),
}

pub type Result<T> = std::result::Result<T, ServiceError>;

impl ServiceError {
    /// One invalid field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        ServiceError::Invalid(vec![FieldError::new(field, message)])
    }

    /// A 409 naming the schedules (id, name) that use `what`, or nothing when none do.
    pub fn used_by_schedules(users: &[(i64, String)], what: &str, advice: &str) -> Result<()> {
        if users.is_empty() {
            return Ok(());
        }
        let names: Vec<String> = users
            .iter()
            .map(|(i, n)| format!("\"{n}\" ({i})"))
            .collect();
        Err(ServiceError::Conflict(format!(
            "{what} schedule{} {}; {advice}",
            if names.len() > 1 { "s" } else { "" },
            names.join(", ")
        )))
    }

    pub fn internal(e: impl Into<anyhow::Error>) -> Self {
        ServiceError::Internal(e.into())
    }
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { what, id } => {
                ServiceError::NotFound(format!("{what} {id} does not exist"))
            }
            StoreError::Unique(detail) => {
                ServiceError::Conflict(format!("that already exists ({detail})"))
            }
            StoreError::Referenced(detail) => {
                ServiceError::Conflict(format!("still in use ({detail})"))
            }
            StoreError::Busy => {
                ServiceError::Unavailable("the database is busy; retry in a moment".into())
            }
            other @ StoreError::Other(_) => ServiceError::Internal(other.into()),
        }
    }
}

impl From<AuthError> for ServiceError {
    fn from(e: AuthError) -> Self {
        match e {
            AuthError::Unauthenticated => ServiceError::Unauthenticated,
            forbidden @ AuthError::Forbidden { .. } => {
                ServiceError::Forbidden(forbidden.to_string())
            }
            AuthError::Store(e) => e.into(),
        }
    }
}

impl From<vistterstream_actors::ptz::PtzError> for ServiceError {
    fn from(e: vistterstream_actors::ptz::PtzError) -> Self {
        use vistterstream_actors::ptz::PtzError;
        let unreachable = matches!(
            e,
            PtzError::Unreachable { .. } | PtzError::Timeout { .. } | PtzError::Down { .. }
        );
        ServiceError::Device {
            code: e.code(),
            detail: e.to_string(),
            unreachable,
        }
    }
}

impl From<anyhow::Error> for ServiceError {
    fn from(e: anyhow::Error) -> Self {
        ServiceError::Internal(e)
    }
}
