//! The pest grammar: the reference parser, and the source of readable
//! syntax errors.
//!
//! `syntax::parser` is the fast parser, the one that decides whether a
//! file parses. This one says why a file the fast parser rejected does not
//! parse (`explain`), and builds (through `lower`) the reference tree
//! the tests and the fuzz target hold the fast parser to ([`parse`]).
//!
//! pest names the rules it tried where it failed; `describe` gives every
//! rule its words (no catch-all: a rule added to the grammar must be given
//! words, or this does not compile), and the error reads "expected `]` or
//! `,`, found `>`".

use pest::Parser as _;
use pest::error::{ErrorVariant, InputLocation};

use super::tree::File;
use crate::diagnostics::{Diagnostic, Problem};
use crate::source::{SourceFile, Sources, Span};

#[allow(missing_docs, reason = "pest_derive generates the rule enum's items")]
mod generated {
    /// The parser generated from `grammar/authgate.pest`.
    #[derive(pest_derive::Parser)]
    #[grammar = "../grammar/authgate.pest"]
    pub(super) struct Grammar;
}

use generated::{Grammar, Rule};

mod lower;

/// Parses one file into its syntax tree with the pest grammar: the
/// reference the fast parser is tested against. A file that does not parse
/// yields one `authgate::syntax` diagnostic at the first offending token;
/// a pest tree of a shape the lowering does not expect (a bug) yields an
/// `authgate::syntax` diagnostic that says "internal error".
pub(super) fn parse<'s>(
    sources: &Sources,
    file: &'s SourceFile,
) -> Result<File<'s>, Box<Diagnostic>> {
    let pairs = match Grammar::parse(Rule::file, file.text()) {
        Ok(pairs) => pairs,
        Err(error) => return Err(Box::new(syntax_error(sources, file, &error))),
    };
    lower::file(file, pairs).map_err(|unexpected| Box::new(unexpected.diagnostic(sources, file)))
}

/// Why the grammar rejects `file`, in words: its `authgate::syntax`
/// diagnostic, or `None` if the grammar accepts the file.
pub(super) fn explain(sources: &Sources, file: &SourceFile) -> Option<Box<Diagnostic>> {
    let error = Grammar::parse(Rule::file, file.text()).err()?;
    Some(Box::new(syntax_error(sources, file, &error)))
}

/// Translates a pest error into a diagnostic that says, in words, what was
/// expected at the offending token.
fn syntax_error(
    sources: &Sources,
    file: &SourceFile,
    error: &pest::error::Error<Rule>,
) -> Diagnostic {
    let text = file.text();
    let position = match error.location {
        InputLocation::Pos(position) => position,
        InputLocation::Span((start, _)) => start,
    };
    let position = position.min(text.len());
    let rest = text.get(position..).unwrap_or("");

    if rest.starts_with("/*") && !rest.contains("*/") {
        let span = Span::new(file.id(), position, position + 2);
        return Diagnostic::build(
            Problem::Syntax {
                message: "unterminated block comment".to_owned(),
            },
            span,
            "this comment is never closed",
        )
        .help("close the comment with `*/`")
        .finish(sources);
    }
    // An empty name `""` fails after its opening quote; report it from there.
    let quote = if rest.starts_with('"') && text.get(..position).is_some_and(|t| t.ends_with('"')) {
        position - 1
    } else {
        position
    };
    if text.get(quote..).is_some_and(|t| t.starts_with('"'))
        && let Some(diagnostic) = string_error(sources, file, quote)
    {
        return diagnostic;
    }

    let mut expected: Vec<&'static str> = Vec::new();
    if let ErrorVariant::ParsingError { positives, .. } = &error.variant {
        for rule in positives {
            for word in describe(*rule) {
                if !expected.contains(word) {
                    expected.push(word);
                }
            }
        }
    }
    expected.sort_by_key(|word| rank(word));
    let (found, span) = found_token(file, position);
    let message = if expected.is_empty() {
        format!("unexpected {found}")
    } else {
        format!(
            "expected {}, found {found}",
            crate::text::join(expected.iter(), expected.len(), "or")
        )
    };
    let help = help_for(&expected, rest);
    let label = match expected.as_slice() {
        [] => "unexpected here".to_owned(),
        _ if rest.is_empty() => format!(
            "expected {} after this",
            crate::text::join(expected.iter(), expected.len(), "or")
        ),
        _ => format!(
            "expected {} here",
            crate::text::join(expected.iter(), expected.len(), "or")
        ),
    };
    let mut builder = Diagnostic::build(Problem::Syntax { message }, span, label);
    if let Some(help) = help {
        builder = builder.help(help);
    }
    builder.finish(sources)
}

/// The human words for a rule pest says it expected; none for rules that
/// would only add noise (whitespace, comments). Every rule is named here,
/// so that a new one can't make "unexpected X" with no expected words.
fn describe(rule: Rule) -> &'static [&'static str] {
    match rule {
        // pest names the whole file when nothing at all matched.
        Rule::file => &["`connector`", "`instance`", "`flow`", "`test`"],
        Rule::EOI => &["end of file"],
        Rule::connector | Rule::kw_connector => &["`connector`"],
        Rule::instance | Rule::kw_instance => &["`instance`"],
        Rule::flow | Rule::kw_flow => &["`flow`"],
        Rule::method | Rule::kw_auth => &["`auth`"],
        Rule::endpoint | Rule::kw_endpoint => &["`endpoint`"],
        Rule::connection | Rule::kw_connection => &["`connection`"],
        Rule::kw_of => &["`of`"],
        Rule::test | Rule::kw_test => &["`test`"],
        Rule::expectation | Rule::kw_expect => &["`expect`"],
        Rule::can_see | Rule::kw_can => &["`can`"],
        Rule::cannot_see | Rule::kw_cannot => &["`cannot`"],
        Rule::kw_see => &["`see`"],
        Rule::sees_only | Rule::kw_sees => &["`sees`"],
        Rule::kw_only => &["`only`"],
        Rule::slash => &["`/`"],
        Rule::subject => &["a name"],
        Rule::name | Rule::scoped_name | Rule::bare | Rule::quoted | Rule::option => &["a name"],
        Rule::list | Rule::scoped_list => &["a list `[...]`"],
        // An optional continuation of a list's name: naming it would make
        // every error after such a name longer ("expected `]`, `,` or `(`")
        // for the many lists that never carry scopes.
        Rule::scopes | Rule::lparen => &[],
        Rule::rparen => &["`)`"],
        Rule::options | Rule::langle => &["`<`"],
        Rule::lbrace => &["`{`"],
        Rule::rbrace => &["`}`"],
        Rule::rangle => &["`>`"],
        Rule::lbracket => &["`[`"],
        Rule::rbracket => &["`]`"],
        Rule::colon => &["`:`"],
        Rule::comma => &["`,`"],
        Rule::arrow => &["`->`"],
        Rule::quoted_text => &["`\"`"],
        // Silent rules make no pairs and pest never names them; their words
        // are ready should one become a rule of its own.
        Rule::item => &["`connector`", "`instance`", "`flow`", "`test`"],
        Rule::member => &["`auth`", "`endpoint`"],
        Rule::value => &["a name", "a list `[...]`"],
        Rule::ident_start | Rule::ident_char => &["a name"],
        // Whitespace and comments may stand between any two tokens: saying
        // so would only add noise.
        Rule::WHITESPACE | Rule::COMMENT | Rule::line_comment | Rule::block_comment => &[],
    }
}

/// Order of the expected words in a message: closing tokens first (they are
/// the usual fix), then names and keywords, end of file last.
fn rank(word: &str) -> u8 {
    match word {
        "`]`" | "`>`" | "`}`" => 0,
        "`,`" | "`:`" | "`->`" => 1,
        "a name" | "a list `[...]`" => 2,
        "end of file" => 9,
        _ => 5,
    }
}

fn help_for(expected: &[&str], rest: &str) -> Option<String> {
    if rest.starts_with('\u{feff}') {
        return Some(
            "a byte-order mark belongs only at the very start of a file; this one was probably \
             pasted in: remove it (most editors don't show it)"
                .to_owned(),
        );
    }
    let word: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .take(40)
        .collect();
    if expected.contains(&"`connector`") && !word.is_empty() {
        return Some(format!(
            "a file holds `connector`, `instance`, `flow` and `test` items; `{word}` does not start one"
        ));
    }
    if expected.contains(&"a name") && rest.starts_with(|c: char| c.is_ascii_digit() || c == '-') {
        return Some(
            "a bare name starts with a letter or `_` and holds letters, digits and `_`; \
             quote other names: `\"...\"`"
                .to_owned(),
        );
    }
    if expected.contains(&"`]`") && expected.contains(&"`,`") {
        return Some("separate the names in a list with `,` and close it with `]`".to_owned());
    }
    if expected.contains(&"`>`") && expected.contains(&"`,`") {
        return Some("separate options with `,` and close the block with `>`".to_owned());
    }
    None
}

/// What stands at `position`, described for a message, and its span.
fn found_token(file: &SourceFile, position: usize) -> (String, Span) {
    let rest = file.text().get(position..).unwrap_or("");
    let Some(first) = rest.chars().next() else {
        // miette can't show a label past the last character, and the
        // place to fix is where the text stops: label the last character.
        let before = file.text().get(..position).unwrap_or("").trim_end();
        let span = match before.chars().next_back() {
            Some(last) => Span::new(file.id(), before.len() - last.len_utf8(), before.len()),
            None => Span::new(file.id(), 0, 0),
        };
        return ("end of file".to_owned(), span);
    };
    // A word is labelled whole, up to 40 bytes: a generated file may hold a
    // "word" of megabytes, and the message shows 40 characters anyway.
    let length = if first.is_ascii_alphanumeric() || first == '_' {
        rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len())
            .min(40)
    } else if rest.starts_with("->") || rest.starts_with("//") || rest.starts_with("/*") {
        2
    } else {
        first.len_utf8()
    };
    let span = Span::new(file.id(), position, position + length);
    let token = file.slice(span);
    let found = match first {
        '\n' | '\r' => "end of line".to_owned(),
        c if c.is_control() => format!("control character U+{:04X}", c as u32),
        '\u{feff}' => "a byte-order mark (U+FEFF)".to_owned(),
        _ => format!("`{}`", token.chars().take(40).collect::<String>()),
    };
    (found, span)
}

/// A precise error for a quoted name starting at `start` that does not
/// close properly: an unknown escape, or a missing closing quote.
fn string_error(sources: &Sources, file: &SourceFile, start: usize) -> Option<Diagnostic> {
    let text = file.text().get(start..)?;
    let mut chars = text.char_indices().skip(1);
    while let Some((offset, c)) = chars.next() {
        match c {
            '"' if offset == 1 => {
                let span = Span::new(file.id(), start, start + 2);
                return Some(
                    Diagnostic::build(
                        Problem::Syntax {
                            message: "empty quoted name".to_owned(),
                        },
                        span,
                        "a name needs at least one character",
                    )
                    .finish(sources),
                );
            }
            '"' => return None,
            '\\' => match chars.next() {
                Some((_, '"' | '\\')) => {}
                Some((next_offset, next)) if next != '\n' && next != '\r' => {
                    let span = Span::new(
                        file.id(),
                        start + offset,
                        start + next_offset + next.len_utf8(),
                    );
                    return Some(
                        Diagnostic::build(
                            Problem::Syntax {
                                message: format!("unknown escape `\\{next}` in a quoted name"),
                            },
                            span,
                            "not an escape",
                        )
                        .help("a quoted name knows only `\\\"` and `\\\\`")
                        .finish(sources),
                    );
                }
                _ => break,
            },
            '\n' | '\r' => break,
            _ => {}
        }
    }
    let span = Span::new(file.id(), start, start + 1);
    Some(
        Diagnostic::build(
            Problem::Syntax {
                message: "unterminated quoted name".to_owned(),
            },
            span,
            "this quote is never closed on its line",
        )
        .help("close the name with `\"`; a quoted name can't span lines")
        .finish(sources),
    )
}
