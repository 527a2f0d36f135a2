// Where the page places a declaration from an outline, whose `file` and
// `line` may be null: plain functions, no browser.

import assert from "node:assert/strict";
import { test } from "node:test";

import { lineOf, placeText } from "../src/places.js";

test("a place is written with what is known of it, never null", () => {
  assert.equal(placeText({ file: "shop.gate", line: 12 }), "shop.gate:12");
  assert.equal(placeText({ file: "shop.gate", line: null }), "shop.gate");
  assert.equal(placeText({ file: null, line: null }), "");
  assert.equal(placeText({ file: null, line: 3 }), "");
});

test("a line is kept within the document: unknown is the first", () => {
  const asked = [];
  // CodeMirror's Text throws for a line outside 1..lines.
  const doc = {
    lines: 3,
    line(n) {
      if (!(n >= 1 && n <= 3)) throw new RangeError(`no line ${n}`);
      asked.push(n);
      return { number: n };
    },
  };
  for (const line of [null, undefined, 0, -4, 2, 3, 99]) lineOf(doc, line);
  assert.deepStrictEqual(asked, [1, 1, 1, 1, 2, 3, 3]);
});
