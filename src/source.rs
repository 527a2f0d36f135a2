//! Source files, spans and positions.
//!
//! Every span in authgate carries the [`FileId`] of the file it points into,
//! so that a diagnostic can label places in several files. Offsets are byte
//! offsets into the file's text; [`SourceFile::line_column`] turns them into
//! the 1-based line and column that people and JSON consumers read.

use std::sync::{Arc, OnceLock};

use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

/// Index of a file in a [`Sources`] collection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId(u32);

impl FileId {
    /// The position of the file in its [`Sources`], in the order it was added.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// A byte range in one source file. Offsets are `u32`: rule files are
/// limited to [`MAX_FILE_SIZE`] bytes, which keeps spans at 12 bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    /// The file the span points into.
    pub file: FileId,
    /// Byte offset of the first byte.
    pub start: u32,
    /// Byte offset one past the last byte.
    pub end: u32,
}

/// The largest rule file authgate reads, in bytes (spans are 32-bit).
pub const MAX_FILE_SIZE: usize = u32::MAX as usize;

impl Span {
    /// The span from `start` to `end` in `file`. Offsets past
    /// [`MAX_FILE_SIZE`] are clamped (no file that large is accepted).
    pub fn new(file: FileId, start: usize, end: usize) -> Self {
        let clamp = |offset: usize| u32::try_from(offset).unwrap_or(u32::MAX);
        Span {
            file,
            start: clamp(start),
            end: clamp(end),
        }
    }

    /// The byte range, for slicing the file's text.
    pub fn range(&self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    /// The length in bytes.
    pub fn len(&self) -> usize {
        self.end.saturating_sub(self.start) as usize
    }

    /// Whether the span covers no byte (a position, such as the end of file).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The smallest span that covers both `self` and `other` (same file).
    pub fn to(self, other: Span) -> Span {
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

impl From<Span> for miette::SourceSpan {
    fn from(span: Span) -> Self {
        (span.start as usize, span.len()).into()
    }
}

/// A 1-based line and column. Columns count Unicode scalar values, so a tab
/// or a multi-byte character each count as one column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LineColumn {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

/// One rule file: its display name (the path as the user gave it) and text.
#[derive(Clone, Debug)]
pub struct SourceFile {
    id: FileId,
    name: Arc<str>,
    /// `Arc<String>` rather than `Arc<str>`: wrapping a `String` in an `Arc`
    /// does not copy the text, which matters for very large files.
    text: Arc<String>,
    /// Byte offset of the start of every line, for line/column look-ups.
    line_starts: Arc<[u32]>,
    /// For a file read as bytes that are not UTF-8: the offset of the first
    /// invalid byte (the text holds U+FFFD in place of invalid bytes).
    invalid_utf8: Option<usize>,
    /// Whether the file holds rules (`false` for `authgate.toml`, kept so
    /// that diagnostics about it can point into it).
    rules: bool,
    /// Its path in the bundle manifest (see [`crate::project::digest`]): relative
    /// to the path it was found under; the name, for text given directly.
    bundle_path: Arc<str>,
    /// The bytes as read, kept only when they are not UTF-8 (the text then
    /// differs from them), so the bundle digest hashes what is on disk.
    raw: Option<Arc<[u8]>>,
    /// The text as snippets show it (hidden characters replaced, offsets
    /// kept; see `text::for_snippets`), made when a first report needs it.
    shown: Arc<OnceLock<Arc<String>>>,
}

impl SourceFile {
    /// The file's id in its [`Sources`].
    pub fn id(&self) -> FileId {
        self.id
    }

    /// The display name, usually the path as given on the command line.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The file's path in the bundle manifest (see [`crate::project::digest`]):
    /// relative to the folder it was found under, with `/` separators; its
    /// file name when the file was given alone; the display name when the
    /// text was added directly.
    pub fn bundle_path(&self) -> &str {
        &self.bundle_path
    }

    /// The bytes the file was read as: its text, or for a file that is not
    /// UTF-8 the original bytes.
    pub fn bytes(&self) -> &[u8] {
        self.raw.as_deref().unwrap_or(self.text.as_bytes())
    }

    /// For a file added with [`Sources::add_bytes`] that is not UTF-8: the
    /// byte offset of the first invalid sequence.
    pub fn invalid_utf8(&self) -> Option<usize> {
        self.invalid_utf8
    }

    /// Whether the file holds rules, rather than being a project's
    /// configuration that diagnostics point into (see
    /// [`Sources::add_config`]).
    pub fn is_rules(&self) -> bool {
        self.rules
    }

    /// The full text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The text under `span`, or `""` if the span does not fit the file.
    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.range()).unwrap_or("")
    }

    /// The span that covers the whole file.
    pub fn span(&self) -> Span {
        Span::new(self.id, 0, self.text.len())
    }

    /// The 1-based line and column of a byte offset. Offsets past the end
    /// are clamped to the end of the file. Only `\n` ends a line, so CRLF
    /// files count lines correctly and `\r` never shifts a column.
    pub fn line_column(&self, offset: usize) -> LineColumn {
        let offset = offset.min(self.text.len());
        let line = self
            .line_starts
            .partition_point(|&start| start as usize <= offset);
        self.position_on_line(line.saturating_sub(1), offset)
    }

    /// The line and column of `offset`, known to be on line `index` (0-based).
    fn position_on_line(&self, index: usize, offset: usize) -> LineColumn {
        let line_start = self
            .line_starts
            .get(index)
            .map_or(0, |&start| start as usize);
        let column = self
            .text
            .get(line_start..offset)
            .map_or(0, |before| before.chars().count());
        LineColumn {
            line: index + 1,
            column: column + 1,
        }
    }

    /// The 1-based line that holds byte `offset`: a search of the line
    /// index, without counting columns.
    pub fn line_of(&self, offset: usize) -> usize {
        self.line_starts
            .partition_point(|&start| start as usize <= offset)
            .max(1)
    }

    /// A cursor for many look-ups at increasing offsets: it walks forward
    /// through the lines instead of searching for each.
    pub fn line_cursor(&self) -> LineCursor<'_> {
        LineCursor {
            file: self,
            line: 0,
        }
    }

    /// The file as a miette source, for rendering labels. Control,
    /// invisible and bidirectional-control characters show as `?` or
    /// U+FFFD, never raw.
    pub fn snippets(&self) -> Snippets {
        let shown = self.shown.get_or_init(|| {
            crate::text::for_snippets(&self.text).map_or_else(|| Arc::clone(&self.text), Arc::new)
        });
        Snippets {
            name: Arc::clone(&self.name),
            text: Arc::clone(shown),
            line_starts: Arc::clone(&self.line_starts),
        }
    }
}

/// A line longer than this many bytes is shown as a window around the
/// label rather than whole (a generated file may hold megabytes on a line).
const LONG_LINE: usize = 1_000;

/// Bytes of a long line shown on each side of the label.
const WINDOW: usize = 160;

/// A file as miette reads it for a report. Snippets are cut with the
/// file's line index instead of scanning the text from the top for every
/// label, and a very long line is shown as a window around the label, so a
/// report costs the same on a 45 MB file as on a small one.
#[derive(Clone, Debug)]
pub struct Snippets {
    name: Arc<str>,
    text: Arc<String>,
    line_starts: Arc<[u32]>,
}

impl Snippets {
    /// The file's display name.
    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    /// Line and column (1-based, columns in characters) of byte `offset`.
    /// The shown text has as many characters as the file before any
    /// offset, so columns are the file's.
    pub(crate) fn line_column(&self, offset: usize) -> LineColumn {
        let line = self.line_of(offset);
        let start = self.line_start(line);
        let column = self
            .text
            .get(start..offset.min(self.text.len()))
            .map_or(0, |before| before.chars().count());
        LineColumn {
            line: line + 1,
            column: column + 1,
        }
    }

    /// The 0-based line that holds byte `offset`.
    fn line_of(&self, offset: usize) -> usize {
        self.line_starts
            .partition_point(|&start| start as usize <= offset)
            .saturating_sub(1)
    }

    fn line_start(&self, line: usize) -> usize {
        self.line_starts
            .get(line)
            .map_or(0, |&start| start as usize)
    }

    /// Where line `line` ends, its newline included.
    fn line_end(&self, line: usize) -> usize {
        self.line_starts
            .get(line + 1)
            .map_or(self.text.len(), |&start| start as usize)
    }
}

impl SourceCode for Snippets {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let start = span.offset();
        let end = start + span.len();
        if end > self.text.len() {
            return Err(MietteError::OutOfBounds);
        }
        let first = self.line_of(start);
        let last = self.line_of(end.saturating_sub(1).max(start));
        let from = first.saturating_sub(context_lines_before);
        let to = (last + context_lines_after).min(self.line_starts.len().saturating_sub(1));
        // Like miette's own reader: without context lines, the data starts
        // at the span itself; with them, at the start of the first line.
        let mut data_start = if context_lines_before == 0 {
            start
        } else {
            self.line_start(from)
        };
        let mut data_end = if context_lines_after == 0 {
            end
        } else {
            self.line_end(to)
        };
        if data_end - data_start > LONG_LINE
            && self.line_end(last) - self.line_start(first) > LONG_LINE
        {
            data_start =
                data_start.max(self.text.floor_char_boundary(start.saturating_sub(WINDOW)));
            data_end = data_end.min(self.text.ceil_char_boundary(end.max(start + 1) + WINDOW));
        }
        let line = self.line_of(data_start);
        let column = self
            .text
            .get(self.line_start(line)..data_start)
            .map_or(0, |before| before.chars().count());
        let data = self
            .text
            .as_bytes()
            .get(data_start..data_end)
            .unwrap_or_default();
        Ok(Box::new(MietteSpanContents::new_named(
            crate::text::escape(&self.name).into_owned(),
            data,
            (data_start, data_end - data_start).into(),
            line,
            column,
            // As miette's own reader counts it: lines from the top of the
            // file through the end of the data (miette merges nearby
            // snippets with it).
            to + 1,
        )))
    }
}

/// Line and column look-ups at increasing offsets; see
/// [`SourceFile::line_cursor`].
#[derive(Clone, Debug)]
pub struct LineCursor<'f> {
    file: &'f SourceFile,
    line: usize,
}

impl LineCursor<'_> {
    /// The 1-based line and column of `offset`, like
    /// [`SourceFile::line_column`]; fastest when offsets only grow.
    pub fn line_column(&mut self, offset: usize) -> LineColumn {
        let offset = offset.min(self.file.text.len());
        let starts = &self.file.line_starts;
        if starts
            .get(self.line)
            .is_some_and(|&start| start as usize > offset)
        {
            return self.file.line_column(offset);
        }
        while starts
            .get(self.line + 1)
            .is_some_and(|&next| next as usize <= offset)
        {
            self.line += 1;
        }
        self.file.position_on_line(self.line, offset)
    }
}

/// The set of files checked together. References resolve across all of them.
#[derive(Clone, Debug, Default)]
pub struct Sources {
    files: Vec<SourceFile>,
}

impl Sources {
    /// An empty collection.
    pub fn new() -> Self {
        Sources::default()
    }

    /// Adds a file and returns its id. The name is only used for display.
    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> FileId {
        let name = name.into();
        self.push(name.clone(), name, text.into(), None)
    }

    /// Adds a project's configuration (`authgate.toml`): not parsed as
    /// rules, but diagnostics about it point into it.
    pub fn add_config(&mut self, name: impl Into<String>, text: impl Into<String>) -> FileId {
        let name = name.into();
        let id = self.push(name.clone(), name, text.into(), None);
        if let Some(file) = self.files.last_mut() {
            file.rules = false;
        }
        id
    }

    /// Adds a file read as bytes. Bytes that are not UTF-8 are kept (as
    /// U+FFFD) so the file can be shown, and checking it reports
    /// `authgate::encoding` at the first invalid byte.
    pub fn add_bytes(&mut self, name: impl Into<String>, bytes: Vec<u8>) -> FileId {
        let name = name.into();
        self.add_bytes_at(name.clone(), name, bytes)
    }

    /// [`Sources::add_bytes`] for a file found under a path given to
    /// [`crate::project::files::load`]: `bundle_path` is its path relative to it.
    pub(crate) fn add_bytes_at(
        &mut self,
        name: String,
        bundle_path: String,
        bytes: Vec<u8>,
    ) -> FileId {
        match String::from_utf8(bytes) {
            Ok(text) => self.push(name, bundle_path, text, None),
            Err(error) => {
                let offset = error.utf8_error().valid_up_to();
                let text = String::from_utf8_lossy(error.as_bytes()).into_owned();
                let id = self.push(name, bundle_path, text, Some(offset));
                if let Some(file) = self.files.last_mut() {
                    file.raw = Some(Arc::from(error.into_bytes()));
                }
                id
            }
        }
    }

    fn push(
        &mut self,
        name: String,
        bundle_path: String,
        text: String,
        invalid_utf8: Option<usize>,
    ) -> FileId {
        let id = FileId(u32::try_from(self.files.len()).unwrap_or(u32::MAX));
        // memchr's vectorised search: this runs over every byte of every file.
        let line_starts: Vec<u32> = std::iter::once(0)
            .chain(
                memchr::memchr_iter(b'\n', text.as_bytes())
                    .map(|index| u32::try_from(index + 1).unwrap_or(u32::MAX)),
            )
            .collect();
        self.files.push(SourceFile {
            id,
            name: Arc::from(name),
            text: Arc::new(text),
            line_starts: Arc::from(line_starts),
            invalid_utf8,
            rules: true,
            bundle_path: Arc::from(bundle_path),
            raw: None,
            shown: Arc::default(),
        });
        id
    }

    /// The file with this id, if it belongs to this collection.
    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.index())
    }

    /// All files, in the order they were added.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &SourceFile> {
        self.files.iter()
    }

    /// How many files there are.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether there is no file.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[expect(clippy::expect_used, reason = "test")]
    fn line_and_column_are_one_based_and_count_characters() {
        let mut sources = Sources::new();
        let id = sources.add("a.gate", "ab\r\n\tçd\nlast");
        let file = sources.get(id).expect("just added");
        assert_eq!(file.line_column(0), LineColumn { line: 1, column: 1 });
        // `\r` is the third character of line 1.
        assert_eq!(file.line_column(2), LineColumn { line: 1, column: 3 });
        // `d` comes after a tab and a two-byte `ç`: column 3.
        assert_eq!(file.line_column(7), LineColumn { line: 2, column: 3 });
        assert_eq!(file.line_column(9), LineColumn { line: 3, column: 1 });
        assert_eq!(file.line_column(999), LineColumn { line: 3, column: 5 });
    }
}
