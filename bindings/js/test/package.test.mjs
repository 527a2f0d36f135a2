// The package as people get it: `npm pack` makes a tarball under 1 MiB
// that installs into a fresh project, offline, and answers there.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readdirSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

import { folderOf } from "./support.mjs";

const HERE = resolve(dirname(fileURLToPath(import.meta.url)), "..");

// AUTHGATE_NPM_TARBALL: a tarball packed already, the release's
// (scripts/test.sh passes the one scripts/release.sh wrote), tested
// instead of packing one here.
function packedTarball() {
  const given = process.env.AUTHGATE_NPM_TARBALL;
  if (given) {
    return { packed: dirname(resolve(given)), tarball: basename(given) };
  }
  const packed = folderOf({});
  // The module is built already (the tests import it): no prepack build.
  execFileSync("npm", ["pack", "--ignore-scripts", "--pack-destination", packed], {
    cwd: HERE,
    stdio: "pipe",
  });
  const [tarball] = readdirSync(packed).filter((name) => name.endsWith(".tgz"));
  return { packed, tarball };
}

test("npm pack gives a tarball that installs into a fresh project and works there", () => {
  const { packed, tarball } = packedTarball();
  assert.match(tarball, /^authgate-\d+\.\d+\.\d+\.tgz$/);
  const size = statSync(join(packed, tarball)).size;
  assert.ok(size < 1 << 20, `the tarball is ${size} bytes`);

  const project = folderOf({
    "package.json": JSON.stringify({ name: "app", private: true, type: "module" }),
    "app.mjs": `
      import { Policy, RulesError, format } from "authgate";
      const policy = Policy.fromSources({
        "shop.gate": "connector shop { auth basic: basic endpoint orders < auth: [basic] > }",
      });
      const answer = policy.decide({ connector: "shop", auth: "basic", endpoint: "orders" });
      let error = null;
      try { Policy.fromSources({ "bad.gate": "connector" }); } catch (e) { error = e instanceof RulesError; }
      console.log(JSON.stringify({ answer, error, formatted: format("connector a {}") }));
    `,
  });
  execFileSync("npm", ["install", "--offline", "--no-audit", "--no-fund", join(packed, tarball)], {
    cwd: project,
    stdio: "pipe",
  });
  const files = readdirSync(join(project, "node_modules", "authgate")).sort();
  assert.deepStrictEqual(files, ["README.md", "authgate.wasm", "index.d.ts", "index.js", "package.json"]);
  const printed = JSON.parse(execFileSync("node", ["app.mjs"], { cwd: project, encoding: "utf8" }));
  assert.deepStrictEqual(printed, {
    answer: {
      available: true,
      reason: "a runtime instance of `shop` authenticates with `basic`, which `orders` activates",
      connector: "shop",
      auth: "basic",
      endpoint: "orders",
    },
    error: true,
    formatted: "connector a {\n}\n",
  });
});
