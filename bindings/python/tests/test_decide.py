"""decide, decide_many and visible give the CLI's answers on the same
rules: `eval`'s lines (reasons included, byte for byte) and `visible
--format json`'s endpoints."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

import authgate
from conftest import Cli


def names(rules: Path) -> tuple[list[str], dict[str, list[str]], list[str]]:
    """Instances, each connector's methods, and every endpoint, read from
    the rule files (quoted or bare names)."""
    name = r'("(?:[^"\\]|\\.)*"|\w+)'
    instances: list[str] = []
    methods: dict[str, list[str]] = {}
    endpoints: list[str] = []
    connector = ""
    for file in sorted(rules.glob("*.gate")):
        for line in file.read_text().splitlines():
            line = line.split("//")[0].strip()
            unq = lambda n: n[1:-1] if n.startswith('"') else n  # noqa: E731
            if m := re.match(rf"connector {name}", line):
                connector = unq(m[1])
                methods.setdefault(connector, [])
            elif m := re.match(rf"auth {name}:", line):
                methods[connector].append(unq(m[1]))
            elif m := re.match(rf"endpoint {name}", line):
                endpoints.append(unq(m[1]))
            elif m := re.match(rf"instance {name} of", line):
                instances.append(unq(m[1]))
    return instances, methods, endpoints


def requests_for(rules: Path) -> list[dict[str, str]]:
    """Every declared instance and every runtime instance against every
    endpoint of every connector, plus unknown and misspelt names."""
    instances, methods, endpoints = names(rules)
    asked = endpoints + ["ordres", "nope", ""]
    requests: list[dict[str, str]] = []
    for instance in instances + ["instance 3", "nobody"]:
        requests += [{"instance": instance, "endpoint": e} for e in asked]
    for connector, auths in methods.items():
        for auth in auths + ["oauth", "basci"]:
            requests += [{"connector": connector, "auth": auth, "endpoint": e} for e in asked]
    requests += [{"connector": "shopp", "auth": "basic", "endpoint": "orders"}]
    return requests


def decide(policy: authgate.Policy, request: dict[str, str]) -> authgate.Decision:
    if "instance" in request:
        return policy.decide(instance=request["instance"], endpoint=request["endpoint"])
    return policy.decide(connector=request["connector"], auth=request["auth"], endpoint=request["endpoint"])


def test_decide_gives_evals_answers_on_the_shipped_rules(cli: Cli, shipped: Path) -> None:
    policy = authgate.load(str(shipped))
    requests = requests_for(shipped)
    assert len(requests) > 300
    expected = cli.eval(shipped, requests)
    answers = [decide(policy, r).to_dict() for r in requests]
    assert answers == expected
    # Both forms, both outcomes, and each kind of unknown name are in there.
    reasons = " ".join(a["reason"] for a in expected)
    for kind in ("unknown instance", "unknown connector", "unknown auth method", "unknown endpoint"):
        assert kind in reasons
    assert {a["available"] for a in expected} == {True, False}


def test_decide_many_gives_the_same_answers_in_order(cli: Cli, shipped: Path) -> None:
    policy = authgate.load(shipped)
    requests = requests_for(shipped)
    decisions = policy.decide_many(requests)
    assert [d.to_dict() for d in decisions] == cli.eval(shipped, requests)
    # Any iterable of requests, and an empty batch.
    assert [d.available for d in policy.decide_many(iter(requests))] == [d.available for d in decisions]
    assert policy.decide_many([]) == []
    assert policy.decide_many(()) == []


def test_a_decision_reads_like_the_design(shop: Path) -> None:
    policy = authgate.load([shop])
    d = policy.decide(instance="instance 2", endpoint="orders")
    assert d.available is False
    assert d.reason == "instance `instance 2` authenticates with `oauth`, which `orders` does not activate"
    assert (d.instance, d.connector, d.auth, d.endpoint) == ("instance 2", None, None, "orders")
    d = policy.decide(connector="shop", auth="basic", endpoint="orders")
    assert d.available is True
    assert d.reason == "a runtime instance of `shop` authenticates with `basic`, which `orders` activates"
    assert (d.instance, d.connector, d.auth, d.endpoint) == (None, "shop", "basic", "orders")
    assert repr(d) == 'Decision(available=True, reason="a runtime instance of `shop` authenticates with `basic`, which `orders` activates")'


def test_unknown_names_are_not_available_with_evals_reason(cli: Cli, shop: Path) -> None:
    policy = authgate.load(shop)
    cases: list[dict[str, Any]] = [
        {"instance": "instance 3", "endpoint": "orders"},
        {"connector": "shopp", "auth": "basic", "endpoint": "orders"},
        {"connector": "shop", "auth": "oauht", "endpoint": "orders"},
        {"instance": "instance 1", "endpoint": "ordres"},
        {"instance": "n\x1bame\u202e", "endpoint": "orders"},
    ]
    expected = cli.eval(shop, cases)
    for case, answer in zip(cases, expected):
        d = decide(policy, case)
        assert d.available is False
        assert d.reason == answer["reason"]
    assert policy.decide(instance="instance 3", endpoint="orders").reason == "unknown instance `instance 3`"


def test_visible_gives_the_clis_list(cli: Cli, shipped: Path) -> None:
    policy = authgate.load(shipped)
    instances, methods, _ = names(shipped)
    for instance in instances:
        doc = cli.json("visible", instance, "--rules", str(shipped), "--format", "json")
        assert policy.visible(instance=instance) == doc["endpoints"]
    for connector, auths in methods.items():
        for auth in auths:
            doc = cli.json("visible", "--connector", connector, "--auth", auth, "--rules", str(shipped), "--format", "json")
            assert policy.visible(connector=connector, auth=auth) == doc["endpoints"]


@pytest.mark.parametrize(
    "args",
    [
        ["instance 3"],
        ["--connector", "shopp", "--auth", "basic"],
        ["--connector", "shop", "--auth", "oauht"],
    ],
)
def test_visible_on_an_unknown_name_raises_lookup_error_with_the_clis_reason(cli: Cli, shop: Path, args: list[str]) -> None:
    policy = authgate.load(shop)
    done = cli.run("visible", *args, "--rules", str(shop))
    assert done.returncode == 2
    expected = done.stderr.strip().removeprefix("error: cannot answer: ")
    with pytest.raises(LookupError) as caught:
        if args[0].startswith("--"):
            policy.visible(connector=args[1], auth=args[3])
        else:
            policy.visible(instance=args[0])
    assert str(caught.value).strip("'\"") == expected
    assert "did you mean" in expected


MALFORMED_KEYWORDS: list[tuple[dict[str, Any], str]] = [
    ({"instance": 1, "endpoint": "orders"}, "`instance` must be a str, not int"),
    ({"instance": "instance 1", "endpoint": b"orders"}, "`endpoint` must be a str, not bytes"),
    ({"connector": ["shop"], "auth": "basic", "endpoint": "orders"}, "`connector` must be a str, not list"),
    ({"connector": "shop", "auth": 2.0, "endpoint": "orders"}, "`auth` must be a str, not float"),
    ({"instance": "instance 1", "connector": "shop", "auth": "basic", "endpoint": "orders"}, "a request names either `instance`, or `connector` and `auth`"),
    ({"connector": "shop", "endpoint": "orders"}, "a request names either `instance`, or `connector` and `auth`"),
    ({"auth": "basic", "endpoint": "orders"}, "a request names either `instance`, or `connector` and `auth`"),
    ({"endpoint": "orders"}, "a request names either `instance`, or `connector` and `auth`"),
    ({"instance": "instance 1"}, "endpoint"),
    ({"instance": "instance 1", "endpoint": "orders", "method": "basic"}, "method"),
]


@pytest.mark.parametrize("kwargs,message", MALFORMED_KEYWORDS)
def test_a_malformed_decide_raises_type_error_naming_the_key(shop: Path, kwargs: dict[str, Any], message: str) -> None:
    policy = authgate.load(shop)
    with pytest.raises(TypeError, match=re.escape(message)):
        policy.decide(**kwargs)


MALFORMED_ITEMS: list[tuple[Any, str]] = [
    ({"instance": "instance 1"}, "a request needs `endpoint`"),
    ({"instance": "instance 1", "endpoint": "orders", "extra": 1}, "unknown key `extra`"),
    ({"instance": None, "connector": "shop", "auth": "basic", "endpoint": "orders"}, "`instance` is None"),
    ({"instance": "instance 1", "endpoint": None}, "`endpoint` is None"),
    ({"instance": 7, "endpoint": "orders"}, "`instance` must be a str, not int"),
    ({"instance": "instance 1", "connector": "shop", "endpoint": "orders"}, "a request names either `instance`, or `connector` and `auth`"),
    ({1: "x", "endpoint": "orders"}, "a request's keys are str, not int"),
    (["instance 1", "orders"], "a request is a dict, not list"),
    ("instance 1", "a request is a dict, not str"),
    (None, "a request is a dict, not NoneType"),
]


@pytest.mark.parametrize("item,message", MALFORMED_ITEMS)
def test_a_malformed_batch_item_raises_type_error_naming_it_and_the_key(shop: Path, item: Any, message: str) -> None:
    policy = authgate.load(shop)
    good = {"instance": "instance 1", "endpoint": "orders"}
    with pytest.raises(TypeError, match=r"^request 2: " + re.escape(message)):
        policy.decide_many([good, good, item, good])


def test_decide_many_takes_an_iterable(shop: Path) -> None:
    policy = authgate.load(shop)
    with pytest.raises(TypeError, match="`requests` must be an iterable of dicts, not int"):
        policy.decide_many(5)  # type: ignore[arg-type]


def test_keyword_none_is_the_keyword_left_out(shop: Path) -> None:
    policy = authgate.load(shop)
    d = policy.decide(instance=None, connector="shop", auth="basic", endpoint="orders")  # type: ignore[call-overload]
    assert d.available and d.instance is None


def test_names_outside_ascii_and_str_subclasses(cli: Cli, tmp_path: Path) -> None:
    rules = tmp_path / "r.gate"
    rules.write_text('connector "Café" { auth "clé": token\n endpoint "commandes ☕" < auth: ["clé"] > }\ninstance "moi" of "Café" < auth: "clé" >\n')
    policy = authgate.load(rules)

    class Name(str):
        pass

    d = policy.decide(instance=Name("moi"), endpoint="commandes ☕")
    assert d.available
    assert d.to_dict() == cli.eval(rules, [{"instance": "moi", "endpoint": "commandes ☕"}])[0]
    assert policy.decide_many([{Name("instance"): "moi", "endpoint": Name("commandes ☕")}])[0].available
