//! The plain reader: a request written plainly, read in one walk.
//!
//! Nearly every request is written plainly (known keys, each
//! once, names without escapes), and the plain reader
//! (`Request::read_plain`) reads those in one walk of its own, leaving
//! anything else to serde_json, which reads it the same and gives the
//! errors. The walk steps over the few bytes between strings one by one,
//! compares a key as one word with each known key's, and finds a string's
//! closing quote eight bytes at a time with exact byte masks (no SIMD
//! intrinsics: the crate has no unsafe code). Escapes and control
//! characters are looked for once, over the whole line, by a fold the
//! compiler vectorises; only on a line with one are a string's bytes
//! looked at again. The UTF-8 check, a pass of its own in the standard
//! library, `eval` makes once per buffer of lines ([`Request::parse_str`]).
//! On a runtime request with five scopes this reads a line, the UTF-8
//! check included, in about 1,550 instructions (callgrind), where reading
//! name by name, each string searched on its own, took 2,250. The
//! searches a word at a time are in `words.rs`; half this file is the
//! tests that hold the walk to serde_json's reading.

use std::borrow::Cow;

use super::words::{Quotes, closing_quote, has_odd, quotes, string_end};
use super::{Field, INLINE_SCOPES, Request, Scopes};

impl<'a> Request<'a> {
    /// The request in `text` when it is written plainly
    /// ([`Request::read_plain`]).
    #[cfg(test)]
    fn plain(text: &'a str) -> Option<Request<'a>> {
        let mut request = Request::ABSENT;
        request.read_plain(text).map(|()| request)
    }

    /// Fills this request, every field left out, with `text` when it is
    /// written plainly, as nearly every request is: one object of known
    /// keys, each once, whose values are strings without escapes (or, for
    /// `scopes`, a list of them). `None` for anything else (escapes,
    /// control characters in strings, `null`, other types, repeated or
    /// unknown keys, malformed text), which serde_json then reads, with
    /// its errors; the request is then partly filled, and dropped. What
    /// this reads, serde_json reads the same (tests hold them together).
    #[inline(always)]
    pub(super) fn read_plain(&mut self, text: &'a str) -> Option<()> {
        let request = self;
        let mut cursor = Plain::new(text);
        cursor.byte(b'{')?;
        if !cursor.eat(b'}') {
            loop {
                let key = cursor.key()?;
                cursor.byte(b':')?;
                let field = match key {
                    Key::Instance => &mut request.instance,
                    Key::Connector => &mut request.connector,
                    Key::Auth => &mut request.auth,
                    Key::Endpoint => &mut request.endpoint,
                    Key::Scopes if matches!(request.scopes, Scopes::Absent) => {
                        cursor.byte(b'[')?;
                        let start = cursor.at;
                        let mut end = start;
                        request.scopes = Scopes::Few(0, [""; INLINE_SCOPES]);
                        let Scopes::Few(stored, few) = &mut request.scopes else {
                            return None;
                        };
                        let mut count = 0;
                        if !cursor.eat(b']') {
                            // The names' quotes, found as the list is read:
                            // each word of it is looked at once.
                            let mut quotes = Quotes::new(text.as_bytes(), cursor.at);
                            loop {
                                cursor.skip_space();
                                let open = quotes.next()?;
                                let close = quotes.next()?;
                                // Nothing the cursor stepped over is a
                                // quote: the next one is this name's when
                                // the name is next.
                                if open != cursor.at {
                                    return None;
                                }
                                let name = cursor.body(open + 1, close)?;
                                if let Some(slot) = few.get_mut(count) {
                                    *slot = name;
                                }
                                count += 1;
                                end = cursor.at;
                                // `,"`, as lists are mostly written, is
                                // one look.
                                if let Some(b",\"") = text.as_bytes().get(end..end + 2) {
                                    cursor.at += 1;
                                    continue;
                                }
                                if cursor.eat(b']') {
                                    break;
                                }
                                cursor.byte(b',')?;
                            }
                        }
                        match u8::try_from(count) {
                            Ok(count) if usize::from(count) <= INLINE_SCOPES => *stored = count,
                            _ => request.scopes = Scopes::Plain(text.get(start..end)?),
                        }
                        if cursor.eat(b'}') {
                            break;
                        }
                        cursor.byte(b',')?;
                        continue;
                    }
                    Key::Scopes => return None,
                };
                if !matches!(field, Field::Absent) {
                    return None;
                }
                *field = Field::Name(Cow::Borrowed(cursor.string()?));
                if cursor.eat(b'}') {
                    break;
                }
                cursor.byte(b',')?;
            }
        }
        cursor.skip_space();
        (cursor.at == text.len()).then_some(())
    }
}

/// The names of a list written plainly ([`Scopes::Plain`]): the plain
/// reader found them to be strings without escapes, so every other piece
/// between quotes is a name.
pub(super) fn plain_names(text: &str) -> impl Iterator<Item = &str> {
    text.split('"').skip(1).step_by(2)
}

/// A key a request may hold.
#[derive(Clone, Copy)]
enum Key {
    Instance,
    Connector,
    Auth,
    Endpoint,
    Scopes,
}

impl Key {
    /// The key named `name`, if it is one.
    fn of(name: &str) -> Option<Key> {
        Some(match name.as_bytes() {
            b"instance" => Key::Instance,
            b"connector" => Key::Connector,
            b"auth" => Key::Auth,
            b"endpoint" => Key::Endpoint,
            b"scopes" => Key::Scopes,
            _ => return None,
        })
    }
}

/// A cursor over a request written plainly ([`Request::read_plain`]). The few
/// bytes between strings (punctuation, perhaps spaces) are read one by
/// one, a key as a word or two compared whole, a string's closing quote
/// looked for eight bytes at a time. A string's bytes are looked at
/// again only on a line with a backslash or a control character
/// somewhere ([`has_odd`]). Everything here is inlined into
/// [`Request::read_plain`], where the cursor lives in registers.
struct Plain<'a> {
    text: &'a str,
    at: usize,
    /// Whether the text has a backslash or a control character.
    odd: bool,
}

impl<'a> Plain<'a> {
    #[inline(always)]
    fn new(text: &'a str) -> Self {
        Plain {
            text,
            at: 0,
            odd: has_odd(text.as_bytes()),
        }
    }

    /// Skips JSON's whitespace: nearly always none, seen by one look at
    /// the next byte.
    #[inline(always)]
    fn skip_space(&mut self) {
        if let Some(b' ' | b'\t' | b'\n' | b'\r') = self.text.as_bytes().get(self.at) {
            self.at = after_space(self.text.as_bytes(), self.at);
        }
    }

    /// Whether `byte` comes next (after whitespace); steps over it if so.
    #[inline(always)]
    fn eat(&mut self, byte: u8) -> bool {
        let bytes = self.text.as_bytes();
        let mut next = bytes.get(self.at);
        if let Some(b' ' | b'\t' | b'\n' | b'\r') = next {
            self.at = after_space(bytes, self.at);
            next = bytes.get(self.at);
        }
        let found = next == Some(&byte);
        self.at += usize::from(found);
        found
    }

    /// `byte` next, or `None`.
    #[inline(always)]
    fn byte(&mut self, byte: u8) -> Option<()> {
        self.eat(byte).then_some(())
    }

    /// A known key next (after whitespace), with its quotes, or `None`.
    /// The eight bytes after the opening quote are compared as one word
    /// with each key's (`auth` and `scopes` with their closing quote);
    /// only a line too short for that reads the key as a string.
    #[inline(always)]
    fn key(&mut self) -> Option<Key> {
        const AUTH: u64 = (1 << 40) - 1;
        const SCOPES: u64 = (1 << 56) - 1;
        self.skip_space();
        let bytes = self.text.as_bytes();
        let Some([b'"', rest @ ..]) = bytes.get(self.at..) else {
            return None;
        };
        let Some(first) = rest.first_chunk::<8>() else {
            return Key::of(self.string()?);
        };
        let first = u64::from_le_bytes(*first);
        let (key, length) = if first & AUTH == u64::from_le_bytes(*b"auth\"\0\0\0") {
            (Key::Auth, 5)
        } else if first & SCOPES == u64::from_le_bytes(*b"scopes\"\0") {
            (Key::Scopes, 7)
        } else {
            let next = rest.get(8).copied();
            match &first.to_le_bytes() {
                b"endpoint" if next == Some(b'"') => (Key::Endpoint, 9),
                b"instance" if next == Some(b'"') => (Key::Instance, 9),
                b"connecto" if next == Some(b'r') && rest.get(9) == Some(&b'"') => {
                    (Key::Connector, 10)
                }
                _ => return None,
            }
        };
        self.at += 1 + length;
        Some(key)
    }

    /// A string next (after whitespace), without escapes or control
    /// characters, borrowed.
    #[inline(always)]
    fn string(&mut self) -> Option<&'a str> {
        self.skip_space();
        let bytes = self.text.as_bytes();
        if bytes.get(self.at) != Some(&b'"') {
            return None;
        }
        let start = self.at + 1;
        // A short string ends in its first word: looked at here.
        let end = match bytes.get(start..).and_then(<[u8]>::first_chunk::<8>) {
            Some(word) if quotes(u64::from_le_bytes(*word)) != 0 => {
                start + (quotes(u64::from_le_bytes(*word)).trailing_zeros() / 8) as usize
            }
            _ => closing_quote(bytes, start)?,
        };
        self.body(start, end)
    }

    /// The string whose body is `start..end` (its closing quote at `end`),
    /// if it has no escapes or control characters; the cursor then steps
    /// past it.
    #[inline(always)]
    fn body(&mut self, start: usize, end: usize) -> Option<&'a str> {
        if self.odd && string_end(self.text.as_bytes().get(start..end)?).is_some() {
            return None;
        }
        self.at = end + 1;
        // `"` is ASCII: both ends are character boundaries.
        self.text.get(start..end)
    }
}

/// Where the whitespace at `at` in `bytes` ends. Out of line: spaces
/// between a request's tokens are rare, and [`Request::read_plain`]'s cursor
/// stays in registers.
#[inline(never)]
fn after_space(bytes: &[u8], at: usize) -> usize {
    let rest = bytes.get(at..).unwrap_or_default();
    at + rest
        .iter()
        .take_while(|&&b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        .count()
}

#[cfg(test)]
mod tests {
    use super::super::{RequestError, not_valid};
    use super::*;
    use proptest::prelude::*;

    /// A JSON value as a request line may hold one: plain and escaped
    /// strings (short and long, beyond ASCII, with bytes that sit next to
    /// `"` in a word), lists of them (beyond [`INLINE_SCOPES`] too), and
    /// what is not a name.
    fn value() -> impl Strategy<Value = String> {
        let string = prop_oneof![
            4 => "[a-z .:/é#!\u{7f}€]{0,30}".prop_map(|s| format!("\"{s}\"")),
            1 => "[a-z\"\\\\\u{1}\t\n/]{0,6}".prop_map(|s| serde_json::to_string(&s).unwrap_or_default()),
            1 => "[a-z]{0,9}[\u{1}\t\n\u{1f}][a-z]{0,9}".prop_map(|s| format!("\"{s}\"")),
            1 => prop::sample::select(vec![
                "\"a\\u0041\"", "\"a\\/b\"", "\"\\\"\"", "\"unterminated", "\"\"", "\"\\\"",
            ]).prop_map(str::to_owned),
        ];
        let space = prop::sample::select(vec!["", " ", "\n", " \t\r\n "]);
        prop_oneof![
            6 => string.clone(),
            2 => (prop::collection::vec(string, 0..12), space)
                .prop_map(|(items, space)| format!("[{space}{}{space}]", items.join(&format!("{space},{space}")))),
            1 => prop::sample::select(vec![
                "null", "7", "-1.5e3", "true", "{}", "[1]", "[", "]", "[\"a\",]", "[,\"a\"]",
                "{\"a\":[1,{\"b\":null}]}", "[\"a\" \"b\"]", "[null]", "[[\"a\"]]",
            ]).prop_map(str::to_owned),
        ]
    }

    /// A request line: known keys (some twice), unknown ones, JSON's
    /// whitespace anywhere, something after the object, or cut short.
    fn line() -> impl Strategy<Value = String> {
        let key = prop::sample::select(vec![
            "instance",
            "connector",
            "auth",
            "endpoint",
            "scopes",
            "other",
            "Instance",
            "connecto",
            "endpoints",
            "inst\\u0061nce",
            "scope",
            "",
        ]);
        let space = prop::sample::select(vec!["", " ", "\t", "  ", "\r", "\n", " \r\n\t"]);
        (
            prop::collection::vec((key, space.clone(), value()), 0..7),
            space.clone(),
            prop::sample::select(vec!["", "", "", "}", " x", ",", " \"\"", "\u{1}"]),
            any::<prop::sample::Index>(),
            prop::bool::weighted(0.1),
        )
            .prop_map(|(pairs, space, tail, cut, cut_short)| {
                let body: Vec<String> = pairs
                    .iter()
                    .map(|(key, space, value)| format!("{space}\"{key}\"{space}:{space}{value}"))
                    .collect();
                let line = format!(
                    "{space}{{{}}}{space}{tail}",
                    body.join(&format!("{space},"))
                );
                if cut_short {
                    let at = cut.index(line.len() + 1);
                    (0..=at)
                        .rev()
                        .find_map(|at| line.get(..at))
                        .unwrap_or_default()
                        .to_owned()
                } else {
                    line
                }
            })
    }

    /// A request as clients write it: known keys, each once, names
    /// without escapes, compact or spaced.
    fn clean_line() -> impl Strategy<Value = String> {
        let name = "[a-zA-Z0-9 .:/_#!é€-]{0,40}";
        (
            prop::sample::select(vec!["", " ", "\n  ", "\t"]),
            prop::option::of(name),
            prop::option::of(name),
            prop::option::of(name),
            prop::option::of(name),
            prop::option::of(prop::collection::vec(name, 0..20)),
            prop::sample::subsequence(vec![0, 1, 2, 3, 4], 5).prop_shuffle(),
        )
            .prop_map(
                |(space, instance, connector, auth, endpoint, scopes, order)| {
                    let strings = [instance, connector, auth, endpoint];
                    let keys = ["instance", "connector", "auth", "endpoint"];
                    let mut fields = Vec::new();
                    for index in order {
                        let value = match (keys.get(index), strings.get(index)) {
                            (Some(_), Some(Some(value))) => format!("\"{value}\""),
                            (None, _) => match &scopes {
                                Some(names) => format!(
                                    "[{space}{}{space}]",
                                    names
                                        .iter()
                                        .map(|name| format!("\"{name}\""))
                                        .collect::<Vec<_>>()
                                        .join(&format!("{space},{space}"))
                                ),
                                None => continue,
                            },
                            _ => continue,
                        };
                        let key = keys.get(index).copied().unwrap_or("scopes");
                        fields.push(format!("\"{key}\"{space}:{space}{value}"));
                    }
                    format!(
                        "{space}{{{space}{}{space}}}{space}",
                        fields.join(&format!("{space},{space}"))
                    )
                },
            )
    }

    /// What a request holds, however it was read: its fields, and its
    /// scopes as a list (the plain reader keeps them as text, or in
    /// place).
    fn shape(request: &Request<'_>) -> String {
        let scopes = match request.scopes {
            Scopes::Absent => "absent".to_owned(),
            Scopes::Null => "null".to_owned(),
            _ => format!("{:?}", request.scope_names().collect::<Vec<_>>()),
        };
        format!(
            "{:?} {:?} {:?} {:?} {scopes}",
            request.instance, request.connector, request.auth, request.endpoint
        )
    }

    /// What serde_json alone makes of `line`: the request's shape, or the
    /// error [`Request::parse`] gives.
    fn serde_reading(line: &str) -> Result<String, RequestError> {
        serde_json::from_str::<Request<'_>>(line)
            .map(|request| shape(&request))
            .map_err(not_valid)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// What the plain reader reads, serde_json reads the same; and a
        /// line read whole reads as serde_json reads it, errors included.
        #[test]
        fn the_plain_reader_agrees_with_serde_json(line in line()) {
            if let Some(plain) = Request::plain(&line) {
                let read: Result<Request<'_>, _> = serde_json::from_str(&line);
                prop_assert!(read.is_ok(), "{line}: {read:?}");
                prop_assert_eq!(read.ok().as_ref().map(shape), Some(shape(&plain)));
            }
            let parsed = Request::parse(line.as_bytes()).map(|request| shape(&request));
            prop_assert_eq!(parsed, serde_reading(&line), "{}", line);
        }

        /// Requests as clients write them, compact or spaced, take the
        /// plain reader, and read as serde_json reads them.
        #[test]
        fn clean_requests_take_the_plain_reader(line in clean_line()) {
            let plain = Request::plain(&line).map(|request| shape(&request));
            prop_assert!(plain.is_some(), "{}", line);
            prop_assert_eq!(plain.ok_or_else(|| RequestError::new("")), serde_reading(&line));
        }
    }

    /// Short lists are kept as read, long ones as text read again: both
    /// give every name, in order, as serde_json does.
    #[test]
    fn plain_scope_lists_of_any_length_keep_their_names() {
        for count in [0, 1, INLINE_SCOPES, INLINE_SCOPES + 1, 300] {
            let names: Vec<String> = (0..count).map(|i| format!("crm.s{i}.read")).collect();
            let line = serde_json::json!({"connector": "c", "auth": "o", "endpoint": "e", "scopes": names})
                .to_string()
                .replace(',', " , ");
            let plain = Request::plain(&line);
            assert!(plain.is_some(), "{line}");
            let read: Vec<&str> = plain
                .as_ref()
                .map(|r| r.scope_names().collect())
                .unwrap_or_default();
            assert_eq!(read, names, "{line}");
            assert_eq!(plain.as_ref().map(Request::names_scopes), Some(count > 0));
        }
    }

    /// Requests as clients write them take the plain reader.
    #[test]
    fn plain_requests_are_read_plainly() {
        for line in [
            r#"{"instance":"i3","endpoint":"e7"}"#,
            r#"{"connector": "hubspot", "auth": "oauth", "endpoint": "GET /deals", "scopes": ["crm.objects.deals.read", "a b"]}"#,
            r#" { "endpoint" : "e" , "scopes" : [ ] } "#,
            "{\n  \"instance\": \"i 3\",\n\t\"endpoint\": \"GET /é\"\n}\r\n",
            r##"{"auth":"#","connector":"x/","endpoint":"#"}"##,
            r#"{}"#,
        ] {
            assert!(Request::plain(line).is_some(), "{line}");
        }
        for line in [
            r#"{"instance":"i\u0033","endpoint":"e7"}"#,
            r#"{"instance":null,"endpoint":"e7"}"#,
            r#"{"instance":"a","instance":"b"}"#,
            r#"{"endpoint":"e"} x"#,
            r#"{"endpoint":"e	f"}"#,
            "{\"endpoint\":\"e\"}\u{0}",
            r#"{"scopes":["a"],"scopes":["b"]}"#,
            r#"{"scopes":["a\"b"]}"#,
            r#"{"auth":"a""#,
            r#"{"connector":"#,
        ] {
            assert!(Request::plain(line).is_none(), "{line}");
        }
    }
}
