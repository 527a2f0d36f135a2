//! Scopes: decisions for declared and runtime instances that hold scopes.
#![allow(clippy::unwrap_used, reason = "a test fails by panicking")]

use authgate::{Principal, Sources};

fn policy(text: &str) -> authgate::Policy {
    let mut sources = Sources::new();
    sources.add("scopes.gate", text);
    let compiled = authgate::compile(&sources);
    match compiled.policy {
        Some(policy) => policy,
        None => panic!("rules do not compile: {:?}", compiled.diagnostics),
    }
}

const HUBSPOT: &str = r#"
connector hubspot {
    auth oauth: oauth2_authorization_code < scopes: ["contacts.read", "contacts.write", "deals.read"] >
    auth key: token

    endpoint "GET /contacts"  < auth: [oauth("contacts.read"), key] >
    endpoint "POST /contacts" < auth: [oauth("contacts.write")] >
    endpoint "GET /deals"     < auth: [oauth("contacts.read", "deals.read")] >
    endpoint "GET /ping"      < auth: [oauth, key] >
}

instance acme of hubspot < auth: oauth, scopes: ["contacts.read"] >
instance bare of hubspot < auth: oauth >
"#;

#[test]
fn declared_instances_see_what_their_scopes_grant() {
    let policy = policy(HUBSPOT);
    let sees = |who, endpoint| {
        policy
            .decide(Principal::Instance(who), endpoint)
            .available()
    };
    assert!(sees("acme", "GET /contacts"));
    assert!(!sees("acme", "POST /contacts"));
    assert!(!sees("acme", "GET /deals"));
    assert!(sees("acme", "GET /ping"));
    // No scopes given: none held.
    assert!(!sees("bare", "GET /contacts"));
    assert!(sees("bare", "GET /ping"));
}

#[test]
fn runtime_instances_hold_the_scopes_they_name() {
    let policy = policy(HUBSPOT);
    let runtime = Principal::Runtime {
        connector: "hubspot",
        method: "oauth",
    };
    let decide = |scopes: &[&str], endpoint| {
        policy
            .decide_with_scopes(runtime, scopes, endpoint)
            .available()
    };
    assert!(decide(&["contacts.read", "deals.read"], "GET /deals"));
    assert!(!decide(&["deals.read"], "GET /deals"));
    // An undeclared scope grants nothing; never an error.
    assert!(!decide(&["contacts.writ"], "POST /contacts"));
    assert!(!policy.decide(runtime, "GET /contacts").available());
}

#[test]
fn reasons_name_the_item_and_the_scopes_missing() {
    use authgate::Reason;
    let policy = policy(HUBSPOT);
    let held = policy.decide(Principal::Instance("acme"), "GET /contacts");
    let Reason::ScopesHeld { item, .. } = held.reason() else {
        panic!("{:?}", held.reason());
    };
    assert_eq!(policy.item_text(item), r#"oauth("contacts.read")"#);
    assert_eq!(
        policy.reason(&held).to_string(),
        r#"instance `acme` authenticates with `oauth`, which `GET /contacts` activates as `oauth("contacts.read")`, and it holds those scopes"#
    );
    let refused = policy.decide(Principal::Instance("acme"), "GET /deals");
    let Reason::ScopesMissing { item, .. } = refused.reason() else {
        panic!("{:?}", refused.reason());
    };
    assert_eq!(
        policy.item_text(item),
        r#"oauth("contacts.read", "deals.read")"#
    );
    assert_eq!(policy.missing_scopes(&refused.reason()), ["deals.read"]);
    assert_eq!(
        policy.reason(&refused).to_string(),
        r#"instance `acme` authenticates with `oauth`, which `GET /deals` activates only with scopes: it lacks `deals.read` of `oauth("contacts.read", "deals.read")`"#
    );
    // A method the endpoint lists plainly: the reasons of rules without scopes.
    let plain = policy.decide(Principal::Instance("acme"), "GET /ping");
    assert!(matches!(plain.reason(), Reason::Activated { .. }));
    let runtime = Principal::Runtime {
        connector: "hubspot",
        method: "key",
    };
    let plain = policy.decide(runtime, "POST /contacts");
    assert!(matches!(plain.reason(), Reason::NotActivated { .. }));
}

#[test]
fn the_closest_item_is_the_one_missing_fewest_scopes() {
    let policy = policy(
        r#"
connector c {
    auth o: oauth2_client_credentials < scopes: [a, b, c, d] >
    endpoint e < auth: [o(a, b, c), o(d)] >
}
"#,
    );
    let runtime = Principal::Runtime {
        connector: "c",
        method: "o",
    };
    let decision = policy.decide_with_scopes(runtime, &["a"], "e");
    assert!(!decision.available());
    assert_eq!(policy.missing_scopes(&decision.reason()), ["d"]);
    let decision = policy.decide_with_scopes(runtime, &["a", "b"], "e");
    assert_eq!(policy.missing_scopes(&decision.reason()), ["c"]);
    let decision = policy.decide_with_scopes(runtime, &["d"], "e");
    assert!(decision.available());
}

#[test]
fn explain_and_answers_carry_the_item_and_missing_scopes_as_lists() {
    let policy = policy(HUBSPOT);
    let runtime = Principal::Runtime {
        connector: "hubspot",
        method: "oauth",
    };
    let explained =
        policy.explain_with_scopes(runtime, &["contacts.read", "deals.red"], "GET /deals");
    let json = authgate::serde_json::to_value(&explained).unwrap();
    assert_eq!(json["available"], false);
    assert_eq!(json["item"], r#"oauth("contacts.read", "deals.read")"#);
    assert_eq!(
        json["missing_scopes"],
        authgate::serde_json::json!(["deals.read"])
    );
    assert_eq!(
        json["unknown_scopes"],
        authgate::serde_json::json!(["deals.red"])
    );
    let reason = json["reason"].as_str().unwrap();
    assert!(reason.contains("`deals.red` is not a scope of `oauth`: a scope the method does not declare grants nothing"), "{reason}");
    assert!(reason.contains("did you mean `deals.read`?"), "{reason}");

    // Without scopes anywhere in the decision, no new field.
    let plain =
        authgate::serde_json::to_value(policy.explain(Principal::Instance("acme"), "GET /ping"))
            .unwrap();
    for field in ["item", "missing_scopes", "unknown_scopes"] {
        assert!(plain.get(field).is_none(), "{plain}");
    }

    // `eval`'s hand-written answer is the serialised one, byte for byte.
    for (principal, scopes, endpoint) in [
        (runtime, &["contacts.read"][..], "GET /deals"),
        (runtime, &["contacts.read", "deals.read"][..], "GET /deals"),
        (Principal::Instance("acme"), &[][..], "POST /contacts"),
        (Principal::Instance("acme"), &[][..], "GET /ping"),
    ] {
        let mut out = Vec::new();
        let decision = authgate::policy::request::write_answer_with_scopes(
            &policy, principal, scopes, endpoint, &mut out,
        );
        let serialised =
            authgate::serde_json::to_vec(&policy.answer(&decision, principal, endpoint)).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            String::from_utf8(serialised).unwrap()
        );
    }
    let decision = policy.decide_with_scopes(runtime, &["contacts.read"], "GET /deals");
    let answer =
        authgate::serde_json::to_value(policy.answer(&decision, runtime, "GET /deals")).unwrap();
    assert_eq!(
        answer["missing_scopes"],
        authgate::serde_json::json!(["deals.read"])
    );
}

#[test]
fn requests_read_scopes_for_runtime_instances_only() {
    use authgate::policy::request::Request;
    let json = br#"{"connector": "hubspot", "auth": "oauth", "scopes": ["contacts.read"], "endpoint": "GET /contacts"}"#;
    let request = Request::parse(json).unwrap();
    assert!(request.query().is_ok());
    assert_eq!(request.scopes(), ["contacts.read"]);
    let json = br#"{"instance": "acme", "scopes": ["contacts.read"], "endpoint": "GET /contacts"}"#;
    let request = Request::parse(json).unwrap();
    assert!(request.query().is_err());
}

fn names<'p>(policy: &'p authgate::Policy, ids: &[authgate::policy::EndpointId]) -> Vec<&'p str> {
    ids.iter()
        .filter_map(|&e| policy.endpoint_name(e))
        .collect()
}

#[test]
fn visible_lists_count_scopes() {
    let policy = policy(HUBSPOT);
    let acme = policy.instance("acme").unwrap();
    assert_eq!(
        names(&policy, policy.visible_instance(acme)),
        ["GET /contacts", "GET /ping"]
    );
    let bare = policy.instance("bare").unwrap();
    assert_eq!(names(&policy, policy.visible_instance(bare)), ["GET /ping"]);
    let visible = policy.visible_to(policy.instance_subject(acme).unwrap());
    assert_eq!(visible.endpoints, ["GET /contacts", "GET /ping"]);

    let connector = policy.connector("hubspot").unwrap();
    let oauth = policy.method(connector, "oauth").unwrap();
    let all = policy.scope_set(
        oauth,
        &["contacts.read", "contacts.write", "deals.read", "nope"],
    );
    assert_eq!(all.len(), 3);
    assert_eq!(
        names(&policy, &policy.visible_with_scopes(oauth, &all)),
        ["GET /contacts", "POST /contacts", "GET /deals", "GET /ping"]
    );
    let none = policy.scope_set(oauth, &[]);
    assert_eq!(
        names(&policy, &policy.visible_with_scopes(oauth, &none)),
        ["GET /ping"]
    );
    // A set resolved for another method holds nothing.
    let key = policy.method(connector, "key").unwrap();
    assert_eq!(
        names(&policy, &policy.visible_with_scopes(key, &all)),
        ["GET /contacts", "GET /ping"]
    );
    let endpoint = policy.endpoint(connector, "POST /contacts").unwrap();
    let subject = authgate::Subject {
        method: oauth,
        instance: None,
    };
    assert!(policy.decide_with(subject, &all, endpoint).available());
    assert!(!policy.decide_with(subject, &none, endpoint).available());
}

#[test]
fn rule_file_tests_hold_scopes() {
    let rules = format!(
        r#"{HUBSPOT}
test scopes {{
    expect hubspot/oauth("contacts.read") sees only ["GET /contacts", "GET /ping"]
    expect hubspot/oauth("contacts.read", "deals.read") can see "GET /deals"
    expect hubspot/oauth("contacts.read") cannot see "GET /deals"
    expect hubspot/oauth("contacts.writ") cannot see "POST /contacts"
    expect hubspot/oauth sees only ["GET /ping"]
    expect acme sees only ["GET /contacts", "GET /ping"]
}}
test wrong {{
    expect hubspot/oauth("contacts.read") sees only ["GET /ping"]
}}
"#
    );
    let mut sources = Sources::new();
    sources.add("scopes.gate", &rules);
    let compiled = authgate::compile(&sources);
    let policy = compiled.policy.expect("compiles");
    let reports = authgate::policy::expect::run(&policy, &compiled.tests);
    assert_eq!(reports.len(), 2);
    assert!(reports[0].passed(), "{:?}", reports[0].failures);
    assert_eq!(reports[1].failures.len(), 1);
    assert_eq!(reports[1].failures[0].unexpected, ["GET /contacts"]);
    assert!(
        reports[1].failures[0]
            .expected
            .starts_with(r#"`hubspot/oauth("contacts.read")` sees only"#),
        "{}",
        reports[1].failures[0].expected
    );
}

fn codes(text: &str, config: Option<&str>) -> Vec<String> {
    let mut sources = Sources::new();
    let mut lints = authgate::project::config::Lints::default();
    if let Some(config) = config {
        lints = authgate::project::config::Config::parse(&mut sources, "authgate.toml", config)
            .expect("config")
            .lints;
    }
    sources.add("scopes.gate", text);
    let compiled = authgate::compile_with(&sources, &lints);
    compiled
        .diagnostics
        .iter()
        .map(|d| d.code().to_string())
        .collect()
}

#[test]
fn an_instance_whose_scopes_satisfy_no_item_is_blind() {
    let rules = r#"
connector c {
    auth o: oauth2_client_credentials < scopes: [read, write] >
    endpoint e < auth: [o(read, write)] >
    endpoint f < auth: [o(write)] >
}
instance reader of c < auth: o, scopes: [read] >
instance writer of c < auth: o, scopes: [write] >
instance nothing of c < auth: o >
"#;
    let codes = codes(rules, None);
    assert_eq!(
        codes,
        ["authgate::blind_instance", "authgate::blind_instance"],
        "{codes:?}"
    );
    // An instance of a method listed plainly somewhere is not blind.
    let plain = r#"
connector c {
    auth o: oauth2_client_credentials < scopes: [read] >
    endpoint e < auth: [o(read)] >
    endpoint f < auth: [o] >
}
instance nothing of c < auth: o >
"#;
    assert!(codes_of(plain).is_empty());
}

fn codes_of(text: &str) -> Vec<String> {
    codes(text, None)
}

const REDUNDANT: &str = r#"
connector c {
    auth o: oauth2_client_credentials < scopes: [read, write] >
    endpoint e < auth: [o, o(read)] >
    endpoint f < auth: [o(read), o(read, write)] >
}
"#;

#[test]
fn scope_warnings_follow_allow_directives_and_lint_levels() {
    assert_eq!(
        codes_of(REDUNDANT),
        [
            "authgate::redundant_alternative",
            "authgate::redundant_alternative"
        ]
    );
    let allowed = format!(
        "// authgate: allow(redundant_alternative)\n{}",
        REDUNDANT.trim_start()
    );
    assert!(codes_of(&allowed).is_empty(), "{:?}", codes_of(&allowed));
    let config = "[lints]\nredundant_alternative = \"allow\"\nrepeated_scope = \"deny\"\n";
    assert!(codes(REDUNDANT, Some(config)).is_empty());
    let repeated = r#"
connector c {
    auth o: oauth2_client_credentials < scopes: [read, read] >
    endpoint e < auth: [o(read)] >
}
"#;
    assert_eq!(codes_of(repeated), ["authgate::repeated_scope"]);
    let mut sources = Sources::new();
    let lints = authgate::project::config::Config::parse(&mut sources, "authgate.toml", config)
        .expect("config")
        .lints;
    sources.add("scopes.gate", repeated);
    let compiled = authgate::compile_with(&sources, &lints);
    assert!(compiled.policy.is_none(), "a denied warning is an error");
    let allowed = format!(
        "// authgate: allow(repeated_scope)\n{}",
        repeated.trim_start()
    );
    assert!(codes_of(&allowed).is_empty());
}

#[test]
fn the_language_pages_example_of_scopes_checks_and_its_tests_pass() {
    let page = include_str!("../../docs/language.md");
    let section = &page[page.find("## Scopes").expect("section")..];
    let start = section.find("```gate\n").expect("block") + 8;
    let end = start + section[start..].find("```").expect("end");
    let mut sources = Sources::new();
    sources.add("hubspot.gate", &section[start..end]);
    let compiled = authgate::compile(&sources);
    assert!(
        compiled.diagnostics.is_empty(),
        "{:?}",
        compiled.diagnostics
    );
    let policy = compiled.policy.expect("compiles");
    let reports = authgate::policy::expect::run(&policy, &compiled.tests);
    assert!(reports.iter().all(|r| r.passed()), "{reports:?}");
    let decision = policy.decide(Principal::Instance("reader"), "POST /contacts");
    assert_eq!(
        policy.reason(&decision).to_string(),
        "instance `reader` authenticates with `oauth`, which `POST /contacts` activates only with scopes: it lacks `contacts.write` of `oauth(\"contacts.write\")`"
    );
}

/// Hostile shapes, in small sizes (`scripts/scale-scopes.py` runs them at
/// full size and measures): each compiles and decides without panicking.
mod hostile {
    use super::*;

    fn compiles(text: &str) -> authgate::Policy {
        let mut sources = Sources::new();
        sources.add("hostile.gate", text);
        let compiled = authgate::compile(&sources);
        let errors: Vec<_> = compiled
            .diagnostics
            .iter()
            .filter(|d| d.severity() == authgate::diagnostics::Severity::Error)
            .map(|d| d.code().to_string())
            .collect();
        assert!(errors.is_empty(), "{errors:?}");
        compiled.policy.unwrap()
    }

    fn scopes(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("s{i}")).collect()
    }

    fn quoted(names: &[String]) -> String {
        names
            .iter()
            .map(|n| format!("\"{n}\""))
            .collect::<Vec<_>>()
            .join(", ")
    }

    const RUNTIME: Principal<'static> = Principal::Runtime {
        connector: "c",
        method: "o",
    };

    #[test]
    fn many_scopes_on_one_method() {
        let names = scopes(20_000);
        let text = format!(
            "connector c {{\n auth o: oauth2_client_credentials < scopes: [{}] >\n \
             endpoint e < auth: [o(\"s19999\", \"s0\")] >\n endpoint f < auth: [o({})] >\n}}\n",
            quoted(&names),
            quoted(names.get(..5_000).unwrap())
        );
        let policy = compiles(&text);
        assert!(
            policy
                .decide_with_scopes(RUNTIME, &["s0", "s19999"], "e")
                .available()
        );
        let all: Vec<&str> = names.iter().map(String::as_str).collect();
        assert!(policy.decide_with_scopes(RUNTIME, &all, "f").available());
        let decision = policy.decide_with_scopes(RUNTIME, &["s1"], "f");
        assert_eq!(policy.missing_scopes(&decision.reason()).len(), 4_999);
    }

    #[test]
    fn a_scope_name_of_a_megabyte() {
        let long = "x".repeat(1 << 20);
        let text = format!(
            "connector c {{\n auth o: oauth2_client_credentials < scopes: [\"{long}\", short] >\n \
             endpoint e < auth: [o(\"{long}\")] >\n}}\n\
             instance i of c < auth: o, scopes: [\"{long}\"] >\n"
        );
        let policy = compiles(&text);
        assert!(policy.decide(Principal::Instance("i"), "e").available());
        assert!(
            policy
                .decide_with_scopes(RUNTIME, &[long.as_str()], "e")
                .available()
        );
        assert!(
            !policy
                .decide_with_scopes(RUNTIME, &["short"], "e")
                .available()
        );
        // Unknown, and close to the long one: did-you-mean stays bounded.
        let mut sources = Sources::new();
        sources.add(
            "hostile.gate",
            format!("{text}instance j of c < auth: o, scopes: [\"{long}y\"] >\n"),
        );
        let compiled = authgate::compile(&sources);
        assert!(
            compiled
                .diagnostics
                .iter()
                .any(|d| d.code().to_string() == "authgate::unknown_scope")
        );
    }

    #[test]
    fn many_items_of_one_method_on_one_endpoint() {
        // Distinct pairs, then triples that each contain an earlier pair
        // (all redundant), then items of more than eight scopes.
        let names = scopes(200);
        let mut items = Vec::new();
        for i in 0..1_000 {
            items.push(format!("o(s{}, s{})", i % 200, (i * 7 + 1) % 200));
        }
        for i in 0..1_000 {
            items.push(format!(
                "o(s{}, s{}, s{})",
                i % 200,
                (i * 7 + 1) % 200,
                (i + 3) % 200
            ));
        }
        for i in 0..500 {
            let wide: Vec<String> = (0..12)
                .map(|k| format!("s{}", (i + k * 13) % 200))
                .collect();
            items.push(format!("o({})", wide.join(", ")));
        }
        let text = format!(
            "connector c {{\n auth o: oauth2_client_credentials < scopes: [{}] >\n \
             endpoint e < auth: [{}] >\n}}\n",
            quoted(&names),
            items.join(", ")
        );
        let policy = compiles(&text);
        assert!(
            policy
                .decide_with_scopes(RUNTIME, &["s0", "s1"], "e")
                .available()
        );
        assert!(!policy.decide_with_scopes(RUNTIME, &["s0"], "e").available());
        let redundant = codes_of(&text)
            .iter()
            .filter(|c| *c == "authgate::redundant_alternative")
            .count();
        assert!(redundant >= 1_000, "{redundant}");
    }

    #[test]
    fn an_instance_holding_many_scopes() {
        let names = scopes(20_000);
        let text = format!(
            "connector c {{\n auth o: oauth2_client_credentials < scopes: [{all}] >\n \
             endpoint e < auth: [o(s7, s19999)] >\n endpoint f < auth: [o(nope)] >\n}}\n\
             instance i of c < auth: o, scopes: [{all}] >\n",
            all = quoted(&names),
        );
        let mut sources = Sources::new();
        sources.add("hostile.gate", &text);
        let compiled = authgate::compile(&sources);
        // `nope` is unknown: the rules don't compile, but checking ends.
        assert!(compiled.policy.is_none());
        let policy = compiles(&text.replace("o(nope)", "o(s3)"));
        assert!(policy.decide(Principal::Instance("i"), "e").available());
        assert_eq!(
            policy.visible_instance(policy.instance("i").unwrap()).len(),
            2
        );
    }
}

#[test]
fn redundant_alternatives_name_the_first_item_that_implies_them() {
    let rules = r#"
connector c {
    auth o: oauth2_client_credentials < scopes: [a, b, c, d, e, f, g, h, i, j] >
    endpoint e < auth: [o(a, b), o(a, b, c), o(a, b, c), o(a, c, b, d, e, f, g, h, i), o(j, i)] >
    endpoint f < auth: [o(a, b, c, d, e, f, g, h, i, j), o(c, d), o(j, i, h, g, f, e, d, c, b, a)] >
}
"#;
    let mut sources = Sources::new();
    sources.add("scopes.gate", rules);
    let compiled = authgate::compile(&sources);
    let found: Vec<String> = compiled.diagnostics.iter().map(|d| d.to_string()).collect();
    assert_eq!(
        found,
        [
            "auth item `o(a, b, c)` is implied by `o(a, b)`",
            "auth item `o(a, b, c)` is implied by `o(a, b)`",
            "auth item `o(a, c, b, d, e, f, g, h, i)` is implied by `o(a, b)`",
            "auth item `o(a, b, c, d, e, f, g, h, i, j)` is implied by `o(c, d)`",
            "auth item `o(j, i, h, g, f, e, d, c, b, a)` is implied by `o(a, b, c, d, e, f, g, h, i, j)`",
        ]
    );
}

/// An endpoint that another method activates only with scopes says so:
/// "activated: no method" would send the reader looking for a mistake.
#[test]
fn explain_lists_the_items_that_need_scopes() {
    let policy = policy(HUBSPOT);
    let key = Principal::Runtime {
        connector: "hubspot",
        method: "key",
    };
    let explained = policy.explain_with_scopes(key, &[], "POST /contacts");
    assert!(explained.activated.is_empty());
    assert_eq!(
        explained.activated_with_scopes,
        Some(vec![r#"oauth("contacts.write")"#.to_owned()])
    );
    assert!(
        explained
            .reason
            .ends_with(r#"does not activate (activated: `oauth("contacts.write")`)"#),
        "{}",
        explained.reason
    );
    // Both kinds, plain methods first.
    let explained = policy.explain_with_scopes(key, &[], "GET /contacts");
    assert_eq!(explained.activated, ["key"]);
    assert_eq!(
        explained.activated_with_scopes,
        Some(vec![r#"oauth("contacts.read")"#.to_owned()])
    );
    // Without items that need scopes, the field is left out.
    let json =
        authgate::serde_json::to_value(policy.explain_with_scopes(key, &[], "GET /ping")).unwrap();
    assert!(json.get("activated_with_scopes").is_none(), "{json}");
}

mod written_answers {
    use authgate::Principal;
    use authgate::syntax::QuotedName;
    use proptest::prelude::*;

    /// `eval`'s answer is written by hand, its reason straight into the
    /// JSON string with the items' escaped forms made at compile time;
    /// serde writes the same answer from the reason's words. Names with
    /// quotes, backslashes, spaces and other scripts must come out the
    /// same both ways, for every kind of reason.
    fn name() -> impl Strategy<Value = String> {
        "[a-z\"\\\\ é.:/\t\u{1}]{1,6}"
    }

    /// The rules' names: as [`name`] gives them, or (as nearly every
    /// rule set) none that needs escaping, when answers copy them.
    fn names() -> impl Strategy<Value = Vec<String>> {
        prop_oneof![
            prop::collection::vec(name(), 9),
            prop::collection::vec("[a-z é.:/]{1,6}", 9),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]
        #[test]
        fn hand_written_answers_equal_serialised_ones(
            names in names(),
            held in prop::collection::vec(0..4usize, 0..4),
        ) {
            // A digit at the end keeps the names apart.
            let names: Vec<String> = names.iter().enumerate().map(|(i, n)| format!("{n}{i}")).collect();
            let q = |i: usize| QuotedName(&names[i]).to_string();
            let text = format!(
                "connector {c} {{\n  auth {m}: oauth2_authorization_code < scopes: [{s0}, {s1}, {s2}, {s3}] >\n  auth other: token\n  \
                 endpoint {e0} < auth: [{m}({s0}, {s1}), {m}({s2})] >\n  endpoint {e1} < auth: [{m}, other] >\n  \
                 endpoint {e2} < auth: [other] >\n}}\n\
                 instance {i} of {c} < auth: {m}, scopes: [{s1}] >\n",
                c = q(0), m = q(1), s0 = q(2), s1 = q(3), s2 = q(4), s3 = q(5),
                e0 = q(6), e1 = q(7), e2 = q(8), i = QuotedName(&format!("{}i", names[0])),
            );
            let policy = super::policy(&text);
            let scopes: Vec<&str> = held.iter().map(|&h| names[2 + h].as_str()).collect();
            let instance = format!("{}i", names[0]);
            let principals = [
                Principal::Instance(&instance),
                Principal::Instance("nobody"),
                // Names the rules don't know are escaped, whatever the rules' names.
                Principal::Instance("no \"body\"\\"),
                Principal::Runtime { connector: &names[0], method: "\"other\"" },
                Principal::Runtime { connector: &names[0], method: &names[1] },
                Principal::Runtime { connector: &names[0], method: "other" },
                Principal::Runtime { connector: &names[0], method: &names[2] },
                Principal::Runtime { connector: &names[1], method: &names[1] },
            ];
            for principal in principals {
                for endpoint in [&names[6], &names[7], &names[8], &names[2], "\"e\""] {
                    let mut out = Vec::new();
                    let decision = authgate::policy::request::write_answer_with_scopes(
                        &policy, principal, &scopes, endpoint, &mut out,
                    );
                    let serialised = authgate::serde_json::to_vec(
                        &policy.answer(&decision, principal, endpoint),
                    )
                    .unwrap();
                    prop_assert_eq!(
                        String::from_utf8(out).unwrap(),
                        String::from_utf8(serialised).unwrap()
                    );
                }
            }
        }
    }
}
