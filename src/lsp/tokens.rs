//! Semantic tokens: each name coloured by what it names (connector,
//! method, endpoint, instance, flow, test or scope; declarations marked), auth
//! types, and keywords. The TextMate grammar colours by shape; these say
//! what a name *is*, which only the index knows (keywords are contextual,
//! so `auth` may be a method's name).

use lsp_types as lsp;

use super::index::Symbol;
use super::lex::{Kind, tokens};
use super::positions::Encoding;
use super::workspace::Analysis;
use crate::syntax::KEYWORDS;

/// The token types, in legend order (new ones go last: a client may keep
/// the indices).
const TYPES: [lsp::SemanticTokenType; 8] = [
    lsp::SemanticTokenType::CLASS,
    lsp::SemanticTokenType::ENUM_MEMBER,
    lsp::SemanticTokenType::FUNCTION,
    lsp::SemanticTokenType::VARIABLE,
    lsp::SemanticTokenType::EVENT,
    lsp::SemanticTokenType::TYPE,
    lsp::SemanticTokenType::KEYWORD,
    lsp::SemanticTokenType::PROPERTY,
];
const CLASS: u32 = 0;
const ENUM_MEMBER: u32 = 1;
const FUNCTION: u32 = 2;
const VARIABLE: u32 = 3;
const EVENT: u32 = 4;
const TYPE: u32 = 5;
const KEYWORD: u32 = 6;
const PROPERTY: u32 = 7;
/// The one modifier, bit 0.
const DECLARATION: u32 = 1;

/// The legend announced at initialization.
pub fn legend() -> lsp::SemanticTokensLegend {
    lsp::SemanticTokensLegend {
        token_types: TYPES.to_vec(),
        token_modifiers: vec![lsp::SemanticTokenModifier::DECLARATION],
    }
}

/// Every token of a document.
pub fn full(
    analysis: &Analysis,
    encoding: Encoding,
    uri: &lsp::Uri,
) -> Option<lsp::SemanticTokensResult> {
    let file = analysis.document(uri)?;
    let text = analysis.text(file);
    let lines = analysis.lines(file)?;
    let index = analysis.index();
    // (start, end, type, modifiers)
    let mut found: Vec<(usize, usize, u32, u32)> = index
        .in_file(file)
        .iter()
        .map(|o| {
            let kind = match o.symbol {
                Symbol::Connector(_) => CLASS,
                Symbol::Method { .. } => ENUM_MEMBER,
                Symbol::Endpoint { .. } => FUNCTION,
                Symbol::Instance(_) => VARIABLE,
                Symbol::Flow(_) | Symbol::Test(_) => EVENT,
                Symbol::Scope { .. } => PROPERTY,
            };
            let modifiers = if o.declaration { DECLARATION } else { 0 };
            (o.span.start as usize, o.span.end as usize, kind, modifiers)
        })
        .collect();
    let types = index.types.get(file.index()).map_or(&[][..], Vec::as_slice);
    found.extend(
        types
            .iter()
            .map(|s| (s.start as usize, s.end as usize, TYPE, 0)),
    );
    found.sort_unstable_by_key(|t| t.0);
    let taken = found.clone();
    let is_taken = |start: usize| {
        let at = taken.partition_point(|t| t.0 < start);
        taken.get(at).is_some_and(|t| t.0 == start)
    };
    for token in tokens(text) {
        if token.kind == Kind::Word
            && KEYWORDS.contains(&token.text(text))
            && !is_taken(token.start)
        {
            found.push((token.start, token.end, KEYWORD, 0));
        }
    }
    found.sort_unstable_by_key(|t| t.0);
    let mut data = Vec::with_capacity(found.len());
    let (mut line, mut character) = (0, 0);
    for (start, end, kind, modifiers) in found {
        let from = lines.position(text, start, encoding);
        let to = lines.position(text, end, encoding);
        if to.line != from.line {
            continue;
        }
        let delta_line = from.line.saturating_sub(line);
        let delta_start = if delta_line == 0 {
            from.character.saturating_sub(character)
        } else {
            from.character
        };
        data.push(lsp::SemanticToken {
            delta_line,
            delta_start,
            length: to.character.saturating_sub(from.character),
            token_type: kind,
            token_modifiers_bitset: modifiers,
        });
        (line, character) = (from.line, from.character);
    }
    Some(lsp::SemanticTokensResult::Tokens(lsp::SemanticTokens {
        result_id: None,
        data,
    }))
}
