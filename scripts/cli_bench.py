"""CLI figures: `authgate check` wall time and peak memory per workload file,
and `authgate eval` throughput through pipes for both request forms: a
declared instance (`{"instance": I, "endpoint": E}`, bench-N.ndjson) and a
runtime instance (`{"connector": C, "auth": M, "endpoint": E}`,
bench-N.runtime.ndjson). Prints a markdown table.

Usage: cli_bench.py AUTHGATE FOLDER [MAX_N]  (see scripts/bench.sh)

MAX_N, if given, leaves out the sizes above it.
"""

import os
import statistics
import subprocess
import sys
import time

SIZES = [100, 1_000, 10_000, 100_000, 1_000_000]


def run(argv, stdin=None):
    """Runs argv; returns (seconds, peak RSS in bytes of that very child).
    A nonzero exit is an error: an `eval` that refused its lines would
    otherwise be timed as if it had decided them."""
    with open(stdin, "rb") if stdin else open(os.devnull, "rb") as source:
        start = time.perf_counter()
        child = subprocess.Popen(argv, stdin=source, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # wait4 gives this child's own resource usage (ru_maxrss in KiB).
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        sys.exit(f"error: {' '.join(argv)}{' < ' + stdin if stdin else ''} exited with {child.returncode}")
    return elapsed, usage.ru_maxrss * 1024


def main():
    authgate, folder = sys.argv[1], sys.argv[2]
    max_n = int(sys.argv[3]) if len(sys.argv) > 3 else max(SIZES)
    print(
        "| N | rules | `check` (median of 5) | check MB/s | peak RSS | RSS / file "
        "| `eval` instance, 1M lines | instance decisions/s "
        "| `eval` runtime, 1M lines | runtime decisions/s |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in (n for n in SIZES if n <= max_n):
        rules = os.path.join(folder, f"bench-{n}.gate")
        forms = [os.path.join(folder, f"bench-{n}.ndjson"), os.path.join(folder, f"bench-{n}.runtime.ndjson")]
        size = os.path.getsize(rules)
        checks = []
        peak = 0
        for _ in range(5):
            elapsed, peak = run([authgate, "check", rules])
            checks.append(elapsed)
        check = statistics.median(checks)
        lines = [sum(1 for _ in open(queries, "rb")) for queries in forms]
        # The forms take turns, so a slow spell of a shared machine falls
        # on both rather than on one.
        evals = [[], []]
        for _ in range(3):
            for form, queries in enumerate(forms):
                evals[form].append(run([authgate, "eval", "--rules", rules], stdin=queries)[0])
        # eval's time includes compiling the rules; subtract a run on no
        # input (the same rules for both forms, so one figure serves both).
        empty = statistics.median(run([authgate, "eval", "--rules", rules])[0] for _ in range(3))
        cells = []
        for form in range(2):
            total = statistics.median(evals[form])
            decide = max(total - empty, 1e-9)
            cells.append(f"{total * 1e3:.0f} ms | {lines[form] / decide / 1e6:.2f} M")
        print(
            f"| {n:,} | {size / 1e6:.2f} MB | {check * 1e3:.1f} ms | {size / 1e6 / check:.0f} "
            f"| {peak / 1e6:.1f} MB | {peak / size:.2f}x | {cells[0]} | {cells[1]} |",
            flush=True,
        )
    print()
    print(f"machine: {os.cpu_count()} cores; {os.uname().sysname} {os.uname().release}")


if __name__ == "__main__":
    main()
