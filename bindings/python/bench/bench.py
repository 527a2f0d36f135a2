"""The Python package side by side with cedarpy (the Cedar engine's Python
binding) on the seeded benchmark workload (`workload/`) at 10,000 endpoints, in one run.

Usage: bench.py FOLDER [N]   (see `scripts/bench.sh python`)

FOLDER holds the workload files the `workload` example writes
(`bench-N.gate`, `bench-N.ndjson`, `bench-N.runtime.ndjson`); N defaults to
10,000. The same workload is given to Cedar as its peer benchmark
(`peers/`) does: one policy,

    permit(principal, action == Action::"call", resource)
      when { resource.auth.contains(principal.auth) };

entities `Instance::"iK" {auth: "mJ"}` for every instance and
`Endpoint::"eK" {auth: ["m0", ...]}` for every endpoint, parsed once into a
`PolicySet` and an `Entities` handle. Every engine's answers are compared
with authgate's (mismatches are printed and must be 0).

Rows: per-decision time of one call (`decide` against `is_authorized`),
over the same (instance, endpoint) pairs in the same plain loop; a plain
Python dictionary lookup for scale; and batches (`decide_many` against
`is_authorized_batch`), in decisions per second. Each figure is the best
of several passes after a warm-up.

With `scopes-2000.gate` and `scopes-2000.runtime.ndjson` in FOLDER (the
HubSpot-like rules of `workload --scopes 2000`: 300 scopes), two more
rows: `decide` and `decide_many` for runtime instances naming five
scopes each (cedarpy has no such workload: no ratio).
"""

from __future__ import annotations

import json
import os
import platform
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import authgate
import cedarpy

QUERIES = 100_000  # per pass, for the per-call rows
CEDAR_QUERIES = 20_000  # cedar's per-call passes are slower: fewer, same loop
BATCH = 100_000
PASSES = 5


def best(passes: int, run: Callable[[], Any]) -> float:
    run()  # warm-up
    times = []
    for _ in range(passes):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def read_ndjson(path: Path, limit: int) -> list[dict[str, str]]:
    out = []
    with path.open() as lines:
        for line in lines:
            out.append(json.loads(line))
            if len(out) == limit:
                break
    return out


def main() -> None:
    folder = Path(sys.argv[1])
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
    rules = folder / f"bench-{n}.gate"
    text = rules.read_text()

    start = time.perf_counter()
    policy = authgate.load(rules)
    authgate_setup = time.perf_counter() - start

    instance_requests = read_ndjson(folder / f"bench-{n}.ndjson", max(QUERIES, BATCH))
    runtime_requests = read_ndjson(folder / f"bench-{n}.runtime.ndjson", BATCH)
    pairs = [(r["instance"], r["endpoint"]) for r in instance_requests[:QUERIES]]

    # The workload as data: each endpoint's methods, each instance's method.
    activated = {
        m[1]: [a.strip() for a in m[2].split(",") if a.strip()]
        for m in re.finditer(r"endpoint (\w+) < auth: \[([^\]]*)\] >", text)
    }
    method_of = {m[1]: m[2] for m in re.finditer(r"instance (\w+) of \w+ < auth: (\w+) >", text)}

    start = time.perf_counter()
    cedar_policies = cedarpy.PolicySet.from_str(
        'permit(principal, action == Action::"call", resource) '
        "when { resource.auth.contains(principal.auth) };"
    )
    entities = [
        {"uid": {"type": "Instance", "id": i}, "attrs": {"auth": m}, "parents": []} for i, m in method_of.items()
    ] + [{"uid": {"type": "Endpoint", "id": e}, "attrs": {"auth": ms}, "parents": []} for e, ms in activated.items()]
    cedar_entities = cedarpy.Entities.from_json_str(json.dumps(entities))
    cedar_setup = time.perf_counter() - start

    def cedar_request(instance: str, endpoint: str) -> dict[str, Any]:
        return {
            "principal": f'Instance::"{instance}"',
            "action": 'Action::"call"',
            "resource": f'Endpoint::"{endpoint}"',
            "context": {},
        }

    cedar_requests = [cedar_request(i, e) for i, e in pairs]

    # Agreement first: every engine against authgate on the same queries.
    truth = [policy.decide(instance=i, endpoint=e).available for i, e in pairs]
    dict_sets = {e: frozenset(ms) for e, ms in activated.items()}
    mismatches = {
        "python dict": sum((method_of[i] in dict_sets[e]) != t for (i, e), t in zip(pairs, truth)),
        "cedarpy": sum(
            cedarpy.is_authorized(r, cedar_policies, cedar_entities).allowed != t
            for r, t in zip(cedar_requests[:CEDAR_QUERIES], truth)
        ),
        "decide_many": sum(d.available != t for d, t in zip(policy.decide_many(instance_requests[:QUERIES]), truth)),
    }

    decide = policy.decide

    def authgate_loop() -> None:
        for i, e in pairs:
            decide(instance=i, endpoint=e)

    def authgate_reason_loop() -> None:
        for i, e in pairs[: QUERIES // 10]:
            decide(instance=i, endpoint=e).reason

    def dict_loop() -> None:
        for i, e in pairs:
            method_of[i] in dict_sets[e]

    is_authorized = cedarpy.is_authorized
    cedar_sample = cedar_requests[:CEDAR_QUERIES]

    def cedar_loop() -> None:
        for r in cedar_sample:
            is_authorized(r, cedar_policies, cedar_entities)

    per_call = {
        "authgate `decide`": best(PASSES, authgate_loop) / len(pairs),
        "authgate `decide(...).reason`": best(PASSES, authgate_reason_loop) / (QUERIES // 10),
        "python dict lookup": best(PASSES, dict_loop) / len(pairs),
        "cedarpy `is_authorized`": best(3, cedar_loop) / len(cedar_sample),
    }

    batch_instance = instance_requests[:BATCH]
    batch_runtime = runtime_requests[:BATCH]
    cedar_batch = [cedar_request(r["instance"], r["endpoint"]) for r in instance_requests[:CEDAR_QUERIES]]
    batches = {
        "authgate `decide_many` (instance)": BATCH / best(PASSES, lambda: policy.decide_many(batch_instance)),
        "authgate `decide_many` (runtime)": BATCH / best(PASSES, lambda: policy.decide_many(batch_runtime)),
        "cedarpy `is_authorized_batch`": CEDAR_QUERIES
        / best(3, lambda: cedarpy.is_authorized_batch(cedar_batch, cedar_policies, cedar_entities)),
    }

    scoped_rows: dict[str, float] = {}
    scoped_rules = folder / "scopes-2000.gate"
    if scoped_rules.exists():
        scoped = authgate.load(scoped_rules)
        scoped_requests = read_ndjson(folder / "scopes-2000.runtime.ndjson", BATCH)
        scoped_calls = [(r["connector"], r["auth"], r["endpoint"], r["scopes"]) for r in scoped_requests[:QUERIES]]
        scoped_decide = scoped.decide

        def scoped_loop() -> None:
            for c, a, e, s in scoped_calls:
                scoped_decide(connector=c, auth=a, endpoint=e, scopes=s)

        one_by_one = [scoped_decide(connector=c, auth=a, endpoint=e, scopes=s).available for c, a, e, s in scoped_calls]
        mismatches["decide_many with scopes"] = sum(
            d.available != t for d, t in zip(scoped.decide_many(scoped_requests[:QUERIES]), one_by_one)
        )
        scoped_rows["authgate `decide` (runtime + 5 scopes, 300 declared)"] = best(PASSES, scoped_loop) / len(scoped_calls)
        scoped_rows["authgate `decide_many` (runtime + 5 scopes), batches of 100,000"] = best(
            PASSES, lambda: scoped.decide_many(scoped_requests)
        ) / len(scoped_requests)

    cedar_call = per_call["cedarpy `is_authorized`"]
    print(f"N = {n:,} endpoints, {len(method_of):,} instances; authgate {authgate.__version__}, cedarpy {cedarpy_version()}")
    print(f"setup: authgate.load {authgate_setup * 1e3:.1f} ms (read, parse, check, compile); "
          f"cedarpy PolicySet + Entities {cedar_setup * 1e3:.1f} ms (from data in memory)")
    print()
    print("| call | per decision | decisions/s | cedarpy `is_authorized` / this |")
    print("|---|---:|---:|---:|")
    for name, seconds in per_call.items():
        print(f"| {name} | {seconds * 1e9:,.0f} ns | {1 / seconds / 1e6:.2f} M | {cedar_call / seconds:.1f}x |")
    for name, rate in batches.items():
        print(f"| {name}, batches of {BATCH if 'authgate' in name else CEDAR_QUERIES:,} | {1e9 / rate:,.0f} ns "
              f"| {rate / 1e6:.2f} M | {cedar_call * rate:.1f}x |")
    for name, seconds in scoped_rows.items():
        print(f"| {name} | {seconds * 1e9:,.0f} ns | {1 / seconds / 1e6:.2f} M | |")
    print()
    print("mismatches against authgate: " + ", ".join(f"{k} {v}" for k, v in mismatches.items()))
    print(f"machine: {os.cpu_count()} cores; {platform.system()} {platform.release()}; "
          f"Python {platform.python_version()}")
    if any(mismatches.values()):
        sys.exit("error: the engines disagree")


def cedarpy_version() -> str:
    from importlib.metadata import version

    return version("cedarpy")


if __name__ == "__main__":
    main()
