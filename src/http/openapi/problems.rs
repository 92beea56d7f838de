//! The error responses every operation can give, declared where the handlers' annotations
//! leave them out, and every error body declared as what it is: `application/problem+json`
//! with the [`Problem`](crate::http::error::Problem) schema.
//!
//! Which statuses an operation can answer follows from its shape, not from its handler:
//! the authentication middleware answers 401 to any secured operation; a path parameter
//! that does not parse is a 400 and a well-formed id of nothing a 404; a query value that
//! does not parse is a 400 and one out of range a 422; a body can be
//! malformed (400), too large (413), of another media type (415) or invalid (422); and any
//! operation can fail inside (500). Statuses particular to one operation (403 for a role,
//! 409, 502, 503) stay in its annotation, where the handler's author states them.

use serde_json::{Map, Value, json};

/// The HTTP methods an OpenAPI path item can hold operations for.
pub const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

const PROBLEM_MEDIA_TYPE: &str = "application/problem+json";
const PROBLEM_SCHEMA: &str = "#/components/schemas/Problem";

/// Add the statuses implied by each operation's shape and make every 4xx/5xx body a
/// problem document.
pub fn declare_problem_responses(doc: &mut Value) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for item in paths.values_mut() {
        for method in METHODS {
            if let Some(op) = item.get_mut(*method).and_then(Value::as_object_mut) {
                declare_for_operation(op);
            }
        }
    }
}

fn declare_for_operation(op: &mut Map<String, Value>) {
    let implied = implied_statuses(op);
    let Some(responses) = op
        .entry("responses")
        .or_insert_with(|| json!({}))
        .as_object_mut()
    else {
        return;
    };
    for status in implied {
        responses
            .entry(status.to_string())
            .or_insert_with(|| json!({ "description": reason(status) }));
    }
    for (status, response) in responses.iter_mut() {
        let is_error = status.parse::<u16>().is_ok_and(|s| s >= 400);
        if let (true, Some(response)) = (is_error, response.as_object_mut()) {
            response.insert(
                "content".into(),
                json!({ PROBLEM_MEDIA_TYPE: { "schema": { "$ref": PROBLEM_SCHEMA } } }),
            );
        }
    }
}

/// The statuses an operation can answer because of its shape (see the module comment).
pub fn implied_statuses(op: &Map<String, Value>) -> Vec<u16> {
    let secured = op
        .get("security")
        .and_then(Value::as_array)
        .is_some_and(|reqs| {
            reqs.iter()
                .any(|r| r.as_object().is_some_and(|r| !r.is_empty()))
        });
    let params_in = |place: &str| {
        op.get("parameters")
            .and_then(Value::as_array)
            .is_some_and(|ps| {
                ps.iter()
                    .any(|p| p.get("in").and_then(Value::as_str) == Some(place))
            })
    };
    let mut statuses = vec![500];
    if secured {
        statuses.push(401);
    }
    if params_in("path") {
        statuses.extend([400, 404]);
    }
    if params_in("query") {
        // 400 for a value that does not parse, 422 for one out of range.
        statuses.extend([400, 422]);
    }
    if op.contains_key("requestBody") {
        statuses.extend([400, 413, 415, 422]);
    }
    statuses.sort_unstable();
    statuses.dedup();
    statuses
}

fn reason(status: u16) -> &'static str {
    match status {
        400 => {
            "Malformed request: a body that is not JSON, a path or query parameter that does not parse"
        }
        401 => "No valid credential (session cookie or bearer token)",
        404 => "No such resource",
        413 => "Body too large",
        415 => "Body of an unsupported media type",
        422 => "Invalid input: `field` and `errors` name what is wrong",
        _ => "Internal error (details in the appliance log)",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn statuses_follow_from_security_parameters_and_body() {
        assert_eq!(implied_statuses(&op(json!({}))), [500]);
        assert_eq!(
            implied_statuses(&op(json!({ "security": [{ "bearer": [] }] }))),
            [401, 500]
        );
        assert_eq!(
            implied_statuses(&op(json!({
                "security": [{ "bearer": [] }],
                "parameters": [{ "name": "id", "in": "path" }],
                "requestBody": {}
            }))),
            [400, 401, 404, 413, 415, 422, 500]
        );
        // An empty requirement means "no credential needed".
        assert_eq!(
            implied_statuses(&op(json!({
                "security": [{}],
                "parameters": [{ "name": "q", "in": "query" }]
            }))),
            [400, 422, 500]
        );
    }

    #[test]
    fn error_bodies_become_problem_documents_and_success_bodies_stay() {
        let mut doc = json!({ "paths": { "/things/{id}": { "get": {
            "parameters": [{ "name": "id", "in": "path" }],
            "responses": {
                "200": { "description": "", "content": { "application/json": {} } },
                "409": { "description": "busy", "content": { "application/json": {} } }
            }
        } } } });
        declare_problem_responses(&mut doc);
        let responses = &doc["paths"]["/things/{id}"]["get"]["responses"];
        assert_eq!(
            responses["200"]["content"],
            json!({ "application/json": {} })
        );
        assert_eq!(responses["409"]["description"], "busy");
        for status in ["400", "404", "409", "500"] {
            assert_eq!(
                responses[status]["content"][PROBLEM_MEDIA_TYPE]["schema"]["$ref"], PROBLEM_SCHEMA,
                "{status}"
            );
        }
    }
}
