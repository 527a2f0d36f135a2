#!/usr/bin/env python3
"""`scripts/bench.sh openapi`: how long `authgate import openapi` and
`authgate drift` take on an API the size of the large real ones.

Generates (seeded, no network) one API of OPERATIONS operations over FILES
root files on HOSTS hosts, the shapes the real APIs have: half YAML, half
JSON; OpenAPI 3.0, 3.1 and Swagger 2.0; every fourth file keeps its
operations in files of their own (`$ref` to whole operations, as
DigitalOcean does); paths repeated across files on the same host with
different security (merged, as HubSpot's) and on other hosts (named with
their host, as Twilio's); SCOPES OAuth scopes (the authorization-code
flow declares them all, the client-credentials flow half, as HubSpot's),
alternatives of one to three scopes, the same scheme in several
alternatives, AND requirements with and without scopes (`clientId +
secret`, as Plaid's), `security: []`; and a request schema per operation,
so the files weigh what real ones do. Then times the CLI (best and median
of RUNS runs, wall clock).

    python3 scripts/openapi_bench.py AUTHGATE FOLDER [OPERATIONS FILES HOSTS RUNS SCOPES]
"""

import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time


def schema(rng, depth=0):
    props = {}
    for i in range(rng.randint(4, 9)):
        kind = rng.choice(["string", "integer", "boolean", "object"] if depth < 2 else ["string", "integer"])
        if kind == "object":
            props[f"field_{i}"] = schema(rng, depth + 1)
        else:
            props[f"field_{i}"] = {"type": kind, "description": f"generated field {i} " * 3}
    return {"type": "object", "properties": props, "required": sorted(props)[:2]}


def yaml_dump(value, indent=0):
    """A small YAML writer (block style; strings always quoted)."""
    pad = "  " * indent
    if isinstance(value, dict):
        if not value:
            return "{}"
        lines = []
        for key, item in value.items():
            key = json.dumps(str(key))
            if isinstance(item, (dict, list)) and item:
                lines.append(f"{pad}{key}:\n{yaml_dump(item, indent + 1)}")
            else:
                lines.append(f"{pad}{key}: {yaml_dump(item, indent + 1)}")
        return "\n".join(lines)
    if isinstance(value, list):
        if not value:
            return "[]"
        lines = []
        for item in value:
            if isinstance(item, (dict, list)) and item:
                body = yaml_dump(item, indent + 1).lstrip()
                lines.append(f"{pad}- {body}")
            else:
                lines.append(f"{pad}- {yaml_dump(item, indent + 1)}")
        return "\n".join(lines)
    return json.dumps(value)


def scope_name(i):
    return f"crm.objects.kind{i // 2}.{'read' if i % 2 == 0 else 'write'}"


def generate(folder, operations, files, hosts, scopes=300, seed=14):
    rng = random.Random(seed)
    all_scopes = {scope_name(i): f"generated scope {i}" for i in range(scopes)}
    half = {scope_name(i): f"generated scope {i}" for i in range(scopes // 2)}

    def some_scopes(pool):
        return sorted({scope_name(rng.randrange(pool)) for _ in range(rng.randint(1, 3))})

    if os.path.isdir(folder):
        shutil.rmtree(folder)
    os.makedirs(os.path.join(folder, "ops"))
    verbs = ["get", "post", "put", "patch", "delete"]
    shared = [f"/v1/shared/{i}" for i in range(20)]
    roots = []
    per_file = operations // files
    extra = operations - per_file * files
    for f in range(files):
        swagger = f % 7 == 6
        version = "3.1.0" if f % 2 else "3.0.3"
        host = f"api{f % hosts}.bench.test"
        schemes = {
            "basic_auth": {"type": "basic"} if swagger else {"type": "http", "scheme": "basic"},
            "api_key": {"type": "apiKey", "name": "X-Key", "in": "header"},
            "client_id": {"type": "apiKey", "name": "X-Client-Id", "in": "header"},
            "secret": {"type": "apiKey", "name": "X-Secret", "in": "header"},
            "oauth": (
                {"type": "oauth2", "flow": "accessCode", "authorizationUrl": "https://a", "tokenUrl": "https://t",
                 "scopes": all_scopes}
                if swagger else
                {"type": "oauth2", "flows": {
                    "authorizationCode": {"authorizationUrl": "https://a", "tokenUrl": "https://t",
                                          "scopes": all_scopes},
                    "clientCredentials": {"tokenUrl": "https://t", "scopes": half}}}
            ),
        }
        doc = {"info": {"title": "Bench API", "version": "1"}}
        if swagger:
            doc["swagger"] = "2.0"
            doc["host"] = host
            doc["securityDefinitions"] = schemes
        else:
            doc["openapi"] = version
            doc["servers"] = [{"url": f"https://{host}/v1"}]
            doc["components"] = {"securitySchemes": schemes}
        doc["security"] = [{"oauth": [scope_name(0)]}]
        paths = {}
        count = per_file + (1 if f < extra else 0)
        made = 0
        while made < count:
            if made < 2:
                path = shared[(f % hosts + made) % len(shared)]
            else:
                path = f"/v1/f{f}/resource{made}/{{id}}"
            item = paths.setdefault(path, {})
            verb = verbs[len(item) % len(verbs)]
            if verb in item:
                continue
            op = {"operationId": f"op_{f}_{made}", "summary": "generated operation " * 4,
                  "responses": {"200": {"description": "ok"}}}
            roll = rng.random()
            if roll < 0.35:
                op["security"] = [{"oauth": some_scopes(scopes)} for _ in range(rng.randint(1, 3))]
            elif roll < 0.45:
                op["security"] = [{"basic_auth": []}, {"oauth": some_scopes(scopes)}]
            elif roll < 0.5:
                op["security"] = [{"basic_auth": [], "api_key": []}]
            elif roll < 0.55:
                op["security"] = [{"client_id": [], "secret": []}]
            elif roll < 0.6:
                op["security"] = [{"oauth": some_scopes(scopes // 2), "client_id": []}, {"oauth": some_scopes(scopes)}]
            elif roll < 0.63:
                op["security"] = []
            elif roll < 0.7:
                op["security"] = [{}, {"api_key": []}, {"oauth": some_scopes(scopes)}]
            if not swagger:
                op["requestBody"] = {"content": {"application/json": {"schema": schema(rng)}}}
            if f % 4 == 0 and not swagger:
                name = f"ops/op_{f}_{made}.yaml"
                with open(os.path.join(folder, name), "w") as out:
                    out.write(yaml_dump(op) + "\n")
                item[verb] = {"$ref": name}
            else:
                item[verb] = op
            made += 1
        doc["paths"] = paths
        name = f"api_{f:02}.{'json' if f % 2 else 'yaml'}"
        with open(os.path.join(folder, name), "w") as out:
            if name.endswith(".json"):
                json.dump(doc, out, indent=2)
            else:
                out.write(yaml_dump(doc) + "\n")
        roots.append(name)
    return roots


def timed(cmd, cwd, runs):
    """Best and median wall clock, and median CPU time (user + system) of
    the process, over `runs` runs: on a shared machine the CPU time is the
    steadier figure."""
    times, cpu = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        result = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        times.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        if result.returncode not in (0, 1):
            sys.exit(f"{' '.join(cmd)} failed:\n{result.stderr.decode()}")
    return min(times), statistics.median(times), statistics.median(cpu)


def main():
    authgate = os.path.abspath(sys.argv[1])
    folder = os.path.abspath(os.path.join(sys.argv[2], "openapi"))
    defaults = ["1500", "55", "38", "7", "300"]
    operations, files, hosts, runs, scopes = (int(x) for x in (sys.argv[3:] + defaults[len(sys.argv[3:]):]))
    roots = generate(folder, operations, files, hosts, scopes)
    size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(folder) for f in fs)
    count = sum(len(fs) for _, _, fs in os.walk(folder))
    rules = os.path.join(folder, "bench.gate")
    imported = subprocess.run([authgate, "import", "openapi", *roots, "-o", rules], cwd=folder,
                              stderr=subprocess.PIPE, check=True)
    print(f"spec: {operations} operations in {files} root files ({count} files with the "
          f"operation files, {size / 1e6:.1f} MB) on {hosts} hosts, {scopes} scopes")
    print(imported.stderr.decode().rstrip())
    checked = subprocess.run([authgate, "check", rules], cwd=folder, stderr=subprocess.PIPE)
    print(checked.stderr.decode().rstrip().splitlines()[-1])
    for label, cmd in [
        ("import openapi", [authgate, "import", "openapi", *roots, "-o", rules]),
        ("drift (no drift)", [authgate, "drift", *roots, "--connector", "bench_api", "--rules", rules]),
    ]:
        best, median, cpu = timed(cmd, folder, runs)
        print(f"{label}: wall best {best * 1000:.0f} ms, median {median * 1000:.0f} ms; "
              f"CPU median {cpu * 1000:.0f} ms ({runs} runs)")


if __name__ == "__main__":
    main()
