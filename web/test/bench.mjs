// `scripts/bench.sh web`: how soon the page shows its first diagnostics
// (the shipped rules checked and underlined, the grid drawn), from
// navigation start, over fresh page loads in headless Chromium; and the
// time of one check (check, compile, outline, grid) after a keystroke,
// on the shipped rules and on a 1,500-endpoint, 300-scope connector.
// A benchmark, not a test: it prints figures and asserts nothing.

import { bigConnector, checkedAfter, checks, fragmentOf, launch, serveDist } from "./support.mjs";

const LOADS = Number(process.env.LOADS ?? 9);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (xs) => `median ${median(xs).toFixed(0)} ms (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)}, n = ${xs.length})`;

const browser = await launch();
const site = await serveDist();

async function measure(label, url) {
  const first = [];
  const typed = [];
  for (let i = 0; i < LOADS; i++) {
    // A fresh context: nothing cached, as a first visit.
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    await page.goto(url);
    await page.waitForSelector("body[data-checked]");
    first.push(await page.evaluate(() => performance.getEntriesByName("authgate:first-diagnostics")[0].startTime));
    await page.locator(".cm-content").click();
    const before = await checks(page);
    await page.keyboard.type("x");
    await checkedAfter(page, before);
    typed.push(await page.evaluate(() => performance.getEntriesByName("authgate:analyse").at(-1).duration));
    await context.close();
  }
  console.log(`${label}: first diagnostics after navigation start: ${fmt(first)}`);
  console.log(`${label}: one check after a keystroke (off the keystroke path, debounced 250 ms): ${fmt(typed)}`);
}

await measure("shipped rules", site.url);
await measure("1,500 endpoints, 300 scopes", site.url + (await fragmentOf(bigConnector())));
await browser.close();
site.close();
