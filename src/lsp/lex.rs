//! A forgiving tokenizer for text that is being typed: completion must
//! work in a file that does not parse (yet), and semantic tokens colour
//! keywords that the syntax tree does not keep. It never fails: an
//! unterminated string or comment runs to the end, an unknown byte is a
//! punctuation token of its own.

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A bare word: a name or a keyword (keywords are contextual).
    Word,
    /// A quoted name, possibly unterminated.
    Quoted,
    /// `->`.
    Arrow,
    /// Any other character.
    Punct(char),
}

/// A token and where it is (byte offsets).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    /// What it is.
    pub kind: Kind,
    /// Its first byte.
    pub start: usize,
    /// One past its last byte.
    pub end: usize,
}

impl Token {
    /// The token's text in `text`.
    pub fn text<'t>(&self, text: &'t str) -> &'t str {
        text.get(self.start..self.end).unwrap_or("")
    }

    /// Whether it is the bare word `word`.
    pub fn is_word(&self, text: &str, word: &str) -> bool {
        self.kind == Kind::Word && self.text(text) == word
    }

    /// Whether it is a name (bare or quoted).
    pub fn is_name(&self) -> bool {
        matches!(self.kind, Kind::Word | Kind::Quoted)
    }
}

/// Whether `b` may continue a bare word.
pub fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The tokens of `text`, comments and whitespace left out.
pub fn tokens(text: &str) -> Vec<Token> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let start = i;
        match b {
            b' ' | b'\t' | b'\r' | b'\n' => {
                i += 1;
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                i = memchr::memchr(b'\n', bytes.get(i..).unwrap_or(&[]))
                    .map_or(bytes.len(), |n| i + n);
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = memchr::memmem::find(bytes.get(i + 2..).unwrap_or(&[]), b"*/")
                    .map_or(bytes.len(), |n| i + 2 + n + 2);
                continue;
            }
            b'"' => {
                i += 1;
                while let Some(&c) = bytes.get(i) {
                    match c {
                        b'\\' => i += 2,
                        b'"' => {
                            i += 1;
                            break;
                        }
                        // A raw newline ends an unterminated name.
                        b'\n' => break,
                        _ => i += 1,
                    }
                }
                i = i.min(bytes.len());
                out.push(Token {
                    kind: Kind::Quoted,
                    start,
                    end: i,
                });
            }
            b'-' if bytes.get(i + 1) == Some(&b'>') => {
                i += 2;
                out.push(Token {
                    kind: Kind::Arrow,
                    start,
                    end: i,
                });
            }
            b if b.is_ascii_alphabetic() || b == b'_' => {
                while bytes.get(i).is_some_and(|&c| is_word_byte(c)) {
                    i += 1;
                }
                out.push(Token {
                    kind: Kind::Word,
                    start,
                    end: i,
                });
            }
            _ => {
                let c = text
                    .get(i..)
                    .and_then(|rest| rest.chars().next())
                    .unwrap_or('?');
                i += c.len_utf8();
                out.push(Token {
                    kind: Kind::Punct(c),
                    start,
                    end: i,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_are_skipped_and_strings_may_be_open() {
        let text = "connector /* c */ shop { // x\n endpoint \"a b";
        let kinds: Vec<(Kind, &str)> = tokens(text)
            .iter()
            .map(|t| (t.kind, t.text(text)))
            .collect();
        assert_eq!(
            kinds,
            [
                (Kind::Word, "connector"),
                (Kind::Word, "shop"),
                (Kind::Punct('{'), "{"),
                (Kind::Word, "endpoint"),
                (Kind::Quoted, "\"a b"),
            ]
        );
    }
}
