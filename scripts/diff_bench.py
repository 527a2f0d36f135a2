"""`authgate diff` against `authgate check` of both sides, on the seeded
workload (issue 12: diffing two rule sets should cost about as much as
checking both). NEW is OLD with every 50th activation list changed (one
method added or dropped), so the diff has work to report.

Usage: scripts/bench.sh diff     (builds, generates, then runs this)
       python3 scripts/diff_bench.py AUTHGATE FOLDER [MAX_N]
"""

import os
import re
import statistics
import subprocess
import sys
import time

SIZES = [10_000, 100_000, 1_000_000]


def run(argv):
    """Runs argv; returns (seconds, peak RSS in bytes of that child)."""
    start = time.perf_counter()
    child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        sys.exit(f"{argv} exited {code}")
    return elapsed, usage.ru_maxrss * 1024


def edited(old, new):
    """Writes NEW: every 50th endpoint gains m7, or loses its first method."""
    pattern = re.compile(r"^(    endpoint \S+ < auth: \[)([^\]]*)(\] >)$")
    with open(old) as source, open(new, "w") as target:
        count = 0
        for line in source:
            match = pattern.match(line.rstrip("\n"))
            if match:
                count += 1
                if count % 50 == 0:
                    methods = [m.strip() for m in match.group(2).split(",") if m.strip()]
                    if "m7" in methods and len(methods) > 1:
                        methods.remove("m7")
                    elif "m7" not in methods:
                        methods.append("m7")
                    line = f"{match.group(1)}{', '.join(methods)}{match.group(3)}\n"
            target.write(line)


def main():
    authgate, folder = sys.argv[1], sys.argv[2]
    max_n = int(sys.argv[3]) if len(sys.argv) > 3 else SIZES[-1]
    print("| N | rules | `check` OLD + NEW | `diff` OLD NEW (human) | diff / checks | diff peak RSS |")
    print("|---:|---:|---:|---:|---:|---:|")
    for n in [n for n in SIZES if n <= max_n]:
        old = os.path.join(folder, f"bench-{n}.gate")
        new = os.path.join(folder, f"bench-{n}.edited.gate")
        if not os.path.exists(new):
            edited(old, new)
        checks = statistics.median(
            run([authgate, "check", old])[0] + run([authgate, "check", new])[0] for _ in range(3)
        )
        diffs = [run([authgate, "diff", old, new]) for _ in range(3)]
        diff = statistics.median(d[0] for d in diffs)
        peak = max(d[1] for d in diffs)
        print(
            f"| {n:,} | {os.path.getsize(old) / 1e6:.2f} MB | {checks * 1e3:.0f} ms "
            f"| {diff * 1e3:.0f} ms | {diff / checks:.2f}x | {peak / 1e6:.0f} MB |"
        )
    print()
    print(f"machine: {os.cpu_count()} cores; {os.uname().sysname} {os.uname().release}")


if __name__ == "__main__":
    main()
