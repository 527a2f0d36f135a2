// Every call against the CLI's own answer to the same question, on
// generated rule sets: decide and decideMany against `eval` (both request
// forms, scopes, unknown names), visible, explain, check, fmt, digest.

import assert from "node:assert/strict";
import { test } from "node:test";

import { Policy, RulesError, check, format, setActivation } from "../index.js";
import { cli, cliEval, cliJson, folderOf, generate, requests, rulesArgs } from "./support.mjs";

const SET = generate({ seed: 7, connectors: 3, endpoints: 500 });
const FOLDER = folderOf(SET.files);
const POLICY = Policy.fromSources(SET.files);
const RULES = rulesArgs(SET.files);

test("decide and decideMany give eval's answers, in both forms and with scopes", () => {
  const asked = requests(SET.model, SET.r, 3000);
  assert.ok(asked.some((q) => q.scopes?.length > 0), "some requests hold scopes");
  assert.ok(asked.some((q) => "instance" in q), "some are about declared instances");
  const expected = cliEval(FOLDER, SET.files, asked);
  assert.equal(expected.length, asked.length);
  assert.deepStrictEqual(POLICY.decideMany(asked), expected);
  for (let i = 0; i < asked.length; i += 7) {
    assert.deepStrictEqual(POLICY.decide(asked[i]), expected[i], JSON.stringify(asked[i]));
  }
  // Both outcomes, and answers by scopes, are among them.
  assert.ok(expected.some((a) => a.available) && expected.some((a) => !a.available));
  assert.ok(expected.some((a) => a.missing_scopes), "a refusal by scopes");
  assert.ok(expected.some((a) => a.item && a.available), "a grant by scopes");
  assert.ok(expected.some((a) => a.reason.startsWith("unknown ")), "an unknown name");
});

test("visible gives visible --format json's document", () => {
  for (const c of SET.model) {
    for (const instance of c.instances.slice(0, 4)) {
      const expected = cliJson(["visible", instance, ...RULES, "--format", "json"], { cwd: FOLDER });
      assert.deepStrictEqual(POLICY.visible({ instance }), expected);
    }
    for (const m of c.methods) {
      const args = ["visible", "--connector", c.name, "--auth", m.name, ...RULES, "--format", "json"];
      assert.deepStrictEqual(
        POLICY.visible({ connector: c.name, auth: m.name }),
        cliJson(args, { cwd: FOLDER }),
      );
      if (m.declared.length) {
        const scopes = [m.declared[0], m.declared[3], "scope.nope"];
        assert.deepStrictEqual(
          POLICY.visible({ connector: c.name, auth: m.name, scopes }),
          cliJson([...args, "--scopes", scopes.join(",")], { cwd: FOLDER }),
        );
      }
    }
  }
});

test("visible of an unknown name throws the reason the CLI gives", () => {
  const done = cli(["visible", "inst 0-O", ...RULES], { cwd: FOLDER });
  assert.equal(done.status, 2);
  assert.throws(
    () => POLICY.visible({ instance: "inst 0-O" }),
    (error) => error.constructor === Error && done.stderr.includes(error.message),
  );
  assert.throws(() => POLICY.visible({ connector: "conn0", auth: "m99" }), /unknown auth method `m99`/);
});

test("explain gives explain --format json's document", () => {
  const asked = requests(SET.model, SET.r, 60);
  for (const request of asked) {
    const args = ["explain", ...RULES, "--format", "json"];
    if (request.instance !== undefined) {
      args.push(request.instance, request.endpoint);
    } else {
      args.push("--connector", request.connector, "--auth", request.auth);
      if (request.scopes?.length) args.push("--scopes", request.scopes.join(","));
      args.push(request.endpoint);
    }
    assert.deepStrictEqual(POLICY.explain(request), cliJson(args, { cwd: FOLDER }), JSON.stringify(request));
  }
});

test("digest and warnings are the CLI's", () => {
  assert.equal(POLICY.digest, cli(["digest", "."], { cwd: FOLDER }).stdout.trim());
  assert.match(POLICY.digest, /^sha256:[0-9a-f]{64}$/);
  const report = cliJson(["check", ...Object.keys(SET.files), "--format", "json"], { cwd: FOLDER });
  assert.equal(report.errors, 0);
  assert.deepStrictEqual(POLICY.warnings, report.diagnostics);
  // A copy: changing it changes nothing.
  POLICY.warnings.push("x");
  assert.deepStrictEqual(POLICY.warnings, report.diagnostics);
});

test("check gives check --format json's document, and fromSources throws its errors", () => {
  const broken = {
    ...SET.files,
    "c0.gate": SET.files["c0.gate"].replace("auth: [", "auth: [baisc, ").replace("connector conn0 {", "connector conn0 {\n    auth m0: token"),
    "z.gate": "connector z {\n    auth a: basic\n    endpoint e < auth: [a] >\n",
  };
  const folder = folderOf(broken);
  const expected = cliJson(["check", ...Object.keys(broken), "--format", "json"], { cwd: folder });
  assert.ok(expected.errors >= 3, JSON.stringify(expected).slice(0, 500));
  assert.deepStrictEqual(check(broken), expected);
  assert.throws(
    () => Policy.fromSources(broken),
    (error) => {
      assert.ok(error instanceof RulesError && error instanceof Error);
      assert.equal(error.name, "RulesError");
      assert.deepStrictEqual(error.diagnostics, expected.diagnostics);
      // The summary line `check` prints, then the diagnostics.
      const summary = cli(["check", ...Object.keys(broken)], { cwd: folder }).stderr.trim().split("\n").at(-1);
      assert.equal(error.message.split("\n")[0], summary);
      assert.match(error.message, /z\.gate:3:28: error: expected `}`/);
      return true;
    },
  );
  // A clean set: no diagnostics.
  assert.deepStrictEqual(check({ "ok.gate": "connector a { auth b: basic endpoint c < auth: [b] > }" }), {
    diagnostics: [],
    errors: 0,
    warnings: 0,
  });
});

test("format is fmt's text, and a syntax error is fmt's diagnostic", () => {
  for (const [name, text] of Object.entries(SET.files)) {
    const messy = text
      .replaceAll("\n    ", "\n  ")
      .replaceAll(" < auth: [", "<auth:[")
      .replaceAll(", ", " ,");
    const expected = cli(["fmt", "-", "--stdin-filepath", name], { input: messy });
    assert.equal(expected.status, 0, expected.stderr);
    assert.equal(format(messy), expected.stdout);
    assert.equal(format(expected.stdout), expected.stdout);
  }
  const bad = "connector x {\n  endpoint e < auth: [a >\n}\n";
  const folder = folderOf({ "bad.gate": bad });
  const expected = cliJson(["check", "bad.gate", "--format", "json"], { cwd: folder });
  assert.throws(
    () => format(bad, { filename: "bad.gate" }),
    (error) => {
      assert.ok(error instanceof RulesError);
      assert.deepStrictEqual(error.diagnostics, expected.diagnostics);
      return true;
    },
  );
});

test("setActivation writes what fmt writes, and the policy follows the toggle", () => {
  const c = SET.model[0];
  const text = SET.files["c0.gate"];
  const endpoint = c.endpoints[10];
  const method = c.methods[2].name;
  const runtime = { connector: c.name, auth: method, endpoint };
  const on = setActivation(text, { connector: c.name, endpoint, method, on: true });
  const off = setActivation(on, { connector: c.name, endpoint, method, on: false });
  for (const edited of [on, off]) {
    assert.equal(cli(["fmt", "-"], { input: edited }).stdout, edited, "canonical");
  }
  const files = (t) => ({ ...SET.files, "c0.gate": t });
  assert.equal(Policy.fromSources(files(on)).decide(runtime).available, true);
  assert.equal(Policy.fromSources(files(off)).decide(runtime).available, false);
  // Every comment is kept.
  assert.equal(on.match(/\/\/ \d+\n/g).length, c.endpoints.length);
  assert.throws(
    () => setActivation(text, { connector: c.name, endpoint: "ee10", method, on: true }),
    { message: `unknown endpoint \`ee10\` in connector \`${c.name}\`; did you mean \`e10\`?` },
  );
});
