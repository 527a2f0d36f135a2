"""What `scripts/release.sh` wrote into target/dist, checked as a user meets it.

`scripts/test.sh` runs the script in its quick mode, then these tests (pytest,
from the repository root; `AUTHGATE_DIST` names another folder). The npm
tarball is installed into a fresh project and decides in bindings/js's own
test (`AUTHGATE_NPM_TARBALL`); here it is only looked into.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import struct
import subprocess
import sys
import tarfile
import tomllib
import venv
import zipfile
from pathlib import Path
from urllib.parse import unquote

import pytest

ROOT = Path(__file__).resolve().parents[2]
DIST = Path(os.environ.get("AUTHGATE_DIST", ROOT / "target" / "dist")).resolve()
VERSION = tomllib.loads((ROOT / "Cargo.toml").read_text())["package"]["version"]
TARGET = "x86_64-unknown-linux-musl"


def only(pattern: str) -> Path:
    """The one file of the release whose name matches `pattern`."""
    found = sorted(DIST.glob(pattern))
    assert len(found) == 1, f"{pattern} in {DIST}: {[p.name for p in found]}"
    return found[0]


def run(*args: str | Path, cwd: Path = ROOT, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], cwd=cwd, text=True, capture_output=True, check=check)


@pytest.fixture(scope="session")
def unpacked(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The binary archive, unpacked as a user unpacks it."""
    archive = only(f"authgate-{VERSION}-{TARGET}.tar.gz")
    folder = tmp_path_factory.mktemp("binary")
    with tarfile.open(archive) as tar:
        tar.extractall(folder, filter="data")
    return folder / f"authgate-{VERSION}-{TARGET}"


def test_the_checksums_cover_every_artifact_and_verify() -> None:
    lines = (DIST / "SHA256SUMS").read_text().splitlines()
    listed = {}
    for line in lines:
        digest, name = line.split("  ", 1)
        listed[name] = digest
    files = {p.name for p in DIST.iterdir() if p.is_file() and p.name != "SHA256SUMS"}
    assert set(listed) == files
    for name, digest in listed.items():
        assert hashlib.sha256((DIST / name).read_bytes()).hexdigest() == digest, name
    # As a user checks them.
    assert "FAILED" not in run("sha256sum", "-c", "SHA256SUMS", cwd=DIST).stdout


def elf_facts(path: Path) -> dict[str, bool]:
    """Whether a 64-bit little-endian ELF file asks for an interpreter or
    shared libraries (PT_INTERP, DT_NEEDED) and keeps a symbol table."""
    data = path.read_bytes()
    assert data[:4] == b"\x7fELF" and data[4] == 2 and data[5] == 1, "a 64-bit little-endian ELF file"
    phoff, shoff = struct.unpack_from("<QQ", data, 0x20)
    phentsize, phnum, shentsize, shnum = struct.unpack_from("<HHHH", data, 0x36)
    interp = needed = False
    for i in range(phnum):
        p_type, _, p_offset, _, _, p_filesz = struct.unpack_from("<IIQQQQ", data, phoff + i * phentsize)
        if p_type == 3:  # PT_INTERP
            interp = True
        if p_type == 2:  # PT_DYNAMIC
            for at in range(p_offset, p_offset + p_filesz, 16):
                tag, _ = struct.unpack_from("<qQ", data, at)
                if tag == 0:
                    break
                needed |= tag == 1  # DT_NEEDED
    symtab = any(struct.unpack_from("<I", data, shoff + i * shentsize + 4)[0] == 2 for i in range(shnum))
    return {"interpreter": interp, "shared libraries": needed, "symbol table": symtab}


def test_the_binary_is_static_and_stripped(unpacked: Path) -> None:
    assert elf_facts(unpacked / "authgate") == {
        "interpreter": False,
        "shared libraries": False,
        "symbol table": False,
    }


def test_the_archive_holds_the_binary_docs_licenses_and_completions(unpacked: Path) -> None:
    names = sorted(str(p.relative_to(unpacked)) for p in unpacked.rglob("*") if p.is_file())
    assert names == [
        "CHANGELOG.md",
        "LICENSE-APACHE",
        "LICENSE-MIT",
        "README.md",
        "authgate",
        "complete/_authgate",
        "complete/authgate.bash",
        "complete/authgate.fish",
    ]
    assert os.access(unpacked / "authgate", os.X_OK)


def test_the_binary_says_the_crates_version_and_this_commit(unpacked: Path) -> None:
    printed = run(unpacked / "authgate", "--version").stdout
    head = run("git", "log", "-1", "--format=%h %cs").stdout.strip()
    assert printed == f"authgate {VERSION} ({head})\n"


def test_the_binary_checks_the_shipped_rules(unpacked: Path) -> None:
    result = run(unpacked / "authgate", "check", "rules", check=False)
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(r"checked \d+ files: .*; 0 errors, 0 warnings\n", result.stderr), result.stderr
    tests = run(unpacked / "authgate", "test", "rules", check=False)
    assert tests.returncode == 0, tests.stdout + tests.stderr


def test_the_wheel_is_manylinux2014() -> None:
    wheel = only(f"authgate-{VERSION}-cp39-abi3-*.whl")
    assert "manylinux2014_x86_64" in wheel.name
    shown = run(sys.executable, "-m", "auditwheel", "show", wheel).stdout
    assert 'is consistent with the following platform tag:\n"manylinux_2_17_x86_64"' in shown, shown


def test_the_wheel_installs_into_a_fresh_environment_and_decides(tmp_path: Path, unpacked: Path) -> None:
    wheel = only(f"authgate-{VERSION}-cp39-abi3-*.whl")
    venv.create(tmp_path / "venv", with_pip=True)
    python = tmp_path / "venv" / "bin" / "python"
    # No index: the wheel depends on nothing.
    run(python, "-m", "pip", "install", "--quiet", "--no-index", "--disable-pip-version-check", wheel)
    program = (
        "import authgate, json, sys\n"
        "policy = authgate.load(sys.argv[1])\n"
        "d = policy.decide(instance='instance 2', endpoint='orders')\n"
        "print(json.dumps([authgate.__version__, d.available, d.reason]))\n"
    )
    # Run outside the repository, so that nothing but the installed wheel is imported.
    version, available, reason = json.loads(run(python, "-c", program, ROOT / "rules", cwd=tmp_path).stdout)
    assert version == VERSION
    # The binary's answer to the same request.
    request = json.dumps({"instance": "instance 2", "endpoint": "orders"})
    answer = json.loads(
        subprocess.run(
            [unpacked / "authgate", "eval", "--rules", "rules"],
            cwd=ROOT, input=request + "\n", text=True, capture_output=True, check=True,
        ).stdout
    )
    assert (available, reason) == (answer["available"], answer["reason"])
    assert available is False


def test_the_npm_tarball_is_the_package_at_this_version() -> None:
    tarball = only(f"authgate-{VERSION}.tgz")
    with tarfile.open(tarball) as tar:
        names = sorted(tar.getnames())
        package = json.load(tar.extractfile("package/package.json"))  # type: ignore[arg-type]
    assert package["version"] == VERSION
    assert "package/authgate.wasm" in names and "package/index.js" in names


def test_the_extension_packs_its_client_and_grammar_without_tests() -> None:
    vsix = only(f"authgate-{VERSION}.vsix")
    with zipfile.ZipFile(vsix) as archive:
        names = set(archive.namelist())
        manifest = json.loads(archive.read("extension/package.json"))
    assert manifest["version"] == VERSION
    assert manifest["publisher"]
    for name in [
        "extension/extension.js",
        "extension/syntaxes/authgate.tmLanguage.json",
        "extension/language-configuration.json",
        "extension/readme.md",
        "extension/LICENSE.txt",
        "extension/node_modules/vscode-languageclient/package.json",
    ]:
        assert name in names, name
    assert not [n for n in names if n.startswith(("extension/test/", "extension/node_modules/@vscode/vsce"))]


def test_the_sbom_lists_every_crate_the_binary_uses() -> None:
    sbom = json.loads(only(f"authgate-{VERSION}.cdx.json").read_text())
    assert sbom["bomFormat"] == "CycloneDX"
    component = sbom["metadata"]["component"]
    assert (component["name"], component["version"]) == ("authgate", VERSION)
    listed = {(c["name"], c["version"]) for c in sbom["components"]}
    for c in sbom["components"]:
        # A package URL escapes `+` (in versions such as `1.2.2+spec-1.1.0`).
        assert unquote(c["purl"]).startswith(f"pkg:cargo/{c['name']}@{c['version']}"), c["purl"]
    tree = run(
        "cargo", "tree", "--locked", "-p", "authgate", "-e", "normal", "--target", TARGET,
        "--prefix", "none", "--format", "{p}",
    ).stdout
    used = set()
    for line in tree.splitlines():
        name, version = line.split()[:2]
        if name != "authgate":
            used.add((name, version.removeprefix("v")))
    assert used - listed == set()
    # Nothing beyond the lock file.
    lock = tomllib.loads((ROOT / "Cargo.lock").read_text())
    locked = {(p["name"], p["version"]) for p in lock["package"]}
    assert listed - locked == set()


def test_the_image_context_holds_the_dockerfile_and_the_static_binary(unpacked: Path) -> None:
    image = DIST / "image"
    dockerfile = (image / "Dockerfile").read_text()
    assert dockerfile == (ROOT / "deploy" / "release.Dockerfile").read_text()
    assert re.search(r"^FROM scratch$", dockerfile, re.M)
    assert "COPY --chmod=0555 linux-${TARGETARCH}/authgate " in dockerfile
    assert (image / "linux-amd64" / "authgate").read_bytes() == (unpacked / "authgate").read_bytes()
