//! The language as written: names, comments, options blocks, keywords, and
//! what syntax errors say.

use authgate::syntax::parse;
use authgate::syntax::tree::{CommentKind, File, Item, Member, Value};
use authgate::{Code, Sources, compile};

/// Parses `text` alone; the sources live for the rest of the test run.
fn parse_ok(text: &str) -> File<'static> {
    let mut sources = Sources::new();
    let id = sources.add("t.gate", text);
    let sources: &'static Sources = Box::leak(Box::new(sources));
    let file = sources.get(id).expect("added");
    match parse(sources, file) {
        Ok(tree) => tree,
        Err(diagnostic) => panic_with(&diagnostic),
    }
}

#[expect(clippy::panic, reason = "a test fails by panicking")]
fn panic_with(diagnostic: &authgate::Diagnostic) -> ! {
    panic!("unexpected syntax error: {diagnostic}")
}

fn syntax_message(text: &str) -> String {
    let mut sources = Sources::new();
    let id = sources.add("t.gate", text);
    let file = sources.get(id).expect("added");
    let diagnostic = parse(&sources, file).expect_err("does not parse");
    assert_eq!(diagnostic.code(), Code::Syntax);
    diagnostic.to_string()
}

#[test]
fn comments_are_kept_with_their_spans() {
    let text = "// head\nconnector c { /* in */ auth a: basic } // tail";
    let tree = parse_ok(text);
    let comments: Vec<(CommentKind, &str, u32)> = tree
        .comments
        .iter()
        .map(|c| (c.kind, c.text, c.span.start))
        .collect();
    assert_eq!(
        comments,
        [
            (CommentKind::Line, "// head", 0),
            (CommentKind::Block, "/* in */", 22),
            (CommentKind::Line, "// tail", 47),
        ]
    );
    for comment in &tree.comments {
        assert_eq!(text.get(comment.span.range()), Some(comment.text));
    }
}

#[test]
fn quoted_and_bare_names_are_the_same_name() {
    let tree = parse_ok(
        r#"instance "orders" of shop < auth: basic > instance orders of "shop" < "auth": basic >"#,
    );
    let names: Vec<(&str, &str)> = tree
        .items
        .iter()
        .filter_map(|item| match item {
            Item::Instance(i) => Some((i.name.text.as_ref(), i.connector.text.as_ref())),
            _ => None,
        })
        .collect();
    assert_eq!(names, [("orders", "shop"), ("orders", "shop")]);
}

#[test]
fn quoted_names_resolve_escapes_and_keep_unicode() {
    let tree = parse_ok(r#"instance "say \"hi\" \\ café ✓" of shop < auth: basic >"#);
    let Some(Item::Instance(instance)) = tree.items.first() else {
        unreachable!("one instance parsed");
    };
    assert_eq!(instance.name.text, r#"say "hi" \ café ✓"#);
}

#[test]
fn keywords_are_contextual() {
    let tree = parse_ok(
        "connector connector { auth auth: basic auth of: token endpoint endpoint < auth: [auth, of] > }\n\
         instance of of connector < auth: auth >\n\
         flow flow { connection of -> endpoint }",
    );
    assert_eq!(tree.items.len(), 3);
    let Some(Item::Connector(connector)) = tree.items.first() else {
        unreachable!("connector first");
    };
    assert_eq!(connector.name.text, "connector");
    let Some(Member::Endpoint(endpoint)) = connector.members.get(2) else {
        unreachable!("endpoint third");
    };
    let auth = &endpoint.options.as_ref().expect("options").entries;
    let Some(Value::List(list)) = auth.first().map(|e| &e.value) else {
        unreachable!("a list");
    };
    let names: Vec<&str> = list.items.iter().map(|n| n.text.as_ref()).collect();
    assert_eq!(names, ["auth", "of"]);
}

#[test]
fn keywords_need_a_word_boundary() {
    // `connectorx` is not `connector x`.
    assert_eq!(
        syntax_message("connectorx shop {}"),
        "expected `connector`, `instance`, `flow` or `test`, found `connectorx`"
    );
}

#[test]
fn trailing_commas_are_allowed() {
    let mut sources = Sources::new();
    sources.add(
        "t.gate",
        "connector c { auth a: basic auth b: token endpoint e < auth: [a, b,], > }\n\
         instance i of c < auth: a, >",
    );
    let compiled = compile(&sources);
    assert!(
        compiled.diagnostics.is_empty(),
        "{:?}",
        compiled.diagnostics
    );
}

#[test]
fn whitespace_and_newlines_mean_nothing() {
    let compact = "connector c{auth a:basic endpoint e<auth:[a]>}instance i of c<auth:a>";
    let spread = "connector\n\tc\r\n{\n auth\ta\n:\nbasic\nendpoint e <\n auth : [ a ] > } instance i\nof c < auth : a >";
    let strip = |file: File| -> Vec<String> {
        file.items
            .iter()
            .map(|item| match item {
                Item::Connector(c) => format!("connector {} {}", c.name.text, c.members.len()),
                Item::Instance(i) => format!("instance {} {}", i.name.text, i.connector.text),
                Item::Flow(f) => format!("flow {}", f.name.text),
                Item::Test(t) => format!("test {}", t.name.text),
            })
            .collect()
    };
    assert_eq!(strip(parse_ok(compact)), strip(parse_ok(spread)));
}

#[test]
fn empty_files_and_comment_only_files_parse() {
    assert!(parse_ok("").items.is_empty());
    assert_eq!(parse_ok("// only a comment\n/* and */").comments.len(), 2);
    assert!(
        parse_ok("\u{feff}connector c { auth a: basic }")
            .items
            .len()
            == 1
    );
}

/// A byte-order mark is accepted only as the file's first
/// character; one in the middle is invisible and likely a paste accident.
#[test]
fn a_byte_order_mark_is_accepted_only_at_the_start() {
    assert_eq!(parse_ok("\u{feff}// start\n").comments.len(), 1);
    for text in [
        "connector c { \u{feff}auth a: basic }",
        "connector c { auth a: basic }\n\u{feff}",
        " \u{feff}connector c { auth a: basic }",
        "\u{feff}\u{feff}connector c { auth a: basic }",
    ] {
        let message = syntax_message(text);
        assert!(
            message.ends_with("found a byte-order mark (U+FEFF)"),
            "{text:?}: {message}"
        );
    }
}

#[test]
fn syntax_errors_say_what_was_expected_in_words() {
    let cases = [
        (
            "connector shop { auth basic basic }",
            "expected `:`, found `basic`",
        ),
        (
            "connector shop { auth a: basic endpoint e < auth: [a > }",
            "expected `]` or `,`, found `>`",
        ),
        (
            "connector shop {",
            "expected `}`, `auth` or `endpoint`, found end of file",
        ),
        ("instance i shop", "expected `of`, found `shop`"),
        ("flow f { connection a b }", "expected `->`, found `b`"),
        ("connector 9shop {}", "expected a name, found `9shop`"),
        ("instance \"i of shop", "unterminated quoted name"),
        ("instance \"\" of shop", "empty quoted name"),
        (
            "instance \"i\\n\" of shop",
            "unknown escape `\\n` in a quoted name",
        ),
        ("/* never closed", "unterminated block comment"),
        (
            "hello",
            "expected `connector`, `instance`, `flow` or `test`, found `hello`",
        ),
        (
            "\u{0}",
            "expected `connector`, `instance`, `flow` or `test`, found control character U+0000",
        ),
    ];
    for (text, message) in cases {
        assert_eq!(syntax_message(text), message, "for {text:?}");
    }
}

#[test]
fn syntax_errors_point_at_the_offending_token() {
    let mut sources = Sources::new();
    let id = sources.add("t.gate", "connector shop {\n  auth basic basic\n}");
    let file = sources.get(id).expect("added");
    let diagnostic = parse(&sources, file).expect_err("does not parse");
    let span = diagnostic.primary_span().expect("labelled");
    assert_eq!(file.slice(span), "basic");
    assert_eq!(file.line_column(span.start as usize).line, 2);
    assert_eq!(file.line_column(span.start as usize).column, 14);
}

/// Every rule file the project ships or tests with, and mutations of them.
fn corpus() -> Vec<String> {
    let mut texts: Vec<String> = crate::support::rule_files()
        .into_iter()
        .filter_map(|bytes| String::from_utf8(bytes).ok())
        .collect();
    texts.extend(
        [
            "",
            "//",
            "/**/",
            "/* a */ // b\r\n",
            "\u{feff}",
            "connector",
            "connector c {",
            "connector c {}",
            "instance \"\" of c",
            "instance \"a\\\\\" of c < >",
            "flow f { connection a -> b connection \"c\" -> \"d\" }",
            "endpoint e < auth: [] >",
            "connector c { auth a: b endpoint e < x: [a,], y: z, > }",
            "connector c { , }",
            "instance i of c < auth: [a b] >",
            "instance i of c < auth: a,, >",
            "flow f { - > }",
            "connector c { endpoint e < auth: [a] > auth a: basic }// end",
            "connector c {/*\n*/auth a:basic}",
            "instance i of c <auth:a>//\r",
        ]
        .map(str::to_owned),
    );
    let mut mutated = Vec::new();
    for text in &texts {
        // Cut at every 7th byte boundary, and drop single characters.
        let boundaries: Vec<usize> = text.char_indices().map(|(i, _)| i).step_by(7).collect();
        for &cut in &boundaries {
            mutated.push(text.get(..cut).unwrap_or_default().to_owned());
            let mut dropped = text.clone();
            if cut < dropped.len() {
                dropped.remove(cut);
            }
            mutated.push(dropped);
        }
    }
    texts.extend(mutated);
    texts
}

/// The fast parser and the pest grammar accept the same files and build the
/// same trees, comments included; `roundtrip.rs` does the same over
/// generated and garbled files.
#[test]
fn the_fast_parser_agrees_with_the_grammar() {
    let corpus = corpus();
    assert!(corpus.len() > 1000, "corpus too small: {}", corpus.len());
    let mut accepted = 0;
    for text in &corpus {
        let mut sources = Sources::new();
        let id = sources.add("t.gate", text.as_str());
        let file = sources.get(id).expect("added");
        let fast = authgate::syntax::parse_fast(file);
        let reference = authgate::syntax::parse_reference(&sources, file).ok();
        assert_eq!(fast, reference, "parsers disagree on {text:?}");
        // The path every tool takes: the fast parser's tree, or the
        // grammar's syntax error (never an internal one).
        match parse(&sources, file) {
            Ok(tree) => assert_eq!(Some(tree), fast, "on {text:?}"),
            Err(diagnostic) => {
                assert!(fast.is_none(), "{diagnostic} on {text:?}");
                assert!(
                    !diagnostic.to_string().starts_with("internal error"),
                    "{diagnostic} on {text:?}"
                );
            }
        }
        accepted += usize::from(fast.is_some());
    }
    // Both outcomes are exercised.
    assert!(
        accepted > 50 && accepted < corpus.len() - 50,
        "accepted {accepted}"
    );
}
