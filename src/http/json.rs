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
    let mut value: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| ApiError::BadRequest {
            code: "malformed_json",
            detail: format!(
                "the body is not valid JSON: {}",
                strip_position(&e.to_string())
            ),
            field: None,
        })?;
    integral_numbers_as_integers(&mut value);
    // serde reads a struct from an array of its fields in order too; a body is named fields.
    if reads_an_object::<T>() && !value.is_object() {
        return Err(ApiError::BadRequest {
            code: "invalid_body",
            detail: format!("the body must be a JSON object, not {}", kind_of(&value)),
            field: None,
        });
    }
    let (path, inner) = match serde_path_to_error::deserialize::<_, T>(value) {
        Ok(v) => return Ok(v),
        Err(e) => (e.path().to_string(), e.into_inner()),
    };
    let message = super::serde_messages::for_people(&strip_position(&inner.to_string()));
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

fn kind_of(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// Whether `T` is read from a JSON object: a derived struct asks its deserializer for a
/// struct (or a map, when it flattens), which a deserializer that answers nothing observes.
fn reads_an_object<T: DeserializeOwned>() -> bool {
    let asked = std::cell::Cell::new(false);
    let _ = T::deserialize(ObjectProbe(&asked));
    asked.get()
}

struct ObjectProbe<'a>(&'a std::cell::Cell<bool>);

impl<'de> serde::Deserializer<'de> for ObjectProbe<'_> {
    type Error = serde::de::value::Error;

    fn deserialize_any<V: serde::de::Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
        Err(serde::de::Error::custom("probe"))
    }

    fn deserialize_struct<V: serde::de::Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.set(true);
        Err(serde::de::Error::custom("probe"))
    }

    fn deserialize_map<V: serde::de::Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
        self.0.set(true);
        Err(serde::de::Error::custom("probe"))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct enum identifier
        ignored_any
    }
}

/// JSON has one number type: `5.0` and `5` are the same number, and JSON Schema's
/// `integer` accepts both; serde's integer fields take only the second. Integral floats
/// within the `i64` range become integers before typed deserialization.
fn integral_numbers_as_integers(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Number(n) if n.is_f64() => {
            if let Some(f) = n.as_f64()
                && f.fract() == 0.0
                && f.abs() < 9.0e15
            {
                // Exact: integral and below 2^53.
                *value = serde_json::Value::from(f as i64);
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(integral_numbers_as_integers),
        serde_json::Value::Object(map) => map.values_mut().for_each(integral_numbers_as_integers),
        _ => {}
    }
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

    #[test]
    fn an_integral_float_is_an_integer_and_a_fraction_is_not() {
        let camera = parse::<CameraInput>(br#"{"name":"a","host":"h","port":554.0}"#);
        assert_eq!(camera.ok().and_then(|c| c.port), Some(554));
        let e = parse::<CameraInput>(br#"{"name":"a","host":"h","port":554.5}"#).unwrap_err();
        assert_eq!(field_of(e).as_deref(), Some("port"));
    }

    #[test]
    fn a_body_of_named_fields_is_an_object_and_a_list_body_an_array() {
        let e = parse::<CameraInput>(br#"["a", null]"#).unwrap_err();
        assert_eq!(e.problem().status, 400);
        assert!(
            e.problem().detail.contains("not an array"),
            "{}",
            e.problem().detail
        );
        let e = parse::<CameraInput>(b"null").unwrap_err();
        assert!(
            e.problem().detail.contains("not null"),
            "{}",
            e.problem().detail
        );
        assert!(parse::<Vec<crate::domain::asset::OverlayInput>>(b"[]").is_ok());
    }
}
