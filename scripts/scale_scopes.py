"""Hostile scope shapes at N and 4N: `authgate check` and `authgate eval`
time and peak memory of each, and the 4N/N time ratios, which a linear
check and eval keep near 4 (the bound this script holds them to: under 8).
Prints a markdown table; exits 1 if a ratio is 8 or more.

The shapes (N is the base size of each):
  scopes    one method declaring N scopes, endpoints needing some of them
  name      a scope name of N bytes, declared, needed and held
  items     N items of one method on one endpoint (pairs, triples that
            contain a pair, and items of twelve scopes)
  instance  an instance holding N scopes

Usage: scale_scopes.py AUTHGATE FOLDER  (see scripts/bench.sh scopes-scale)
"""

import json
import os
import subprocess
import sys
import time

# Base sizes: the hostile sizes of the scopes design are these at 4N
# (100,000 scopes, a 1 MB name, 10,000 items, an instance of 100,000).
SHAPES = {"scopes": 25_000, "name": 1 << 18, "items": 2_500, "instance": 25_000}
EVAL_LINES = 200_000
# Requests of the `name` shape carry the long name: fewer of them, so the
# file stays a few hundred MB at most.
NAME_LINES = 200


def quoted(names):
    return ", ".join(f'"{n}"' for n in names)


def rules(shape, n):
    head = "connector c {\n"
    if shape == "scopes":
        names = [f"s{i}" for i in range(n)]
        endpoints = "".join(
            f'    endpoint e{i} < auth: [o("s{i * 7 % n}", "s{(i * 13 + 1) % n}")] >\n' for i in range(1000)
        )
        return (
            head + f"    auth o: oauth2_client_credentials < scopes: [{quoted(names)}] >\n" + endpoints + "}\n",
            [f"s{i * 7 % n}" for i in range(5)],
        )
    if shape == "name":
        long = "x" * n
        return (
            head
            + f'    auth o: oauth2_client_credentials < scopes: ["{long}", short] >\n'
            + f'    endpoint e0 < auth: [o("{long}")] >\n    endpoint e1 < auth: [o(short)] >\n}}\n'
            + f'instance i of c < auth: o, scopes: ["{long}"] >\n',
            [long, "short"],
        )
    if shape == "items":
        names = [f"s{i}" for i in range(200)]
        items = [f"o(s{i % 200}, s{(i * 7 + 1) % 200})" for i in range(n * 2 // 5)]
        items += [f"o(s{i % 200}, s{(i * 7 + 1) % 200}, s{(i + 3) % 200})" for i in range(n * 2 // 5)]
        items += ["o(" + ", ".join(f"s{(i + k * 13) % 200}" for k in range(12)) + ")" for i in range(n // 5)]
        return (
            head
            + f"    auth o: oauth2_client_credentials < scopes: [{quoted(names)}] >\n"
            + f"    endpoint e0 < auth: [{', '.join(items)}] >\n}}\n",
            ["s0", "s3", "s5", "s9", "s11"],
        )
    if shape == "instance":
        names = [f"s{i}" for i in range(n)]
        endpoints = "".join(f'    endpoint e{i} < auth: [o("s{i * 7 % n}")] >\n' for i in range(1000))
        return (
            head
            + f"    auth o: oauth2_client_credentials < scopes: [{quoted(names)}] >\n"
            + endpoints
            + "}\n"
            + f"instance i of c < auth: o, scopes: [{quoted(names)}] >\n",
            [f"s{i}" for i in range(5)],
        )
    raise ValueError(shape)


def requests(shape, held, path):
    endpoints = 2 if shape == "name" else (1 if shape == "items" else 1000)
    with open(path, "w") as out:
        for i in range(NAME_LINES if shape == "name" else EVAL_LINES):
            if shape == "instance" and i % 2:
                out.write(json.dumps({"instance": "i", "endpoint": f"e{i % endpoints}"}) + "\n")
            else:
                request = {"connector": "c", "auth": "o", "endpoint": f"e{i % endpoints}", "scopes": held}
                out.write(json.dumps(request) + "\n")


def run(argv, stdin=None, ok=(0,)):
    """Runs argv; returns (seconds, peak RSS in bytes of that child)."""
    with open(stdin, "rb") if stdin else open(os.devnull, "rb") as source:
        start = time.perf_counter()
        child = subprocess.Popen(argv, stdin=source, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in ok:
        sys.exit(f"error: {' '.join(argv)} exited with {code}")
    return elapsed, usage.ru_maxrss * 1024


def best(argv, stdin=None, ok=(0,), times=3):
    runs = [run(argv, stdin, ok) for _ in range(times)]
    return min(t for t, _ in runs), max(r for _, r in runs)


def main():
    authgate, folder = sys.argv[1], sys.argv[2]
    os.makedirs(folder, exist_ok=True)
    print("| shape | N | rules | `check` | check RSS | `eval` 200k lines (`name`: 200) | eval RSS | check 4N/N | eval 4N/N |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    failed = False
    for shape, base in SHAPES.items():
        figures = []
        for n in (base, 4 * base):
            text, held = rules(shape, n)
            gate = os.path.join(folder, f"scopes-{shape}-{n}.gate")
            queries = os.path.join(folder, f"scopes-{shape}-{n}.ndjson")
            with open(gate, "w") as out:
                out.write(text)
            requests(shape, held, queries)
            # Warnings (redundant items) exit 0; only errors fail.
            check, check_rss = best([authgate, "check", gate])
            evaluate, eval_rss = best([authgate, "eval", "--rules", gate], queries)
            figures.append((n, len(text), check, check_rss, evaluate, eval_rss))
        (_, _, c1, _, e1, _), (_, _, c4, _, e4, _) = figures
        ratios = (c4 / c1, e4 / e1)
        failed |= any(r >= 8 for r in ratios)
        for i, (n, size, check, check_rss, evaluate, eval_rss) in enumerate(figures):
            tail = f" {ratios[0]:.2f} | {ratios[1]:.2f} |" if i else " | |"
            print(
                f"| {shape} | {n:,} | {size / 1e6:.2f} MB | {check * 1e3:.0f} ms | {check_rss / 2**20:.0f} MiB "
                f"| {evaluate * 1e3:.0f} ms | {eval_rss / 2**20:.0f} MiB |{tail}"
            )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
