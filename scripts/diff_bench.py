"""`authgate diff` against `authgate check` of both sides, on the seeded
workload (the target: diffing two rule sets should cost about as much as
checking both), in interleaved rounds (the ratio is the median of each
round's); then one `--format json` run, whose output (every changed pair
of every subject with its place) is what it costs. NEW is OLD with every 50th activation list changed (one
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


def run(argv, count=False):
    """Runs argv; returns (seconds, peak RSS in bytes of that child, bytes
    it wrote when `count`)."""
    start = time.perf_counter()
    out = subprocess.PIPE if count else subprocess.DEVNULL
    child = subprocess.Popen(argv, stdout=out, stderr=subprocess.DEVNULL)
    written = 0
    if count:
        while chunk := child.stdout.read(1 << 20):
            written += len(chunk)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        sys.exit(f"{argv} exited {code}")
    return elapsed, usage.ru_maxrss * 1024, written


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
    print(
        "| N | rules | `check` OLD + NEW | `diff` OLD NEW (human) | diff / checks "
        "| diff peak RSS | `diff --format json` | JSON written | JSON peak RSS |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in [n for n in SIZES if n <= max_n]:
        old = os.path.join(folder, f"bench-{n}.gate")
        new = os.path.join(folder, f"bench-{n}.edited.gate")
        if not os.path.exists(new):
            edited(old, new)
        # Interleaved rounds, so that a noisy neighbour weighs on both.
        checks, diffs, ratios, peak = [], [], [], 0
        for _ in range(5):
            check = run([authgate, "check", old])[0] + run([authgate, "check", new])[0]
            diff, rss, _ = run([authgate, "diff", old, new])
            checks.append(check)
            diffs.append(diff)
            ratios.append(diff / check)
            peak = max(peak, rss)
        json_time, json_rss, json_bytes = run([authgate, "diff", "--format", "json", old, new], True)
        print(
            f"| {n:,} | {os.path.getsize(old) / 1e6:.2f} MB "
            f"| {statistics.median(checks) * 1e3:.0f} ms | {statistics.median(diffs) * 1e3:.0f} ms "
            f"| {statistics.median(ratios):.2f}x | {peak / 1e6:.0f} MB "
            f"| {json_time * 1e3:.0f} ms | {json_bytes / 1e6:,.0f} MB | {json_rss / 1e6:.0f} MB |"
        )
    print()
    print(f"machine: {os.cpu_count()} cores; {os.uname().sysname} {os.uname().release}")


if __name__ == "__main__":
    main()
