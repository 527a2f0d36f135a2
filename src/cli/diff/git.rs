//! The rule set at a git revision, read with the `git` binary (`git
//! ls-tree` for the file names, one `git cat-file --batch` for their
//! contents) rather than a git crate: no libgit2 to build, and the
//! revision means exactly what it means to the user's own git (its
//! config, worktrees, shallow clones, `origin/main` in a CI checkout).

use std::path::{Path, PathBuf};
use std::process::Command;

use authgate::Sources;

use crate::cli::failure::Failure;

/// Runs git with `args`; its standard output, or what it said.
fn git(args: &[&str]) -> Result<Vec<u8>, String> {
    let output = Command::new("git")
        .args(args)
        .output()
        .map_err(|error| format!("cannot run `git`: {error}"))?;
    if output.status.success() {
        Ok(output.stdout)
    } else {
        Err(String::from_utf8_lossy(&output.stderr).trim().to_owned())
    }
}

/// The rule files under `paths` as of revision `rev`: a path that is a
/// file at `rev` is read whatever its name; below a folder, `*.gate`
/// files not under a name beginning with `.`, as the loader walks them.
/// A path missing at `rev` contributes nothing (the rules are new).
pub(super) fn at_revision(rev: &str, paths: &[PathBuf], limit: u64) -> Result<Sources, Failure> {
    let commit = format!("{rev}^{{commit}}");
    if git(&["rev-parse", "--verify", "--quiet", &commit]).is_err() {
        return Err(Failure::message(format!(
            "`{rev}` is not a git revision here"
        )));
    }
    let mut args = vec!["ls-tree", "-r", "--name-only", "-z", rev, "--"];
    let given: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    args.extend(given.iter().map(String::as_str));
    // git lists names without `./`: compare them that way.
    let given: Vec<PathBuf> = paths
        .iter()
        .map(|p| {
            p.components()
                .filter(|c| *c != std::path::Component::CurDir)
                .collect()
        })
        .collect();
    let listed = git(&args).map_err(|message| {
        Failure::message(format!("cannot list the files of `{rev}`: {message}"))
    })?;
    let mut names: Vec<String> = listed
        .split(|&b| b == 0)
        .filter(|name| !name.is_empty())
        .map(|name| String::from_utf8_lossy(name).into_owned())
        .filter(|name| {
            let path = Path::new(name);
            // As the loader walks a folder: names below it that begin
            // with `.` are skipped.
            let hidden = |below: &Path| {
                below
                    .components()
                    .any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
            };
            given.iter().any(|g| g == path)
                || (path.extension().is_some_and(|e| e == "gate")
                    && given
                        .iter()
                        .any(|g| path.strip_prefix(g).is_ok_and(|below| !hidden(below))))
        })
        .collect();
    names.sort();
    names.dedup();
    let files = cat_files(rev, &names, limit).map_err(Failure::Message)?;
    let mut sources = Sources::new();
    for (name, bytes) in names.into_iter().zip(files) {
        sources.add_bytes(name, bytes);
    }
    Ok(sources)
}

/// The contents of `names` (relative to the current folder) at `rev`, in
/// order, read by one `git cat-file --batch` (not one process per file);
/// symbolic links inside the tree are followed, as the loader follows
/// them on disk.
fn cat_files(rev: &str, names: &[String], limit: u64) -> Result<Vec<Vec<u8>>, String> {
    use std::io::{BufRead as _, Read as _, Write as _};
    if let Some(name) = names.iter().find(|name| name.contains('\n')) {
        return Err(format!(
            "cannot read `{}` at `{rev}`: its name holds a line break",
            name.escape_debug()
        ));
    }
    let mut child = Command::new("git")
        .args(["cat-file", "--batch", "--follow-symlinks"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|error| format!("cannot run `git`: {error}"))?;
    let (Some(mut stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
        return Err("cannot talk to `git cat-file`".to_owned());
    };
    // Written from a thread: git answers while it reads, and a full pipe
    // each way would otherwise stop both.
    let requests: String = names
        .iter()
        .map(|name| format!("{rev}:./{name}\n"))
        .collect();
    let writer = std::thread::spawn(move || stdin.write_all(requests.as_bytes()));
    let mut reader = std::io::BufReader::new(stdout);
    let mut files = Vec::with_capacity(names.len());
    let mut failure = None;
    for name in names {
        let mut header = String::new();
        if reader.read_line(&mut header).map_err(|e| e.to_string())? == 0 {
            failure = Some(format!(
                "cannot read `{name}` at `{rev}`: git stopped answering"
            ));
            break;
        }
        let fields: Vec<&str> = header.split_whitespace().collect();
        let size = match fields.as_slice() {
            [_, "blob", size] => size.parse::<u64>().ok(),
            _ => None,
        };
        let Some(size) = size else {
            let what = header.trim();
            failure = Some(format!(
                "cannot read `{name}` at `{rev}`: git says `{what}`"
            ));
            break;
        };
        if size > limit {
            failure = Some(format!(
                "`{name}` at `{rev}` is {size} bytes, over the limit of {limit}"
            ));
            break;
        }
        let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
        (&mut reader)
            .take(size)
            .read_to_end(&mut bytes)
            .map_err(|e| e.to_string())?;
        let mut newline = [0u8; 1];
        reader.read_exact(&mut newline).map_err(|e| e.to_string())?;
        files.push(bytes);
    }
    if failure.is_some() {
        let _ = child.kill();
    }
    let _ = writer.join();
    let _ = child.wait();
    match failure {
        Some(message) => Err(message),
        None => Ok(files),
    }
}
