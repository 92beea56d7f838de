//! Who may call what: the middleware that authenticates every `/api/v1` request before any
//! handler or body extractor runs, and the extractors that state the role a handler needs.

use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};

use super::error::ApiError;
use crate::auth::{Principal, SESSION_COOKIE};
use crate::domain::user::Role;
use crate::service::{Context, sessions};

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
        let principal = match req.app_data::<web::Data<Context>>().cloned() {
            None => Err(ApiError::internal("application state missing")),
            Some(ctx) => match presented_token(req.request()) {
                None => Err(ApiError::unauthorized()),
                Some(token) => sessions::authenticate(&ctx, &token)
                    .await
                    .map_err(ApiError::from),
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

fn principal_of(req: &HttpRequest) -> Result<Principal, ApiError> {
    req.extensions()
        .get::<Principal>()
        .cloned()
        .ok_or_else(ApiError::unauthorized)
}

/// Any signed-in caller (the middleware has checked the credential).
pub struct Caller(pub Principal);

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(principal_of(req).map(Caller))
    }
}

impl std::ops::Deref for Caller {
    type Target = Principal;

    fn deref(&self) -> &Principal {
        &self.0
    }
}

/// A caller that has at least the role `ROLE` (0 viewer, 1 operator, 2 admin). As an
/// extractor it answers 401/403 before the request body is even read, so an unauthorised
/// caller learns nothing from validation errors.
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
        let result = principal_of(req).and_then(|p| {
            p.require(Self::role())
                .map(|()| Authorized(p))
                .map_err(ApiError::from)
        });
        std::future::ready(result)
    }
}
