"""The whole API with its types, for `mypy --strict` (scripts/test.sh runs
it). Also runnable: `python examples/typed.py` (from this folder) prints
a few answers about the repository's example rules."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import authgate
from authgate import Decision, Diagnostic, InstanceRequest, Policy, Request, RulesError, RuntimeRequest

RULES = Path(__file__).resolve().parents[3] / "rules"
HUBSPOT = """\
connector hubspot {
    auth oauth: oauth2_authorization_code < scopes: ["contacts.read", "contacts.write"] >
    auth key: token
    endpoint "GET /contacts"  < auth: [oauth("contacts.read"), key] >
    endpoint "POST /contacts" < auth: [oauth("contacts.write")] >
    endpoint "GET /ping"      < auth: [oauth, key] >
}
"""


def load(paths: list[Path]) -> Policy:
    try:
        return authgate.load(paths, max_file_size=1 << 20)
    except RulesError as error:
        problems: list[Diagnostic] = error.diagnostics
        for d in problems:
            where: str = f"{d.file}:{d.line}:{d.column}" if d.file is not None else "?"
            help_text: str | None = d.help
            print(where, d.severity, d.code, d.message, help_text or "", file=sys.stderr)
        raise


def summary(decision: Decision) -> str:
    who: str | None = decision.instance or decision.connector
    method: str | None = decision.auth
    verdict = "yes" if decision.available else "no"
    return f"{who}/{method or '-'} -> {decision.endpoint}: {verdict} ({decision.reason})"


def main() -> None:
    policy: Policy = load([RULES])
    also: Policy = authgate.load(str(RULES), config=None)
    from_text: Policy = Policy.from_source("connector c { auth a: basic\n endpoint e < auth: [a] > }\n", filename="c.gate")
    from_bytes: Policy = Policy.from_source(b"connector c { auth a: basic\n endpoint e < auth: [a] > }\n")

    one: Decision = policy.decide(instance="instance 2", endpoint="orders")
    runtime: Decision = policy.decide(connector="shop", auth="basic", endpoint="orders")
    print(summary(one))
    print(summary(runtime))
    as_eval: dict[str, str | bool | list[str]] = one.to_dict()
    print(as_eval)

    scoped: Policy = Policy.from_source(HUBSPOT, filename="hubspot.gate")
    held: Decision = scoped.decide(connector="hubspot", auth="oauth", scopes=["contacts.read"], endpoint="GET /contacts")
    lacking: Decision = scoped.decide(connector="hubspot", auth="oauth", scopes=("contacts.read",), endpoint="POST /contacts")
    item: str | None = held.item
    missing: list[str] | None = lacking.missing_scopes
    asked: tuple[str, ...] | None = lacking.scopes
    print(summary(held), item, missing, asked)
    with_scopes: RuntimeRequest = {"connector": "hubspot", "auth": "oauth", "endpoint": "POST /contacts", "scopes": ["contacts.write"]}
    scoped_answers: list[Decision] = scoped.decide_many([with_scopes, {"connector": "hubspot", "auth": "oauth", "endpoint": "GET /ping"}])
    reader_sees: list[str] = scoped.visible(connector="hubspot", auth="oauth", scopes=["contacts.read"])
    print([d.available for d in scoped_answers], reader_sees)

    first: InstanceRequest = {"instance": "instance 1", "endpoint": "orders"}
    second: RuntimeRequest = {"connector": "shop", "auth": "basic", "endpoint": "customers"}
    batch: list[Request] = [first, second]
    answers: list[Decision] = policy.decide_many(batch)
    literal: list[Decision] = policy.decide_many([{"instance": "instance 1", "endpoint": "products"}])
    flags: list[bool] = [d.available for d in answers + literal]
    print(flags)

    seen: list[str] = policy.visible(instance="instance 1")
    seen_runtime: list[str] = policy.visible(connector="shop", auth="basic")
    try:
        policy.visible(instance="instance 3")
    except LookupError as unknown:
        print("cannot answer:", unknown)
    print(seen, seen_runtime)

    digest: str = policy.digest
    warnings: list[Diagnostic] = policy.warnings
    assert digest == also.digest and not warnings
    print(from_text.digest, from_bytes.digest, authgate.__version__)

    def worker() -> None:
        policy.decide_many(batch)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    diagnostic = Diagnostic("authgate::syntax", "error", "message", file="f.gate", line=1, column=1, help=None)
    assert diagnostic == Diagnostic("authgate::syntax", "error", "message", "f.gate", 1, 1)


if __name__ == "__main__":
    main()
