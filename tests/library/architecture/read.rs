//! Reading Rust source for the module graph: tokens without comments and
//! literals, `use` trees and inline paths.

#![allow(
    clippy::unwrap_used,
    reason = "test code stops on a broken expectation"
)]

use std::collections::BTreeSet;

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Tok {
    Ident(String),
    /// `::`
    PathSep,
    Punct(char),
}

#[derive(Clone, Debug)]
pub(super) struct Token {
    tok: Tok,
    line: usize,
}

pub(super) fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

pub(super) fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The identifiers, `::` and punctuation of Rust source, with their lines;
/// comments (doc comments too), strings, raw strings, byte strings, char
/// literals, lifetimes and numbers left out.
pub(super) fn tokenize(text: &str) -> Vec<Token> {
    let chars: Vec<char> = text.chars().collect();
    let at = |i: usize| chars.get(i).copied();
    let mut tokens = Vec::new();
    let mut line = 1;
    let mut i = 0;
    // Skips a quoted literal whose opening `"` is at `i`; returns the index
    // after its closing `"`.
    let skip_string = |mut i: usize, line: &mut usize| {
        i += 1;
        while let Some(c) = at(i) {
            match c {
                '\\' => {
                    if at(i + 1) == Some('\n') {
                        *line += 1;
                    }
                    i += 2;
                }
                '"' => return i + 1,
                '\n' => {
                    *line += 1;
                    i += 1;
                }
                _ => i += 1,
            }
        }
        i
    };
    while let Some(c) = at(i) {
        match c {
            '\n' => {
                line += 1;
                i += 1;
            }
            c if c.is_whitespace() => i += 1,
            '/' if at(i + 1) == Some('/') => {
                while at(i).is_some_and(|c| c != '\n') {
                    i += 1;
                }
            }
            '/' if at(i + 1) == Some('*') => {
                let mut depth = 0;
                while let Some(c) = at(i) {
                    if c == '/' && at(i + 1) == Some('*') {
                        depth += 1;
                        i += 2;
                    } else if c == '*' && at(i + 1) == Some('/') {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        if c == '\n' {
                            line += 1;
                        }
                        i += 1;
                    }
                }
            }
            '"' => i = skip_string(i, &mut line),
            '\'' => {
                if at(i + 1) == Some('\\') {
                    // '\n', '\'', '\u{..}'
                    i += 3;
                    while at(i).is_some_and(|c| c != '\'') {
                        i += 1;
                    }
                    i += 1;
                } else if at(i + 2) == Some('\'') {
                    i += 3;
                } else {
                    // A lifetime or a label.
                    i += 1;
                    while at(i).is_some_and(is_ident_char) {
                        i += 1;
                    }
                }
            }
            c if c.is_ascii_digit() => {
                while at(i).is_some_and(is_ident_char) {
                    i += 1;
                }
            }
            c if is_ident_start(c) => {
                let start = i;
                while at(i).is_some_and(is_ident_char) {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                let mut hashes = i;
                while at(hashes) == Some('#') {
                    hashes += 1;
                }
                let prefix = matches!(word.as_str(), "r" | "br" | "cr");
                if prefix && at(hashes) == Some('"') {
                    // r"…", r#"…"#: ends at `"` and as many `#`.
                    let count = hashes - i;
                    i = hashes + 1;
                    while let Some(c) = at(i) {
                        if c == '\n' {
                            line += 1;
                        }
                        i += 1;
                        if c == '"' && (0..count).all(|k| at(i + k) == Some('#')) {
                            i += count;
                            break;
                        }
                    }
                } else if matches!(word.as_str(), "b" | "c") && at(i) == Some('"') {
                    i = skip_string(i, &mut line);
                } else if word == "r" && hashes == i + 1 && at(hashes).is_some_and(is_ident_start) {
                    // r#ident: a raw identifier.
                    i = hashes;
                } else {
                    tokens.push(Token {
                        tok: Tok::Ident(word),
                        line,
                    });
                }
            }
            ':' if at(i + 1) == Some(':') => {
                tokens.push(Token {
                    tok: Tok::PathSep,
                    line,
                });
                i += 2;
            }
            c => {
                tokens.push(Token {
                    tok: Tok::Punct(c),
                    line,
                });
                i += 1;
            }
        }
    }
    tokens
}

// ---------------------------------------------------------------------------
// Paths: what each file names, relative to where it names it.

/// A path as written (`super::a::B`), with the module it was written in
/// (the file's, plus any inline modules it is in) and its line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Written {
    pub(super) segments: Vec<String>,
    pub(super) module: Vec<String>,
    pub(super) line: usize,
}

pub(super) fn ident(tokens: &[Token], i: usize) -> Option<&str> {
    match tokens.get(i).map(|t| &t.tok) {
        Some(Tok::Ident(word)) => Some(word),
        _ => None,
    }
}

pub(super) fn is(tokens: &[Token], i: usize, tok: &Tok) -> bool {
    tokens.get(i).is_some_and(|t| t.tok == *tok)
}

/// Reads the use tree at `*i` (after `use`, or inside a group), each of its
/// leaves as a whole path after `prefix`.
pub(super) fn use_tree(
    tokens: &[Token],
    i: &mut usize,
    prefix: &[String],
    out: &mut Vec<(Vec<String>, usize)>,
) {
    let mut segments = prefix.to_vec();
    let line = tokens.get(*i).map_or(0, |t| t.line);
    loop {
        match tokens.get(*i).map(|t| &t.tok) {
            Some(Tok::PathSep) => *i += 1,
            Some(Tok::Ident(word)) => {
                segments.push(word.clone());
                *i += 1;
                if is(tokens, *i, &Tok::PathSep) {
                    *i += 1;
                    continue;
                }
                if ident(tokens, *i) == Some("as") {
                    *i += 2;
                }
                out.push((segments, line));
                return;
            }
            Some(Tok::Punct('*')) => {
                *i += 1;
                out.push((segments, line));
                return;
            }
            Some(Tok::Punct('{')) => {
                *i += 1;
                loop {
                    match tokens.get(*i).map(|t| &t.tok) {
                        Some(Tok::Punct('}')) => {
                            *i += 1;
                            return;
                        }
                        Some(Tok::Punct(',')) => *i += 1,
                        None => return,
                        Some(_) => {
                            let before = *i;
                            use_tree(tokens, i, &segments, out);
                            if *i == before {
                                *i += 1;
                            }
                        }
                    }
                }
            }
            _ => return,
        }
    }
}

/// What a file says about modules: the paths it writes, and the modules it
/// declares in files of their own (`mod x;`).
pub(super) struct Read {
    pub(super) paths: Vec<Written>,
    pub(super) children: BTreeSet<String>,
}

/// The paths of a file whose module is `module`: every `use` tree's leaves,
/// and every path in code that starts with `crate`, `super`, `self`,
/// `authgate` or a name followed by `::` (which of those are this crate's
/// is decided on resolving).
pub(super) fn read(text: &str, module: &[String]) -> Read {
    let tokens = tokenize(text);
    let mut paths = Vec::new();
    let mut children = BTreeSet::new();
    // Inline modules: (name, brace depth inside them).
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0;
    let mut i = 0;
    let here = |inline: &[(String, usize)]| -> Vec<String> {
        module
            .iter()
            .cloned()
            .chain(inline.iter().map(|(name, _)| name.clone()))
            .collect()
    };
    while let Some(token) = tokens.get(i) {
        match &token.tok {
            Tok::Punct('{') => {
                depth += 1;
                i += 1;
            }
            Tok::Punct('}') => {
                if inline.last().is_some_and(|(_, d)| *d == depth) {
                    inline.pop();
                }
                depth = depth.saturating_sub(1);
                i += 1;
            }
            Tok::Ident(word) if word == "mod" => {
                if let Some(name) = ident(&tokens, i + 1) {
                    if is(&tokens, i + 2, &Tok::Punct(';')) && inline.is_empty() {
                        children.insert(name.to_owned());
                    } else if is(&tokens, i + 2, &Tok::Punct('{')) {
                        inline.push((name.to_owned(), depth + 1));
                    }
                }
                i += 2;
            }
            Tok::Ident(word) if word == "use" => {
                i += 1;
                let mut leaves = Vec::new();
                use_tree(&tokens, &mut i, &[], &mut leaves);
                let module = here(&inline);
                paths.extend(leaves.into_iter().map(|(segments, line)| Written {
                    segments,
                    module: module.clone(),
                    line,
                }));
            }
            Tok::Ident(_) if is(&tokens, i + 1, &Tok::PathSep) => {
                // A path in code, unless it continues one (`a::b` after `::`).
                let continues = i > 0 && is(&tokens, i - 1, &Tok::PathSep);
                let mut segments = Vec::new();
                let line = token.line;
                while let Some(word) = ident(&tokens, i) {
                    segments.push(word.to_owned());
                    i += 1;
                    if !is(&tokens, i, &Tok::PathSep) {
                        break;
                    }
                    i += 1;
                }
                if !continues {
                    paths.push(Written {
                        segments,
                        module: here(&inline),
                        line,
                    });
                }
            }
            _ => i += 1,
        }
    }
    Read { paths, children }
}
