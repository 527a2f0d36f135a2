//! The compiled evaluator, through the public library API only.

use authgate::policy::Unknown;
use authgate::{Decision, Policy, Principal, Reason, Sources, compile};

/// The platform's own example: `orders` activates only basic, so the
/// OAuth 2 instance is not offered it.
const PLATFORM: &str = r#"
connector shop {
    auth basic: basic
    auth "OAuth 2": oauth2_authorization_code
    endpoint orders    < auth: [basic] >
    endpoint customers < auth: [basic, "OAuth 2"] >
}
connector crm {
    auth token: token
    endpoint contacts < auth: [token] >
    endpoint orders   < auth: [token] >
}
instance "instance 1" of shop < auth: basic >
instance "instance 2" of shop < auth: "OAuth 2" >
instance "crm 1" of crm < auth: token >
"#;

fn policy(text: &str) -> Policy {
    let mut sources = Sources::new();
    sources.add("rules.gate", text);
    let compiled = compile(&sources);
    assert_eq!(compiled.summary.errors, 0, "{:?}", compiled.diagnostics);
    compiled.policy.expect("compiles without errors")
}

fn available(policy: &Policy, instance: &str, endpoint: &str) -> bool {
    policy
        .decide(Principal::Instance(instance), endpoint)
        .available()
}

#[test]
fn the_platform_example_holds() {
    let policy = policy(PLATFORM);
    assert!(available(&policy, "instance 1", "orders"));
    assert!(available(&policy, "instance 1", "customers"));
    assert!(!available(&policy, "instance 2", "orders"));
    assert!(available(&policy, "instance 2", "customers"));
}

#[test]
fn a_decision_says_why() {
    let policy = policy(PLATFORM);
    let yes = policy.decide(Principal::Instance("instance 1"), "orders");
    assert!(matches!(yes.reason(), Reason::Activated { .. }));
    let no = policy.decide(Principal::Instance("instance 2"), "orders");
    assert!(matches!(no.reason(), Reason::NotActivated { .. }));
    assert_eq!(
        policy.describe(&no),
        "instance `instance 2` authenticates with `OAuth 2`, which `orders` does not activate \
         (activated: `basic`)"
    );
    let endpoint = no.endpoint().expect("resolved");
    let location = policy.endpoint_location(endpoint).expect("declared");
    assert_eq!(
        (location.file, location.line, location.column),
        ("rules.gate", 5, 14)
    );
    let instance = no.subject().and_then(|s| s.instance).expect("declared");
    let location = policy.instance_location(instance).expect("declared");
    assert_eq!((location.line, location.column), (14, 10));
}

#[test]
fn runtime_instances_are_a_connector_and_a_method() {
    let policy = policy(PLATFORM);
    let oauth = Principal::Runtime {
        connector: "shop",
        method: "OAuth 2",
    };
    assert!(!policy.decide(oauth, "orders").available());
    assert!(policy.decide(oauth, "customers").available());
    let subject = policy.subject(oauth).expect("known");
    assert_eq!(subject.instance, None);
}

#[test]
fn endpoints_resolve_within_the_instances_connector() {
    let policy = policy(PLATFORM);
    // `crm` has its own `orders`; `crm 1` sees that one, not the shop's.
    assert!(available(&policy, "crm 1", "orders"));
    assert!(!available(&policy, "crm 1", "customers"));
    let decision = policy.decide(Principal::Instance("crm 1"), "customers");
    assert!(matches!(decision.reason(), Reason::UnknownEndpoint { .. }));
}

#[test]
fn ids_of_another_connector_are_never_available() {
    let policy = policy(PLATFORM);
    let shop = policy.connector("shop").expect("declared");
    let crm = policy.connector("crm").expect("declared");
    let basic = policy.method(shop, "basic").expect("declared");
    let crm_orders = policy.endpoint(crm, "orders").expect("declared");
    assert!(!policy.is_available(basic, crm_orders));
    let subject = policy
        .subject(Principal::Instance("instance 1"))
        .expect("declared");
    let decision = policy.decide_ids(subject, crm_orders);
    assert!(!decision.available());
    assert!(matches!(decision.reason(), Reason::OtherConnector { .. }));
    assert!(
        policy
            .describe(&decision)
            .contains("`orders` is an endpoint of `crm`")
    );
}

#[test]
fn unknown_names_are_denied_and_named() {
    let policy = policy(PLATFORM);
    let cases = [
        (
            Principal::Instance("instance 3"),
            "orders",
            "unknown instance `instance 3`; did you mean `instance 1`?",
        ),
        (
            Principal::Runtime {
                connector: "shpo",
                method: "basic",
            },
            "orders",
            "unknown connector `shpo`; did you mean `shop`?",
        ),
        (
            Principal::Runtime {
                connector: "shop",
                method: "oauth 2",
            },
            "orders",
            "unknown auth method `oauth 2` in connector `shop`; did you mean `OAuth 2`?",
        ),
        (
            Principal::Instance("instance 1"),
            "ordres",
            "unknown endpoint `ordres` in connector `shop`; did you mean `orders`?",
        ),
        (Principal::Instance(""), "", "unknown instance ``"),
    ];
    for (principal, endpoint, reason) in cases {
        let decision = policy.decide(principal, endpoint);
        assert!(!decision.available(), "{principal:?} {endpoint}");
        assert_eq!(policy.describe(&decision), reason);
    }
    assert_eq!(
        policy.subject(Principal::Instance("nope")),
        Err(Unknown::Instance("nope"))
    );
    // What a caller that resolved the principal first can report.
    let unknown = Decision::from(Unknown::Instance("nope"));
    assert_eq!(
        policy.decide(Principal::Instance("nope"), "orders"),
        unknown
    );
    assert!(!unknown.available());
}

#[test]
fn visible_lists_exactly_the_activated_endpoints_in_order() {
    let policy = policy(PLATFORM);
    let names = |instance: &str| -> Vec<String> {
        let subject = policy
            .subject(Principal::Instance(instance))
            .expect("declared");
        policy
            .visible(subject.method)
            .iter()
            .map(|&e| policy.endpoint_name(e).expect("of this policy").to_owned())
            .collect()
    };
    assert_eq!(names("instance 1"), ["orders", "customers"]);
    assert_eq!(names("instance 2"), ["customers"]);
    assert_eq!(names("crm 1"), ["contacts", "orders"]);
}

#[test]
fn connectors_with_more_than_64_methods_work() {
    let mut text = String::from("connector big {\n");
    for i in 0..130 {
        text.push_str(&format!("    auth m{i}: token\n"));
    }
    // Each endpoint activates one method, so every method is activated.
    for i in 0..130 {
        text.push_str(&format!("    endpoint e{i} < auth: [m{i}] >\n"));
    }
    text.push_str("}\ninstance last of big < auth: m129 >\n");
    let policy = policy(&text);
    assert!(available(&policy, "last", "e129"));
    assert!(!available(&policy, "last", "e64"));
    let big = policy.connector("big").expect("declared");
    let m100 = policy.method(big, "m100").expect("declared");
    let e100 = policy.endpoint(big, "e100").expect("declared");
    assert!(policy.is_available(m100, e100));
    assert_eq!(policy.visible(m100), [e100]);
}

#[test]
fn policies_can_be_shared_between_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Policy>();
    let policy = std::sync::Arc::new(policy(PLATFORM));
    let handles: Vec<_> = (0..2)
        .map(|_| {
            let policy = std::sync::Arc::clone(&policy);
            std::thread::spawn(move || available(&policy, "instance 1", "orders"))
        })
        .collect();
    for handle in handles {
        assert!(handle.join().expect("thread ran"));
    }
}

/// Bit sets are stored as narrow as the widest connector allows (8, 16,
/// 32 or 64 bits, and more beyond): every width decides the same.
#[test]
fn every_bit_set_width_decides_alike() {
    for methods in [3, 12, 20, 40, 64, 70] {
        let mut text = String::from("connector c {\n");
        for m in 0..methods {
            text.push_str(&format!("    auth m{m}: basic\n"));
        }
        for m in 0..methods {
            // Endpoint e{m} activates m{m} and the last method.
            text.push_str(&format!(
                "    endpoint e{m} < auth: [m{m}, m{}] >\n",
                methods - 1
            ));
        }
        text.push_str("}\nconnector small { auth a: basic endpoint x < auth: [a] > }\n");
        let policy = policy(&text);
        let c = policy.connector("c").expect("declared");
        for m in 0..methods {
            let method = policy.method(c, &format!("m{m}")).expect("declared");
            for e in 0..methods {
                let endpoint = policy.endpoint(c, &format!("e{e}")).expect("declared");
                let expected = m == e || m == methods - 1;
                assert_eq!(
                    policy.is_available(method, endpoint),
                    expected,
                    "{methods} methods: m{m} on e{e}"
                );
            }
        }
        let small = policy.connector("small").expect("declared");
        let x = policy.endpoint(small, "x").expect("declared");
        let m0 = policy.method(c, "m0").expect("declared");
        assert!(!policy.is_available(m0, x), "another connector's endpoint");
        assert_eq!(policy.endpoint_connector(x), Some(small));
    }
}

#[test]
fn deciding_by_instance_id_matches_deciding_by_method() {
    let policy = policy(PLATFORM);
    let shop = policy.connector("shop").expect("declared");
    let crm = policy.connector("crm").expect("declared");
    let endpoints: Vec<_> = policy
        .endpoints(shop)
        .chain(policy.endpoints(crm))
        .collect();
    for name in ["instance 1", "instance 2", "crm 1"] {
        let instance = policy.instance(name).expect("declared");
        let method = policy.instance_subject(instance).expect("declared").method;
        for &endpoint in &endpoints {
            assert_eq!(
                policy.is_available_to(instance, endpoint),
                policy.is_available(method, endpoint),
                "{name} / {}",
                policy.endpoint_name(endpoint).expect("of this policy")
            );
        }
    }
}

#[test]
fn ids_of_another_policy_give_none() {
    let big = policy(PLATFORM);
    let small = policy(
        "connector c { auth a: basic endpoint e < auth: [a] > }\ninstance i of c < auth: a >",
    );
    // The platform's second connector, its third method and endpoint and
    // instance have no counterpart in `small`.
    let crm = big.connector("crm").expect("declared");
    let token = big.method(crm, "token").expect("declared");
    let contacts = big.endpoint(crm, "contacts").expect("declared");
    let crm_1 = big.instance("crm 1").expect("declared");
    assert_eq!(small.connector_name(crm), None);
    assert_eq!(small.connector_location(crm), None);
    assert_eq!(small.method_name(token), None);
    assert_eq!(small.method_type(token), None);
    assert_eq!(small.method_connector(token), None);
    assert_eq!(small.method_location(token), None);
    assert_eq!(small.endpoint_name(contacts), None);
    assert_eq!(small.endpoint_connector(contacts), None);
    assert_eq!(small.endpoint_location(contacts), None);
    assert_eq!(small.instance_name(crm_1), None);
    assert_eq!(small.instance_subject(crm_1), None);
    assert_eq!(small.instance_location(crm_1), None);
    // Queries fail closed.
    assert!(!small.is_available(token, contacts));
    assert!(!small.is_available_to(crm_1, contacts));
    assert_eq!(small.visible(token), []);
    assert_eq!(small.activated(contacts).count(), 0);
    assert_eq!(small.methods(crm).count(), 0);
    assert_eq!(small.endpoints(crm).count(), 0);
}
