//! One crate's file-to-file import graph, and the report of its cycles.

use std::collections::BTreeMap;

use crate::graph::{adjacency, cyclic_components, shortest_cycle};
use crate::model::CrateModel;
use crate::paths::{FileScan, scan_file};
use crate::source::{SourceFile, module_path};

/// Evidence for an edge: where a path was written and its text.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Evidence {
    pub line: usize,
    pub text: String,
}

/// The files of one crate and the imports between them.
#[derive(Debug, Clone, Default)]
pub struct CrateGraph {
    /// File paths relative to the workspace root.
    pub files: Vec<String>,
    /// Module path of each file (`[]` for the crate root).
    pub modules: Vec<Vec<String>>,
    /// `(from, to)` file indices → every path that created the edge, sorted by line.
    pub edges: BTreeMap<(usize, usize), Vec<Evidence>>,
    /// Files that do not parse: the graph misses their edges.
    pub problems: Vec<String>,
}

/// Parse `sources` (all under `src_dir`, relative to the workspace root) and build their
/// import graph. `self_names` are the names that mean this crate from a binary root.
pub fn crate_graph(sources: &[SourceFile], src_dir: &str, self_names: &[&str]) -> CrateGraph {
    let prefix = format!("{src_dir}/");
    let mut graph = CrateGraph::default();
    let mut scans: Vec<(Vec<String>, FileScan)> = Vec::new();
    for source in sources {
        let rel_to_src = source.rel.strip_prefix(&prefix).unwrap_or(&source.rel);
        let module = module_path(rel_to_src);
        let scan = match syn::parse_file(&source.text) {
            Ok(file) => scan_file(&file, &module),
            Err(e) => {
                let at = e.span().start();
                graph.problems.push(format!(
                    "{}:{}:{}: does not parse ({e}); its imports are not checked",
                    source.rel,
                    at.line,
                    at.column + 1
                ));
                FileScan::default()
            }
        };
        graph.files.push(source.rel.clone());
        graph.modules.push(module.clone());
        scans.push((module, scan));
    }
    let model = CrateModel::build(&scans, self_names);
    for (from, (_, scan)) in scans.iter().enumerate() {
        for r in &scan.refs {
            let Some(to) = model.target_of(r) else {
                continue;
            };
            if to == from {
                continue;
            }
            let evidence = Evidence {
                line: r.line,
                text: r.text(),
            };
            let list = graph.edges.entry((from, to)).or_default();
            if !list.contains(&evidence) {
                list.push(evidence);
            }
        }
    }
    for list in graph.edges.values_mut() {
        list.sort();
    }
    graph
}

/// At most this many paths are quoted per edge.
const QUOTED_PER_EDGE: usize = 8;

fn quote_edge(graph: &CrateGraph, from: usize, to: usize) -> String {
    let evidence = graph
        .edges
        .get(&(from, to))
        .map(Vec::as_slice)
        .unwrap_or_default();
    let mut parts: Vec<String> = evidence
        .iter()
        .take(QUOTED_PER_EDGE)
        .map(|e| format!("{}:{} `{}`", graph.files[from], e.line, e.text))
        .collect();
    if evidence.len() > QUOTED_PER_EDGE {
        parts.push(format!("and {} more", evidence.len() - QUOTED_PER_EDGE));
    }
    parts.join("; ")
}

/// One entry per cycle (strongly connected component of more than one file): a shortest
/// cycle through its first file, then every file and every edge inside the component with
/// the paths that created it.
pub fn cycle_report(graph: &CrateGraph) -> Vec<String> {
    let adj = adjacency(graph.files.len(), graph.edges.keys().copied());
    let mut out = Vec::new();
    for component in cyclic_components(&adj) {
        let start = component[0];
        let cycle = shortest_cycle(&adj, start, &component);
        let mut text = graph.files[start].clone();
        for (i, &node) in cycle.iter().enumerate() {
            let next = cycle.get(i + 1).copied().unwrap_or(start);
            let first = graph
                .edges
                .get(&(node, next))
                .and_then(|e| e.first())
                .map(|e| format!("{}, line {}", e.text, e.line))
                .unwrap_or_default();
            text.push_str(&format!(" -> {} ({first})", graph.files[next]));
        }
        let names: Vec<&str> = component.iter().map(|&i| graph.files[i].as_str()).collect();
        text.push_str(&format!(
            "\n    {} files in the cycle: {}\n    edges inside it:",
            component.len(),
            names.join(", ")
        ));
        for &from in &component {
            for &to in &adj[from] {
                if component.binary_search(&to).is_ok() {
                    text.push_str(&format!(
                        "\n      {} -> {}: {}",
                        graph.files[from],
                        graph.files[to],
                        quote_edge(graph, from, to)
                    ));
                }
            }
        }
        out.push(text);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sources(files: &[(&str, &str)]) -> Vec<SourceFile> {
        files
            .iter()
            .map(|(rel, text)| SourceFile {
                rel: format!("x/src/{rel}"),
                text: text.to_string(),
            })
            .collect()
    }

    fn edge_list(graph: &CrateGraph) -> Vec<String> {
        graph
            .edges
            .keys()
            .map(|&(a, b)| format!("{} -> {}", graph.files[a], graph.files[b]))
            .collect()
    }

    #[test]
    fn edges_come_from_uses_code_and_re_exports_but_not_mod_declarations() {
        let graph = crate_graph(
            &sources(&[
                ("lib.rs", "pub mod camera;\npub mod events;"),
                ("camera/mod.rs", "mod spec;\npub use spec::CameraSpec;"),
                (
                    "camera/spec.rs",
                    "pub struct CameraSpec(crate::events::Bus);",
                ),
                (
                    "events.rs",
                    "pub struct Bus;\nfn f() {\n    let _ = crate::camera::CameraSpec;\n}\n\
                     #[cfg(test)]\nmod tests {\n    use super::*;\n}",
                ),
            ]),
            "x/src",
            &[],
        );
        assert!(graph.problems.is_empty());
        assert_eq!(
            edge_list(&graph),
            vec![
                "x/src/camera/mod.rs -> x/src/camera/spec.rs",
                "x/src/camera/spec.rs -> x/src/events.rs",
                "x/src/events.rs -> x/src/camera/spec.rs",
            ]
        );
        let report = cycle_report(&graph);
        assert_eq!(report.len(), 1);
        assert!(
            report[0].starts_with(
                "x/src/camera/spec.rs -> x/src/events.rs (crate::events::Bus, line 1) -> \
                 x/src/camera/spec.rs (crate::camera::CameraSpec, line 3)"
            ),
            "{}",
            report[0]
        );
        assert!(report[0].contains("x/src/events.rs:3 `crate::camera::CameraSpec`"));
    }

    #[test]
    fn unparsable_files_are_reported() {
        let graph = crate_graph(&sources(&[("lib.rs", "fn (")]), "x/src", &[]);
        assert_eq!(graph.problems.len(), 1);
        assert!(graph.problems[0].starts_with("x/src/lib.rs:1:"));
    }
}
