//! `authgate eval`: batch decisions, NDJSON in, NDJSON out.
//!
//! Streams: one request line in, one decision line out, in order, with
//! buffered I/O and buffers reused from line to line, so memory does not
//! grow with the number of requests. A line that is not a valid request
//! gets an error object and processing goes on. A runtime instance may
//! name the scopes it holds (`"scopes": [...]`); its answer then says
//! which item granted the endpoint or came closest, and what it lacks.

use std::io::{self, BufRead, Write};
use std::process::ExitCode;

use authgate::Policy;
use authgate::policy::request::{Request, RequestError, write_str};
use clap::Args;

use super::failure::{Failure, Outcome};
use super::load;
use super::query::RulesArgs;

#[derive(Debug, Args)]
pub struct EvalArgs {
    #[command(flatten)]
    rules: RulesArgs,
}

pub fn run(args: EvalArgs, limit: u64) -> Outcome {
    let policy = load::policy(&args.rules.rules, limit)?;
    let stdin = io::stdin().lock();
    let stdout = io::stdout().lock();
    match evaluate(
        &policy,
        io::BufReader::with_capacity(1 << 16, stdin),
        // `evaluate` gathers its answers itself.
        stdout,
    ) {
        Ok(0) => Ok(ExitCode::SUCCESS),
        Ok(_) => Ok(ExitCode::FAILURE),
        // The reader went away (`| head`): nothing more to say.
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        Err(error) => Err(Failure::Output(format!("eval: {error}"))),
    }
}

/// How many bytes of answers are gathered before they are written out.
const WRITE_AT: usize = 1 << 16;

/// Answers every request line of `input` on `output`; returns how many
/// lines were not valid requests.
///
/// Lines are read in place, in the reader's buffer; only a line that runs
/// past the end of what the buffer holds is copied, piece by piece, into
/// a line of its own. Answers go into one growing buffer, written out
/// once it holds [`WRITE_AT`] bytes and at the end: one copy of each
/// answer, not two.
fn evaluate(policy: &Policy, mut input: impl BufRead, mut output: impl Write) -> io::Result<usize> {
    let mut lines = Lines {
        policy,
        out: Vec::with_capacity(WRITE_AT + (WRITE_AT >> 2)),
        failed: 0,
        number: 0,
    };
    // The start of a line that runs past the end of the buffer.
    let mut start = Vec::new();
    loop {
        let buffer = match input.fill_buf() {
            Ok([]) => break,
            Ok(buffer) => buffer,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => {
                // The answers so far go out, as a buffered writer's would
                // when dropped; the error is the one to report.
                let _ = output.write_all(&lines.out);
                return Err(error);
            }
        };
        // The buffer is checked as UTF-8 once, not line by line: a line
        // wholly in its valid part is read as text (one beyond, or one
        // copied, is checked again on its own, for the error's place).
        let text = match std::str::from_utf8(buffer) {
            Ok(text) => text,
            Err(error) => buffer
                .get(..error.valid_up_to())
                .and_then(|valid| std::str::from_utf8(valid).ok())
                .unwrap_or_default(),
        };
        let mut rest = buffer;
        for end in memchr::memchr_iter(b'\n', buffer) {
            let from = buffer.len() - rest.len();
            let line = buffer.get(from..end).unwrap_or_default();
            if start.is_empty() {
                lines.answer(line, text.get(from..end));
            } else {
                start.extend_from_slice(line);
                lines.answer(&start, None);
                start.clear();
            }
            rest = buffer.get(end + 1..).unwrap_or_default();
            if lines.out.len() >= WRITE_AT {
                output.write_all(&lines.out)?;
                lines.out.clear();
            }
        }
        start.extend_from_slice(rest);
        let read = buffer.len();
        input.consume(read);
    }
    // A last line without a newline.
    if !start.is_empty() {
        lines.answer(&start, None);
    }
    output.write_all(&lines.out)?;
    output.flush()?;
    Ok(lines.failed)
}

/// The answering side of [`evaluate`]: the answers so far, and where in
/// the input it is.
struct Lines<'p> {
    policy: &'p Policy,
    out: Vec<u8>,
    /// How many lines were not valid requests.
    failed: usize,
    /// The number of the last line read, counting blank ones.
    number: usize,
}

impl Lines<'_> {
    /// Answers one line (without its newline), `text` when it is known
    /// to be UTF-8: a blank line gets nothing, one that is not a valid
    /// request an error naming its number.
    fn answer(&mut self, line: &[u8], text: Option<&str>) {
        self.number += 1;
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.iter().all(u8::is_ascii_whitespace) {
            return;
        }
        let mark = self.out.len();
        let request = match text {
            Some(text) => Request::parse_str(text.strip_suffix('\r').unwrap_or(text)),
            None => Request::parse(line),
        };
        if let Err(message) = answer(self.policy, request, &mut self.out) {
            self.failed += 1;
            self.out.truncate(mark);
            self.out.extend_from_slice(b"{\"line\":");
            self.out
                .extend_from_slice(self.number.to_string().as_bytes());
            self.out.extend_from_slice(b",\"error\":");
            write_str(&mut self.out, &message);
            self.out.push(b'}');
        }
        self.out.push(b'\n');
    }
}

/// Writes the decision for one request line (see [`authgate::policy::request`]),
/// or says why it is not a valid request.
fn answer(
    policy: &Policy,
    request: Result<Request<'_>, RequestError>,
    out: &mut Vec<u8>,
) -> Result<(), String> {
    let request = request.map_err(|error| error.to_string())?;
    request
        .answer(policy, out)
        .map_err(|error| error.to_string())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> Policy {
        let mut sources = authgate::Sources::new();
        sources.add(
            "t.gate",
            "connector shop { auth basic: basic auth oauth: oauth1 endpoint orders < auth: [basic] > \
             endpoint customers < auth: [basic, oauth] > }\n\
             instance \"i \\\"1\\\"\" of shop < auth: basic >\ninstance i2 of shop < auth: oauth >",
        );
        authgate::compile(&sources)
            .policy
            .unwrap_or_else(|| unreachable!("the rules are valid"))
    }

    fn run(input: &str) -> (String, usize) {
        let mut output = Vec::new();
        let failed = evaluate(&policy(), input.as_bytes(), &mut output).unwrap_or(usize::MAX);
        (String::from_utf8_lossy(&output).into_owned(), failed)
    }

    #[test]
    fn answers_each_line_in_order() {
        let (output, failed) = run(
            "{\"instance\": \"i \\\"1\\\"\", \"endpoint\": \"orders\"}\n\
             {\"instance\": \"i2\", \"endpoint\": \"orders\"}\r\n\
             \n\
             {\"connector\": \"shop\", \"auth\": \"oauth\", \"endpoint\": \"customers\"}",
        );
        assert_eq!(failed, 0);
        let lines: Vec<serde_json::Value> = output
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_default())
            .collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(
            lines.first().map(|l| l["available"].clone()),
            Some(true.into())
        );
        assert_eq!(
            lines.first().map(|l| l["instance"].clone()),
            Some("i \"1\"".into())
        );
        assert_eq!(
            lines.get(1).map(|l| l["reason"].clone()),
            Some(
                "instance `i2` authenticates with `oauth`, which `orders` does not activate".into()
            )
        );
        assert_eq!(
            lines.get(2).map(|l| l["available"].clone()),
            Some(true.into())
        );
        assert_eq!(
            lines.get(2).map(|l| l["auth"].clone()),
            Some("oauth".into())
        );
    }

    #[test]
    fn a_bad_line_gets_an_error_and_the_rest_goes_on() {
        let (output, failed) = run(
            "{\"instance\": \"i2\"}\nnot json\n{\"instance\": \"i2\", \"auth\": \"x\", \"endpoint\": \"e\"}\n\
             {\"instance\": \"i2\", \"endpoint\": \"orders\", \"extra\": 1}\n\
             {\"instance\": \"nope\", \"endpoint\": \"orders\"}\n",
        );
        assert_eq!(failed, 4);
        let lines: Vec<&str> = output.lines().collect();
        assert_eq!(lines.len(), 5);
        assert_eq!(
            lines.first().copied(),
            Some("{\"line\":1,\"error\":\"a request needs `endpoint`\"}")
        );
        assert!(
            lines
                .get(1)
                .is_some_and(|l| l.starts_with("{\"line\":2,\"error\":\"not a valid request"))
        );
        assert!(
            lines
                .get(3)
                .is_some_and(|l| l.contains("unknown field `extra`"))
        );
        assert_eq!(
            lines.get(4).copied(),
            Some(
                "{\"available\":false,\"reason\":\"unknown instance `nope`\",\"instance\":\"nope\",\"endpoint\":\"orders\"}"
            )
        );
    }

    /// `"instance": null` beside `connector` and `auth` was read
    /// as an absent instance, and answered.
    #[test]
    fn null_is_not_a_field_left_out() {
        let (output, failed) = run(
            "{\"instance\": null, \"connector\": \"shop\", \"auth\": \"basic\", \"endpoint\": \"orders\"}\n\
             {\"instance\": \"i2\", \"endpoint\": null}\n\
             {\"instance\": 7, \"endpoint\": \"orders\"}\n\
             {\"connector\": \"shop\", \"auth\": \"basic\", \"endpoint\": \"or\\u0064ers\"}\n",
        );
        assert_eq!(failed, 3);
        let lines: Vec<&str> = output.lines().collect();
        assert_eq!(
            lines,
            [
                "{\"line\":1,\"error\":\"`instance` is null: give a name, or leave the field out\"}",
                "{\"line\":2,\"error\":\"`endpoint` is null: give a name, or leave the field out\"}",
                "{\"line\":3,\"error\":\"not a valid request: invalid type: integer `7`, expected a name (a string) at line 1 column 14\"}",
                "{\"available\":true,\"reason\":\"a runtime instance of `shop` authenticates with `basic`, which `orders` activates\",\"connector\":\"shop\",\"auth\":\"basic\",\"endpoint\":\"orders\"}",
            ]
        );
    }

    /// The hand-written answers are the library's serialisation of a
    /// decision (`Policy::answer`), byte for byte: one model.
    #[test]
    fn answers_are_the_library_serialisation() {
        let policy = policy();
        let requests: [(authgate::Principal<'_>, &str); 6] = [
            (authgate::Principal::Instance("i \"1\""), "orders"),
            (authgate::Principal::Instance("i2"), "orders"),
            (authgate::Principal::Instance("nope\u{1b}"), "orders"),
            (
                authgate::Principal::Runtime {
                    connector: "shop",
                    method: "oauth",
                },
                "customers",
            ),
            (
                authgate::Principal::Runtime {
                    connector: "sh\\op",
                    method: "x",
                },
                "e",
            ),
            (authgate::Principal::Instance("i2"), "ordres"),
        ];
        for (principal, endpoint) in requests {
            let request = match principal {
                authgate::Principal::Instance(instance) => {
                    serde_json::json!({"instance": instance, "endpoint": endpoint})
                }
                authgate::Principal::Runtime { connector, method } => {
                    serde_json::json!({"connector": connector, "auth": method, "endpoint": endpoint})
                }
            };
            let (output, failed) = run(&request.to_string());
            assert_eq!(failed, 0);
            let decision = policy.decide(principal, endpoint);
            let expected = serde_json::to_string(&policy.answer(&decision, principal, endpoint))
                .unwrap_or_default();
            assert_eq!(output, format!("{expected}\n"));
        }
    }
}
