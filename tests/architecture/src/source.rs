//! Finding and reading the `.rs` files of the workspace, and naming their modules.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// Name of the pseudo-module that stands for a binary root (`main.rs`). It is not a valid
/// identifier, so no path in the sources can name it.
pub const MAIN_MODULE: &str = "main.rs";

/// One source file: its path relative to the workspace root (with `/` separators) and its text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub rel: String,
    pub text: String,
}

/// Directories never searched for sources.
const SKIPPED_DIRS: &[&str] = &["target", "node_modules"];

/// Every `.rs` file under `root/dir`, as paths relative to `root`, sorted. A missing directory
/// yields no files.
pub fn rust_files(root: &Path, dir: &str) -> io::Result<Vec<String>> {
    let mut out = Vec::new();
    let start = root.join(dir);
    if start.is_dir() {
        walk(&start, &mut out)?;
    }
    let mut rels: Vec<String> = out
        .iter()
        .filter_map(|p| p.strip_prefix(root).ok())
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .collect();
    rels.sort();
    Ok(rels)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.file_type()?.is_dir() {
            if !name.starts_with('.') && !SKIPPED_DIRS.contains(&name.as_str()) {
                walk(&path, out)?;
            }
        } else if name.ends_with(".rs") {
            out.push(path);
        }
    }
    Ok(())
}

/// Read the files `rels` (relative to `root`).
pub fn read_all(root: &Path, rels: &[String]) -> Result<Vec<SourceFile>, String> {
    rels.iter()
        .map(|rel| {
            fs::read_to_string(root.join(rel))
                .map(|text| SourceFile {
                    rel: rel.clone(),
                    text,
                })
                .map_err(|e| format!("reading {rel}: {e}"))
        })
        .collect()
}

/// The module path of a file given its path relative to the crate's source directory, in the
/// standard layout: `http/cameras.rs` → `[http, cameras]`, `foo/mod.rs` → `[foo]`, `lib.rs` →
/// `[]` (the crate root), `main.rs` → `[MAIN_MODULE]` (a binary root of its own).
pub fn module_path(rel_to_src: &str) -> Vec<String> {
    let stem = rel_to_src.strip_suffix(".rs").unwrap_or(rel_to_src);
    match stem {
        "lib" => return Vec::new(),
        "main" => return vec![MAIN_MODULE.to_string()],
        _ => {}
    }
    let mut segments: Vec<String> = stem.split('/').map(str::to_string).collect();
    if segments.len() > 1 && segments.last().is_some_and(|s| s == "mod") {
        segments.pop();
    }
    segments
}

/// Number of lines of a text, as an editor shows them (a final newline ends the last line).
pub fn line_count(text: &str) -> usize {
    text.lines().count()
}

/// The trimmed text of line `line` (1-based), shortened to `max` characters.
pub fn source_line(text: &str, line: usize, max: usize) -> String {
    let raw = text
        .lines()
        .nth(line.saturating_sub(1))
        .unwrap_or("")
        .trim();
    if raw.chars().count() > max {
        let cut: String = raw.chars().take(max).collect();
        format!("{cut}…")
    } else {
        raw.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segs(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn module_paths_follow_the_standard_layout() {
        assert_eq!(module_path("lib.rs"), segs(&[]));
        assert_eq!(module_path("main.rs"), segs(&[MAIN_MODULE]));
        assert_eq!(module_path("http/cameras.rs"), segs(&["http", "cameras"]));
        assert_eq!(module_path("camera/mod.rs"), segs(&["camera"]));
        assert_eq!(module_path("a/b/mod.rs"), segs(&["a", "b"]));
        assert_eq!(module_path("config.rs"), segs(&["config"]));
    }

    #[test]
    fn lines_are_counted_and_quoted() {
        assert_eq!(line_count(""), 0);
        assert_eq!(line_count("a\nb\n"), 2);
        assert_eq!(line_count("a\nb"), 2);
        assert_eq!(source_line("x\n   let a = 1;  \n", 2, 80), "let a = 1;");
        assert_eq!(source_line("abcdef", 1, 3), "abc…");
        assert_eq!(source_line("a", 9, 3), "");
    }
}
