// A trap in the engine (a bug: it never panics on purpose) becomes an
// Error, and the engine a new instance; the policies of the old one say
// they are lost. In a file of its own: node runs each file in its own
// process, so the other tests keep their policies.

import assert from "node:assert/strict";
import { test } from "node:test";

import { Policy, _trapForTests, format } from "../index.js";

const SHOP = "connector shop { auth basic: basic endpoint orders < auth: [basic] > }\ninstance i of shop < auth: basic >\n";

test("a trap in the engine is an Error, and the engine starts again", () => {
  const before = Policy.fromSources({ "shop.gate": SHOP });
  assert.throws(() => _trapForTests(), /internal error in the engine/);
  assert.throws(() => before.decide({ instance: "i", endpoint: "orders" }), /this policy was lost/);
  const after = Policy.fromSources({ "shop.gate": SHOP });
  assert.equal(after.decide({ instance: "i", endpoint: "orders" }).available, true);
  assert.equal(format("connector a { }"), "connector a {\n}\n");
});
