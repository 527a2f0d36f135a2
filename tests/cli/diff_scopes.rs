//! `authgate diff` on rules with scopes, through the real binary: method
//! subjects judged by their widest view, instances by the scopes they
//! hold, changed requirements in the three formats, `--fail-on widen` on
//! a widened requirement, and a HubSpot-sized connector.

use crate::support::{authgate_in, code, json, stderr, stdout, write_in};

const OLD: &str = r#"connector hubspot {
    auth oauth: oauth2_authorization_code < scopes: ["contacts.read", "contacts.write", "deals.read"] >
    auth key: token

    endpoint "GET /contacts"  < auth: [oauth("contacts.read"), key] >
    endpoint "POST /contacts" < auth: [oauth("contacts.write")] >
    endpoint "GET /deals"     < auth: [oauth("contacts.read", "deals.read")] >
    endpoint "GET /ping"      < auth: [oauth, key] >
    endpoint "GET /owners"    < auth: [key] >
}

instance acme of hubspot < auth: oauth, scopes: ["contacts.read"] >
instance globex of hubspot < auth: oauth, scopes: ["contacts.read", "deals.read"] >
instance initech of hubspot < auth: oauth, scopes: ["contacts.write"] >
"#;

/// `POST /contacts` now also needs `contacts.read` (narrowed), `GET /deals`
/// only `deals.read` (widened), `GET /ping` `contacts.read` (narrowed),
/// `GET /owners` lists `oauth("deals.read")` (widened: the method's
/// widest view gains it); `acme` is granted `deals.read`.
const NEW: &str = r#"connector hubspot {
    auth oauth: oauth2_authorization_code < scopes: ["contacts.read", "contacts.write", "deals.read"] >
    auth key: token

    endpoint "GET /contacts"  < auth: [oauth("contacts.read"), key] >
    endpoint "POST /contacts" < auth: [oauth("contacts.read", "contacts.write")] >
    endpoint "GET /deals"     < auth: [oauth("deals.read")] >
    endpoint "GET /ping"      < auth: [oauth("contacts.read"), key] >
    endpoint "GET /owners"    < auth: [key, oauth("deals.read")] >
}

instance acme of hubspot < auth: oauth, scopes: ["contacts.read", "deals.read"] >
instance globex of hubspot < auth: oauth, scopes: ["contacts.read", "deals.read"] >
instance initech of hubspot < auth: oauth, scopes: ["contacts.write"] >
"#;

fn example() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    write_in(dir.path(), "old/hubspot.gate", OLD);
    write_in(dir.path(), "new/hubspot.gate", NEW);
    dir
}

#[test]
fn json_lists_changed_requirements_and_scopes_granted() {
    let dir = example();
    let output = authgate_in(dir.path(), &["diff", "old", "new", "--format", "json"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let json = json(&output);
    // The method subject holds every scope `oauth` declares: of the
    // requirement changes, only the new item on `GET /owners` changes
    // what it sees.
    assert_eq!(
        json["methods"],
        serde_json::json!([{"connector": "hubspot", "method": "oauth", "status": "changed",
            "gained": ["GET /owners"], "lost": [],
            "changes": [{"endpoint": "GET /owners", "file": "new/hubspot.gate", "line": 9,
                "column": 14, "change": "gained"}]}])
    );
    let instances = json["instances"].as_array().expect("instances");
    let find = |name: &str| {
        instances
            .iter()
            .find(|i| i["instance"] == name)
            .unwrap_or_else(|| panic!("{name} in {instances:?}"))
    };
    // acme, granted `deals.read`: `GET /deals` and `GET /owners` because
    // of the grant (its declaration); it keeps `GET /ping`.
    let acme = find("acme");
    assert_eq!(acme["scopes_gained"], serde_json::json!(["deals.read"]));
    assert!(acme.get("scopes_lost").is_none(), "{acme}");
    assert_eq!(
        acme["gained"],
        serde_json::json!(["GET /deals", "GET /owners"])
    );
    for change in acme["changes"].as_array().expect("changes") {
        assert_eq!(change["line"], 12, "{change}");
    }
    // globex holds the same scopes: it gains `GET /owners` through the
    // endpoint's new item, which points to the endpoint.
    let globex = find("globex");
    assert!(globex.get("scopes_gained").is_none(), "{globex}");
    assert_eq!(globex["gained"], serde_json::json!(["GET /owners"]));
    assert_eq!(globex["changes"][0]["line"], 9);
    // initech, with only `contacts.write`, loses `POST /contacts` and
    // `GET /ping`, pointing to OLD's endpoints.
    let initech = find("initech");
    assert_eq!(
        initech["lost"],
        serde_json::json!(["POST /contacts", "GET /ping"])
    );
    assert_eq!(initech["changes"][0]["file"], "old/hubspot.gate");
    assert_eq!(initech["changes"][0]["line"], 6);
    assert_eq!(
        json["requirements"],
        serde_json::json!([
            {"connector": "hubspot", "endpoint": "POST /contacts", "method": "oauth",
             "old": [["contacts.write"]], "new": [["contacts.read", "contacts.write"]],
             "change": "narrowed", "file": "new/hubspot.gate", "line": 6, "column": 14},
            {"connector": "hubspot", "endpoint": "GET /deals", "method": "oauth",
             "old": [["contacts.read", "deals.read"]], "new": [["deals.read"]],
             "change": "widened", "file": "new/hubspot.gate", "line": 7, "column": 14},
            {"connector": "hubspot", "endpoint": "GET /ping", "method": "oauth",
             "old": [[]], "new": [["contacts.read"]],
             "change": "narrowed", "file": "new/hubspot.gate", "line": 8, "column": 14},
            {"connector": "hubspot", "endpoint": "GET /owners", "method": "oauth",
             "old": [], "new": [["deals.read"]],
             "change": "widened", "file": "new/hubspot.gate", "line": 9, "column": 14},
        ])
    );
    assert_eq!(
        json["structure"],
        serde_json::json!([{"kind": "instance", "connector": "hubspot", "name": "acme",
            "status": "changed", "scopes_gained": ["deals.read"],
            "file": "new/hubspot.gate", "line": 12, "column": 10}])
    );
    assert_eq!(
        json["summary"],
        serde_json::json!({"subjects_changed": 4, "gained": 4, "lost": 2})
    );
}

#[test]
fn human_output_shows_requirements_as_auth_lists() {
    let dir = example();
    let output = authgate_in(dir.path(), &["diff", "old", "new"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    insta::assert_snapshot!(stdout(&output));
}

#[test]
fn markdown_output_shows_requirements() {
    let dir = example();
    let output = authgate_in(dir.path(), &["diff", "old", "new", "--format", "markdown"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    insta::assert_snapshot!(stdout(&output));
}

#[test]
fn fail_on_widen_fires_on_a_widened_or_changed_requirement() {
    let dir = tempfile::tempdir().expect("temp dir");
    let rules = |items: &str| {
        format!(
            "connector c {{\n    auth oauth: oauth2_client_credentials < scopes: [a, b] >\n    \
             endpoint e < auth: [{items}] >\n}}\n"
        )
    };
    // No instance anywhere and the method's widest view unchanged: only
    // the requirement says who gains.
    for (name, items) in [("ab", "oauth(a, b)"), ("a", "oauth(a)"), ("b", "oauth(b)")] {
        write_in(dir.path(), &format!("{name}.gate"), &rules(items));
    }
    let run = |old: &str, new: &str| {
        let output = authgate_in(
            dir.path(),
            &["diff", old, new, "--fail-on", "widen", "--format", "json"],
        );
        let json = json(&output);
        (
            code(&output),
            json["requirements"][0]["change"]
                .as_str()
                .map(str::to_owned),
            json["summary"]["gained"].clone(),
        )
    };
    let widened = run("ab.gate", "a.gate");
    assert_eq!(widened, (1, Some("widened".into()), serde_json::json!(0)));
    let narrowed = run("a.gate", "ab.gate");
    assert_eq!(narrowed, (0, Some("narrowed".into()), serde_json::json!(0)));
    // `oauth(a)` to `oauth(b)`: an instance holding `b` alone gains it.
    let changed = run("a.gate", "b.gate");
    assert_eq!(changed, (1, Some("changed".into()), serde_json::json!(0)));
    let output = authgate_in(
        dir.path(),
        &["diff", "a.gate", "ab.gate", "--fail-on", "any"],
    );
    assert_eq!(code(&output), 1);
    assert!(
        stdout(&output).contains("0 subjects changed: 0 gained, 0 lost, 1 requirement changed"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn written_differently_admitting_the_same_is_no_change() {
    let dir = tempfile::tempdir().expect("temp dir");
    let rules = |items: &str| {
        format!(
            "connector c {{\n    auth oauth: oauth2_client_credentials < scopes: [a, b] >\n    \
             endpoint e < auth: [{items}] >\n}}\n\
             instance i of c < auth: oauth, scopes: [b, a] >\n"
        )
    };
    write_in(dir.path(), "old.gate", &rules("oauth(a, b)"));
    write_in(
        dir.path(),
        "new.gate",
        &rules("oauth(b, a), oauth(\"a\", b)"),
    );
    let output = authgate_in(
        dir.path(),
        &["diff", "old.gate", "new.gate", "--fail-on", "any"],
    );
    assert_eq!(code(&output), 0, "{}", stdout(&output));
    assert!(stdout(&output).contains("no change"), "{}", stdout(&output));
}

/// A HubSpot-sized connector: 1,500 endpoints, 300 scopes, every tenth
/// requirement changed and 100 instances re-granted. The report stays a
/// few dozen lines; JSON lists every change.
#[test]
fn a_hubspot_sized_change_is_cut_and_json_lists_every_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    let scopes: Vec<String> = (0..300).map(|s| format!("\"crm.s{s}.read\"")).collect();
    let rules = |changed: bool| {
        let mut text = format!(
            "connector hubspot {{\n    auth oauth: oauth2_authorization_code < scopes: [{}] >\n    auth key: token\n",
            scopes.join(", ")
        );
        for e in 0..1_500 {
            let mut needed = vec![scopes[e % 300].clone()];
            if changed && e % 10 == 0 {
                needed.push(scopes[(e + 1) % 300].clone());
            }
            text.push_str(&format!(
                "    endpoint \"GET /e{e}\" < auth: [oauth({}), key] >\n",
                needed.join(", ")
            ));
        }
        text.push_str("}\n");
        for i in 0..100 {
            let held = if changed { 40 } else { 30 };
            let held: Vec<&str> = (0..held).map(|s| scopes[(i + s) % 300].as_str()).collect();
            text.push_str(&format!(
                "instance tenant{i} of hubspot < auth: oauth, scopes: [{}] >\n",
                held.join(", ")
            ));
        }
        text
    };
    write_in(dir.path(), "old.gate", &rules(false));
    write_in(dir.path(), "new.gate", &rules(true));
    let output = authgate_in(dir.path(), &["diff", "old.gate", "new.gate"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("150 requirements changed"), "{text}");
    assert!(text.contains("and 130 more changed requirements"), "{text}");
    assert!(text.lines().count() <= 70, "{text}");
    assert!(text.len() <= 12_000, "{} bytes: {text}", text.len());
    assert!(text.contains("+`crm.s33.read` and 6 more,"), "{text}");
    let output = authgate_in(
        dir.path(),
        &["diff", "old.gate", "new.gate", "--format", "json"],
    );
    let json = json(&output);
    let requirements = json["requirements"].as_array().expect("requirements");
    assert_eq!(requirements.len(), 150);
    assert!(requirements.iter().all(|r| r["change"] == "narrowed"));
    assert_eq!(json["instances"].as_array().expect("instances").len(), 100);
    assert_eq!(
        json["structure"]
            .as_array()
            .expect("structure")
            .iter()
            .filter(|s| s["scopes_gained"].as_array().is_some_and(|g| g.len() == 10))
            .count(),
        100
    );
}
