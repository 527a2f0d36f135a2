"""Shared fixtures: the `authgate` binary the answers are compared with,
and rule sets on disk.

The binary is `$AUTHGATE_BIN` (scripts/test.sh sets it), else the debug
build of the checkout this package lives in."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any, Optional

import pytest

ROOT = Path(__file__).resolve().parents[3]
SHOP = """\
connector shop {
    auth basic: basic
    auth oauth: oauth2_authorization_code

    endpoint orders    < auth: [basic] >
    endpoint customers < auth: [basic, oauth] >
}

instance "instance 1" of shop < auth: basic >
instance "instance 2" of shop < auth: oauth >

flow "nightly orders" {
    connection "instance 1" -> orders
}
"""


class Cli:
    """Runs the `authgate` binary as a user would, with plain output."""

    def __init__(self, binary: Path) -> None:
        self.binary = binary

    def run(self, *args: str, cwd: Optional[Path] = None, input: Optional[str] = None) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "CLICOLOR_FORCE")}
        env["NO_COLOR"] = "1"
        return subprocess.run(
            [str(self.binary), *args],
            cwd=cwd,
            input=input,
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )

    def json(self, *args: str, cwd: Optional[Path] = None, input: Optional[str] = None) -> Any:
        return json.loads(self.run(*args, cwd=cwd, input=input).stdout)

    def eval(self, rules: Path, requests: list[dict[str, Any]], cwd: Optional[Path] = None) -> list[dict[str, Any]]:
        lines = "".join(json.dumps(r) + "\n" for r in requests)
        done = self.run("eval", "--rules", str(rules), cwd=cwd, input=lines)
        assert done.returncode in (0, 1), done.stderr
        return [json.loads(line) for line in done.stdout.splitlines()]


@pytest.fixture(scope="session")
def cli() -> Cli:
    binary = Path(os.environ.get("AUTHGATE_BIN") or ROOT / "target" / "debug" / "authgate")
    if not binary.is_file():
        pytest.fail(f"no authgate binary at {binary}: run `cargo build` or set AUTHGATE_BIN")
    return Cli(binary)


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    """A folder with the README's example rules (shop, basic and OAuth 2)."""
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "shop.gate").write_text(SHOP)
    return folder


@pytest.fixture(scope="session")
def shipped() -> Path:
    """The repository's example rule set."""
    return ROOT / "rules"


@pytest.fixture(scope="session")
def failing() -> Path:
    """One fixture file per diagnostic code."""
    return ROOT / "tests" / "fixtures" / "fail"
