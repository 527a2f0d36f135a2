// Whatever a caller passes, the package throws an Error that names the
// problem and the process goes on: wrong types, NUL bytes, invalid UTF-8,
// deep nesting, megabytes of junk, and a trap in the engine.

import assert from "node:assert/strict";
import { test } from "node:test";

import { Policy, RulesError, check, format, setActivation } from "../index.js";

const SHOP = `connector shop {
    auth basic: basic
    auth oauth: oauth2_authorization_code < scopes: ["orders.read"] >

    endpoint orders < auth: [basic, oauth("orders.read")] >
    endpoint customers < auth: [basic, oauth] >
}

instance "instance 1" of shop < auth: basic >
instance reader of shop < auth: oauth, scopes: ["orders.read"] >
`;

const policy = Policy.fromSources({ "shop.gate": SHOP });

test("a request of the wrong shape throws a TypeError naming the key", () => {
  const cases = [
    [null, /a request is an object, not null/],
    ["orders", /a request is an object, not string/],
    [[], /a request is an object, not an array/],
    [{ instance: 1, endpoint: "orders" }, /`instance` must be a string, not number/],
    [{ instance: "instance 1", endpoint: {} }, /`endpoint` must be a string, not object/],
    [{ instance: "instance 1", endpoint: "orders", extra: "x" }, /unknown key `extra`/],
    [{ instance: "instance 1" }, /a request needs `endpoint`/],
    [{ connector: "shop", endpoint: "orders" }, /either `instance`, or `connector` and `auth`/],
    [{ instance: null, connector: "shop", auth: "basic", endpoint: "orders" }, /`instance` is null/],
    [{ connector: "shop", auth: "oauth", scopes: "orders.read", endpoint: "orders" }, /`scopes` must be an array of strings, not string/],
    [{ connector: "shop", auth: "oauth", scopes: ["a", 2], endpoint: "orders" }, /`scopes` must hold strings, not number \(at index 1\)/],
    [{ instance: "reader", scopes: ["orders.read"], endpoint: "orders" }, /`scopes` goes with `connector` and `auth`/],
  ];
  for (const [request, message] of cases) {
    assert.throws(() => policy.decide(request), { name: "TypeError", message }, JSON.stringify(request));
    assert.throws(() => policy.explain(request), TypeError);
  }
  assert.throws(() => policy.decideMany([{ instance: "instance 1", endpoint: "orders" }, { endpoint: 5 }]), {
    name: "TypeError",
    message: "request 1: `endpoint` must be a string, not number",
  });
  assert.throws(() => policy.decideMany([{ instance: "instance 1", endpoint: "orders" }, { instance: "x" }]), {
    message: "request 1: a request needs `endpoint`",
  });
  assert.throws(() => policy.decideMany("orders"), /decideMany takes an array of requests, not string/);
  assert.throws(() => policy.visible({ instance: "reader", connector: "shop" }), TypeError);
  assert.throws(() => policy.visible({ instance: 3 }), /`instance` must be a string, not number/);
  assert.throws(() => policy.visible({ instance: "reader", scopes: [] }), /`scopes` goes with/);
  // Undefined is a key left out, as JSON.stringify leaves it out.
  assert.equal(policy.decide({ instance: "instance 1", endpoint: "orders", auth: undefined }).available, true);
  // decideMany takes any iterable.
  assert.equal(policy.decideMany(new Set([{ instance: "instance 1", endpoint: "orders" }])).length, 1);
});

test("deep nesting is refused before it is serialised", () => {
  let deep = "x";
  for (let i = 0; i < 100_000; i++) deep = { deep };
  assert.throws(() => policy.decide({ instance: deep, endpoint: "orders" }), /`instance` must be a string, not object/);
  assert.throws(() => policy.decideMany([deep]), /request 0: unknown key `deep`/);
  assert.throws(() => policy.visible({ connector: "shop", auth: "oauth", scopes: [deep] }), /must hold strings/);
  assert.throws(() => Policy.fromSources({ "a.gate": deep }), /must be a string or bytes/);
  // Rules nested as deep as the language allows (it has no nesting) are text.
  const brackets = "[".repeat(200_000);
  assert.throws(() => Policy.fromSources({ "a.gate": `connector a { endpoint e < auth: ${brackets} > }` }), RulesError);
});

test("NUL bytes and other odd names are names like any other", () => {
  const nul = policy.decide({ instance: "instance\u00001", endpoint: "orders\u0000" });
  assert.equal(nul.available, false);
  assert.equal(nul.instance, "instance\u00001");
  assert.ok(nul.reason.startsWith("unknown instance `instance\u00001`"), nul.reason);
  const odd = policy.decide({ connector: "shop", auth: "basic", endpoint: '"\\\n\u2028😀' });
  assert.equal(odd.endpoint, '"\\\n\u2028😀');
  assert.equal(odd.available, false);
  // A lone surrogate can't be UTF-8: it reaches the engine as U+FFFD,
  // which no rule file can name alone, so the name is unknown.
  const lone = policy.decide({ instance: "x\ud800", endpoint: "orders" });
  assert.equal(lone.available, false);
  assert.equal(lone.instance, "x\ud800");
  assert.equal(lone.reason, "unknown instance `x\ufffd`");
  const many = policy.decideMany([
    { instance: "\ud800\udc00\ud800", endpoint: "orders" },
    { instance: "instance 1", endpoint: "orders" },
  ]);
  assert.equal(many[1].available, true, "the names after it are cut where they start");
  // NUL in rule text is a syntax error at its place.
  assert.throws(
    () => Policy.fromSources({ "nul.gate": "connector a {\u0000}" }),
    (error) => error instanceof RulesError && error.diagnostics[0].line === 1 && error.diagnostics[0].column === 14,
  );
});

test("rules that are not UTF-8, junk, and megabytes of it are diagnostics", () => {
  const bytes = new TextEncoder().encode(SHOP);
  bytes[3] = 0xff;
  assert.throws(
    () => Policy.fromSources({ "latin1.gate": bytes }),
    (error) => error instanceof RulesError && error.diagnostics[0].code === "authgate::encoding",
  );
  let seed = 1;
  const junk = new Uint8Array(4 << 20).map(() => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed >>> 24;
  });
  const report = check({ "junk.gate": junk });
  assert.ok(report.errors >= 1);
  assert.throws(() => Policy.fromSources({ "junk.gate": junk }), RulesError);
  assert.throws(() => format(junk), RulesError);
  const words = "connector endpoint auth [ ] < > , : ( ) \" // /* ".repeat(100_000);
  assert.ok(check({ "words.gate": words }).errors >= 1);
  // The engine still answers, from the same policy.
  assert.equal(policy.decide({ instance: "instance 1", endpoint: "orders" }).available, true);
});

test("wrong argument types for the functions throw TypeErrors", () => {
  assert.throws(() => Policy.fromSources(null), /rule files are an object of \{name: text\}, not null/);
  assert.throws(() => Policy.fromSources(["a"]), /not an array/);
  assert.throws(() => Policy.fromSources({ "a.gate": 5 }), /the text of `a.gate` must be a string or bytes/);
  assert.throws(() => check("connector a {}"), TypeError);
  assert.throws(() => format(5), /the text must be a string or bytes/);
  assert.throws(() => format(SHOP, { filename: 5 }), /`filename` must be a string/);
  assert.throws(() => setActivation(SHOP, null), TypeError);
  assert.throws(
    () => setActivation(SHOP, { connector: "shop", endpoint: "orders", method: "basic", on: "yes" }),
    /`on` must be a boolean, not string/,
  );
  assert.throws(
    () => setActivation(SHOP, { connector: "shop", endpoint: "orders", method: 1, on: true }),
    /`method` must be a string, not number/,
  );
  assert.throws(
    () => setActivation(SHOP, { connector: "shop", endpoint: "orders", method: "basic", on: true, extra: 1 }),
    /unknown key `extra`/,
  );
  assert.throws(() => new Policy(), /a Policy is made by Policy.fromSources/);
  // A Map of files works as an object does.
  const fromMap = Policy.fromSources(new Map([["shop.gate", SHOP]]));
  assert.equal(fromMap.digest, policy.digest);
});

test("a policy is immutable", () => {
  assert.ok(Object.isFrozen(policy));
  assert.throws(() => {
    policy.digest = "x";
  }, TypeError);
});
