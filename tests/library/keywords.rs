//! The grammar files that cannot import `authgate::syntax::KEYWORDS` (the
//! pest grammar, the VS Code TextMate grammar) spell the same keywords,
//! read as text. The fast parser checks its own in debug builds, the
//! language server's semantic tokens take the list itself, and its
//! completion is held to it by a unit test.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code stops on a broken expectation"
)]

use std::collections::BTreeSet;
use std::path::Path;

use authgate::syntax::KEYWORDS;
use serde_json::Value;

fn read(path: &str) -> String {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

/// Fails naming what `file` has that `KEYWORDS` lacks, and the other way
/// round.
fn assert_same(file: &str, found: &BTreeSet<String>) {
    let keywords: BTreeSet<String> = KEYWORDS.iter().map(|&k| k.to_owned()).collect();
    let extra: Vec<_> = found.difference(&keywords).collect();
    let missing: Vec<_> = keywords.difference(found).collect();
    assert!(
        extra.is_empty() && missing.is_empty(),
        "{file} disagrees with `authgate::syntax::KEYWORDS`: \
         keywords only in {file}: {extra:?}; keywords missing from {file}: {missing:?}"
    );
}

/// Whether `text` is a word (a rule name, or a literal that could be a
/// keyword): letters and `_`, at least one letter.
fn is_word(text: &str) -> bool {
    text.bytes().any(|b| b.is_ascii_alphabetic())
        && text.bytes().all(|b| b.is_ascii_alphabetic() || b == b'_')
}

/// The pest grammar declares each keyword as a rule `kw_WORD = @{ "WORD"
/// ~ !ident_char }`; a word literal in any other rule would be a keyword
/// the list does not know of.
#[test]
fn the_pest_grammar_declares_the_keywords() {
    let grammar = read("grammar/authgate.pest");
    let mut found = BTreeSet::new();
    let mut problems = Vec::new();
    let mut rule = String::new();
    for line in grammar.lines() {
        let code = line.trim_start();
        if code.starts_with("//") {
            continue;
        }
        if let Some((name, _)) = code.split_once('=')
            && is_word(name.trim())
        {
            rule = name.trim().to_owned();
        }
        for literal in literals(code).iter().filter(|l| is_word(l)) {
            match rule.strip_prefix("kw_") {
                Some(spelled) if spelled == literal => {
                    found.insert(literal.to_owned());
                }
                Some(spelled) => problems.push(format!(
                    "rule `{rule}` matches `{literal}`, not `{spelled}`"
                )),
                None => problems.push(format!(
                    "rule `{rule}` spells the word `{literal}` inline, not as a `kw_` rule"
                )),
            }
        }
    }
    assert!(problems.is_empty(), "grammar/authgate.pest: {problems:#?}");
    assert_same("grammar/authgate.pest", &found);
}

/// The string literals of a line of the pest grammar, escapes kept.
fn literals(line: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut chars = line.chars();
    while chars.any(|c| c == '"') {
        let mut literal = String::new();
        while let Some(c) = chars.next() {
            match c {
                '"' => break,
                '\\' => literal.extend([c].into_iter().chain(chars.next())),
                _ => literal.push(c),
            }
        }
        found.push(literal);
    }
    found
}

/// The contents of the capturing groups of `regex`, in the order they
/// open (escapes and character classes skipped).
fn groups(regex: &str) -> Vec<String> {
    let chars: Vec<char> = regex.chars().collect();
    let mut open: Vec<(Option<usize>, usize)> = Vec::new();
    let mut found: Vec<String> = Vec::new();
    let mut class = false;
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 1,
            '[' if !class => class = true,
            ']' if class => class = false,
            '(' if !class => {
                let capturing = chars.get(i + 1) != Some(&'?');
                let slot = capturing.then(|| {
                    found.push(String::new());
                    found.len() - 1
                });
                open.push((slot, i + 1));
            }
            ')' if !class => {
                if let Some((Some(slot), start)) = open.pop() {
                    found[slot] = chars[start..i].iter().collect();
                }
            }
            _ => {}
        }
        i += 1;
    }
    found
}

/// The words of an alternation such as `cannot|can|sees`, or of one word
/// between `\b`s.
fn alternatives(regex: &str) -> impl Iterator<Item = String> {
    regex
        .replace("\\b", "")
        .split('|')
        .filter(|w| is_word(w))
        .map(str::to_owned)
        .collect::<Vec<_>>()
        .into_iter()
}

/// Collects, from a TextMate rule and those inside it, every word that it
/// scopes as `keyword.…`: a capture group of its `match` or `begin` so
/// named, or its whole `match` if the rule is.
fn textmate_keywords(rule: &Value, found: &mut BTreeSet<String>) {
    match rule {
        Value::Object(fields) => {
            for (regex, captures) in [("match", "captures"), ("begin", "beginCaptures")] {
                let Some(regex) = fields.get(regex).and_then(Value::as_str) else {
                    continue;
                };
                let groups = groups(regex);
                if let Some(Value::Object(captures)) = fields.get(captures) {
                    for (number, capture) in captures {
                        let keyword = capture["name"]
                            .as_str()
                            .is_some_and(|n| n.starts_with("keyword."));
                        let group = number.parse::<usize>().ok().and_then(|n| match n {
                            0 => Some(regex),
                            n => groups.get(n - 1).map(String::as_str),
                        });
                        if let (true, Some(group)) = (keyword, group) {
                            found.extend(alternatives(group));
                        }
                    }
                }
                let named = fields
                    .get("name")
                    .and_then(Value::as_str)
                    .is_some_and(|n| n.starts_with("keyword."));
                if named {
                    let whole = groups.first().map_or(regex, String::as_str);
                    found.extend(alternatives(whole));
                }
            }
            for value in fields.values() {
                textmate_keywords(value, found);
            }
        }
        Value::Array(rules) => {
            for rule in rules {
                textmate_keywords(rule, found);
            }
        }
        _ => {}
    }
}

#[test]
fn the_textmate_grammar_scopes_the_keywords() {
    let path = "editors/vscode/syntaxes/authgate.tmLanguage.json";
    let grammar: Value = serde_json::from_str(&read(path)).unwrap();
    let mut found = BTreeSet::new();
    textmate_keywords(&grammar, &mut found);
    assert_same(path, &found);
}

/// The reading of TextMate rules above finds what it is meant to: a test
/// that found nothing would pass on an empty grammar too.
#[test]
fn textmate_keywords_are_read_from_groups_and_named_matches() {
    let rule = serde_json::json!({"patterns": [
        {"match": "\\b(flow|test)\\s+([a-z]+)(?:x)(of)", "captures": {
            "1": {"name": "keyword.other.block"},
            "2": {"name": "entity.name"},
            "3": {"name": "keyword.other.of"}
        }},
        {"name": "keyword.other.expectation", "match": "\\b(cannot|can)\\b(?=\\s)"},
        {"name": "support.type", "match": "\\b(none|basic)\\b"},
        {"name": "keyword.operator.arrow", "match": "->"}
    ]});
    let mut found = BTreeSet::new();
    textmate_keywords(&rule, &mut found);
    let expected: BTreeSet<String> = ["flow", "test", "of", "cannot", "can"]
        .map(str::to_owned)
        .into();
    assert_eq!(found, expected);
}
