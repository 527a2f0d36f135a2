// `Policy.outline()`: what the rules declare, for tools that draw them
// (the playground's grid). Checked against the generator's own model and
// against the engine's decisions on a 1,500-endpoint connector.

import assert from "node:assert/strict";
import { test } from "node:test";

import { Policy } from "../index.js";
import { generate } from "./support.mjs";

const SET = generate({ seed: 11, connectors: 2, endpoints: 1500, methods: 6, scopes: 300 });
const POLICY = Policy.fromSources(SET.files);
const OUTLINE = POLICY.outline();

test("the outline names every connector, method, scope, endpoint and instance in order", () => {
  assert.deepStrictEqual(
    OUTLINE.connectors.map((c) => c.name),
    SET.model.map((c) => c.name),
  );
  for (const [index, c] of SET.model.entries()) {
    const drawn = OUTLINE.connectors[index];
    assert.equal(drawn.file, `c${index}.gate`);
    assert.equal(drawn.line, 2);
    assert.deepStrictEqual(
      drawn.methods.map((m) => [m.name, m.scopes]),
      c.methods.map((m) => [m.name, m.declared]),
    );
    assert.equal(drawn.methods[3].type, "oauth2_client_credentials");
    assert.equal(drawn.methods[4].type, "oauth2_authorization_code");
    assert.deepStrictEqual(
      drawn.endpoints.map((e) => e.name),
      c.endpoints,
    );
    // Endpoint e is declared on line 9 + e (a comment, the connector and
    // six methods come first).
    assert.equal(drawn.endpoints[1234].line, 9 + 1234);
    assert.equal(drawn.endpoints[1234].file, `c${index}.gate`);
  }
  const instances = SET.model.flatMap((c) => c.instances);
  assert.deepStrictEqual(
    OUTLINE.instances.map((i) => i.name),
    instances,
  );
  const scoped = OUTLINE.instances.filter((i) => i.scopes.length > 0);
  assert.ok(scoped.length > 0, "some instances hold scopes");
  for (const instance of OUTLINE.instances) {
    assert.ok(SET.model.some((c) => c.name === instance.connector));
  }
});

test("an endpoint's methods and scoped items are what the engine decides by", () => {
  let plain = 0;
  let items = 0;
  for (const c of OUTLINE.connectors) {
    for (const e of c.endpoints) {
      for (const m of c.methods) {
        const on = e.methods.includes(m.name);
        const answer = POLICY.decide({ connector: c.name, auth: m.name, endpoint: e.name });
        assert.equal(answer.available, on, `${c.name} ${e.name} ${m.name}`);
        plain += on;
      }
      for (const item of e.scoped) {
        assert.ok(item.scopes.length > 0);
        const request = { connector: c.name, auth: item.method, scopes: item.scopes, endpoint: e.name };
        assert.equal(POLICY.decide(request).available, true, JSON.stringify(request));
        items += 1;
      }
    }
  }
  assert.ok(plain > 1000 && items > 1000, `${plain} plain, ${items} scoped`);
});

test("an outline survives rules without connectors and names holding quotes", () => {
  assert.deepStrictEqual(Policy.fromSources({ "empty.gate": "" }).outline(), {
    connectors: [],
    instances: [],
  });
  const policy = Policy.fromSources({
    "q.gate": 'connector "a \\"b\\"" {\n    auth basic: basic\n    endpoint "GET /x" < auth: [basic] >\n}\n',
  });
  const [connector] = policy.outline().connectors;
  assert.equal(connector.name, 'a "b"');
  assert.deepStrictEqual(connector.endpoints[0].methods, ["basic"]);
});
