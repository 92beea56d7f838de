//! `ValidJson<T>`: a JSON body extractor whose errors are problem+json naming the field
//! (serde_path_to_error), with a size limit from the configuration.

use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use futures::StreamExt;
use futures::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

use super::error::ApiError;
use crate::service::Context;

pub struct ValidJson<T>(pub T);

/// The request's media type, lower case, without parameters (`""` when absent).
pub fn media_type(req: &HttpRequest) -> String {
    req.headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

impl<T: DeserializeOwned + 'static> FromRequest for ValidJson<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = req
            .app_data::<web::Data<Context>>()
            .map(|ctx| ctx.config().http.json_limit_bytes)
            .unwrap_or(64 * 1024);
        let essence = media_type(req);
        let declared_len = req
            .headers()
            .get(actix_web::http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let mut payload = payload.take();
        Box::pin(async move {
            if essence != "application/json" && !essence.ends_with("+json") {
                return Err(ApiError::UnsupportedMediaType(format!(
                    "send the body as application/json (got {})",
                    if essence.is_empty() {
                        "no Content-Type"
                    } else {
                        essence.as_str()
                    }
                )));
            }
            if declared_len.is_some_and(|n| n > limit) {
                return Err(ApiError::too_large(limit));
            }
            let mut body = web::BytesMut::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(|e| ApiError::BadRequest {
                    code: "body_read",
                    detail: format!("reading the request body: {e}"),
                    field: None,
                })?;
                if body.len() + chunk.len() > limit {
                    return Err(ApiError::too_large(limit));
                }
                body.extend_from_slice(&chunk);
            }
            parse(&body).map(ValidJson)
        })
    }
}

/// Deserialize, turning serde's error into one that names the JSON path of the bad field.
pub fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let (path, inner) = match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Ok(v) => match de.end() {
            Ok(()) => return Ok(v),
            Err(e) => (".".to_string(), e),
        },
        Err(e) => (e.path().to_string(), e.into_inner()),
    };
    let message = strip_position(&inner.to_string());
    if inner.is_syntax() || inner.is_eof() {
        return Err(ApiError::BadRequest {
            code: "malformed_json",
            detail: format!("the body is not valid JSON: {message}"),
            field: None,
        });
    }
    // A missing field is reported at its parent's path; name the field itself.
    let named = backticked(&message).filter(|_| message.starts_with("missing field"));
    let field = match (named, path.as_str()) {
        (Some(name), ".") => name.to_string(),
        (Some(name), parent) => format!("{parent}.{name}"),
        (None, ".") => String::new(),
        (None, p) => p.to_string(),
    };
    if field.is_empty() {
        return Err(ApiError::BadRequest {
            code: "invalid_body",
            detail: message,
            field: None,
        });
    }
    Err(ApiError::field(&field, message))
}

fn backticked(message: &str) -> Option<&str> {
    let start = message.find('`')? + 1;
    let len = message[start..].find('`')?;
    Some(&message[start..start + len])
}

/// serde_json appends " at line 1 column 42"; the field path says more to an API user.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// Like [`ValidJson`], but an empty body (no Content-Type, no bytes) means `T::default()`.
/// A body that is present must still be valid.
pub struct OptionalJson<T>(pub T);

impl<T: DeserializeOwned + Default + 'static> FromRequest for OptionalJson<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let headers = req.headers();
        let empty = !headers.contains_key(actix_web::http::header::CONTENT_TYPE)
            && headers
                .get(actix_web::http::header::CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .is_none_or(|v| v.trim() == "0");
        if empty {
            return Box::pin(async { Ok(OptionalJson(T::default())) });
        }
        let inner = ValidJson::<T>::from_request(req, payload);
        Box::pin(async move { inner.await.map(|ValidJson(v)| OptionalJson(v)) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::camera::CameraInput;

    fn field_of(e: ApiError) -> Option<String> {
        e.problem().field
    }

    #[test]
    fn errors_name_the_field() {
        let e = parse::<CameraInput>(br#"{"name":"a","port":70000}"#).unwrap_err();
        assert_eq!(field_of(e).as_deref(), Some("port"));
        let e = parse::<CameraInput>(br#"{"name":"a","vendor":"acme"}"#).unwrap_err();
        let p = e.problem();
        assert_eq!(p.field.as_deref(), Some("vendor"));
        assert!(p.detail.contains("unknown variant"), "{}", p.detail);
        let e = parse::<CameraInput>(br#"{"host":"h"}"#).unwrap_err();
        assert_eq!(field_of(e).as_deref(), Some("name"));
        let e = parse::<CameraInput>(br#"{"name":"a","bogus":1}"#).unwrap_err();
        assert_eq!(field_of(e).as_deref(), Some("bogus"));
    }

    #[test]
    fn malformed_json_is_a_400() {
        let e = parse::<CameraInput>(b"{not json").unwrap_err();
        assert_eq!(e.problem().status, 400);
        assert_eq!(e.problem().code, "malformed_json");
        let e = parse::<CameraInput>(br#"{"name":"a"} trailing"#).unwrap_err();
        assert_eq!(e.problem().status, 400);
    }
}
