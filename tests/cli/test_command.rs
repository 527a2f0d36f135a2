//! `authgate test`: the shipped tests pass, failures show expected and
//! actual, its JSON, and rule sets without tests or with errors.

use crate::support::{assert_fails, authgate, authgate_in, code, folder, json, stderr, stdout};

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
