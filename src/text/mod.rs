//! Words for people: how names are shown and listed in messages, help,
//! reasons and snippets.
//!
//! Every list that reaches a person goes through `list`, so a connector
//! with 1,500 endpoints never produces a 1,500-name sentence: lists are cut
//! after a few names with "and N more". And a name is user input: a quoted
//! name may hold control characters (a terminal escape sequence, a
//! carriage return that overwrites the line) or invisible and
//! bidirectional-control characters that make text read other than it is.
//! [`escape`] writes them as `\u{..}` wherever a person reads a name, and
//! snippets of source show them as `?` or U+FFFD.

pub(crate) mod names;
pub mod suggest;

use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt;

/// How many names a list shows before "and N more".
pub(crate) const SHOWN: usize = 8;

/// "`a`, `b` and `c`": at most eight names in backticks, then "and N
/// more"; `count` is how many `names` yields in all. An empty list is
/// "nothing".
pub fn list<'n>(names: impl Iterator<Item = &'n str>, count: usize) -> String {
    let mut text = String::new();
    // Writing into a String can't fail.
    let _ = write_list(&mut text, names, count);
    text
}

/// Where words for people go: any [`fmt::Write`] (a message, a line on a
/// terminal), or the body of a JSON string (`eval`'s answers), which
/// escapes what it must as it goes, so that a reason is written once and
/// not written, then escaped.
pub trait Words {
    /// Writes words of a message's own, which hold nothing a JSON string
    /// escapes (no `"`, `\\` or control character): copied as they are.
    fn fixed(&mut self, text: &'static str) -> fmt::Result;

    /// Writes `text`, a name or words from elsewhere.
    fn words(&mut self, text: &str) -> fmt::Result;

    /// Writes a name the rules declare (a connector, method, endpoint,
    /// instance or scope): as [`Words::words`], unless the writer knows
    /// that no name of the rules needs escaping, when it is copied.
    fn name(&mut self, text: &str) -> fmt::Result {
        self.words(text)
    }

    /// Writes a name as the rules write it: `text` (e.g. `"a.b"`, quotes
    /// included), or `json`, the same already escaped for a JSON string
    /// (`\"a.b\"`), whichever this writes. Names in items are written in
    /// every answer about scopes; their escaped form is made once.
    fn written(&mut self, text: &str, json: &str) -> fmt::Result;

    /// Marks where the words of an item (`oauth("a", "b")`) in a reason
    /// begin: a writer that writes the item again after the reason (an
    /// answer's `"item"`) copies it from there. Nothing by default.
    fn item_begins(&mut self) {}

    /// Marks where the words of the item [`Words::item_begins`] marked end.
    fn item_ends(&mut self) {}
}

impl<W: fmt::Write + ?Sized> Words for W {
    fn fixed(&mut self, text: &'static str) -> fmt::Result {
        self.write_str(text)
    }

    fn words(&mut self, text: &str) -> fmt::Result {
        self.write_str(text)
    }

    fn written(&mut self, text: &str, _json: &str) -> fmt::Result {
        self.write_str(text)
    }
}

/// [`list`] of names the rules declare ([`Words::name`]) written into
/// `out`, allocating nothing (a reason of `eval` lists the scopes an
/// instance lacks in every such answer).
pub fn write_list<'n>(
    out: &mut impl Words,
    names: impl Iterator<Item = &'n str>,
    count: usize,
) -> fmt::Result {
    let mut names = names.take(SHOWN).peekable();
    let Some(first) = names.next() else {
        return out.fixed("nothing");
    };
    fn quoted(out: &mut impl Words, name: &str) -> fmt::Result {
        out.fixed("`")?;
        out.name(name)?;
        out.fixed("`")
    }
    quoted(out, first)?;
    let mut shown = 1;
    while let Some(name) = names.next() {
        shown += 1;
        let last = names.peek().is_none() && count <= SHOWN;
        out.fixed(if last { " and " } else { ", " })?;
        quoted(out, name)?;
    }
    if shown > 1 && count > SHOWN {
        out.words(&format!(" and {} more", count - shown))?;
    }
    Ok(())
}

/// "a, b or c" (`conjunction` between the last two) for items already
/// written for people; cut like [`list`].
pub fn join(
    items: impl Iterator<Item = impl fmt::Display>,
    count: usize,
    conjunction: &str,
) -> String {
    let shown: Vec<String> = items.take(SHOWN).map(|item| item.to_string()).collect();
    match shown.as_slice() {
        [] => "nothing".to_owned(),
        [one] => one.clone(),
        [init @ .., last] if count <= SHOWN => {
            format!("{} {conjunction} {last}", init.join(", "))
        }
        all => format!("{} and {} more", all.join(", "), count - all.len()),
    }
}

/// Orders names as a person counts: runs of ASCII digits compare by
/// their value, so `tenant 4` comes before `tenant 12` (and `v2` before
/// `v10`); everything else compares as plain text. Names equal that way
/// (`a01` and `a1`) fall back to plain order, so this is a total order
/// that agrees with `==`. Every list of user names shown in name order
/// uses it.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut x, mut y) = (a.as_bytes(), b.as_bytes());
    loop {
        match (x.first(), y.first()) {
            (None, None) => return a.cmp(b),
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(c), Some(d)) if c.is_ascii_digit() && d.is_ascii_digit() => {
                let (number_x, rest_x) =
                    x.split_at(x.iter().take_while(|b| b.is_ascii_digit()).count());
                let (number_y, rest_y) =
                    y.split_at(y.iter().take_while(|b| b.is_ascii_digit()).count());
                // By value, however long: without leading zeros, a longer
                // number is larger, and numbers as long compare digitwise.
                let (value_x, value_y) = (without_zeros(number_x), without_zeros(number_y));
                let order = value_x.len().cmp(&value_y.len()).then(value_x.cmp(value_y));
                if order != Ordering::Equal {
                    return order;
                }
                (x, y) = (rest_x, rest_y);
            }
            (Some(c), Some(d)) => {
                if c != d {
                    // Bytes of UTF-8 order as their characters do.
                    return c.cmp(d);
                }
                (x, y) = (x.split_at(1).1, y.split_at(1).1);
            }
        }
    }
}

/// A run of digits without its leading zeros.
fn without_zeros(digits: &[u8]) -> &[u8] {
    let zeros = digits.iter().take_while(|&&b| b == b'0').count();
    digits.split_at(zeros).1
}

/// Whether `c` must not reach a person's terminal or page as it is: a
/// control character (other than a newline), an invisible format
/// character (zero-width space and joiners, soft hyphen, word joiner,
/// byte-order mark), a line or paragraph separator, or a bidirectional
/// control.
pub fn is_hidden(c: char) -> bool {
    (c.is_control() && c != '\n')
        || matches!(
            c,
            '\u{ad}'
                | '\u{61c}'
                | '\u{180e}'
                | '\u{200b}'..='\u{200f}'
                | '\u{2028}'..='\u{202e}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{206f}'
                | '\u{feff}'
                | '\u{fff9}'..='\u{fffb}'
        )
}

/// `text` with every [hidden](is_hidden) character written as `\u{..}`,
/// for reading (not for parsing back: a backslash is not doubled).
/// Borrowed when nothing is hidden.
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_hidden) {
        return Cow::Borrowed(text);
    }
    let mut escaped = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_hidden(c) {
            escaped.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            escaped.push(c);
        }
    }
    Cow::Owned(escaped)
}

/// Whether `bytes` are printable ASCII, tabs, newlines and carriage
/// returns before a newline only: what nearly every rule file is, found a
/// word of bytes at a time before [`for_snippets`] looks at characters.
fn is_plain(bytes: &[u8]) -> bool {
    // A fold rather than `all`: no early exit, so it vectorizes.
    let printable = bytes.iter().fold(true, |plain, &byte| {
        plain & (matches!(byte, 0x20..=0x7e) | (byte == b'\n') | (byte == b'\t') | (byte == b'\r'))
    });
    printable && memchr::memchr_iter(b'\r', bytes).all(|at| bytes.get(at + 1) == Some(&b'\n'))
}

/// A copy of a file's text to show in snippets: each hidden character
/// (but tabs, newlines and the carriage return of a CRLF, which miette
/// lays out) is replaced by one character of the same length in bytes
/// (`?`, `¿` or U+FFFD), so every span and every column still points at
/// the same place. `None` when nothing needs replacing.
pub(crate) fn for_snippets(text: &str) -> Option<String> {
    // A leading byte-order mark is where it belongs: keep it.
    let (bom, body) = match text.strip_prefix('\u{feff}') {
        Some(body) => ("\u{feff}", body),
        None => ("", text),
    };
    // A carriage return is shown only before a newline: alone, a terminal
    // would go back to the start of the line and write over it.
    let shown = |c: char, next: Option<char>| match c {
        '\t' => true,
        '\r' => next == Some('\n'),
        c => !is_hidden(c),
    };
    if is_plain(body.as_bytes()) {
        return None;
    }
    let mut chars = body.chars().peekable();
    let mut plain = true;
    while let Some(c) = chars.next() {
        plain &= shown(c, chars.peek().copied());
    }
    if plain {
        return None;
    }
    let mut copy = String::with_capacity(text.len());
    copy.push_str(bom);
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if shown(c, chars.peek().copied()) {
            copy.push(c);
        } else {
            // One character for one: columns stay the same too.
            copy.push(match c.len_utf8() {
                1 => '?',
                2 => '\u{bf}',
                _ => '\u{fffd}',
            });
        }
    }
    Some(copy)
}

#[cfg(test)]
mod tests {
    use super::{escape, for_snippets, join, list, natural_cmp};

    #[test]
    fn hidden_characters_are_escaped_for_people() {
        assert_eq!(escape("orders"), "orders");
        assert_eq!(escape("a\u{1b}[31mred"), "a\\u{1b}[31mred");
        assert_eq!(escape("x\ry"), "x\\u{d}y");
        assert_eq!(escape("\u{202e}gpj.exe"), "\\u{202e}gpj.exe");
        assert_eq!(escape("zero\u{200b}width"), "zero\\u{200b}width");
        assert_eq!(escape("help\nnext"), "help\nnext");
        assert_eq!(escape("café"), "café");
    }

    #[test]
    fn every_ascii_control_but_layout_is_replaced() {
        for byte in 0u8..0x80 {
            let text = format!("a{}b\n", char::from(byte));
            let kept = matches!(byte, 0x20..=0x7e | b'\n' | b'\t');
            assert_eq!(for_snippets(&text).is_none(), kept, "byte {byte:#04x}");
        }
    }

    #[test]
    fn snippets_keep_every_offset() {
        assert_eq!(for_snippets("plain\ttext\r\n"), None);
        assert_eq!(for_snippets("\u{feff}leading mark"), None);
        assert_eq!(for_snippets("a\rb\r\n").as_deref(), Some("a?b\r\n"));
        for text in ["a\u{1b}b", "a\u{85}b", "a\u{202e}b", "x\u{feff}", "\u{0}"] {
            let copy = for_snippets(text).unwrap_or_default();
            assert_eq!(copy.len(), text.len(), "{text:?} -> {copy:?}");
            assert!(!copy.chars().any(super::is_hidden), "{copy:?}");
        }
    }

    #[test]
    fn numbers_in_names_sort_by_value() {
        let mut names = vec![
            "tenant 12",
            "tenant 4",
            "tenant",
            "tenant 04",
            "b",
            "a10b",
            "a2",
            "a10a",
            "tenant 100",
            "v1.10",
            "v1.9",
            "x99999999999999999999999",
            "x100000000000000000000000",
        ];
        names.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            names,
            [
                "a2",
                "a10a",
                "a10b",
                "b",
                "tenant",
                "tenant 04",
                "tenant 4",
                "tenant 12",
                "tenant 100",
                "v1.9",
                "v1.10",
                "x99999999999999999999999",
                "x100000000000000000000000",
            ]
        );
        // A total order that agrees with equality.
        assert_eq!(natural_cmp("a1", "a1"), std::cmp::Ordering::Equal);
        assert_ne!(natural_cmp("a01", "a1"), std::cmp::Ordering::Equal);
        assert_eq!(natural_cmp("é2", "é10"), std::cmp::Ordering::Less);
        assert_eq!(natural_cmp("z", "é"), std::cmp::Ordering::Less);
    }

    #[test]
    fn lists_are_joined_and_cut() {
        assert_eq!(list(std::iter::empty(), 0), "nothing");
        assert_eq!(list(["a"].into_iter(), 1), "`a`");
        assert_eq!(list(["a", "b", "c"].into_iter(), 3), "`a`, `b` and `c`");
        assert_eq!(join(["`a`", "b"].into_iter(), 2, "or"), "`a` or b");
        let many: Vec<String> = (0..20).map(|i| format!("e{i}")).collect();
        let cut = list(many.iter().map(String::as_str), many.len());
        assert!(cut.ends_with("`e7` and 12 more"), "{cut}");
    }

    /// `list` writes what `join` writes of the names in backticks, at
    /// every length around the cut.
    #[test]
    fn a_written_list_is_a_joined_one() {
        let many: Vec<String> = (0..12).map(|i| format!("s{i}")).collect();
        for count in 0..=many.len() {
            let names = many.iter().take(count).map(String::as_str);
            let joined = join(names.clone().map(|name| format!("`{name}`")), count, "and");
            assert_eq!(list(names, count), joined, "{count} names");
        }
    }
}
