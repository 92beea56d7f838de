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

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("invalid input")]
    Validation(Vec<FieldError>),
    #[error("{detail}")]
    BadRequest {
        code: &'static str,
        detail: String,
        field: Option<String>,
    },
    #[error("authentication required")]
    Unauthorized,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("request body larger than {0} bytes")]
    PayloadTooLarge(usize),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("too many attempts; retry in {0} s")]
    TooManyRequests(u64),
    #[error("{0}")]
    Unavailable(String),
    /// A device (camera) failed the request: 503 when it cannot be reached, else 502.
    #[error("{detail}")]
    Device {
        code: &'static str,
        detail: String,
        unreachable: bool,
    },
    /// Logged with its context; the client only learns that something failed.
    #[error("internal error: {0:#}")]
    Internal(anyhow::Error),
}

impl ApiError {
    pub fn internal(msg: &'static str) -> Self {
        ApiError::Internal(anyhow::anyhow!(msg))
    }

    pub fn field(field: &str, message: impl Into<String>) -> Self {
        ApiError::Validation(vec![FieldError::new(field, message)])
    }

    fn parts(&self) -> (StatusCode, &'static str, &'static str) {
        match self {
            ApiError::Validation(_) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "Invalid input",
                "validation",
            ),
            ApiError::BadRequest { code, .. } => (StatusCode::BAD_REQUEST, "Bad request", code),
            ApiError::Unauthorized => (StatusCode::UNAUTHORIZED, "Unauthorized", "unauthorized"),
            ApiError::Forbidden(_) => (StatusCode::FORBIDDEN, "Forbidden", "forbidden"),
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "Not found", "not_found"),
            ApiError::Conflict(_) => (StatusCode::CONFLICT, "Conflict", "conflict"),
            ApiError::PayloadTooLarge(_) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "Payload too large",
                "payload_too_large",
            ),
            ApiError::UnsupportedMediaType(_) => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Unsupported media type",
                "unsupported_media_type",
            ),
            ApiError::TooManyRequests(_) => (
                StatusCode::TOO_MANY_REQUESTS,
                "Too many requests",
                "rate_limited",
            ),
            ApiError::Unavailable(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "Unavailable",
                "unavailable",
            ),
            ApiError::Device {
                code,
                unreachable: true,
                ..
            } => (StatusCode::SERVICE_UNAVAILABLE, "Device unavailable", code),
            ApiError::Device { code, .. } => (StatusCode::BAD_GATEWAY, "Device error", code),
            ApiError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Internal error",
                "internal",
            ),
        }
    }

    pub fn problem(&self) -> Problem {
        let (status, title, code) = self.parts();
        let (detail, field, errors) = match self {
            ApiError::Validation(errors) => {
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
            ApiError::Internal(_) => (
                "the appliance could not complete the request; see its log".into(),
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

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::Invalid(errors) => ApiError::Validation(errors),
            ServiceError::NotFound(m) => ApiError::NotFound(m),
            ServiceError::Conflict(m) => ApiError::Conflict(m),
            ServiceError::Unavailable(m) => ApiError::Unavailable(m),
            ServiceError::Unauthenticated => ApiError::Unauthorized,
            ServiceError::Forbidden(m) => ApiError::Forbidden(m),
            ServiceError::RateLimited(s) => ApiError::TooManyRequests(s),
            ServiceError::TooLarge(n) => ApiError::PayloadTooLarge(n),
            ServiceError::Device {
                code,
                detail,
                unreachable,
            } => ApiError::Device {
                code,
                detail,
                unreachable,
            },
            ServiceError::Internal(e) => ApiError::Internal(e),
        }
    }
}

impl From<AuthError> for ApiError {
    fn from(e: AuthError) -> Self {
        ServiceError::from(e).into()
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.parts().0
    }

    fn error_response(&self) -> HttpResponse {
        if let ApiError::Internal(e) = self {
            tracing::error!(error = %format!("{e:#}"), "request failed");
        }
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        ));
        match self {
            ApiError::Unauthorized => {
                response.insert_header((
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer realm=\"vistterstream\""),
                ));
            }
            ApiError::TooManyRequests(secs) => {
                response.insert_header((header::RETRY_AFTER, secs.to_string()));
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
        let e = ApiError::Validation(vec![
            FieldError::new("name", "must not be empty"),
            FieldError::new("port", "must be between 1 and 65535"),
        ]);
        let p = e.problem();
        assert_eq!(p.status, 422);
        assert_eq!(p.field.as_deref(), Some("name"));
        assert_eq!(p.errors.len(), 2);
        assert!(p.detail.contains("port: must be between"));
    }

    #[test]
    fn internal_errors_do_not_leak_details() {
        let e = ApiError::Internal(anyhow::anyhow!("secret path /data/x"));
        assert!(!e.problem().detail.contains("/data/x"));
    }
}
