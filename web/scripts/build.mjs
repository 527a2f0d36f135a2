// Builds the playground into web/dist/: one static page, no code on a
// server. esbuild bundles src/main.js (CodeMirror and the npm package
// `authgate`, a `file:` dependency on bindings/js, so the page runs the
// package exactly as published) into app.js; the package's WebAssembly
// module is copied beside it, where the package looks for it (`new
// URL("./authgate.wasm", import.meta.url)`); the shipped rules/ are
// bundled as the page's default content.
//
// The package must be built first: `npm --prefix bindings/js run build`.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { build } from "esbuild";

const here = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const root = resolve(here, "..");
const dist = join(here, "dist");
const wasm = join(root, "bindings", "js", "authgate.wasm");
/** The empty file that keeps web/dist in git (see build.rs). */
const KEEP = ".keep";

if (!existsSync(wasm)) {
  console.error(
    "web: bindings/js/authgate.wasm is missing: build the package first with " +
      "`npm --prefix bindings/js ci && npm --prefix bindings/js run build`",
  );
  process.exit(1);
}

/** The shipped rule files, `{name: text}`, sorted by name. */
function shippedRules() {
  const folder = join(root, "rules");
  const files = {};
  for (const name of readdirSync(folder).sort()) {
    if (name.endsWith(".gate")) files[name] = readFileSync(join(folder, name), "utf8");
  }
  return files;
}

// `import shipped from "shipped-rules"` in the page: the rules as JSON.
const shippedRulesPlugin = {
  name: "shipped-rules",
  setup(b) {
    b.onResolve({ filter: /^shipped-rules$/ }, () => ({ path: "shipped-rules", namespace: "rules" }));
    b.onLoad({ filter: /.*/, namespace: "rules" }, () => ({
      contents: JSON.stringify(shippedRules()),
      loader: "json",
    }));
  },
};

// Emptied, not removed: git keeps the folder with `.keep`, and build.rs
// watches the folder (a path that comes and goes would rebuild authgate).
mkdirSync(dist, { recursive: true });
for (const name of readdirSync(dist)) {
  if (name !== KEEP) rmSync(join(dist, name), { recursive: true, force: true });
}
await build({
  entryPoints: [join(here, "src", "main.js")],
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  minify: true,
  sourcemap: false,
  legalComments: "eof",
  // The package reads its module with node:fs under Node.js only.
  external: ["node:fs/promises"],
  outfile: join(dist, "app.js"),
  plugins: [shippedRulesPlugin],
  logLevel: "warning",
});
copyFileSync(wasm, join(dist, "authgate.wasm"));
for (const file of ["index.html", "style.css"]) {
  copyFileSync(join(here, "src", file), join(dist, file));
}
const size = readdirSync(dist)
  .filter((name) => name !== KEEP)
  .map((name) => `${name} ${(readFileSync(join(dist, name)).length / 1024).toFixed(0)} KiB`)
  .join(", ");
console.log(`web/dist: ${size}`);
