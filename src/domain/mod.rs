//! Domain rules that are pure functions: validation, URL composition, vendor profiles.

pub mod asset;
pub mod audit;
pub mod camera;
pub mod destination;
pub mod output;
pub mod preset;
pub mod schedule;
pub mod snapshot;
pub mod studio;
pub mod time;
pub mod timeline;
pub mod user;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One invalid field, named by its JSON path.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Collects field errors so that one response lists every problem, not only the first.
#[derive(Debug, Default)]
pub struct Validation(Vec<FieldError>);

impl Validation {
    pub fn error(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError::new(field, message));
    }

    pub fn finish<T>(self, value: T) -> Result<T, Vec<FieldError>> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(self.0)
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Take the errors of a nested validation; its value when there were none.
    pub fn absorb<T>(&mut self, result: Result<T, Vec<FieldError>>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(errors) => {
                self.0.extend(errors);
                None
            }
        }
    }
}

/// Trimmed text of `min..=max` characters without control characters.
pub fn check_text(v: &mut Validation, field: &str, value: &str, min: usize, max: usize) -> String {
    let trimmed = value.trim();
    let len = trimmed.chars().count();
    if len < min {
        v.error(
            field,
            if min == 1 {
                "must not be empty".to_string()
            } else {
                format!("must be at least {min} characters")
            },
        );
    } else if len > max {
        v.error(field, format!("must be at most {max} characters"));
    } else if trimmed.chars().any(char::is_control) {
        v.error(field, "must not contain control characters");
    }
    trimmed.to_string()
}

/// Distinguish an absent field (`None`) from an explicit `null` (`Some(None)`) in a partial
/// update (`#[serde(default, deserialize_with = "…double_option")]`).
pub fn double_option<'de, T: Deserialize<'de>, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// The values of `items` without repeats, in the order they first appear.
pub fn unique<T: PartialEq + Clone>(items: &[T]) -> Vec<T> {
    let mut out: Vec<T> = Vec::with_capacity(items.len());
    for item in items {
        if !out.contains(item) {
            out.push(item.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_drops_every_repeat_not_only_neighbours() {
        assert_eq!(unique(&[3, 1, 3, 2, 1]), vec![3, 1, 2]);
        assert!(unique::<i64>(&[]).is_empty());
    }
}
