//! File size limits.

/// Line limits by directory (relative to the workspace root): a file gets the limit of the
/// longest directory that contains it. Files in none of these are not checked.
pub const SIZE_LIMITS: &[(&str, usize)] = &[
    ("src", 600),
    ("actors/src", 600),
    ("tests/sim/src", 600),
    ("tests/architecture", 600),
    ("tests", 700),
    ("actors/tests", 700),
];

/// The line limit of a file (path relative to the workspace root, `/` separators).
pub fn limit_for(rel: &str, limits: &[(&str, usize)]) -> Option<usize> {
    limits
        .iter()
        .filter(|(dir, _)| {
            rel.strip_prefix(dir)
                .is_some_and(|rest| rest.starts_with('/'))
        })
        .max_by_key(|(dir, _)| dir.len())
        .map(|&(_, max)| max)
}

/// `(file, lines)` pairs over their limit, as report lines.
pub fn size_report(files: &[(String, usize)], limits: &[(&str, usize)]) -> Vec<String> {
    files
        .iter()
        .filter_map(|(rel, lines)| {
            let max = limit_for(rel, limits)?;
            (*lines > max)
                .then(|| format!("{rel}: {lines} lines (limit {max}, {} over)", lines - max))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_specific_directory_sets_the_limit() {
        assert_eq!(limit_for("src/http/ptz.rs", SIZE_LIMITS), Some(600));
        assert_eq!(limit_for("tests/sim/src/main.rs", SIZE_LIMITS), Some(600));
        assert_eq!(
            limit_for("tests/sim/tests/file_loop.rs", SIZE_LIMITS),
            Some(700)
        );
        assert_eq!(limit_for("tests/common/mod.rs", SIZE_LIMITS), Some(700));
        assert_eq!(
            limit_for("tests/architecture/src/lib.rs", SIZE_LIMITS),
            Some(600)
        );
        assert_eq!(
            limit_for("actors/tests/ptz_actor.rs", SIZE_LIMITS),
            Some(700)
        );
        assert_eq!(limit_for("srcx/a.rs", SIZE_LIMITS), None);
        assert_eq!(limit_for("benches/a.rs", SIZE_LIMITS), None);
    }

    #[test]
    fn files_over_their_limit_are_reported() {
        let files = [
            ("src/a.rs".to_string(), 601),
            ("src/b.rs".to_string(), 600),
            ("tests/c.rs".to_string(), 650),
        ];
        assert_eq!(
            size_report(&files, SIZE_LIMITS),
            vec!["src/a.rs: 601 lines (limit 600, 1 over)"]
        );
    }
}
