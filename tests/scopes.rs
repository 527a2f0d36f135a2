//! Scopes: decisions for declared and runtime instances that hold scopes.

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
    let sees = |who, endpoint| policy.decide(Principal::Instance(who), endpoint).available();
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
