//! `authgate import openapi` with scopes and combined credentials, held
//! to the spec itself: for real-shaped specs (Jira's scoped alternatives,
//! Plaid's `clientId + secret`, GitHub's Swagger 2 scopes, HubSpot's
//! product files merged) and a generated one of real size, every decision
//! of an instance holding some scopes equals what a small model of
//! OpenAPI's rule, written here on the spec's JSON, says.
//!
//! The model knows nothing of the import: an operation's requirement is
//! its `security`, else the document's (an empty list: no credentials
//! needed); operations on one path and verb in
//! several files accept any alternative of any of them; an instance
//! authenticates with the credentials of its method's schemes (the parts
//! of `a + b`, or `a` with its flow family stripped, or none for
//! `anonymous`) and holds some scopes; it may call an operation when one
//! alternative names exactly its schemes and only scopes it holds.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use authgate::{Principal, Sources};
use serde_json::Value;

use super::import::FIXTURES;
use crate::support::{authgate_in, code, root, stderr, stdout};

/// One alternative: scheme key -> the scopes it needs.
type Alternative = BTreeMap<String, BTreeSet<String>>;

/// The spec as the model reads it: endpoint name -> its alternatives.
struct Model {
    endpoints: BTreeMap<String, Vec<Alternative>>,
}

impl Model {
    fn read(files: &[&Path]) -> Model {
        let mut endpoints: BTreeMap<String, Vec<Alternative>> = BTreeMap::new();
        for file in files {
            let text = std::fs::read_to_string(file).expect("spec");
            let spec: Value = serde_json::from_str(&text).expect("JSON spec");
            let top = spec.get("security");
            let paths = spec["paths"].as_object().expect("paths");
            for (path, item) in paths {
                for verb in [
                    "get", "put", "post", "delete", "options", "head", "patch", "trace",
                ] {
                    let Some(operation) = item.get(verb) else {
                        continue;
                    };
                    let name = format!("{} {path}", verb.to_uppercase());
                    let alternatives = endpoints.entry(name).or_default();
                    let security = operation.get("security").or(top);
                    // `security: []`: no credentials needed.
                    if security
                        .and_then(Value::as_array)
                        .is_some_and(Vec::is_empty)
                    {
                        alternatives.push(Alternative::new());
                    }
                    for requirement in security.and_then(Value::as_array).into_iter().flatten() {
                        let alternative = requirement
                            .as_object()
                            .expect("requirement")
                            .iter()
                            .map(|(scheme, scopes)| {
                                let scopes = scopes.as_array().expect("scopes");
                                let scopes = scopes.iter().map(|s| s.as_str().expect("scope"));
                                (scheme.clone(), scopes.map(str::to_owned).collect())
                            })
                            .collect();
                        alternatives.push(alternative);
                    }
                }
            }
        }
        Model { endpoints }
    }

    /// Whether an instance with the credentials of `schemes`, holding
    /// `scopes`, may call `endpoint`.
    fn allows(&self, endpoint: &str, schemes: &BTreeSet<String>, scopes: &BTreeSet<&str>) -> bool {
        self.endpoints[endpoint].iter().any(|alternative| {
            alternative.keys().eq(schemes.iter())
                && alternative
                    .values()
                    .flatten()
                    .all(|scope| scopes.contains(scope.as_str()))
        })
    }
}

/// The schemes whose credentials an instance of method `name` holds.
fn credentials(name: &str) -> BTreeSet<String> {
    if name == "anonymous" {
        return BTreeSet::new();
    }
    name.split(" + ")
        .map(|part| {
            part.trim_end_matches(" (authorization_code)")
                .trim_end_matches(" (client_credentials)")
                .to_owned()
        })
        .collect()
}

/// A small seeded generator (xorshift), so a failure replays.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n.max(1) as u64) as usize
    }
}

/// Imports `files` (relative to `dir`) with the binary; the rules are
/// canonical and check with no error and no warning, and `drift` finds
/// nothing against the spec; returns the rules and the policy.
fn import_clean(dir: &Path, files: &[&str], connector: &str) -> (String, authgate::Policy) {
    let mut args = vec!["import", "openapi", "--connector", connector];
    args.extend(files);
    let output = authgate_in(dir, &args);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let rules = stdout(&output);
    let mut sources = Sources::new();
    let id = sources.add("import.gate", rules.as_str());
    let file = sources.get(id).expect("added");
    let tree = authgate::syntax::parse(&sources, file).expect("import output parses");
    assert_eq!(
        authgate::syntax::format::format(&tree, file),
        rules,
        "canonical"
    );
    let compilation = authgate::compile(&sources);
    let found: Vec<String> = compilation
        .diagnostics
        .iter()
        .map(ToString::to_string)
        .collect();
    assert!(found.is_empty(), "{found:?}\n{rules}");
    let paths: Vec<std::path::PathBuf> = files.iter().map(|f| dir.join(f)).collect();
    let api = authgate::openapi::read(&paths, 1 << 26).expect("spec reads");
    let drift =
        authgate::openapi::drift(&api, connector, &sources, Default::default()).expect("connector");
    let drift: Vec<String> = drift.iter().map(ToString::to_string).collect();
    assert!(drift.is_empty(), "{drift:?}");
    (rules, compilation.policy.expect("no errors"))
}

/// Every decision of every method of `connector`, for scope sets made
/// from what the spec names (the scopes of alternatives naming the
/// method's schemes, each of those less one scope, none, all, single
/// scopes, random ones, and a scope no method declares; at most `sample`
/// alternatives per method), equals the model's; and every set of schemes
/// some alternative names has a method.
fn decisions_follow_the_spec(
    policy: &authgate::Policy,
    connector: &str,
    model: &Model,
    random_sets: usize,
    sample: usize,
) -> usize {
    let id = policy.connector(connector).expect("connector");
    let endpoints: Vec<&str> = policy
        .endpoints(id)
        .filter_map(|e| policy.endpoint_name(e))
        .collect();
    let spec_endpoints: Vec<&str> = model.endpoints.keys().map(String::as_str).collect();
    let mut sorted = endpoints.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, spec_endpoints, "one endpoint per operation");
    let methods: Vec<&str> = policy
        .methods(id)
        .filter_map(|m| policy.method_name(m))
        .collect();
    let held: BTreeSet<BTreeSet<String>> = methods.iter().map(|m| credentials(m)).collect();
    let declared_schemes: BTreeSet<String> = methods.iter().flat_map(|m| credentials(m)).collect();
    for alternatives in model.endpoints.values() {
        for alternative in alternatives {
            let schemes: BTreeSet<String> = alternative.keys().cloned().collect();
            if schemes.is_subset(&declared_schemes) {
                assert!(held.contains(&schemes), "no method for {schemes:?}");
            }
        }
    }
    let mut rng = Rng(0x5c0_9e5);
    let mut decisions = 0;
    for method in policy.methods(id) {
        let name = policy.method_name(method).expect("name");
        let schemes = credentials(name);
        let declared: Vec<&str> = policy.declared_scopes(method).collect();
        let mut sets: Vec<BTreeSet<&str>> =
            vec![BTreeSet::new(), declared.iter().copied().collect()];
        sets.extend(declared.iter().take(sample).map(|s| BTreeSet::from([*s])));
        let needed: BTreeSet<BTreeSet<&str>> = model
            .endpoints
            .values()
            .flatten()
            .filter(|a| a.keys().eq(schemes.iter()))
            .map(|a| a.values().flatten().map(String::as_str).collect())
            .collect();
        let step = needed.len() / sample.max(1) + 1;
        for set in needed.iter().step_by(step) {
            sets.push(set.clone());
            for leave in set {
                let mut less = set.clone();
                less.remove(leave);
                sets.push(less);
            }
        }
        for _ in 0..random_sets {
            let set = declared
                .iter()
                .copied()
                .filter(|_| rng.below(3) == 0)
                .collect();
            sets.push(set);
        }
        sets.push(BTreeSet::from(["no.such.scope"]));
        for set in &sets {
            let scopes: Vec<&str> = set.iter().copied().collect();
            for endpoint in &endpoints {
                let principal = Principal::Runtime {
                    connector,
                    method: name,
                };
                let decided = policy
                    .decide_with_scopes(principal, &scopes, endpoint)
                    .available();
                assert_eq!(
                    decided,
                    model.allows(endpoint, &schemes, set),
                    "`{name}` holding {set:?} on `{endpoint}`"
                );
                decisions += 1;
            }
        }
    }
    decisions
}

fn fixture(name: &str) -> String {
    format!("{FIXTURES}/scopes/{name}")
}

#[test]
fn jira_scoped_alternatives_decide_as_the_spec_says() {
    let spec = fixture("jira.json");
    let (rules, policy) = import_clean(root(), &[&spec], "jira");
    // Scopes are items, not comments; the same scheme in several
    // alternatives gives several items; `{}` beside scoped alternatives.
    for line in [
        r#"    auth OAuth2: oauth2_authorization_code < scopes: ["manage:jira-configuration", "manage:jira-project", "read:jira-user", "read:jira-work", "write:jira-work"] >"#,
        r#"    endpoint "GET /rest/api/3/issue/{issueIdOrKey}" < auth: [OAuth2("read:jira-work"), basicAuth] >"#,
        r#"    endpoint "PUT /rest/api/3/project/{projectIdOrKey}" < auth: [OAuth2("manage:jira-configuration", "read:jira-user"), OAuth2("manage:jira-project"), basicAuth] >"#,
        r#"    endpoint "GET /rest/api/3/serverInfo" < auth: [OAuth2("read:jira-work"), basicAuth, anonymous] >"#,
    ] {
        assert!(rules.lines().any(|l| l == line), "no {line}\n{rules}");
    }
    assert!(!rules.contains("scopes of"));
    let model = Model::read(&[&root().join(&spec)]);
    assert!(decisions_follow_the_spec(&policy, "jira", &model, 16, usize::MAX) > 500);
}

#[test]
fn plaid_combined_credentials_decide_as_the_spec_says() {
    let spec = fixture("plaid.json");
    let (rules, policy) = import_clean(root(), &[&spec], "plaid");
    // One method per combination, named in the requirement's order, once;
    // no method for a part alone; an OAuth part gives its type and scopes.
    for line in [
        r#"    auth "clientId + secret + plaidVersion": token // schemes required together: `clientId` (API key `PLAID-CLIENT-ID` in header), `secret` (API key `PLAID-SECRET` in header), `plaidVersion` (API key `Plaid-Version` in header)"#,
        r#"    auth "oauth + clientId": oauth2_client_credentials < scopes: ["accounts:read", "transactions:read"] > // schemes required together: `oauth`, `clientId` (API key `PLAID-CLIENT-ID` in header)"#,
        r#"    endpoint "POST /link/token/create" < auth: ["clientId + secret", "clientId + secret + plaidVersion"] >"#,
    ] {
        assert!(rules.lines().any(|l| l == line), "no {line}\n{rules}");
    }
    assert_eq!(rules.matches("auth \"clientId + secret\":").count(), 1);
    assert!(!rules.contains("auth clientId:") && !rules.contains("auth secret:"));
    // OpenAPI 3.1 roles on a bearer token are scopes too.
    assert!(
        rules.contains(r#"auth bearer: token < scopes: ["fdx:admin", sandbox, "sandbox:write"] >"#)
    );
    let model = Model::read(&[&root().join(&spec)]);
    assert!(decisions_follow_the_spec(&policy, "plaid", &model, 16, usize::MAX) > 500);
    // An instance holding one header sees nothing the API would refuse it.
    let held = policy.decide_with_scopes(
        Principal::Runtime {
            connector: "plaid",
            method: "clientId",
        },
        &[],
        "POST /accounts/get",
    );
    assert!(!held.available());
}

#[test]
fn github_swagger_2_scopes_decide_as_the_spec_says() {
    let spec = fixture("github.json");
    let (rules, policy) = import_clean(root(), &[&spec], "github");
    assert!(rules.contains(
        r#"auth oauth_app: oauth2_authorization_code < scopes: ["admin:org", public_repo, "read:org", repo, user, "user:email", workflow] > // scope `workflow` is not declared by the scheme"#
    ));
    // An alternative naming an undeclared scheme is left out, with a note.
    assert!(rules.contains(
        r#"endpoint "GET /app" < auth: ["pat + installation"] > // undeclared schemes: `jwt`"#
    ));
    let model = Model::read(&[&root().join(&spec)]);
    assert!(decisions_follow_the_spec(&policy, "github", &model, 16, usize::MAX) > 500);
}

#[test]
fn hubspot_operations_merged_across_files_decide_as_the_spec_says() {
    let files = [fixture("hubspot-crm.json"), fixture("hubspot-cms.json")];
    let names: Vec<&str> = files.iter().map(String::as_str).collect();
    let (rules, policy) = import_clean(root(), &names, "hubspot");
    // The scheme's scopes from both files; a flow family's method declares
    // the scopes operations name that its flows do not, with a comment.
    assert!(rules.contains(
        r#"auth "oauth2 (client_credentials)": oauth2_client_credentials < scopes: ["cms.domains.read", content, "crm.objects.contacts.read", "crm.objects.contacts.write", "crm.schemas.contacts.read"] > // scopes `cms.domains.read`, `crm.objects.contacts.write` and `crm.schemas.contacts.read` are not declared by this flow"#
    ));
    assert!(rules.contains(
        r#"auth "oauth2 (authorization_code) + private_apps": oauth2_authorization_code"#
    ));
    let paths: Vec<std::path::PathBuf> = files.iter().map(|f| root().join(f)).collect();
    let paths: Vec<&Path> = paths.iter().map(|p| p.as_path()).collect();
    let model = Model::read(&paths);
    assert!(decisions_follow_the_spec(&policy, "hubspot", &model, 16, usize::MAX) > 500);
}

/// A generated API of real size: 1,500 operations over three files (two
/// sharing paths, merged), 300 scopes over an OAuth scheme with both flow
/// families, an OAuth scheme of one, and a bearer token with roles; API
/// keys required together, with and without OAuth; `{}` beside scoped
/// alternatives.
fn generate(dir: &Path) -> Vec<String> {
    let mut rng = Rng(0x0a91_5c0e);
    let scope = |i: usize| {
        format!(
            "crm.objects.kind{i}.{}",
            if i.is_multiple_of(2) { "read" } else { "write" }
        )
    };
    let code_scopes: serde_json::Map<String, Value> = (0..200)
        .map(|i| (scope(i), Value::from("generated")))
        .collect();
    let client_scopes: serde_json::Map<String, Value> = (100..240)
        .map(|i| (scope(i), Value::from("generated")))
        .collect();
    let okta_scopes: serde_json::Map<String, Value> = (0..40)
        .map(|i| (format!("okta.users{i}.manage"), Value::from("generated")))
        .collect();
    let schemes = serde_json::json!({
        "oauth": {"type": "oauth2", "flows": {
            "authorizationCode": {"authorizationUrl": "https://a.test", "tokenUrl": "https://t.test", "scopes": code_scopes},
            "clientCredentials": {"tokenUrl": "https://t.test", "scopes": client_scopes}}},
        "okta": {"type": "oauth2", "flows": {"implicit": {"authorizationUrl": "https://a.test", "scopes": okta_scopes}}},
        "clientId": {"type": "apiKey", "in": "header", "name": "X-Client-Id"},
        "secret": {"type": "apiKey", "in": "header", "name": "X-Secret"},
        "bearer": {"type": "http", "scheme": "bearer"}
    });
    let mut files = Vec::new();
    let mut made = 0;
    for (index, (count, shared)) in [(700, 60), (700, 60), (100, 0)].into_iter().enumerate() {
        let mut paths = serde_json::Map::new();
        for op in 0..count {
            let path = if op < shared {
                format!("/crm/v3/shared{op}")
            } else {
                made += 1;
                format!("/crm/v3/file{index}/objects{made}")
            };
            let mut alternatives = Vec::new();
            for _ in 0..1 + rng.below(3) {
                let mut alternative = serde_json::Map::new();
                let scopes = |rng: &mut Rng, base: usize, span: usize| -> Value {
                    (0..rng.below(4))
                        .map(|_| Value::from(scope(base + rng.below(span))))
                        .collect()
                };
                match rng.below(9) {
                    0..=2 => {
                        alternative.insert("oauth".into(), scopes(&mut rng, 0, 240));
                    }
                    3 => {
                        let names: Vec<Value> = (0..rng.below(3))
                            .map(|_| Value::from(format!("okta.users{}.manage", rng.below(40))))
                            .collect();
                        alternative.insert("okta".into(), names.into());
                    }
                    4 => {
                        alternative.insert("clientId".into(), Value::Array(Vec::new()));
                        alternative.insert("secret".into(), Value::Array(Vec::new()));
                    }
                    5 => {
                        alternative.insert("oauth".into(), scopes(&mut rng, 100, 140));
                        alternative.insert("clientId".into(), Value::Array(Vec::new()));
                    }
                    6 => {
                        let roles: Vec<Value> = (0..rng.below(3))
                            .map(|_| Value::from(format!("role{}", rng.below(20))))
                            .collect();
                        alternative.insert("bearer".into(), roles.into());
                    }
                    7 if rng.below(3) == 0 => {}
                    _ => {
                        alternative.insert("oauth".into(), scopes(&mut rng, 0, 100));
                    }
                }
                alternatives.push(Value::Object(alternative));
            }
            let operation = serde_json::json!({"security": alternatives, "responses": {"200": {"description": "ok"}}});
            let verb = ["get", "post", "put", "patch", "delete"][op % 5];
            paths.insert(path, serde_json::json!({ verb: operation }));
        }
        let spec = serde_json::json!({
            "openapi": if index == 1 { "3.1.0" } else { "3.0.3" },
            "info": {"title": "Generated CRM", "version": "1"},
            "components": {"securitySchemes": schemes},
            "security": [{"oauth": [scope(0)]}],
            "paths": paths,
        });
        let name = format!("crm-{index}.json");
        std::fs::write(
            dir.join(&name),
            serde_json::to_string_pretty(&spec).expect("JSON"),
        )
        .expect("write");
        files.push(name);
    }
    files
}

#[test]
fn a_real_size_spec_imports_canonical_and_clean_and_decides_as_the_spec_says() {
    let dir = tempfile::tempdir().expect("temp dir");
    let files = generate(dir.path());
    let names: Vec<&str> = files.iter().map(String::as_str).collect();
    let (rules, policy) = import_clean(dir.path(), &names, "crm");
    let id = policy.connector("crm").expect("connector");
    assert_eq!(policy.endpoints(id).count(), 1_440);
    let scopes: BTreeSet<&str> = policy
        .methods(id)
        .flat_map(|m| policy.declared_scopes(m))
        .collect();
    assert!(scopes.len() >= 300, "{} scopes", scopes.len());
    assert!(rules.contains("auth \"clientId + secret\": token"));
    // The generator writes `clientId` first (its keys are sorted).
    assert!(
        rules.contains("auth \"clientId + oauth (client_credentials)\": oauth2_client_credentials")
    );
    let paths: Vec<std::path::PathBuf> = files.iter().map(|f| dir.path().join(f)).collect();
    let paths: Vec<&Path> = paths.iter().map(|p| p.as_path()).collect();
    let model = Model::read(&paths);
    assert!(decisions_follow_the_spec(&policy, "crm", &model, 4, 6) > 100_000);
}

/// The Jira and Plaid excerpt of the OpenAPI page (`docs/openapi.md`):
/// each method and endpoint line is a line the import writes, the excerpt
/// with its instances checks, and the instances see what the text says.
#[test]
fn the_openapi_pages_example_is_what_the_import_writes_and_decides_as_it_says() {
    let page = include_str!("../../docs/openapi.md");
    let section = &page[page.find("## Import").expect("section")..];
    let start = section.find("```gate\nconnector jira {").expect("block") + 8;
    let end = start + section[start..].find("```").expect("end");
    let block = &section[start..end];
    for (connector, spec) in [("jira", "jira.json"), ("plaid", "plaid.json")] {
        let (rules, _) = import_clean(root(), &[&fixture(spec)], connector);
        let from = block
            .find(&format!("connector {connector} {{"))
            .expect("connector");
        let body = &block[from..from + block[from..].find("\n}").expect("end")];
        for line in body
            .lines()
            .filter(|l| l.starts_with("    auth ") || l.starts_with("    endpoint "))
        {
            assert!(rules.lines().any(|l| l == line), "not imported: {line}");
        }
    }
    let mut sources = Sources::new();
    sources.add("excerpt.gate", block);
    let compiled = authgate::compile(&sources);
    let found: Vec<String> = compiled
        .diagnostics
        .iter()
        .map(ToString::to_string)
        .collect();
    assert!(found.is_empty(), "{found:?}");
    let policy = compiled.policy.expect("compiles");
    let sees = |instance: &str, endpoint: &str| {
        policy
            .decide(Principal::Instance(instance), endpoint)
            .available()
    };
    assert!(sees("acme jira", "GET /rest/api/3/issue/{issueIdOrKey}"));
    assert!(sees("acme jira", "GET /rest/api/3/serverInfo"));
    assert!(!sees(
        "acme jira",
        "DELETE /rest/api/3/issue/{issueIdOrKey}"
    ));
    assert!(!sees(
        "acme jira",
        "PUT /rest/api/3/project/{projectIdOrKey}"
    ));
    assert!(sees("acme plaid", "POST /accounts/get"));
    assert!(sees("acme plaid", "POST /link/token/create"));
    assert!(!sees("acme plaid", "POST /item/public_token/exchange"));
    let mut sources = Sources::new();
    sources.add("excerpt.gate", block);
    sources.add("lone.gate", "instance lone of plaid < auth: clientId >\n");
    let codes: Vec<String> = authgate::compile(&sources)
        .diagnostics
        .iter()
        .map(|d| d.code().to_string())
        .collect();
    assert_eq!(codes, ["authgate::unknown_method"], "a lone `clientId`");
}
