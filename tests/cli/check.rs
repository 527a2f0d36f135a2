//! `authgate check`: its summary, exit statuses and JSON, every problem of
//! every file in order, positions in CRLF files, and the CI formats (SARIF
//! for code scanning, GitHub annotations).

use std::process::Command;

use crate::support::{authgate, authgate_in, code, fixture, folder, json, stderr, stdout};

#[test]
fn check_passes_on_the_shipped_rules_with_a_summary() {
    let output = authgate(&["check"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(
        stderr(&output),
        "checked 5 files: 4 connectors, 11 endpoints, 8 instances, 7 flows, 4 tests; 0 errors, 0 warnings\n"
    );
    let output = authgate(&["check", "rules", "--deny-warnings", "--format", "json"]);
    assert_eq!(code(&output), 0);
    assert_eq!(
        json(&output),
        serde_json::json!({"diagnostics": [], "errors": 0, "warnings": 0})
    );
}

#[test]
fn check_reports_errors_with_exit_1() {
    let output = authgate(&["check", &fixture("unknown_method")]);
    assert_eq!(code(&output), 1);
    let err = stderr(&output);
    assert!(err.contains("authgate::unknown_method"), "{err}");
    assert!(
        err.contains("× unknown auth method `basci` in connector `shop`"),
        "{err}"
    );
    assert!(err.contains("help: did you mean `basic`?"), "{err}");
    assert!(err.ends_with("1 error, 0 warnings\n"), "{err}");
    assert!(stdout(&output).is_empty());
}

#[test]
fn check_json_has_the_documented_shape() {
    let output = authgate(&["check", &fixture("unactivated_method"), "--format", "json"]);
    assert_eq!(code(&output), 1);
    let document = json(&output);
    assert_eq!(document["errors"], 1);
    assert_eq!(document["warnings"], 0);
    let diagnostic = &document["diagnostics"][0];
    assert_eq!(diagnostic["code"], "authgate::unactivated_method");
    assert_eq!(diagnostic["severity"], "error");
    assert_eq!(
        diagnostic["message"],
        "endpoint `orders` is not available to instance `instance 2`"
    );
    assert_eq!(diagnostic["file"], fixture("unactivated_method"));
    assert_eq!(
        (diagnostic["line"].as_u64(), diagnostic["column"].as_u64()),
        (Some(12), Some(5))
    );
    let labels = diagnostic["labels"].as_array().expect("labels");
    assert_eq!(labels.len(), 3);
    for label in labels {
        for key in ["file", "line", "column", "offset", "length", "label"] {
            assert!(label.get(key).is_some(), "label without {key}: {label}");
        }
    }
    assert!(
        diagnostic["help"]
            .as_str()
            .is_some_and(|h| h.starts_with("activate `oauth`"))
    );
}

#[test]
fn warnings_fail_only_when_denied() {
    let path = fixture("never_activated");
    let output = authgate(&["check", &path]);
    assert_eq!(code(&output), 0);
    assert!(
        stderr(&output).contains("⚠ auth method `legacy` of connector `shop` is never activated")
    );
    let output = authgate(&["check", &path, "--deny-warnings"]);
    assert_eq!(code(&output), 1);
    assert!(stderr(&output).ends_with("0 errors, 1 warning (warnings denied)\n"));
    let output = authgate(&["check", &path, "--deny-warnings", "--format", "json"]);
    assert_eq!(code(&output), 1);
    assert_eq!(json(&output)["warnings"], 1);
}

#[test]
fn every_problem_of_every_file_is_reported_in_order() {
    let dir = folder(&[
        ("b.gate", b"connector crm { auth t token }"),
        ("a/z.gate", b"instance i of nope < auth: x >"),
        (
            "a/y.gate",
            b"connector shop { auth basic: basic endpoint e < auth: [basci] > }",
        ),
    ]);
    let output = authgate_in(dir.path(), &["check", ".", "--format", "json"]);
    assert_eq!(code(&output), 1);
    let document = json(&output);
    let found: Vec<(String, String)> = document["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            (
                d["file"].as_str().unwrap_or("").to_owned(),
                d["code"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    let expected = [
        ("./a/y.gate", "authgate::unknown_method"),
        ("./a/z.gate", "authgate::unknown_connector"),
        ("./b.gate", "authgate::syntax"),
    ];
    let found: Vec<(&str, &str)> = found
        .iter()
        .map(|(f, c)| (f.as_str(), c.as_str()))
        .collect();
    assert_eq!(found, expected);
}

#[test]
fn human_output_has_no_colour_off_a_terminal() {
    let mut command = Command::new(env!("CARGO_BIN_EXE_authgate"));
    command
        .args(["check", &fixture("duplicate")])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("NO_COLOR");
    let output = command.output().expect("runs");
    assert_eq!(code(&output), 1);
    assert!(
        !stderr(&output).contains('\u{1b}'),
        "ANSI escape in piped output"
    );
}

#[test]
fn crlf_files_report_the_right_lines_and_columns() {
    let dir = folder(&[(
        "crlf.gate",
        b"connector shop {\r\n    auth basic: basic\r\n    endpoint orders < auth: [basci] >\r\n}\r\n",
    )]);
    let output = authgate_in(dir.path(), &["check", "crlf.gate", "--format", "json"]);
    assert_eq!(code(&output), 1);
    let diagnostic = &json(&output)["diagnostics"][0];
    assert_eq!(diagnostic["code"], "authgate::unknown_method");
    assert_eq!(
        (diagnostic["line"].as_u64(), diagnostic["column"].as_u64()),
        (Some(3), Some(30))
    );
}

#[test]
fn check_writes_sarif_for_code_scanning() {
    let output = authgate(&[
        "check",
        &fixture("unknown_method"),
        &fixture("blind_instance"),
        "--format",
        "sarif",
    ]);
    assert_eq!(code(&output), 1);
    let log = json(&output);
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "authgate");
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    assert_eq!(rules.len(), authgate::Code::ALL.len(), "one rule per code");
    for rule in rules {
        assert!(
            rule["id"]
                .as_str()
                .is_some_and(|id| id.starts_with("authgate::"))
        );
        assert!(rule["help"]["text"].as_str().is_some_and(|h| !h.is_empty()));
    }
    let results = run["results"].as_array().expect("results");
    let levels: Vec<(&str, &str)> = results
        .iter()
        .map(|r| {
            (
                r["ruleId"].as_str().unwrap_or(""),
                r["level"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        levels,
        [
            ("authgate::unknown_method", "error"),
            ("authgate::never_activated", "warning"),
            ("authgate::blind_instance", "warning")
        ]
    );
    let first = &results[0];
    let index = first["ruleIndex"].as_u64().expect("index") as usize;
    assert_eq!(rules[index]["id"], first["ruleId"]);
    let region = &first["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        (
            region["startLine"].as_u64(),
            region["startColumn"].as_u64(),
            region["endColumn"].as_u64()
        ),
        (Some(4), Some(30), Some(35))
    );
    assert_eq!(
        first["relatedLocations"][0]["message"]["text"],
        "connector declared here"
    );
}

#[test]
fn check_writes_github_annotations() {
    let output = authgate(&[
        "check",
        &fixture("unknown_method"),
        &fixture("blind_instance"),
        "--format",
        "github",
    ]);
    assert_eq!(code(&output), 1);
    let out = stdout(&output);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert_eq!(
        lines[0],
        "::error file=tests/fixtures/fail/unknown_method.gate,line=4,col=30,endLine=4,endColumn=35,\
         title=authgate%3A%3Aunknown_method::unknown auth method `basci` in connector `shop`%0A\
         help: did you mean `basic`? `shop` defines `basic` and `oauth`"
    );
    assert!(
        lines[1]
            .starts_with("::warning file=tests/fixtures/fail/blind_instance.gate,line=3,col=10,")
    );
}
