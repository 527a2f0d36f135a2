"""`authgate serve` figures beside `authgate eval` through a pipe, in one
run: batch decisions per second (batches of 1,000 on 10,000 endpoints),
single-request throughput and p50/p99 latency over 16 and 64 keep-alive
connections, and the server's memory (RSS) at 10k and 1M endpoints; then
the same batches with scopes: the HubSpot-like rules of `workload --scopes
2000` (300 scopes), each request a runtime instance naming five scopes,
beside `eval` on the same lines. Prints markdown tables. The load client is examples/serve_load.rs; it
runs on the same machine and takes CPU from the server, so the figures
are a floor for a server with its cores to itself.

Usage: serve_bench.py AUTHGATE SERVE_LOAD FOLDER [SECONDS]  (see scripts/bench.sh)
"""

import os
import signal
import statistics
import subprocess
import sys
import time


def eval_rate(authgate, rules, queries):
    """Decisions per second of `authgate eval` through a pipe (median of 3)."""
    lines = sum(1 for _ in open(queries, "rb"))
    times = []
    for _ in range(3):
        with open(queries, "rb") as source:
            start = time.perf_counter()
            subprocess.run([authgate, "eval", "--rules", rules], stdin=source,
                           stdout=subprocess.DEVNULL, check=True)
            times.append(time.perf_counter() - start)
    return lines / statistics.median(times)


def start(authgate, rules):
    child = subprocess.Popen([authgate, "serve", rules, "--listen", "127.0.0.1:0"],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    line = child.stdout.readline().decode().strip()
    if not line.startswith("listening on http://"):
        sys.exit(f"error: serve did not start: {line!r}")
    return child, line.removeprefix("listening on http://")


def memory(pid):
    """(RSS, peak RSS) in MiB, from /proc."""
    fields = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    mib = lambda key: int(fields[key].split()[0]) / 1024
    return mib("VmRSS"), mib("VmHWM")


def load(serve_load, address, queries, mode, connections, seconds):
    out = subprocess.run([serve_load, address, queries, mode, str(connections), str(seconds)],
                         capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"error: serve_load {mode} {connections}: {out.stderr}{out.stdout}")
    return dict(pair.split("=") for pair in out.stdout.split())


def stop(child):
    child.send_signal(signal.SIGTERM)
    child.wait(timeout=30)


def main():
    authgate, serve_load, folder = sys.argv[1:4]
    seconds = float(sys.argv[4]) if len(sys.argv) > 4 else 5
    rules = os.path.join(folder, "bench-10000.gate")
    queries = os.path.join(folder, "bench-10000.ndjson")
    eval_per_s = eval_rate(authgate, rules, queries)

    child, address = start(authgate, rules)
    rows = []
    for connections in (1, 2):
        batch = load(serve_load, address, queries, "batch", connections, seconds)
        rows.append((f"serve, batches of 1,000, {connections} connection(s)",
                     float(batch["decisions_per_s"]), "", ""))
    for connections in (16, 64):
        single = load(serve_load, address, queries, "single", connections, seconds)
        rows.append((f"serve, one decision per request, {connections} connections",
                     float(single["decisions_per_s"]), single["p50_us"], single["p99_us"]))
    rss_10k, peak_10k = memory(child.pid)
    stop(child)

    big = os.path.join(folder, "bench-1000000.gate")
    rss_1m = peak_1m = None
    if os.path.exists(big):
        child, address = start(authgate, big)
        load(serve_load, address, os.path.join(folder, "bench-1000000.ndjson"), "batch", 1, 2)
        rss_1m, peak_1m = memory(child.pid)
        stop(child)

    print("| 10,000 endpoints | decisions/s | vs `eval` | p50 | p99 |")
    print("|---|---:|---:|---:|---:|")
    print(f"| `authgate eval` through a pipe, 1M lines | {eval_per_s:,.0f} | 1.00 | | |")
    for name, rate, p50, p99 in rows:
        p50 = f"{int(p50):,} µs" if p50 else ""
        p99 = f"{int(p99):,} µs" if p99 else ""
        print(f"| {name} | {rate:,.0f} | {rate / eval_per_s:.2f} | {p50} | {p99} |")
    print()
    print("| serve memory | RSS after load | peak RSS |")
    print("|---|---:|---:|")
    print(f"| 10,000 endpoints | {rss_10k:.1f} MiB | {peak_10k:.1f} MiB |")
    if rss_1m is not None:
        print(f"| 1,000,000 endpoints | {rss_1m:.1f} MiB | {peak_1m:.1f} MiB |")

    scoped_rules = os.path.join(folder, "scopes-2000.gate")
    scoped_queries = os.path.join(folder, "scopes-2000.runtime.ndjson")
    if os.path.exists(scoped_rules) and os.path.exists(scoped_queries):
        scoped_eval = eval_rate(authgate, scoped_rules, scoped_queries)
        child, address = start(authgate, scoped_rules)
        scoped_rows = []
        for connections in (1, 2):
            batch = load(serve_load, address, scoped_queries, "batch", connections, seconds)
            scoped_rows.append((connections, float(batch["decisions_per_s"])))
        stop(child)
        print()
        print("| HubSpot-like, 2,000 endpoints, 300 scopes; runtime + 5 scopes | decisions/s | vs `eval` |")
        print("|---|---:|---:|")
        print(f"| `authgate eval` through a pipe, 1M lines | {scoped_eval:,.0f} | 1.00 |")
        for connections, rate in scoped_rows:
            print(f"| serve, batches of 1,000, {connections} connection(s) | {rate:,.0f} "
                  f"| {rate / scoped_eval:.2f} |")


if __name__ == "__main__":
    main()
