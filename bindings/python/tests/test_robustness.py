"""Bad input raises a Python exception and never crashes the interpreter:
junk files, NUL bytes, invalid UTF-8, deep nesting, huge names, wrong
argument types. Each case runs in this process: a crash would take the
whole test run down with it."""

from __future__ import annotations

import os
import random
from pathlib import Path
from typing import Any, Callable

import pytest

import authgate
from conftest import SHOP


@pytest.fixture(scope="module")
def policy() -> authgate.Policy:
    return authgate.Policy.from_source(SHOP, filename="shop.gate")


def junk(seed: int, size: int) -> bytes:
    rng = random.Random(seed)
    alphabet = b'{}<>[],:"\\/* \n\x00\xff\xc3connectorauthendpointinstanceflowtest'
    return bytes(rng.choice(alphabet) for _ in range(size))


@pytest.mark.parametrize("seed", range(40))
def test_junk_rules_raise_rules_error(seed: int, tmp_path: Path) -> None:
    data = junk(seed, 50 + seed * 37)
    path = tmp_path / "junk.gate"
    path.write_bytes(data)
    for load in (lambda: authgate.load(path), lambda: authgate.Policy.from_source(data)):
        try:
            load()
        except authgate.RulesError as error:
            assert error.diagnostics
            assert str(error)


@pytest.mark.parametrize(
    "data,code",
    [
        (b"connector a { auth b: basic }\x00", "authgate::syntax"),
        (b"\x00\x00\x00", "authgate::syntax"),
        (b"connector \xff\xfe { }", "authgate::encoding"),
        (b"\xc3\x28 connector", "authgate::encoding"),
        (b"\xef\xbb\xbf" + b"connector a { }", "authgate::no_methods"),
        (b"connector " + b"a" * 100_000 + b" { auth b: basic\n endpoint e < auth: [b] > }", None),
        (b"connector a { " + b"/* " * 50_000 + b" }", "authgate::syntax"),
        (b"connector a { auth b: basic\n endpoint e < auth: " + b"[" * 100_000 + b"b" + b"]" * 100_000 + b" > }", "authgate::syntax"),
        (b"{" * 200_000, "authgate::syntax"),
        (b"instance " + b'"' * 3, "authgate::syntax"),
    ],
)
def test_nul_bytes_invalid_utf8_and_deep_nesting(data: bytes, code: str | None) -> None:
    try:
        policy = authgate.Policy.from_source(data, filename="bad.gate")
    except authgate.RulesError as error:
        assert code is not None, str(error)[:500]
        assert code in {d.code for d in error.diagnostics}
    else:
        assert code is None
        assert policy.digest.startswith("sha256:")


def test_text_as_str_with_nul_and_lone_surrogates() -> None:
    with pytest.raises(authgate.RulesError):
        authgate.Policy.from_source("connector a\x00 { }")
    with pytest.raises(UnicodeEncodeError):
        authgate.Policy.from_source("connector \ud800 { }")


def test_paths_with_nul_bytes_and_odd_paths(tmp_path: Path) -> None:
    with pytest.raises(OSError, match="NUL byte"):
        authgate.load("rules\x00.gate")
    with pytest.raises(OSError):
        authgate.load(["ok.gate", "x\x00y"])
    fifo = tmp_path / "fifo.gate"
    os.mkfifo(fifo)
    with pytest.raises(OSError, match="not a file or a folder"):
        authgate.load(fifo)
    loop = tmp_path / "loop"
    loop.mkdir()
    (loop / "self").symlink_to(loop)
    (loop / "a.gate").write_text(SHOP)
    with pytest.raises(OSError):
        authgate.load(loop)


def test_names_with_nul_control_characters_and_huge_names(policy: authgate.Policy) -> None:
    for name in ["\x00", "orders\x00", "\x1b[31m", "\u202e", "x" * 1_000_000, ""]:
        d = policy.decide(instance=name, endpoint=name)
        assert d.available is False
        assert d.reason.startswith("unknown instance")
        d = policy.decide(connector="shop", auth="basic", endpoint=name)
        assert d.available is False and d.reason.startswith("unknown endpoint")
        with pytest.raises(LookupError):
            policy.visible(instance=name)
    with pytest.raises(UnicodeEncodeError):
        policy.decide(instance="\udcff", endpoint="orders")
    with pytest.raises(UnicodeEncodeError):
        policy.decide_many([{"instance": "instance 1", "endpoint": "\ud800"}])


def deep(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = [value]
    return value


WRONG: list[tuple[str, Callable[[authgate.Policy], Any]]] = [
    ("load int", lambda p: authgate.load(5)),  # type: ignore[arg-type]
    ("load nested", lambda p: authgate.load(deep(10_000))),
    ("load list of ints", lambda p: authgate.load([1, 2])),  # type: ignore[list-item]
    ("load bytes config", lambda p: authgate.load("rules", config=3)),  # type: ignore[arg-type]
    ("load negative size", lambda p: authgate.load("rules", max_file_size=-1)),
    ("load size str", lambda p: authgate.load("rules", max_file_size="1G")),  # type: ignore[arg-type]
    ("from_source int", lambda p: authgate.Policy.from_source(5)),  # type: ignore[arg-type]
    ("from_source filename", lambda p: authgate.Policy.from_source(SHOP, filename=None)),  # type: ignore[arg-type]
    ("decide positional", lambda p: p.decide("instance 1", "orders")),  # type: ignore[call-overload]
    ("decide nested", lambda p: p.decide(instance=deep(10_000), endpoint="orders")),  # type: ignore[call-overload]
    ("decide dict", lambda p: p.decide(instance={"a": 1}, endpoint="orders")),  # type: ignore[call-overload]
    ("decide_many str", lambda p: p.decide_many("instance")),  # type: ignore[arg-type]
    ("decide_many nested", lambda p: p.decide_many(deep(10_000))),
    ("decide_many dict", lambda p: p.decide_many({"instance": "instance 1", "endpoint": "orders"})),  # type: ignore[arg-type]
    ("decide_many nested value", lambda p: p.decide_many([{"instance": deep(10_000), "endpoint": "orders"}])),
    ("visible int", lambda p: p.visible(instance=1)),  # type: ignore[call-overload]
    ("visible nothing", lambda p: p.visible()),  # type: ignore[call-overload]
    ("visible partial", lambda p: p.visible(connector="shop")),  # type: ignore[call-overload]
    ("Diagnostic wrong", lambda p: authgate.Diagnostic(1, 2, 3)),  # type: ignore[arg-type]
    ("Policy()", lambda p: authgate.Policy()),  # type: ignore[call-arg]
    ("Decision()", lambda p: authgate.Decision()),  # type: ignore[call-arg]
]


@pytest.mark.parametrize("name,call", WRONG, ids=[name for name, _ in WRONG])
def test_wrong_argument_types_raise(policy: authgate.Policy, name: str, call: Callable[[authgate.Policy], Any]) -> None:
    with pytest.raises((TypeError, ValueError, OverflowError, OSError)):
        call(policy)


def test_a_generator_that_raises_midway_propagates(policy: authgate.Policy) -> None:
    def requests() -> Any:
        yield {"instance": "instance 1", "endpoint": "orders"}
        raise RuntimeError("from the caller")

    with pytest.raises(RuntimeError, match="from the caller"):
        policy.decide_many(requests())


def test_a_dict_subclass_and_a_mapping(policy: authgate.Policy) -> None:
    class Request(dict):  # type: ignore[type-arg]
        pass

    assert policy.decide_many([Request(instance="instance 1", endpoint="orders")])[0].available
    from types import MappingProxyType

    with pytest.raises(TypeError, match="a request is a dict, not mappingproxy"):
        policy.decide_many([MappingProxyType({"instance": "instance 1", "endpoint": "orders"})])
