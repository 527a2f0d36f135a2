//! Tells the binary which commit it was built from, for `authgate
//! --version`: `AUTHGATE_COMMIT` is the short hash and commit date of
//! `HEAD` ("5b2d025 2026-12-06") when this crate is built from its own git
//! checkout, and "built outside git" otherwise (the published crate,
//! a source archive, or a checkout whose git is missing).
//!
//! Only a repository whose top level is this crate's folder counts: the
//! published crate unpacked inside some other repository (a home folder
//! kept in git, `cargo package`'s own check under `target/package/`) must
//! not claim that repository's commit.
//!
//! Cargo runs this again when `HEAD` moves (a commit, a checkout): it
//! watches `HEAD`, the branch it names and `packed-refs`, wherever git
//! keeps them (a worktree keeps `HEAD` apart from the refs).

use std::path::{Path, PathBuf};
use std::process::Command;

const OUTSIDE_GIT: &str = "built outside git";

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let commit = commit(&manifest_dir).unwrap_or_else(|| OUTSIDE_GIT.to_owned());
    println!("cargo:rustc-env=AUTHGATE_COMMIT={commit}");
}

/// "HASH DATE" of `HEAD`, when `dir` is the top level of a git checkout;
/// registers the files that say where `HEAD` is.
fn commit(dir: &Path) -> Option<String> {
    let top = git(dir, &["rev-parse", "--show-toplevel"])?;
    if !same_folder(Path::new(&top), dir) {
        return None;
    }
    for name in ["HEAD", "packed-refs"] {
        watch(dir, name);
    }
    if let Some(branch) = git(dir, &["symbolic-ref", "-q", "HEAD"]) {
        watch(dir, &branch);
    }
    git(dir, &["log", "-1", "--format=%h %cs"])
}

/// Asks cargo to rerun this script when git's file `name` changes, if it
/// exists (a missing file would make cargo rerun it on every build).
fn watch(dir: &Path, name: &str) {
    if let Some(path) = git(dir, &["rev-parse", "--git-path", name]) {
        let path = dir.join(path);
        if path.exists() {
            println!("cargo:rerun-if-changed={}", path.display());
        }
    }
}

fn same_folder(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// The trimmed output of a git command run in `dir`; `None` when git is
/// missing, fails or prints nothing.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8(output.stdout).ok()?;
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}
