//! From text to syntax: the tree, two parsers that accept the same
//! language, the events they stream, and how names are written.
//!
//! - `parser`: the fast, hand-written parser over a byte lexer; it streams
//!   items to a [`Visitor`] and rejects bad input without explanation.
//! - `grammar`: the pest grammar (`grammar/authgate.pest`), the reference
//!   for the language and the source of readable syntax errors.
//! - [`KEYWORDS`]: the language's keywords, in one list.
//!
//! The fast parser alone decides whether a file parses: [`parse_into`]
//! asks the grammar only *why* a file it rejected does not parse, and
//! never uses the grammar's tree. Should the grammar accept a file the
//! fast parser rejected, the two parsers disagree, which is a bug in
//! authgate, never the user's: a debug build stops on an assertion, a
//! release build reports an internal error for the file (which stays
//! retracted). A disagreement the other way round (the fast parser
//! accepts what the grammar rejects) is not seen at run time, since the
//! grammar does not read accepted files; the tests and the `parse` fuzz
//! target hold the two parsers to the same trees, with the grammar as the
//! oracle.

pub mod edit;
pub mod format;
mod grammar;
mod keywords;
mod lexer;
mod parser;
pub mod tree;
pub mod visit;

pub use keywords::KEYWORDS;
pub use visit::{TreeBuilder, Visitor};

use crate::diagnostics::{Diagnostic, Problem};
use crate::source::{SourceFile, Sources, Span};

/// Parses `file` with the fast parser and streams its syntax to `visitor`,
/// framed by [`Visitor::file_start`] and [`Visitor::file_end`]. A file that
/// does not parse is retracted (`file_end(false)`) and yields its syntax
/// error, in the grammar's words; a file that is not UTF-8 yields
/// `authgate::encoding` and is not parsed.
///
/// Should the grammar accept a file the fast parser rejected, this fails a
/// debug assertion; a release build retracts the file all the same and
/// yields an `authgate::syntax` diagnostic that says "internal error".
pub fn parse_into<'s, V: Visitor<'s>>(
    sources: &Sources,
    file: &'s SourceFile,
    visitor: &mut V,
) -> Result<(), Box<Diagnostic>> {
    if let Some(offset) = file.invalid_utf8() {
        return Err(Box::new(encoding_error(sources, file, offset)));
    }
    visitor.file_start(file.id());
    if parser::parse(file, visitor).is_ok() {
        visitor.file_end(true);
        return Ok(());
    }
    visitor.file_end(false);
    // The fast parser decides; the grammar only says why.
    let explained = grammar::explain(sources, file);
    debug_assert!(
        explained.is_some(),
        "the parsers disagree: the fast parser rejects `{}`, the grammar accepts it",
        file.name()
    );
    Err(explained.unwrap_or_else(|| Box::new(disagreement(sources, file))))
}

/// What a release build reports when the fast parser rejects a file the
/// grammar accepts: a bug in authgate, said as such, at the file's start
/// (the fast parser does not say where it stopped).
fn disagreement(sources: &Sources, file: &SourceFile) -> Diagnostic {
    let first = file.text().chars().next().map_or(0, char::len_utf8);
    Diagnostic::build(
        Problem::Syntax {
            message: "internal error: the two parsers disagree about this file".to_owned(),
        },
        Span::new(file.id(), 0, first),
        "the fast parser rejects this file, the grammar accepts it",
    )
    .help("this is a bug in authgate, not in the file; please report it with the file attached")
    .finish(sources)
}

/// `authgate::encoding` at the first byte of `file` that is not UTF-8.
fn encoding_error(sources: &Sources, file: &SourceFile, offset: usize) -> Diagnostic {
    let end = file
        .text()
        .get(offset..)
        .and_then(|rest| rest.chars().next())
        .map_or(offset, |c| offset + c.len_utf8());
    Diagnostic::build(
        Problem::Encoding,
        Span::new(file.id(), offset, end),
        "this byte is not UTF-8",
    )
    .help("rule files are UTF-8 text; re-save the file as UTF-8")
    .finish(sources)
}

/// Parses `file` into a whole syntax tree (with its comments).
pub fn parse<'s>(
    sources: &Sources,
    file: &'s SourceFile,
) -> Result<tree::File<'s>, Box<Diagnostic>> {
    let mut builder = TreeBuilder::new(file.id());
    parse_into(sources, file, &mut builder)?;
    Ok(builder.finish())
}

/// Parses `file` with the fast parser alone: the tree, or `None` if the
/// file does not parse (without saying why). [`parse`] is what tools want;
/// this exists so the two parsers can be compared.
pub fn parse_fast(file: &SourceFile) -> Option<tree::File<'_>> {
    let mut builder = TreeBuilder::new(file.id());
    parser::parse(file, &mut builder).ok()?;
    Some(builder.finish())
}

/// Parses `file` with the pest grammar alone: the reference tree that
/// [`parse_fast`] is held to, or the grammar's syntax error.
///
/// Not part of the API (an embedder wants [`parse`]): public, and hidden,
/// only because the crates that compare the two parsers are crates of
/// their own, the integration tests and the `parse` fuzz target.
#[doc(hidden)]
pub fn parse_reference<'s>(
    sources: &Sources,
    file: &'s SourceFile,
) -> Result<tree::File<'s>, Box<Diagnostic>> {
    grammar::parse(sources, file)
}

/// Streams `file` to `visitor` with the fast parser alone, framed by
/// [`Visitor::file_start`] and [`Visitor::file_end`]; whether it parsed
/// (without saying why not). For tools that read every name of a rule set
/// on each request (the language server) and need neither a tree nor an
/// explanation.
#[cfg(feature = "lsp")]
pub(crate) fn stream_fast<'s, V: Visitor<'s>>(file: &'s SourceFile, visitor: &mut V) -> bool {
    visitor.file_start(file.id());
    let parsed = parser::parse(file, visitor).is_ok();
    visitor.file_end(parsed);
    parsed
}

/// Resolves `\"` and `\\` in the text between a name's quotes (the grammar
/// admits no other escape).
fn unescape(quoted: &str) -> String {
    let mut text = String::with_capacity(quoted.len());
    let mut chars = quoted.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(escaped) = chars.next() {
                text.push(escaped);
            }
        } else {
            text.push(c);
        }
    }
    text
}

/// The text of a name as written (`orders` or `"my \"orders\""`): without
/// quotes, escapes resolved.
pub fn name_text(written: &str) -> std::borrow::Cow<'_, str> {
    match written.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
        Some(quoted) if quoted.contains('\\') => std::borrow::Cow::Owned(unescape(quoted)),
        Some(quoted) => std::borrow::Cow::Borrowed(quoted),
        None => std::borrow::Cow::Borrowed(written),
    }
}

/// A name as it must be written in a rule file: bare if it can be
/// (`[A-Za-z_][A-Za-z0-9_]*`, [`KEYWORDS`] included: they are contextual),
/// else quoted with `"` and `\` escaped. [`name_text`] reads it back.
///
/// ```
/// use authgate::syntax::{KEYWORDS, name_text, quote_name};
///
/// assert_eq!(quote_name("orders"), "orders");
/// assert!(KEYWORDS.iter().all(|keyword| quote_name(keyword) == *keyword));
/// assert_eq!(quote_name("my orders"), r#""my orders""#);
/// assert_eq!(quote_name(r#"say "hi" \ "#), r#""say \"hi\" \\ ""#);
/// assert_eq!(name_text(&quote_name(r#"say "hi" \ "#)), r#"say "hi" \ "#);
/// ```
pub fn quote_name(name: &str) -> String {
    QuotedName(name).to_string()
}

/// [`quote_name`] as it is written, allocating nothing.
#[derive(Clone, Copy, Debug)]
pub struct QuotedName<'a>(pub &'a str);

impl QuotedName<'_> {
    /// Writes the name into `out` as the rules write it. In runs between
    /// the characters to escape, not character by character: `eval`
    /// quotes an item's scopes in every answer about them.
    pub fn write_to(self, out: &mut impl std::fmt::Write) -> std::fmt::Result {
        let name = self.0;
        let bare = name
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if bare {
            return out.write_str(name);
        }
        out.write_char('"')?;
        let mut rest = name;
        // `"` and `\` are ASCII, so every split is at a character boundary.
        while let Some(at) = memchr::memchr2(b'\\', b'"', rest.as_bytes()) {
            let (run, tail) = rest.split_at(at);
            out.write_str(run)?;
            out.write_str(if tail.starts_with('"') {
                "\\\""
            } else {
                "\\\\"
            })?;
            rest = tail.get(1..).unwrap_or_default();
        }
        out.write_str(rest)?;
        out.write_char('"')
    }
}

impl std::fmt::Display for QuotedName<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.write_to(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Code;

    /// What a release build says when the parsers disagree (a debug build
    /// stops on the assertion before).
    #[test]
    fn a_disagreement_is_an_internal_syntax_error_at_the_start() {
        let mut sources = Sources::new();
        let id = sources.add("t.gate", "é connector");
        let Some(file) = sources.get(id) else {
            unreachable!("added");
        };
        let diagnostic = disagreement(&sources, file);
        assert_eq!(diagnostic.code(), Code::Syntax);
        assert_eq!(
            diagnostic.to_string(),
            "internal error: the two parsers disagree about this file"
        );
        assert_eq!(diagnostic.primary_span(), Some(Span::new(id, 0, 2)));
        assert!(diagnostic.help().is_some_and(|help| help.contains("bug")));
    }
}
