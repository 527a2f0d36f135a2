"""CLI figures: `authgate check` wall time and peak memory per workload file,
and `authgate eval` throughput through pipes. Prints a markdown table.

Usage: cli_bench.py AUTHGATE FOLDER  (see scripts/bench.sh)
"""

import os
import statistics
import subprocess
import sys
import time

SIZES = [100, 1_000, 10_000, 100_000, 1_000_000]


def run(argv, stdin=None):
    """Runs argv; returns (seconds, peak RSS in bytes of that very child)."""
    with open(stdin, "rb") if stdin else open(os.devnull, "rb") as source:
        start = time.perf_counter()
        child = subprocess.Popen(argv, stdin=source, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # wait4 gives this child's own resource usage (ru_maxrss in KiB).
        _, _, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - start
        child.returncode = 0
    return elapsed, usage.ru_maxrss * 1024


def main():
    authgate, folder = sys.argv[1], sys.argv[2]
    print("| N | rules | `check` (median of 5) | check MB/s | peak RSS | RSS / file | `eval` 1M lines | decisions/s |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in SIZES:
        rules = os.path.join(folder, f"bench-{n}.gate")
        queries = os.path.join(folder, f"bench-{n}.ndjson")
        size = os.path.getsize(rules)
        checks = []
        peak = 0
        for _ in range(5):
            elapsed, peak = run([authgate, "check", rules])
            checks.append(elapsed)
        check = statistics.median(checks)
        lines = sum(1 for _ in open(queries, "rb"))
        evals = [run([authgate, "eval", "--rules", rules], stdin=queries)[0] for _ in range(3)]
        # eval's time includes compiling the rules; subtract a run on no input.
        empty = statistics.median(run([authgate, "eval", "--rules", rules])[0] for _ in range(3))
        decide = max(statistics.median(evals) - empty, 1e-9)
        print(
            f"| {n:,} | {size / 1e6:.2f} MB | {check * 1e3:.1f} ms | {size / 1e6 / check:.0f} "
            f"| {peak / 1e6:.1f} MB | {peak / size:.2f}x | {statistics.median(evals) * 1e3:.0f} ms "
            f"| {lines / decide / 1e6:.2f} M |"
        )
    print()
    print(f"machine: {os.cpu_count()} cores; {os.uname().sysname} {os.uname().release}")


if __name__ == "__main__":
    main()
