//! Builds the playground page into the binary for `authgate serve --ui`,
//! when it has been built: the files of `web/dist` (made by `npm --prefix
//! web run build`, see docs/playground.md) become a table in `OUT_DIR`.
//! Without them (a fresh clone, the published crate) the table is empty,
//! everything else builds and works, and `serve --ui` says which commands
//! build the page. Nothing here runs npm: a Rust build needs no Node.js.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

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
    if std::env::var_os("CARGO_FEATURE_SERVE").is_some() {
        if dist.join("index.html").is_file() {
            // A folder is watched whole: any file added, changed or removed.
            println!("cargo:rerun-if-changed={}", dist.display());
            for path in files(&dist) {
                let Ok(relative) = path.strip_prefix(&dist) else {
                    continue;
                };
                let name = relative.to_string_lossy().replace('\\', "/");
                let _ = writeln!(
                    table,
                    "    ({name:?}, include_bytes!({:?})),",
                    path.display().to_string()
                );
            }
        } else if root.join("web").is_dir() {
            // Not built: watch web/ (a missing path would make cargo run
            // this script on every build), so a page built later is
            // picked up by the next build.
            println!("cargo:rerun-if-changed={}", root.join("web").display());
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
