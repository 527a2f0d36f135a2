//! Nothing panics, whatever the input: random bytes and token
//! mutations of the shipped rules and fixtures go through the whole
//! pipeline (parse, check, compile, render every diagnostic as text and
//! JSON); every diagnostic's labels lie inside their file. And hostile
//! inputs: huge lines and names, many items, NUL bytes, byte-order marks,
//! CRLF and tabs.

use crate::support::Rng;
use authgate::diagnostics::render::{Style, render_human, to_json};
use authgate::{Principal, Sources, compile};

/// Runs everything a user can run on `files` and checks the diagnostics'
/// spans. Panics (failing the test) only on a broken invariant.
fn run_everything(files: &[Vec<u8>]) {
    let mut sources = Sources::new();
    for (index, bytes) in files.iter().enumerate() {
        sources.add_bytes(format!("f{index}.gate"), bytes.clone());
    }
    let compiled = compile(&sources);
    for diagnostic in &compiled.diagnostics {
        assert!(diagnostic.code().to_string().starts_with("authgate::"));
        assert!(!diagnostic.to_string().is_empty());
        for label in diagnostic.labels() {
            let file = sources.get(label.span.file).expect("label in a known file");
            assert!(
                label.span.start <= label.span.end && label.span.end as usize <= file.text().len(),
                "label {:?} outside {} ({} bytes)",
                label.span,
                file.name(),
                file.text().len()
            );
            assert!(file.text().is_char_boundary(label.span.start as usize));
            assert!(file.text().is_char_boundary(label.span.end as usize));
        }
        let _ = render_human(
            diagnostic,
            Style {
                color: false,
                width: 80,
            },
        );
        let _ = to_json(diagnostic);
    }
    if let Some(policy) = compiled.policy {
        for name in ["", "x", "instance 1", "\0"] {
            let decision = policy.decide(Principal::Instance(name), "orders");
            let _ = policy.describe(&decision);
        }
    }
}

/// Splits text into tokens and the gaps between them, roughly: enough to
/// delete, duplicate, swap and truncate at token boundaries.
fn tokens(text: &[u8]) -> Vec<Vec<u8>> {
    let mut tokens: Vec<Vec<u8>> = Vec::new();
    let mut current = Vec::new();
    for &byte in text {
        let boundary = !(byte.is_ascii_alphanumeric() || byte == b'_');
        if boundary {
            if !current.is_empty() {
                tokens.push(std::mem::take(&mut current));
            }
            tokens.push(vec![byte]);
        } else {
            current.push(byte);
        }
    }
    if !current.is_empty() {
        tokens.push(current);
    }
    tokens
}

#[test]
fn token_mutations_of_valid_files_never_panic() {
    let corpus = crate::support::rule_files();
    let mut rng = Rng::new(0x5EED);
    let mut runs = 0;
    for text in &corpus {
        let tokens = tokens(text);
        for _ in 0..150 {
            let mut mutated = tokens.clone();
            for _ in 0..=rng.below(3) {
                let at = rng.below(mutated.len());
                match rng.below(5) {
                    0 if !mutated.is_empty() => {
                        mutated.remove(at);
                    }
                    1 if !mutated.is_empty() => {
                        let copy = mutated[at].clone();
                        mutated.insert(at, copy);
                    }
                    2 if mutated.len() > 1 => {
                        let other = rng.below(mutated.len());
                        mutated.swap(at, other);
                    }
                    3 => mutated.truncate(at),
                    _ => {
                        // A token from elsewhere in the corpus.
                        let donor = &corpus[rng.below(corpus.len())];
                        let donor = self::tokens(donor);
                        if let Some(token) = donor.get(rng.below(donor.len())) {
                            mutated.insert(at.min(mutated.len()), token.clone());
                        }
                    }
                }
            }
            run_everything(&[mutated.concat(), text.clone()]);
            runs += 1;
        }
    }
    assert!(runs > 3_000, "only {runs} runs");
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = Rng::new(0xB17E5);
    for length in [0, 1, 2, 3, 7, 64, 1_000, 20_000] {
        for _ in 0..40 {
            let bytes: Vec<u8> = (0..length).map(|_| rng.next_u64() as u8).collect();
            run_everything(&[bytes]);
            // Mostly-ASCII noise reaches the parser and checker more often.
            let alphabet = b"connectorinstanceflowauthendpoint{}<>[]:,->\" \n/*";
            let text: Vec<u8> = (0..length)
                .map(|_| alphabet[rng.below(alphabet.len())])
                .collect();
            run_everything(&[text]);
        }
    }
}

// ---- hostile inputs -------------------------------------------------------

fn errors(texts: &[&[u8]]) -> Vec<String> {
    let mut sources = Sources::new();
    for (index, text) in texts.iter().enumerate() {
        sources.add_bytes(format!("h{index}.gate"), text.to_vec());
    }
    compile(&sources)
        .diagnostics
        .iter()
        .map(|d| format!("{}: {}", d.code(), d))
        .collect()
}

#[test]
fn a_ten_megabyte_line_is_one_clear_error() {
    let mut line =
        b"connector shop { auth basic: basic endpoint orders < auth: [basic] > } // ".to_vec();
    line.extend(std::iter::repeat_n(b'x', 10 << 20));
    line.extend_from_slice(b"\ninstance i of shop < auth: basic >\n");
    assert_eq!(
        errors(&[&line]),
        Vec::<String>::new(),
        "a long comment is fine"
    );
    let mut bad = vec![b'x'; 10 << 20];
    bad.extend_from_slice(b" {");
    assert_eq!(
        errors(&[&bad]),
        [
            "authgate::syntax: expected `connector`, `instance`, `flow` or `test`, found `xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx`"
        ]
    );
}

#[test]
fn a_million_character_name_works() {
    let name = "n".repeat(1_000_000);
    let text = format!(
        "connector c {{ auth a: basic endpoint {name} < auth: [a] > }}\ninstance \"{name}\" of c < auth: a >"
    );
    let mut sources = Sources::new();
    sources.add("big.gate", text);
    let policy = compile(&sources).policy.expect("compiles");
    assert!(policy.decide(Principal::Instance(&name), &name).available());
}

#[test]
fn a_hundred_thousand_items_compile() {
    let mut text = String::from("connector c { auth a: basic endpoint e < auth: [a] > }\n");
    for i in 0..100_000 {
        text.push_str(&format!("instance i{i} of c < auth: a >\n"));
    }
    let mut sources = Sources::new();
    sources.add("many.gate", text);
    let compiled = compile(&sources);
    assert_eq!(compiled.summary.instances, 100_000);
    let policy = compiled.policy.expect("compiles");
    assert!(
        policy
            .decide(Principal::Instance("i99999"), "e")
            .available()
    );
}

#[test]
fn nul_bytes_are_syntax_errors_with_their_place() {
    let found = errors(&[b"connector c { auth a: basic }\n\0\n"]);
    assert_eq!(
        found,
        [
            "authgate::syntax: expected `connector`, `instance`, `flow`, `test` or end of file, found control character U+0000"
        ]
    );
    // Inside a quoted name, NUL is a character like any other, but one
    // nobody can see: a warning, not an error.
    assert_eq!(
        errors(&[b"connector \"a\0b\" { auth a: basic endpoint e < auth: [a] > }"]),
        ["authgate::confusable_name: connector `a\0b` holds a hidden character"]
    );
}

#[test]
fn byte_order_marks_crlf_and_tabs_are_fine() {
    let text = "\u{feff}connector c {\r\n\tauth a: basic\r\n\tendpoint e < auth: [a] >\r\n}\r\ninstance i of c < auth: a >\r\n";
    assert_eq!(errors(&[text.as_bytes()]), Vec::<String>::new());
    // Columns count characters, a tab is one: `oops` is on line 3, column 2.
    let mut sources = Sources::new();
    let id = sources.add("t.gate", "connector c {\r\n\tauth a: basic\r\n\toops\r\n}");
    let compiled = compile(&sources);
    let span = compiled.diagnostics[0].primary_span().expect("labelled");
    let file = sources.get(id).expect("added");
    let position = file.line_column(span.start as usize);
    assert_eq!((position.line, position.column), (3, 2));
    assert_eq!(file.slice(span), "oops");
}

#[test]
fn a_diagnostic_on_a_huge_line_renders_a_window_of_it() {
    let mut text = "x".repeat(5 << 20);
    text.push_str(" oops ");
    text.push_str(&"y".repeat(5 << 20));
    let mut sources = Sources::new();
    sources.add("wide.gate", text);
    let compiled = compile(&sources);
    let rendered = render_human(
        &compiled.diagnostics[0],
        Style {
            color: false,
            width: 100,
        },
    );
    assert!(rendered.len() < 4_000, "rendered {} bytes", rendered.len());
    assert!(rendered.contains("wide.gate:1:1"), "{rendered}");
}

#[test]
fn twenty_thousand_diagnostics_in_a_big_file_all_render() {
    // 20,000 diagnostics over 40,000 lines, all rendered. Not how fast
    // (labels come from the file's line index, not a scan from the top):
    // timings belong in `benches/`, which has no rendering benchmark yet.
    let mut text = String::from("connector c { auth a: basic\n");
    for i in 0..20_000 {
        text.push_str(&format!("endpoint e{i} < auth: [b] >\n\n"));
    }
    text.push('}');
    let mut sources = Sources::new();
    sources.add("big.gate", text);
    let compiled = compile(&sources);
    assert_eq!(compiled.diagnostics.len(), 20_000);
    let total: usize = compiled
        .diagnostics
        .iter()
        .map(|d| {
            render_human(
                d,
                Style {
                    color: false,
                    width: 100,
                },
            )
            .len()
        })
        .sum();
    assert!(total > 0);
}

/// A connector with as many methods as endpoints, each endpoint
/// activating a few, once took memory (and time) as endpoints x methods
/// and aborted at 500,000 x 500,000. Memory now follows the input.
#[test]
fn a_wide_connector_costs_memory_in_proportion_to_its_text() {
    const N: usize = 20_000;
    let mut text = String::from("connector wide {\n");
    for method in 0..N {
        text.push_str(&format!("    auth m{method}: token\n"));
    }
    for endpoint in 0..N {
        let (a, b) = (endpoint, (endpoint * 7 + 1) % N);
        text.push_str(&format!(
            "    endpoint e{endpoint} < auth: [m{a}, m{b}] >\n"
        ));
    }
    text.push_str("}\ninstance last of wide < auth: m19999 >\n");
    let mut sources = Sources::new();
    sources.add("wide.gate", text.as_str());
    let compiled = compile(&sources);
    let policy = compiled.policy.expect("compiles");
    // Bit sets would be 20,000 x 20,000 bits: 50 MB for 1 MB of text.
    assert!(
        policy.heap_bytes() < 8 * text.len(),
        "{} bytes of policy for {} bytes of rules",
        policy.heap_bytes(),
        text.len()
    );
    assert!(
        policy
            .decide(Principal::Instance("last"), "e19999")
            .available()
    );
    // m19999 is also activated by the endpoint whose (i * 7 + 1) % N is it.
    let wide = policy.connector("wide").expect("declared");
    let method = policy.method(wide, "m19999").expect("declared");
    let seen: Vec<&str> = policy
        .visible(method)
        .iter()
        .filter_map(|&e| policy.endpoint_name(e))
        .collect();
    assert_eq!(seen, ["e5714", "e19999"]);
    assert!(!policy.decide(Principal::Instance("last"), "e0").available());
}

/// A report shows every line between two labels of one snippet,
/// so a label far from the primary one gets a snippet of its own; a
/// report does not grow with the distance between the two places.
#[test]
fn labels_far_apart_render_as_separate_snippets() {
    let mut text = String::from("connector c {\n    auth m: basic\n");
    for endpoint in 0..10_000 {
        text.push_str(&format!("    endpoint e{endpoint} < auth: [m] >\n"));
    }
    text.push_str("}\ninstance i of c < auth: m >\nflow f {\n");
    for _ in 0..10_000 {
        text.push_str("    // filler\n");
    }
    text.push_str("    connection i -> nope\n}\n");
    let mut sources = Sources::new();
    sources.add("far.gate", text.as_str());
    let compiled = compile(&sources);
    let unknown = compiled
        .diagnostics
        .iter()
        .find(|d| d.code().name() == "unknown_endpoint")
        .expect("the flow names no endpoint");
    let report = render_human(unknown, Style::default());
    assert!(report.lines().count() < 30, "{report}");
    assert!(report.contains("connection i -> nope"), "{report}");
    assert!(report.contains("an instance of `c`"), "{report}");
}

/// A thousand misspellings against thousands of names: every
/// misspelling is reported, and suggestions stop once the run's budget is
/// spent instead of comparing every pair.
#[test]
fn many_misspellings_are_all_reported_with_bounded_suggestions() {
    let mut text = String::from("connector shop {\n    auth basic: basic\n");
    for endpoint in 0..5_000 {
        text.push_str(&format!(
            "    endpoint orders_{endpoint} < auth: [basic] >\n"
        ));
    }
    text.push_str("}\ninstance i of shop < auth: basic >\nflow typos {\n");
    for typo in 0..5_000 {
        text.push_str(&format!("    connection i -> ordres_{typo}\n"));
    }
    text.push_str("}\n");
    let mut sources = Sources::new();
    sources.add("typos.gate", text.as_str());
    let compiled = compile(&sources);
    assert_eq!(compiled.summary.errors, 5_000);
    let suggested = compiled
        .diagnostics
        .iter()
        .filter(|d| d.help().is_some_and(|h| h.starts_with("did you mean")))
        .count();
    // The first ones get their suggestion; the budget (five million
    // cells plus four per byte) runs out long before 5,000 x 5,000 pairs.
    assert!(suggested > 0 && suggested < 1_000, "{suggested}");
    let first = compiled.diagnostics.first().and_then(|d| d.help());
    assert_eq!(first, Some("did you mean `orders_0`?"));
}
