//! The architecture rules, checked against the workspace's sources. Each failing test prints
//! a numbered work list.

use vistterstream_architecture::{
    cycle_problems, layer_problems, numbered, schema_name_problems, size_problems, sqlx_problems,
    string_compare_problems, workspace_root,
};

fn assert_none(title: &str, label: &str, problems: Result<Vec<String>, String>) {
    let problems = problems.unwrap_or_else(|e| panic!("{title}: could not read the sources: {e}"));
    assert!(
        problems.is_empty(),
        "\n{}",
        numbered(title, label, &problems)
    );
}

#[test]
fn no_import_cycles_between_files() {
    assert_none(
        "Import cycles between files (src/, actors/src/)",
        "cycle",
        cycle_problems(&workspace_root()),
    );
}

#[test]
fn src_layers_only_import_downward() {
    assert_none(
        "Layer violations in src/ (table: tests/architecture/src/layers.rs)",
        "violation",
        layer_problems(&workspace_root()),
    );
}

#[test]
fn source_files_stay_small() {
    assert_none(
        "Files over their line limit",
        "file",
        size_problems(&workspace_root()),
    );
}

#[test]
fn no_string_compares_for_kinds_modes_or_reasons() {
    assert_none(
        "Kinds, modes, states or reasons compared with string literals",
        "compare",
        string_compare_problems(&workspace_root()),
    );
}

#[test]
fn no_sqlx_in_the_http_layer() {
    assert_none(
        "sqlx named in src/http/",
        "sqlx",
        sqlx_problems(&workspace_root()),
    );
}

#[test]
fn openapi_schema_names_are_unique() {
    assert_none(
        "OpenAPI schema names given to more than one type (rename one, or #[schema(as = …)])",
        "schema",
        schema_name_problems(&workspace_root()),
    );
}
