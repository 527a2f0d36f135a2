// `authgate serve --ui`: the page the binary serves at /ui/ loads the
// rules it serves, read-only, and decides in the browser as the server
// does. Needs a binary built after the page (`$AUTHGATE_BIN`, else the
// debug build); scripts/test.sh builds them in that order.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { request as forward, createServer } from "node:http";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { after, before, test } from "node:test";

import { ROOT, launch, openPage } from "./support.mjs";

const BIN = process.env.AUTHGATE_BIN ?? join(ROOT, "target", "debug", "authgate");

let browser;
let server;
let base;

before(async () => {
  if (!existsSync(BIN)) throw new Error(`no authgate binary at ${BIN}: run \`cargo build\` or set AUTHGATE_BIN`);
  server = spawn(BIN, ["serve", "--ui", "--listen", "127.0.0.1:0", join(ROOT, "rules")], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  server.stderr.on("data", (chunk) => (stderr += chunk));
  const [line] = await Promise.race([
    (async () => {
      for await (const l of createInterface({ input: server.stdout })) return [l];
      return [""];
    })(),
    new Promise((_, fail) => server.on("exit", (code) => fail(new Error(`serve --ui exited ${code}: ${stderr}`)))),
  ]);
  base = line.replace(/^listening on /, "");
  assert.match(base, /^http:\/\/127\.0\.0\.1:\d+$/);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  server?.kill("SIGTERM");
});

test("serve --ui shows the served rules read-only, and decides in the browser", async () => {
  const page = await openPage(browser, `${base}/ui`);
  assert.equal(new URL(page.url()).pathname, "/ui/");
  const bundle = await (await fetch(`${base}/v1/bundle`)).json();
  assert.equal(await page.textContent("#mode"), "served, read-only");
  const tabs = await page.locator("#tabs [data-file]").evaluateAll((els) => els.map((e) => e.dataset.file));
  assert.deepStrictEqual(tabs, bundle.files.map((f) => f.path));
  // The digest the browser computes is the one the server serves.
  assert.equal(await page.getAttribute("#summary", "title"), bundle.digest);
  // Nothing can be edited: not the text, not the toggles; no share link.
  assert.equal(await page.getAttribute(".cm-content", "contenteditable"), "false");
  const boxes = page.locator(".row input[type=checkbox]");
  assert.ok((await boxes.count()) > 0);
  assert.deepStrictEqual([...new Set(await boxes.evaluateAll((els) => els.map((e) => e.disabled)))], [true]);
  assert.equal(await page.isVisible("#share"), false);
  await page.locator(".cm-content").click();
  await page.keyboard.type("typed");
  assert.doesNotMatch(await page.textContent(".cm-content"), /typed/);
  // An instance's view and a reason, as the server answers them.
  await page.selectOption("#instance", "i:reporting");
  const row = page.locator(".row", { hasText: "ledger" });
  await row.locator(".sees").click();
  const served = await (
    await fetch(`${base}/v1/decide`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ instance: "reporting", endpoint: "ledger" }),
    })
  ).json();
  assert.equal(served.available, false);
  assert.match(await page.textContent("#reason"), /^not available: ledger to instance reporting/);
  // explain's reason: the server's, with what the endpoint activates.
  const why = await page.textContent("#reason .why");
  assert.ok(why.startsWith(served.reason), `${why} / ${served.reason}`);
  assert.match(why, /\(activated: `legacy`\)$/);
  // All of it ran under the page's Content Security Policy: nothing refused.
  const headers = (await fetch(`${base}/ui/`)).headers;
  assert.match(headers.get("content-security-policy"), /^default-src 'self'; script-src 'self' 'wasm-unsafe-eval';/);
  assert.equal(headers.get("x-content-type-options"), "nosniff");
  assert.deepStrictEqual(await page.evaluate(() => window.cspViolations), []);
  assert.deepStrictEqual(page.errors, []);
  await page.close();
});

test("behind a proxy that serves authgate under a path prefix, /prefix/ui opens the page", async () => {
  // A reverse proxy as one is configured for a shared host: /gate/X -> X.
  const target = new URL(base);
  const proxy = createServer((incoming, outgoing) => {
    if (!incoming.url.startsWith("/gate/")) {
      outgoing.writeHead(404).end();
      return;
    }
    const upstream = forward(
      { host: target.hostname, port: target.port, path: incoming.url.slice("/gate".length), method: incoming.method, headers: incoming.headers },
      (answer) => {
        outgoing.writeHead(answer.statusCode, answer.headers);
        answer.pipe(outgoing);
      },
    );
    incoming.pipe(upstream);
  });
  await new Promise((done) => proxy.listen(0, "127.0.0.1", done));
  try {
    const page = await openPage(browser, `http://127.0.0.1:${proxy.address().port}/gate/ui`);
    assert.equal(new URL(page.url()).pathname, "/gate/ui/");
    assert.equal(await page.textContent("#mode"), "served, read-only");
    const bundle = await (await fetch(`${base}/v1/bundle`)).json();
    assert.equal(await page.getAttribute("#summary", "title"), bundle.digest);
    assert.deepStrictEqual(page.errors, []);
    await page.close();
  } finally {
    proxy.close();
  }
});
