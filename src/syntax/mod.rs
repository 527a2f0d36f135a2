//! From text to syntax: the tree, two parsers that accept the same
//! language, the events they stream, and how names are written.
//!
//! - `parser`: the fast, hand-written parser over a byte lexer; it streams
//!   items to a [`Visitor`] and rejects bad input without explanation.
//! - [`grammar`]: the pest grammar (`grammar/authgate.pest`), the reference
//!   for the language and the source of readable syntax errors.
//!
//! [`parse_into`] uses the first and falls back to the second to explain
//! (or, should they ever disagree, to decide).

pub mod grammar;
mod lexer;
mod parser;
pub mod tree;
pub mod visit;

pub use visit::{TreeBuilder, Visitor};

use crate::diagnostics::{Diagnostic, Problem};
use crate::source::{SourceFile, Sources, Span};

/// Parses `file` and streams its syntax to `visitor`, framed by
/// [`Visitor::file_start`] and [`Visitor::file_end`]. A file that does not
/// parse is retracted (`file_end(false)`) and yields its syntax error; a
/// file that is not UTF-8 yields `authgate::encoding` and is not parsed.
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
    // The grammar says why. Should it accept what the fast parser rejected,
    // the grammar is the reference: use its tree.
    let tree = grammar::parse(sources, file)?;
    tree.walk(visitor);
    Ok(())
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
/// (`[A-Za-z_][A-Za-z0-9_]*`, keywords included: they are contextual), else
/// quoted with `"` and `\` escaped. [`name_text`] reads it back.
///
/// ```
/// use authgate::syntax::{name_text, quote_name};
///
/// assert_eq!(quote_name("orders"), "orders");
/// assert_eq!(quote_name("connector"), "connector");
/// assert_eq!(quote_name("my orders"), r#""my orders""#);
/// assert_eq!(quote_name(r#"say "hi" \ "#), r#""say \"hi\" \\ ""#);
/// assert_eq!(name_text(&quote_name(r#"say "hi" \ "#)), r#"say "hi" \ "#);
/// ```
pub fn quote_name(name: &str) -> String {
    let bare = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if bare {
        name.to_owned()
    } else {
        format!("\"{}\"", name.replace('\\', "\\\\").replace('"', "\\\""))
    }
}
