//! `authgate digest [PATH...]`: the bundle digest of a rule set (see
//! [`authgate::project::digest`]), as `serve` reports it and `sign` signs it.

use std::path::PathBuf;
use std::process::ExitCode;

use authgate::project::digest::{BundleFile, Manifest};
use clap::Args;
use serde::Serialize;

use super::failure::Outcome;
use super::load::{self, Given};
use super::output::{Format, print_json, say};

#[derive(Debug, Args)]
pub struct DigestArgs {
    /// Rule files, or folders searched recursively for `*.gate` files;
    /// default: the rule set of `authgate.toml`, else `rules`.
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Output format: the digest alone, or JSON with every file's hash.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// The document `digest --format json` prints.
#[derive(Serialize)]
struct DigestJson<'m> {
    digest: &'m str,
    files: &'m [BundleFile],
}

pub fn run(args: DigestArgs, limit: u64) -> Outcome {
    let rule_set = load::rule_set(&args.paths, limit, Given::Instead)?;
    let manifest = Manifest::of(&rule_set.sources);
    match args.format {
        Format::Human => say(format_args!("{}", manifest.digest())),
        Format::Json => print_json(&DigestJson {
            digest: manifest.digest(),
            files: manifest.files(),
        }),
    }
    Ok(ExitCode::SUCCESS)
}
