//! `authgate eval`: batch decisions, NDJSON in, NDJSON out.
//!
//! Streams: one request line in, one decision line out, in order, so
//! memory does not grow with the number of requests. Lines are read in
//! place in the input's buffer, checked as UTF-8 a buffer at a time, and
//! the answers gathered in one buffer written out every 64 KiB: nothing is
//! copied per line but the answer itself. A line that is not a valid request
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

    /// What `evaluate` answers, line by line as it once read them (each
    /// line copied out, checked as UTF-8 on its own): the reference.
    fn reference(policy: &Policy, input: &[u8]) -> Vec<u8> {
        let mut lines = Lines {
            policy,
            out: Vec::new(),
            failed: 0,
            number: 0,
        };
        let mut pieces: Vec<&[u8]> = input.split(|&b| b == b'\n').collect();
        if pieces.last().is_some_and(|last| last.is_empty()) {
            pieces.pop();
        }
        for piece in pieces {
            lines.answer(piece, None);
        }
        lines.out
    }

    /// A reader that hands out `first` bytes, then the rest a few bytes
    /// at a time (1, 2, 3 ... up to `most`), as a pipe may; now and then
    /// it is interrupted.
    struct Trickle<'a> {
        bytes: &'a [u8],
        first: Option<usize>,
        most: usize,
        next: usize,
        reads: usize,
    }

    impl io::Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.reads += 1;
            if self.reads.is_multiple_of(7) {
                return Err(io::ErrorKind::Interrupted.into());
            }
            let size = self.first.take().unwrap_or_else(|| {
                self.next = self.next % self.most + 1;
                self.next
            });
            let size = size.min(buf.len()).min(self.bytes.len());
            let (head, tail) = self.bytes.split_at(size);
            buf.get_mut(..size)
                .unwrap_or_default()
                .copy_from_slice(head);
            self.bytes = tail;
            Ok(size)
        }
    }

    /// Lines of every kind: answered, refused, not JSON, not UTF-8,
    /// blank, CRLF, longer than the buffers below, and a last one without
    /// a newline.
    fn mixed_input() -> Vec<u8> {
        let mut input = Vec::new();
        input.extend_from_slice(b"{\"instance\": \"i2\", \"endpoint\": \"customers\"}\n");
        input.extend_from_slice(b"\n   \n\r\n");
        input.extend_from_slice(
            b"{\"connector\":\"shop\",\"auth\":\"oauth\",\"endpoint\":\"orders\"}\r\n",
        );
        input.extend_from_slice(b"not json\n");
        input.extend_from_slice(b"{\"instance\": \"i\xff2\", \"endpoint\": \"orders\"}\n");
        input.extend_from_slice(
            b"{\"instance\": \"\xc3\xa9\", \"endpoint\": \"orders\", \"extra\": 1}\n",
        );
        input.extend_from_slice(
            b"{\"connector\":\"shop\",\"auth\":\"basic\",\"endpoint\":\"orders\",\"scopes\":[",
        );
        for index in 0..12 {
            if index > 0 {
                input.push(b',');
            }
            input.extend_from_slice(format!("\"crm.objects.s{index}.read\"").as_bytes());
        }
        input.extend_from_slice(b"]}\n");
        input.extend_from_slice(b"{\"instance\": \"i \\\"1\\\"\", \"endpoint\": \"orders\"}\n");
        input.extend_from_slice(b"{\"instance\": \"i2\", \"endpoint\": \"orders\"}");
        input
    }

    /// Lines read in place, copied only across the end of the buffer,
    /// answer as lines read one by one do, wherever the reads split the
    /// input: at every byte, with buffers smaller than a line and larger
    /// than the input, and reads of a few bytes at a time.
    #[test]
    fn every_split_of_the_input_gives_the_same_answers() {
        let policy = policy();
        let input = mixed_input();
        let expected = reference(&policy, &input);
        let text = String::from_utf8_lossy(&expected);
        assert_eq!(text.lines().count(), 8, "{text}");
        assert!(
            text.contains("{\"line\":6,\"error\":\"not a valid request: expected"),
            "{text}"
        );
        assert!(
            text.contains("{\"line\":7,\"error\":\"not a valid request: invalid unicode"),
            "{text}"
        );
        assert!(
            text.contains("{\"line\":8,\"error\":\"not a valid request: unknown field `extra`"),
            "{text}"
        );
        let mut whole = Vec::new();
        assert_eq!(evaluate(&policy, &input[..], &mut whole).ok(), Some(3));
        assert_eq!(String::from_utf8_lossy(&whole), text);
        for capacity in [1, 5, 64, 1 << 16] {
            for first in 1..=input.len() {
                for most in [1, 13] {
                    let reader = Trickle {
                        bytes: &input,
                        first: Some(first),
                        most,
                        next: 0,
                        reads: 0,
                    };
                    let mut output = Vec::new();
                    let failed = evaluate(
                        &policy,
                        io::BufReader::with_capacity(capacity, reader),
                        &mut output,
                    );
                    assert_eq!(
                        failed.ok(),
                        Some(3),
                        "capacity {capacity}, first read {first}, reads of up to {most}: {}",
                        String::from_utf8_lossy(&output)
                    );
                    assert_eq!(
                        String::from_utf8_lossy(&output),
                        text,
                        "capacity {capacity}, first read {first}, reads of up to {most}"
                    );
                }
            }
        }
    }

    /// Answers gathered past the size at which they are written out come
    /// out whole and in order; a reader that went away ends the run with
    /// its error.
    #[test]
    fn many_answers_are_written_in_order() {
        /// A writer that keeps what it is given, and fails once it holds
        /// `until` bytes.
        struct Sink {
            kept: Vec<u8>,
            writes: usize,
            until: usize,
        }

        impl Write for Sink {
            fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
                if self.kept.len() >= self.until {
                    return Err(io::ErrorKind::BrokenPipe.into());
                }
                self.writes += 1;
                self.kept.extend_from_slice(buf);
                Ok(buf.len())
            }

            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }

        let policy = policy();
        let input: String = (0..3000)
            .map(|index| {
                format!(
                    "{{\"instance\": \"i{}\", \"endpoint\": \"orders\"}}\n",
                    index % 3
                )
            })
            .collect();
        let expected = reference(&policy, input.as_bytes());
        assert!(expected.len() > 3 * WRITE_AT);
        let mut sink = Sink {
            kept: Vec::new(),
            writes: 0,
            until: usize::MAX,
        };
        assert_eq!(
            evaluate(
                &policy,
                io::BufReader::with_capacity(1000, input.as_bytes()),
                &mut sink
            )
            .ok(),
            Some(0)
        );
        assert_eq!(sink.kept, expected);
        assert!(sink.writes > 3, "{} writes", sink.writes);
        let mut gone = Sink {
            kept: Vec::new(),
            writes: 0,
            until: 1,
        };
        let error = evaluate(&policy, input.as_bytes(), &mut gone).err();
        assert_eq!(
            error.map(|error| error.kind()),
            Some(io::ErrorKind::BrokenPipe)
        );
        assert!(gone.kept.len() >= WRITE_AT && expected.starts_with(&gone.kept));
    }
}
