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
[[ ${#targets[@]} -gt 0 ]] || targets=(parse pipeline queries)

for target in parse pipeline; do
    mkdir -p "corpus/$target"
    cp ../rules/*.gate ../tests/fixtures/fail/*.gate seeds/*.gate "corpus/$target/"
done
mkdir -p corpus/queries
printf 'instance 1\norders' > corpus/queries/declared
printf 'shop/OAuth 2\ncustomers' > corpus/queries/runtime

export RUSTC_BOOTSTRAP=1
for target in "${targets[@]}"; do
    echo "== $target for ${seconds}s"
    cargo fuzz run "$target" -- -dict=authgate.dict -max_total_time="$seconds" -max_len=4096 \
        -print_final_stats=1 2>&1 | grep -E "^(#[0-9]+.*DONE|stat::|==|SUMMARY|Done)" || true
done
