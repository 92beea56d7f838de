//! API errors as RFC 9457 `application/problem+json`, naming the offending field.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::AuthError;
use crate::domain::FieldError;
use crate::service::ServiceError;

/// The body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// `about:blank`: the `code` says what kind of problem it is.
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub title: &'static str,
    pub status: u16,
    pub detail: String,
    /// Stable machine-readable kind: `validation`, `malformed_json`, `unauthorized`, …
    pub code: &'static str,
    /// The first offending field (JSON path), when a field is at fault.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Every offending field.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// Why a request failed: what a use case answered, or a request the HTTP layer could not
/// even read.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(transparent)]
    Service(#[from] ServiceError),
    /// Malformed: not JSON, a bad path parameter or query.
    #[error("{detail}")]
    BadRequest {
        code: &'static str,
        detail: String,
        field: Option<String>,
    },
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// A path of the API with another method; `allow` lists its methods.
    #[error("{detail}")]
    MethodNotAllowed { detail: String, allow: String },
}

impl From<AuthError> for ApiError {
    fn from(e: AuthError) -> Self {
        ApiError::Service(e.into())
    }
}

impl ApiError {
    pub fn internal(msg: &'static str) -> Self {
        ServiceError::internal(anyhow::anyhow!(msg)).into()
    }

    pub fn field(field: &str, message: impl Into<String>) -> Self {
        ServiceError::field(field, message).into()
    }

    pub fn unauthorized() -> Self {
        ServiceError::Unauthenticated.into()
    }

    pub fn not_found(message: String) -> Self {
        ServiceError::NotFound(message).into()
    }

    pub fn too_large(limit: usize) -> Self {
        ServiceError::TooLarge(limit).into()
    }

    fn parts(&self) -> (StatusCode, &'static str, &'static str) {
        let service = match self {
            ApiError::BadRequest { code, .. } => {
                return (StatusCode::BAD_REQUEST, "Bad request", code);
            }
            ApiError::UnsupportedMediaType(_) => {
                return (
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "Unsupported media type",
                    "unsupported_media_type",
                );
            }
            ApiError::MethodNotAllowed { .. } => {
                return (
                    StatusCode::METHOD_NOT_ALLOWED,
                    "Method not allowed",
                    "method_not_allowed",
                );
            }
            ApiError::Service(e) => e,
        };
        match service {
            ServiceError::Invalid(_) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "Invalid input",
                "validation",
            ),
            ServiceError::Unauthenticated => {
                (StatusCode::UNAUTHORIZED, "Unauthorized", "unauthorized")
            }
            ServiceError::Forbidden(_) => (StatusCode::FORBIDDEN, "Forbidden", "forbidden"),
            ServiceError::NotFound(_) => (StatusCode::NOT_FOUND, "Not found", "not_found"),
            ServiceError::Conflict(_) => (StatusCode::CONFLICT, "Conflict", "conflict"),
            ServiceError::TooLarge(_) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "Payload too large",
                "payload_too_large",
            ),
            ServiceError::RateLimited(_) => (
                StatusCode::TOO_MANY_REQUESTS,
                "Too many requests",
                "rate_limited",
            ),
            ServiceError::Unavailable(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "Unavailable",
                "unavailable",
            ),
            ServiceError::Device {
                code,
                unreachable: true,
                ..
            } => (StatusCode::SERVICE_UNAVAILABLE, "Device unavailable", code),
            ServiceError::Device { code, .. } => (StatusCode::BAD_GATEWAY, "Device error", code),
            ServiceError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Internal error",
                "internal",
            ),
        }
    }

    pub fn problem(&self) -> Problem {
        let (status, title, code) = self.parts();
        let (detail, field, errors) = match self {
            ApiError::Service(ServiceError::Invalid(errors)) => {
                let detail = errors
                    .iter()
                    .map(|e| format!("{}: {}", e.field, e.message))
                    .collect::<Vec<_>>()
                    .join("; ");
                (
                    detail,
                    errors.first().map(|e| e.field.clone()),
                    errors.clone(),
                )
            }
            ApiError::BadRequest { detail, field, .. } => (
                detail.clone(),
                field.clone(),
                field
                    .iter()
                    .map(|f| FieldError::new(f.clone(), detail.clone()))
                    .collect(),
            ),
            ApiError::Service(ServiceError::Internal(_)) => (
                "the appliance could not complete the request; see its log".into(),
                None,
                vec![],
            ),
            ApiError::Service(ServiceError::TooLarge(limit)) => (
                format!("request body larger than {limit} bytes"),
                None,
                vec![],
            ),
            other => (other.to_string(), None, vec![]),
        };
        Problem {
            kind: "about:blank",
            title,
            status: status.as_u16(),
            detail,
            code,
            field,
            errors,
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.parts().0
    }

    fn error_response(&self) -> HttpResponse {
        if let ApiError::Service(ServiceError::Internal(e)) = self {
            tracing::error!(error = %format!("{e:#}"), "request failed");
        }
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        ));
        match self {
            ApiError::Service(ServiceError::Unauthenticated) => {
                response.insert_header((
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer realm=\"vistterstream\""),
                ));
            }
            ApiError::Service(ServiceError::RateLimited(secs)) => {
                response.insert_header((header::RETRY_AFTER, secs.to_string()));
            }
            ApiError::MethodNotAllowed { allow, .. } => {
                response.insert_header((header::ALLOW, allow.as_str()));
            }
            _ => {}
        }
        response.body(serde_json::to_string(&self.problem()).unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_problem_lists_fields() {
        let e = ApiError::from(ServiceError::Invalid(vec![
            FieldError::new("name", "must not be empty"),
            FieldError::new("port", "must be between 1 and 65535"),
        ]));
        let p = e.problem();
        assert_eq!(p.status, 422);
        assert_eq!(p.field.as_deref(), Some("name"));
        assert_eq!(p.errors.len(), 2);
        assert!(p.detail.contains("port: must be between"));
    }

    #[test]
    fn internal_errors_do_not_leak_details() {
        let e = ApiError::from(ServiceError::internal(anyhow::anyhow!(
            "secret path /data/x"
        )));
        assert!(!e.problem().detail.contains("/data/x"));
    }
}
