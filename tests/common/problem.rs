//! Error responses: every API error is RFC 9457 `application/problem+json` whose body
//! repeats the status and names the offending field (`field`, and every one in `errors[]`).

use serde_json::Value;

/// Check that `r` is a problem+json error with `status` (in the status line and the body)
/// naming `field` when one is given (as `field`, and first in `errors[]` when there is a
/// list); return the body.
pub async fn assert_problem(r: reqwest::Response, status: u16, field: Option<&str>) -> Value {
    let got = r.status().as_u16();
    let content_type = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap_or("?").to_string());
    let text = r.text().await.expect("the error's body");
    assert_eq!(got, status, "status of {text}");
    assert_eq!(
        content_type.as_deref(),
        Some("application/problem+json"),
        "content type of a {got}: {text}"
    );
    let p: Value = serde_json::from_str(&text).expect("a JSON problem");
    assert_eq!(p["status"], status, "status in the body: {p}");
    if let Some(field) = field {
        assert_eq!(p["field"], field, "{p}");
        if let Some(first) = error_fields(&p).first() {
            assert_eq!(first, field, "{p}");
        }
    }
    p
}

/// A 422 naming exactly `fields`, in this order; returns the body.
pub async fn assert_invalid(r: reqwest::Response, fields: &[&str]) -> Value {
    let p = assert_problem(r, 422, fields.first().copied()).await;
    assert_eq!(error_fields(&p), fields, "{p}");
    p
}

/// The fields of a problem's `errors[]`, in order.
pub fn error_fields(p: &Value) -> Vec<String> {
    p["errors"]
        .as_array()
        .map(|e| {
            e.iter()
                .map(|f| f["field"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}
