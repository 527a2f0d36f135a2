#!/usr/bin/env bash
# The figures of `docs/performance.md`, reproducible with one command each:
#
#   scripts/bench.sh           # CLI end to end: check time and peak memory, eval throughput
#                              # (declared-instance and runtime-instance requests, side by side)
#   scripts/bench.sh peers     # in-process: authgate vs cedar-policy, regorus and baselines
#   scripts/bench.sh scaling   # the complexity contract: CLI cost per input byte, 10 kB to 1 MB
#   scripts/bench.sh diff      # `authgate diff` against `check` of both sides, N up to 1M
#   scripts/bench.sh openapi   # `import openapi` and `drift` on a generated 1,500-operation, 300-scope,
#                              # 55-file API (scripts/openapi_bench.py)
#   scripts/bench.sh serve     # `authgate serve` (batches, single requests, RSS) beside `eval`,
#                              # and batches of runtime instances holding scopes (workload --scopes)
#   scripts/bench.sh python    # the Python package against cedarpy, N = 10,000 (in target/python-venv)
#   scripts/bench.sh js        # the JavaScript package against @cedar-policy/cedar-wasm, N = 1,000
#                              # (cedar-wasm installed by npm into target/js-bench), packed size
#   scripts/bench.sh web       # the playground in headless Chromium: first diagnostics after page
#                              # load (median of 9 loads), one check after a keystroke, shipped rules
#                              # and a 1,500-endpoint, 300-scope connector (web/test/bench.mjs)
#   scripts/bench.sh scopes    # scopes: `check` of HubSpot-like rules (300 scopes, 2,000 and
#                              # 1,000,000 endpoints), `eval` declared vs runtime + 5 scopes
#                              # (scripts/scopes_bench.py)
#   scripts/bench.sh scopes-scale  # hostile scope shapes at N and 4N: check and eval time
#                              # ratios (under 8), peak RSS (scripts/scale_scopes.py)
#   cargo bench --bench engine # in-process: compile/check MB/s, decisions, visible (divan)
#
# Everything runs on the seeded workload of workload/ (crate authgate-workload).
#
# BENCH_MAX_N=100000 scripts/bench.sh  leaves out the sizes above 100,000
# (the default is all of them, up to 1,000,000 endpoints) in the CLI run.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${1:-}" == "peers" ]]; then
    shift
    cargo build --release --manifest-path peers/Cargo.toml
    exec peers/target/release/authgate-peers "$@"
fi

if [[ "${1:-}" == "diff" ]]; then
    cargo build --release --bin authgate --example workload
    for n in 10000 100000 1000000; do
        [[ -f "target/bench/bench-$n.gate" ]] || target/release/examples/workload "$n" target/bench
    done
    exec python3 scripts/diff_bench.py target/release/authgate target/bench
fi

if [[ "${1:-}" == "openapi" ]]; then
    shift
    cargo build --release --bin authgate
    exec python3 scripts/openapi_bench.py target/release/authgate target/bench "$@"
fi

if [[ "${1:-}" == "serve" ]]; then
    cargo build --release --bin authgate --example workload --example serve_load
    for n in 10000 1000000; do
        [[ -f "target/bench/bench-$n.gate" && -f "target/bench/bench-$n.ndjson" ]] \
            || target/release/examples/workload "$n" target/bench
    done
    [[ -f target/bench/scopes-2000.gate && -f target/bench/scopes-2000.runtime.ndjson ]] \
        || target/release/examples/workload --scopes 2000 target/bench
    exec python3 scripts/serve_bench.py target/release/authgate target/release/examples/serve_load target/bench
fi

if [[ "${1:-}" == "js" ]]; then
    [[ -f target/bench/bench-1000.gate && -f target/bench/bench-1000.runtime.ndjson ]] \
        || cargo run --quiet --example workload -- 1000 target/bench
    npm --prefix bindings/js ci --no-audit --no-fund
    npm --prefix bindings/js run build
    # The peer, in a scratch project of its own (not a dependency of the package).
    mkdir -p target/js-bench
    [[ -f target/js-bench/package.json ]] || echo '{"private": true}' > target/js-bench/package.json
    [[ -d target/js-bench/node_modules/@cedar-policy/cedar-wasm ]] \
        || npm --prefix target/js-bench install --no-audit --no-fund --no-save @cedar-policy/cedar-wasm@4
    exec node bindings/js/bench/bench.mjs target/bench 1000 target/js-bench/node_modules/@cedar-policy/cedar-wasm
fi

if [[ "${1:-}" == "web" ]]; then
    command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }
    npm --prefix bindings/js ci --no-audit --no-fund
    npm --prefix bindings/js run build
    npm --prefix web ci --no-audit --no-fund
    npm --prefix web run build
    exec node web/test/bench.mjs
fi

if [[ "${1:-}" == "python" ]]; then
    # A debug build writes the 10,000-endpoint files in moments.
    [[ -f target/bench/bench-10000.gate && -f target/bench/bench-10000.runtime.ndjson ]] \
        || cargo run --quiet --example workload -- 10000 target/bench
    [[ -f target/bench/scopes-2000.gate && -f target/bench/scopes-2000.runtime.ndjson ]] \
        || cargo run --quiet --example workload -- --scopes 2000 target/bench
    venv=target/python-venv
    [[ -x "$venv/bin/python" ]] || python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet ./bindings/python cedarpy
    exec "$venv/bin/python" bindings/python/bench/bench.py target/bench 10000
fi

if [[ "${1:-}" == "scopes" ]]; then
    cargo build --release --bin authgate --example workload
    for n in 2000 1000000; do
        [[ -f "target/bench/scopes-$n.gate" && -f "target/bench/scopes-$n.runtime.ndjson" ]] \
            || target/release/examples/workload --scopes "$n" target/bench
    done
    exec python3 scripts/scopes_bench.py target/release/authgate target/bench
fi

if [[ "${1:-}" == "scopes-scale" ]]; then
    cargo build --release --bin authgate
    exec python3 scripts/scale_scopes.py target/release/authgate target/bench/scopes-scale
fi

if [[ "${1:-}" == "scaling" ]]; then
    cargo build --release --bin authgate
    exec python3 scripts/scaling.py target/release/authgate target/bench
fi

cargo build --release --bin authgate --example workload
folder=target/bench
max_n=${BENCH_MAX_N:-1000000}
for n in 100 1000 10000 100000 1000000; do
    (( n <= max_n )) || continue
    # Files written before the runtime queries existed lack only those;
    # writing all three again leaves the other two as they were.
    [[ -f "$folder/bench-$n.gate" && -f "$folder/bench-$n.ndjson" && -f "$folder/bench-$n.runtime.ndjson" ]] \
        || target/release/examples/workload "$n" "$folder"
done
exec python3 scripts/cli_bench.py target/release/authgate "$folder" "$max_n"
