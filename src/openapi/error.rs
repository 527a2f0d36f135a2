//! Why a spec could not be read: one error type, `authgate::openapi`,
//! that names the file and the place (line and column where the parser
//! gives one, else the JSON pointer of the value at fault), with the
//! file's snippet when there is a place in it.

use std::fmt;

use miette::LabeledSpan;

use crate::source::{Snippets, Sources};

/// A spec that can't be read or mapped: not a spec, broken JSON or YAML,
/// a `$ref` to a missing file or in a cycle, an empty file, a value of the
/// wrong shape where the mapping needs one.
#[derive(Debug, Clone)]
pub struct Error(Box<Inner>);

/// What an [`Error`] holds (boxed: results stay small).
#[derive(Debug, Clone)]
struct Inner {
    message: String,
    file: String,
    line: Option<usize>,
    column: Option<usize>,
    help: String,
    snippet: Option<(Snippets, usize, usize)>,
}

impl Error {
    /// An error about `file` as a whole (it can't be read, it is empty).
    pub(crate) fn file(file: &str, message: String, help: &str) -> Self {
        Error(Box::new(Inner {
            message,
            file: file.to_owned(),
            line: None,
            column: None,
            help: help.to_owned(),
            snippet: None,
        }))
    }

    /// An error at a 1-based `line` and `column` of `file`, whose text is
    /// `text` (for the snippet).
    pub(crate) fn at(
        file: &str,
        text: &str,
        line: usize,
        column: usize,
        message: String,
        help: &str,
    ) -> Self {
        let mut sources = Sources::new();
        let id = sources.add(file, text);
        let snippet = sources.get(id).map(|source| {
            let offset = offset_of(text, line, column);
            let len = text
                .get(offset..)
                .and_then(|rest| rest.chars().next())
                .map_or(0, char::len_utf8);
            (source.snippets(), offset, len)
        });
        Error(Box::new(Inner {
            message,
            file: file.to_owned(),
            line: Some(line),
            column: Some(column),
            help: help.to_owned(),
            snippet,
        }))
    }

    /// An error at byte `offset` of `file` (found by searching its text),
    /// or about the whole file when `offset` is `None`.
    pub(crate) fn at_offset(
        file: &str,
        text: &str,
        offset: Option<usize>,
        len: usize,
        message: String,
        help: &str,
    ) -> Self {
        let mut error = match offset {
            Some(offset) => {
                let before = text.get(..offset).unwrap_or("");
                let line = before.matches('\n').count() + 1;
                let column = before
                    .rsplit('\n')
                    .next()
                    .map_or(0, |line| line.chars().count())
                    + 1;
                Error::at(file, text, line, column, message, help)
            }
            None => Error::file(file, message, help),
        };
        if let Some((_, _, shown)) = &mut error.0.snippet {
            *shown = len.max(*shown);
        }
        error
    }

    /// The spec file it is about, as named on the command line or reached
    /// by a `$ref`.
    pub fn path(&self) -> &str {
        &self.0.file
    }

    /// The 1-based line, when the error has a place in the file.
    pub fn line(&self) -> Option<usize> {
        self.0.line
    }

    /// The 1-based column (in characters), with [`Error::line`].
    pub fn column(&self) -> Option<usize> {
        self.0.column
    }
}

/// The byte offset of a 1-based line and column (in characters),
/// clamped to the text.
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let start = if line <= 1 {
        0
    } else {
        memchr::memchr_iter(b'\n', text.as_bytes())
            .nth(line - 2)
            .map_or(text.len(), |newline| newline + 1)
    };
    let rest = text.get(start..).unwrap_or("");
    let within = rest
        .char_indices()
        .take_while(|&(_, c)| c != '\n')
        .nth(column.saturating_sub(1))
        .map_or_else(|| rest.find('\n').unwrap_or(rest.len()), |(index, _)| index);
    start + within
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.message)
    }
}

impl std::error::Error for Error {}

impl miette::Diagnostic for Error {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new("authgate::openapi"))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.0.help))
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.0
            .snippet
            .as_ref()
            .map(|(snippets, _, _)| snippets as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let (_, offset, len) = self.0.snippet.as_ref()?;
        Some(Box::new(std::iter::once(
            LabeledSpan::new_primary_with_span(Some("here".to_owned()), (*offset, *len)),
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::offset_of;

    #[test]
    fn lines_and_columns_become_offsets() {
        let text = "ab\ncdé\nf";
        assert_eq!(offset_of(text, 1, 1), 0);
        assert_eq!(offset_of(text, 2, 3), 5);
        assert_eq!(offset_of(text, 3, 1), 8);
        assert_eq!(offset_of(text, 9, 9), text.len());
        assert_eq!(offset_of(text, 1, 9), 2);
    }
}
