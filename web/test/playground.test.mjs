// The playground in headless Chromium, as a user drives it: typing,
// toggles, the instance picker, reasons, share links, and a connector of
// 1,500 endpoints and 300 scopes.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { bigConnector, checkedAfter, checks, fragmentOf, launch, openPage, rulesOf, serveDist } from "./support.mjs";

let browser;
let site;

before(async () => {
  browser = await launch();
  site = await serveDist();
});

after(async () => {
  await browser?.close();
  site?.close();
});

const SHOP = {
  "shop.gate": [
    "// a shop",
    "connector shop {",
    "    auth key: token",
    '    auth oauth: oauth2_authorization_code < scopes: ["orders.read", "orders.write"] >',
    "",
    '    endpoint "GET /orders" < auth: [key, oauth("orders.read")] >',
    '    endpoint "POST /orders" < auth: [oauth("orders.write")] >',
    "}",
    "",
    'instance reader of shop < auth: oauth, scopes: ["orders.read"] >',
    "",
  ].join("\n"),
};

test("the shipped rules load with no diagnostics and every file in a tab", async () => {
  const page = await openPage(browser, site.url);
  const tabs = await page.locator("#tabs [data-file]").evaluateAll((els) => els.map((e) => e.dataset.file));
  assert.deepStrictEqual(tabs, ["accounting.gate", "crm.gate", "public.gate", "shop.gate", "tests.gate"]);
  assert.match(await page.textContent("#summary"), /^0 errors, 0 warnings · sha256:/);
  assert.equal(await page.locator("#problems li").count(), 0);
  assert.deepStrictEqual(page.errors, []);
  await page.close();
});

test("a typo shows its diagnostic at its line, with code, message and help on hover", async () => {
  const page = await openPage(browser, site.url + (await fragmentOf(SHOP)));
  const before = await checks(page);
  // Line 7, `oauth("orders.write")] >`: misspell `oauth` as `oath`.
  await page.locator(".cm-content .cm-line").nth(6).click();
  await page.keyboard.press("End");
  for (let i = 0; i < '("orders.write")] >'.length; i++) await page.keyboard.press("ArrowLeft");
  for (let i = 0; i < 3; i++) await page.keyboard.press("Backspace");
  await page.keyboard.type("th");
  await checkedAfter(page, before);
  const underlined = page.locator(".cm-lintRange-error");
  await underlined.first().waitFor();
  assert.equal(await underlined.count(), 1);
  // The underline is on line 7, over the misspelt name.
  const at = await underlined.evaluate((el) => {
    const lineEl = el.closest(".cm-line");
    return [...lineEl.parentElement.children].indexOf(lineEl) + 1;
  });
  assert.equal(at, 7);
  assert.equal(await underlined.textContent(), "oath");
  const problem = await page.textContent("#problems li.error");
  assert.match(problem, /^shop\.gate:7:\d+ authgate::\w+ .*`oath`/);
  await underlined.hover();
  const tooltip = page.locator(".cm-tooltip-lint");
  await tooltip.waitFor();
  const hover = await tooltip.textContent();
  assert.match(hover, /authgate::\w+: .*`oath`/);
  assert.match(hover, /help: .*`oauth`/);
  assert.match(await page.textContent("#summary"), /^1 error, 0 warnings: the grid shows the last rules that compiled/);
  // Fixed, the diagnostic goes.
  const fixed = await checks(page);
  await page.keyboard.press("Control+z");
  await checkedAfter(page, fixed);
  assert.equal(await page.locator(".cm-lintRange-error").count(), 0);
  await page.close();
});

test("a toggle changes the source and what the instance sees; a cell gives its reason", async () => {
  const page = await openPage(browser, site.url + (await fragmentOf(SHOP)));
  await page.selectOption("#instance", "i:reader");
  assert.match(await page.textContent("#sees"), /^reader sees 1 of 2 endpoints/);
  const row = page.locator(".row", { hasText: "POST /orders" });
  assert.equal(await row.locator(".sees").textContent(), "—");
  // The oauth cell of POST /orders: only with scopes (half-ticked), its scopes written.
  const cell = row.locator(".cell").nth(1);
  assert.match(await cell.textContent(), /orders\.write/);
  assert.equal(await cell.locator("input").evaluate((box) => box.indeterminate), true);
  // Its reason for the instance: the scope it lacks.
  await row.locator(".sees").click();
  assert.match(await page.textContent("#reason"), /not available.*POST \/orders.*reader/s);
  assert.match(await page.textContent("#reason"), /missing scopes: orders\.write/);
  // The key column: off for POST /orders; turned on, the source says so.
  const before = await checks(page);
  await row.locator(".cell").nth(0).locator("input").click();
  await checkedAfter(page, before);
  const text = (await rulesOf(page))["shop.gate"];
  assert.match(text, /endpoint "POST \/orders" < auth: \[oauth\("orders\.write"\), key\] >/);
  assert.match(text, /^\/\/ a shop$/m, "the comment is kept");
  // Turning oauth off for GET /orders: the reader no longer sees it.
  const get = page.locator(".row", { hasText: "GET /orders" });
  assert.equal(await get.locator(".sees").textContent(), "✓ sees");
  const again = await checks(page);
  await get.locator(".cell").nth(1).locator("input").click();
  await checkedAfter(page, again);
  assert.equal(await get.locator(".sees").textContent(), "—");
  assert.match(await page.textContent("#sees"), /^reader sees 0 of 2 endpoints/);
  assert.match((await rulesOf(page))["shop.gate"], /endpoint "GET \/orders" < auth: \[key\] >/);
  // A runtime instance with the scope sees POST /orders through oauth.
  await page.selectOption("#instance", "runtime");
  await page.selectOption("#method", "oauth");
  await page.fill("#scopes", "orders.write nope");
  await page.waitForFunction(() => /sees 1 of 2/.test(document.getElementById("sees").textContent));
  assert.match(await page.textContent("#sees"), /not scopes of oauth: nope/);
  await page.locator(".row", { hasText: "POST /orders" }).locator(".cell").nth(1).click({ position: { x: 60, y: 10 } });
  assert.match(await page.textContent("#reason"), /^available: POST \/orders to shop with oauth holding orders\.write, nope/);
  assert.deepStrictEqual(page.errors, []);
  await page.close();
});

test("scope names are offered as written, whatever characters they hold", async () => {
  // Names are any quoted text: an entity, quotes, markup.
  const scopes = ["x&lt;y", 'say "hi"', "<b>bold</b>", "a&b"];
  const rules = {
    "odd.gate": [
      "connector odd {",
      `    auth oauth: oauth2_authorization_code < scopes: [${scopes.map((s) => JSON.stringify(s)).join(", ")}] >`,
      `    endpoint e < auth: [oauth(${JSON.stringify(scopes[0])})] >`,
      "}",
      "",
    ].join("\n"),
  };
  const page = await openPage(browser, site.url + (await fragmentOf(rules)));
  await page.selectOption("#instance", "runtime");
  await page.selectOption("#method", "oauth");
  const offered = await page.locator("#scope-names option").evaluateAll((els) => els.map((e) => e.value));
  assert.deepStrictEqual(offered, scopes);
  assert.equal(await page.locator("#scope-names b").count(), 0);
  // The grid writes them as text too.
  assert.equal(await page.locator(".row .cell").first().textContent(), scopes[0]);
  assert.deepStrictEqual(page.errors, []);
  await page.close();
});

test("a shared link opens the same rules, files and all", async () => {
  const page = await openPage(browser, site.url);
  const before = await checks(page);
  await page.locator(".cm-content").click();
  await page.keyboard.press("Control+Home");
  await page.keyboard.type("// edited before sharing: ünïcode too\n");
  await checkedAfter(page, before);
  const rules = await rulesOf(page);
  const link = await page.inputValue("#share-link");
  assert.match(link, /#rules=z[A-Za-z0-9_-]+$/);
  const digest = await page.getAttribute("#summary", "title");
  const other = await openPage(browser, link);
  assert.deepStrictEqual(await rulesOf(other), rules);
  assert.match(rules["accounting.gate"], /^\/\/ edited before sharing: ünïcode too\n/);
  assert.equal(await other.getAttribute("#summary", "title"), digest);
  const tabs = await other.locator("#tabs [data-file]").count();
  assert.equal(tabs, 5);
  // A link cut short says so, and the page still opens the shipped rules.
  const broken = await openPage(browser, link.slice(0, link.length - 40));
  assert.match(await broken.textContent("#summary"), /the link's rules can't be read|not valid JSON/);
  // An edit after sharing: the link shown no longer carries the rules, so it goes.
  await page.locator(".cm-content").click();
  await page.keyboard.type("x");
  assert.equal(await page.locator("#share-link").isHidden(), true);
  assert.equal(await page.textContent("#share"), "Share link");
  await Promise.all([page.close(), other.close(), broken.close()]);
});

test("1,500 endpoints and 300 scopes: the grid draws only the rows in view, filters, and a toggle works", async () => {
  const files = bigConnector();
  const page = await openPage(browser, site.url + (await fragmentOf(files)));
  assert.match(await page.textContent("#grid-head"), /1500 endpoints/);
  assert.match(await page.textContent("#grid-head"), /300 scopes/);
  const drawn = await page.locator(".row").count();
  assert.ok(drawn > 10 && drawn < 80, `${drawn} rows in the page`);
  // Scrolled to the end, the last endpoint is drawn.
  await page.locator("#grid-body").evaluate((body) => {
    body.scrollTop = body.scrollHeight;
  });
  await page.locator(".row", { hasText: "GET /objects/1499" }).waitFor();
  // The instance holding ten scopes sees the endpoints that need them.
  await page.selectOption("#instance", "i:crm app");
  assert.match(await page.textContent("#sees"), /^crm app sees 50 of 1500 endpoints/);
  await page.fill("#filter", "/objects/1234");
  await page.waitForFunction(() => /1 of 1500 endpoints/.test(document.getElementById("grid-head").textContent));
  const row = page.locator(".row", { hasText: "GET /objects/1234" });
  assert.match(await row.locator(".cell").nth(1).textContent(), /s34\.read/);
  assert.equal(await row.locator(".sees").textContent(), "—");
  const before = await checks(page);
  await row.locator(".cell").nth(1).locator("input").click();
  await checkedAfter(page, before);
  // Half-ticked, a click turns oauth off: the endpoint's list is empty.
  assert.match((await rulesOf(page))["big.gate"], /endpoint "GET \/objects\/1234" < auth: \[\] >/);
  const on = await checks(page);
  await row.locator(".cell").nth(1).locator("input").click();
  await checkedAfter(page, on);
  assert.match((await rulesOf(page))["big.gate"], /endpoint "GET \/objects\/1234" < auth: \[oauth\] >/);
  assert.equal(await row.locator(".sees").textContent(), "✓ sees");
  assert.match(await page.textContent("#sees"), /^crm app sees 51 of 1500 endpoints/);
  assert.deepStrictEqual(page.errors, []);
  await page.close();
});
