//! Helpers shared by the test crates.

#![allow(dead_code, unused_imports, reason = "each test crate uses a part")]
#![allow(
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "a test fails by panicking"
)]

use std::path::Path;

/// The seeded generator of the benchmark workload (SplitMix64), reused so
/// that the tests' random choices are fixed too.
pub use authgate_workload::Rng;

pub mod rules;

/// Every rule file the project ships or tests with (`rules/` and the
/// diagnostic fixtures), in sorted order.
pub fn rule_files() -> Vec<Vec<u8>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for folder in ["rules", "tests/fixtures/fail"] {
        let mut paths: Vec<_> = std::fs::read_dir(root.join(folder))
            .expect("folder exists")
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .collect();
        paths.sort();
        files.extend(paths.iter().filter_map(|path| std::fs::read(path).ok()));
    }
    files
}
