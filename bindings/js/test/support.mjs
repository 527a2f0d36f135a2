// What the tests share: the `authgate` binary the answers are compared
// with, folders of rules on disk, and a seeded generator of rule sets
// (connectors of many endpoints, methods with scopes, auth lists with
// scoped items, instances holding scopes) and of requests about them.

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

/** `$AUTHGATE_BIN` (scripts/test.sh sets it), else the debug build. */
export const BIN = process.env.AUTHGATE_BIN ?? join(ROOT, "target", "debug", "authgate");
if (!existsSync(BIN)) {
  throw new Error(`no authgate binary at ${BIN}: run \`cargo build\` or set AUTHGATE_BIN`);
}

/** Runs the CLI; its status, standard output and error. */
export function cli(args, { cwd, input } = {}) {
  const env = { ...process.env, NO_COLOR: "1" };
  delete env.COLUMNS;
  delete env.CLICOLOR_FORCE;
  const done = spawnSync(BIN, args, {
    cwd,
    input,
    env,
    encoding: "utf8",
    maxBuffer: 1 << 30,
  });
  if (done.error) throw done.error;
  return { status: done.status, stdout: done.stdout, stderr: done.stderr };
}

/** The CLI's JSON output of `args`. */
export function cliJson(args, options) {
  const done = cli(args, options);
  try {
    return JSON.parse(done.stdout);
  } catch {
    throw new Error(`authgate ${args.join(" ")}: not JSON (status ${done.status}): ${done.stderr}`);
  }
}

/**
 * `--rules NAME` for each of `files` ({name: text}), so that the CLI, run
 * in their folder, names them as the package does.
 */
export function rulesArgs(files) {
  return Object.keys(files).flatMap((name) => ["--rules", name]);
}

/** `authgate eval` over `requests` about `files`, in `folder`. */
export function cliEval(folder, files, requests) {
  const input = requests.map((r) => JSON.stringify(r) + "\n").join("");
  const done = cli(["eval", ...rulesArgs(files)], { cwd: folder, input });
  if (done.status !== 0 && done.status !== 1) {
    throw new Error(`eval failed (${done.status}): ${done.stderr}`);
  }
  return done.stdout
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line));
}

/** A fresh folder holding `files` ({name: text}); removed at exit. */
export function folderOf(files) {
  const folder = mkdtempSync(join(tmpdir(), "authgate-js-"));
  for (const [name, text] of Object.entries(files)) {
    const path = join(folder, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
  process.on("exit", () => rmSync(folder, { recursive: true, force: true }));
  return folder;
}

export { execFileSync };

/** A seeded generator (mulberry32): the same numbers on every run. */
export function random(seed) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const below = (n) => Math.floor(next() * n);
  const pick = (list) => list[below(list.length)];
  return { next, below, pick };
}

const TYPES = ["basic", "token", "oauth1", "oauth2_client_credentials", "oauth2_authorization_code"];

/**
 * A rule set of `connectors` connectors of `endpoints` endpoints each:
 * methods (a few quoted, OAuth ones declaring scopes), auth lists of plain
 * and scoped items, instances (some holding scopes). Returns the files
 * and the names, for requests.
 */
export function generate({ seed, connectors = 2, endpoints = 200, methods = 6, scopes = 12 }) {
  const r = random(seed);
  const files = {};
  const model = [];
  for (let c = 0; c < connectors; c++) {
    const name = c % 2 === 0 ? `conn${c}` : `"connector ${c}"`;
    const text = [`// connector ${c}, generated`, `connector ${name} {`];
    const ms = [];
    for (let m = 0; m < methods; m++) {
      const type = TYPES[m % TYPES.length];
      const methodName = m === 1 ? `"OAuth ${c}"` : `m${m}`;
      const declared =
        type.startsWith("oauth2") ? Array.from({ length: scopes }, (_, s) => `scope.${s}`) : [];
      ms.push({ name: unquote(methodName), declared });
      const options = declared.length
        ? ` < scopes: [${declared.map((s) => JSON.stringify(s)).join(", ")}] >`
        : "";
      text.push(`    auth ${methodName}: ${type}${options}`);
    }
    const es = [];
    for (let e = 0; e < endpoints; e++) {
      const endpointName = e % 3 === 0 ? `"GET /items/${e}"` : `e${e}`;
      es.push(unquote(endpointName));
      const items = [];
      for (const [index, m] of ms.entries()) {
        const roll = r.next();
        if (roll < 0.3) items.push(quote(m.name));
        else if (roll < 0.5 && m.declared.length) {
          const need = Array.from({ length: 1 + r.below(2) }, () => r.pick(m.declared));
          items.push(`${quote(m.name)}(${[...new Set(need)].map((s) => JSON.stringify(s)).join(", ")})`);
        } else if (index === 0 && roll < 0.35) {
          items.push(quote(m.name));
        }
      }
      text.push(`    endpoint ${endpointName} < auth: [${items.join(", ")}] > // ${e}`);
    }
    text.push("}", "");
    const is = [];
    for (let i = 0; i < 10; i++) {
      const m = ms[i % ms.length];
      const instance = `inst ${c}-${i}`;
      is.push(instance);
      const held = m.declared.length && i % 2 === 0
        ? `, scopes: [${m.declared.filter(() => r.next() < 0.5).map((s) => JSON.stringify(s)).join(", ")}]`
        : "";
      text.push(`instance ${JSON.stringify(instance)} of ${name} < auth: ${quote(m.name)}${held} >`);
    }
    files[`c${c}.gate`] = text.join("\n") + "\n";
    model.push({ name: unquote(name), methods: ms, endpoints: es, instances: is });
  }
  return { files, model, r };
}

function unquote(name) {
  return name.startsWith('"') ? JSON.parse(name) : name;
}

function quote(name) {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : JSON.stringify(name);
}

/** `count` requests in both forms about `model`, some with unknown names. */
export function requests(model, r, count) {
  const out = [];
  for (let n = 0; n < count; n++) {
    const c = r.pick(model);
    let endpoint = r.pick(c.endpoints);
    if (r.next() < 0.03) endpoint = endpoint + "x";
    const roll = r.next();
    if (roll < 0.4) {
      let instance = r.pick(c.instances);
      if (r.next() < 0.03) instance = instance.replace(" ", "");
      out.push({ instance, endpoint });
    } else {
      const m = r.pick(c.methods);
      const request = { connector: c.name, auth: r.next() < 0.03 ? "m99" : m.name, endpoint };
      if (m.declared.length && roll < 0.8) {
        request.scopes = m.declared.filter(() => r.next() < 0.4);
        if (r.next() < 0.1) request.scopes.push("scope.unknown");
      }
      out.push(request);
    }
  }
  return out;
}
