// The JavaScript examples of the docs run: every ```js block of
// `docs/javascript.md` and of this package's README, in a folder holding
// the shipped `rules/` and the docs' examples (`hubspot.gate`, ...).
// `import { ... } from "M"` becomes `await import("M")` (the package
// imports itself by name), and a line `EXPR; // => VALUE` asserts that
// EXPR deeply equals VALUE. Every such line must run.

import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { test } from "node:test";

import { ROOT } from "./support.mjs";

const PAGES = [join(ROOT, "docs", "javascript.md"), join(ROOT, "bindings", "js", "README.md")];

/** [page:line, code] of every ```js block of the pages. */
function blocks() {
  const found = [];
  for (const page of PAGES) {
    const lines = readFileSync(page, "utf8").split("\n");
    let start = null;
    lines.forEach((line, i) => {
      if (start === null && /^```js\s*$/.test(line)) {
        start = i + 1;
      } else if (start !== null && line.startsWith("```")) {
        found.push([`${relative(ROOT, page)}:${start}`, lines.slice(start, i)]);
        start = null;
      }
    });
  }
  return found;
}

const AsyncFunction = (async () => {}).constructor;

test("the pages have examples", () => {
  assert.ok(blocks().length >= 3);
});

for (const [place, lines] of blocks()) {
  test(`the example at ${place} runs and says true`, async () => {
    const dir = mkdtempSync(join(tmpdir(), "authgate-docs-"));
    cpSync(join(ROOT, "rules"), join(dir, "rules"), { recursive: true });
    cpSync(join(ROOT, "docs", "examples"), dir, { recursive: true });
    const marks = [];
    const code = lines
      .map((line, i) => {
        const imported = line.match(/^import (\{[^}]*\}) from ("[^"]+");$/);
        if (imported) {
          return `const ${imported[1].replaceAll(" as ", ": ")} = await import(${imported[2]});`;
        }
        const expected = line.match(/^(.*?);\s*\/\/ => (.*)$/);
        if (expected) {
          marks.push(i + 1);
          return `__expect(${i + 1}, (${expected[1]}), (${expected[2]}));`;
        }
        return line;
      })
      .join("\n");
    const seen = [];
    const expect = (line, actual, wanted) => {
      seen.push(line);
      assert.deepStrictEqual(actual, wanted, `${place}, line ${line} of the block`);
    };
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      await new AsyncFunction("__expect", code)(expect);
    } finally {
      process.chdir(cwd);
      rmSync(dir, { recursive: true, force: true });
    }
    assert.deepStrictEqual(seen, marks, `${place}: some expectations never ran`);
  });
}
