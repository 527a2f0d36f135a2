"""Scopes figures: `authgate check` of the HubSpot-like rules with scopes
(authgate_workload::Scoped: one OAuth method of 300 scopes, items of 1-3
scopes, a fifth of the endpoints with two, 20 instances of 20 scopes) and
`authgate eval` throughput on them in both request forms: a declared
instance (`{"instance": I, "endpoint": E}`, scopes-N.ndjson) and a runtime
instance naming five scopes (`{"connector": C, "auth": M, "endpoint": E,
"scopes": [...]}`, scopes-N.runtime.ndjson). Prints a markdown table.

Usage: scopes_bench.py AUTHGATE FOLDER  (see scripts/bench.sh scopes)
"""

import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(__file__))
from cli_bench import run  # noqa: E402

SIZES = [2_000, 1_000_000]


def main():
    authgate, folder = sys.argv[1], sys.argv[2]
    print(
        "| endpoints | rules | `check` (median of 5) | check MB/s | peak RSS "
        "| `eval` instance, 1M lines | instance decisions/s "
        "| `eval` runtime + 5 scopes, 1M lines | runtime decisions/s | runtime / instance |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in SIZES:
        rules = os.path.join(folder, f"scopes-{n}.gate")
        forms = [os.path.join(folder, f"scopes-{n}.ndjson"), os.path.join(folder, f"scopes-{n}.runtime.ndjson")]
        size = os.path.getsize(rules)
        checks, peak = [], 0
        for _ in range(5):
            elapsed, rss = run([authgate, "check", rules])
            checks.append(elapsed)
            peak = max(peak, rss)
        check = statistics.median(checks)
        lines = [sum(1 for _ in open(queries, "rb")) for queries in forms]
        # The forms take turns, so a slow spell falls on both.
        evals = [[], []]
        for _ in range(3):
            for form, queries in enumerate(forms):
                evals[form].append(run([authgate, "eval", "--rules", rules], queries)[0])
        times = [statistics.median(e) for e in evals]
        rates = [count / t for count, t in zip(lines, times)]
        print(
            f"| {n:,} | {size / 1e6:.1f} MB | {check * 1e3:.0f} ms | {size / 1e6 / check:.0f} | {peak / 2**20:.0f} MiB "
            f"| {times[0]:.2f} s | {rates[0] / 1e6:.2f} M | {times[1]:.2f} s | {rates[1] / 1e6:.2f} M "
            f"| {rates[1] / rates[0]:.2f} |"
        )


if __name__ == "__main__":
    main()
