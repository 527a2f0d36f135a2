#![expect(
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "a test fails by panicking"
)]

//! The real `authgate` binary: exit statuses, stdout, stderr, formats and
//! bad inputs.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod common;
use common::{authgate, authgate_in, code, folder, json, stderr, stdout};

fn fixture(name: &str) -> String {
    format!("tests/fixtures/fail/{name}.gate")
}

/// Asserts the exit status and that standard error says `needle`.
fn assert_fails(output: &Output, status: i32, needle: &str) {
    let err = stderr(output);
    assert_eq!(code(output), status, "{err}");
    assert!(err.contains(needle), "stderr lacks {needle:?}:\n{err}");
}

// ---- check ----------------------------------------------------------------

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

// ---- bad input ------------------------------------------------------------

#[test]
fn a_missing_path_cannot_run() {
    let output = authgate(&["check", "no/such/place"]);
    assert_fails(&output, 2, "cannot read `no/such/place`");
}

#[test]
fn a_folder_without_rule_files_cannot_run() {
    let dir = folder(&[("notes.txt", b"hello")]);
    let output = authgate_in(dir.path(), &["check", "."]);
    assert_fails(&output, 2, "no `.gate` files in `.`");
}

#[test]
fn an_unreadable_file_cannot_run() {
    let dir = folder(&[("good.gate", b"")]);
    // A dangling symlink is listed by the walk but can't be read.
    std::os::unix::fs::symlink(dir.path().join("gone"), dir.path().join("bad.gate"))
        .expect("symlink");
    let output = authgate_in(dir.path(), &["check", "bad.gate"]);
    assert_fails(&output, 2, "cannot read `bad.gate`");
}

#[test]
fn a_file_that_is_not_utf8_is_an_error_with_its_place() {
    let dir = folder(&[("latin1.gate", b"connector caf\xe9 { }")]);
    let output = authgate_in(dir.path(), &["check", "latin1.gate", "--format", "json"]);
    assert_eq!(code(&output), 1);
    let diagnostic = &json(&output)["diagnostics"][0];
    assert_eq!(diagnostic["code"], "authgate::encoding");
    assert_eq!(diagnostic["file"], "latin1.gate");
    assert_eq!(
        (diagnostic["line"].as_u64(), diagnostic["column"].as_u64()),
        (Some(1), Some(14))
    );
}

#[test]
fn binary_garbage_is_reported_not_a_crash() {
    let garbage: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
    let dir = folder(&[("garbage.gate", &garbage), ("nul.gate", b"\0\0connector")]);
    let output = authgate_in(dir.path(), &["check", "."]);
    assert_eq!(code(&output), 1);
    let err = stderr(&output);
    assert!(err.contains("garbage.gate"), "{err}");
    assert!(err.contains("nul.gate"), "{err}");
    assert!(err.contains("found control character U+0000"), "{err}");
}

#[test]
fn an_empty_file_is_an_empty_rule_set() {
    let dir = folder(&[("empty.gate", b"")]);
    let output = authgate_in(dir.path(), &["check", "empty.gate"]);
    assert_eq!(code(&output), 0);
    assert_eq!(
        stderr(&output),
        "checked 1 file: 0 connectors, 0 endpoints, 0 instances, 0 flows, 0 tests; 0 errors, 0 warnings\n"
    );
}

#[test]
fn bad_arguments_exit_2() {
    assert_eq!(code(&authgate(&["check", "--format", "yaml"])), 2);
    assert_eq!(code(&authgate(&["explain", "instance 1"])), 2);
    assert_eq!(
        code(&authgate(&[
            "explain",
            "--connector",
            "shop",
            "--auth",
            "basic",
            "a",
            "b"
        ])),
        2
    );
    assert_eq!(code(&authgate(&["visible"])), 2);
    assert_eq!(code(&authgate(&["visible", "--connector", "shop"])), 2);
}

// ---- visible --------------------------------------------------------------

#[test]
fn visible_lists_what_an_instance_sees() {
    let output = authgate(&["visible", "instance 2"]);
    assert_eq!(code(&output), 0);
    assert_eq!(
        stdout(&output),
        "instance `instance 2` of `shop` authenticates with `OAuth 2` and sees 2 endpoints:\n  \
         customers\n  products\n"
    );
    let output = authgate(&[
        "visible",
        "instance 1",
        "--rules",
        "rules",
        "--format",
        "json",
    ]);
    assert_eq!(code(&output), 0);
    assert_eq!(
        json(&output),
        serde_json::json!({
            "instance": "instance 1",
            "connector": "shop",
            "auth": "basic",
            "endpoints": ["orders", "customers", "products"],
        })
    );
}

#[test]
fn visible_answers_for_runtime_instances() {
    let output = authgate(&[
        "visible",
        "--connector",
        "crm",
        "--auth",
        "service",
        "--format",
        "json",
    ]);
    assert_eq!(code(&output), 0);
    assert_eq!(
        json(&output),
        serde_json::json!({
            "instance": null,
            "connector": "crm",
            "auth": "service",
            "endpoints": ["contacts", "deals", "bulk_export"],
        })
    );
}

#[test]
fn visible_cannot_answer_for_unknown_names() {
    let output = authgate(&["visible", "instance 3"]);
    assert_eq!(code(&output), 2);
    assert_eq!(
        stderr(&output),
        "error: cannot answer: unknown instance `instance 3`; did you mean `instance 1`?\n"
    );
    let output = authgate(&["visible", "--connector", "shop", "--auth", "oauth"]);
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("unknown auth method `oauth` in connector `shop`"));
}

#[test]
fn queries_on_rules_with_errors_cannot_answer() {
    let path = fixture("unknown_method");
    let output = authgate(&["visible", "x", "--rules", &path]);
    assert_fails(&output, 2, "the rules have 1 error");
    let output = authgate(&["explain", "x", "orders", "--rules", &path]);
    assert_eq!(code(&output), 2);
}

// ---- explain --------------------------------------------------------------

#[test]
fn explain_says_available_and_why() {
    let output = authgate(&["explain", "instance 1", "orders"]);
    assert_eq!(code(&output), 0);
    assert_eq!(
        stdout(&output),
        "`orders` is available to `instance 1`\n  reason: instance `instance 1` authenticates with \
         `basic`, which `orders` activates (activated: `basic`)\n  instance declared at \
         rules/shop.gate:13:10\n  endpoint declared at rules/shop.gate:8:14\n"
    );
}

#[test]
fn explain_says_not_available_with_exit_1() {
    let output = authgate(&["explain", "instance 2", "orders", "--format", "json"]);
    assert_eq!(code(&output), 1);
    assert_eq!(
        json(&output),
        serde_json::json!({
            "available": false,
            "instance": "instance 2",
            "connector": "shop",
            "auth": "OAuth 2",
            "endpoint": "orders",
            "activated": ["basic"],
            "reason": "instance `instance 2` authenticates with `OAuth 2`, which `orders` does not \
                       activate (activated: `basic`)",
            "instance_location": {"file": "rules/shop.gate", "line": 14, "column": 10},
            "endpoint_location": {"file": "rules/shop.gate", "line": 8, "column": 14},
        })
    );
}

#[test]
fn explain_denies_unknown_names_with_a_reason() {
    let output = authgate(&["explain", "instance 1", "ordrs", "--format", "json"]);
    assert_eq!(code(&output), 1);
    let document = json(&output);
    assert_eq!(document["available"], false);
    assert_eq!(
        document["reason"],
        "unknown endpoint `ordrs` in connector `shop`; did you mean `orders`?"
    );
    let output = authgate(&[
        "explain",
        "--connector",
        "nope",
        "--auth",
        "basic",
        "orders",
    ]);
    assert_eq!(code(&output), 1);
    assert!(stdout(&output).contains("unknown connector `nope`"));
}

#[test]
fn explain_answers_for_runtime_instances() {
    let output = authgate(&[
        "explain",
        "--connector",
        "crm",
        "--auth",
        "api_token",
        "bulk_export",
    ]);
    assert_eq!(code(&output), 1);
    assert!(stdout(&output).starts_with(
        "`bulk_export` is not available to runtime instances of `crm` with `api_token`\n"
    ));
    let output = authgate(&[
        "explain",
        "--connector",
        "crm",
        "--auth",
        "service",
        "bulk_export",
        "--format",
        "json",
    ]);
    assert_eq!(code(&output), 0);
    let document = json(&output);
    assert_eq!(document["instance"], serde_json::Value::Null);
    assert_eq!(document["activated"], serde_json::json!(["service"]));
}

#[test]
fn several_rule_paths_combine_and_files_are_read_once() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let output = authgate_in(
        &root,
        &["check", "rules/shop.gate", "rules", "rules/crm.gate"],
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert!(
        stderr(&output).starts_with("checked 5 files:"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_fifo_is_refused_without_blocking() {
    let dir = folder(&[]);
    let fifo = dir.path().join("pipe.gate");
    let made = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let output = authgate_in(dir.path(), &["check", "pipe.gate"]);
    assert_fails(&output, 2, "`pipe.gate` is not a file or a folder");
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

// ---- eval -----------------------------------------------------------------

fn eval(input: &str) -> Output {
    use std::io::Write as _;
    let mut child = Command::new(env!("CARGO_BIN_EXE_authgate"))
        .args(["eval", "--rules", "rules"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let mut stdin = child.stdin.take().expect("piped");
    stdin.write_all(input.as_bytes()).expect("write stdin");
    drop(stdin);
    child.wait_with_output().expect("exits")
}

#[test]
fn eval_answers_ndjson_line_by_line() {
    let output = eval(
        "{\"instance\": \"instance 1\", \"endpoint\": \"orders\"}\n\
         {\"connector\": \"shop\", \"auth\": \"OAuth 2\", \"endpoint\": \"orders\"}\n",
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        "{\"available\":true,\"reason\":\"instance `instance 1` authenticates with `basic`, which \
         `orders` activates\",\"instance\":\"instance 1\",\"endpoint\":\"orders\"}\n\
         {\"available\":false,\"reason\":\"a runtime instance of `shop` authenticates with `OAuth 2`, \
         which `orders` does not activate\",\"connector\":\"shop\",\"auth\":\"OAuth 2\",\"endpoint\":\
         \"orders\"}\n"
    );
}

#[test]
fn eval_reports_bad_lines_and_exits_1() {
    let output = eval(
        "{\"instance\": \"instance 1\"}\n{\"instance\": \"instance 1\", \"endpoint\": \"orders\"}\n",
    );
    assert_eq!(code(&output), 1);
    let out = stdout(&output);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2);
    assert!(
        lines[0].starts_with("{\"line\":1,\"error\":"),
        "{}",
        lines[0]
    );
    assert!(lines[1].starts_with("{\"available\":true"), "{}", lines[1]);
}

// ---- limits and hostile paths ---------------------------------------------

#[test]
fn files_over_the_size_limit_are_refused_and_the_limit_can_be_raised() {
    let big = format!("// {}\n", "x".repeat(2_000));
    let dir = folder(&[("big.gate", big.as_bytes())]);
    let output = authgate_in(dir.path(), &["check", "big.gate", "--max-file-size", "1K"]);
    assert_fails(
        &output,
        2,
        "`big.gate` is 2004 bytes, over the limit of 1024",
    );
    assert!(stderr(&output).contains("--max-file-size"));
    let output = authgate_in(dir.path(), &["check", "big.gate", "--max-file-size", "1M"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(code(&authgate(&["check", "--max-file-size", "5G"])), 2);
    assert_eq!(code(&authgate(&["check", "--max-file-size", "lots"])), 2);
}

#[test]
fn a_symlink_loop_is_a_clear_error() {
    let dir = folder(&[("rules/a.gate", b"")]);
    std::os::unix::fs::symlink(dir.path().join("rules"), dir.path().join("rules/again"))
        .expect("symlink");
    let output = authgate_in(dir.path(), &["check", "rules"]);
    assert_fails(&output, 2, "symbolic link loop");
}

#[test]
fn a_device_is_refused() {
    let output = authgate(&["check", "/dev/null"]);
    assert_fails(&output, 2, "`/dev/null` is not a file or a folder");
}

#[test]
fn a_file_gone_before_it_is_read_is_a_clear_error() {
    // Listed by the walk, gone when read: a dangling link in a folder.
    let dir = folder(&[("rules/a.gate", b"")]);
    std::os::unix::fs::symlink(
        dir.path().join("nowhere"),
        dir.path().join("rules/gone.gate"),
    )
    .expect("symlink");
    let output = authgate_in(dir.path(), &["check", "rules"]);
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("gone.gate"), "{}", stderr(&output));
}

#[test]
fn completions_for_every_shell() {
    for shell in ["bash", "zsh", "fish"] {
        let output = authgate(&["completions", shell]);
        assert_eq!(code(&output), 0, "{shell}");
        let script = stdout(&output);
        for command in ["check", "visible", "explain", "eval"] {
            assert!(
                script.contains(command),
                "{shell} completions lack {command}"
            );
        }
    }
    // The bash script is valid bash.
    let dir = folder(&[]);
    let path = dir.path().join("authgate.bash");
    std::fs::write(&path, authgate(&["completions", "bash"]).stdout).expect("write");
    let syntax = Command::new("bash")
        .arg("-n")
        .arg(&path)
        .status()
        .expect("bash runs");
    assert!(syntax.success());
    assert_eq!(code(&authgate(&["completions", "tcsh"])), 2);
}

// ---- CI formats -----------------------------------------------------------

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

// ---- test -----------------------------------------------------------------

#[test]
fn test_runs_the_shipped_tests() {
    let output = authgate(&["test"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let out = stdout(&output);
    assert!(
        out.contains("test `the platform's example` ... ok"),
        "{out}"
    );
    assert!(out.ends_with("4 passed, 0 failed\n"), "{out}");
}

const FAILING: &[u8] = b"connector c { auth a: basic auth b: token
    endpoint e < auth: [a] > endpoint f < auth: [b] > }
instance i of c < auth: a >
test t {
    expect i cannot see e
    expect i sees only [f]
    expect c/b can see f
}
test fine { expect c/b cannot see e }
";

#[test]
fn test_failures_show_expected_and_actual() {
    let dir = folder(&[("t.gate", FAILING)]);
    let output = authgate_in(dir.path(), &["test", "t.gate"]);
    assert_eq!(code(&output), 1);
    let out = stdout(&output);
    assert!(out.contains("test `t` ... FAILED"), "{out}");
    assert!(out.contains("test `fine` ... ok"), "{out}");
    assert!(out.ends_with("1 passed, 1 failed\n"), "{out}");
    let err = stderr(&output);
    assert!(err.contains("authgate::test_failed"), "{err}");
    assert!(
        err.contains("× test `t` failed: expected `i` cannot see `e`"),
        "{err}"
    );
    assert!(err.contains("missing:    [`f`]"), "{err}");
    assert!(err.contains("unexpected: [`e`]"), "{err}");
    assert!(err.contains("t.gate:5:5"), "{err}");
}

#[test]
fn test_json_lists_every_test_and_failure() {
    let dir = folder(&[("t.gate", FAILING)]);
    let output = authgate_in(dir.path(), &["test", "t.gate", "--format", "json"]);
    assert_eq!(code(&output), 1);
    let document = json(&output);
    assert_eq!(
        (document["passed"].as_u64(), document["failed"].as_u64()),
        (Some(1), Some(1))
    );
    let failures = document["tests"][0]["failures"]
        .as_array()
        .expect("failures");
    assert_eq!(failures.len(), 2);
    assert_eq!(failures[1]["missing"], serde_json::json!(["f"]));
    assert_eq!(failures[1]["unexpected"], serde_json::json!(["e"]));
    assert_eq!(
        (failures[1]["line"].as_u64(), failures[1]["column"].as_u64()),
        (Some(6), Some(5))
    );
    let output = authgate_in(dir.path(), &["test", "t.gate", "--format", "github"]);
    assert!(stdout(&output).starts_with(
        "::error file=t.gate,line=5,col=5,endLine=5,endColumn=26,title=authgate%3A%3Atest_failed::"
    ));
}

#[test]
fn test_needs_tests_unless_allowed_and_valid_rules() {
    let dir = folder(&[(
        "r.gate",
        b"connector c { auth a: basic endpoint e < auth: [a] > }",
    )]);
    let output = authgate_in(dir.path(), &["test", "r.gate"]);
    assert_fails(&output, 2, "no test in the rules");
    let output = authgate_in(dir.path(), &["test", "r.gate", "--allow-empty"]);
    assert_eq!(code(&output), 0);
    assert_eq!(stdout(&output), "0 passed, 0 failed\n");
    let dir = folder(&[("r.gate", b"test t { expect nobody can see e }")]);
    let output = authgate_in(dir.path(), &["test", "r.gate"]);
    assert_fails(&output, 2, "unknown instance `nobody`");
}

// ---- fmt ------------------------------------------------------------------

const UNFORMATTED: &[u8] = b"// keep me\nconnector c{auth a:basic endpoint e<auth:[a,],> // and me\n}\ninstance i of c<auth:a>";
const FORMATTED: &str = "// keep me\nconnector c {\n    auth a: basic\n    endpoint e < auth: [a] > // and me\n}\n\ninstance i of c < auth: a >\n";

#[test]
fn fmt_rewrites_files_in_the_canonical_layout() {
    let dir = folder(&[("r.gate", UNFORMATTED), ("ok.gate", FORMATTED.as_bytes())]);
    let output = authgate_in(dir.path(), &["fmt", "."]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("r.gate")).expect("read"),
        FORMATTED
    );
    assert_eq!(stderr(&output), "reformatted 1 file, 1 already formatted\n");
    // No temporary file is left behind.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .expect("list")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    // Formatting formatted files changes nothing.
    let output = authgate_in(dir.path(), &["fmt", "--check", "."]);
    assert_eq!(code(&output), 0);
    assert!(stdout(&output).is_empty());
}

#[test]
fn fmt_check_shows_a_diff_and_changes_nothing() {
    let dir = folder(&[("r.gate", UNFORMATTED)]);
    let output = authgate_in(dir.path(), &["fmt", "--check", "r.gate"]);
    assert_eq!(code(&output), 1);
    let diff = stdout(&output);
    assert!(
        diff.starts_with("--- r.gate\n+++ r.gate (formatted)\n@@"),
        "{diff}"
    );
    assert!(
        diff.contains("+    endpoint e < auth: [a] > // and me\n"),
        "{diff}"
    );
    assert_eq!(
        std::fs::read(dir.path().join("r.gate")).expect("read"),
        UNFORMATTED
    );
}

#[test]
fn fmt_leaves_files_that_do_not_parse_alone() {
    let broken = b"connector c { auth a basic }";
    let dir = folder(&[("bad.gate", broken), ("r.gate", UNFORMATTED)]);
    let output = authgate_in(dir.path(), &["fmt", "."]);
    assert_fails(&output, 1, "expected `:`, found `basic`");
    assert_eq!(
        std::fs::read(dir.path().join("bad.gate")).expect("read"),
        broken
    );
    // The other file is still formatted.
    assert_eq!(
        std::fs::read_to_string(dir.path().join("r.gate")).expect("read"),
        FORMATTED
    );
}

#[test]
fn the_shipped_rules_are_formatted() {
    let output = authgate(&["fmt", "--check"]);
    assert_eq!(code(&output), 0, "{}", stdout(&output));
}

// ---- matrix ---------------------------------------------------------------

#[test]
fn matrix_shows_activations_and_visibility() {
    let output = authgate(&["matrix", "shop"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        "connector `shop`\n\n\
         endpoint \\ method  basic  OAuth 2\n\
         orders               ✓       ·\n\
         customers            ✓       ✓\n\
         products             ✓       ✓\n\n\
         endpoint \\ instance  instance 1  instance 2\n\
         orders                   ✓           ·\n\
         customers                ✓           ✓\n\
         products                 ✓           ✓\n"
    );
}

#[test]
fn matrix_numbers_wide_columns_with_a_legend() {
    let mut command = Command::new(env!("CARGO_BIN_EXE_authgate"));
    command
        .args(["matrix", "crm"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("COLUMNS", "30");
    let output = command.output().expect("runs");
    let out = stdout(&output);
    assert!(out.contains("endpoint \\ method  1  2\n"), "{out}");
    assert!(out.contains("    1  api_token\n    2  service\n"), "{out}");
    assert!(!out.contains('\u{1b}'), "no colour off a terminal");
}

#[test]
fn matrix_markdown_csv_and_json() {
    let output = authgate(&["matrix", "crm", "--format", "markdown"]);
    assert!(
        stdout(&output).contains("| `bulk_export` |   | ✓ |"),
        "{}",
        stdout(&output)
    );
    let output = authgate(&["matrix", "weather", "--format", "csv"]);
    let out = stdout(&output);
    assert!(out.starts_with("connector,endpoint,kind,column,value\n"));
    assert!(
        out.contains("weather,history,method,public,false\n"),
        "{out}"
    );
    assert!(
        out.contains("weather,history,instance,weather paid,true\n"),
        "{out}"
    );
    let output = authgate(&["matrix", "--format", "json"]);
    let document = json(&output);
    let connectors = document["connectors"].as_array().expect("connectors");
    assert_eq!(connectors.len(), 4);
    let shop = connectors
        .iter()
        .find(|c| c["connector"] == "shop")
        .expect("shop listed");
    assert_eq!(shop["methods"], serde_json::json!(["basic", "OAuth 2"]));
    assert_eq!(
        shop["endpoints"][0]["activated"],
        serde_json::json!([true, false])
    );
    assert_eq!(
        shop["endpoints"][0]["visible"],
        serde_json::json!([true, false])
    );
}

#[test]
fn matrix_of_an_unknown_connector_cannot_answer() {
    let output = authgate(&["matrix", "shpo"]);
    assert_fails(&output, 2, "unknown connector `shpo`; did you mean `shop`?");
}

#[test]
fn a_fifo_inside_a_folder_is_refused_not_skipped() {
    let dir = folder(&[("rules/a.gate", b"")]);
    let fifo = dir.path().join("rules/pipe.gate");
    let made = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let output = authgate_in(dir.path(), &["check", "rules"]);
    assert_fails(&output, 2, "`rules/pipe.gate` is not a file or a folder");
}

/// Issue 9: `explain --format json` names what the rules declare and
/// `null` for what they don't, rather than echoing the question.
#[test]
fn explain_json_gives_null_for_an_unknown_runtime_connector_or_method() {
    let unknown_connector = authgate(&[
        "explain",
        "--connector",
        "nope",
        "--auth",
        "basic",
        "orders",
        "--format",
        "json",
    ]);
    assert_eq!(code(&unknown_connector), 1);
    let document = json(&unknown_connector);
    assert_eq!(document["connector"], serde_json::Value::Null);
    assert_eq!(document["auth"], serde_json::Value::Null);
    let unknown_method = authgate(&[
        "explain",
        "--connector",
        "shop",
        "--auth",
        "nope",
        "orders",
        "--format",
        "json",
    ]);
    assert_eq!(code(&unknown_method), 1);
    let document = json(&unknown_method);
    assert_eq!(document["connector"], "shop");
    assert_eq!(document["auth"], serde_json::Value::Null);
}

/// Issue 9: names in `visible` and `explain` output can't carry a terminal
/// escape sequence to the terminal.
#[test]
fn visible_and_explain_escape_hidden_characters_in_names() {
    let dir = folder(&[(
        "evil.gate",
        b"connector c {\n    auth m: basic\n    endpoint \"\x1b[2Jwipe\" < auth: [m] >\n}\n\
          instance \"i\xe2\x80\xae\" of c < auth: m >\n",
    )]);
    let visible = authgate_in(
        dir.path(),
        &["visible", "i\u{202e}", "--rules", "evil.gate"],
    );
    assert_eq!(code(&visible), 0);
    assert_eq!(
        stdout(&visible),
        "instance `i\\u{202e}` of `c` authenticates with `m` and sees 1 endpoint:\n  \\u{1b}[2Jwipe\n"
    );
    let explain = authgate_in(
        dir.path(),
        &[
            "explain",
            "i\u{202e}",
            "\u{1b}[2Jwipe",
            "--rules",
            "evil.gate",
        ],
    );
    assert_eq!(code(&explain), 0);
    let text = stdout(&explain);
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{202e}'),
        "{text}"
    );
    assert!(
        text.starts_with("`\\u{1b}[2Jwipe` is available to `i\\u{202e}`"),
        "{text}"
    );
    // JSON keeps the names exact: it is for programs.
    let json_output = authgate_in(
        dir.path(),
        &[
            "visible",
            "i\u{202e}",
            "--rules",
            "evil.gate",
            "--format",
            "json",
        ],
    );
    assert_eq!(json(&json_output)["endpoints"][0], "\u{1b}[2Jwipe");
}

/// Issue 9: names in `matrix --format markdown` render as themselves: a
/// backtick can't end the code span, HTML is not interpreted, a pipe
/// doesn't split a cell (rendered with pulldown-cmark's GitHub tables).
#[test]
fn matrix_markdown_cannot_inject_markup() {
    let dir = folder(&[(
        "evil.gate",
        b"connector \"a`b<script>x</script>|y\" {\n    auth \"m`\": basic\n    \
          endpoint \"`tick\" < auth: [\"m`\"] >\n    \
          endpoint \"<img src=x onerror=alert(1)>|z\" < auth: [\"m`\"] >\n}\n",
    )]);
    let output = authgate_in(
        dir.path(),
        &["matrix", "--rules", "evil.gate", "--format", "markdown"],
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let markdown = stdout(&output);
    let parser = pulldown_cmark::Parser::new_ext(&markdown, pulldown_cmark::Options::ENABLE_TABLES);
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, parser);
    assert!(
        !html.contains("<script") && !html.contains("<img"),
        "{html}"
    );
    for name in [
        "a`b&lt;script&gt;x&lt;/script&gt;|y",
        "m`",
        "`tick",
        "&lt;img src=x onerror=alert(1)&gt;|z",
    ] {
        assert!(
            html.contains(&format!("<code>{name}</code>")),
            "{name} in {html}"
        );
    }
    // Every row has its two cells: the pipe in a name split none.
    assert_eq!(html.matches("<tr>").count(), 3, "{html}");
    assert_eq!(html.matches("<td").count(), 4, "{html}");
}

/// Issue 9: the matrix is the product of two dimensions; past
/// `--max-cells` it is refused with exit 2 instead of filling memory.
#[test]
fn matrix_refuses_more_cells_than_the_limit() {
    let output = authgate(&["matrix", "--max-cells", "10"]);
    assert_fails(
        &output,
        2,
        "the matrix would have 44 cells, more than --max-cells 10; name one connector",
    );
    assert_eq!(stdout(&output), "");
    assert_eq!(code(&authgate(&["matrix", "--max-cells", "44"])), 0);
    assert_eq!(code(&authgate(&["matrix", "--max-cells", "43"])), 2);
}

fn digest_of(dir: &Path, args: &[&str]) -> String {
    let output = authgate_in(dir, args);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let digest = stdout(&output).trim().to_owned();
    assert!(
        digest.starts_with("sha256:") && digest.len() == 7 + 64,
        "{digest}"
    );
    digest
}

#[test]
fn digest_is_the_same_however_the_path_is_spelled_and_wherever_the_files_are() {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let digest = digest_of(here, &["digest", "rules"]);
    assert_eq!(digest_of(here, &["digest", "rules/"]), digest);
    assert_eq!(digest_of(&here.join("rules"), &["digest", "."]), digest);
    let absolute = here.join("rules").display().to_string();
    assert_eq!(digest_of(Path::new("/"), &["digest", &absolute]), digest);
    // A copy elsewhere, with a configuration file beside the rules (not
    // part of the bundle).
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for entry in std::fs::read_dir(here.join("rules")).expect("rules/") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        files.push((format!("copy/{name}"), std::fs::read(&path).expect("read")));
    }
    files.push(("copy/authgate.toml".to_owned(), b"[lints]\n".to_vec()));
    let borrowed: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(name, bytes)| (name.as_str(), bytes.as_slice()))
        .collect();
    let copy = folder(&borrowed);
    assert_eq!(digest_of(copy.path(), &["digest", "copy"]), digest);
    // One byte more in one file: another digest.
    let crm = copy.path().join("copy/crm.gate");
    let mut text = std::fs::read(&crm).expect("read");
    text.push(b'\n');
    std::fs::write(&crm, text).expect("write");
    assert_ne!(digest_of(copy.path(), &["digest", "copy"]), digest);
}

#[test]
fn digest_json_lists_each_file_by_its_path_below_the_folder() {
    let dir = folder(&[
        ("rules/a.gate", b"connector a {}\n"),
        ("rules/sub/b.gate", b"connector b {}\n"),
        ("rules/.hidden/c.gate", b"connector c {}\n"),
    ]);
    let output = authgate_in(dir.path(), &["digest", "rules", "--format", "json"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let document = json(&output);
    let paths: Vec<&str> = document["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|file| file["path"].as_str().expect("path"))
        .collect();
    assert_eq!(paths, ["a.gate", "sub/b.gate"]);
    // A file given alone is named by its file name.
    let alone = digest_of(dir.path(), &["digest", "rules/sub/b.gate"]);
    let moved = folder(&[("b.gate", b"connector b {}\n")]);
    assert_eq!(digest_of(moved.path(), &["digest", "b.gate"]), alone);
}

/// A Kubernetes ConfigMap mount: `shop.gate -> ..data/shop.gate`,
/// `..data -> ..TIMESTAMP/`, swapped by replacing the `..data` link.
#[cfg(unix)]
#[test]
fn a_configmap_mount_is_read_through_its_links_and_keeps_its_digest_across_updates() {
    use std::os::unix::fs::symlink;
    let text: &[u8] = b"connector shop {\n  auth basic: basic\n  endpoint orders { auth: [basic] }\n  endpoint broken { auth: [nope] }\n}\n";
    let dir = folder(&[("mount/..2026_11_30_05_00_00.123/shop.gate", text)]);
    let mount = dir.path().join("mount");
    symlink("..2026_11_30_05_00_00.123", mount.join("..data")).expect("link");
    symlink("..data/shop.gate", mount.join("shop.gate")).expect("link");
    let plain = folder(&[("shop.gate", text)]);
    let before = digest_of(dir.path(), &["digest", "mount"]);
    assert_eq!(before, digest_of(plain.path(), &["digest", "."]));

    // Diagnostics name the file by its link, not by the timestamped copy.
    let output = authgate_in(dir.path(), &["check", "mount", "--format", "json"]);
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    let document = json(&output);
    let file = document["diagnostics"][0]["file"].as_str().expect("file");
    assert_eq!(file, "mount/shop.gate");

    // An update with the same content, swapped the way the kubelet does.
    std::fs::create_dir(mount.join("..2026_11_30_06_00_00.456")).expect("mkdir");
    std::fs::write(mount.join("..2026_11_30_06_00_00.456/shop.gate"), text).expect("write");
    symlink("..2026_11_30_06_00_00.456", mount.join("..data_tmp")).expect("link");
    std::fs::rename(mount.join("..data_tmp"), mount.join("..data")).expect("swap");
    std::fs::remove_dir_all(mount.join("..2026_11_30_05_00_00.123")).expect("rm old");
    assert_eq!(digest_of(dir.path(), &["digest", "mount"]), before);
}
