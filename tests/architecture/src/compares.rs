//! Stringly-typed code: kinds, modes and reasons compared with string literals, and `sqlx`
//! named in the HTTP layer.

use proc_macro2::{TokenStream, TokenTree};
use syn::punctuated::Punctuated;
use syn::visit::{self, Visit};

/// A value whose name ends in one of these is an enum in disguise when compared with a
/// string literal.
pub const SUSPECT_SUFFIXES: &[&str] = &[
    "kind", "mode", "platform", "vendor", "encoder", "state", "reason",
];

/// Methods that only convert or unwrap their receiver: `kind.as_str()` is still `kind`.
const CONVERSIONS: &[&str] = &[
    "as_str",
    "as_deref",
    "as_ref",
    "as_deref_mut",
    "borrow",
    "clone",
    "deref",
    "expect",
    "to_ascii_lowercase",
    "to_ascii_uppercase",
    "to_lowercase",
    "to_owned",
    "to_string",
    "to_uppercase",
    "trim",
    "unwrap",
    "unwrap_or",
    "unwrap_or_default",
];

/// The name an expression stands for: a variable, a field, or a getter, seen through
/// conversions (`x.reason.as_deref()` → `reason`), references, derefs and parentheses.
pub fn subject_name(expr: &syn::Expr) -> Option<String> {
    match expr {
        syn::Expr::Path(p) if p.qself.is_none() && p.path.segments.len() == 1 => {
            Some(p.path.segments[0].ident.to_string())
        }
        syn::Expr::Field(f) => match &f.member {
            syn::Member::Named(ident) => Some(ident.to_string()),
            syn::Member::Unnamed(_) => None,
        },
        syn::Expr::MethodCall(m) => {
            let method = m.method.to_string();
            if CONVERSIONS.contains(&method.as_str()) {
                subject_name(&m.receiver)
            } else if m.args.is_empty() {
                Some(method)
            } else {
                None
            }
        }
        syn::Expr::Reference(r) => subject_name(&r.expr),
        syn::Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => subject_name(&u.expr),
        syn::Expr::Paren(p) => subject_name(&p.expr),
        syn::Expr::Group(g) => subject_name(&g.expr),
        _ => None,
    }
}

/// The subject's name if it ends in one of [`SUSPECT_SUFFIXES`].
pub fn suspect_name(expr: &syn::Expr) -> Option<String> {
    let name = subject_name(expr)?;
    let lower = name.to_lowercase();
    SUSPECT_SUFFIXES
        .iter()
        .any(|s| lower.ends_with(s))
        .then_some(name)
}

/// `"x"`, `&"x"`, `Some("x")`.
pub fn is_string_literal(expr: &syn::Expr) -> bool {
    match expr {
        syn::Expr::Lit(l) => matches!(l.lit, syn::Lit::Str(_)),
        syn::Expr::Reference(r) => is_string_literal(&r.expr),
        syn::Expr::Paren(p) => is_string_literal(&p.expr),
        syn::Expr::Group(g) => is_string_literal(&g.expr),
        syn::Expr::Call(c) => {
            c.args.len() == 1
                && matches!(&*c.func, syn::Expr::Path(p) if p.path.is_ident("Some"))
                && is_string_literal(&c.args[0])
        }
        _ => false,
    }
}

/// A pattern that matches a string literal: `"x"`, `"x" | "y"`, `Some("x")`.
pub fn pattern_has_string(pat: &syn::Pat) -> bool {
    match pat {
        syn::Pat::Lit(l) => matches!(l.lit, syn::Lit::Str(_)),
        syn::Pat::Or(o) => o.cases.iter().any(pattern_has_string),
        syn::Pat::TupleStruct(t) => t.elems.iter().any(pattern_has_string),
        syn::Pat::Paren(p) => pattern_has_string(&p.pat),
        syn::Pat::Reference(r) => pattern_has_string(&r.pat),
        syn::Pat::Ident(i) => i
            .subpat
            .as_ref()
            .is_some_and(|(_, p)| pattern_has_string(p)),
        _ => false,
    }
}

/// A string comparison found: the line and the name compared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StringCompare {
    pub line: usize,
    pub name: String,
    /// `==`, `!=`, `match`, `if let`, `matches!`, `eq`.
    pub how: &'static str,
}

/// Every comparison of a suspect name with a string literal in a file.
pub fn string_compares(file: &syn::File) -> Vec<StringCompare> {
    let mut finder = CompareFinder::default();
    finder.visit_file(file);
    finder.found
}

#[derive(Default)]
struct CompareFinder {
    found: Vec<StringCompare>,
}

impl CompareFinder {
    fn push(&mut self, span: proc_macro2::Span, name: String, how: &'static str) {
        self.found.push(StringCompare {
            line: span.start().line,
            name,
            how,
        });
    }
}

/// `matches!(expr, pattern)` and `matches!(expr, pattern if guard)`.
struct MatchesArgs {
    expr: syn::Expr,
    pat: syn::Pat,
}

impl syn::parse::Parse for MatchesArgs {
    fn parse(input: syn::parse::ParseStream) -> syn::Result<Self> {
        let expr = input.parse()?;
        input.parse::<syn::Token![,]>()?;
        let pat = syn::Pat::parse_multi_with_leading_vert(input)?;
        let _rest: TokenStream = input.parse()?;
        Ok(Self { expr, pat })
    }
}

impl<'ast> Visit<'ast> for CompareFinder {
    fn visit_expr_binary(&mut self, e: &'ast syn::ExprBinary) {
        let op = match e.op {
            syn::BinOp::Eq(t) => Some((t.spans[0], "==")),
            syn::BinOp::Ne(t) => Some((t.spans[0], "!=")),
            _ => None,
        };
        if let Some((span, how)) = op {
            let name = if is_string_literal(&e.right) {
                suspect_name(&e.left)
            } else if is_string_literal(&e.left) {
                suspect_name(&e.right)
            } else {
                None
            };
            if let Some(name) = name {
                self.push(span, name, how);
            }
        }
        visit::visit_expr_binary(self, e);
    }

    fn visit_expr_match(&mut self, e: &'ast syn::ExprMatch) {
        if e.arms.iter().any(|arm| pattern_has_string(&arm.pat))
            && let Some(name) = suspect_name(&e.expr)
        {
            self.push(e.match_token.span, name, "match");
        }
        visit::visit_expr_match(self, e);
    }

    fn visit_expr_let(&mut self, e: &'ast syn::ExprLet) {
        if pattern_has_string(&e.pat)
            && let Some(name) = suspect_name(&e.expr)
        {
            self.push(e.let_token.span, name, "if let");
        }
        visit::visit_expr_let(self, e);
    }

    fn visit_expr_method_call(&mut self, e: &'ast syn::ExprMethodCall) {
        let method = e.method.to_string();
        if matches!(method.as_str(), "eq" | "ne" | "eq_ignore_ascii_case")
            && e.args.len() == 1
            && is_string_literal(&e.args[0])
            && let Some(name) = suspect_name(&e.receiver)
        {
            self.push(e.method.span(), name, "eq");
        }
        visit::visit_expr_method_call(self, e);
    }

    /// Macro bodies are opaque to syn: `matches!` is read as `expr, pattern`, and any body that
    /// is a comma-separated list of expressions (`assert!`, `debug_assert!`, …) is searched
    /// for `==`, `!=`, `match` and `if let` as above.
    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        if mac.path.is_ident("matches") {
            if let Ok(args) = mac.parse_body::<MatchesArgs>() {
                if pattern_has_string(&args.pat)
                    && let Some(name) = suspect_name(&args.expr)
                {
                    let span = mac
                        .path
                        .segments
                        .first()
                        .map(|s| s.ident.span())
                        .unwrap_or_else(proc_macro2::Span::call_site);
                    self.push(span, name, "matches!");
                }
                self.visit_expr(&args.expr);
            }
            return;
        }
        let parser = Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated;
        if let Ok(exprs) = mac.parse_body_with(parser) {
            for expr in &exprs {
                self.visit_expr(expr);
            }
        }
    }
}

/// Lines (1-based, sorted, unique) where the identifier `sqlx` appears in the code of `text`;
/// comments are not code. `Err` if the text does not lex.
pub fn sqlx_lines(text: &str) -> Result<Vec<usize>, String> {
    let tokens: TokenStream = text.parse().map_err(|e| format!("does not lex: {e}"))?;
    let mut lines = Vec::new();
    find_ident(tokens, "sqlx", &mut lines);
    lines.sort_unstable();
    lines.dedup();
    Ok(lines)
}

fn find_ident(tokens: TokenStream, name: &str, lines: &mut Vec<usize>) {
    for token in tokens {
        match token {
            TokenTree::Ident(i) if i == name => lines.push(i.span().start().line),
            TokenTree::Group(g) => find_ident(g.stream(), name, lines),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(src: &str) -> Vec<(usize, String, &'static str)> {
        let file: syn::File = syn::parse_str(src).expect("test source parses");
        string_compares(&file)
            .into_iter()
            .map(|c| (c.line, c.name, c.how))
            .collect()
    }

    #[test]
    fn string_compares_of_suspect_names_are_found() {
        let src = r#"fn f() {
            if row.mode == "relay" {}
            if a.kind != "image" {}
            if x.reason.as_deref() == Some("settings changed") {}
            if kind.as_str() == "ptz" {}
            match kind.as_str() { "text" => {}, _ => {} }
            if "h264" == spec.encoder {}
            if let Some("x") = cam.vendor.as_deref() {}
            let _ = matches!(out.state.as_str(), "running" | "starting");
            assert!(self.platform() == "youtube");
            if mode.eq("tee") {}
        }"#;
        let names: Vec<(usize, String, &str)> = found(src);
        let expected = [
            (2, "mode", "=="),
            (3, "kind", "!="),
            (4, "reason", "=="),
            (5, "kind", "=="),
            (6, "kind", "match"),
            (7, "encoder", "=="),
            (8, "vendor", "if let"),
            (9, "state", "matches!"),
            (10, "platform", "=="),
            (11, "mode", "eq"),
        ];
        let expected: Vec<(usize, String, &str)> = expected
            .iter()
            .map(|(l, n, h)| (*l, n.to_string(), *h))
            .collect();
        assert_eq!(names, expected);
    }

    #[test]
    fn other_compares_are_left_alone() {
        let src = r#"fn f() {
            if row.name == "relay" {}
            if a.kind == Kind::Image {}
            if kind.len() == 3 {}
            match kind { Kind::Text => {}, _ => {} }
            match name.as_str() { "text" => {}, _ => {} }
            assert_eq!(status.state, "running");
            // if row.mode == "relay" {}
        }"#;
        assert!(found(src).is_empty(), "{:?}", found(src));
    }

    #[test]
    fn sqlx_is_found_in_code_but_not_in_comments() {
        let src = "// sqlx here is fine\n/// and sqlx here\nuse sqlx::Row;\n\
                   fn f(e: sqlx::Error) { let s = \"sqlx\"; }\n#[derive(sqlx::FromRow)] struct S;";
        assert_eq!(sqlx_lines(src), Ok(vec![3, 4, 5]));
    }
}
