// The JavaScript package side by side with @cedar-policy/cedar-wasm (the
// Cedar engine compiled to WebAssembly) on the seeded workload, in one
// Node.js process.
//
// Usage: node bench.mjs FOLDER N CEDAR   (see `scripts/bench.sh js`)
//
// FOLDER holds the files the `workload` example writes (`bench-N.gate`,
// `bench-N.ndjson`, `bench-N.runtime.ndjson`); CEDAR is the folder of the
// installed cedar-wasm package. Cedar gets the workload as the Python
// bench gives it to cedarpy: one policy,
//
//     permit(principal, action == Action::"call", resource)
//       when { resource.auth.contains(principal.auth) };
//
// pre-parsed once (`preparsePolicySet`), and for each request its two
// entities, `Instance::"iK" {auth: "mJ"}` and `Endpoint::"eK" {auth:
// ["m0", ...]}`, built beforehand: `statefulIsAuthorized` is cedar-wasm's
// fastest path (the entities can't be pre-parsed; giving all of them on
// each call is slower). Every answer is compared with authgate's.
//
// Rows: per-decision time of one call, over the same (instance, endpoint)
// pairs in the same plain loop, best of several passes after a warm-up;
// batches (`decideMany`) in decisions per second; the packed package's
// size.

import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync, statSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { Policy } from "../index.js";

const [folder, nText, cedarFolder] = process.argv.slice(2);
const n = Number(nText ?? 1000);
const QUERIES = 100_000;
const CEDAR_QUERIES = 5_000;
const BATCH = 100_000;
const PASSES = 5;

const cedar = await import(join(resolve(cedarFolder), "nodejs", "cedar_wasm.js")).then(
  (module) => module.default ?? module,
);

function best(passes, run) {
  run(); // warm-up
  let least = Infinity;
  for (let p = 0; p < passes; p++) {
    const start = process.hrtime.bigint();
    run();
    least = Math.min(least, Number(process.hrtime.bigint() - start) / 1e9);
  }
  return least;
}

function ndjson(path, limit) {
  return readFileSync(path, "utf8")
    .split("\n", limit)
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line));
}

const text = readFileSync(join(folder, `bench-${n}.gate`), "utf8");
let start = performance.now();
const policy = Policy.fromSources({ [`bench-${n}.gate`]: text });
const authgateSetup = performance.now() - start;

const instanceRequests = ndjson(join(folder, `bench-${n}.ndjson`), Math.max(QUERIES, BATCH));
const runtimeRequests = ndjson(join(folder, `bench-${n}.runtime.ndjson`), BATCH);
const pairs = instanceRequests.slice(0, QUERIES);

// The workload as data: each endpoint's methods, each instance's method.
const activated = new Map();
for (const m of text.matchAll(/endpoint (\w+) < auth: \[([^\]]*)\] >/g)) {
  activated.set(m[1], m[2].split(",").map((a) => a.trim()).filter((a) => a !== ""));
}
const methodOf = new Map();
for (const m of text.matchAll(/instance (\w+) of \w+ < auth: (\w+) >/g)) {
  methodOf.set(m[1], m[2]);
}

start = performance.now();
const POLICY_SET = "workload";
const parsed = cedar.preparsePolicySet(POLICY_SET, {
  staticPolicies:
    'permit(principal, action == Action::"call", resource) when { resource.auth.contains(principal.auth) };',
});
if (parsed.type !== "success") throw new Error(`cedar: ${JSON.stringify(parsed)}`);
const instanceEntity = new Map(
  [...methodOf].map(([id, auth]) => [id, { uid: { type: "Instance", id }, attrs: { auth }, parents: [] }]),
);
const endpointEntity = new Map(
  [...activated].map(([id, auth]) => [id, { uid: { type: "Endpoint", id }, attrs: { auth }, parents: [] }]),
);
const cedarSetup = performance.now() - start;
const cedarCalls = pairs.slice(0, CEDAR_QUERIES).map(({ instance, endpoint }) => ({
  principal: { type: "Instance", id: instance },
  action: { type: "Action", id: "call" },
  resource: { type: "Endpoint", id: endpoint },
  context: {},
  preparsedPolicySetId: POLICY_SET,
  entities: [instanceEntity.get(instance), endpointEntity.get(endpoint)],
}));

function cedarAllows(call) {
  const answer = cedar.statefulIsAuthorized(call);
  if (answer.type !== "success") throw new Error(`cedar: ${JSON.stringify(answer)}`);
  return answer.response.decision === "allow";
}

// Agreement first: every engine against authgate on the same queries.
const truth = pairs.map((request) => policy.decide(request).available);
const sets = new Map([...activated].map(([e, ms]) => [e, new Set(ms)]));
const mismatches = {
  "js Map/Set": pairs.filter((r, i) => sets.get(r.endpoint).has(methodOf.get(r.instance)) !== truth[i]).length,
  "cedar-wasm": cedarCalls.filter((call, i) => cedarAllows(call) !== truth[i]).length,
  decideMany: policy.decideMany(pairs).filter((a, i) => a.available !== truth[i]).length,
};

const perCall = {
  "authgate `decide`": best(PASSES, () => {
    for (const request of pairs) policy.decide(request);
  }) / pairs.length,
  "js `Map`/`Set` look-up": best(PASSES, () => {
    for (const { instance, endpoint } of pairs) sets.get(endpoint).has(methodOf.get(instance));
  }) / pairs.length,
  "cedar-wasm `statefulIsAuthorized`": best(3, () => {
    for (const call of cedarCalls) cedar.statefulIsAuthorized(call);
  }) / cedarCalls.length,
};

const batchInstance = instanceRequests.slice(0, BATCH);
const batchRuntime = runtimeRequests.slice(0, BATCH);
const batches = {
  "authgate `decideMany` (instance)": BATCH / best(PASSES, () => policy.decideMany(batchInstance)),
  "authgate `decideMany` (runtime)": BATCH / best(PASSES, () => policy.decideMany(batchRuntime)),
};

// The package as `npm pack` makes it.
const here = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const packed = mkdtempSync(join(os.tmpdir(), "authgate-pack-"));
execFileSync("npm", ["pack", "--ignore-scripts", "--pack-destination", packed], { cwd: here, stdio: "pipe" });
const tarball = readdirSync(packed).find((name) => name.endsWith(".tgz"));
const packedSize = statSync(join(packed, tarball)).size;
rmSync(packed, { recursive: true, force: true });
const wasmSize = statSync(join(here, "authgate.wasm")).size;

const cedarCall = perCall["cedar-wasm `statefulIsAuthorized`"];
const cedarVersion = JSON.parse(readFileSync(join(cedarFolder, "package.json"), "utf8")).version;
console.log(
  `N = ${n.toLocaleString("en")} endpoints, ${methodOf.size.toLocaleString("en")} instances; ` +
    `@cedar-policy/cedar-wasm ${cedarVersion}; Node.js ${process.version}`,
);
console.log(
  `setup: Policy.fromSources ${authgateSetup.toFixed(1)} ms (parse, check, compile the ` +
    `${(text.length / 1e6).toFixed(2)} MB file); cedar-wasm preparsePolicySet + entities ${cedarSetup.toFixed(1)} ms`,
);
console.log();
console.log("| call | per decision | decisions/s | cedar-wasm / this |");
console.log("|---|---:|---:|---:|");
for (const [name, seconds] of Object.entries(perCall)) {
  console.log(
    `| ${name} | ${Math.round(seconds * 1e9).toLocaleString("en")} ns | ${(1 / seconds / 1e6).toFixed(2)} M | ${(cedarCall / seconds).toFixed(1)}x |`,
  );
}
for (const [name, rate] of Object.entries(batches)) {
  console.log(
    `| ${name}, batches of ${BATCH.toLocaleString("en")} | ${Math.round(1e9 / rate).toLocaleString("en")} ns | ${(rate / 1e6).toFixed(2)} M | ${(cedarCall * rate).toFixed(1)}x |`,
  );
}
console.log();
console.log(
  `package: ${tarball} ${(packedSize / 1024).toFixed(0)} KiB packed (authgate.wasm ${(wasmSize / 1024).toFixed(0)} KiB unpacked)`,
);
console.log(`mismatches against authgate: ${Object.entries(mismatches).map(([k, v]) => `${k} ${v}`).join(", ")}`);
console.log(`machine: ${os.cpus().length} cores; ${os.type()} ${os.release()}; load average ${os.loadavg()[0].toFixed(1)}`);
if (Object.values(mismatches).some((count) => count > 0)) {
  console.error("error: the engines disagree");
  process.exit(1);
}
