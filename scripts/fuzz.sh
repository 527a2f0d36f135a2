#!/usr/bin/env bash
# Fuzzing campaign: every target of fuzz/ for SECONDS each (default 600).
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]
#
# cargo fuzz needs nightly features (sanitizer flags); this machine has a
# stable toolchain only, and RUSTC_BOOTSTRAP=1 lets stable rustc accept
# them. Needs `cargo install cargo-fuzz`. Seeds come from rules/, the
# test fixtures and fuzz/seeds/ (a wide connector, hostile names);
# crashes land in fuzz/artifacts/<target>/ and each one found becomes a
# regression test.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
seconds="${1:-600}"
shift || true
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(parse pipeline queries requests)

for target in parse pipeline; do
    mkdir -p "corpus/$target"
    cp ../rules/*.gate ../tests/fixtures/fail/*.gate seeds/*.gate "corpus/$target/"
done
mkdir -p corpus/queries
printf 'instance 1\norders' > corpus/queries/declared
printf 'shop/OAuth 2\ncustomers' > corpus/queries/runtime
# requests: the first byte picks the route (0 decide, 1 batch, 2 visible,
# 3 AuthZEN evaluation, 4 evaluations), the rest is the body.
mkdir -p corpus/requests
printf '\x00{"instance":"instance 1","endpoint":"orders"}' > corpus/requests/decide
printf '\x01{"requests":[{"connector":"shop","auth":"basic","endpoint":"orders"},7]}' > corpus/requests/batch
printf '\x02{"instance":"instance 2"}' > corpus/requests/visible
printf '\x03{"subject":{"type":"instance","id":"instance 1"},"resource":{"type":"endpoint","id":"orders"},"action":{"name":"call"}}' > corpus/requests/evaluation
printf '\x04{"subject":{"type":"connection","id":"x","properties":{"connector":"shop","auth":"basic"}},"action":{"name":"call"},"evaluations":[{"resource":{"type":"endpoint","id":"orders"}}],"options":{"evaluations_semantic":"deny_on_first_deny"}}' > corpus/requests/evaluations

export RUSTC_BOOTSTRAP=1
for target in "${targets[@]}"; do
    echo "== $target for ${seconds}s"
    cargo fuzz run "$target" -- -dict=authgate.dict -max_total_time="$seconds" -max_len=4096 \
        -print_final_stats=1 2>&1 | grep -E "^(#[0-9]+.*DONE|stat::|==|SUMMARY|Done)" || true
done
