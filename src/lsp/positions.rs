//! Positions and document names: LSP speaks in lines and characters
//! counted in the negotiated encoding (UTF-16 unless the client offers
//! UTF-8 or UTF-32), authgate in byte offsets; LSP names documents by URI,
//! [`Sources`](crate::Sources) by the path as a string.
//!
//! A position past the end of a line is the end of that line, and one past
//! the end of the file is the end of the file (LSP 3.17 asks servers to
//! clamp, not to fail): a stale cursor gets an answer about the nearest
//! place, never a panic.

use lsp_types::{Position, Range, Uri};
use percent_encoding::{AsciiSet, CONTROLS, percent_decode_str, utf8_percent_encode};

/// How the client counts characters on a line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Encoding {
    /// Bytes of UTF-8.
    Utf8,
    /// UTF-16 code units: LSP's default.
    #[default]
    Utf16,
    /// Unicode scalar values.
    Utf32,
}

impl Encoding {
    /// How many units `c` counts for.
    fn width(self, c: char) -> usize {
        match self {
            Encoding::Utf8 => c.len_utf8(),
            Encoding::Utf16 => c.len_utf16(),
            Encoding::Utf32 => 1,
        }
    }
}

/// The start of every line of a text, to turn offsets into positions and
/// back. Only `\n` ends a line, as in [`crate::source`]; a `\r` before it
/// is part of the line (and never counted as a character past its end).
#[derive(Clone, Debug)]
pub struct Lines {
    starts: Vec<usize>,
}

impl Lines {
    /// Indexes `text`.
    pub fn new(text: &str) -> Self {
        let starts = std::iter::once(0)
            .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1))
            .collect();
        Lines { starts }
    }

    /// The bytes of line `line` (0-based) without its end, or `None` past
    /// the last line.
    fn line<'t>(&self, text: &'t str, line: usize) -> Option<(usize, &'t str)> {
        let start = *self.starts.get(line)?;
        let end = self
            .starts
            .get(line + 1)
            .map_or(text.len(), |next| next.saturating_sub(1));
        let content = text.get(start..end.max(start)).unwrap_or("");
        Some((start, content.strip_suffix('\r').unwrap_or(content)))
    }

    /// The byte offset of `position` in `text`, clamped to its line and to
    /// the file.
    pub fn offset(&self, text: &str, position: Position, encoding: Encoding) -> usize {
        let Some((start, line)) = self.line(text, position.line as usize) else {
            return text.len();
        };
        let wanted = position.character as usize;
        let mut units = 0;
        for (index, c) in line.char_indices() {
            if units >= wanted {
                return start + index;
            }
            units += encoding.width(c);
        }
        start + line.len()
    }

    /// The position of byte `offset` in `text` (clamped to the text; an
    /// offset inside a character counts from its start).
    pub fn position(&self, text: &str, offset: usize, encoding: Encoding) -> Position {
        let offset = offset.min(text.len());
        let line = self
            .starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        let start = self.starts.get(line).copied().unwrap_or(0);
        let character: usize = text
            .get(start..)
            .unwrap_or("")
            .char_indices()
            .take_while(|&(index, _)| start + index < offset)
            .map(|(_, c)| encoding.width(c))
            .sum();
        Position::new(to_u32(line), to_u32(character))
    }

    /// The range of bytes `start..end`.
    pub fn range(&self, text: &str, start: usize, end: usize, encoding: Encoding) -> Range {
        Range::new(
            self.position(text, start, encoding),
            self.position(text, end, encoding),
        )
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Characters escaped in the path of a `file:` URI (as VS Code writes
/// them: everything but unreserved characters and `/`).
const PATH: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}')
    .add(b':');

/// The name a document has in [`Sources`](crate::Sources): the path of a
/// `file:` URI, or the URI itself for any other scheme (an unsaved
/// buffer), so every document has one name.
pub fn uri_to_name(uri: &Uri) -> String {
    let text = uri.as_str();
    match text.strip_prefix("file://") {
        Some(rest) => {
            // `file://host/path`: only a local host means anything here.
            let path = rest.strip_prefix("localhost").unwrap_or(rest);
            percent_decode_str(path).decode_utf8_lossy().into_owned()
        }
        None => text.to_owned(),
    }
}

/// The URI of a document named `name` (see [`uri_to_name`]).
pub fn name_to_uri(name: &str) -> Option<Uri> {
    let text = if name.starts_with('/') {
        format!("file://{}", utf8_percent_encode(name, PATH))
    } else {
        name.to_owned()
    };
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_counts_surrogate_pairs_and_clamps() {
        let text = "ab\n\"é😀\" x\r\nlast";
        let lines = Lines::new(text);
        // `x` on line 1: `"`, `é`, two units for the emoji, `"`, space.
        let x = text.find('x').unwrap_or(0);
        assert_eq!(
            lines.position(text, x, Encoding::Utf16),
            Position::new(1, 6)
        );
        assert_eq!(
            lines.position(text, x, Encoding::Utf32),
            Position::new(1, 5)
        );
        assert_eq!(lines.position(text, x, Encoding::Utf8), Position::new(1, 9));
        assert_eq!(lines.offset(text, Position::new(1, 6), Encoding::Utf16), x);
        // Past the end of the line: its end, before `\r`.
        assert_eq!(
            lines.offset(text, Position::new(1, 99), Encoding::Utf16),
            x + 1
        );
        // Past the end of the file: the end.
        assert_eq!(
            lines.offset(text, Position::new(9, 0), Encoding::Utf16),
            text.len()
        );
    }

    #[test]
    fn file_uris_round_trip_with_spaces_and_non_ascii() {
        let name = "/work/my rules/café #1.gate";
        let uri = name_to_uri(name);
        assert!(uri.is_some());
        if let Some(uri) = uri {
            assert_eq!(uri_to_name(&uri), name);
        }
    }
}
