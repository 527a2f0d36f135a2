//! Requests about names and documents: definition, references, rename,
//! document symbols, formatting (hover has its own module). Each answers from the latest
//! analysis; a cursor on no name, or a document the server does not hold,
//! gets an empty answer.

use std::collections::HashMap;

use lsp_server::{ErrorCode, ResponseError};
use lsp_types as lsp;

use super::index::Occurrence;
use super::positions::Encoding;
use super::reply::error;
use super::workspace::Analysis;
use crate::syntax::quote_name;
use crate::syntax::tree::{Item, Member};

/// The name under the cursor.
pub(super) fn occurrence<'a>(
    analysis: &'a Analysis,
    encoding: Encoding,
    at: &lsp::TextDocumentPositionParams,
) -> Option<&'a Occurrence> {
    let (file, offset) = analysis.at(at, encoding)?;
    analysis.index().at(file, offset)
}

/// Where the name under the cursor is declared (several places when it is
/// declared twice, which is an error of its own).
pub fn definition(
    analysis: &Analysis,
    encoding: Encoding,
    at: &lsp::TextDocumentPositionParams,
) -> Option<lsp::GotoDefinitionResponse> {
    let symbol = &occurrence(analysis, encoding, at)?.symbol;
    let places: Vec<lsp::Location> = analysis
        .index()
        .occurrences_of(symbol)
        .filter(|o| o.declaration)
        .filter_map(|o| analysis.location(o.span, encoding))
        .collect();
    (!places.is_empty()).then_some(lsp::GotoDefinitionResponse::Array(places))
}

/// Every place the name under the cursor is written.
pub fn references(
    analysis: &Analysis,
    encoding: Encoding,
    at: &lsp::TextDocumentPositionParams,
    include_declaration: bool,
) -> Option<Vec<lsp::Location>> {
    let symbol = &occurrence(analysis, encoding, at)?.symbol;
    Some(
        analysis
            .index()
            .occurrences_of(symbol)
            .filter(|o| include_declaration || !o.declaration)
            .filter_map(|o| analysis.location(o.span, encoding))
            .collect(),
    )
}

/// The name that a rename at the cursor would change.
pub fn prepare_rename(
    analysis: &Analysis,
    encoding: Encoding,
    at: &lsp::TextDocumentPositionParams,
) -> Option<lsp::PrepareRenameResponse> {
    let occurrence = occurrence(analysis, encoding, at)?;
    Some(lsp::PrepareRenameResponse::RangeWithPlaceholder {
        range: analysis.range(occurrence.span, encoding)?,
        placeholder: occurrence.symbol.name().to_owned(),
    })
}

/// Renames the name under the cursor everywhere it is written (quoted
/// when the new name is not a bare word). Refused when the new name is
/// already declared in the same namespace, or empty.
#[expect(
    clippy::mutable_key_type,
    reason = "lsp_types::Uri caches its parse; its hash and equality never change"
)]
pub fn rename(
    analysis: &Analysis,
    encoding: Encoding,
    params: &lsp::RenameParams,
) -> Result<Option<lsp::WorkspaceEdit>, ResponseError> {
    let at = &params.text_document_position;
    let Some(occurrence) = occurrence(analysis, encoding, at) else {
        return Ok(None);
    };
    let symbol = &occurrence.symbol;
    let new = params.new_name.as_str();
    if new.is_empty() || new.contains('\n') {
        return Err(error(
            ErrorCode::InvalidParams,
            "a name can't be empty or hold a newline",
        ));
    }
    let target = symbol.renamed(new);
    if new != symbol.name() && analysis.index().is_declared(&target) {
        return Err(error(
            ErrorCode::RequestFailed,
            &format!("can't rename: {} is already declared", target.describe()),
        ));
    }
    let written = quote_name(new);
    let mut changes: HashMap<lsp::Uri, Vec<lsp::TextEdit>> = HashMap::new();
    for o in analysis.index().occurrences_of(symbol) {
        if let Some(location) = analysis.location(o.span, encoding) {
            changes
                .entry(location.uri)
                .or_default()
                .push(lsp::TextEdit::new(location.range, written.clone()));
        }
    }
    Ok(Some(lsp::WorkspaceEdit::new(changes)))
}

/// The outline of a document: its items, and each connector's members.
pub fn symbols(
    analysis: &Analysis,
    encoding: Encoding,
    uri: &lsp::Uri,
) -> Option<lsp::DocumentSymbolResponse> {
    let file = analysis.sources.get(analysis.document(uri)?)?;
    let tree = crate::syntax::parse_fast(file)?;
    let symbol = |name: &crate::syntax::tree::Name<'_>,
                  span: crate::source::Span,
                  kind: lsp::SymbolKind,
                  detail: Option<String>,
                  children: Option<Vec<lsp::DocumentSymbol>>| {
        #[expect(deprecated, reason = "`deprecated` is a required field of the type")]
        Some(lsp::DocumentSymbol {
            name: name.text.to_string(),
            detail,
            kind,
            tags: None,
            deprecated: None,
            range: analysis.range(span, encoding)?,
            selection_range: analysis.range(name.span, encoding)?,
            children,
        })
    };
    let mut out = Vec::new();
    for item in &tree.items {
        let found = match item {
            Item::Connector(c) => {
                let members = c
                    .members
                    .iter()
                    .filter_map(|member| match member {
                        Member::Method(m) => symbol(
                            &m.name,
                            m.span,
                            lsp::SymbolKind::KEY,
                            Some(m.kind.text.to_string()),
                            None,
                        ),
                        Member::Endpoint(e) => {
                            symbol(&e.name, e.span, lsp::SymbolKind::METHOD, None, None)
                        }
                    })
                    .collect();
                symbol(&c.name, c.span, lsp::SymbolKind::CLASS, None, Some(members))
            }
            Item::Instance(i) => symbol(
                &i.name,
                i.span,
                lsp::SymbolKind::OBJECT,
                Some(format!("of {}", i.connector.text)),
                None,
            ),
            Item::Flow(f) => symbol(&f.name, f.span, lsp::SymbolKind::EVENT, None, None),
            Item::Test(t) => symbol(&t.name, t.span, lsp::SymbolKind::FUNCTION, None, None),
        };
        out.extend(found);
    }
    Some(lsp::DocumentSymbolResponse::Nested(out))
}

/// The document in `authgate fmt`'s layout: one edit over the whole text,
/// none when it is already formatted or does not parse.
pub fn format(
    analysis: &Analysis,
    encoding: Encoding,
    uri: &lsp::Uri,
) -> Option<Vec<lsp::TextEdit>> {
    let file = analysis.sources.get(analysis.document(uri)?)?;
    let tree = crate::syntax::parse_fast(file)?;
    let formatted = crate::syntax::format::format(&tree, file);
    if formatted == file.text() {
        return Some(Vec::new());
    }
    let range = analysis.range(file.span(), encoding)?;
    Some(vec![lsp::TextEdit::new(range, formatted)])
}
