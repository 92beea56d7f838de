//! OpenAPI schema names: utoipa names a component after the Rust type (or its
//! `#[schema(as = …)]`), and two types with one name silently become one schema in the
//! document, so one of them is documented wrong.

use std::collections::BTreeMap;

use syn::visit::Visit;

/// `(schema name, line)` of every type deriving `ToSchema` in a file.
pub fn schema_names(file: &syn::File) -> Vec<(String, usize)> {
    let mut finder = Finder::default();
    finder.visit_file(file);
    finder.found
}

#[derive(Default)]
struct Finder {
    found: Vec<(String, usize)>,
}

impl Finder {
    fn item(&mut self, attrs: &[syn::Attribute], ident: &syn::Ident) {
        if !attrs.iter().any(derives_to_schema) {
            return;
        }
        let name = attrs
            .iter()
            .find_map(renamed_as)
            .unwrap_or_else(|| ident.to_string());
        self.found.push((name, ident.span().start().line));
    }
}

impl<'ast> Visit<'ast> for Finder {
    fn visit_item_struct(&mut self, i: &'ast syn::ItemStruct) {
        self.item(&i.attrs, &i.ident);
    }

    fn visit_item_enum(&mut self, i: &'ast syn::ItemEnum) {
        self.item(&i.attrs, &i.ident);
    }
}

fn derives_to_schema(attr: &syn::Attribute) -> bool {
    if !attr.path().is_ident("derive") {
        return false;
    }
    let mut found = false;
    // A derive list that does not parse is the compiler's to report.
    let _ = attr.parse_nested_meta(|meta| {
        if meta
            .path
            .segments
            .last()
            .is_some_and(|s| s.ident == "ToSchema")
        {
            found = true;
        }
        Ok(())
    });
    found
}

/// The `X` of `#[schema(as = X)]` (its last path segment: the component name).
fn renamed_as(attr: &syn::Attribute) -> Option<String> {
    if !attr.path().is_ident("schema") {
        return None;
    }
    let mut name = None;
    let _ = attr.parse_nested_meta(|meta| {
        if meta.path.is_ident("as") {
            let path: syn::Path = meta.value()?.parse()?;
            name = path.segments.last().map(|s| s.ident.to_string());
        } else if meta.input.peek(syn::Token![=]) {
            // Skip the value of any other `key = value`.
            let _: syn::Expr = meta.value()?.parse()?;
        } else if meta.input.peek(syn::token::Paren) {
            let _content;
            syn::parenthesized!(_content in meta.input);
        }
        Ok(())
    });
    name
}

/// Report lines for names used by more than one type: `Name: a.rs:3, b.rs:9`.
pub fn duplicate_report(found: &[(String, String, usize)]) -> Vec<String> {
    let mut by_name: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (name, file, line) in found {
        by_name
            .entry(name)
            .or_default()
            .push(format!("{file}:{line}"));
    }
    by_name
        .into_iter()
        .filter(|(_, places)| places.len() > 1)
        .map(|(name, places)| format!("{name}: {}", places.join(", ")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(src: &str) -> Vec<String> {
        let file = syn::parse_file(src).expect("test source parses");
        schema_names(&file).into_iter().map(|(n, _)| n).collect()
    }

    #[test]
    fn derived_and_renamed_schemas_are_named() {
        let src = r#"
            #[derive(Debug, utoipa::ToSchema)]
            struct A { x: u8 }
            #[derive(ToSchema)]
            #[schema(example = json!({"a": 1}), as = api::B)]
            enum Bee { X }
            #[derive(Debug)]
            struct NotASchema;
        "#;
        assert_eq!(names(src), ["A", "B"]);
    }

    #[test]
    fn a_name_used_twice_is_reported_with_both_places() {
        let found = vec![
            ("Recording".to_string(), "src/a.rs".to_string(), 3),
            ("Other".to_string(), "src/a.rs".to_string(), 9),
            ("Recording".to_string(), "src/b.rs".to_string(), 12),
        ];
        assert_eq!(
            duplicate_report(&found),
            ["Recording: src/a.rs:3, src/b.rs:12"]
        );
    }
}
