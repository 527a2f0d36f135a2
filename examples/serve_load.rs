//! A small load client for `authgate serve`, for `scripts/bench.sh serve`:
//! raw HTTP/1.1 over keep-alive TCP connections, one thread each, no
//! async runtime, so the client stays cheap beside the server it measures.
//!
//! ```sh
//! serve_load ADDR REQUESTS.ndjson single CONNECTIONS SECONDS
//! serve_load ADDR REQUESTS.ndjson batch CONNECTIONS SECONDS [BATCH]
//! ```
//!
//! `single` sends one `eval` line per `POST /v1/decide` and prints requests
//! per second and p50/p99 latency; `batch` sends `POST /v1/decide/batch`
//! with BATCH lines (default 1,000) and prints decisions per second. Each
//! connection starts at its own place in the lines. Prints one line of
//! `key=value` pairs.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::ExitCode;
use std::time::{Duration, Instant};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(address), Some(file), Some(mode), Some(connections), Some(seconds)) = (
        args.first(),
        args.get(1),
        args.get(2),
        args.get(3).and_then(|c| c.parse::<usize>().ok()),
        args.get(4).and_then(|s| s.parse::<f64>().ok()),
    ) else {
        eprintln!(
            "usage: serve_load ADDR REQUESTS.ndjson single|batch CONNECTIONS SECONDS [BATCH]"
        );
        return ExitCode::from(2);
    };
    let batch = args.get(5).and_then(|b| b.parse().ok()).unwrap_or(1000);
    let lines: Vec<String> = match std::fs::read_to_string(file) {
        Ok(text) => text.lines().map(str::to_owned).collect(),
        Err(error) => {
            eprintln!("error: {file}: {error}");
            return ExitCode::from(2);
        }
    };
    if lines.is_empty() {
        eprintln!("error: {file} has no requests");
        return ExitCode::from(2);
    }
    let bodies: Vec<(String, String)> = match mode.as_str() {
        "single" => lines
            .iter()
            .take(100_000)
            .map(|line| ("/v1/decide".to_owned(), line.clone()))
            .collect(),
        "batch" => lines
            .chunks(batch)
            .take(200)
            .map(|chunk| {
                (
                    "/v1/decide/batch".to_owned(),
                    format!("{{\"requests\":[{}]}}", chunk.join(",")),
                )
            })
            .collect(),
        _ => {
            eprintln!("error: the mode is `single` or `batch`");
            return ExitCode::from(2);
        }
    };
    let per_request = if mode == "batch" { batch } else { 1 };
    let duration = Duration::from_secs_f64(seconds);
    let bodies = std::sync::Arc::new(bodies);
    let threads: Vec<_> = (0..connections)
        .map(|index| {
            let (address, bodies) = (address.clone(), bodies.clone());
            std::thread::spawn(move || run(&address, &bodies, index, duration))
        })
        .collect();
    let mut latencies = Vec::new();
    let mut failures = 0;
    for thread in threads {
        match thread.join() {
            Ok(Ok((mut times, failed))) => {
                latencies.append(&mut times);
                failures += failed;
            }
            Ok(Err(error)) => {
                eprintln!("error: {error}");
                return ExitCode::FAILURE;
            }
            Err(_) => return ExitCode::FAILURE,
        }
    }
    latencies.sort_unstable();
    let quantile = |q: f64| {
        let index = ((latencies.len() as f64 - 1.0) * q).round() as usize;
        latencies.get(index).copied().unwrap_or_default()
    };
    let requests = latencies.len() as f64 / seconds;
    println!(
        "mode={mode} connections={connections} requests_per_s={requests:.0} \
         decisions_per_s={:.0} p50_us={} p99_us={} failures={failures}",
        requests * per_request as f64,
        quantile(0.5),
        quantile(0.99),
    );
    if failures > 0 {
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

/// Sends requests on one keep-alive connection for `duration`; returns
/// each latency in microseconds and the count of non-200 answers.
fn run(
    address: &str,
    bodies: &[(String, String)],
    index: usize,
    duration: Duration,
) -> std::io::Result<(Vec<u32>, usize)> {
    let stream = TcpStream::connect(address)?;
    stream.set_nodelay(true)?;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::with_capacity(1 << 16, stream);
    let mut latencies = Vec::with_capacity(1 << 16);
    let mut failures = 0;
    let mut request = Vec::with_capacity(1 << 16);
    let mut body = Vec::with_capacity(1 << 16);
    let mut line = String::new();
    let start = Instant::now();
    let mut next = index.wrapping_mul(7919) % bodies.len().max(1);
    while start.elapsed() < duration {
        let Some((path, payload)) = bodies.get(next) else {
            break;
        };
        next = (next + 1) % bodies.len();
        request.clear();
        write!(
            request,
            "POST {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\n\r\n",
            payload.len()
        )?;
        request.extend_from_slice(payload.as_bytes());
        let sent = Instant::now();
        writer.write_all(&request)?;
        // Status line, headers, then Content-Length bytes of body.
        line.clear();
        reader.read_line(&mut line)?;
        let ok = line.split(' ').nth(1) == Some("200");
        let mut length = 0usize;
        loop {
            line.clear();
            if reader.read_line(&mut line)? == 0 {
                return Err(std::io::Error::other("the server closed the connection"));
            }
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap_or(0);
            }
        }
        body.resize(length, 0);
        reader.read_exact(&mut body)?;
        latencies.push(u32::try_from(sent.elapsed().as_micros()).unwrap_or(u32::MAX));
        if !ok {
            failures += 1;
        }
    }
    Ok((latencies, failures))
}
