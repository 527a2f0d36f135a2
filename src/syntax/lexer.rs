//! A byte-level lexer for the fast parser. It accepts exactly the tokens of
//! `grammar/authgate.pest` and reports nothing but "not a token here": the
//! readable syntax error comes from the pest grammar.

use super::tree::{Comment, CommentKind};
use crate::source::{FileId, Span};

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `[A-Za-z_][A-Za-z0-9_]*` (keywords are idents; the parser decides).
    Ident,
    /// `"..."`; `escaped` when it holds `\"` or `\\`.
    Quoted {
        escaped: bool,
    },
    LBrace,
    RBrace,
    LAngle,
    RAngle,
    LBracket,
    RBracket,
    LParen,
    RParen,
    Colon,
    Comma,
    Arrow,
    Slash,
    Eof,
}

/// A token and where it is.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Token {
    pub kind: Kind,
    pub start: u32,
    pub end: u32,
}

/// The input is not a sequence of tokens at `offset`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LexError;

pub(crate) struct Lexer<'s> {
    text: &'s str,
    bytes: &'s [u8],
    position: usize,
    file: FileId,
}

/// Which bytes may continue a bare name: `[A-Za-z0-9_]`.
#[expect(
    clippy::indexing_slicing,
    reason = "a compile-time loop bounded by the table's length"
)]
const IDENT: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        table[byte] = b.is_ascii_alphanumeric() || b == b'_';
        byte += 1;
    }
    table
};

fn is_ident_start(byte: u8) -> bool {
    byte.is_ascii_alphabetic() || byte == b'_'
}

impl<'s> Lexer<'s> {
    pub fn new(text: &'s str, file: FileId) -> Self {
        Lexer {
            text,
            bytes: text.as_bytes(),
            position: 0,
            file,
        }
    }

    fn byte(&self, offset: usize) -> Option<u8> {
        self.bytes.get(offset).copied()
    }

    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.file, start, end)
    }

    /// The next token; comments on the way go to `on_comment`.
    #[inline]
    pub fn next(&mut self, on_comment: &mut impl FnMut(Comment<'s>)) -> Result<Token, LexError> {
        self.skip_trivia(on_comment)?;
        let start = self.position;
        let Some(first) = self.byte(start) else {
            return Ok(self.token(Kind::Eof, start, start));
        };
        let (kind, end) = match first {
            b'{' => (Kind::LBrace, start + 1),
            b'}' => (Kind::RBrace, start + 1),
            b'<' => (Kind::LAngle, start + 1),
            b'>' => (Kind::RAngle, start + 1),
            b'[' => (Kind::LBracket, start + 1),
            b']' => (Kind::RBracket, start + 1),
            b'(' => (Kind::LParen, start + 1),
            b')' => (Kind::RParen, start + 1),
            b':' => (Kind::Colon, start + 1),
            b',' => (Kind::Comma, start + 1),
            b'-' if self.byte(start + 1) == Some(b'>') => (Kind::Arrow, start + 2),
            // `//` and `/*` were taken as comments by `skip_trivia`.
            b'/' => (Kind::Slash, start + 1),
            b'"' => self.quoted(start)?,
            byte if is_ident_start(byte) => {
                let rest = self.bytes.get(start + 1..).unwrap_or_default();
                let length = rest
                    .iter()
                    .position(|&b| !IDENT.get(usize::from(b)).copied().unwrap_or(false))
                    .unwrap_or(rest.len());
                (Kind::Ident, start + 1 + length)
            }
            _ => return Err(LexError),
        };
        self.position = end;
        Ok(self.token(kind, start, end))
    }

    fn token(&self, kind: Kind, start: usize, end: usize) -> Token {
        let span = self.span(start, end);
        Token {
            kind,
            start: span.start,
            end: span.end,
        }
    }

    /// `"` text `"`: at least one character; `\"` and `\\` are the only
    /// escapes; no line break.
    fn quoted(&self, start: usize) -> Result<(Kind, usize), LexError> {
        let mut offset = start + 1;
        let mut escaped = false;
        loop {
            match self.byte(offset) {
                Some(b'"') if offset > start + 1 => {
                    return Ok((Kind::Quoted { escaped }, offset + 1));
                }
                Some(b'\\') => match self.byte(offset + 1) {
                    Some(b'"' | b'\\') => {
                        escaped = true;
                        offset += 2;
                    }
                    _ => return Err(LexError),
                },
                Some(b'"' | b'\n' | b'\r') | None => return Err(LexError),
                Some(_) => offset += 1,
            }
        }
    }

    /// Whitespace (and a byte-order mark at the start of the file) and
    /// comments.
    #[inline]
    fn skip_trivia(&mut self, on_comment: &mut impl FnMut(Comment<'s>)) -> Result<(), LexError> {
        loop {
            match self.byte(self.position) {
                Some(b' ' | b'\t' | b'\r' | b'\n') => self.position += 1,
                // U+FEFF in UTF-8, as the first character of the file only.
                Some(0xEF)
                    if self.position == 0 && self.bytes.get(..3) == Some(b"\xEF\xBB\xBF") =>
                {
                    self.position += 3;
                }
                Some(b'/') => match self.byte(self.position + 1) {
                    Some(b'/') => {
                        let start = self.position;
                        let rest = self.bytes.get(start..).unwrap_or_default();
                        let mut end = rest
                            .iter()
                            .position(|&b| b == b'\n')
                            .map_or(self.bytes.len(), |newline| start + newline);
                        // The grammar stops a line comment before "\r\n" but
                        // keeps a lone "\r".
                        if end > start + 2
                            && self.byte(end - 1) == Some(b'\r')
                            && self.byte(end) == Some(b'\n')
                        {
                            end -= 1;
                        }
                        self.comment(CommentKind::Line, start, end, on_comment);
                        self.position = end;
                    }
                    Some(b'*') => {
                        let start = self.position;
                        let body = self.text.get(start + 2..).unwrap_or_default();
                        let close = body.find("*/").ok_or(LexError)?;
                        let end = start + 2 + close + 2;
                        self.comment(CommentKind::Block, start, end, on_comment);
                        self.position = end;
                    }
                    _ => return Ok(()),
                },
                _ => return Ok(()),
            }
        }
    }

    fn comment(
        &self,
        kind: CommentKind,
        start: usize,
        end: usize,
        on_comment: &mut impl FnMut(Comment<'s>),
    ) {
        on_comment(Comment {
            kind,
            text: self.text.get(start..end).unwrap_or_default(),
            span: self.span(start, end),
        });
    }
}
