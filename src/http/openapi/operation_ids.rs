//! OpenAPI requires every operationId to be unique, and generated clients key their
//! operations by it. utoipa names an operation after its handler, and handlers are named by
//! what they do inside their resource's module (`cameras::list`, `users::list`), so an id
//! used by more than one operation is qualified by the operation's tag (`cameras_list`).

use std::collections::HashMap;

use serde_json::Value;

use super::problems::METHODS;

/// Qualify every operationId that more than one operation uses with its first tag.
pub fn make_operation_ids_unique(doc: &mut Value) {
    let mut uses: HashMap<String, usize> = HashMap::new();
    for op in operations(doc) {
        if let Some(id) = op.get("operationId").and_then(Value::as_str) {
            *uses.entry(id.to_owned()).or_default() += 1;
        }
    }
    for op in operations_mut(doc) {
        let Some(id) = op.get("operationId").and_then(Value::as_str) else {
            continue;
        };
        if uses.get(id).copied().unwrap_or(0) < 2 {
            continue;
        }
        let tag = op
            .pointer("/tags/0")
            .and_then(Value::as_str)
            .unwrap_or("api");
        let qualified = format!("{tag}_{id}");
        op["operationId"] = Value::String(qualified);
    }
}

/// Every operation object of a document.
pub fn operations(doc: &Value) -> impl Iterator<Item = &Value> {
    doc.get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|paths| paths.values())
        .flat_map(|item| METHODS.iter().filter_map(move |m| item.get(*m)))
}

fn operations_mut(doc: &mut Value) -> impl Iterator<Item = &mut Value> {
    doc.get_mut("paths")
        .and_then(Value::as_object_mut)
        .into_iter()
        .flat_map(|paths| paths.values_mut())
        .filter_map(Value::as_object_mut)
        .flat_map(|item| {
            item.iter_mut()
                .filter(|(method, _)| METHODS.contains(&method.as_str()))
                .map(|(_, op)| op)
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn repeated_ids_are_qualified_by_tag_and_unique_ones_kept() {
        let mut doc = json!({"paths": {
            "/cameras": {"get": {"operationId": "list", "tags": ["cameras"]}},
            "/users": {"get": {"operationId": "list", "tags": ["users"]},
                       "post": {"operationId": "create_user", "tags": ["users"]}},
        }});
        make_operation_ids_unique(&mut doc);
        assert_eq!(
            doc.pointer("/paths/~1cameras/get/operationId"),
            Some(&json!("cameras_list"))
        );
        assert_eq!(
            doc.pointer("/paths/~1users/get/operationId"),
            Some(&json!("users_list"))
        );
        assert_eq!(
            doc.pointer("/paths/~1users/post/operationId"),
            Some(&json!("create_user"))
        );
    }
}
