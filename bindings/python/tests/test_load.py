"""Loading: paths as the CLI takes them, authgate.toml honoured, errors
as `check` reports them, warnings, and the bundle digest."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

import authgate
from conftest import SHOP, Cli

FIELDS = ("code", "severity", "message", "file", "line", "column", "help")


def as_json(diagnostic: authgate.Diagnostic) -> dict[str, Any]:
    return {field: getattr(diagnostic, field) for field in FIELDS}


def check_json(cli: Cli, *args: str, cwd: Path | None = None) -> list[dict[str, Any]]:
    doc = cli.json("check", "--format", "json", *args, cwd=cwd)
    return [{field: d[field] for field in FIELDS} for d in doc["diagnostics"]]


def fixtures(failing: Path) -> list[Path]:
    return sorted(failing.glob("*.gate"))


def test_every_failing_fixture_raises_rules_error_as_check_reports_it(cli: Cli, failing: Path) -> None:
    errors = 0
    for path in fixtures(failing):
        # The same spelling of the path as given to the CLI: file names in
        # the report are the paths as given.
        relative = os.path.relpath(path)
        done = cli.run("check", relative)
        expected = check_json(cli, relative)
        if done.returncode == 0:
            policy = authgate.load(relative)
            assert [as_json(w) for w in policy.warnings] == expected, path.name
            continue
        errors += 1
        with pytest.raises(authgate.RulesError) as caught:
            authgate.load(relative)
        error = caught.value
        assert isinstance(error, ValueError)
        assert [as_json(d) for d in error.diagnostics] == expected, path.name
        assert all(isinstance(d, authgate.Diagnostic) for d in error.diagnostics)
        assert str(error) == done.stderr, path.name
    assert errors >= 10


def test_the_whole_failing_folder_at_once(cli: Cli, failing: Path) -> None:
    done = cli.run("check", str(failing))
    assert done.returncode == 1
    with pytest.raises(authgate.RulesError) as caught:
        authgate.load(failing)
    assert [as_json(d) for d in caught.value.diagnostics] == check_json(cli, str(failing))
    assert str(caught.value) == done.stderr
    assert {d.severity for d in caught.value.diagnostics} == {"error", "warning"}


def test_from_source_reports_under_its_file_name(cli: Cli, tmp_path: Path) -> None:
    text = "connector shop {\n    auth basic: basic\n    endpoint orders < auth: [basci] >\n}\n"
    (tmp_path / "shop.gate").write_text(text)
    with pytest.raises(authgate.RulesError) as caught:
        authgate.Policy.from_source(text, filename="shop.gate")
    assert [as_json(d) for d in caught.value.diagnostics] == check_json(cli, "shop.gate", cwd=tmp_path)
    assert str(caught.value) == cli.run("check", "shop.gate", cwd=tmp_path).stderr
    assert caught.value.diagnostics[0].code == "authgate::unknown_method"


def test_warnings_are_on_the_policy_and_a_new_list_each_time(cli: Cli, tmp_path: Path) -> None:
    rules = tmp_path / "w.gate"
    rules.write_text(SHOP + "connector empty { auth a: basic }\nconnector spare { auth x: basic\n auth y: token\n endpoint e < auth: [x] > }\n")
    policy = authgate.load(rules)
    expected = check_json(cli, str(rules))
    assert len(expected) >= 2
    assert [as_json(w) for w in policy.warnings] == expected
    policy.warnings.clear()
    assert len(policy.warnings) == len(expected)
    assert authgate.load(cli_shop(tmp_path)).warnings == []


def cli_shop(tmp_path: Path) -> Path:
    path = tmp_path / "clean" / "shop.gate"
    path.parent.mkdir(exist_ok=True)
    path.write_text(SHOP)
    return path


def test_diagnostics_compare_by_value() -> None:
    a = authgate.Diagnostic("authgate::x", "error", "m", "f.gate", 1, 2, None)
    b = authgate.Diagnostic(code="authgate::x", severity="error", message="m", file="f.gate", line=1, column=2)
    assert a == b and hash(a) == hash(b)
    assert a != authgate.Diagnostic("authgate::x", "warning", "m")
    assert repr(a) == 'Diagnostic(code="authgate::x", severity="error", message="m", file="f.gate", line=1, column=2, help=None)'


def test_the_digest_is_authgate_digests(cli: Cli, shipped: Path, shop: Path, tmp_path: Path) -> None:
    def digest(*args: str, cwd: Path | None = None) -> str:
        done = cli.run("digest", *args, cwd=cwd)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    assert authgate.load(shipped).digest == digest(str(shipped))
    assert authgate.load(str(shipped) + "/").digest == digest(str(shipped))
    both = [shipped / "shop.gate", shipped / "crm.gate"]
    assert authgate.load(both).digest == digest(*map(str, both))
    assert authgate.load(shop / "shop.gate").digest == digest(str(shop / "shop.gate"))
    # From text: its name is its path in the bundle.
    assert authgate.Policy.from_source(SHOP, filename="shop.gate").digest == digest("shop.gate", cwd=shop)
    assert authgate.load(shipped).digest.startswith("sha256:")
    assert len(authgate.load(shipped).digest) == len("sha256:") + 64


def project(tmp_path: Path, toml: str) -> Path:
    root = tmp_path / "project"
    (root / "policies").mkdir(parents=True)
    (root / "sub" / "dir").mkdir(parents=True)
    (root / "policies" / "shop.gate").write_text(SHOP + "connector spare { auth x: basic\n endpoint e < auth: [x] > auth unused: token }\n")
    (root / "authgate.toml").write_text(toml)
    return root


def test_authgate_toml_gives_the_rule_set_and_lint_levels(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = project(tmp_path, 'rules = ["policies"]\n\n[lints]\nnever_activated = "deny"\n')
    for cwd in (root, root / "sub" / "dir"):
        monkeypatch.chdir(cwd)
        done = cli.run("check", cwd=cwd)
        assert done.returncode == 1
        with pytest.raises(authgate.RulesError) as caught:
            authgate.load()
        assert [as_json(d) for d in caught.value.diagnostics] == check_json(cli, cwd=cwd)
        assert caught.value.diagnostics[0].severity == "error"
        assert str(caught.value) == done.stderr
    # Allowed: the same rules compile, without the warning.
    (root / "authgate.toml").write_text('rules = ["policies"]\n\n[lints]\nnever_activated = "allow"\n')
    monkeypatch.chdir(root / "sub")
    policy = authgate.load()
    assert policy.warnings == []
    assert policy.digest == cli.run("digest", cwd=root / "sub").stdout.strip()
    # Paths given replace the configured rule set; the lint levels stay.
    other = tmp_path / "other.gate"
    other.write_text("connector c { auth a: basic\n auth b: token\n endpoint e < auth: [a] > }\n")
    assert authgate.load(other).warnings == []
    assert authgate.load(other).digest == cli.run("digest", str(other), cwd=root / "sub").stdout.strip()


def test_config_names_the_configuration(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = project(tmp_path, '[lints]\nnever_activated = "deny"\n')
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    rules = str(root / "policies")
    assert authgate.load(rules).warnings != []
    with pytest.raises(authgate.RulesError) as caught:
        authgate.load(rules, config=root / "authgate.toml")
    expected = check_json(cli, "--config", str(root / "authgate.toml"), rules)
    assert [as_json(d) for d in caught.value.diagnostics] == expected


def test_an_invalid_configuration_is_a_rules_error_pointing_into_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = project(tmp_path, '[lints]\nnever_activated = "sometimes"\n')
    monkeypatch.chdir(root)
    with pytest.raises(authgate.RulesError) as caught:
        authgate.load("policies")
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.code == "authgate::config"
    assert diagnostic.file == "authgate.toml"
    assert "`sometimes` is not a lint level" in diagnostic.message


def test_an_unknown_lint_name_warns_in_authgate_toml(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = project(tmp_path, 'rules = ["policies"]\n[lints]\nnever_activatd = "allow"\n')
    monkeypatch.chdir(root)
    warnings = [as_json(w) for w in authgate.load().warnings]
    assert warnings == check_json(cli, cwd=root)
    assert any(w["file"] == "authgate.toml" for w in warnings)


def test_load_errors_are_os_errors_with_the_clis_message(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FileNotFoundError) as missing:
        authgate.load("nope")
    assert str(missing.value) == "cannot read `nope`: No such file or directory (os error 2)"
    # No argument, no authgate.toml: `rules`, as the CLI.
    with pytest.raises(FileNotFoundError, match="cannot read `rules`"):
        authgate.load()
    (tmp_path / "empty").mkdir()
    with pytest.raises(OSError, match="no `.gate` files in `empty`"):
        authgate.load("empty")
    (tmp_path / "big.gate").write_text(SHOP)
    with pytest.raises(OSError, match="over the limit of 10"):
        authgate.load("big.gate", max_file_size=10)
    assert "cannot read `nope`" in cli.run("check", "nope", cwd=tmp_path).stderr
