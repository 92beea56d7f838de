//! The input rules the derived schemas cannot state: which fields go together (an RTSP URL
//! or a host, never both; a URL image needs its URL), and the text rules the validators
//! apply (visible text without control characters, URL schemes, host names, strftime
//! patterns). Stated here, over the derived document, so a client that follows the schema
//! sends what the appliance accepts; the validators in `domain/` stay the authority and
//! answer 422 with the field for anything else.

use serde_json::{Map, Value, json};

/// Text a person can read: at least one visible character, no control characters
/// (what `domain::check_text` accepts once trimmed).
pub const VISIBLE_TEXT: &str =
    r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$";
/// Free text that may be empty, without control characters.
const NO_CONTROLS: &str = r"^[^\x00-\x1f\x7f-\x9f]*$";
/// A DNS name or a dotted IPv4 address, as a camera host.
const HOST_NAME: &str = r"^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$";
/// An http(s) URL with a host and no credentials.
const HTTP_URL: &str = r"^https?://[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?(:0*([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?(/[^\s@]*)?$";
/// An rtsp URL with a host and no credentials (rtsps is not supported yet).
const RTSP_URL: &str = r"^rtsp://[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?(:0*([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?(/[^\s@]*)?$";
/// An rtmp(s) ingest URL with a host, an application path and no credentials.
const RTMP_URL: &str = r"^rtmps?://[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?(:0*([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?/[^\s@?/][^\s@?]*$";
/// strftime with the conversions chrono knows.
const STRFTIME: &str = r"^([^%\x00-\x1f\x7f-\x9f]|%[aAbBcCdDeFgGhHIjklmMnpPrRsStTuUVwWxXyYZz%])+$";
/// One IPv4 address, or a range of at most 256 (/24 to /32).
const SCAN_TARGET: &str = r"^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(/(2[4-9]|3[0-2]))?$";
/// A stream key: no spaces, slashes or control characters.
const STREAM_KEY: &str = r"^[^\s/\x00-\x1f\x7f-\x9f]+$";

/// Apply every rule to the document's component schemas.
pub fn declare_input_rules(doc: &mut Value) {
    let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    for (schema, property, constraints) in property_rules() {
        if let Some(target) = schemas
            .get_mut(schema)
            .and_then(|s| s.pointer_mut(&format!("/properties/{property}")))
        {
            merge(target, constraints);
        }
    }
    for (schema, variants) in variant_rules() {
        if let Some(target) = schemas.get_mut(schema) {
            split_into_variants(target, variants);
        }
    }
}

/// `(schema, property, constraints merged into it)`.
fn property_rules() -> Vec<(&'static str, &'static str, Value)> {
    let visible = json!({ "pattern": VISIBLE_TEXT });
    let mut rules = Vec::new();
    for schema in [
        "CameraInput",
        "CameraPatch",
        "AssetInput",
        "DestinationInput",
        "OutputInput",
        "PresetCapture",
        "PresetPatch",
        "PresetExportItem",
        "TimelineInput",
        "TimelinePatch",
        "ScheduleInput",
        "SchedulePatch",
    ] {
        rules.push((schema, "name", visible.clone()));
    }
    // "HH:MM", 24-hour; a zone is an IANA name (which one exists is the server's to say).
    let clock = json!({ "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9]$" });
    let zone =
        json!({ "pattern": r"^[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+)*$", "maxLength": 64 });
    for schema in ["ScheduleInput", "SchedulePatch"] {
        rules.extend([
            (schema, "start", clock.clone()),
            (schema, "end", clock.clone()),
            (schema, "time_zone", zone.clone()),
            (
                schema,
                "days",
                json!({ "minItems": 1, "maxItems": 7, "uniqueItems": true }),
            ),
            (
                schema,
                "timeline_ids",
                json!({ "minItems": 1, "maxItems": 50 }),
            ),
        ]);
    }
    rules.push(("BroadcastInput", "title", visible.clone()));
    for schema in ["CameraInput", "CameraPatch"] {
        rules.extend([
            (schema, "host", json!({ "pattern": HOST_NAME })),
            (schema, "rtsp_url", json!({ "pattern": RTSP_URL })),
            // Empty = none.
            (
                schema,
                "snapshot_url",
                json!({ "pattern": format!("^$|{}", HTTP_URL) }),
            ),
            (
                schema,
                "path",
                json!({ "pattern": r"^/?[^\s\x00-\x1f\x7f-\x9f]*$", "maxLength": 1024 }),
            ),
            (
                schema,
                "username",
                json!({ "pattern": NO_CONTROLS, "maxLength": 256 }),
            ),
            (schema, "password", json!({ "maxLength": 256 })),
            (schema, "onvif_profile", json!({ "pattern": NO_CONTROLS })),
        ]);
    }
    rules.extend([
        ("AssetInput", "url", json!({ "pattern": HTTP_URL })),
        (
            "DestinationInput",
            "server_url",
            json!({ "pattern": RTMP_URL }),
        ),
        (
            "DestinationInput",
            "stream_key",
            json!({ "pattern": STREAM_KEY, "maxLength": 512 }),
        ),
        ("ScanRequest", "target", json!({ "pattern": SCAN_TARGET })),
        (
            "ScanRequest",
            "ports",
            json!({ "items": { "minimum": 1, "maximum": 65535 } }),
        ),
        (
            "DiscoveryRequest",
            "username",
            json!({ "pattern": NO_CONTROLS }),
        ),
        ("NewToken", "name", visible.clone()),
        (
            "PresetExport",
            "format",
            json!({ "const": crate::service::preset_transfer::EXPORT_FORMAT }),
        ),
    ]);
    rules
}

/// A schema split into variants: `(property, value, required, constraints)` per variant.
/// The variant's `property` is pinned to `value`; `required` fields are added; constraints
/// are merged into its properties (`{"host": {"type": "null"}}` = host must be absent or
/// null).
type Variant = (&'static str, Option<Value>, &'static [&'static str], Value);

fn variant_rules() -> Vec<(&'static str, Vec<Variant>)> {
    let text = |max: u32| json!({ "type": "string", "minLength": 1, "maxLength": max, "pattern": VISIBLE_TEXT });
    vec![
        (
            "AssetInput",
            vec![
                (
                    "kind",
                    Some(json!("url_image")),
                    &["url"][..],
                    json!({ "url": { "type": "string" }, "text": { "type": "null" } }),
                ),
                (
                    "kind",
                    Some(json!("text")),
                    &["text"][..],
                    json!({ "text": text(200), "url": { "type": "null" }, "refresh_secs": { "type": "null" } }),
                ),
                (
                    "kind",
                    Some(json!("clock")),
                    &[][..],
                    json!({
                        "text": { "type": ["string", "null"], "maxLength": 100, "pattern": STRFTIME },
                        "url": { "type": "null" },
                        "refresh_secs": { "type": "null" }
                    }),
                ),
            ],
        ),
        (
            "CameraInput",
            vec![
                (
                    "rtsp_url",
                    None,
                    &["rtsp_url"][..],
                    json!({
                        "rtsp_url": { "type": "string" },
                        "host": { "type": "null" },
                        "port": { "type": "null" },
                        "path": { "type": "null" }
                    }),
                ),
                (
                    "host",
                    None,
                    &["host"][..],
                    json!({ "host": { "type": "string" }, "rtsp_url": { "type": "null" } }),
                ),
            ],
        ),
        (
            "CameraPatch",
            vec![
                (
                    "rtsp_url",
                    None,
                    &["rtsp_url"][..],
                    json!({
                        "rtsp_url": { "type": "string" },
                        "host": { "type": "null" },
                        "port": { "type": "null" },
                        "path": { "type": "null" }
                    }),
                ),
                (
                    "rtsp_url",
                    None,
                    &[][..],
                    json!({ "rtsp_url": { "type": "null" } }),
                ),
            ],
        ),
        (
            "DestinationInput",
            vec![
                (
                    "platform",
                    Some(json!("custom")),
                    &["platform", "server_url"][..],
                    json!({ "server_url": { "type": "string" } }),
                ),
                (
                    "platform",
                    None,
                    &["server_url"][..],
                    json!({ "platform": { "type": "null" }, "server_url": { "type": "string" } }),
                ),
                // A platform's ingest is its default when `server_url` is blank.
                (
                    "platform",
                    Some(json!({ "enum": ["youtube", "twitch"] })),
                    &["platform", "stream_key"][..],
                    json!({
                        "stream_key": { "type": "string" },
                        "server_url": { "pattern": format!(r"^\s*$|{RTMP_URL}") }
                    }),
                ),
                (
                    "platform",
                    Some(json!("facebook")),
                    &["platform", "stream_key"][..],
                    json!({
                        "stream_key": { "type": "string" },
                        "server_url": { "pattern": format!(r"^\s*$|{}", RTMP_URL.replacen("rtmps?", "rtmps", 1)) }
                    }),
                ),
            ],
        ),
    ]
}

/// Replace an object schema by `oneOf` copies of it, one per variant.
fn split_into_variants(schema: &mut Value, variants: Vec<Variant>) {
    let base = schema.clone();
    let description = base.get("description").cloned();
    let one_of: Vec<Value> = variants
        .into_iter()
        .map(|(property, value, required, constraints)| {
            let mut variant = base.clone();
            if let Some(obj) = variant.as_object_mut() {
                obj.remove("description");
            }
            match value {
                // `{"enum": [...]}` pins to several values, a plain value to one.
                Some(Value::Object(pin)) => {
                    merge_property(&mut variant, property, json!({ "type": "string" }), true);
                    merge_property(&mut variant, property, Value::Object(pin), false);
                }
                Some(one) => {
                    merge_property(&mut variant, property, json!({ "const": one }), true);
                }
                None => {}
            }
            if let Some(Value::Array(req)) = variant.get_mut("required") {
                for field in required {
                    if !req.iter().any(|r| r == field) {
                        req.push(json!(field));
                    }
                }
            } else if let Some(obj) = variant.as_object_mut() {
                obj.insert("required".into(), json!(required));
            }
            if let Value::Object(by_property) = constraints {
                for (property, c) in by_property {
                    merge_property(&mut variant, &property, c, false);
                }
            }
            variant
        })
        .collect();
    let mut replaced = Map::new();
    if let Some(d) = description {
        replaced.insert("description".into(), d);
    }
    replaced.insert("oneOf".into(), Value::Array(one_of));
    *schema = Value::Object(replaced);
}

/// Merge `constraints` into `schema.properties[property]`; `replace` drops what was there
/// (a `$ref` or a `oneOf` with null that a pinned value supersedes). A `type` constraint
/// replaces the property's type and, for `null`, everything else about it.
fn merge_property(schema: &mut Value, property: &str, constraints: Value, replace: bool) {
    let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) else {
        return;
    };
    let target = properties
        .entry(property.to_string())
        .or_insert_with(|| json!({}));
    if replace || constraints.get("type") == Some(&json!("null")) {
        *target = json!({});
    }
    if constraints.get("type").is_some() {
        narrow_type(target);
    }
    merge(target, constraints);
}

/// `{"type": ["string", "null"]}` and `{"oneOf": [X, {"type": "null"}]}` lose their null
/// half (the variant requires a value).
fn narrow_type(target: &mut Value) {
    let Some(obj) = target.as_object_mut() else {
        return;
    };
    if let Some(Value::Array(types)) = obj.get_mut("type") {
        types.retain(|t| t != "null");
        if types.len() == 1 {
            let only = types[0].clone();
            obj.insert("type".into(), only);
        }
    }
    if let Some(Value::Array(alternatives)) = obj.remove("oneOf") {
        let mut rest: Vec<Value> = alternatives
            .into_iter()
            .filter(|a| a.get("type") != Some(&json!("null")))
            .collect();
        if rest.len() == 1 {
            if let Some(Value::Object(only)) = rest.pop() {
                obj.extend(only);
            }
        } else {
            obj.insert("oneOf".into(), Value::Array(rest));
        }
    }
}

/// Shallow-merge an object of constraints into a schema (nested objects merge too).
fn merge(target: &mut Value, constraints: Value) {
    match (target, constraints) {
        (Value::Object(t), Value::Object(c)) => {
            for (key, value) in c {
                match t.get_mut(&key) {
                    Some(existing @ Value::Object(_)) if value.is_object() => {
                        merge(existing, value)
                    }
                    _ => {
                        t.insert(key, value);
                    }
                }
            }
        }
        (target, constraints) => *target = constraints,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(pattern: &str, s: &str) -> bool {
        // The document's patterns are ECMA-262; these use only what `regex` reads alike,
        // except look-ahead, which only HOST_NAME has (checked by length separately).
        let pattern = pattern.replace("(?=.{1,253}$)", "");
        regex_lite::Regex::new(&pattern)
            .map(|re| re.is_match(s))
            .unwrap_or(false)
    }

    #[test]
    fn visible_text_needs_a_visible_character_and_no_controls() {
        assert!(matches(VISIBLE_TEXT, "Beach cam"));
        assert!(matches(VISIBLE_TEXT, " x "));
        assert!(!matches(VISIBLE_TEXT, ""));
        assert!(!matches(VISIBLE_TEXT, "   "));
        assert!(!matches(VISIBLE_TEXT, "a\u{7}b"));
    }

    #[test]
    fn url_and_host_patterns_accept_what_the_validators_accept() {
        assert!(matches(RTSP_URL, "rtsp://192.168.1.20:554/stream1"));
        assert!(!matches(RTSP_URL, "rtsp://user:pw@cam/stream"));
        assert!(matches(HTTP_URL, "https://example.com/logo.png"));
        assert!(!matches(HTTP_URL, "ftp://example.com/logo.png"));
        assert!(matches(RTMP_URL, "rtmps://a.rtmp.youtube.com:443/live2"));
        // A port is a number the URL parser accepts: at most 65535.
        assert!(matches(HTTP_URL, "http://cam:65535/snap.jpg"));
        assert!(!matches(HTTP_URL, "http://cam:82101/snap.jpg"));
        assert!(!matches(RTSP_URL, "rtsp://cam:65536/stream"));
        assert!(!matches(RTSP_URL, "rtsp://cam:00/stream"));
        assert!(matches(HOST_NAME, "cam-1.local"));
        assert!(!matches(HOST_NAME, "-cam"));
        assert!(matches(SCAN_TARGET, "192.168.1.0/24"));
        assert!(!matches(SCAN_TARGET, "192.168.0.0/16"));
        assert!(matches(STRFTIME, "%H:%M:%S"));
        assert!(!matches(STRFTIME, "%Q"));
    }

    #[test]
    fn a_schema_splits_into_pinned_variants() {
        let mut schema = json!({
            "type": "object",
            "description": "An asset",
            "required": ["name", "kind"],
            "properties": {
                "kind": { "$ref": "#/components/schemas/Kind" },
                "url": { "type": ["string", "null"] },
                "text": { "type": ["string", "null"] }
            }
        });
        split_into_variants(
            &mut schema,
            vec![
                ("kind", Some(json!("url_image")), &["url"][..], json!({})),
                (
                    "kind",
                    Some(json!("text")),
                    &["text"][..],
                    json!({ "text": { "type": "string", "minLength": 1 } }),
                ),
            ],
        );
        assert_eq!(schema["description"], "An asset");
        let variants = schema["oneOf"].as_array().cloned().unwrap_or_default();
        assert_eq!(variants.len(), 2);
        assert_eq!(
            variants[0]["properties"]["kind"],
            json!({ "const": "url_image" })
        );
        assert_eq!(variants[0]["required"], json!(["name", "kind", "url"]));
        assert_eq!(
            variants[1]["properties"]["text"],
            json!({ "type": "string", "minLength": 1 })
        );
    }

    #[test]
    fn a_null_constraint_makes_the_property_null_only() {
        let mut schema =
            json!({ "properties": { "host": { "type": ["string", "null"], "pattern": "x" } } });
        merge_property(&mut schema, "host", json!({ "type": "null" }), false);
        assert_eq!(schema["properties"]["host"], json!({ "type": "null" }));
    }
}
