//! Reports at real size: a failed `sees only` and repeated
//! declarations on a 1,500-endpoint connector stay a few lines, and help
//! names things that exist.

use std::fmt::Write as _;

use authgate::diagnostics::render::{Style, render_human};
use authgate::{Code, Decision, Diagnostic, Principal, Sources, compile};

/// How many endpoints a wide connector has.
const WIDE: usize = 1_500;

fn sources(text: &str) -> Sources {
    let mut sources = Sources::new();
    sources.add("rules.gate", text);
    sources
}

fn render(diagnostic: &Diagnostic) -> String {
    render_human(diagnostic, Style::default())
}

/// `wide` with `WIDE` endpoints `e0...` activating `basic`, and `admin`
/// activating only `token`.
fn wide_connector() -> String {
    let mut text = String::from("connector wide {\n    auth basic: basic\n    auth token: token\n");
    for i in 0..WIDE {
        writeln!(text, "    endpoint e{i} < auth: [basic] >").expect("write to a string");
    }
    text.push_str("    endpoint admin < auth: [token] >\n}\n");
    text
}

#[test]
fn a_failed_sees_only_on_a_wide_connector_says_what_differs_first_and_stays_short() {
    // Every endpoint but `e700`, and `admin`, which `basic` does not see.
    let mut text = wide_connector();
    text.push_str("test wide {\n    expect wide/basic sees only [admin");
    for i in (0..WIDE).filter(|&i| i != 700) {
        write!(text, ", e{i}").expect("write to a string");
    }
    text.push_str("]\n}\n");
    let sources = sources(&text);
    let compiled = compile(&sources);
    assert_eq!(compiled.summary.errors, 0, "{:?}", compiled.diagnostics);
    let policy = compiled.policy.expect("the rules compile");
    let reports = authgate::policy::expect::run(&policy, &compiled.tests);
    let [report] = reports.as_slice() else {
        panic!("one test, got {reports:?}");
    };
    let [failure] = report.failures.as_slice() else {
        panic!("one failure, got {:?}", report.failures);
    };
    // Programs get the whole difference.
    assert_eq!(failure.missing, ["admin"]);
    assert_eq!(failure.unexpected, ["e700"]);

    let diagnostic = failure.diagnostic(&report.name).finish(&sources);
    let rendered = render(&diagnostic);
    assert!(
        rendered.len() < 4_096,
        "{} bytes:\n{rendered}",
        rendered.len()
    );
    // The label is on the words before the list, and a long line is shown
    // as a window around it.
    let longest = rendered.lines().map(str::len).max().unwrap_or(0);
    assert!(longest <= 320, "a line of {longest} bytes:\n{rendered}");
    assert!(
        rendered.contains("─────────────┬─────────────\n"),
        "{rendered}"
    );
    let help = diagnostic.help().expect("help");
    assert!(
        help.starts_with("missing:    [`admin`]\nunexpected: [`e700`]\nexpected: "),
        "{help}"
    );
    assert!(help.contains("and 1492 more]"), "{help}");
    // The message cuts the expected list too.
    assert!(
        diagnostic
            .to_string()
            .starts_with("test `wide` failed: expected `wide/basic` sees only [`admin`, `e0`,"),
        "{diagnostic}"
    );
}

#[test]
fn repeated_declarations_are_one_diagnostic_per_name() {
    // 150 endpoints declared twice (the odd ones with another auth list),
    // and `many` declared 30 times.
    let mut text = wide_connector().replace("\n}\n", "\n");
    for i in 0..150 {
        let auth = if i % 2 == 0 { "basic" } else { "basic, token" };
        writeln!(text, "    endpoint e{i} < auth: [{auth}] >").expect("write to a string");
    }
    for _ in 0..30 {
        text.push_str("    endpoint many < auth: [basic] >\n");
    }
    text.push_str("}\n");
    let sources = sources(&text);
    let compiled = compile(&sources);
    let duplicates: Vec<&Diagnostic> = compiled
        .diagnostics
        .iter()
        .filter(|d| d.code() == Code::Duplicate)
        .collect();
    assert_eq!(duplicates.len(), 151);
    assert_eq!(compiled.diagnostics.len(), 151);

    let many = duplicates
        .iter()
        .find(|d| d.to_string() == "endpoint `many` is declared 30 times")
        .expect("one diagnostic for `many`");
    // The first few are labelled, the others listed by line in the help.
    let labels: Vec<&str> = many.labels().iter().map(|l| l.text.as_str()).collect();
    assert_eq!(labels.len(), 3, "{labels:?}");
    assert_eq!(labels.get(1), Some(&"first declared here"));
    assert!(
        labels
            .iter()
            .enumerate()
            .all(|(i, label)| i == 1 || *label == "declared again here, with the same auth list"),
        "{labels:?}"
    );
    let rendered = render(many);
    assert!(
        rendered.len() < 4_096,
        "{} bytes:\n{rendered}",
        rendered.len()
    );

    let same = duplicates
        .iter()
        .find(|d| d.to_string() == "endpoint `e0` is declared twice")
        .expect("`e0`");
    assert_eq!(
        same.labels().first().map(|l| l.text.as_str()),
        Some("declared again here, with the same auth list")
    );
    let differs = duplicates
        .iter()
        .find(|d| d.to_string() == "endpoint `e1` is declared twice")
        .expect("`e1`");
    assert_eq!(
        differs.labels().first().map(|l| l.text.as_str()),
        Some("declared again here; unlike the first, its auth list has `token`")
    );
    assert!(
        differs
            .help()
            .is_some_and(|h| h.contains("only the first declaration counts")),
        "{:?}",
        differs.help()
    );

    // Each report is a snippet or two, whatever the connector's size.
    let total: usize = duplicates.iter().map(|d| render(d).len()).sum();
    assert!(total < 151 * 1_200, "{total} bytes");
}

/// How many declarations a rendered `duplicate` accounts for: its labels,
/// the lines its help lists, the "and N more" after them, and the "in N
/// more files (M times)" after the files it names. Asserts that each
/// listed line is one of `lines` (where the name is declared, per file).
fn accounted_for(rendered: &str, diagnostic: &Diagnostic, lines: &[(String, usize)]) -> usize {
    let mut count = diagnostic.labels().len();
    let help = diagnostic.help().expect("help");
    for line in help.lines().skip(1) {
        if let Some(times) = line.strip_suffix(" times)") {
            let (_, times) = times.rsplit_once('(').expect("(M times)");
            count += times.parse::<usize>().expect("a count");
            continue;
        }
        let (place, listed) = line.split_once(" at line").expect("at line(s)");
        let file = place
            .split_once('`')
            .and_then(|(_, rest)| rest.split_once('`'))
            .map_or("", |(file, _)| file);
        let listed = listed.trim_start_matches('s').trim_start();
        let (numbers, more) = match listed.split_once(" more") {
            Some((before, _)) => {
                let (numbers, more) = before.rsplit_once(" and ").expect("and N more");
                (numbers, more.parse::<usize>().expect("N"))
            }
            None => (listed, 0),
        };
        count += more;
        for number in numbers
            .split([',', ' '])
            .filter(|n| !n.is_empty() && *n != "and")
        {
            let number: usize = number.parse().expect("a line number");
            assert!(
                lines
                    .iter()
                    .any(|(f, l)| *l == number && (file.is_empty() || f == file)),
                "{file}:{number} is no declaration:\n{rendered}"
            );
            count += 1;
        }
    }
    count
}

#[test]
fn a_name_declared_many_times_stays_one_short_report() {
    for times in [30, 1_000] {
        // An operation imported once per spec file: far apart in one
        // connector, twenty other endpoints between its declarations.
        let mut text = String::from("connector hubspot {\n    auth key: token\n");
        let mut lines = Vec::new();
        for k in 0..times {
            lines.push(("rules.gate".to_owned(), text.lines().count() + 1));
            text.push_str("    endpoint \"GET /crm/v3/objects\" < auth: [key] >\n");
            for j in 0..20 {
                writeln!(text, "    endpoint \"GET /part{k}/op{j}\" < auth: [key] >")
                    .expect("write to a string");
            }
        }
        text.push_str("}\n");
        let one_file = sources(&text);
        // A connector declared once in each of `times` files.
        let mut many_files = Sources::new();
        let mut places = Vec::new();
        for k in 0..times {
            let name = format!("rules/{k:04}.gate");
            places.push((name.clone(), k % 7 + 1));
            let text = format!(
                "{}connector shop {{\n    auth basic: basic\n    endpoint e{k} < auth: [basic] >\n}}\n",
                "\n".repeat(k % 7)
            );
            many_files.add(name, text);
        }
        for (sources, lines) in [(&one_file, &lines), (&many_files, &places)] {
            let compiled = compile(sources);
            let [duplicate] = compiled.diagnostics.as_slice() else {
                panic!("one diagnostic, got {:?}", compiled.diagnostics);
            };
            assert_eq!(duplicate.code(), Code::Duplicate);
            assert!(
                duplicate
                    .to_string()
                    .ends_with(&format!("is declared {times} times")),
                "{duplicate}"
            );
            let rendered = render(duplicate);
            let height = rendered.lines().count();
            assert!(height <= 40, "{height} lines:\n{rendered}");
            assert_eq!(
                accounted_for(&rendered, duplicate, lines),
                times,
                "{rendered}"
            );
        }
    }
}

#[test]
fn every_namespace_reports_a_repeated_name_once() {
    let text = "connector c { auth a: basic auth a: basic auth a: token endpoint e < auth: [a] > }\n\
                connector c { auth a: basic endpoint e < auth: [a] > }\n\
                connector c { auth a: basic endpoint e < auth: [a] > }\n\
                instance i of c < auth: a >\ninstance i of c < auth: a >\ninstance i of c < auth: a >\n\
                flow f { connection i -> e }\nflow f { connection i -> e }\nflow f { connection i -> e }\n\
                test t { expect i can see e }\ntest t { expect i can see e }\ntest t { expect i can see e }\n\
                connector d { auth a: basic endpoint e < auth: [a], auth: [a], auth: [a] > }\n";
    let compiled = compile(&sources(text));
    let messages: Vec<String> = compiled
        .diagnostics
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        messages,
        [
            "auth method `a` is declared 3 times",
            "connector `c` is declared 3 times",
            "instance `i` is declared 3 times",
            "flow `f` is declared 3 times",
            "test `t` is declared 3 times",
            "option `auth` is declared 3 times",
        ]
    );
    // A method declared again with another type says so.
    let method = compiled.diagnostics.first().expect("a diagnostic");
    let labels: Vec<&str> = method.labels().iter().map(|l| l.text.as_str()).collect();
    assert_eq!(
        labels,
        [
            "declared again here",
            "first declared here",
            "declared again here, as `token` (the first is `basic`)",
        ]
    );
}

/// The example a help gives between "e.g. `" and the next backtick.
fn example(help: &str) -> &str {
    help.split_once("e.g. `")
        .and_then(|(_, rest)| rest.split_once('`'))
        .map_or_else(|| panic!("no example in {help:?}"), |(example, _)| example)
}

const JIRA_METHODS: &str = "    auth basicAuth: basic\n    auth OAuth2: oauth2_authorization_code\n    \
                            auth anonymous: none\n";

#[test]
fn help_examples_name_methods_that_exist() {
    // `never_available`: following the help leaves no problem.
    let text = format!(
        "connector jira {{\n{JIRA_METHODS}    endpoint issues < auth: [basicAuth, OAuth2, anonymous] >\n    \
         endpoint archive < auth: [] >\n}}\n"
    );
    let compiled = compile(&sources(&text));
    let never = compiled
        .diagnostics
        .iter()
        .find(|d| d.code() == Code::NeverAvailable)
        .expect("never_available");
    let fix = example(never.help().expect("help"));
    assert_eq!(fix, "auth: [basicAuth]");
    let fixed = compile(&sources(&text.replace("auth: []", fix)));
    assert!(fixed.diagnostics.is_empty(), "{:?}", fixed.diagnostics);

    // `no_endpoints`: the example endpoint activates a real method.
    let text = format!("connector jira {{\n{JIRA_METHODS}}}\n");
    let compiled = compile(&sources(&text));
    let empty = compiled
        .diagnostics
        .iter()
        .find(|d| d.code() == Code::NoEndpoints)
        .expect("no_endpoints");
    let fix = example(empty.help().expect("help"));
    assert_eq!(fix, "endpoint orders < auth: [basicAuth] >");
    let fixed = compile(&sources(&text.replace("\n}", &format!("\n{fix}\n}}"))));
    assert!(
        fixed
            .diagnostics
            .iter()
            .all(|d| d.code() == Code::NeverActivated),
        "{:?}",
        fixed.diagnostics
    );
}

#[test]
fn a_type_given_as_a_method_names_the_methods_of_that_type() {
    let text = format!(
        "connector jira {{\n{JIRA_METHODS}    endpoint issues < auth: [basicAuth, OAuth2, anonymous] >\n}}\n"
    );
    let compiled = compile(&sources(&text));
    let policy = compiled.policy.expect("the rules compile");
    let describe = |method: &str| {
        let principal = Principal::Runtime {
            connector: "jira",
            method,
        };
        let unknown = policy.subject(principal).expect_err("an unknown method");
        policy.describe(&Decision::from(unknown))
    };
    assert_eq!(
        describe("basic"),
        "unknown auth method `basic` in connector `jira`; `basic` is an auth type; `jira`'s \
         methods of type basic: `basicAuth`"
    );
    assert_eq!(
        describe("basci"),
        "unknown auth method `basci` in connector `jira`; `basci` looks like the auth type \
         `basic`; `jira`'s methods of type basic: `basicAuth`"
    );
    assert_eq!(
        describe("token"),
        "unknown auth method `token` in connector `jira`; `token` is an auth type, and no \
         method of `jira` has it"
    );
    // A misspelt method name is still a misspelt method name.
    assert_eq!(
        describe("OAuth"),
        "unknown auth method `OAuth` in connector `jira`; did you mean `OAuth2`?"
    );

    // The same hint when checking an instance.
    let text = format!("{text}instance i of jira < auth: basic >\n");
    let compiled = compile(&sources(&text));
    let help = compiled
        .diagnostics
        .iter()
        .find(|d| d.code() == Code::UnknownMethod)
        .and_then(|d| d.help())
        .expect("unknown_method help");
    assert!(
        help.starts_with("`basic` is an auth type; `jira`'s methods of type basic: `basicAuth`"),
        "{help}"
    );
}
