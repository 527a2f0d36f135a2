//! `authgate fmt [PATH...] [--check]`: rewrite rule files in the canonical
//! layout, or show what would change. `authgate fmt -` is the filter form
//! an editor formats on save through: rules on standard input, the
//! formatted text on standard output, diagnostics on standard error.

use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use authgate::Sources;
use authgate::source::SourceFile;
use clap::Args;

use super::failure::{Failure, Outcome};
use super::load::{self, LoadError};
use super::output::{err, plural, print_diagnostics, say};

#[derive(Debug, Args)]
pub struct FmtArgs {
    /// Rule files, or folders searched recursively for `*.gate` files;
    /// default: the rule set of `authgate.toml`, else `rules`. `-` (alone)
    /// reads rules from standard input and writes them formatted to
    /// standard output.
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Change nothing: print a unified diff of what would change, and fail
    /// (exit 1) if anything would.
    #[arg(long)]
    check: bool,
    /// With `-`: the name standard input goes by in diagnostics and diffs
    /// (an editor passes the buffer's path); default `<stdin>`.
    #[arg(long, value_name = "PATH")]
    stdin_filepath: Option<String>,
}

pub fn run(args: FmtArgs, limit: u64) -> Outcome {
    let stdin = args.paths.iter().any(|path| path.as_os_str() == "-");
    if stdin && args.paths.len() > 1 {
        return Err(Failure::message(
            "`-` (standard input) can't be combined with other paths",
        ));
    }
    if stdin {
        let name = args.stdin_filepath.unwrap_or_else(|| "<stdin>".to_owned());
        return run_stdin(name, args.check, limit);
    }
    if args.stdin_filepath.is_some() {
        return Err(Failure::message(
            "`--stdin-filepath` names standard input: pass `-` as the only path",
        ));
    }
    let sources = load::sources(&load::paths(&args.paths)?, limit)?;
    let mut broken = 0;
    let mut changed = 0;
    for file in sources.iter() {
        let Some(formatted) = formatted(&sources, file) else {
            broken += 1;
            continue;
        };
        if formatted == file.text() {
            continue;
        }
        changed += 1;
        if args.check {
            print_diff(file, &formatted);
        } else {
            replace(Path::new(file.name()), &formatted).map_err(|error| {
                Failure::message(format!("cannot write `{}`: {error}", file.name()))
            })?;
        }
    }
    let verb = if args.check {
        "would reformat"
    } else {
        "reformatted"
    };
    err(format_args!(
        "{verb} {}, {} already formatted{}",
        plural(changed, "file"),
        sources.len() - changed - broken,
        if broken > 0 {
            format!(", {} not parsed (left alone)", plural(broken, "file"))
        } else {
            String::new()
        }
    ));
    Ok(if broken > 0 || (args.check && changed > 0) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// `fmt -`: standard input to standard output. The statuses are those of a
/// file: 1 when the text does not parse (nothing is written, so an editor
/// keeps its buffer) or would change under `--check`; 2 when it can't run.
/// No summary line: an editor shows whatever lands on standard error.
fn run_stdin(name: String, check: bool, limit: u64) -> Outcome {
    let mut bytes = Vec::new();
    if let Err(reason) = std::io::stdin()
        .lock()
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
    {
        return Err(LoadError::Read { path: name, reason }.into());
    }
    if bytes.len() as u64 > limit {
        return Err(LoadError::TooLarge {
            path: name,
            size: bytes.len() as u64,
            limit,
        }
        .into());
    }
    let mut sources = Sources::new();
    sources.add_bytes(name, bytes);
    let Some(file) = sources.iter().next() else {
        return Ok(ExitCode::from(2));
    };
    let Some(formatted) = formatted(&sources, file) else {
        return Ok(ExitCode::FAILURE);
    };
    if check {
        if formatted == file.text() {
            return Ok(ExitCode::SUCCESS);
        }
        print_diff(file, &formatted);
        return Ok(ExitCode::FAILURE);
    }
    // The text itself, byte for byte: not `say`, which escapes.
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(formatted.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|error| Failure::Output(format!("cannot write to standard output: {error}")))?;
    Ok(ExitCode::SUCCESS)
}

/// The canonical layout of `file`, or `None` with its syntax error printed.
fn formatted(sources: &Sources, file: &SourceFile) -> Option<String> {
    match authgate::syntax::parse(sources, file) {
        Ok(tree) => Some(authgate::syntax::format::format(&tree, file)),
        Err(diagnostic) => {
            print_diagnostics(std::slice::from_ref(&*diagnostic));
            None
        }
    }
}

/// Prints a unified diff from `file` to `formatted` on standard output.
fn print_diff(file: &SourceFile, formatted: &str) {
    let diff = similar::TextDiff::from_lines(file.text(), formatted);
    let name = file.name();
    // The file's text, for people: hidden characters escaped.
    say(format_args!(
        "{}",
        diff.unified_diff()
            .context_radius(3)
            .header(name, &format!("{name} (formatted)"))
    ));
}

/// Writes `text` to a temporary file beside the file `path` names and
/// renames it over that file: a crash leaves either the old file or the
/// new one, never half of one. The file keeps its permissions.
///
/// A symbolic link is followed to its target, which is rewritten in its
/// own folder (a rename can't cross file systems), so the link stays a
/// link: renaming over the link would replace it with a copy and leave the
/// real file unformatted.
fn replace(path: &Path, text: &str) -> std::io::Result<()> {
    let target = std::fs::canonicalize(path)?;
    let folder = target.parent().unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temporary = folder.join(format!(".{name}.authgate-fmt.{}", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&temporary)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        if let Ok(metadata) = std::fs::metadata(&target) {
            std::fs::set_permissions(&temporary, metadata.permissions())?;
        }
        std::fs::rename(&temporary, &target)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result
}
