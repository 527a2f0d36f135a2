// What the browser tests share: headless Chromium (Debian's `chromium`
// package, driven by playwright-core: no browser is downloaded), a static
// server of web/dist on a free port, links carrying rules, and a
// generated connector at real size.

import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import { dirname, extname, join, normalize, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { chromium } from "playwright-core";

export const WEB = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const ROOT = resolve(WEB, "..");
export const DIST = join(WEB, "dist");

/** The system's Chromium: `$CHROMIUM`, else Debian's. */
export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

if (!existsSync(join(DIST, "index.html"))) {
  throw new Error("web/dist is not built: run `npm --prefix web run build`");
}
if (!existsSync(CHROMIUM)) {
  throw new Error(`no Chromium at ${CHROMIUM}: \`apt-get install -y chromium\` (scripts/test.sh does), or set CHROMIUM`);
}

export function launch() {
  return chromium.launch({ executablePath: CHROMIUM, args: ["--disable-gpu", "--disable-dev-shm-usage"] });
}

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
};

/** Serves web/dist as any static server would; resolves with its base URL and a close(). */
export function serveDist() {
  const server = createServer((request, response) => {
    const path = new URL(request.url, "http://x").pathname;
    const file = normalize(join(DIST, path === "/" ? "index.html" : path));
    if (!file.startsWith(DIST) || !existsSync(file)) {
      response.writeHead(404).end("not found");
      return;
    }
    response.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
    response.end(readFileSync(file));
  });
  return new Promise((done) => {
    server.listen(0, "127.0.0.1", () => {
      done({ url: `http://127.0.0.1:${server.address().port}/`, close: () => server.close() });
    });
  });
}

/**
 * Opens `url` and waits for the first check of the rules. `page.errors`
 * collects uncaught errors and whatever a Content Security Policy refused
 * (as Chromium reports it on the console, and as the page's
 * `securitypolicyviolation` events, in `window.cspViolations`).
 */
export async function openPage(browser, url) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const errors = [];
  page.on("pageerror", (error) => errors.push(error));
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) errors.push(new Error(message.text()));
  });
  await page.addInitScript(() => {
    window.cspViolations = [];
    document.addEventListener("securitypolicyviolation", (event) =>
      window.cspViolations.push(`${event.effectiveDirective}: ${event.blockedURI}`),
    );
  });
  page.errors = errors;
  await page.goto(url);
  await page.waitForSelector("body[data-checked]");
  return page;
}

/** The number of checks run so far; wait for more with `checkedAfter`. */
export async function checks(page) {
  return Number(await page.getAttribute("body", "data-checked"));
}

export async function checkedAfter(page, count) {
  await page.waitForFunction((n) => Number(document.body.dataset.checked) > n, count);
}

/**
 * The editor's text. CodeMirror draws only the lines in view, so this
 * reads the share link, which carries every file, instead.
 */
export async function rulesOf(page) {
  await page.click("#share");
  await page.waitForFunction(() => !document.getElementById("share-link").hidden);
  const link = await page.inputValue("#share-link");
  return decodeFragment(new URL(link).hash);
}

/** `#rules=z...`: the fragment the page makes for `files`. */
export async function fragmentOf(files) {
  const json = new Blob([JSON.stringify({ files })]).stream().pipeThrough(new CompressionStream("deflate-raw"));
  const bytes = Buffer.from(await new Response(json).arrayBuffer());
  return `#rules=z${bytes.toString("base64url")}`;
}

export async function decodeFragment(hash) {
  const body = hash.replace(/^#rules=/, "");
  const bytes = Buffer.from(body.slice(1), "base64url");
  const json = body[0] === "z"
    ? await new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate-raw"))).text()
    : bytes.toString("utf8");
  return JSON.parse(json).files;
}

/**
 * A HubSpot-sized connector: `endpoints` endpoints, an OAuth method
 * declaring `scopes` scopes, a private-app token, and instances; seeded,
 * so every run draws the same rules. Endpoint i needs scope `s{i % scopes}.read`
 * with `oauth`, except every fifth, which the token also activates.
 */
export function bigConnector({ endpoints = 1500, scopes = 300 } = {}) {
  const names = Array.from({ length: scopes }, (_, s) => `s${s}.read`);
  const lines = [
    "// generated: a large connector with scopes",
    "connector big {",
    "    auth private_app: token",
    `    auth oauth: oauth2_authorization_code < scopes: [${names.map((n) => JSON.stringify(n)).join(", ")}] >`,
    "",
  ];
  for (let e = 0; e < endpoints; e++) {
    const items = [`oauth(${JSON.stringify(names[e % scopes])})`];
    if (e % 5 === 0) items.unshift("private_app");
    lines.push(`    endpoint "GET /objects/${e}" < auth: [${items.join(", ")}] >`);
  }
  lines.push("}", "");
  lines.push('instance "app token" of big < auth: private_app >');
  lines.push(`instance "crm app" of big < auth: oauth, scopes: [${names.slice(0, 10).map((n) => JSON.stringify(n)).join(", ")}] >`);
  lines.push("");
  return { "big.gate": lines.join("\n") };
}
