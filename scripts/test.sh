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

# The VS Code extension's TextMate grammar, tokenized on the shipped rules
# (node's test runner; the lock file pins the packages, with no registry in it).
(cd editors/vscode && npm ci --no-audit --no-fund && npm test)
