//! Names are user input: whatever characters a quoted name holds, nothing
//! a person reads carries them raw. A name can otherwise carry a
//! terminal escape sequence into a CI log, or a bidirectional control that
//! makes a line read other than it is.

use authgate::diagnostics::render::{Style, render_human, to_github};
use authgate::{Sources, compile};

/// Characters that must never reach a terminal raw.
const HOSTILE: [char; 6] = [
    '\u{1b}', '\u{7}', '\u{85}', '\u{202e}', '\u{2066}', '\u{200b}',
];

fn rules_with(hostile: char) -> Sources {
    let mut sources = Sources::new();
    // `no_methods` names the connector in its message, labels the name in
    // the snippet; the instance's typo gets a help that names both.
    sources.add(
        "hostile.gate",
        format!(
            "connector \"evil{hostile}[2Jname\" {{\n    endpoint e < auth: [\"m{hostile}\"] >\n}}\n\
             instance \"i{hostile}\" of \"evil{hostile}[2Jnam\" < auth: m >\n"
        ),
    );
    sources
}

#[test]
fn human_reports_escape_hidden_characters_in_messages_labels_help_and_snippets() {
    for hostile in HOSTILE {
        let sources = rules_with(hostile);
        let compiled = compile(&sources);
        assert!(!compiled.diagnostics.is_empty());
        for diagnostic in &compiled.diagnostics {
            let text = render_human(diagnostic, Style::default());
            assert!(!text.contains(hostile), "{hostile:?} raw in:\n{text}");
        }
        let all: String = compiled
            .diagnostics
            .iter()
            .map(|d| render_human(d, Style::default()))
            .collect();
        let escaped = format!("\\u{{{:x}}}", u32::from(hostile));
        assert!(all.contains(&escaped), "no {escaped} in:\n{all}");
    }
}

#[test]
fn github_annotations_escape_hidden_characters() {
    for hostile in HOSTILE {
        let sources = rules_with(hostile);
        let compiled = compile(&sources);
        for diagnostic in &compiled.diagnostics {
            let line = to_github(diagnostic);
            assert!(!line.contains(hostile), "{hostile:?} raw in: {line}");
        }
    }
}

#[test]
fn snippets_keep_labels_in_place_after_a_hidden_character() {
    let sources = rules_with('\u{1b}');
    let compiled = compile(&sources);
    let unknown = compiled
        .diagnostics
        .iter()
        .find(|d| d.code().name() == "unknown_connector")
        .expect("the instance names no connector");
    let text = render_human(unknown, Style::default());
    // The snippet line shows `?` for the escape character, and the label's
    // underline starts under the quote that opens the name.
    let line = text
        .lines()
        .find(|line| line.contains("instance \"i?\" of"))
        .expect("the snippet shows the line with `?`");
    let under = text
        .lines()
        .skip_while(|l| *l != line)
        .nth(1)
        .expect("a label line follows");
    let quote = line.find("\"evil").expect("the connector name");
    let mark = under.find(['^', '─', '┬']).expect("an underline");
    assert_eq!(
        line[..quote].chars().count(),
        under[..mark].chars().count(),
        "\n{line}\n{under}"
    );
}

/// A lone carriage return (whitespace to the language) would send the
/// terminal back to the start of the line and hide what is under it.
#[test]
fn snippets_never_carry_a_lone_carriage_return() {
    let mut sources = Sources::new();
    sources.add(
        "cr.gate",
        "connector c { // harmless\rauth m: basic endpoint e < auth: [nope] > }\r\n",
    );
    let compiled = compile(&sources);
    assert!(!compiled.diagnostics.is_empty());
    for diagnostic in &compiled.diagnostics {
        let text = render_human(diagnostic, Style::default());
        assert!(!text.contains('\r'), "{text:?}");
    }
}

/// Labels far apart in another file than the primary label's get
/// snippets of their own too.
#[test]
fn far_labels_in_another_file_render_apart() {
    let mut sources = Sources::new();
    let mut main = String::from("connector c {\n    auth a: basic\n    auth b: token\n");
    for endpoint in 0..5_000 {
        main.push_str(&format!("    endpoint e{endpoint} < auth: [a] >\n"));
    }
    main.push_str("}\ninstance i of c < auth: b >\n");
    sources.add("main.gate", main);
    sources.add("flows.gate", "flow f { connection i -> e0 }\n");
    let compiled = compile(&sources);
    let unactivated = compiled
        .diagnostics
        .iter()
        .find(|d| d.code().name() == "unactivated_method")
        .expect("i's method b is not activated for e0");
    let report = render_human(unactivated, Style::default());
    assert!(report.lines().count() < 40, "{report}");
    assert!(report.contains("instance i of c"), "{report}");
    assert!(report.contains("endpoint e0 < auth: [a] >"), "{report}");
}

/// `confusable_name` flags letters made to look like another script's,
/// not names that use two scripts in earnest.
#[test]
fn names_that_mix_scripts_in_earnest_are_not_confusable() {
    let mut sources = Sources::new();
    sources.add(
        "scripts.gate",
        "connector c {\n    auth basic: basic\n    endpoint \"注文ID\" < auth: [basic] >\n    \
         endpoint \"Ελληνικά_v2\" < auth: [basic] >\n    endpoint \"m\u{430}ster\" < auth: [basic] >\n}\n",
    );
    let compiled = compile(&sources);
    let flagged: Vec<String> = compiled
        .diagnostics
        .iter()
        .filter(|d| d.code().name() == "confusable_name")
        .map(ToString::to_string)
        .collect();
    assert_eq!(flagged, ["endpoint `m\u{430}ster` mixes scripts"]);
}
