//! YAML text to the JSON value model that the rest of `openapi` reads.
//!
//! Built from yaml-rust2's event stream rather than its `Yaml` tree for
//! three reasons: an alias is expanded by copying its anchor, so a few
//! lines of nested aliases (a "billion laughs" file) would take all memory
//! unless the copies are counted; a value nested thousands deep would
//! overflow the stack when dropped unless the depth is bounded; and each
//! error should carry its line and column. Scalars are resolved as the
//! YAML 1.2 core schema says (plain `true`, `null`, `12`, `1.5` are not
//! strings; quoted ones are), and mapping keys become strings (`200:` is
//! the key `"200"`), as JSON needs.

use serde_json::{Map, Number, Value};
use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use super::json::Orders;

/// How deep mappings and sequences may nest.
const MAX_DEPTH: usize = 256;

/// How many values alias expansions may copy in one file, in all.
const MAX_ALIAS_NODES: usize = 4_000_000;

/// Why a YAML text could not be read: what, and where (1-based line and
/// column).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct YamlError {
    pub(crate) message: String,
    pub(crate) line: usize,
    pub(crate) column: usize,
}

impl YamlError {
    fn at(mark: Marker, message: impl Into<String>) -> Self {
        YamlError {
            message: message.into(),
            line: mark.line().max(1),
            column: mark.col() + 1,
        }
    }
}

/// A mapping or sequence being built, with its anchor and, for a mapping,
/// the key waiting for its value and, for a security requirement, its keys
/// in the order written (the value model keeps keys sorted).
enum Open {
    Sequence(Vec<Value>, usize),
    Mapping(
        Map<String, Value>,
        usize,
        Option<String>,
        Option<Vec<String>>,
    ),
}

/// Parses the first document of `text`; `Ok(None)` when there is none.
/// The key order of every security requirement naming several schemes
/// (a mapping in a list under a `security` key) is added to `orders`, as
/// [`super::json::parse`] does.
pub(crate) fn parse(text: &str, orders: &mut Orders) -> Result<Option<Value>, YamlError> {
    let mut parser = Parser::new_from_str(text);
    let mut stack: Vec<Open> = Vec::new();
    let mut anchors: Vec<(usize, Value, usize)> = Vec::new();
    let mut copied = 0usize;
    loop {
        let (event, mark) = parser
            .next_token()
            .map_err(|error| YamlError::at(*error.marker(), error.info()))?;
        let (value, anchor) = match event {
            Event::StreamEnd => return Ok(None),
            Event::Nothing | Event::StreamStart | Event::DocumentStart | Event::DocumentEnd => {
                continue;
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _)
                if stack.len() >= MAX_DEPTH =>
            {
                let _ = anchor;
                return Err(YamlError::at(
                    mark,
                    format!("values nest more than {MAX_DEPTH} deep"),
                ));
            }
            Event::SequenceStart(anchor, _) => {
                stack.push(Open::Sequence(Vec::new(), anchor));
                continue;
            }
            Event::MappingStart(anchor, _) => {
                let requirement = match stack.as_slice() {
                    [.., Open::Mapping(_, _, Some(key), _), Open::Sequence(..)] => {
                        key == "security"
                    }
                    _ => false,
                };
                stack.push(Open::Mapping(
                    Map::new(),
                    anchor,
                    None,
                    requirement.then(Vec::new),
                ));
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => match stack.pop() {
                Some(Open::Sequence(items, anchor)) => (Value::Array(items), anchor),
                Some(Open::Mapping(map, anchor, _, order)) => {
                    if let Some(order) = order.filter(|order| order.len() > 1) {
                        orders.push(order);
                    }
                    (Value::Object(map), anchor)
                }
                None => return Err(YamlError::at(mark, "unbalanced end of a collection")),
            },
            Event::Scalar(text, style, anchor, tag) => {
                let value = if style == TScalarStyle::Plain && tag.is_none() {
                    plain(&text)
                } else {
                    Value::String(text)
                };
                (value, anchor)
            }
            Event::Alias(id) => {
                let Some((_, value, size)) = anchors.iter().rev().find(|(a, _, _)| *a == id) else {
                    return Err(YamlError::at(mark, "alias to an unknown anchor"));
                };
                copied = copied.saturating_add(*size);
                if copied > MAX_ALIAS_NODES {
                    return Err(YamlError::at(
                        mark,
                        "aliases expand to too many values (over 4,000,000)",
                    ));
                }
                (value.clone(), 0)
            }
        };
        if anchor > 0 {
            anchors.push((anchor, value.clone(), size_of(&value)));
        }
        match stack.last_mut() {
            None => return Ok(Some(value)),
            Some(Open::Sequence(items, _)) => items.push(value),
            Some(Open::Mapping(map, _, key, order)) => match key.take() {
                None => *key = Some(key_text(value, mark)?),
                Some(name) => {
                    if map.contains_key(&name) {
                        return Err(YamlError::at(
                            mark,
                            format!("the key `{name}` is given twice in one mapping"),
                        ));
                    }
                    if let Some(order) = order {
                        order.push(name.clone());
                    }
                    map.insert(name, value);
                }
            },
        }
    }
}

/// The text of a mapping key: scalars as written (a number or a boolean
/// key becomes its text).
fn key_text(value: Value, mark: Marker) -> Result<String, YamlError> {
    match value {
        Value::String(text) => Ok(text),
        Value::Null => Ok("null".to_owned()),
        Value::Bool(flag) => Ok(flag.to_string()),
        Value::Number(number) => Ok(number.to_string()),
        Value::Array(_) | Value::Object(_) => Err(YamlError::at(
            mark,
            "a mapping key that is a collection is not supported",
        )),
    }
}

/// How many values `value` holds (itself included), for the alias budget.
fn size_of(value: &Value) -> usize {
    let mut count = 0usize;
    let mut pending = vec![value];
    while let Some(value) = pending.pop() {
        count += 1;
        match value {
            Value::Array(items) => pending.extend(items),
            Value::Object(map) => pending.extend(map.values()),
            _ => {}
        }
    }
    count
}

/// A plain scalar as the YAML 1.2 core schema reads it.
fn plain(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    let integer = if let Some(hex) = text.strip_prefix("0x") {
        i64::from_str_radix(hex, 16).ok()
    } else if let Some(octal) = text.strip_prefix("0o") {
        i64::from_str_radix(octal, 8).ok()
    } else if text
        .bytes()
        .all(|b| b.is_ascii_digit() || b == b'-' || b == b'+')
    {
        text.parse::<i64>().ok()
    } else {
        None
    };
    if let Some(integer) = integer {
        return Value::Number(integer.into());
    }
    let numeric = text.bytes().any(|b| b.is_ascii_digit())
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E'));
    if numeric && let Some(number) = text.parse::<f64>().ok().and_then(Number::from_f64) {
        return Value::Number(number);
    }
    Value::String(text.to_owned())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    fn parse(text: &str) -> Result<Option<serde_json::Value>, super::YamlError> {
        super::parse(text, &mut Vec::new())
    }

    #[test]
    fn requirement_orders_are_kept() {
        let text = "security:\n  - secret: []\n    clientId: []\n  - {one: []}\n\
                    paths:\n  /a:\n    get:\n      security: [{z: [], a: [s]}]\n\
                    other: [{y: [], x: []}]\n";
        let mut orders = Vec::new();
        assert!(super::parse(text, &mut orders).is_ok());
        assert_eq!(
            orders,
            [vec!["secret", "clientId"], vec!["z", "a"]]
                .map(|order| order.iter().map(|s| s.to_string()).collect::<Vec<_>>())
        );
    }

    #[test]
    fn scalars_follow_the_core_schema_and_keys_become_strings() {
        let text = "a: 1\nb: '1'\nc: true\nd: ~\ne: 1.5\n200: ok\nf: [x, \"y\"]\n";
        assert_eq!(
            parse(text),
            Ok(Some(json!({
                "a": 1, "b": "1", "c": true, "d": null, "e": 1.5, "200": "ok", "f": ["x", "y"]
            })))
        );
    }

    #[test]
    fn aliases_copy_their_anchor_within_a_budget() {
        assert_eq!(
            parse("a: &x {k: v}\nb: *x\n"),
            Ok(Some(json!({"a": {"k": "v"}, "b": {"k": "v"}})))
        );
        let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for level in 1..10 {
            let previous = format!("*a{}", level - 1);
            let items = [previous.as_str(); 10].join(", ");
            bomb.push_str(&format!("a{level}: &a{level} [{items}]\n"));
        }
        let error = parse(&bomb).err().map(|error| error.message);
        assert!(error.is_some_and(|message| message.contains("too many")));
    }

    #[test]
    fn errors_say_where() {
        let error = parse("a: [1, 2\nb: c\n").err();
        assert!(error.as_ref().is_some_and(|e| e.line >= 1), "{error:?}");
        let twice = parse("a: 1\na: 2\n").err();
        assert_eq!(
            twice.map(|e| (e.line, e.message.contains("twice"))),
            Some((2, true))
        );
        let deep = format!("{}1{}", "[".repeat(300), "]".repeat(300));
        assert!(parse(&deep).is_err());
        assert_eq!(parse(""), Ok(None));
    }
}
