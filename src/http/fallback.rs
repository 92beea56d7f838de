//! What a request no route took gets: 405 with `Allow` when the path is one of the API's
//! (the OpenAPI document lists its methods), else 404; both as problem+json.
//!
//! actix tries each route's method guard in turn and, when none matches, falls through to
//! the default service, which on its own cannot tell a wrong method from a wrong path.

use std::sync::LazyLock;

use actix_web::http::Method;
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use serde_json::Value;

use super::error::ApiError;
use super::openapi;

/// One path of the document: its segments (`None` = a `{parameter}`) and its methods.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathMethods {
    segments: Vec<Option<String>>,
    pub methods: Vec<Method>,
}

/// Every path of an OpenAPI document with the methods it declares.
pub fn path_table(doc: &Value) -> Vec<PathMethods> {
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return Vec::new();
    };
    paths
        .iter()
        .map(|(template, item)| PathMethods {
            segments: template
                .trim_start_matches('/')
                .split('/')
                .map(|s| (!(s.starts_with('{') && s.ends_with('}'))).then(|| s.to_string()))
                .collect(),
            methods: openapi::METHODS
                .iter()
                .filter(|m| item.get(**m).is_some())
                .filter_map(|m| Method::from_bytes(m.to_ascii_uppercase().as_bytes()).ok())
                .collect(),
        })
        .collect()
}

/// The methods declared for `path`: from a template with literal segments where they
/// match before one with parameters (`/cameras/test` before `/cameras/{id}`).
pub fn allowed_methods<'a>(table: &'a [PathMethods], path: &str) -> Option<&'a [Method]> {
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    table
        .iter()
        .filter(|p| {
            p.segments.len() == parts.len()
                && p.segments.iter().zip(&parts).all(|(seg, part)| {
                    seg.as_deref().is_none_or(|lit| lit == *part) && !part.is_empty()
                })
        })
        .max_by_key(|p| p.segments.iter().filter(|s| s.is_some()).count())
        .map(|p| p.methods.as_slice())
}

static TABLE: LazyLock<Vec<PathMethods>> = LazyLock::new(|| path_table(openapi::document()));

/// The 405 for a request whose path the document lists without its method.
pub fn method_not_allowed(req: &HttpRequest) -> Option<ApiError> {
    let method = req.method();
    let methods = allowed_methods(&TABLE, req.path())?;
    if methods.contains(method) {
        return None;
    }
    let allow = methods
        .iter()
        .map(Method::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    Some(ApiError::MethodNotAllowed {
        detail: format!(
            "{method} is not allowed on {}; allowed: {allow}",
            req.path()
        ),
        allow,
    })
}

/// The default service of the API scope and of the app (for non-GET requests the console's
/// catch-all does not take).
pub async fn unmatched(req: HttpRequest) -> HttpResponse {
    method_not_allowed(&req)
        .unwrap_or_else(|| {
            ApiError::not_found(format!("no such endpoint: {} {}", req.method(), req.path()))
        })
        .error_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn table() -> Vec<PathMethods> {
        path_table(&json!({ "paths": {
            "/api/v1/cameras": { "get": {}, "post": {} },
            "/api/v1/cameras/test": { "post": {} },
            "/api/v1/cameras/{id}": { "get": {}, "patch": {}, "delete": {} },
            "/healthz": { "get": {} }
        } }))
    }

    #[test]
    fn a_known_path_gives_its_methods_and_literals_win_over_parameters() {
        let t = table();
        assert_eq!(
            allowed_methods(&t, "/api/v1/cameras"),
            Some(&[Method::GET, Method::POST][..])
        );
        assert_eq!(
            allowed_methods(&t, "/api/v1/cameras/test"),
            Some(&[Method::POST][..])
        );
        assert_eq!(
            allowed_methods(&t, "/api/v1/cameras/7"),
            Some(&[Method::GET, Method::DELETE, Method::PATCH][..])
        );
        assert_eq!(allowed_methods(&t, "/healthz"), Some(&[Method::GET][..]));
    }

    #[test]
    fn unknown_paths_and_empty_parameters_match_nothing() {
        let t = table();
        assert_eq!(allowed_methods(&t, "/api/v1/cameras/"), None);
        assert_eq!(allowed_methods(&t, "/api/v1/cameras/7/nope"), None);
        assert_eq!(allowed_methods(&t, "/nope"), None);
    }
}
