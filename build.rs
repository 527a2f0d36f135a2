//! Builds the playground page into the binary for `authgate serve --ui`,
//! when it has been built: the files of `web/dist` (made by `npm --prefix
//! web run build`, see docs/playground.md) become a table in `OUT_DIR`.
//! Without them (a fresh clone, the published crate) the table is empty,
//! everything else builds and works, and `serve --ui` says which commands
//! build the page. Nothing here runs npm: a Rust build needs no Node.js.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The empty file that keeps `web/dist` in git, not part of the page.
const KEEP: &str = ".keep";

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let dist = root.join("web").join("dist");
    let mut table = String::from(
        "/// The playground's files, by path under `/ui/`: empty when `web/dist`\n\
         /// was not built before this binary.\n\
         pub(super) static FILES: &[(&str, &[u8])] = &[\n",
    );
    // Only the server serves them; other builds (the lean library, the
    // WebAssembly module) carry an empty table.
    if std::env::var_os("CARGO_FEATURE_SERVE").is_some() && dist.is_dir() {
        // Only web/dist: the page as built. A folder is watched whole (any
        // file added, changed or removed), so a page built later is picked
        // up by the next build, and editing web/src or installing
        // web/node_modules rebuilds nothing. The folder is always there:
        // git keeps its `.keep`, and web/scripts/build.mjs empties it
        // without removing it (a missing path would make cargo run this
        // script, and build the crate again, on every build).
        println!("cargo:rerun-if-changed={}", dist.display());
        if dist.join("index.html").is_file() {
            for path in files(&dist) {
                let Ok(relative) = path.strip_prefix(&dist) else {
                    continue;
                };
                let name = relative.to_string_lossy().replace('\\', "/");
                if name == KEEP {
                    continue;
                }
                let _ = writeln!(
                    table,
                    "    ({name:?}, include_bytes!({:?})),",
                    path.display().to_string()
                );
            }
        }
    }
    table.push_str("];\n");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    if let Err(error) = std::fs::write(out.join("ui_files.rs"), table) {
        println!("cargo:warning=cannot write the playground's table: {error}");
    }
}

/// The files under `folder`, sorted, recursively.
fn files(folder: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![folder.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}
