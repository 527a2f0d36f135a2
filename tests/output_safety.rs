#![expect(clippy::expect_used, reason = "a test fails by panicking")]

//! Names are user input: whatever characters a quoted name holds, nothing
//! a person reads carries them raw (issue 9). A name can otherwise carry a
//! terminal escape sequence into a CI log, or a bidirectional control that
//! makes a line read other than it is.

use authgate::report::{Style, render_human, to_github};
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
            let line = to_github(diagnostic, &sources);
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
