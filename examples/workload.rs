//! Writes the seeded benchmark workload to files, for the CLI benchmarks
//! of `scripts/bench.sh`:
//!
//! ```sh
//! cargo run --release --example workload -- 10000 target/bench
//! ```
//!
//! writes `target/bench/bench-10000.gate` (the rules),
//! `target/bench/bench-10000.ndjson` (the queries about declared instances,
//! `{"instance": I, "endpoint": E}`, for `authgate eval`) and
//! `target/bench/bench-10000.runtime.ndjson` (as many queries about runtime
//! instances, `{"connector": C, "auth": M, "endpoint": E}`, from a seeded
//! sequence of their own, so the first two files are what they always were).
//!
//! With `--scopes` first, it writes the HubSpot-like rules with scopes
//! (`authgate_workload::Scoped`) instead: `scopes-N.gate`, and a million
//! queries in both forms, `scopes-N.ndjson` (declared instances) and
//! `scopes-N.runtime.ndjson` (a runtime instance naming five scopes).

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use authgate_workload as workload;
use workload::{M, Q, SEED, Scoped, Workload};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1).peekable();
    let scoped = args.next_if(|arg| arg == "--scopes").is_some();
    let (Some(n), Some(folder)) = (
        args.next().and_then(|n| n.parse::<usize>().ok()),
        args.next(),
    ) else {
        eprintln!("usage: workload [--scopes] N FOLDER");
        return ExitCode::from(2);
    };
    let written = if scoped {
        write_scoped(n, &PathBuf::from(folder))
    } else {
        write(n, &PathBuf::from(folder))
    };
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn write(n: usize, folder: &std::path::Path) -> std::io::Result<()> {
    std::fs::create_dir_all(folder)?;
    let workload = Workload::generate(n, M, Q, SEED);
    std::fs::write(folder.join(format!("bench-{n}.gate")), &workload.text)?;
    let mut queries = std::io::BufWriter::new(std::fs::File::create(
        folder.join(format!("bench-{n}.ndjson")),
    )?);
    for &(instance, endpoint) in &workload.queries {
        writeln!(
            queries,
            "{{\"instance\":\"{}\",\"endpoint\":\"{}\"}}",
            workload::instance_name(instance as usize),
            workload::endpoint_name(endpoint as usize)
        )?;
    }
    queries.flush()?;
    let mut runtime = std::io::BufWriter::new(std::fs::File::create(
        folder.join(format!("bench-{n}.runtime.ndjson")),
    )?);
    for (method, endpoint) in workload.runtime_queries(Q, SEED) {
        writeln!(
            runtime,
            "{{\"connector\":\"{}\",\"auth\":\"{}\",\"endpoint\":\"{}\"}}",
            workload::connector(),
            workload::method_name(method as usize),
            workload::endpoint_name(endpoint as usize)
        )?;
    }
    runtime.flush()
}

fn write_scoped(n: usize, folder: &std::path::Path) -> std::io::Result<()> {
    std::fs::create_dir_all(folder)?;
    let scoped = Scoped::generate(n, SEED);
    std::fs::write(folder.join(format!("scopes-{n}.gate")), &scoped.text)?;
    let queries = scoped.queries(n, Q, SEED);
    let mut declared = std::io::BufWriter::new(std::fs::File::create(
        folder.join(format!("scopes-{n}.ndjson")),
    )?);
    let mut runtime = std::io::BufWriter::new(std::fs::File::create(
        folder.join(format!("scopes-{n}.runtime.ndjson")),
    )?);
    for (instance, endpoint, scopes) in queries {
        let endpoint = workload::endpoint_name(endpoint as usize);
        writeln!(
            declared,
            "{{\"instance\":\"{}\",\"endpoint\":\"{endpoint}\"}}",
            workload::instance_name(instance as usize),
        )?;
        let scopes: Vec<String> = scopes
            .iter()
            .map(|&s| format!("\"{}\"", workload::scope_name(usize::from(s))))
            .collect();
        writeln!(
            runtime,
            "{{\"connector\":\"{}\",\"auth\":\"oauth\",\"endpoint\":\"{endpoint}\",\"scopes\":[{}]}}",
            workload::connector(),
            scopes.join(",")
        )?;
    }
    declared.flush()?;
    runtime.flush()
}
