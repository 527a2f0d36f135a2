//! Writes the issue-3 benchmark workload to files, for the CLI benchmarks
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

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use authgate_workload as workload;
use workload::{M, Q, SEED, Workload};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (Some(n), Some(folder)) = (
        args.next().and_then(|n| n.parse::<usize>().ok()),
        args.next(),
    ) else {
        eprintln!("usage: workload N FOLDER");
        return ExitCode::from(2);
    };
    match write(n, &PathBuf::from(folder)) {
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
