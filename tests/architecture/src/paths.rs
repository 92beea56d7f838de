//! Collecting what a file refers to: the leaves of its `use` items, the paths in its code, in
//! its attributes and (token-wise) in macro bodies, plus the modules and items it declares.

use proc_macro2::{Spacing, TokenStream, TokenTree};
use syn::visit::{self, Visit};

/// First segment of a path written with a leading `::`: always another crate.
pub const EXTERN_ROOT: &str = "::";

/// Where a reference was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefKind {
    /// A leaf of a `use` item.
    Use,
    /// A path in code: expression, type, pattern, bound, macro name.
    Code,
    /// A path in an attribute's tokens, such as `#[openapi(paths(users::list))]`.
    Attribute,
    /// A string holding a path, such as `#[serde(deserialize_with = "crate::x::y")]`.
    String,
    /// A `a::b` token sequence in a macro body.
    Macro,
}

/// A path as written in a file, with the module it was written in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawRef {
    /// Module (possibly an inline one) the path appears in.
    pub scope: Vec<String>,
    pub segments: Vec<String>,
    /// A glob `use a::b::*`: `segments` is the prefix.
    pub glob: bool,
    pub line: usize,
    pub kind: RefKind,
}

impl RawRef {
    /// The path as a developer would search for it.
    pub fn text(&self) -> String {
        let mut path = if self.segments.first().is_some_and(|s| s == EXTERN_ROOT) {
            format!("::{}", self.segments[1..].join("::"))
        } else {
            self.segments.join("::")
        };
        if self.glob {
            path.push_str("::*");
        }
        match self.kind {
            RefKind::Use => format!("use {path}"),
            RefKind::Code => path,
            RefKind::Attribute => format!("{path} in an attribute"),
            RefKind::String => format!("\"{path}\""),
            RefKind::Macro => format!("{path} in a macro"),
        }
    }
}

/// One leaf of a `use` tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UseLeaf {
    /// Full path of the leaf (`use a::{self}` gives `a`; a glob gives its prefix).
    pub path: Vec<String>,
    /// Name the leaf binds in the module: `None` for globs and `as _`.
    pub binding: Option<String>,
    pub glob: bool,
    pub line: usize,
}

fn ident_name(ident: &proc_macro2::Ident) -> String {
    let s = ident.to_string();
    s.strip_prefix("r#").map(str::to_string).unwrap_or(s)
}

fn line_of(span: proc_macro2::Span) -> usize {
    span.start().line
}

/// The leaves of a `use` item, e.g. `use a::{b, c::d as e, f::*, self as g}`.
pub fn use_leaves(item: &syn::ItemUse) -> Vec<UseLeaf> {
    let mut prefix = Vec::new();
    if item.leading_colon.is_some() {
        prefix.push(EXTERN_ROOT.to_string());
    }
    let mut out = Vec::new();
    leaves(&item.tree, &mut prefix, &mut out);
    out
}

fn leaves(tree: &syn::UseTree, prefix: &mut Vec<String>, out: &mut Vec<UseLeaf>) {
    match tree {
        syn::UseTree::Path(p) => {
            prefix.push(ident_name(&p.ident));
            leaves(&p.tree, prefix, out);
            prefix.pop();
        }
        syn::UseTree::Name(n) => {
            let (path, binding) = if n.ident == "self" {
                (prefix.clone(), prefix.last().cloned())
            } else {
                let mut path = prefix.clone();
                path.push(ident_name(&n.ident));
                (path, Some(ident_name(&n.ident)))
            };
            let line = line_of(n.ident.span());
            out.push(UseLeaf {
                path,
                binding,
                glob: false,
                line,
            });
        }
        syn::UseTree::Rename(r) => {
            let mut path = prefix.clone();
            if r.ident != "self" {
                path.push(ident_name(&r.ident));
            }
            let binding = Some(ident_name(&r.rename)).filter(|b| b != "_");
            out.push(UseLeaf {
                path,
                binding,
                glob: false,
                line: line_of(r.ident.span()),
            });
        }
        syn::UseTree::Glob(g) => out.push(UseLeaf {
            path: prefix.clone(),
            binding: None,
            glob: true,
            line: line_of(g.star_token.spans[0]),
        }),
        syn::UseTree::Group(g) => {
            for tree in &g.items {
                leaves(tree, prefix, out);
            }
        }
    }
}

/// A path found in a token stream (macro body or attribute).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenPath {
    pub segments: Vec<String>,
    pub line: usize,
    /// Found inside a string literal such as `"crate::x::y"`.
    pub from_string: bool,
}

fn is_colon(t: Option<&TokenTree>, spacing: Option<Spacing>) -> bool {
    match t {
        Some(TokenTree::Punct(p)) => p.as_char() == ':' && spacing.is_none_or(|s| p.spacing() == s),
        _ => false,
    }
}

/// Paths of two or more segments in a token stream (`crate :: a :: b`, `users :: list`), at any
/// depth of groups, plus string literals whose value starts with `crate::`, `super::` or
/// `self::`. A sequence preceded by `::` is the tail of another path and not reported alone.
pub fn token_paths(ts: TokenStream) -> Vec<TokenPath> {
    let mut out = Vec::new();
    scan_tokens(ts, &mut out);
    out
}

fn scan_tokens(ts: TokenStream, out: &mut Vec<TokenPath>) {
    let tokens: Vec<TokenTree> = ts.into_iter().collect();
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i] {
            TokenTree::Group(g) => scan_tokens(g.stream(), out),
            TokenTree::Literal(lit) => {
                if let Some(path) = string_path(lit) {
                    out.push(path);
                }
            }
            TokenTree::Ident(ident) => {
                let after_colons = i >= 2
                    && is_colon(tokens.get(i - 1), None)
                    && is_colon(tokens.get(i - 2), Some(Spacing::Joint));
                if !after_colons {
                    let mut segments = vec![ident_name(ident)];
                    let mut j = i + 1;
                    while is_colon(tokens.get(j), Some(Spacing::Joint))
                        && is_colon(tokens.get(j + 1), None)
                    {
                        let Some(TokenTree::Ident(next)) = tokens.get(j + 2) else {
                            break;
                        };
                        segments.push(ident_name(next));
                        j += 3;
                    }
                    if segments.len() >= 2 {
                        out.push(TokenPath {
                            segments,
                            line: line_of(ident.span()),
                            from_string: false,
                        });
                        i = j;
                        continue;
                    }
                }
            }
            TokenTree::Punct(_) => {}
        }
        i += 1;
    }
}

/// `"crate::a::b"` as a path, if the literal is a string naming one of this crate's paths.
fn string_path(lit: &proc_macro2::Literal) -> Option<TokenPath> {
    let parsed: syn::LitStr = syn::parse2(TokenTree::Literal(lit.clone()).into()).ok()?;
    let value = parsed.value();
    let local = ["crate::", "super::", "self::"];
    if !local.iter().any(|p| value.starts_with(p)) {
        return None;
    }
    let path: syn::Path = syn::parse_str(&value).ok()?;
    Some(TokenPath {
        segments: path.segments.iter().map(|s| ident_name(&s.ident)).collect(),
        line: line_of(lit.span()),
        from_string: true,
    })
}

/// Everything [`scan_file`] finds in one file.
#[derive(Debug, Default, Clone)]
pub struct FileScan {
    pub refs: Vec<RawRef>,
    /// `use` leaves with the module they bind in.
    pub imports: Vec<(Vec<String>, UseLeaf)>,
    /// Modules declared in the file (`mod x;` and inline `mod x { .. }`), as full paths.
    pub modules: Vec<Vec<String>>,
    /// Items defined at module level, with their module.
    pub items: Vec<(Vec<String>, String)>,
}

/// Scan a parsed file whose module path is `module`.
pub fn scan_file(file: &syn::File, module: &[String]) -> FileScan {
    let mut collector = Collector {
        scope: module.to_vec(),
        block_depth: 0,
        out: FileScan::default(),
    };
    collector.visit_file(file);
    collector.out
}

struct Collector {
    scope: Vec<String>,
    /// How many blocks (function bodies, …) deep the visitor is: items there are local.
    block_depth: usize,
    out: FileScan,
}

impl Collector {
    fn push_tokens(&mut self, tokens: TokenStream, kind: RefKind) {
        for path in token_paths(tokens) {
            let kind = if path.from_string {
                RefKind::String
            } else {
                kind
            };
            self.out.refs.push(RawRef {
                scope: self.scope.clone(),
                segments: path.segments,
                glob: false,
                line: path.line,
                kind,
            });
        }
    }

    fn item_name(item: &syn::Item) -> Option<String> {
        let ident = match item {
            syn::Item::Const(i) => &i.ident,
            syn::Item::Enum(i) => &i.ident,
            syn::Item::Fn(i) => &i.sig.ident,
            syn::Item::Macro(i) => i.ident.as_ref()?,
            syn::Item::Static(i) => &i.ident,
            syn::Item::Struct(i) => &i.ident,
            syn::Item::Trait(i) => &i.ident,
            syn::Item::TraitAlias(i) => &i.ident,
            syn::Item::Type(i) => &i.ident,
            syn::Item::Union(i) => &i.ident,
            _ => return None,
        };
        Some(ident_name(ident))
    }
}

impl<'ast> Visit<'ast> for Collector {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        if self.block_depth == 0
            && let Some(name) = Self::item_name(item)
        {
            self.out.items.push((self.scope.clone(), name));
        }
        visit::visit_item(self, item);
    }

    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        for attr in &item.attrs {
            self.visit_attribute(attr);
        }
        if self.block_depth > 0 {
            // A module inside a function body: too rare to model; its paths count as the
            // enclosing module's.
            if let Some((_, items)) = &item.content {
                for i in items {
                    self.visit_item(i);
                }
            }
            return;
        }
        let mut path = self.scope.clone();
        path.push(ident_name(&item.ident));
        self.out.modules.push(path.clone());
        if let Some((_, items)) = &item.content {
            let outer = std::mem::replace(&mut self.scope, path);
            for i in items {
                self.visit_item(i);
            }
            self.scope = outer;
        }
    }

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        for leaf in use_leaves(item) {
            self.out.refs.push(RawRef {
                scope: self.scope.clone(),
                segments: leaf.path.clone(),
                glob: leaf.glob,
                line: leaf.line,
                kind: RefKind::Use,
            });
            self.out.imports.push((self.scope.clone(), leaf));
        }
    }

    fn visit_block(&mut self, block: &'ast syn::Block) {
        self.block_depth += 1;
        visit::visit_block(self, block);
        self.block_depth -= 1;
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        if path.segments.len() >= 2 {
            let mut segments = Vec::with_capacity(path.segments.len() + 1);
            if path.leading_colon.is_some() {
                segments.push(EXTERN_ROOT.to_string());
            }
            segments.extend(path.segments.iter().map(|s| ident_name(&s.ident)));
            self.out.refs.push(RawRef {
                scope: self.scope.clone(),
                segments,
                glob: false,
                line: line_of(path.segments[0].ident.span()),
                kind: RefKind::Code,
            });
        }
        visit::visit_path(self, path);
    }

    /// `pub(in crate::a)` names a module but is no dependency.
    fn visit_visibility(&mut self, _: &'ast syn::Visibility) {}

    fn visit_attribute(&mut self, attr: &'ast syn::Attribute) {
        if attr.path().is_ident("doc") {
            return;
        }
        match &attr.meta {
            syn::Meta::Path(p) => self.visit_path(p),
            syn::Meta::List(list) => {
                self.visit_path(&list.path);
                self.push_tokens(list.tokens.clone(), RefKind::Attribute);
            }
            syn::Meta::NameValue(nv) => {
                self.visit_path(&nv.path);
                if let syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) = &nv.value
                {
                    let tokens: TokenStream = TokenTree::Literal(s.token()).into();
                    self.push_tokens(tokens, RefKind::Attribute);
                } else {
                    self.visit_expr(&nv.value);
                }
            }
        }
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        self.visit_path(&mac.path);
        self.push_tokens(mac.tokens.clone(), RefKind::Macro);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item_use(src: &str) -> syn::ItemUse {
        syn::parse_str(src).expect("test use item parses")
    }

    fn paths(leaves: &[UseLeaf]) -> Vec<String> {
        leaves.iter().map(|l| l.path.join("::")).collect()
    }

    #[test]
    fn use_trees_are_split_into_leaves() {
        let leaves = use_leaves(&item_use(
            "use crate::a::{b, c::d as e, f::*, self as g, h::{self}, i as _};",
        ));
        assert_eq!(
            paths(&leaves),
            vec![
                "crate::a::b",
                "crate::a::c::d",
                "crate::a::f",
                "crate::a",
                "crate::a::h",
                "crate::a::i"
            ]
        );
        let bindings: Vec<Option<&str>> = leaves.iter().map(|l| l.binding.as_deref()).collect();
        assert_eq!(
            bindings,
            vec![Some("b"), Some("e"), None, Some("g"), Some("h"), None]
        );
        assert!(leaves[2].glob);
        let leaves = use_leaves(&item_use("use ::std::fmt;"));
        assert_eq!(leaves[0].path, vec!["::", "std", "fmt"]);
    }

    #[test]
    fn token_sequences_and_strings_give_paths() {
        let tokens: TokenStream =
            r#"info!(x = %crate::a::b(y), "crate::not::a_path", Vec::<crate::c::D>::new());
            #[serde(deserialize_with = "crate::e::f")] std::fmt::Debug"#
                .parse()
                .expect("test tokens lex");
        let found: Vec<(String, bool)> = token_paths(tokens)
            .into_iter()
            .map(|p| (p.segments.join("::"), p.from_string))
            .collect();
        let expected = [
            ("crate::a::b", false),
            ("crate::not::a_path", true),
            ("crate::c::D", false),
            ("crate::e::f", true),
            ("std::fmt::Debug", false),
        ];
        let expected: Vec<(String, bool)> =
            expected.iter().map(|(p, s)| (p.to_string(), *s)).collect();
        assert_eq!(found, expected);
    }

    #[test]
    fn files_are_scanned_with_their_scopes() {
        let file: syn::File = syn::parse_str(
            r#"
            use super::x::Y;
            pub(in crate::a) struct S(crate::b::T);
            #[serde(with = "crate::c")]
            fn f() { let _ = crate::d::e(); fn local() {} }
            mod tests { use super::*; fn t() { self::u::v(); } }
            mod child;
            "#,
        )
        .expect("test file parses");
        let scan = scan_file(&file, &["m".to_string()]);
        let refs: Vec<(String, String)> = scan
            .refs
            .iter()
            .map(|r| (r.scope.join("::"), r.text()))
            .collect();
        assert_eq!(
            refs,
            vec![
                ("m".to_string(), "use super::x::Y".to_string()),
                ("m".to_string(), "crate::b::T".to_string()),
                ("m".to_string(), "\"crate::c\"".to_string()),
                ("m".to_string(), "crate::d::e".to_string()),
                ("m::tests".to_string(), "use super::*".to_string()),
                ("m::tests".to_string(), "self::u::v".to_string()),
            ]
        );
        let items: Vec<String> = scan.items.iter().map(|(_, n)| n.clone()).collect();
        assert_eq!(items, vec!["S", "f", "t"]);
        assert_eq!(scan.modules, vec![vec!["m", "tests"], vec!["m", "child"]]);
        assert_eq!(scan.imports.len(), 2);
    }
}
