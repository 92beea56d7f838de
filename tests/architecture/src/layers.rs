//! The layering of the root crate (`src/`): files import only from their own top-level module
//! or from modules of a lower rank.

use std::collections::BTreeMap;

use crate::analysis::CrateGraph;
use crate::source::MAIN_MODULE;

/// Rank of each top-level module of the root crate (`src/`), highest layer first. A file in
/// module X may import a file in module Y only if X == Y or rank(Y) < rank(X); modules of the
/// same rank do not import each other. Modules listed but absent from `src/` are skipped; a
/// module present in `src/` but missing here fails the check until it is given a rank.
/// `src/lib.rs` (the crate root, which only declares modules) is exempt, and `src/main.rs`
/// (the binary root) counts as `cli`.
pub const LAYERS: &[(&str, u8)] = &[
    // 7: the command line and the binary's entry point
    ("cli", 7),
    // 6: server start-up and wiring
    ("serve", 6),
    // 5: the HTTP API
    ("http", 5),
    // 4: use cases that the HTTP API and the CLI call
    ("service", 4),
    // 3: authentication and authorisation
    ("auth", 3),
    // 2: persistence and adapters to the outside world
    ("store", 2),
    ("discovery", 2),
    ("pictures", 2),
    ("recordings", 2),
    ("metrics", 2),
    // 1: the domain model (pure rules and types) and log set-up
    ("domain", 1),
    ("logging", 1),
    // 0: foundations
    ("config", 0),
    ("secrets", 0),
];

/// Downward imports that skip a layer on purpose and are still refused: the HTTP layer calls
/// use cases and never reaches the store itself (no SQL, no rows but those a use case
/// returns).
pub const FORBIDDEN: &[(&str, &str)] = &[("http", "store")];

/// The module `src/main.rs` counts as.
pub const MAIN_COUNTS_AS: &str = "cli";

/// The layer module of a file's module path: its top-level module, `MAIN_COUNTS_AS` for the
/// binary root, `None` for the crate root (exempt).
pub fn layer_module(module: &[String]) -> Option<&str> {
    match module.first().map(String::as_str) {
        None => None,
        Some(MAIN_MODULE) => Some(MAIN_COUNTS_AS),
        Some(top) => Some(top),
    }
}

/// Problems with the layering of `graph` under `table`: first the modules missing from the
/// table, then one line per path that imports upward or sideways.
pub fn layer_report(graph: &CrateGraph, table: &[(&str, u8)]) -> Vec<String> {
    let ranks: BTreeMap<&str, u8> = table.iter().copied().collect();
    let mut out = Vec::new();
    let mut unranked: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (file, module) in graph.files.iter().zip(&graph.modules) {
        if let Some(top) = layer_module(module)
            && !ranks.contains_key(top)
        {
            unranked.entry(top).or_default().push(file);
        }
    }
    for (module, files) in &unranked {
        out.push(format!(
            "module `{module}` ({}) has no rank: add it to LAYERS in \
             tests/architecture/src/layers.rs (its imports are not checked until then)",
            files.join(", ")
        ));
    }
    for (&(from, to), evidence) in &graph.edges {
        let (Some(from_module), Some(to_module)) = (
            layer_module(&graph.modules[from]),
            layer_module(&graph.modules[to]),
        ) else {
            continue;
        };
        let (Some(&from_rank), Some(&to_rank)) = (ranks.get(from_module), ranks.get(to_module))
        else {
            continue;
        };
        let skips = FORBIDDEN.contains(&(from_module, to_module));
        if from_module == to_module || (to_rank < from_rank && !skips) {
            continue;
        }
        for e in evidence {
            out.push(format!(
                "{}:{}: {from_module} (rank {from_rank}) imports {to_module} (rank {to_rank}){} \
                 through `{}` -> {}",
                graph.files[from],
                e.line,
                if skips {
                    ", which it may not reach"
                } else {
                    ""
                },
                e.text,
                graph.files[to]
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Evidence;

    fn segs(s: &str) -> Vec<String> {
        s.split("::")
            .filter(|x| !x.is_empty())
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn imports_must_point_down() {
        let mut graph = CrateGraph {
            files: [
                "src/lib.rs",
                "src/main.rs",
                "src/cli.rs",
                "src/http/a.rs",
                "src/http/b.rs",
            ]
            .iter()
            .chain(&["src/store/mod.rs", "src/app.rs"])
            .map(|s| s.to_string())
            .collect(),
            modules: ["", "main.rs", "cli", "http::a", "http::b", "store", "app"]
                .iter()
                .map(|s| segs(s))
                .collect(),
            ..CrateGraph::default()
        };
        let evidence = |line: usize, text: &str| {
            vec![Evidence {
                line,
                text: text.to_string(),
            }]
        };
        // main -> cli, http -> http: fine; lib: exempt; app: unranked; http -> store: refused.
        graph
            .edges
            .insert((1, 2), evidence(1, "vistterstream::cli::main"));
        graph.edges.insert((3, 4), evidence(2, "use super::b"));
        graph.edges.insert((3, 5), evidence(3, "crate::store::x"));
        graph.edges.insert((0, 3), evidence(4, "pub use http::a"));
        graph.edges.insert((6, 2), evidence(5, "crate::cli::y"));
        // store -> http: upward.
        graph.edges.insert((5, 3), evidence(6, "crate::http::a::Z"));
        let table = [("cli", 7), ("http", 5), ("store", 2)];
        assert_eq!(
            layer_report(&graph, &table),
            vec![
                "module `app` (src/app.rs) has no rank: add it to LAYERS in \
                 tests/architecture/src/layers.rs (its imports are not checked until then)",
                "src/http/a.rs:3: http (rank 5) imports store (rank 2), which it may not reach \
                 through `crate::store::x` -> src/store/mod.rs",
                "src/store/mod.rs:6: store (rank 2) imports http (rank 5) through \
                 `crate::http::a::Z` -> src/http/a.rs",
            ]
        );
        // Same rank, different modules: sideways.
        let table = [("cli", 7), ("http", 2), ("store", 2), ("app", 9)];
        assert_eq!(layer_report(&graph, &table).len(), 2);
    }
}
