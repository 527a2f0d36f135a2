//! Compiles one rule file many times, for profilers:
//! `cargo run --release --example profile_compile -- FILE [TIMES]`.

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: profile_compile FILE [TIMES]");
        return ExitCode::from(2);
    };
    let times: usize = args.next().and_then(|t| t.parse().ok()).unwrap_or(100);
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!("cannot read {path}");
        return ExitCode::from(2);
    };
    let start = std::time::Instant::now();
    let mut compiled = 0;
    for _ in 0..times {
        let mut sources = authgate::Sources::new();
        sources.add(path.as_str(), text.clone());
        compiled += usize::from(authgate::compile(&sources).policy.is_some());
    }
    let each = start.elapsed().as_secs_f64() / times as f64;
    println!(
        "{compiled}/{times} compiled; {:.2} ms each, {:.0} MB/s",
        each * 1e3,
        text.len() as f64 / each / 1e6
    );
    ExitCode::SUCCESS
}
