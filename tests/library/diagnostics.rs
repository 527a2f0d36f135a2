//! One fixture per diagnostic code (`tests/fixtures/fail/<code>.gate`): the
//! fixture must produce its code, and every diagnostic it produces is
//! snapshotted as plain rendered text (fixed width, no colour) and as JSON.

use std::path::Path;

use authgate::diagnostics::render::{Style, render_human, to_json};
use authgate::{Code, Sources, compile};

/// Compiles `fail/NAME.gate`; with `fail/NAME.toml` beside it, that is
/// read first as the project's `authgate.toml` (its lint levels apply, or
/// its own diagnostic is the result).
fn fixture(name: &str) -> (Sources, authgate::Compilation) {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fail");
    let path = folder.join(format!("{name}.gate"));
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut sources = Sources::new();
    let mut lints = authgate::project::config::Lints::default();
    let mut config_error = None;
    if let Ok(text) = std::fs::read_to_string(folder.join(format!("{name}.toml"))) {
        match authgate::project::config::Config::parse(
            &mut sources,
            format!("fail/{name}.toml"),
            text,
        ) {
            Ok(config) => lints = config.lints,
            Err(diagnostic) => config_error = Some(*diagnostic),
        }
    }
    sources.add_bytes(format!("fail/{name}.gate"), bytes);
    let mut compiled = authgate::compile_with(&sources, &lints);
    if let Some(diagnostic) = config_error {
        compiled.diagnostics = vec![diagnostic];
    }
    (sources, compiled)
}

fn check_fixture(code: Code) {
    let name = code.name();
    let (_, compiled) = fixture(name);
    assert!(
        compiled.diagnostics.iter().any(|d| d.code() == code),
        "fixture {name}.gate does not produce {code}"
    );
    let style = Style {
        color: false,
        width: 80,
    };
    let text: String = compiled
        .diagnostics
        .iter()
        .map(|d| render_human(d, style))
        .collect::<Vec<_>>()
        .join("\n");
    let json: Vec<_> = compiled.diagnostics.iter().map(to_json).collect();
    let json = serde_json::to_string_pretty(&json).unwrap_or_default();
    insta::assert_snapshot!(format!("{name}_text"), text);
    insta::assert_snapshot!(format!("{name}_json"), json);
}

macro_rules! fixture_tests {
    ($($test:ident => $code:expr,)*) => {
        $(
            #[test]
            fn $test() {
                check_fixture($code);
            }
        )*

        /// Adding a code without a fixture test fails here.
        #[test]
        fn every_code_has_a_fixture_test() {
            let tested = [$($code),*];
            // `test_failed` comes from running tests, not from checking:
            // `cli/test_command.rs` covers it; the `drift_*` codes come
            // from `authgate drift`: `cli/drift.rs` covers them.
            let checked = |code: &Code| {
                !matches!(
                    code,
                    Code::TestFailed
                        | Code::DriftActivation
                        | Code::DriftEndpoint
                        | Code::DriftMethod
                        | Code::DriftScope
                )
            };
            for code in Code::ALL.iter().copied().filter(checked) {
                assert!(tested.contains(&code), "no fixture test for {code}");
            }
        }
    };
}

fixture_tests! {
    syntax => Code::Syntax,
    encoding => Code::Encoding,
    unknown_type => Code::UnknownType,
    unknown_method => Code::UnknownMethod,
    unknown_connector => Code::UnknownConnector,
    unknown_instance => Code::UnknownInstance,
    unknown_endpoint => Code::UnknownEndpoint,
    unknown_option => Code::UnknownOption,
    option_value => Code::OptionValue,
    missing_option => Code::MissingOption,
    duplicate => Code::Duplicate,
    no_methods => Code::NoMethods,
    unactivated_method => Code::UnactivatedMethod,
    never_activated => Code::NeverActivated,
    never_available => Code::NeverAvailable,
    blind_instance => Code::BlindInstance,
    repeated_method => Code::RepeatedMethod,
    no_endpoints => Code::NoEndpoints,
    repeated_endpoint => Code::RepeatedEndpoint,
    confusable_name => Code::ConfusableName,
    config => Code::Config,
    unknown_lint => Code::UnknownLint,
    unused_allow => Code::UnusedAllow,
    unknown_scope => Code::UnknownScope,
    scopes_not_allowed => Code::ScopesNotAllowed,
    missing_scope => Code::MissingScope,
    repeated_scope => Code::RepeatedScope,
    redundant_alternative => Code::RedundantAlternative,
}

/// Labels in several files: each label carries its own file, and the
/// rendering shows each snippet from the right file.
#[test]
fn labels_point_into_the_right_files() {
    let mut sources = Sources::new();
    sources.add(
        "a.gate",
        "connector shop {\n    auth basic: basic\n    auth oauth: oauth2_authorization_code\n    \
         endpoint orders < auth: [basic] >\n    endpoint customers < auth: [basic, oauth] >\n}\n\
         instance i of shop < auth: oauth >\n",
    );
    sources.add("b.gate", "flow f {\n    connection i -> orders\n}\n");
    let compiled = compile(&sources);
    let [diagnostic] = compiled.diagnostics.as_slice() else {
        panic!("expected one diagnostic, got {:?}", compiled.diagnostics);
    };
    assert_eq!(diagnostic.code(), Code::UnactivatedMethod);
    let json = to_json(diagnostic);
    let places: Vec<(&str, usize, usize)> = json
        .labels
        .iter()
        .map(|l| (l.file.as_str(), l.line, l.column))
        .collect();
    assert_eq!(
        places,
        [("b.gate", 2, 5), ("a.gate", 7, 28), ("a.gate", 4, 29)]
    );
    let text = render_human(
        diagnostic,
        Style {
            color: false,
            width: 80,
        },
    );
    insta::assert_snapshot!("two_files_text", text);
}

/// A syntax error in one file does not hide the problems of the others,
/// and unknown-name help says the broken file may declare the name.
#[test]
fn a_syntax_error_stops_only_its_own_file() {
    let mut sources = Sources::new();
    sources.add("broken.gate", "connector crm { auth token token }");
    sources.add(
        "ok.gate",
        "connector shop { auth basic: basic endpoint orders < auth: [basci] > }\n\
         instance i of crm < auth: token >\n",
    );
    let compiled = compile(&sources);
    let codes: Vec<Code> = compiled.diagnostics.iter().map(|d| d.code()).collect();
    assert_eq!(
        codes,
        [Code::Syntax, Code::UnknownMethod, Code::UnknownConnector]
    );
    let help = compiled
        .diagnostics
        .get(2)
        .and_then(|d| d.help())
        .unwrap_or("");
    assert!(help.contains("`broken.gate` did not parse"), "{help}");
    assert!(compiled.policy.is_none());
}

#[test]
fn warnings_alone_still_compile() {
    let (_, compiled) = fixture("never_activated");
    assert_eq!(compiled.summary.errors, 0);
    assert_eq!(compiled.summary.warnings, 1);
    assert!(compiled.policy.is_some());
}

#[test]
fn errors_do_not_compile() {
    let (_, compiled) = fixture("unknown_method");
    assert!(compiled.summary.errors > 0);
    assert!(compiled.policy.is_none());
}
