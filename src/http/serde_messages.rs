//! serde's messages, said for the person who filled in the form: "invalid value: integer
//! `99999`, expected u16" becomes "must be a whole number from 0 to 65535 (got 99999)". The
//! field path is reported beside the message, so the message never repeats it. Messages this
//! does not recognise pass through unchanged.

/// The message an API user reads for one of serde's.
pub fn for_people(message: &str) -> String {
    if let Some(rest) = message.strip_prefix("invalid value: integer `")
        && let Some((got, expected)) = rest.split_once("`, expected ")
        && let Some(range) = integer_range(expected)
    {
        return format!("must be a whole number {range} (got {got})");
    }
    if let Some(rest) = message.strip_prefix("invalid type: ")
        && let Some((got, expected)) = rest.split_once(", expected ")
    {
        let got = got.split(' ').next().unwrap_or(got);
        let wanted = match integer_range(expected) {
            Some(range) => format!("a whole number {range}"),
            None => match expected {
                "f64" | "f32" => "a number".to_string(),
                "a string" => "text".to_string(),
                "a sequence" => "a list".to_string(),
                "a map" => "an object".to_string(),
                other => other.to_string(),
            },
        };
        let got = match got {
            "floating" => "a number with a fraction",
            "integer" => "a whole number",
            "string" => "text",
            "boolean" => "true or false",
            "sequence" => "a list",
            "map" => "an object",
            "null" => "null",
            other => other,
        };
        return format!("must be {wanted} (got {got})");
    }
    message.to_string()
}

/// "from 0 to 65535" for serde's name of a Rust integer type.
fn integer_range(expected: &str) -> Option<String> {
    let (min, max): (i128, i128) = match expected {
        "u8" => (0, u8::MAX.into()),
        "u16" => (0, u16::MAX.into()),
        "u32" => (0, u32::MAX.into()),
        "u64" => (0, u64::MAX.into()),
        "i8" => (i8::MIN.into(), i8::MAX.into()),
        "i16" => (i16::MIN.into(), i16::MAX.into()),
        "i32" => (i32::MIN.into(), i32::MAX.into()),
        "i64" => (i64::MIN.into(), i64::MAX.into()),
        _ => return None,
    };
    Some(format!("from {min} to {max}"))
}

#[cfg(test)]
mod tests {
    use super::for_people;

    #[test]
    fn out_of_range_and_wrong_types_read_as_sentences() {
        assert_eq!(
            for_people("invalid value: integer `99999`, expected u16"),
            "must be a whole number from 0 to 65535 (got 99999)"
        );
        assert_eq!(
            for_people("invalid type: string \"554\", expected u16"),
            "must be a whole number from 0 to 65535 (got text)"
        );
        assert_eq!(
            for_people("invalid type: floating point `554.5`, expected u16"),
            "must be a whole number from 0 to 65535 (got a number with a fraction)"
        );
        assert_eq!(
            for_people("invalid type: integer `5`, expected a string"),
            "must be text (got a whole number)"
        );
    }

    #[test]
    fn other_messages_pass_through() {
        let unknown = "unknown variant `acme`, expected one of `generic`, `reolink`";
        assert_eq!(for_people(unknown), unknown);
        assert_eq!(for_people("missing field `name`"), "missing field `name`");
    }
}
