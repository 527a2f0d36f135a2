// Builds authgate.wasm beside index.js: the crate in this folder, in
// release (size-optimised, see Cargo.toml), for wasm32-unknown-unknown.
// Installs the target with rustup when it is missing. Needs a Rust
// toolchain (cargo, rustup); nothing else: no generated glue, no
// wasm-bindgen.
import { execFileSync } from "node:child_process";
import { copyFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const root = resolve(here, "../..");
const target = "wasm32-unknown-unknown";
// The repository's target folder, which its .gitignore already covers.
const targetDir = process.env.CARGO_TARGET_DIR ?? join(root, "target", "js");

function run(command, args) {
  execFileSync(command, args, { stdio: "inherit", cwd: here });
}

let installed = "";
try {
  installed = execFileSync("rustup", ["target", "list", "--installed"], {
    cwd: here,
    encoding: "utf8",
  });
} catch {
  // No rustup: the toolchain is set up some other way; cargo will say
  // if the target is missing.
  installed = target;
}
if (!installed.split("\n").includes(target)) {
  run("rustup", ["target", "add", target]);
}
run("cargo", [
  "build",
  "--release",
  "--locked",
  "--target",
  target,
  "--target-dir",
  targetDir,
  "--manifest-path",
  join(here, "Cargo.toml"),
]);
copyFileSync(join(targetDir, target, "release", "authgate_js.wasm"), join(here, "authgate.wasm"));
