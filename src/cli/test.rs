//! `authgate test [PATH...]`: run the tests written in the rules.

use std::path::PathBuf;
use std::process::ExitCode;

use authgate::policy::expect::TestReport;
use clap::Args;
use serde::Serialize;

use super::failure::{Failure, Outcome};
use super::load::{self, Given};
use super::output::{DiagnosticsFormat, out, print_diagnostics, print_json, say};

#[derive(Debug, Args)]
pub struct TestArgs {
    /// Rule files, or folders searched recursively for `*.gate` files;
    /// default: the rule set of `authgate.toml`, else `rules`. With a rule
    /// set in `authgate.toml`, only the tests of named files run, against
    /// the whole rule set.
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Succeed when the rules hold no test (by default that is an error:
    /// a CI job that runs no test should say so).
    #[arg(long)]
    allow_empty: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: DiagnosticsFormat,
}

/// The document `test --format json` prints.
#[derive(Serialize)]
struct TestsJson {
    tests: Vec<TestJson>,
    passed: usize,
    failed: usize,
}

#[derive(Serialize)]
struct TestJson {
    name: String,
    file: String,
    line: usize,
    column: usize,
    passed: bool,
    failures: Vec<FailureJson>,
}

#[derive(Serialize)]
struct FailureJson {
    file: String,
    line: usize,
    column: usize,
    expected: String,
    actual: String,
    missing: Vec<String>,
    unexpected: Vec<String>,
}

pub fn run(args: TestArgs, limit: u64) -> Outcome {
    let rule_set = load::rule_set(&args.paths, limit, Given::Named)?;
    let sources = &rule_set.sources;
    let (policy, tests) = rule_set.compile()?;
    // Named files within a larger rule set: their tests only.
    let tests: Vec<_> = tests
        .into_iter()
        .filter(|test| {
            sources
                .get(test.span.file)
                .is_some_and(|file| rule_set.is_named(file.name()))
        })
        .collect();
    if tests.is_empty() && !args.allow_empty {
        return Err(Failure::message(
            "no test in the rules; write `test NAME { expect ... }`, or pass --allow-empty",
        ));
    }
    let reports = authgate::policy::expect::run(&policy, &tests);
    let failed = reports.iter().filter(|r| !r.passed()).count();
    let passed = reports.len() - failed;
    let diagnostics = || {
        reports.iter().flat_map(|report| {
            report
                .failures
                .iter()
                .map(|failure| failure.diagnostic(&report.name).finish(sources))
        })
    };
    match args.format {
        DiagnosticsFormat::Human => {
            for report in &reports {
                let verdict = if report.passed() { "ok" } else { "FAILED" };
                say(format_args!("test `{}` ... {verdict}", report.name));
            }
            let failures: Vec<_> = diagnostics().collect();
            if !failures.is_empty() {
                out(format_args!(""));
                print_diagnostics(&failures);
            }
            out(format_args!("{passed} passed, {failed} failed"));
        }
        DiagnosticsFormat::Github => {
            for diagnostic in diagnostics() {
                out(format_args!(
                    "{}",
                    authgate::diagnostics::render::to_github(&diagnostic)
                ));
            }
            out(format_args!("{passed} passed, {failed} failed"));
        }
        DiagnosticsFormat::Sarif => {
            let failures: Vec<_> = diagnostics().collect();
            print_json(&authgate::diagnostics::render::to_sarif(&failures));
        }
        DiagnosticsFormat::Json => print_json(&TestsJson {
            tests: reports
                .iter()
                .map(|report| test_json(report, sources))
                .collect(),
            passed,
            failed,
        }),
    }
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn place(sources: &authgate::Sources, span: authgate::Span) -> (String, usize, usize) {
    sources
        .get(span.file)
        .map_or((String::new(), 0, 0), |file| {
            let position = file.line_column(span.start as usize);
            (file.name().to_owned(), position.line, position.column)
        })
}

fn test_json(report: &TestReport, sources: &authgate::Sources) -> TestJson {
    let (file, line, column) = place(sources, report.span);
    TestJson {
        name: report.name.clone(),
        file,
        line,
        column,
        passed: report.passed(),
        failures: report
            .failures
            .iter()
            .map(|failure| {
                let (file, line, column) = place(sources, failure.span);
                FailureJson {
                    file,
                    line,
                    column,
                    expected: failure.expected.clone(),
                    actual: failure.actual.clone(),
                    missing: failure.missing.clone(),
                    unexpected: failure.unexpected.clone(),
                }
            })
            .collect(),
    }
}
