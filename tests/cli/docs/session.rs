//! Shell sessions of the docs (```` ```console ```` blocks), run for real.
//!
//! A block is a series of commands, each a line starting with `$ ` (and the
//! lines after it while its quotes are open or it ends with `\` or `|`),
//! followed by the output it shows. Each block runs in a fresh folder
//! holding a copy of `rules/` and of `docs/examples/`, under bash, with
//! the `authgate` just built first on `PATH`, no colour and 100 columns.
//! What a command writes to standard output and standard error is read
//! together, as a terminal shows it. Each command runs in a shell of its
//! own: the working directory carries over to the next (`cd` works),
//! variables don't.
//!
//! The conventions of `trycmd`, so they read the same to anyone who knows
//! it: `[..]` in a line stands for any text within that line, and a line
//! of `...` for any number of lines. A command must exit 0 unless it ends
//! with the comment `# exit N`. A command ending with `&` must be
//! `authgate serve ...`: it is started on a free port, and the block's
//! `localhost:8181` is that server (its `listening on` line is compared
//! with the port shown as 8181); it is stopped when the block ends.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::root;

/// How long one command of a session may take.
const LIMIT: Duration = Duration::from_secs(60);

/// One command and the output the docs show for it.
struct Step {
    command: String,
    expected: Vec<String>,
}

/// Splits a block into its commands and their shown output.
fn steps(text: &str) -> Vec<Step> {
    let mut steps: Vec<Step> = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if let Some(first) = line.strip_prefix("$ ") {
            let mut command = first.to_owned();
            while !complete(&command) {
                match lines.next() {
                    Some(more) => {
                        command.push('\n');
                        command.push_str(more);
                    }
                    None => break,
                }
            }
            steps.push(Step {
                command,
                expected: Vec::new(),
            });
        } else if let Some(step) = steps.last_mut() {
            step.expected.push(line.to_owned());
        }
    }
    steps
}

/// Whether a shell command is whole: no quote left open, no trailing `\`,
/// `|` or `&&` asking for more.
fn complete(command: &str) -> bool {
    let mut quote = None;
    let mut chars = command.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, '\\') | (Some('"'), '\\') => {
                chars.next();
            }
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            _ => {}
        }
    }
    let end = command.trim_end();
    quote.is_none() && !end.ends_with('\\') && !end.ends_with('|') && !end.ends_with("&&")
}

/// The status a command must exit with: `# exit N` at its end, else 0.
fn expected_status(command: &str) -> i32 {
    command
        .rsplit_once("# exit ")
        .and_then(|(_, n)| n.trim().parse().ok())
        .unwrap_or(0)
}

/// A fresh folder for one block: `rules/` and `docs/examples/` copied in.
pub fn sandbox() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    copy(&root().join("rules"), &dir.path().join("rules"));
    copy(&root().join("docs/examples"), dir.path());
    dir
}

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("readable folder").flatten() {
        let path = entry.path();
        let target = to.join(entry.file_name());
        if path.is_dir() {
            copy(&path, &target);
        } else {
            std::fs::copy(&path, &target).expect("copy");
        }
    }
}

/// bash running `script` in `dir`, in the docs' environment.
pub fn shell(dir: &Path, script: &str) -> Command {
    let bin = Path::new(env!("CARGO_BIN_EXE_authgate"))
        .parent()
        .expect("in a folder");
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut paths = vec![bin.to_path_buf()];
    paths.extend(std::env::split_paths(&path));
    let mut command = Command::new("bash");
    command
        .arg("-c")
        .arg(script)
        .current_dir(dir)
        .env("PATH", std::env::join_paths(paths).expect("PATH"))
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .env("HOME", dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "docs")
        .env("GIT_AUTHOR_EMAIL", "docs@example.com")
        .env("GIT_COMMITTER_NAME", "docs")
        .env("GIT_COMMITTER_EMAIL", "docs@example.com")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("AUTHGATE_PROPTEST_CASES");
    command
}

/// Runs `command`, with standard input closed, until it exits or
/// [`LIMIT`] passes: its status and what it wrote to both streams.
pub fn run(mut command: Command) -> (i32, String) {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("bash runs");
    let mut stdout = child.stdout.take().expect("piped");
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        let _ = stdout.read_to_end(&mut out);
        out
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status.code().unwrap_or(-1);
        }
        if start.elapsed() > LIMIT {
            let _ = child.kill();
            break -1;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let out = reader.join().unwrap_or_default();
    (status, String::from_utf8_lossy(&out).into_owned())
}

/// A server a session started, stopped when the session ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `authgate serve ...` (the command without its `&`) on a free
/// port: the server and its `listening on` line.
fn serve(dir: &Path, command: &str) -> Result<(Server, String), String> {
    let command = command.trim_end().trim_end_matches('&');
    if !command.trim_start().starts_with("authgate serve ") {
        return Err(format!(
            "only `authgate serve ... &` may run in the background: `{command}`"
        ));
    }
    let mut child = shell(dir, &format!("exec {command} --listen 127.0.0.1:0"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("bash runs");
    let stdout = child.stdout.take().expect("piped");
    let server = Server(child);
    let (send, receive) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = send.send(line);
    });
    let line = receive
        .recv_timeout(LIMIT)
        .map_err(|_| format!("`{command}` did not say where it listens"))?;
    Ok((server, line.trim_end().to_owned()))
}

/// Runs the session of a `console` block in a fresh sandbox; the
/// differences from what the docs show, if any.
pub fn check(place: &str, text: &str) -> Vec<String> {
    let dir = sandbox();
    let cwd_file = tempfile::NamedTempFile::new().expect("temp file");
    let mut cwd = dir.path().to_path_buf();
    let mut problems = Vec::new();
    let mut servers = Vec::new();
    let mut port = None;
    for step in steps(text) {
        let (status, actual, command) = if step.command.trim_end().ends_with('&') {
            match serve(&cwd, &step.command) {
                Ok((server, line)) => {
                    let listening = line.rsplit(':').next().unwrap_or_default().to_owned();
                    servers.push(server);
                    let shown = line.replace(&format!(":{listening}"), ":8181");
                    port = Some(listening);
                    (0, shown, step.command.clone())
                }
                Err(problem) => {
                    problems.push(format!("{place}: {problem}"));
                    break;
                }
            }
        } else {
            let command = match &port {
                Some(port) => step
                    .command
                    .replace("localhost:8181", &format!("127.0.0.1:{port}")),
                None => step.command.clone(),
            };
            let script = format!(
                "exec 2>&1\n{command}\nstatus=$?\npwd > '{}'\nexit $status",
                cwd_file.path().display()
            );
            let (status, out) = run(shell(&cwd, &script));
            if let Ok(now) = std::fs::read_to_string(cwd_file.path()) {
                cwd = now.trim_end().into();
            }
            let out = match &port {
                Some(port) => out.replace(&format!("127.0.0.1:{port}"), "localhost:8181"),
                None => out,
            };
            (status, out, step.command.clone())
        };
        let want = expected_status(&command);
        if status != want || !matches(&step.expected, &actual) {
            problems.push(format!(
                "{place}: `{command}` exited {status} (the docs say {want})\n\
                 --- the docs show:\n{}\n--- it printed:\n{actual}",
                step.expected.join("\n"),
            ));
        }
    }
    drop(servers);
    problems
}

/// Whether `actual` is what `expected` shows, with `[..]` and `...`.
pub fn matches(expected: &[String], actual: &str) -> bool {
    let trim = |lines: Vec<&str>| -> Vec<String> {
        let mut lines: Vec<String> = lines.iter().map(|l| l.trim_end().to_owned()).collect();
        while lines.last().is_some_and(String::is_empty) {
            lines.pop();
        }
        while lines.first().is_some_and(String::is_empty) {
            lines.remove(0);
        }
        lines
    };
    let expected = trim(expected.iter().map(String::as_str).collect());
    let actual = trim(actual.lines().collect());
    lines_match(&expected, &actual)
}

fn lines_match(expected: &[String], actual: &[String]) -> bool {
    match expected.split_first() {
        None => actual.is_empty(),
        Some((first, rest)) if first == "..." => {
            (0..=actual.len()).any(|skip| lines_match(rest, &actual[skip..]))
        }
        Some((first, rest)) => actual
            .split_first()
            .is_some_and(|(line, more)| line_matches(first, line) && lines_match(rest, more)),
    }
}

/// Whether `line` is `pattern`, where each `[..]` stands for any text.
pub fn line_matches(pattern: &str, line: &str) -> bool {
    let parts: Vec<&str> = pattern.split("[..]").collect();
    if parts.len() == 1 {
        return pattern == line;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !line.starts_with(first) || !line[first.len()..].ends_with(last) {
        return false;
    }
    let mut rest = &line[first.len()..line.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    true
}

#[test]
fn elisions_match_what_they_say_and_nothing_else() {
    let lines = |s: &str| s.lines().map(str::to_owned).collect::<Vec<_>>();
    assert!(matches(&lines("a\n...\nd"), "a\nb\nc\nd"));
    assert!(matches(&lines("a\n...\nd"), "a\nd"));
    assert!(!matches(&lines("a\n...\nd"), "a\nb"));
    assert!(matches(
        &lines("digest sha256:[..] ok"),
        "digest sha256:9b30 ok"
    ));
    assert!(!matches(
        &lines("digest sha256:[..] ok"),
        "digest sha256:9b30 ko"
    ));
    assert!(!matches(&lines("a\nb"), "a\nb\nc"));
    assert!(line_matches("[..]x[..]", "axa"));
    assert!(!line_matches("ab[..]ba", "aba"));
}

#[test]
fn a_command_runs_on_while_its_quotes_are_open() {
    let steps = steps("$ echo '{\n  \"a\": 1}' | \\\n  cat # exit 0\n{\n  \"a\": 1}\n$ true");
    assert_eq!(steps.len(), 2);
    assert_eq!(
        steps[0].command,
        "echo '{\n  \"a\": 1}' | \\\n  cat # exit 0"
    );
    assert_eq!(steps[0].expected, ["{", "  \"a\": 1}"]);
    assert_eq!(expected_status("authgate explain a b # exit 1"), 1);
}
