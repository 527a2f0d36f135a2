#!/usr/bin/env bash
# The README's test command: every test of the project, with whatever
# each suite needs installed by this script. `.ci/run` runs it after the
# formatting and lint checks.
set -euo pipefail
cd "$(dirname "$0")/.."

# The library alone (`--no-default-features`: no CLI crates), as embedders
# build it; then the defaults; then the `reload` feature's own tests.
cargo test --locked --no-default-features
cargo test --locked
cargo test --locked --features reload --test reload
