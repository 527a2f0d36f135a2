//! Requests read and answered as `eval` and `serve` answer them, against
//! the library deciding by names.
//!
//! `Request::answer` takes its own way to a decision: a short scope list
//! (as nearly every request gives) is compared with the items' scopes,
//! a longer one is looked up name by name, and a list with escapes is read
//! by serde_json. Over random rule sets with scopes, every request, in
//! every way a list can be written, must be answered with the very bytes
//! of `write_answer_with_scopes`, which decides through
//! `Policy::decide_with_scopes` (the reference model's subject).
//!
//! `AUTHGATE_PROPTEST_CASES` sets the number of cases (default 256).

use authgate::policy::request::{Request, write_answer_with_scopes};
use authgate::{Principal, Sources, compile};
use proptest::prelude::*;

use crate::support::rules::{Rules, scoped_rules, write};

/// The scopes a runtime instance of `method` names in a request, picked
/// from those the method declares by `picks` (repeats kept), with
/// `undeclared` names no method declares.
fn held(
    rules: &Rules,
    connector: usize,
    method: &str,
    picks: &[u16],
    undeclared: usize,
) -> Vec<String> {
    let declared = rules.connectors[connector].declared(method);
    let mut held: Vec<String> = if declared.is_empty() {
        Vec::new()
    } else {
        picks
            .iter()
            .map(|&pick| declared[usize::from(pick) % declared.len()].clone())
            .collect()
    };
    for index in 0..undeclared {
        held.insert(
            index * 3 % (held.len() + 1),
            format!("no such scope {index}"),
        );
    }
    held
}

/// A request line, its names written as JSON writes them (escaped when
/// they must be, which sends the line to serde_json's reading).
fn line(connector: &str, method: &str, scopes: &[String], endpoint: &str) -> String {
    let scopes = authgate::serde_json::to_string(scopes).expect("strings");
    let string = |name: &str| authgate::serde_json::to_string(name).expect("a string");
    format!(
        "{{\"connector\":{},\"auth\":{},\"scopes\":{scopes},\"endpoint\":{}}}",
        string(connector),
        string(method),
        string(endpoint)
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: crate::support::proptest_cases(256), ..ProptestConfig::default() })]

    #[test]
    fn requests_are_answered_as_the_library_decides(
        rules in scoped_rules(),
        seed in any::<u64>(),
        lists in prop::collection::vec((prop::collection::vec(any::<u16>(), 0..14), 0..3usize), 1..6),
    ) {
        let mut sources = Sources::new();
        for (index, text) in write(&rules, seed).into_iter().enumerate() {
            sources.add(format!("r{index}.gate"), text);
        }
        let compiled = compile(&sources);
        prop_assert_eq!(compiled.summary.errors, 0, "{:?}", compiled.diagnostics);
        let policy = compiled.policy.expect("no errors");
        let mut answer = Vec::new();
        let mut expected = Vec::new();
        for (c, connector) in rules.connectors.iter().enumerate() {
            let mut endpoints: Vec<&str> = connector.endpoints.iter().map(|(e, _)| e.as_str()).collect();
            endpoints.push("no such endpoint");
            for (method, _) in &connector.methods {
                for (picks, undeclared) in &lists {
                    let scopes = held(&rules, c, method, picks, *undeclared);
                    let names: Vec<&str> = scopes.iter().map(String::as_str).collect();
                    let principal = Principal::Runtime { connector: &connector.name, method };
                    for endpoint in &endpoints {
                        let text = line(&connector.name, method, &scopes, endpoint);
                        let request = Request::parse(text.as_bytes()).expect("a well-formed request");
                        answer.clear();
                        expected.clear();
                        let available = request.answer(&policy, &mut answer).expect("a runtime instance");
                        let decision = write_answer_with_scopes(&policy, principal, &names, endpoint, &mut expected);
                        prop_assert_eq!(available, decision.available(), "{}", text);
                        prop_assert_eq!(
                            String::from_utf8_lossy(&answer),
                            String::from_utf8_lossy(&expected),
                            "{}",
                            text
                        );
                    }
                }
            }
        }
    }
}
