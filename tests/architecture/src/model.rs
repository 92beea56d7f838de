//! The module tree of one crate and the resolution of paths to the files that define them.
//!
//! A path is first made absolute ([`CrateModel::normalize`]): `crate::`, `self::`, `super::`,
//! a child module of the current module, or a name the current module imports or defines.
//! Then [`CrateModel::resolve`] walks it from the crate root: child modules are descended
//! into; a name the module defines stops the walk at the module's file; a name the module
//! imports (`pub use`, `pub(crate) use` or a plain `use`) is followed to where the import
//! points, recursively, so `crate::camera::CameraSpec` re-exported by `camera/mod.rs` from
//! `spec` lands on `camera/spec.rs`. Glob imports (`pub use spec::*`) are followed when the
//! globbed module has the name.

use std::collections::{BTreeMap, BTreeSet};

use crate::paths::{EXTERN_ROOT, FileScan, RawRef, UseLeaf};
use crate::source::MAIN_MODULE;

/// Upper bound on the import lookups of one resolution.
const MAX_STEPS: usize = 256;

/// One module: file-backed or inline.
#[derive(Debug, Clone, Default)]
pub struct Module {
    /// Index of the file the module lives in (inline modules: the enclosing file).
    pub file: usize,
    pub children: BTreeSet<String>,
    /// Names of the items defined in the module.
    pub items: BTreeSet<String>,
    /// Its `use` leaves, including those written inside function bodies.
    pub imports: Vec<UseLeaf>,
}

impl Module {
    fn binding(&self, name: &str) -> Option<&UseLeaf> {
        self.imports
            .iter()
            .find(|l| l.binding.as_deref() == Some(name))
    }

    fn globs(&self) -> impl Iterator<Item = &UseLeaf> {
        self.imports.iter().filter(|l| l.glob)
    }

    fn has_name(&self, name: &str) -> bool {
        self.children.contains(name) || self.items.contains(name) || self.binding(name).is_some()
    }
}

/// The modules of one crate, keyed by their path from the crate root (`[]` is the root).
#[derive(Debug, Clone, Default)]
pub struct CrateModel {
    pub modules: BTreeMap<Vec<String>, Module>,
    /// Extern-crate names that mean this crate (the library's name, as `main.rs` uses it).
    pub self_names: Vec<String>,
}

impl CrateModel {
    /// Build the model from each file's module path and scan (indexed like the file list).
    pub fn build(files: &[(Vec<String>, FileScan)], self_names: &[&str]) -> Self {
        let mut model = CrateModel {
            modules: BTreeMap::new(),
            self_names: self_names.iter().map(|s| s.to_string()).collect(),
        };
        for (index, (path, _)) in files.iter().enumerate() {
            model.modules.insert(
                path.clone(),
                Module {
                    file: index,
                    ..Module::default()
                },
            );
        }
        for (path, _) in files {
            model.link_to_parent(path);
        }
        for (index, (_, scan)) in files.iter().enumerate() {
            for declared in &scan.modules {
                model
                    .modules
                    .entry(declared.clone())
                    .or_insert_with(|| Module {
                        file: index,
                        ..Module::default()
                    });
                model.link_to_parent(declared);
            }
            for (scope, name) in &scan.items {
                if let Some(m) = model.modules.get_mut(scope) {
                    m.items.insert(name.clone());
                }
            }
            for (scope, leaf) in &scan.imports {
                if let Some(m) = model.modules.get_mut(scope) {
                    m.imports.push(leaf.clone());
                }
            }
        }
        model
    }

    fn link_to_parent(&mut self, path: &[String]) {
        let Some((name, parent)) = path.split_last() else {
            return;
        };
        if name == MAIN_MODULE {
            return;
        }
        if let Some(p) = self.modules.get_mut(parent) {
            p.children.insert(name.clone());
        }
    }

    /// The file a reference points at, if it is a path into this crate.
    pub fn target_of(&self, r: &RawRef) -> Option<usize> {
        let mut walk = Walk::new(self);
        let absolute = walk.normalize(&r.scope, &r.segments)?;
        walk.resolve(&absolute)
    }

    /// The absolute form (without `crate`) of `segments` written in module `scope`, or `None`
    /// for paths into other crates and names this model does not know (locals, prelude).
    pub fn normalize(&self, scope: &[String], segments: &[String]) -> Option<Vec<String>> {
        Walk::new(self).normalize(scope, segments)
    }

    /// The file that defines what the absolute path `path` names: the deepest module on the
    /// path, or, through imports, the file the name is re-exported from.
    pub fn resolve(&self, path: &[String]) -> Option<usize> {
        Walk::new(self).resolve(path)
    }
}

/// One resolution. Each lookup of a name in a module through its imports is done at most
/// once per walk, which ends `use` loops (and glob imports that reach themselves) early.
struct Walk<'a> {
    model: &'a CrateModel,
    /// `(through resolve, module, name)` lookups already made.
    seen: BTreeSet<(bool, Vec<String>, String)>,
    steps: usize,
}

impl<'a> Walk<'a> {
    fn new(model: &'a CrateModel) -> Self {
        Walk {
            model,
            seen: BTreeSet::new(),
            steps: 0,
        }
    }

    /// False once a lookup repeats or the walk is too long.
    fn first_time(&mut self, resolving: bool, module: &[String], name: &str) -> bool {
        self.steps += 1;
        self.steps <= MAX_STEPS
            && self
                .seen
                .insert((resolving, module.to_vec(), name.to_string()))
    }

    fn normalize(&mut self, scope: &[String], segments: &[String]) -> Option<Vec<String>> {
        let model = self.model;
        let (first, rest) = segments.split_first()?;
        if first == EXTERN_ROOT || first == "Self" {
            return None;
        }
        if first == "crate" || model.self_names.contains(first) {
            return Some(rest.to_vec());
        }
        if first == "self" {
            return Some(join(scope, rest));
        }
        if first == "super" {
            let mut base = scope.to_vec();
            let mut tail = segments;
            while let Some(("super", t)) = tail.split_first().map(|(h, t)| (h.as_str(), t)) {
                base.pop()?;
                tail = t;
            }
            return Some(join(&base, tail));
        }
        let module = model.modules.get(scope)?;
        if module.children.contains(first) || module.items.contains(first) {
            return Some(join(scope, segments));
        }
        if !self.first_time(false, scope, first) {
            return None;
        }
        if let Some(leaf) = module.binding(first) {
            let target = self.normalize(scope, &leaf.path)?;
            return Some(join(&target, rest));
        }
        for glob in module.globs() {
            let Some(globbed) = self.normalize(scope, &glob.path) else {
                continue;
            };
            if globbed != scope
                && model
                    .modules
                    .get(&globbed)
                    .is_some_and(|g| g.has_name(first))
            {
                return self.normalize(&globbed, segments);
            }
        }
        None
    }

    fn resolve(&mut self, path: &[String]) -> Option<usize> {
        let model = self.model;
        let mut current: Vec<String> = Vec::new();
        for (i, segment) in path.iter().enumerate() {
            let module = model.modules.get(&current)?;
            if module.children.contains(segment) {
                current.push(segment.clone());
                continue;
            }
            if module.items.contains(segment) || !self.first_time(true, &current, segment) {
                return Some(module.file);
            }
            if let Some(leaf) = module.binding(segment) {
                let followed = self
                    .normalize(&current, &leaf.path)
                    .and_then(|target| self.resolve(&join(&target, &path[i + 1..])));
                return Some(followed.unwrap_or(module.file));
            }
            for glob in module.globs() {
                let Some(globbed) = self.normalize(&current, &glob.path) else {
                    continue;
                };
                if globbed != current
                    && model
                        .modules
                        .get(&globbed)
                        .is_some_and(|g| g.has_name(segment))
                    && let Some(file) = self.resolve(&join(&globbed, &path[i..]))
                {
                    return Some(file);
                }
            }
            return Some(module.file);
        }
        model.modules.get(&current).map(|m| m.file)
    }
}

fn join(base: &[String], tail: &[String]) -> Vec<String> {
    let mut out = base.to_vec();
    out.extend_from_slice(tail);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::paths::scan_file;
    use crate::source::module_path;

    /// A model of a crate given as `(path under src/, source)` pairs.
    fn model(files: &[(&str, &str)]) -> CrateModel {
        let scans: Vec<(Vec<String>, FileScan)> = files
            .iter()
            .map(|(rel, text)| {
                let path = module_path(rel);
                let file = syn::parse_file(text).expect("test source parses");
                let scan = scan_file(&file, &path);
                (path, scan)
            })
            .collect();
        CrateModel::build(&scans, &["mycrate"])
    }

    fn p(s: &str) -> Vec<String> {
        s.split("::")
            .filter(|x| !x.is_empty())
            .map(str::to_string)
            .collect()
    }

    const CRATE: &[(&str, &str)] = &[
        (
            "lib.rs",
            "pub mod camera; pub mod events; pub use events::Bus;",
        ),
        (
            "camera/mod.rs",
            "mod spec; mod status; pub use spec::CameraSpec; pub use status::*; \
             use crate::events as ev; pub fn start() {}",
        ),
        ("camera/spec.rs", "pub struct CameraSpec;"),
        ("camera/status.rs", "pub enum CameraState { Up }"),
        ("events.rs", "pub struct Bus; mod tests { use super::*; }"),
        ("main.rs", "fn main() { mycrate::camera::start() }"),
    ];

    #[test]
    fn paths_are_made_absolute_from_their_scope() {
        let m = model(CRATE);
        let camera = p("camera");
        let status = p("camera::status");
        assert_eq!(
            m.normalize(&camera, &p("crate::events::Bus")),
            Some(p("events::Bus"))
        );
        assert_eq!(
            m.normalize(&camera, &p("self::start")),
            Some(p("camera::start"))
        );
        assert_eq!(
            m.normalize(&status, &p("super::spec")),
            Some(p("camera::spec"))
        );
        assert_eq!(
            m.normalize(&status, &p("super::super::events")),
            Some(p("events"))
        );
        assert_eq!(
            m.normalize(&camera, &p("spec::CameraSpec")),
            Some(p("camera::spec::CameraSpec"))
        );
        assert_eq!(m.normalize(&camera, &p("ev::Bus")), Some(p("events::Bus")));
        assert_eq!(m.normalize(&camera, &p("std::sync::Arc")), None);
        assert_eq!(
            m.normalize(&p("main.rs"), &p("mycrate::camera::start")),
            Some(p("camera::start"))
        );
        assert_eq!(m.normalize(&p(""), &p("super::x")), None);
        // `mod tests { use super::*; }` inside events.rs: super is the file's own module.
        assert_eq!(
            m.normalize(&p("events::tests"), &p("super::Bus")),
            Some(p("events::Bus"))
        );
    }

    #[test]
    fn re_exports_are_followed_to_the_defining_file() {
        let m = model(CRATE);
        let file = |path: &str| m.resolve(&p(path)).map(|i| CRATE[i].0);
        assert_eq!(file("camera::CameraSpec"), Some("camera/spec.rs"));
        assert_eq!(file("camera::CameraState::Up"), Some("camera/status.rs"));
        assert_eq!(file("camera::start"), Some("camera/mod.rs"));
        assert_eq!(file("camera"), Some("camera/mod.rs"));
        assert_eq!(file("camera::spec"), Some("camera/spec.rs"));
        assert_eq!(file("Bus"), Some("events.rs"));
        assert_eq!(file("camera::ev::Bus"), Some("events.rs"));
        assert_eq!(file("events::tests"), Some("events.rs"));
        assert_eq!(file("camera::unknown"), Some("camera/mod.rs"));
        assert_eq!(file("nothing::here"), Some("lib.rs"));
    }
}
