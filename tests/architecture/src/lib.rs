//! Architecture checks over the VistterStream sources, run as this crate's tests:
//!
//! 1. no import cycles between the files of a crate (`src/`, `actors/src/`);
//! 2. the top-level modules of `src/` import only downward ([`layers::LAYERS`]);
//! 3. source files stay under a size limit ([`sizes::SIZE_LIMITS`]);
//! 4. no kinds, modes or reasons compared with string literals, and no `sqlx` in `src/http/`;
//! 5. no two OpenAPI schemas with one name ([`schemas`]).
//!
//! Each `*_problems` function reads the sources under a workspace root and returns one
//! report line (or block) per problem; the tests in `tests/` fail when any is returned.

pub mod analysis;
pub mod compares;
pub mod graph;
pub mod layers;
pub mod model;
pub mod paths;
pub mod schemas;
pub mod sizes;
pub mod source;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use analysis::{CrateGraph, crate_graph, cycle_report};
use source::{line_count, read_all, rust_files, source_line};

/// A crate whose file-to-file imports are checked.
#[derive(Debug, Clone, Copy)]
pub struct CheckedCrate {
    /// Its source directory, relative to the workspace root.
    pub src_dir: &'static str,
    /// Names that mean the crate itself (its library, as its `main.rs` names it).
    pub self_names: &'static [&'static str],
}

/// The root package (library and `main.rs`).
pub const ROOT_CRATE: CheckedCrate = CheckedCrate {
    src_dir: "src",
    self_names: &["vistterstream"],
};

/// The media runtime.
pub const ACTORS_CRATE: CheckedCrate = CheckedCrate {
    src_dir: "actors/src",
    self_names: &[],
};

/// The HTTP layer, where `sqlx` must not appear.
pub const HTTP_DIR: &str = "src/http";

/// Longest source line quoted in a report.
const QUOTE_WIDTH: usize = 140;

/// The workspace root: two levels above this crate.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("..")
}

fn sources(root: &Path, dir: &str) -> Result<Vec<source::SourceFile>, String> {
    let files = rust_files(root, dir).map_err(|e| format!("listing {dir}: {e}"))?;
    read_all(root, &files)
}

/// The import graph of one crate.
pub fn load_graph(root: &Path, krate: CheckedCrate) -> Result<CrateGraph, String> {
    let files = sources(root, krate.src_dir)?;
    Ok(crate_graph(&files, krate.src_dir, krate.self_names))
}

/// Check 1: files that do not parse, then every import cycle of each crate.
pub fn cycle_problems(root: &Path) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for krate in [ROOT_CRATE, ACTORS_CRATE] {
        let graph = load_graph(root, krate)?;
        out.extend(graph.problems.iter().cloned());
        out.extend(cycle_report(&graph));
    }
    Ok(out)
}

/// Check 2: files of `src/` that do not parse, unranked modules, upward imports.
pub fn layer_problems(root: &Path) -> Result<Vec<String>, String> {
    let graph = load_graph(root, ROOT_CRATE)?;
    let mut out = graph.problems.clone();
    out.extend(layers::layer_report(&graph, layers::LAYERS));
    Ok(out)
}

/// Check 3: files over their line limit.
pub fn size_problems(root: &Path) -> Result<Vec<String>, String> {
    let mut rels = BTreeSet::new();
    for (dir, _) in sizes::SIZE_LIMITS {
        rels.extend(rust_files(root, dir).map_err(|e| format!("listing {dir}: {e}"))?);
    }
    let rels: Vec<String> = rels.into_iter().collect();
    let counted: Vec<(String, usize)> = read_all(root, &rels)?
        .into_iter()
        .map(|f| {
            let lines = line_count(&f.text);
            (f.rel, lines)
        })
        .collect();
    Ok(sizes::size_report(&counted, sizes::SIZE_LIMITS))
}

/// Check 4a: suspect names compared with string literals in `src/` and `actors/src/`.
pub fn string_compare_problems(root: &Path) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for krate in [ROOT_CRATE, ACTORS_CRATE] {
        for file in sources(root, krate.src_dir)? {
            let parsed = match syn::parse_file(&file.text) {
                Ok(parsed) => parsed,
                Err(e) => {
                    out.push(format!("{}: does not parse ({e})", file.rel));
                    continue;
                }
            };
            let mut found = compares::string_compares(&parsed);
            // `a.kind != "x" && a.kind != "y"`: one report line per line of code.
            found.dedup();
            for c in found {
                out.push(format!(
                    "{}:{}: `{}` compared with a string ({}): {}",
                    file.rel,
                    c.line,
                    c.name,
                    c.how,
                    source_line(&file.text, c.line, QUOTE_WIDTH)
                ));
            }
        }
    }
    Ok(out)
}

/// Check 4b: `sqlx` named in the HTTP layer.
pub fn sqlx_problems(root: &Path) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for file in sources(root, HTTP_DIR)? {
        match compares::sqlx_lines(&file.text) {
            Ok(lines) => out.extend(lines.into_iter().map(|line| {
                format!(
                    "{}:{line}: {}",
                    file.rel,
                    source_line(&file.text, line, QUOTE_WIDTH)
                )
            })),
            Err(e) => out.push(format!("{}: {e}", file.rel)),
        }
    }
    Ok(out)
}

/// Check 5: types deriving `ToSchema` under one component name (in `src/`: the API's).
pub fn schema_name_problems(root: &Path) -> Result<Vec<String>, String> {
    let mut found = Vec::new();
    let mut out = Vec::new();
    for file in sources(root, ROOT_CRATE.src_dir)? {
        match syn::parse_file(&file.text) {
            Ok(parsed) => found.extend(
                schemas::schema_names(&parsed)
                    .into_iter()
                    .map(|(name, line)| (name, file.rel.clone(), line)),
            ),
            Err(e) => out.push(format!("{}: does not parse ({e})", file.rel)),
        }
    }
    out.extend(schemas::duplicate_report(&found));
    Ok(out)
}

/// A report: a title with the count, then `label 1: …`, `label 2: …`.
pub fn numbered(title: &str, label: &str, problems: &[String]) -> String {
    let mut out = format!("{title}: {} found\n", problems.len());
    for (i, p) in problems.iter().enumerate() {
        out.push_str(&format!("{label} {}: {p}\n", i + 1));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_are_numbered() {
        let problems = vec!["a".to_string(), "b".to_string()];
        assert_eq!(
            numbered("Cycles", "cycle", &problems),
            "Cycles: 2 found\ncycle 1: a\ncycle 2: b\n"
        );
    }
}
