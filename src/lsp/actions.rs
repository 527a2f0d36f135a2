//! Quick fixes from the diagnostics' help, for the diagnostics of the
//! server's own latest analysis that touch the requested range (not the
//! client's copy, which may be older):
//!
//! - "did you mean `X`?" (unknown names, types, option keys): replace the
//!   name with `X`;
//! - `unactivated_method`: add the instance's method to the endpoint's
//!   `auth` list;
//! - `unknown_method`: declare the method in its connector (of type
//!   `basic`, or of the type it is spelled like);
//! - `unknown_scope`: besides the closest declared scope (from the help),
//!   declare the scope in its method's `scopes`;
//! - `missing_scope`: grant the connection's instance the scopes missing
//!   from the item it comes closest to (added to its `scopes: [...]`, or
//!   the list added);
//! - any warning: an `// authgate: allow(CODE)` directive on the line
//!   above the item or member it is about.

use std::collections::HashMap;

use lsp_types as lsp;

use super::diagnostics::convert;
use super::index::{Occurrence, Symbol, Text};
use super::positions::Encoding;
use super::workspace::Analysis;
use crate::check::AuthType;
use crate::diagnostics::{Code, Diagnostic, Problem, Severity};
use crate::source::{FileId, Span};
use crate::syntax::quote_name;
use crate::syntax::tree::{Item, Member};

/// The quick fixes for the diagnostics in `params.range`.
#[expect(
    clippy::mutable_key_type,
    reason = "lsp_types::Uri caches its parse; its hash and equality never change"
)]
pub fn code_actions(
    analysis: &Analysis,
    encoding: Encoding,
    params: &lsp::CodeActionParams,
) -> Option<lsp::CodeActionResponse> {
    let file = analysis.document(&params.text_document.uri)?;
    let lines = analysis.lines(file)?;
    let text = analysis.text(file);
    let start = lines.offset(text, params.range.start, encoding);
    let end = lines.offset(text, params.range.end, encoding);
    let mut actions = Vec::new();
    for diagnostic in &analysis.diagnostics {
        let Some(span) = diagnostic.primary_span().filter(|s| s.file == file) else {
            continue;
        };
        if (span.end as usize) < start || (span.start as usize) > end {
            continue;
        }
        let Some(lsp_diagnostic) = convert(analysis, diagnostic, encoding) else {
            continue;
        };
        let fixes = Fixes {
            analysis,
            diagnostic,
            span,
        };
        for (title, edits, preferred) in fixes.all() {
            let mut changes: HashMap<lsp::Uri, Vec<lsp::TextEdit>> = HashMap::new();
            for (span, new_text) in edits {
                if let Some(location) = analysis.location(span, encoding) {
                    changes
                        .entry(location.uri)
                        .or_default()
                        .push(lsp::TextEdit::new(location.range, new_text));
                }
            }
            if changes.is_empty() {
                continue;
            }
            actions.push(lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                title,
                kind: Some(lsp::CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![lsp_diagnostic.clone()]),
                edit: Some(lsp::WorkspaceEdit::new(changes)),
                is_preferred: Some(preferred),
                ..lsp::CodeAction::default()
            }));
        }
    }
    Some(actions)
}

/// A fix: its title, its edits (a span replaced by text), and whether it
/// is the one to prefer.
type Fix = (String, Vec<(Span, String)>, bool);

struct Fixes<'a> {
    analysis: &'a Analysis,
    diagnostic: &'a Diagnostic,
    span: Span,
}

impl Fixes<'_> {
    fn all(&self) -> Vec<Fix> {
        let mut fixes = Vec::new();
        fixes.extend(self.suggested());
        fixes.extend(self.activate());
        fixes.extend(self.declare());
        fixes.extend(self.declare_scope());
        fixes.extend(self.grant());
        fixes.extend(self.allow());
        fixes
    }

    /// "did you mean `X`?" in the help: write `X` instead.
    fn suggested(&self) -> Option<Fix> {
        let help = self.diagnostic.help()?;
        let (_, after) = help.split_once("did you mean `")?;
        let (name, _) = after.split_once("`?")?;
        let written = match self.diagnostic.code() {
            // Types and option keys are words, never quoted.
            Code::UnknownType | Code::UnknownOption => name.to_owned(),
            _ => quote_name(name),
        };
        Some((
            format!("replace with `{name}`"),
            vec![(self.span, written)],
            true,
        ))
    }

    /// `unactivated_method`: add the instance's method to the endpoint's
    /// `auth` list.
    fn activate(&self) -> Option<Fix> {
        if self.diagnostic.code() != Code::UnactivatedMethod {
            return None;
        }
        let (instance, connector, endpoint) = self.connection()?;
        let index = self.analysis.index();
        let method = index.instances.get(instance)?.method.clone()?;
        let list = index
            .connectors
            .get(connector)?
            .endpoint(endpoint)?
            .auth_list?;
        let text = self.analysis.text(list.file).get(list.range())?;
        let inner = text.strip_prefix('[')?.strip_suffix(']')?;
        let written = quote_name(&method);
        let new = if inner.trim().is_empty() {
            format!("[{written}]")
        } else {
            format!(
                "[{}, {written}]",
                inner.trim_end().trim_end_matches(',').trim_end()
            )
        };
        Some((
            format!("activate `{method}` for endpoint `{endpoint}`"),
            vec![(list, new)],
            false,
        ))
    }

    /// `unknown_method`: declare it in its connector.
    fn declare(&self) -> Option<Fix> {
        let Problem::UnknownMethod { name, connector } = self.diagnostic.problem() else {
            return None;
        };
        let facts = self.analysis.index().connectors.get(connector.as_str())?;
        let item = facts.span?;
        let text = self.analysis.text(item.file);
        let kind = AuthType::from_name(name).map_or("basic", AuthType::as_str);
        // After the last method, at its indentation; else after `{`.
        let (at, indent) = match facts.last_method {
            Some(method) => (
                method.end as usize,
                indentation(text, method.start as usize),
            ),
            None => {
                let brace = text.get(item.range())?.find('{')? + item.start as usize + 1;
                (
                    brace,
                    format!("{}    ", indentation(text, item.start as usize)),
                )
            }
        };
        let insert = format!("\n{indent}auth {}: {kind}", quote_name(name));
        Some((
            format!("declare method `{name}` in connector `{connector}`"),
            vec![(Span::new(item.file, at, at), insert)],
            false,
        ))
    }

    /// The instance and the endpoint of the connection the diagnostic is
    /// on.
    fn connection(&self) -> Option<(&Text, &Text, &Text)> {
        let index = self.analysis.index();
        let inside =
            |o: &&Occurrence| o.span.start >= self.span.start && o.span.end <= self.span.end;
        let occurrences: Vec<&Occurrence> = index
            .in_file(self.span.file)
            .iter()
            .filter(inside)
            .collect();
        let instance = occurrences.iter().find_map(|o| match &o.symbol {
            Symbol::Instance(name) => Some(name),
            _ => None,
        })?;
        let (connector, endpoint) = occurrences.iter().find_map(|o| match &o.symbol {
            Symbol::Endpoint { connector, name } => Some((connector, name)),
            _ => None,
        })?;
        Some((instance, connector, endpoint))
    }

    /// `unknown_scope` in an item or an instance: declare the scope in
    /// its method's `scopes` (the list added if the method has none).
    fn declare_scope(&self) -> Option<Fix> {
        let Problem::UnknownScope { scope, method } = self.diagnostic.problem() else {
            return None;
        };
        let index = self.analysis.index();
        let connector = index
            .at(self.span.file, self.span.start as usize)
            .and_then(|o| match &o.symbol {
                Symbol::Scope { connector, .. } => Some(connector),
                _ => None,
            })?;
        let facts = index.connectors.get(connector)?.method(method)?;
        let edit = facts.home.add(&[scope.as_str()])?;
        Some((
            format!("declare scope `{scope}` in method `{method}`"),
            vec![edit],
            false,
        ))
    }

    /// `missing_scope`: grant the instance the scopes missing from the
    /// item of its method it comes closest to (the fewest missing; the
    /// first of those), as the diagnostic's help says.
    fn grant(&self) -> Option<Fix> {
        if self.diagnostic.code() != Code::MissingScope {
            return None;
        }
        let (instance, connector, endpoint) = self.connection()?;
        let index = self.analysis.index();
        let facts = index.instances.get(instance)?;
        let method = facts.method.as_deref()?;
        let owner = index.connectors.get(connector)?;
        let declared = owner.method(method)?;
        let held = owner.granted(method, &facts.scopes);
        let missing = owner
            .endpoint(endpoint)?
            .items
            .iter()
            // Items with a scope the method does not declare admit no one.
            .filter(|i| *i.method == *method && !i.scopes.is_empty())
            .filter(|i| i.scopes.iter().all(|s| declared.declares(s)))
            .map(|i| {
                let mut missing: Vec<&str> = Vec::with_capacity(i.scopes.len());
                for scope in i.scopes.iter().map(|s| &**s) {
                    if !held.contains(scope) && !missing.contains(&scope) {
                        missing.push(scope);
                    }
                }
                missing
            })
            .min_by_key(Vec::len)
            .filter(|missing| !missing.is_empty())?;
        let edit = facts.home.add(&missing)?;
        Some((
            format!(
                "grant `{instance}` {}",
                crate::text::list(missing.iter().copied(), missing.len())
            ),
            vec![edit],
            false,
        ))
    }

    /// A warning: allow it on the item or member it is about.
    fn allow(&self) -> Option<Fix> {
        if self.diagnostic.severity() != Severity::Warning
            || self.diagnostic.code() == Code::UnusedAllow
        {
            return None;
        }
        let scope = scope_of(self.analysis, self.span.file, self.span.start as usize)?;
        let text = self.analysis.text(self.span.file);
        let line_start = text.get(..scope)?.rfind('\n').map_or(0, |i| i + 1);
        let indent = indentation(text, scope);
        let code = self.diagnostic.code().name();
        Some((
            format!("allow `{code}` here"),
            vec![(
                Span::new(self.span.file, line_start, line_start),
                format!("{indent}// authgate: allow({code})\n"),
            )],
            false,
        ))
    }
}

/// The start of the innermost item or member around `offset`.
fn scope_of(analysis: &Analysis, file: FileId, offset: usize) -> Option<usize> {
    let tree = crate::syntax::parse_fast(analysis.sources.get(file)?)?;
    let inside = |span: Span| (span.start as usize) <= offset && offset <= span.end as usize;
    for item in &tree.items {
        let (span, members) = match item {
            Item::Connector(c) => (c.span, c.members.as_slice()),
            Item::Instance(i) => (i.span, &[][..]),
            Item::Flow(f) => (f.span, &[][..]),
            Item::Test(t) => (t.span, &[][..]),
        };
        if !inside(span) {
            continue;
        }
        let member = members.iter().find_map(|m| {
            let span = match m {
                Member::Method(m) => m.span,
                Member::Endpoint(e) => e.span,
            };
            inside(span).then_some(span.start as usize)
        });
        return Some(member.unwrap_or(span.start as usize));
    }
    None
}

/// The spaces and tabs that start the line holding `offset`.
fn indentation(text: &str, offset: usize) -> String {
    let start = text
        .get(..offset)
        .and_then(|t| t.rfind('\n'))
        .map_or(0, |i| i + 1);
    text.get(start..)
        .unwrap_or("")
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect()
}
