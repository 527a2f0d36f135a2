//! Queries against a compiled policy: arbitrary names must never panic and
//! never be available unless the rules say so.
#![no_main]

use std::sync::OnceLock;

use authgate::{Policy, Principal, Sources};
use libfuzzer_sys::fuzz_target;

const RULES: &str = r#"
connector shop {
    auth basic: basic
    auth "OAuth 2": oauth2_authorization_code
    endpoint orders    < auth: [basic] >
    endpoint customers < auth: [basic, "OAuth 2"] >
}
connector crm { auth token: token endpoint contacts < auth: [token] > endpoint orders < auth: [token] > }
instance "instance 1" of shop < auth: basic >
instance "instance 2" of shop < auth: "OAuth 2" >
instance "crm 1" of crm < auth: token >
"#;

/// A wide connector (methods beyond the 64th are stored apart), written
/// by `policy()`: 70 methods `m0`..`m69`; `e0` activates `m65`, `e1`
/// activates `m1` and `m69`.
const WIDE: usize = 70;

/// What the rules allow: (instance or connector/method, endpoint).
const ALLOWED: [(&str, &str); 14] = [
    ("wide 1", "e0"),
    ("wide/m65", "e0"),
    ("wide/m1", "e1"),
    ("wide/m69", "e1"),
    ("instance 1", "orders"),
    ("instance 1", "customers"),
    ("instance 2", "customers"),
    ("crm 1", "contacts"),
    ("crm 1", "orders"),
    ("shop/basic", "orders"),
    ("shop/basic", "customers"),
    ("shop/OAuth 2", "customers"),
    ("crm/token", "contacts"),
    ("crm/token", "orders"),
];

fn policy() -> &'static Policy {
    static POLICY: OnceLock<Policy> = OnceLock::new();
    POLICY.get_or_init(|| {
        let mut sources = Sources::new();
        let methods: String = (0..WIDE).map(|m| format!("auth m{m}: token\n")).collect();
        let wide = format!(
            "{RULES}\nconnector wide {{\n{methods}endpoint e0 < auth: [m65] >\n\
             endpoint e1 < auth: [m69, m1] >\n}}\ninstance \"wide 1\" of wide < auth: m65 >\n"
        );
        sources.add("rules.gate", wide);
        authgate::compile(&sources).policy.expect("valid rules")
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // "who\nendpoint", where who is an instance or connector/method.
    let (who, endpoint) = text.split_once('\n').unwrap_or((text, ""));
    let policy = policy();
    let principal = match who.split_once('/') {
        Some((connector, method)) => Principal::Runtime { connector, method },
        None => Principal::Instance(who),
    };
    let decision = policy.decide(principal, endpoint);
    let allowed = ALLOWED.contains(&(who, endpoint));
    assert_eq!(decision.available(), allowed, "{who:?} {endpoint:?}");
    let _ = policy.describe(&decision);
    let _ = policy.reason(&decision).to_string();
});
