"""The complexity contract, measured: cost per input byte of the CLI on rule
sets of 10 kB, 100 kB and 1 MB in shapes that used to blow up (`docs/reliability.md`,
"Complexity contract"). Flat columns mean linear cost. Prints a markdown table.

Usage: scripts/bench.sh scaling  (builds the release binary, then runs this)
       python3 scripts/scaling.py AUTHGATE FOLDER

Shapes (each generated here, deterministically):
  tall        one connector, 8 methods, many endpoints (the usual shape)
  wide        one connector with as many methods as endpoints, each
              endpoint activating three of them (methods x endpoints would
              be quadratic)
  typos       one connector, many endpoints, and a flow whose every
              connection names a misspelled endpoint (each misspelling
              searches every endpoint for a suggestion)
  matrix-*    `matrix` of a connector with 8 methods and 8 instances in
              each format: output grows with the input
"""

import os
import statistics
import subprocess
import sys
import time

TARGETS = [10_000, 100_000, 1_000_000]


def run(argv):
    """Runs argv; returns (seconds, peak RSS in bytes of that very child, exit status)."""
    with open(os.devnull, "rb") as source:
        start = time.perf_counter()
        child = subprocess.Popen(argv, stdin=source, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - start
    return elapsed, usage.ru_maxrss * 1024, os.waitstatus_to_exitcode(status)


def tall(n):
    lines = ["connector tall {"]
    lines += [f"    auth m{i}: basic" for i in range(8)]
    lines += [f"    endpoint e{i} < auth: [m{i % 8}, m{(i + 3) % 8}] >" for i in range(n)]
    lines += ["}", 'instance "i" of tall < auth: m0 >']
    return lines


def wide(n):
    lines = ["connector wide {"]
    lines += [f"    auth m{i}: token" for i in range(n)]
    lines += [f"    endpoint e{i} < auth: [m{i}, m{(i * 7 + 1) % n}, m{(i * 13 + 5) % n}] >" for i in range(n)]
    lines += ["}", 'instance "i" of wide < auth: m0 >']
    return lines


def typos(n):
    lines = ["connector shop {", "    auth basic: basic"]
    lines += [f"    endpoint orders_{i} < auth: [basic] >" for i in range(n)]
    lines += ["}", 'instance "i" of shop < auth: basic >', 'flow "typos" {']
    # `ordres_17`: a transposition, as people type them.
    lines += [f'    connection "i" -> ordres_{i}' for i in range(n)]
    lines += ["}"]
    return lines


def matrix(n):
    lines = ["connector grid {"]
    lines += [f"    auth m{i}: basic" for i in range(8)]
    lines += [f"    endpoint e{i} < auth: [m{i % 8}, m{(i + 5) % 8}] >" for i in range(n)]
    lines += ["}"]
    lines += [f'instance "i{i}" of grid < auth: m{i} >' for i in range(8)]
    return lines


def write(folder, shape, generate, target):
    """Writes a file of about `target` bytes of `shape`; returns its path."""
    path = os.path.join(folder, f"scaling-{shape}-{target}.gate")
    if not os.path.exists(path):
        # Find the item count that gives about `target` bytes.
        per_item = len("\n".join(generate(1000))) / 1000
        text = "\n".join(generate(max(1, int(target / per_item)))) + "\n"
        with open(path, "w") as file:
            file.write(text)
    return path


SHAPES = [
    ("tall", tall, lambda a, p: [a, "check", p]),
    ("tall visible", tall, lambda a, p: [a, "visible", "i", "--rules", p]),
    ("wide", wide, lambda a, p: [a, "check", p]),
    ("wide visible", wide, lambda a, p: [a, "visible", "i", "--rules", p]),
    ("typos", typos, lambda a, p: [a, "check", p]),
    ("matrix table", matrix, lambda a, p: [a, "matrix", "--rules", p]),
    ("matrix csv", matrix, lambda a, p: [a, "matrix", "--rules", p, "--format", "csv"]),
    ("matrix json", matrix, lambda a, p: [a, "matrix", "--rules", p, "--format", "json"]),
    ("matrix markdown", matrix, lambda a, p: [a, "matrix", "--rules", p, "--format", "markdown"]),
]


def main():
    authgate, folder = sys.argv[1], sys.argv[2]
    os.makedirs(folder, exist_ok=True)
    empty = os.path.join(folder, "scaling-empty.gate")
    open(empty, "w").close()
    startup = statistics.median(run([authgate, "check", empty])[0] for _ in range(5))
    header = " | ".join(f"{t // 1000:,} kB: ns/byte, RSS" for t in TARGETS)
    print(f"| shape | {header} |")
    print("|---|" + "---:|" * len(TARGETS))
    for name, generate, argv in SHAPES:
        cells = []
        for target in TARGETS:
            path = write(folder, name.split()[0], generate, target)
            size = os.path.getsize(path)
            runs = [run(argv(authgate, path)) for _ in range(3)]
            elapsed = statistics.median(r[0] for r in runs)
            peak = max(r[1] for r in runs)
            per_byte = max(elapsed - startup, 0) / size * 1e9
            cells.append(f"{per_byte:.0f} ns, {peak / 1e6:.0f} MB")
        print(f"| {name} | " + " | ".join(cells) + " |")
    print()
    print(f"process start-up ({startup * 1e3:.1f} ms) subtracted; median of 3 runs")
    print(f"machine: {os.cpu_count()} cores; {os.uname().sysname} {os.uname().release}")


if __name__ == "__main__":
    main()
