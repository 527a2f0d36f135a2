//! `authgate fmt [PATH...] [--check]`: rewrite rule files in the canonical
//! layout, or show what would change.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;

use super::{Outcome, err, load, plural, print_diagnostics, say, tell};

#[derive(Debug, Args)]
pub struct FmtArgs {
    /// Rule files, or folders searched recursively for `*.gate` files;
    /// default: the rule set of `authgate.toml`, else `rules`.
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Change nothing: print a unified diff of what would change, and fail
    /// (exit 1) if anything would.
    #[arg(long)]
    check: bool,
}

pub fn run(args: FmtArgs, limit: u64) -> Outcome {
    let sources = load::load(&super::project::paths(&args.paths), limit)?;
    let mut broken = 0;
    let mut changed = 0;
    for file in sources.iter() {
        let tree = match authgate::syntax::parse(&sources, file) {
            Ok(tree) => tree,
            Err(diagnostic) => {
                print_diagnostics(std::slice::from_ref(&*diagnostic));
                broken += 1;
                continue;
            }
        };
        let formatted = authgate::format::format(&tree, file);
        if formatted == file.text() {
            continue;
        }
        changed += 1;
        if args.check {
            let diff = similar::TextDiff::from_lines(file.text(), &formatted);
            let name = file.name();
            // The file's text, for people: hidden characters escaped.
            say(format_args!(
                "{}",
                diff.unified_diff()
                    .context_radius(3)
                    .header(name, &format!("{name} (formatted)"))
            ));
        } else if let Err(error) = replace(Path::new(file.name()), &formatted) {
            tell(format_args!(
                "error: cannot write `{}`: {error}",
                file.name()
            ));
            return Ok(ExitCode::from(2));
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

/// Writes `text` to a temporary file beside `path` and renames it over
/// `path`: a crash leaves either the old file or the new one, never half
/// of one. The file keeps its permissions.
fn replace(path: &Path, text: &str) -> std::io::Result<()> {
    let folder = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temporary = folder.join(format!(".{name}.authgate-fmt.{}", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&temporary)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        if let Ok(metadata) = std::fs::metadata(path) {
            std::fs::set_permissions(&temporary, metadata.permissions())?;
        }
        std::fs::rename(&temporary, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result
}
