//! Every outcome in the format asked for (a CI step that reads
//! JSON or SARIF gets a document even when authgate cannot run), proper
//! SARIF URIs and GitHub ranges, and terminal conventions: `--color`,
//! `NO_COLOR`, `CLICOLOR_FORCE`, `matrix` fitted to the width in display
//! columns.

use std::path::Path;
use std::process::{Command, Output};

use unicode_width::UnicodeWidthStr as _;

use crate::support::{code, fixture, json, stderr, stdout, text_folder};

/// Runs the binary in `dir` with a clean terminal environment plus `env`.
fn run(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_authgate"));
    command
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("COLUMNS");
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("the binary runs")
}

fn authgate(args: &[&str]) -> Output {
    run(Path::new(env!("CARGO_MANIFEST_DIR")), args, &[])
}

// ---- cannot run, in every format --------------------------------------------

#[test]
fn test_sarif_on_rules_with_errors_is_a_log_with_the_errors_as_results() {
    let output = authgate(&["test", &fixture("unknown_method"), "--format", "sarif"]);
    assert_eq!(code(&output), 2, "{}", stderr(&output));
    let log = json(&output);
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    let results = run["results"].as_array().expect("results");
    assert_eq!(results.len(), 1);
    assert_eq!(results[0]["ruleId"], "authgate::unknown_method");
    assert_eq!(results[0]["level"], "error");
    assert_eq!(
        results[0]["locations"][0]["physicalLocation"]["region"]["startLine"],
        4
    );
    let invocation = &run["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    assert_eq!(
        invocation["toolExecutionNotifications"][0]["message"]["text"],
        "the rules have 1 error; run `authgate check` and fix them first"
    );
    assert!(stderr(&output).contains("error: the rules have 1 error"));
}

#[test]
fn test_json_and_github_on_rules_with_errors_say_why() {
    let output = authgate(&["test", &fixture("unknown_method"), "--format", "json"]);
    assert_eq!(code(&output), 2);
    let document = json(&output);
    assert_eq!(
        document["error"],
        "the rules have 1 error; run `authgate check` and fix them first"
    );
    assert_eq!(
        document["diagnostics"][0]["code"],
        "authgate::unknown_method"
    );
    let output = authgate(&["test", &fixture("unknown_method"), "--format", "github"]);
    assert_eq!(code(&output), 2);
    assert!(
        stdout(&output).starts_with(
            "::error file=tests/fixtures/fail/unknown_method.gate,line=4,col=30,endLine=4,\
             endColumn=35,title=authgate%3A%3Aunknown_method::"
        ),
        "{}",
        stdout(&output)
    );
}

#[test]
fn test_without_tests_says_so_in_json() {
    let dir = text_folder(&[(
        "r.gate",
        "connector c { auth a: basic endpoint e < auth: [a] > }",
    )]);
    let output = run(dir.path(), &["test", "r.gate", "--format", "json"], &[]);
    assert_eq!(code(&output), 2);
    let document = json(&output);
    assert!(
        document["error"]
            .as_str()
            .is_some_and(|e| e.starts_with("no test in the rules")),
        "{document}"
    );
    assert_eq!(document["diagnostics"], serde_json::json!([]));
}

#[test]
fn check_json_on_a_missing_path_is_an_error_document() {
    let output = authgate(&["check", "no/such/place", "--format", "json"]);
    assert_eq!(code(&output), 2);
    let document = json(&output);
    let error = document["error"].as_str().expect("an error field");
    assert!(error.starts_with("cannot read `no/such/place`"), "{error}");
    let diagnostic = &document["diagnostics"][0];
    assert_eq!(diagnostic["code"], "authgate::io");
    assert_eq!(diagnostic["severity"], "error");
    assert_eq!(diagnostic["file"], "no/such/place");
    assert_eq!(diagnostic["line"], serde_json::Value::Null);
    assert!(diagnostic["help"].as_str().is_some_and(|h| !h.is_empty()));
}

#[test]
fn load_errors_are_sarif_results_and_github_annotations() {
    let dir = text_folder(&[("notes.txt", "hello")]);
    let output = run(dir.path(), &["check", ".", "--format", "sarif"], &[]);
    assert_eq!(code(&output), 2);
    let log = json(&output);
    let run = &log["runs"][0];
    let result = &run["results"][0];
    assert_eq!(result["ruleId"], "authgate::no_rule_files");
    let index = result["ruleIndex"].as_u64().expect("index") as usize;
    assert_eq!(
        run["tool"]["driver"]["rules"][index]["id"],
        "authgate::no_rule_files"
    );
    let location = &result["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "");
    assert_eq!(location["region"], serde_json::Value::Null);
    assert_eq!(run["invocations"][0]["executionSuccessful"], false);

    let output = authgate(&["check", "no such.gate", "--format", "github"]);
    assert_eq!(code(&output), 2);
    assert!(
        stdout(&output)
            .starts_with("::error file=no such.gate,title=authgate%3A%3Aio::cannot read"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn visible_json_on_an_unknown_name_is_an_error_document() {
    let output = authgate(&["visible", "instance 3", "--format", "json"]);
    assert_eq!(code(&output), 2);
    assert_eq!(
        json(&output),
        serde_json::json!({
            "error": "cannot answer: unknown instance `instance 3`; did you mean `instance 1`?",
            "diagnostics": [],
        })
    );
    let output = authgate(&[
        "visible",
        "x",
        "--rules",
        &fixture("unknown_method"),
        "--format",
        "json",
    ]);
    assert_eq!(code(&output), 2);
    assert_eq!(
        json(&output)["diagnostics"][0]["code"],
        "authgate::unknown_method"
    );
}

#[test]
fn explain_and_matrix_json_on_a_missing_path_are_error_documents() {
    let output = authgate(&["explain", "a", "b", "--rules", "nope", "--format", "json"]);
    assert_eq!(code(&output), 2);
    assert_eq!(json(&output)["diagnostics"][0]["code"], "authgate::io");
    let output = authgate(&["matrix", "shpo", "--format", "json"]);
    assert_eq!(code(&output), 2);
    assert_eq!(
        json(&output)["error"],
        "unknown connector `shpo`; did you mean `shop`?"
    );
}

// ---- SARIF URIs and GitHub ranges -------------------------------------------

const UNKNOWN_METHOD: &str = "connector c { auth a: basic endpoint e < auth: [b] > }\n";

#[test]
fn sarif_uris_are_percent_encoded_relative_references() {
    let dir = text_folder(&[("my rules/a b.gate", UNKNOWN_METHOD)]);
    let output = run(
        dir.path(),
        &["check", "./my rules", "--format", "sarif"],
        &[],
    );
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    let log = json(&output);
    let location = &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "my%20rules/a%20b.gate");
    assert_eq!(
        log["runs"][0]["invocations"][0]["executionSuccessful"],
        true
    );
}

#[test]
fn github_annotations_carry_the_end_of_the_span() {
    let dir = text_folder(&[("r.gate", UNKNOWN_METHOD)]);
    let output = run(dir.path(), &["check", "r.gate", "--format", "github"], &[]);
    assert_eq!(code(&output), 1);
    let out = stdout(&output);
    // `b` in `auth: [b]` is column 49; the span ends before column 50.
    assert!(
        out.starts_with("::error file=r.gate,line=1,col=49,endLine=1,endColumn=50,title="),
        "{out}"
    );
}

// ---- colour -----------------------------------------------------------------

const ESC: char = '\u{1b}';

#[test]
fn color_flag_and_environment_decide_colour() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let check = ["check", "tests/fixtures/fail/duplicate.gate"];
    let coloured = |args: &[&str], env: &[(&str, &str)]| {
        let output = run(root, args, env);
        assert_eq!(code(&output), 1, "{}", stderr(&output));
        stderr(&output).contains(ESC)
    };
    assert!(!coloured(&check, &[]), "no colour off a terminal");
    assert!(coloured(
        &[&check[..], &["--color", "always"]].concat(),
        &[]
    ));
    assert!(
        coloured(
            &[&check[..], &["--color", "always"]].concat(),
            &[("NO_COLOR", "1")]
        ),
        "the flag beats the environment"
    );
    assert!(!coloured(
        &[&check[..], &["--color", "never"]].concat(),
        &[("CLICOLOR_FORCE", "1")]
    ));
    assert!(coloured(&check, &[("CLICOLOR_FORCE", "1")]));
    assert!(!coloured(&check, &[("CLICOLOR_FORCE", "0")]));
    assert!(
        !coloured(&check, &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]),
        "NO_COLOR beats CLICOLOR_FORCE"
    );
}

#[test]
fn matrix_colour_follows_the_flag() {
    let output = authgate(&["matrix", "shop", "--color", "always"]);
    assert!(stdout(&output).contains("\u{1b}[32m✓\u{1b}[0m"));
    let output = authgate(&["--color", "never", "matrix", "shop"]);
    assert!(!stdout(&output).contains(ESC));
    let output = run(
        Path::new(env!("CARGO_MANIFEST_DIR")),
        &["matrix", "shop"],
        &[("NO_COLOR", "1"), ("CLICOLOR_FORCE", "1")],
    );
    assert!(!stdout(&output).contains(ESC));
}

// ---- matrix fits the width ----------------------------------------------------

#[test]
fn matrix_fits_the_width_with_the_legend_first() {
    let long = "a_very_long_endpoint_name_that_goes_on_and_on_for_a_while";
    let rules = format!(
        "connector c {{
    auth first_method_name: basic
    auth second_method_name: token
    auth third_method_name: token
    endpoint {long} < auth: [first_method_name] >
    endpoint short < auth: [second_method_name, third_method_name] >
}}
"
    );
    let dir = text_folder(&[("r.gate", &rules)]);
    let output = run(
        dir.path(),
        &["matrix", "--rules", "r.gate"],
        &[("COLUMNS", "40")],
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let out = stdout(&output);
    for line in out.lines() {
        assert!(
            line.width() <= 40,
            "{:?} is {} wide:\n{out}",
            line,
            line.width()
        );
    }
    let lines: Vec<&str> = out.lines().collect();
    let legend = lines
        .iter()
        .position(|l| *l == "    1  first_method_name")
        .expect("a legend");
    let header = lines
        .iter()
        .position(|l| l.starts_with("endpoint \\ method"))
        .expect("a header");
    assert!(legend < header, "the legend comes before the rows:\n{out}");
    // 40 columns less 3 cells of 3: 31 for the endpoint column.
    assert!(
        out.contains("\na_very_long_endpoint_name_that…  ✓  ·  ·\n"),
        "{out}"
    );
    assert!(
        out.contains("\nshort                            ·  ✓  ✓\n"),
        "{out}"
    );
}

#[test]
fn matrix_aligns_wide_characters_by_display_width() {
    let rules = "connector c {
    auth \"基本\": basic
    auth token: token
    endpoint \"注文一覧\" < auth: [\"基本\"] >
    endpoint orders < auth: [token] >
}
";
    let dir = text_folder(&[("r.gate", rules)]);
    let output = run(dir.path(), &["matrix", "--rules", "r.gate"], &[]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let out = stdout(&output);
    let lines: Vec<&str> = out.lines().skip(2).collect();
    assert_eq!(
        lines,
        [
            "endpoint \\ method  基本  token",
            "注文一覧            ✓      ·",
            "orders              ·      ✓",
        ],
        "{out}"
    );
    // Each mark sits at the same display column, under the middle of its
    // header, whatever the width of the names before it.
    let column = |line: &str, mark: char| line.find(mark).map(|at| line[..at].width());
    assert_eq!(column(lines[1], '✓'), Some(20));
    assert_eq!(column(lines[2], '·'), Some(20));
    assert_eq!(column(lines[1], '·'), column(lines[2], '✓'));
}
