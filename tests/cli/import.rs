//! `authgate import openapi`: one test per rule of the mapping, on small
//! specs written for these tests (`tests/fixtures/openapi/`, or inline),
//! bad input, and seeded mutations of the specs.

use std::path::Path;

use authgate::Sources;

use crate::support::{authgate, authgate_in, code, root, stderr, stdout, text_folder};

pub(super) const FIXTURES: &str = "tests/fixtures/openapi";

/// Imports `specs` (paths relative to `dir`) with the binary, asserts
/// success and returns the rules.
fn import_in(dir: &Path, specs: &[&str]) -> String {
    let mut args = vec!["import", "openapi"];
    args.extend(specs);
    let output = authgate_in(dir, &args);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    stdout(&output)
}

/// The rules compile with no error, are in the canonical layout, and
/// give the policy.
fn compiled(rules: &str) -> authgate::Policy {
    let mut sources = Sources::new();
    let id = sources.add("import.gate", rules);
    let file = sources.get(id).expect("added");
    let tree = authgate::syntax::parse(&sources, file).expect("import output parses");
    assert_eq!(
        authgate::syntax::format::format(&tree, file),
        rules,
        "import output is in the canonical layout"
    );
    let compilation = authgate::compile(&sources);
    let errors: Vec<String> = compilation
        .diagnostics
        .iter()
        .filter(|d| d.severity() == authgate::Severity::Error)
        .map(ToString::to_string)
        .collect();
    assert!(errors.is_empty(), "{errors:?}\n{rules}");
    compilation.policy.expect("no errors")
}

/// The auth list of endpoint `endpoint` of `connector`, as the compiled
/// policy holds it: per method in declaration order, its name when it is
/// activated plainly, then each of its items with scopes
/// (`"oauth (client_credentials)"("orders:read")`).
fn activated(policy: &authgate::Policy, connector: &str, endpoint: &str) -> Vec<String> {
    let id = policy.connector(connector).expect("connector");
    let endpoint = policy
        .endpoint(id, endpoint)
        .unwrap_or_else(|| panic!("no endpoint `{endpoint}`"));
    let plain: Vec<_> = policy.activated(endpoint).collect();
    let mut list = Vec::new();
    for method in policy.methods(id) {
        if plain.contains(&method) {
            list.push(policy.method_name(method).expect("name").to_owned());
        }
        list.extend(
            policy
                .scoped_items(method, endpoint)
                .map(|item| policy.item_text(item)),
        );
    }
    list
}

/// The line of `rules` that declares `what` (a member, as written).
fn line<'r>(rules: &'r str, what: &str) -> &'r str {
    rules
        .lines()
        .find(|line| line.trim_start().starts_with(what))
        .unwrap_or_else(|| panic!("no line starting with {what}:\n{rules}"))
}

#[test]
fn an_openapi_3_yaml_spec_over_several_files_imports_as_checked_canonical_rules() {
    let rules = import_in(root(), &[&format!("{FIXTURES}/shop/openapi.yaml")]);
    insta::assert_snapshot!("shop_import", rules);
    let policy = compiled(&rules);
    let shop = "shop_api";
    // Top-level security where the operation has none, with its scopes
    // on both methods of the scheme.
    assert_eq!(
        activated(&policy, shop, "GET /orders"),
        [
            r#""oauth (authorization_code)"("orders:read")"#,
            r#""oauth (client_credentials)"("orders:read")"#
        ]
    );
    // An operation's own security overrides the top level.
    assert_eq!(
        activated(&policy, shop, "POST /orders"),
        [
            "bearer",
            r#""oauth (authorization_code)"("orders:write")"#,
            r#""oauth (client_credentials)"("orders:write")"#
        ]
    );
    // A path item in another file (`$ref`), and a whole operation in another file.
    assert_eq!(
        activated(&policy, shop, "GET /orders/{id}"),
        [
            "basic_auth",
            r#""oauth (authorization_code)"("orders:read")"#,
            r#""oauth (client_credentials)"("orders:read")"#
        ]
    );
    assert_eq!(
        activated(&policy, shop, "DELETE /orders/{id}"),
        ["basic_auth"]
    );
    assert_eq!(
        activated(&policy, shop, "POST /refunds"),
        ["basic_auth", "partner"]
    );
    // `security: []` and a `{}` alternative: `anonymous`, of type none.
    assert_eq!(activated(&policy, shop, "GET /health"), ["anonymous"]);
    assert_eq!(
        activated(&policy, shop, "GET /catalog"),
        ["api_key", "anonymous"]
    );
    assert!(rules.contains("auth anonymous: none"));
    // Schemes required together: one method, named by its parts in the
    // requirement's order, of the OAuth part's type; neither part alone.
    assert_eq!(
        activated(&policy, shop, "POST /partners/{id}/payouts"),
        ["partner + api_key"]
    );
    assert_eq!(
        line(&rules, "auth \"partner + api_key\""),
        "    auth \"partner + api_key\": oauth2_client_credentials // schemes required together: \
         `partner`, `api_key` (API key `X-Shop-Key` in header)"
    );
    // Scopes are items; a scope the scheme does not declare is declared
    // with a comment; where an API key goes (the scheme is in a third
    // file) is a comment.
    assert_eq!(
        activated(&policy, shop, "GET /sso/profile"),
        ["sso(profile)"]
    );
    assert!(line(&rules, "auth sso:").ends_with(
        "< scopes: [profile] > // scope `profile` is named by operations; the scheme declares none"
    ));
    assert!(line(&rules, "auth \"oauth (client_credentials)\"").ends_with(
        "< scopes: [\"orders:read\", \"orders:write\"] > // scope `orders:write` is not declared by this flow"
    ));
    assert!(line(&rules, "auth api_key:").ends_with("token // API key `X-Shop-Key` in header"));
}

#[test]
fn each_scheme_type_and_flow_maps_to_its_method_type() {
    let rules = import_in(root(), &[&format!("{FIXTURES}/shop/openapi.yaml")]);
    for (method, kind) in [
        ("api_key", "token"),
        ("basic_auth", "basic"),
        ("bearer", "token"),
        (
            "\"oauth (authorization_code)\"",
            "oauth2_authorization_code",
        ),
        (
            "\"oauth (client_credentials)\"",
            "oauth2_client_credentials",
        ),
        ("partner", "oauth2_client_credentials"),
        ("sso", "oauth2_authorization_code"),
    ] {
        assert!(
            line(&rules, &format!("auth {method}:")).contains(&format!(": {kind}")),
            "{method}: {kind}\n{rules}"
        );
    }
    // No plain `oauth` method: its flows fall in both families.
    assert!(!rules.contains("auth oauth:"));
    let swagger = import_in(root(), &[&format!("{FIXTURES}/petstore.json")]);
    for (method, kind) in [
        ("app", "oauth2_client_credentials"),
        ("basic", "basic"),
        ("implicit", "oauth2_authorization_code"),
        ("key", "token"),
        ("password", "oauth2_authorization_code"),
        ("user", "oauth2_authorization_code"),
    ] {
        assert!(
            line(&swagger, &format!("auth {method}:")).ends_with(&format!(": {kind}"))
                || line(&swagger, &format!("auth {method}:")).contains(&format!(": {kind} ")),
            "{method}: {kind}\n{swagger}"
        );
    }
}

#[test]
fn a_swagger_2_json_spec_imports_with_top_level_and_operation_security() {
    let rules = import_in(root(), &[&format!("{FIXTURES}/petstore.json")]);
    insta::assert_snapshot!("petstore_import", rules);
    let policy = compiled(&rules);
    let pets = "pet_store_swagger_2";
    assert_eq!(activated(&policy, pets, "GET /pets"), ["key"]);
    assert_eq!(
        activated(&policy, pets, "POST /pets"),
        ["app", r#"user("pets:write")"#]
    );
    assert_eq!(
        activated(&policy, pets, "DELETE /pets/{petId}"),
        ["basic", "implicit", "password"]
    );
    assert!(line(&rules, "auth key:").ends_with("// API key `api_key` in query"));
}

#[test]
fn openapi_3_1_json_and_yaml_give_the_same_rules() {
    let yaml = "openapi: 3.1.0\ninfo: {title: Tiny, version: '1'}\n\
                components:\n  securitySchemes:\n    mtls: {type: mutualTLS}\n\
                security: [{mtls: []}]\npaths:\n  /a:\n    get: {}\n";
    let json = r#"{"openapi": "3.1.0", "info": {"title": "Tiny", "version": "1"},
        "components": {"securitySchemes": {"mtls": {"type": "mutualTLS"}}},
        "security": [{"mtls": []}], "paths": {"/a": {"get": {}}}}"#;
    let dir = text_folder(&[("spec.yaml", yaml), ("spec.json", json), ("spec", json)]);
    let from_yaml = import_in(dir.path(), &["spec.yaml"]);
    let from_json = import_in(dir.path(), &["spec.json"]);
    let sniffed = import_in(dir.path(), &["spec"]);
    let body = |rules: &str| rules.lines().skip(1).collect::<Vec<_>>().join("\n");
    assert_eq!(body(&from_yaml), body(&from_json));
    assert_eq!(body(&sniffed), body(&from_json));
    let policy = compiled(&from_yaml);
    assert_eq!(activated(&policy, "tiny", "GET /a"), ["mtls"]);
    assert!(line(&from_yaml, "auth mtls:").ends_with(": token"));
}

#[test]
fn importing_twice_gives_the_same_bytes_and_a_summary_per_kind() {
    let specs = [
        format!("{FIXTURES}/merge/crm.json"),
        format!("{FIXTURES}/merge/crm-contacts.yaml"),
    ];
    let args = ["import", "openapi", &specs[0], &specs[1]];
    let first = authgate(&args);
    let second = authgate(&args);
    assert_eq!(code(&first), 0);
    assert_eq!(first.stdout, second.stdout);
    let summary = [
        "imported connector `crm`: 2 auth methods, 3 endpoints from 2 spec files",
        "kept as comments (the rules can't say them):",
        "       1  API key locations",
        "       1  methods with scopes their scheme does not declare",
        "       1  endpoints with no security requirement (auth: [])",
        "       1  endpoints merged from files with different security",
    ];
    assert_eq!(stderr(&first), summary.join("\n") + "\n");
}

#[test]
fn an_operation_in_several_files_is_merged_and_reported() {
    let rules = import_in(
        root(),
        &[
            &format!("{FIXTURES}/merge/crm.json"),
            &format!("{FIXTURES}/merge/crm-contacts.yaml"),
        ],
    );
    let policy = compiled(&rules);
    // Different security in two files: the union of the alternatives,
    // each with its scopes, and a note.
    assert_eq!(
        activated(&policy, "crm", "GET /crm/v3/objects/contacts"),
        [r#"oauth2("crm.objects.contacts.read")"#, "private_app"]
    );
    assert!(
        line(&rules, "endpoint \"GET /crm/v3/objects/contacts\"")
            .contains("merged: security differs in")
    );
    // The same security in both: one endpoint, no note.
    assert_eq!(
        line(&rules, "endpoint \"GET /crm/v3/owners\""),
        "    endpoint \"GET /crm/v3/owners\" < auth: [oauth2(\"crm.owners.read\")] >"
    );
    // No security anywhere: `auth: []` with a note (check warns, no error).
    assert_eq!(
        line(&rules, "endpoint \"GET /crm/v3/legacy\""),
        "    endpoint \"GET /crm/v3/legacy\" < auth: [] > // the spec gives no security requirement"
    );
}

#[test]
fn the_same_verb_and_path_on_different_hosts_name_their_host() {
    let rules = import_in(
        root(),
        &[
            &format!("{FIXTURES}/hosts/messaging.yaml"),
            &format!("{FIXTURES}/hosts/voice.yaml"),
        ],
    );
    let policy = compiled(&rules);
    let endpoints: Vec<&str> = rules
        .lines()
        .filter_map(|line| line.trim().strip_prefix("endpoint "))
        .map(|rest| rest.split(" <").next().unwrap_or(""))
        .collect();
    assert_eq!(
        endpoints,
        [
            "\"POST /Calls\"",
            "\"GET /Messages\"",
            "\"GET messaging.comms.test/Services\"",
            "\"GET voice.comms.test/Services\"",
            "\"POST /Services\"",
        ]
    );
    assert_eq!(
        activated(&policy, "messages", "GET voice.comms.test/Services"),
        ["account"]
    );
}

#[test]
fn requirements_naming_undeclared_schemes_and_specs_without_schemes_still_check() {
    // Jira-like: a scheme used but declared nowhere; and nothing else.
    let spec = "openapi: 3.0.0\ninfo: {title: Issues, version: '1'}\npaths:\n  /issue:\n    \
                get:\n      security: [{jwt: []}]\n    put: {}\n";
    let dir = text_folder(&[("issues.yaml", spec)]);
    let output = authgate_in(dir.path(), &["import", "openapi", "issues.yaml"]);
    assert_eq!(code(&output), 0);
    let rules = stdout(&output);
    let policy = compiled(&rules);
    assert!(activated(&policy, "issues", "GET /issue").is_empty());
    assert!(line(&rules, "endpoint \"GET /issue\"").ends_with("// undeclared schemes: `jwt`"));
    // A connector needs a method: `anonymous`, said why.
    assert!(line(&rules, "auth anonymous: none").contains("no security scheme"));
    assert!(stderr(&output).contains("1  endpoints naming undeclared schemes"));
    assert!(stderr(&output).contains("1  endpoints with no security requirement"));
}

#[test]
fn the_connector_is_named_from_the_title_unless_given_and_output_can_go_to_a_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("shop.gate");
    let spec = root().join(FIXTURES).join("petstore.json");
    let output = authgate(&[
        "import",
        "openapi",
        spec.to_str().expect("utf-8"),
        "--connector",
        "pets",
        "-o",
        out.to_str().expect("utf-8"),
    ]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert!(stdout(&output).is_empty());
    let written = std::fs::read_to_string(&out).expect("written");
    assert!(written.contains("connector pets {"));
    compiled(&written);
    let check = authgate(&["check", out.to_str().expect("utf-8")]);
    assert_eq!(code(&check), 0, "{}", stderr(&check));
}

/// Bad input: exit 2, the file and the place named, never a panic.
#[test]
fn bad_input_is_a_clear_error_with_exit_2() {
    let deep_yaml = format!(
        "openapi: 3.0.0\nx: {}{}\n",
        "[".repeat(200_000),
        "]".repeat(200_000)
    );
    let deep_json = format!(
        "{{\"openapi\": {}{}}}",
        "[".repeat(200_000),
        "]".repeat(200_000)
    );
    let dir = text_folder(&[
        ("deep.yaml", deep_yaml.as_str()),
        ("deep.json", deep_json.as_str()),
        ("broken.yaml", "openapi: 3.0.0\npaths: [1, 2\nx: y\n"),
        ("broken.json", "{\"openapi\": \"3.0.0\",\n \"paths\": {,}}"),
        ("notspec.yaml", "hello: world\n"),
        ("list.json", "[1, 2]"),
        ("old.json", "{\"swagger\": \"1.2\"}"),
        ("empty.yaml", ""),
        ("blank.json", "  \n"),
        ("comments.yaml", "# nothing but a comment\n"),
        (
            "missing.yaml",
            "openapi: 3.1.0\npaths:\n  /a:\n    $ref: 'nope.yaml#/x'\n",
        ),
        (
            "cycle.yaml",
            "openapi: 3.1.0\npaths:\n  /a:\n    $ref: '#/x-a'\nx-a:\n  $ref: '#/x-b'\nx-b:\n  $ref: '#/x-a'\n",
        ),
        (
            "self.yaml",
            "openapi: 3.1.0\npaths:\n  /a:\n    get:\n      $ref: 'other.yaml'\n",
        ),
        ("other.yaml", "$ref: 'self.yaml#/paths/~1a/get'\n"),
        (
            "pointer.yaml",
            "openapi: 3.1.0\npaths:\n  /a:\n    $ref: '#/nothing/here'\n",
        ),
        (
            "remote.yaml",
            "openapi: 3.1.0\npaths:\n  /a:\n    $ref: 'https://example.test/a.yaml'\n",
        ),
        (
            "shape.yaml",
            "openapi: 3.1.0\npaths:\n  /a:\n    get: [1]\n",
        ),
        (
            "security.yaml",
            "openapi: 3.1.0\nsecurity: oauth\npaths: {}\n",
        ),
        (
            "badref.yaml",
            "openapi: 3.1.0\npaths:\n  /a:\n    $ref: 12\n",
        ),
        (
            "refers-broken.yaml",
            "openapi: 3.1.0\npaths:\n  /a:\n    $ref: 'broken.yaml#/x'\n",
        ),
        ("twice.yaml", "openapi: 3.1.0\nopenapi: 3.1.0\n"),
        (
            "device.yaml",
            "openapi: 3.1.0\npaths:\n  /a:\n    $ref: '/dev/null'\n",
        ),
    ]);
    let cases: &[(&str, &[&str])] = &[
        (
            "broken.yaml",
            &[
                "invalid YAML in `broken.yaml` at line 3, column 2",
                "broken.yaml:3:2",
            ],
        ),
        (
            "broken.json",
            &[
                "invalid JSON in `broken.json` at line 2, column 12",
                "broken.json:2:12",
            ],
        ),
        (
            "notspec.yaml",
            &["`notspec.yaml` is not an OpenAPI or Swagger document"],
        ),
        (
            "list.json",
            &["`list.json` is not an OpenAPI or Swagger document"],
        ),
        ("old.json", &["`old.json` has version `1.2`"]),
        ("empty.yaml", &["`empty.yaml` is empty"]),
        ("blank.json", &["`blank.json` is empty"]),
        ("comments.yaml", &["`comments.yaml` is empty"]),
        (
            "missing.yaml",
            &[
                "cannot read",
                "nope.yaml",
                "`missing.yaml` at `#/paths/~1a`",
                "missing.yaml:4:12",
            ],
        ),
        ("cycle.yaml", &["cycle", "`cycle.yaml`"]),
        ("self.yaml", &["cycle"]),
        (
            "pointer.yaml",
            &["has nothing at `#/nothing/here`", "pointer.yaml:4:12"],
        ),
        ("remote.yaml", &["remote `$ref`", "is not followed"]),
        (
            "shape.yaml",
            &["`shape.yaml` at `#/paths/~1a/get`: expected an operation"],
        ),
        (
            "security.yaml",
            &["`security.yaml` at `#/security`: expected a list of security requirements"],
        ),
        ("badref.yaml", &["`$ref` is not a string"]),
        ("refers-broken.yaml", &["invalid YAML in", "broken.yaml"]),
        (
            "twice.yaml",
            &["the key `openapi` is given twice", "twice.yaml:2:"],
        ),
        ("absent.yaml", &["cannot read `absent.yaml`"]),
        ("deep.yaml", &["invalid YAML in `deep.yaml` at line 2"]),
        (
            "deep.json",
            &["invalid JSON in `deep.json` at line 1", "recursion limit"],
        ),
        (
            "device.yaml",
            &[
                "`/dev/null` is not a file",
                "`device.yaml` at `#/paths/~1a`",
            ],
        ),
        (".", &["`.` is not a file"]),
    ];
    for (spec, needles) in cases {
        let output = authgate_in(dir.path(), &["import", "openapi", spec]);
        let err = stderr(&output);
        assert_eq!(code(&output), 2, "{spec}: {err}");
        assert!(err.contains("authgate::openapi"), "{spec}: {err}");
        assert!(!err.contains("panicked"), "{spec}: {err}");
        assert!(stdout(&output).is_empty(), "{spec}");
        for needle in *needles {
            assert!(err.contains(needle), "{spec}: no {needle:?} in\n{err}");
        }
    }
}

/// A YAML file of a few lines whose aliases would expand to billions of
/// values is refused, not expanded.
#[test]
fn a_yaml_alias_bomb_is_refused() {
    let mut bomb = String::from("openapi: 3.0.0\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for level in 1..12 {
        let items = vec![format!("*a{}", level - 1); 10].join(", ");
        bomb.push_str(&format!("a{level}: &a{level} [{items}]\n"));
    }
    let dir = text_folder(&[("bomb.yaml", &bomb)]);
    let output = authgate_in(dir.path(), &["import", "openapi", "bomb.yaml"]);
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("aliases expand to too many values"));
}

#[test]
fn odd_schemes_are_kept_with_a_comment_and_counted() {
    let first = r#"{"openapi": "3.0.0", "info": {"title": "Odd", "version": "1"},
        "components": {"securitySchemes": {
            "jwt": {"type": "JWT"},
            "shared": {"type": "http", "scheme": "basic"},
            "bare": {"type": "oauth2", "flows": {}}}},
        "security": [{"jwt": []}, {}],
        "paths": {"/a": {"get": {}}, "/b": {"post": {"security": [{"bare": [], "shared": []}]}}}}"#;
    let second = "swagger: '2.0'\ninfo: {title: Odd too, version: '1'}\n\
                  securityDefinitions:\n  shared: {type: apiKey, name: k, in: query}\n  \
                  '': {type: basic}\n  \"line\\nbreak\": {type: basic}\npaths: {}\n";
    let dir = text_folder(&[("first.json", first), ("second.yaml", second)]);
    let output = authgate_in(
        dir.path(),
        &["import", "openapi", "first.json", "second.yaml"],
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let rules = stdout(&output);
    let policy = compiled(&rules);
    assert!(
        line(&rules, "auth jwt:")
            .ends_with("token // scheme type `JWT` is not OpenAPI's: mapped to token")
    );
    // `bare` and `shared` are only ever required together: one method of
    // the OAuth part's type, and no method for either part alone.
    assert_eq!(
        line(&rules, "auth \"bare + shared\":"),
        "    auth \"bare + shared\": oauth2_authorization_code // schemes required together: \
         `bare` (no OAuth 2 flow the mapping knows: taken as authorization code), `shared`"
    );
    assert!(!rules.contains("auth bare:") && !rules.contains("auth shared:"));
    // The first definition of `shared` wins: it is not an API key.
    assert!(!rules.contains("API key `k`"));
    // Keys the language can't write as they are.
    assert_eq!(
        line(&rules, "auth \"(empty)\""),
        "    auth \"(empty)\": basic"
    );
    assert_eq!(
        line(&rules, "auth \"line break\""),
        "    auth \"line break\": basic"
    );
    assert_eq!(activated(&policy, "odd", "GET /a"), ["jwt", "anonymous"]);
    assert_eq!(activated(&policy, "odd", "POST /b"), ["bare + shared"]);
    let summary = stderr(&output);
    assert!(
        summary.contains("1  schemes of unknown type (as token)"),
        "{summary}"
    );
    assert!(
        summary.contains("1  schemes defined differently in several files (first kept)"),
        "{summary}"
    );
    for bad in ["", "a\nb"] {
        let args = ["import", "openapi", "first.json", "--connector", bad];
        let output = authgate_in(dir.path(), &args);
        assert_eq!(code(&output), 2);
        assert!(stderr(&output).contains("`--connector` must be a name"));
    }
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

/// `text` with one random edit: a cut, a copied piece, or a token that
/// means something in YAML, JSON or a JSON pointer put somewhere.
fn mutate(text: &str, rng: &mut Rng) -> String {
    const TOKENS: &[&str] = &[
        ":",
        "-",
        "{",
        "}",
        "[",
        "]",
        "\"",
        "'",
        "\n",
        "  ",
        "&a",
        "*a",
        "#",
        "!!",
        "|",
        ">",
        "$ref: '#/'",
        "$ref: 'nope.yaml'",
        "~1",
        "~",
        "\u{202e}",
        "\0",
        "security: []",
        "{}",
        "null",
        "\"\\n\"",
        "1e999",
        "- {}\n",
    ];
    let mut bytes = text.as_bytes().to_vec();
    let at = rng.below(bytes.len() + 1);
    match rng.below(3) {
        0 => {
            let end = (at + rng.below(40)).min(bytes.len());
            bytes.drain(at..end);
        }
        1 => {
            let end = (at + rng.below(60)).min(bytes.len());
            let piece = bytes[at..end].to_vec();
            let to = rng.below(bytes.len() + 1);
            bytes.splice(to..to, piece);
        }
        _ => {
            let token = TOKENS[rng.below(TOKENS.len())];
            bytes.splice(at..at, token.bytes());
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Whatever the spec, nothing panics; a spec that reads gives rules that
/// check with no error, in the canonical layout, with no drift from the
/// spec; one that does not gives an error that names its file.
#[test]
fn mutated_specs_never_panic_and_what_imports_checks_without_drift() {
    let shop = root().join(FIXTURES).join("shop");
    let read = |path: &Path| std::fs::read_to_string(path).expect("fixture");
    let specs = [
        ("openapi.yaml", read(&shop.join("openapi.yaml"))),
        (
            "petstore.json",
            read(&root().join(FIXTURES).join("petstore.json")),
        ),
        (
            "crm.json",
            read(&root().join(FIXTURES).join("merge/crm.json")),
        ),
        (
            "paths/orders-id.yaml",
            read(&shop.join("paths/orders-id.yaml")),
        ),
    ];
    let mut rng = Rng(0x5eed_0a91);
    let (mut imported, mut refused) = (0, 0);
    for round in 0..400 {
        let dir = text_folder(&[
            ("openapi.yaml", &specs[0].1),
            ("schemes.yaml", &read(&shop.join("schemes.yaml"))),
            ("paths/orders-id.yaml", &specs[3].1),
            (
                "operations/refund.yaml",
                &read(&shop.join("operations/refund.yaml")),
            ),
        ]);
        let (name, text) = &specs[round % specs.len()];
        let mut mutated = mutate(text, &mut rng);
        for _ in 0..rng.below(3) {
            mutated = mutate(&mutated, &mut rng);
        }
        std::fs::write(dir.path().join(name), &mutated).expect("write");
        // A referenced file mutated: the root is `openapi.yaml`.
        let root_name = if name.contains('/') {
            "openapi.yaml"
        } else {
            name
        };
        let path = dir.path().join(root_name);
        match authgate::openapi::read(&[path], 1 << 20) {
            Ok(api) => {
                imported += 1;
                let rules = authgate::openapi::render(&api, "c");
                compiled(&rules);
                let mut sources = Sources::new();
                sources.add("c.gate", rules.as_str());
                let drift = authgate::openapi::drift(&api, "c", &sources, Default::default())
                    .expect("connector c");
                let found: Vec<String> = drift.iter().map(ToString::to_string).collect();
                assert!(found.is_empty(), "{found:?}\n{mutated}");
            }
            Err(error) => {
                refused += 1;
                assert!(!error.to_string().is_empty());
                assert!(!error.path().is_empty());
                let report = authgate::diagnostics::render::render_human(
                    &error,
                    authgate::diagnostics::render::Style::default(),
                );
                assert!(report.contains("authgate::openapi"), "{report}");
            }
        }
    }
    // Both kinds of outcome were exercised.
    assert!(
        imported > 50 && refused > 50,
        "imported {imported}, refused {refused}"
    );
}
