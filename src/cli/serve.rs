//! `authgate serve`, `authgate sign` and `authgate keygen`: the decision
//! service of [`authgate::serve`] and the keys and
//! signatures it can require.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use authgate::project::digest::Manifest;
use authgate::serve::{
    self, DecisionLog, Limits, ServeOptions, Snapshot, Source, State, signature,
};
use clap::Args;

use super::failure::{Failure, Outcome};
use super::load::{self, Given};
use super::output::{print_diagnostics, say};

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Rule files, or folders searched recursively for `*.gate` files;
    /// default: the rule set of `authgate.toml`, else `rules`.
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Address to listen on; port 0 picks a free one.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8181")]
    listen: String,
    /// Reload when the rule files change (their digest is polled; see
    /// --watch-interval). SIGHUP reloads in any case.
    #[arg(long)]
    watch: bool,
    /// How often --watch polls the digest.
    #[arg(long, value_name = "DURATION", default_value = "2s", value_parser = parse_duration)]
    watch_interval: Duration,
    /// Require the rules to be signed with this key's secret half
    /// (`authgate.sig`, see `authgate sign`), at startup and every reload.
    #[arg(long, value_name = "PREFIX.pub")]
    verify_key: Option<PathBuf>,
    /// Write one JSON line per decision to this file (appended), or `-`
    /// for standard error.
    #[arg(long, value_name = "PATH")]
    decision_log: Option<PathBuf>,
    /// Largest request body (bytes, or with KiB, MiB); 413 above.
    #[arg(long, value_name = "SIZE", default_value = "1MiB", value_parser = load::parse_size)]
    max_body: u64,
    /// Most requests in one batch; 413 above.
    #[arg(long, value_name = "N", default_value_t = 10_000)]
    max_batch: usize,
    /// Longest a request may take, body included; 408 after.
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_duration)]
    timeout: Duration,
    /// On SIGTERM or SIGINT, longest to wait for requests in flight.
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_duration)]
    shutdown_timeout: Duration,
    /// Also serve the playground page at /ui/ over these rules,
    /// read-only: the rule files, the connectors' grids and what each
    /// instance sees, decided in the browser.
    #[arg(long)]
    ui: bool,
}

#[derive(Debug, Args)]
pub struct SignArgs {
    /// The secret key (`authgate keygen` writes it).
    #[arg(long, value_name = "PREFIX.key")]
    key: PathBuf,
    /// Rule files or folders, as `serve` is given them; the signature is
    /// written into the first (beside it, for a file).
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// Writes PREFIX.key (secret, mode 0600) and PREFIX.pub.
    #[arg(long, value_name = "PREFIX")]
    out: PathBuf,
}

/// Parses a duration: `10s`, `500ms`, `2m`, `1h`.
fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let number: u64 = digits
        .parse()
        .map_err(|_| format!("`{text}` is not a duration: write e.g. 10s or 500ms"))?;
    let duration = match unit {
        "ms" => Duration::from_millis(number),
        "s" => Duration::from_secs(number),
        "m" => Duration::from_secs(number.saturating_mul(60)),
        "h" => Duration::from_secs(number.saturating_mul(3600)),
        _ => return Err(format!("`{text}` needs a unit: ms, s, m or h")),
    };
    Ok(duration)
}

/// Why the command stops: `message`.
fn stop(message: std::fmt::Arguments<'_>) -> Failure {
    Failure::message(message.to_string())
}

pub fn run(args: ServeArgs, limit: u64) -> Outcome {
    if args.ui && !serve::ui::built() {
        return Err(stop(format_args!(
            "--ui: this authgate was built without the playground page; build the page with `{}`, then build authgate again",
            serve::ui::BUILD_COMMANDS
        )));
    }
    // Signal handlers before the rules are read (see `Server::prepare`).
    let server = serve::Server::prepare()
        .map_err(|error| stop(format_args!("cannot start the server: {error}")))?;
    let verify_key = match &args.verify_key {
        Some(path) => {
            Some(signature::read_public_key(path).map_err(|error| stop(format_args!("{error}")))?)
        }
        None => None,
    };
    let rule_set = load::rule_set(&args.paths, limit, Given::Instead)?;
    let compiled = authgate::compile_with(&rule_set.sources, &rule_set.lints);
    let warnings: Vec<_> = compiled.diagnostics.clone();
    let (policy, _) = load::usable(compiled)?;
    print_diagnostics(&warnings);
    let mut options = authgate::Options::default();
    options.max_file_size = limit;
    options.lints = rule_set.lints.clone();
    let mut source = Source::new(rule_set.paths.clone(), options);
    source.verify_key = verify_key;
    // The page of --ui shows the rule texts serving: only then are they
    // kept in memory beside the policy.
    let snapshot = if args.ui {
        Snapshot::keeping(policy, rule_set.sources)
    } else {
        Snapshot::new(policy, &rule_set.sources)
    };
    source
        .verify(&snapshot.digest)
        .map_err(|error| stop(format_args!("{error}")))?;
    let mut limits = Limits::default();
    limits.max_body = usize::try_from(args.max_body).unwrap_or(usize::MAX);
    limits.max_batch = args.max_batch;
    limits.timeout = args.timeout;
    let mut state = State::new(snapshot, Some(source), limits);
    if args.ui {
        state = state.with_ui();
    }
    if let Some(path) = &args.decision_log {
        let output: Box<dyn std::io::Write + Send> = if path.as_os_str() == "-" {
            Box::new(std::io::stderr())
        } else {
            let file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .map_err(|error| {
                    stop(format_args!(
                        "cannot open the decision log `{}`: {error}",
                        path.display()
                    ))
                })?;
            Box::new(file)
        };
        let log = DecisionLog::start(output)
            .map_err(|error| stop(format_args!("cannot start the decision log: {error}")))?;
        state = state.with_decision_log(log);
    }
    let mut options = ServeOptions::new(args.listen.clone());
    options.watch = args.watch.then_some(args.watch_interval);
    options.shutdown_timeout = args.shutdown_timeout;
    server
        .run(state, &options, |address| {
            let mut stdout = std::io::stdout().lock();
            let _ = writeln!(stdout, "listening on http://{address}");
            let _ = stdout.flush();
        })
        .map_err(|error| stop(format_args!("cannot serve on `{}`: {error}", args.listen)))?;
    Ok(ExitCode::SUCCESS)
}

pub fn sign(args: SignArgs, limit: u64) -> Outcome {
    let key =
        signature::read_secret_key(&args.key).map_err(|error| stop(format_args!("{error}")))?;
    let rule_set = load::rule_set(&args.paths, limit, Given::Instead)?;
    let manifest = Manifest::of(&rule_set.sources);
    let path = signature::signature_path(&rule_set.paths);
    std::fs::write(&path, signature::sign(&key, manifest.digest()))
        .map_err(|error| stop(format_args!("cannot write `{}`: {error}", path.display())))?;
    say(format_args!(
        "signed {} in {}",
        manifest.digest(),
        path.display()
    ));
    Ok(ExitCode::SUCCESS)
}

pub fn keygen(args: KeygenArgs) -> Outcome {
    let key = signature::generate().map_err(|error| stop(format_args!("{error}")))?;
    let with = |extension: &str| {
        let mut name = args.out.clone().into_os_string();
        name.push(extension);
        PathBuf::from(name)
    };
    let (secret, public) = (with(".key"), with(".pub"));
    write_new(&secret, &signature::secret_key_text(&key), true)?;
    write_new(
        &public,
        &signature::public_key_text(&key.verifying_key()),
        false,
    )?;
    say(format_args!(
        "wrote {} (secret: keep it out of the rules' repository) and {}",
        secret.display(),
        public.display()
    ));
    Ok(ExitCode::SUCCESS)
}

/// Writes a file that must not exist yet (a key is never overwritten);
/// `secret`: readable by its owner only.
fn write_new(path: &Path, text: &str, secret: bool) -> Result<(), Failure> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(if secret { 0o600 } else { 0o644 });
    }
    #[cfg(not(unix))]
    let _ = secret;
    options
        .open(path)
        .and_then(|mut file| file.write_all(text.as_bytes()))
        .map_err(|error| stop(format_args!("cannot write `{}`: {error}", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert!(parse_duration("10").is_err());
        assert!(parse_duration("s").is_err());
        assert!(parse_duration("1.5s").is_err());
    }
}
