#!/usr/bin/env bash
# The README's test command: every test of the project, with whatever
# each suite needs installed by this script. `.ci/run` runs it after the
# formatting and lint checks.
set -euo pipefail
cd "$(dirname "$0")/.."

# Each suite's output is also kept, so the last line can add them up: one
# "N passed, N failed" line for cargo's, node's and pytest's counts.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
suite() { "$@" 2>&1 | tee -a "$log"; }

# The docs' shell sessions (`tests/cli/docs/`) run under bash with git
# and curl, as a reader would run them; curl is the one a bare machine may
# lack.
command -v curl > /dev/null || { apt-get update -qq && apt-get install -y -qq curl; }

# The library alone (`--no-default-features`: no CLI crates), as embedders
# build it; then the defaults; then the `reload` feature's own tests (the
# library binary's `reload` module, which only that feature compiles).
suite cargo test --locked --no-default-features
suite cargo test --locked
suite cargo test --locked --features reload --test library reload::

# The VS Code extension's TextMate grammar, tokenized on the shipped rules
# (node's test runner; the lock file pins the packages, with no registry in it).
(cd editors/vscode && npm ci --no-audit --no-fund)
(cd editors/vscode && suite npm test)

# The Python package (bindings/python), installed into a virtual
# environment as a user installs it (pip builds the wheel with maturin,
# in the crate's `ci` profile: optimised, without the fat LTO of release,
# which made a build from scratch about 6 minutes instead of 4 on this
# 2-core machine while other builds ran); its tests compare its answers
# with the binary built above. pytest's exit
# status 5 (no tests collected) fails this script like any other failure.
# Then mypy --strict on the typed example, against the installed stubs,
# and mypy's stubtest: the stubs against the built module.
venv=target/python-venv
[[ -x "$venv/bin/python" ]] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip
MATURIN_PEP517_ARGS="--profile ci" "$venv/bin/python" -m pip install --quiet ./bindings/python pytest mypy
cargo build --locked --bin authgate
AUTHGATE_BIN="$PWD/target/debug/authgate" suite "$venv/bin/python" -m pytest -q -p no:cacheprovider bindings/python/tests
(cd bindings/python/examples && "../../../$venv/bin/python" -m mypy --strict --no-incremental typed.py)
"$venv/bin/python" -m mypy.stubtest authgate --allowlist bindings/python/stubtest-allowlist.txt

# The JavaScript package (bindings/js), built as its README says: `npm
# ci`, then `npm run build`, which compiles its WebAssembly module with
# cargo (adding rustup's wasm32 target if it is missing; no other tool).
# Its tests, under node's test runner, compare its answers with the
# binary built above and install the packed tarball into a fresh project;
# then `tsc --strict` on the typed example.
npm --prefix bindings/js ci --no-audit --no-fund
npm --prefix bindings/js run build
AUTHGATE_BIN="$PWD/target/debug/authgate" suite npm --prefix bindings/js test
npm --prefix bindings/js run typecheck

# The playground (web/), bundled from the package just built (`npm ci`
# links it as a `file:` dependency), then authgate built again so that
# `serve --ui` carries the page (build.rs embeds web/dist; incremental,
# seconds). Its tests drive Debian's chromium headless through
# playwright-core; no browser is ever downloaded: the package is
# installed here when missing.
if ! command -v chromium >/dev/null; then
    if [[ $(id -u) -ne 0 ]]; then
        echo "the playground's tests need Debian's chromium: apt-get install -y chromium" >&2
        exit 1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
npm --prefix web ci --no-audit --no-fund
npm --prefix web run build
cargo build --locked --bin authgate
AUTHGATE_BIN="$PWD/target/debug/authgate" suite npm --prefix web test

# cargo: "test result: ok. N passed; N failed; ..."; node: "# pass N" and
# "# fail N"; pytest: "N passed" / "N failed" on its last line.
awk '
    /^test result:/ { passed += $4; failed += $6 }
    /^# pass /      { passed += $3 }
    /^# fail /      { failed += $3 }
    /^[0-9]+ (passed|failed)/ {
        for (i = 1; i < NF; i++) {
            if ($(i + 1) ~ /^passed/) passed += $i
            if ($(i + 1) ~ /^failed/) failed += $i
        }
    }
    END { printf "all suites: %d passed, %d failed\n", passed, failed }
' "$log"
