// docs/playground.png: the playground in headless Chromium (1400x900) on
// a small CRM connector with scopes, the instance `reader` picked, the
// reason of one cell shown and a warning's hover open. Run after `npm
// run build`: `node web/scripts/screenshot.mjs`.
import { join } from "node:path";

import { ROOT, fragmentOf, launch, openPage, serveDist } from "../test/support.mjs";

const HUBSPOT = `// A CRM connector: a private-app token for scripts, OAuth for apps that
// hold only the scopes their users granted.
connector hubspot {
    auth private_app: token
    auth oauth: oauth2_authorization_code < scopes: ["contacts.read", "contacts.write", "deals.read", "deals.write", "files"] >

    endpoint "GET /contacts"  < auth: [private_app, oauth("contacts.read")] >
    endpoint "POST /contacts" < auth: [private_app, oauth("contacts.write")] >
    endpoint "GET /deals"     < auth: [private_app, oauth("deals.read")] >
    endpoint "POST /deals"    < auth: [oauth("deals.write", "contacts.read")] >
    endpoint "GET /files"     < auth: [oauth("files"), oauth("files", "contacts.read")] >
    endpoint "GET /owners"    < auth: [private_app] >
}

instance reader of hubspot < auth: oauth, scopes: ["contacts.read", "deals.read"] >
instance scripts of hubspot < auth: private_app >
`;

const browser = await launch();
const site = await serveDist();
const page = await openPage(browser, site.url + (await fragmentOf({ "hubspot.gate": HUBSPOT })));
await page.selectOption("#instance", "i:reader");
await page.locator(".row", { hasText: "POST /deals" }).locator(".sees").click();
await page.locator(".cm-lintRange-warning").hover();
await page.locator(".cm-tooltip-lint").waitFor();
await page.screenshot({ path: join(ROOT, "docs", "playground.png") });
await browser.close();
site.close();
