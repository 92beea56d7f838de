//! Who is calling: resolved from `Authorization: Bearer …` or the session cookie.

use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};

use super::{SESSION_COOKIE, tokens};
use crate::app::AppState;
use crate::domain::user::Role;
use crate::http::error::ApiError;
use crate::store::users;

#[derive(Clone, Debug)]
pub struct Principal {
    pub user_id: i64,
    pub username: String,
    /// Effective role: the user's, capped by the API token's scope.
    pub role: Role,
    /// Set when the caller used an API token.
    pub token_id: Option<i64>,
    /// Set when the caller used a login session (cookie or its bearer token).
    pub session_digest: Option<Vec<u8>>,
}

impl Principal {
    /// 403 unless the caller has at least `role`.
    pub fn require(&self, role: Role) -> Result<(), ApiError> {
        if self.role >= role {
            Ok(())
        } else {
            Err(ApiError::Forbidden(format!(
                "this needs the {} role; you have {}",
                role.as_str(),
                self.role.as_str()
            )))
        }
    }

    pub fn audit_user(&self) -> Option<(i64, &str)> {
        Some((self.user_id, self.username.as_str()))
    }
}

/// The credential presented, if any: a bearer token wins over the cookie.
pub fn presented_token(req: &HttpRequest) -> Option<String> {
    if let Some(h) = req.headers().get(actix_web::http::header::AUTHORIZATION) {
        let value = h.to_str().ok()?.trim();
        let (scheme, token) = value.split_once(' ')?;
        return scheme
            .eq_ignore_ascii_case("bearer")
            .then(|| token.trim().to_string());
    }
    req.cookie(SESSION_COOKIE).map(|c| c.value().to_string())
}

/// Resolve the caller's credential into a [`Principal`].
pub(crate) async fn resolve(state: &AppState, token: &str) -> Result<Principal, ApiError> {
    let digest = tokens::digest(token);
    let owner = if token.starts_with(tokens::API_PREFIX) {
        users::token_owner(&state.pool, &digest).await?
    } else {
        users::session_owner(&state.pool, &digest).await?
    };
    let owner = owner.ok_or(ApiError::Unauthorized)?;
    let user_role = Role::parse(&owner.user_role);
    let role = match owner.token_role.as_deref() {
        Some(cap) => user_role.min(Role::parse(cap)),
        None => user_role,
    };
    Ok(Principal {
        user_id: owner.user_id,
        username: owner.username,
        role,
        token_id: owner.token_id,
        session_digest: owner.token_id.is_none().then_some(digest),
    })
}

/// Paths under `/api/v1` that answer without credentials.
const PUBLIC: &[&str] = &["/api/v1/auth/login"];

/// Middleware on `/api/v1`: every request carries a valid credential (401 otherwise) before
/// any handler or body extractor runs. The resolved [`Principal`] goes into the request's
/// extensions for the extractors below.
pub async fn authenticate(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    if !PUBLIC.contains(&req.path()) {
        let principal = match req.app_data::<web::Data<AppState>>().cloned() {
            None => Err(ApiError::internal("application state missing")),
            Some(state) => match presented_token(req.request()) {
                None => Err(ApiError::Unauthorized),
                Some(token) => resolve(&state, &token).await,
            },
        };
        match principal {
            Ok(p) => {
                req.extensions_mut().insert(p);
            }
            // A response, not an Err: outer middleware (metrics, security headers) sees it.
            Err(e) => return Ok(req.error_response(e)),
        }
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

impl FromRequest for Principal {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(
            req.extensions()
                .get::<Principal>()
                .cloned()
                .ok_or(ApiError::Unauthorized),
        )
    }
}

/// A [`Principal`] that has at least the role `ROLE` (0 viewer, 1 operator, 2 admin).
/// As an extractor it answers 401/403 before the request body is even read, so an
/// unauthorised caller learns nothing from validation errors.
pub struct Authorized<const ROLE: u8>(pub Principal);

/// At least operator: may change cameras and other configuration.
pub type AsOperator = Authorized<1>;
/// Admin: may manage users and everybody's tokens.
pub type AsAdmin = Authorized<2>;

impl<const ROLE: u8> Authorized<ROLE> {
    const fn role() -> Role {
        match ROLE {
            0 => Role::Viewer,
            1 => Role::Operator,
            _ => Role::Admin,
        }
    }
}

impl<const ROLE: u8> std::ops::Deref for Authorized<ROLE> {
    type Target = Principal;

    fn deref(&self) -> &Principal {
        &self.0
    }
}

impl<const ROLE: u8> FromRequest for Authorized<ROLE> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    /// Ready at once, so it fails before a body extractor listed after it is polled.
    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let result = req
            .extensions()
            .get::<Principal>()
            .cloned()
            .ok_or(ApiError::Unauthorized)
            .and_then(|p| p.require(Self::role()).map(|()| Authorized(p)));
        std::future::ready(result)
    }
}
