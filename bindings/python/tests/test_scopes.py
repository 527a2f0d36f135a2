"""Runtime instances holding scopes: decide, decide_many and visible give
`authgate eval`'s and `visible --scopes`'s answers on the same rules (held,
missing, unknown and repeated scopes, a method of more than 128 scopes,
HubSpot-sized rules), and malformed scopes raise `TypeError` naming them."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

import authgate
from conftest import Cli

WIDE = ", ".join(f'"s{s}"' for s in range(200))
HUBSPOT = f"""\
connector hubspot {{
    auth oauth: oauth2_authorization_code < scopes: ["contacts.read", "contacts.write", "deals.read", "a\\"b"] >
    auth key: token

    endpoint "GET /contacts"  < auth: [oauth("contacts.read"), key] >
    endpoint "POST /contacts" < auth: [oauth("contacts.write")] >
    endpoint "GET /deals"     < auth: [oauth("contacts.read", "deals.read")] >
    endpoint "GET /ping"      < auth: [oauth, key] >
    endpoint "GET /quoted"    < auth: [oauth("a\\"b")] >
}}

connector wide {{
    auth oauth: oauth2_client_credentials < scopes: [{WIDE}] >
    endpoint low  < auth: [oauth("s1", "s2")] >
    endpoint high < auth: [oauth("s150", "s199"), oauth("s3")] >
}}

instance acme of hubspot < auth: oauth, scopes: ["contacts.read"] >
"""


@pytest.fixture
def hubspot(tmp_path: Path) -> Path:
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "hubspot.gate").write_text(HUBSPOT)
    return folder


def runtime(endpoint: str, scopes: list[str] | None, connector: str = "hubspot", auth: str = "oauth") -> dict[str, Any]:
    request: dict[str, Any] = {"connector": connector, "auth": auth, "endpoint": endpoint}
    if scopes is not None:
        request["scopes"] = scopes
    return request


REQUESTS: list[dict[str, Any]] = [
    runtime("GET /contacts", ["contacts.read"]),
    runtime("POST /contacts", ["contacts.read"]),
    runtime("GET /deals", ["deals.read", "contacts.read"]),
    runtime("GET /deals", ["deals.read"]),
    runtime("POST /contacts", ["contacts.raed", "contacts.write"]),
    runtime("POST /contacts", ["contacts.raed"]),
    runtime("GET /deals", ["deals.read", "deals.read"]),
    runtime("GET /deals", []),
    runtime("GET /deals", None),
    runtime("GET /ping", ["contacts.read"]),
    runtime("GET /quoted", ['a"b']),
    runtime("GET /nope", ["contacts.read"]),
    runtime("POST /contacts", ["contacts.write"], auth="key"),
    runtime("GET /deals", ["deals.read"], auth="nope"),
    runtime("GET /deals", ["deals.read"], connector="nope"),
    {"instance": "acme", "endpoint": "GET /deals"},
    runtime("high", ["s150", "s199"], connector="wide"),
    runtime("high", ["s150", "s2"], connector="wide"),
    runtime("low", ["s2", "s1"], connector="wide"),
]


def decide(policy: authgate.Policy, request: dict[str, Any]) -> authgate.Decision:
    if "instance" in request:
        return policy.decide(instance=request["instance"], endpoint=request["endpoint"])
    return policy.decide(
        connector=request["connector"], auth=request["auth"], endpoint=request["endpoint"], scopes=request.get("scopes")
    )


def test_decide_with_scopes_gives_evals_answers(cli: Cli, hubspot: Path) -> None:
    policy = authgate.load(hubspot)
    expected = cli.eval(hubspot, REQUESTS)
    assert [decide(policy, r).to_dict() for r in REQUESTS] == expected
    # The cases are what they claim: held, missing, unknown, wide.
    assert expected[0]["available"] and expected[0]["item"] == 'oauth("contacts.read")'
    assert expected[1]["missing_scopes"] == ["contacts.write"]
    assert expected[4]["available"] and not expected[5]["available"]
    assert expected[10]["available"]
    assert expected[16]["available"] and not expected[17]["available"] and expected[18]["available"]


def test_decide_many_with_scopes_gives_the_same_answers(cli: Cli, hubspot: Path) -> None:
    policy = authgate.load(hubspot)
    decisions = policy.decide_many(REQUESTS)
    assert [d.to_dict() for d in decisions] == cli.eval(hubspot, REQUESTS)


def test_a_decision_keeps_the_scopes_it_was_asked_with(hubspot: Path) -> None:
    policy = authgate.load(hubspot)
    scopes = ["contacts.read"]
    decision = policy.decide(connector="hubspot", auth="oauth", scopes=scopes, endpoint="POST /contacts")
    scopes.append("contacts.write")  # changing the list afterwards changes nothing
    assert decision.scopes == ("contacts.read",)
    assert not decision.available
    assert decision.item == 'oauth("contacts.write")'
    assert decision.missing_scopes == ["contacts.write"]
    assert "lacks `contacts.write`" in decision.reason
    plain = policy.decide(connector="hubspot", auth="oauth", endpoint="GET /ping")
    assert (plain.scopes, plain.item, plain.missing_scopes) == (None, None, None)
    assert "item" not in plain.to_dict()
    granted = policy.decide(connector="hubspot", auth="oauth", scopes=("contacts.write",), endpoint="POST /contacts")
    assert granted.available and granted.missing_scopes is None


def test_visible_with_scopes_is_visibles_list(cli: Cli, hubspot: Path) -> None:
    policy = authgate.load(hubspot)
    for scopes in (["contacts.read"], ["contacts.read", "deals.read", "contacts.raed"], ['a"b'], []):
        args = [arg for scope in scopes for arg in ("--scopes", scope)]
        expected = cli.json(
            "visible", "--connector", "hubspot", "--auth", "oauth", *args, "--rules", str(hubspot), "--format", "json"
        )
        assert policy.visible(connector="hubspot", auth="oauth", scopes=scopes) == expected["endpoints"], scopes
    assert policy.visible(connector="hubspot", auth="oauth", scopes=["contacts.raed"]) == ["GET /ping"]
    with pytest.raises(LookupError, match="unknown auth method `nope`"):
        policy.visible(connector="hubspot", auth="nope", scopes=["deals.read"])


BAD_SCOPES: list[tuple[Any, str]] = [
    ("contacts.read", r"`scopes` must be a list of str, not str \(a single scope is a list of one"),
    (b"contacts.read", "`scopes` must be a list of str, not bytes"),
    ({"contacts.read"}, "`scopes` must be a list of str, not set"),
    (7, "`scopes` must be a list of str, not int"),
    (["contacts.read", 7], r"`scopes` holds names \(str\), not int \(item 1\)"),
    ([None], r"`scopes` holds names \(str\), not NoneType \(item 0\)"),
    ([["contacts.read"]], r"`scopes` holds names \(str\), not list \(item 0\)"),
]


@pytest.mark.parametrize(("scopes", "message"), BAD_SCOPES)
def test_malformed_scopes_raise_type_error_naming_them(hubspot: Path, scopes: Any, message: str) -> None:
    policy = authgate.load(hubspot)
    with pytest.raises(TypeError, match=message):
        policy.decide(connector="hubspot", auth="oauth", endpoint="GET /deals", scopes=scopes)
    with pytest.raises(TypeError, match=message):
        policy.visible(connector="hubspot", auth="oauth", scopes=scopes)
    with pytest.raises(TypeError, match="request 1: " + message):
        policy.decide_many([runtime("GET /deals", None), {**runtime("GET /deals", None), "scopes": scopes}])


def test_scopes_go_with_a_runtime_instance_only(hubspot: Path) -> None:
    policy = authgate.load(hubspot)
    message = "`scopes` goes with `connector` and `auth`"
    with pytest.raises(TypeError, match=message):
        policy.decide(instance="acme", endpoint="GET /deals", scopes=["deals.read"])  # type: ignore[call-overload]
    with pytest.raises(TypeError, match=message):
        policy.visible(instance="acme", scopes=[])  # type: ignore[call-overload]
    with pytest.raises(TypeError, match="request 0: " + message):
        policy.decide_many([{"instance": "acme", "endpoint": "GET /deals", "scopes": ["deals.read"]}])
    # In a dict `None` is refused, as `eval` refuses `null`; as a keyword it
    # is the argument left out.
    with pytest.raises(TypeError, match="request 0: `scopes` is None"):
        policy.decide_many([{**runtime("GET /deals", None), "scopes": None}])
    assert not policy.decide(connector="hubspot", auth="oauth", endpoint="GET /deals", scopes=None).available


def test_hubspot_sized_rules_give_evals_answers(cli: Cli, tmp_path: Path) -> None:
    """300 scopes, 1,500 endpoints of 1-3 scopes each (some with two items),
    and 3,000 runtime requests naming 0 to 25 scopes."""
    rng = random.Random(7)
    scopes = [f"crm.{o}{n}.{a}" for n in range(25) for o in ("contacts", "deals", "tickets", "quotes", "files", "forms") for a in ("read", "write")]
    assert len(scopes) == 300
    quoted = lambda names: ", ".join(f'"{s}"' for s in names)  # noqa: E731
    lines = [f"connector hubspot {{\n    auth oauth: oauth2_authorization_code < scopes: [{quoted(scopes)}] >\n    auth key: token\n"]
    for e in range(1_500):
        items = [f"oauth({quoted(rng.sample(scopes, rng.randint(1, 3)))})" for _ in range(1 + (rng.random() < 0.2))]
        if rng.random() < 0.1:
            items.append("key")
        lines.append(f'    endpoint "GET /e{e}" < auth: [{", ".join(items)}] >\n')
    lines.append("}\n")
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "hubspot.gate").write_text("".join(lines))
    requests = [
        runtime(f"GET /e{rng.randrange(1_500)}", rng.sample(scopes, rng.randint(0, 25)) + (["not.declared"] if rng.random() < 0.1 else []))
        for _ in range(3_000)
    ]
    policy = authgate.load(folder)
    expected = cli.eval(folder, requests)
    assert 0 < sum(a["available"] for a in expected) < len(requests)
    assert [d.to_dict() for d in policy.decide_many(requests)] == expected
    sample = requests[:300]
    assert [decide(policy, r).to_dict() for r in sample] == expected[:300]
