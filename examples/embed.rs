//! Embedding authgate in a service: load a rule set as `authgate check`
//! does, report errors through miette, decide by names and by ids, share
//! the policy across threads, and follow the files with a reloader.
//!
//! ```sh
//! cargo run --features reload --example embed -- rules
//! ```

use std::process::ExitCode;
use std::sync::Arc;

use authgate::{Options, Principal};

fn main() -> ExitCode {
    let paths: Vec<String> = std::env::args().skip(1).collect();
    let paths = if paths.is_empty() {
        vec!["rules".to_owned()]
    } else {
        paths
    };

    // 1. Load: the same files, limits and errors as the CLI.
    let loaded = match authgate::load_policy(&paths, &Options::default()) {
        Ok(loaded) => loaded,
        Err(error) => {
            // The error is a miette diagnostic: every finding of the run is
            // related to it. `render_human` (feature `fancy`) renders them
            // all as `authgate check` does, names with hidden characters
            // escaped; `authgate::miette::Report::new(error)` works too.
            let style = authgate::diagnostics::render::Style::default();
            eprint!(
                "{}",
                authgate::diagnostics::render::render_human(&error, style)
            );
            return ExitCode::from(2);
        }
    };
    for warning in &loaded.warnings {
        eprintln!("warning: {warning}");
    }

    // 2. Share: a policy is immutable, Send and Sync.
    let policy = Arc::new(loaded.policy);

    // 3. Decide by names, with a reason (unknown names are never available).
    let decision = policy.decide(Principal::Instance("instance 2"), "orders");
    println!(
        "instance 2 -> orders: {} ({})",
        decision.available(),
        policy.describe(&decision)
    );

    // 4. Decide by ids: resolve once, then each decision is a bit test.
    let ids = policy.connector("shop").and_then(|shop| {
        let method = policy.method(shop, "basic")?;
        let endpoint = policy.endpoint(shop, "orders")?;
        Some((method, endpoint))
    });
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let policy = Arc::clone(&policy);
            std::thread::spawn(move || {
                ids.map_or(0, |(method, endpoint)| {
                    (0..100_000)
                        .filter(|_| policy.is_available(method, endpoint))
                        .count()
                })
            })
        })
        .collect();
    let allowed: usize = threads
        .into_iter()
        .map(|thread| thread.join().unwrap_or(0))
        .sum();
    println!(
        "shop/basic -> orders, decided 400,000 times by ids across 4 threads: {allowed} allowed"
    );

    // 5. Reload: a handle that follows the files (file events, and a poll
    //    every interval) and swaps in a new policy only when it compiles;
    //    a failed reload keeps the old one and says why.
    let paths: Vec<std::path::PathBuf> = paths.iter().map(Into::into).collect();
    let interval = std::time::Duration::from_secs(2);
    let reloader =
        match authgate::project::watch::Reloader::start(paths, Options::default(), interval) {
            Ok(reloader) => reloader,
            Err(error) => {
                eprintln!("error: {error}");
                return ExitCode::from(2);
            }
        };
    let current = reloader.policy(); // an Arc<Policy> snapshot for one request
    println!(
        "reloader at generation {}: instance 1 sees {} endpoints",
        reloader.generation(),
        current
            .subject(Principal::Instance("instance 1"))
            .map_or(0, |subject| current.visible(subject.method).len())
    );
    ExitCode::SUCCESS
}
