#!/usr/bin/env bash
# The figures of README "Performance", reproducible with one command each:
#
#   scripts/bench.sh           # CLI end to end: check time and peak memory, eval throughput
#   scripts/bench.sh peers     # in-process: authgate vs cedar-policy, regorus and baselines
#   scripts/bench.sh scaling   # the complexity contract: CLI cost per input byte, 10 kB to 1 MB
#   cargo bench --bench engine # in-process: compile/check MB/s, decisions, visible (divan)
#
# Everything runs on the seeded workload of workload/ (crate authgate-workload).
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${1:-}" == "peers" ]]; then
    shift
    cargo build --release --manifest-path peers/Cargo.toml
    exec peers/target/release/authgate-peers "$@"
fi

if [[ "${1:-}" == "scaling" ]]; then
    cargo build --release --bin authgate
    exec python3 scripts/scaling.py target/release/authgate target/bench
fi

cargo build --release --bin authgate --example workload
folder=target/bench
for n in 100 1000 10000 100000 1000000; do
    [[ -f "$folder/bench-$n.gate" ]] || target/release/examples/workload "$n" "$folder"
done
exec python3 scripts/cli_bench.py target/release/authgate "$folder"
