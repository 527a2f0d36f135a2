//! `authgate eval`: batch decisions, NDJSON in, NDJSON out.
//!
//! Streams: one request line in, one decision line out, in order, with
//! buffered I/O and buffers reused from line to line, so memory does not
//! grow with the number of requests. A line that is not a valid request
//! gets an error object and processing goes on.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::{self, BufRead, Write};
use std::process::ExitCode;

use authgate::{Policy, Principal};
use clap::Args;
use serde::Deserialize;

use super::{Outcome, RulesArgs, StopFormat, compile_for_query, err};

#[derive(Debug, Args)]
pub struct EvalArgs {
    #[command(flatten)]
    rules: RulesArgs,
}

/// One request: `{"instance": I, "endpoint": E}` or
/// `{"connector": C, "auth": M, "endpoint": E}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Request<'a> {
    #[serde(borrow, default)]
    instance: Field<'a>,
    #[serde(borrow, default)]
    connector: Field<'a>,
    #[serde(borrow, default)]
    auth: Field<'a>,
    #[serde(borrow, default)]
    endpoint: Field<'a>,
}

/// A field of a request. `null` is not the field left out: a request
/// with `"instance": null` beside `connector` and `auth` may be a bug in
/// the caller, so it is refused rather than read as a runtime instance.
#[derive(Default)]
enum Field<'a> {
    #[default]
    Absent,
    Null,
    Name(Cow<'a, str>),
}

impl<'a> Field<'a> {
    /// The name given for `key`, if any; an error for `null`.
    fn name(&self, key: &str) -> Result<Option<&str>, String> {
        match self {
            Field::Absent => Ok(None),
            Field::Null => Err(format!(
                "`{key}` is null: give a name, or leave the field out"
            )),
            Field::Name(name) => Ok(Some(name)),
        }
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Field<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        /// Reads `null` or a string, borrowing the string when it has no
        /// escapes.
        struct Visit<'a>(std::marker::PhantomData<&'a ()>);

        impl<'de: 'a, 'a> serde::de::Visitor<'de> for Visit<'a> {
            type Value = Field<'a>;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a name (a string)")
            }

            fn visit_none<E: serde::de::Error>(self) -> Result<Field<'a>, E> {
                Ok(Field::Null)
            }

            fn visit_unit<E: serde::de::Error>(self) -> Result<Field<'a>, E> {
                Ok(Field::Null)
            }

            fn visit_some<D: serde::Deserializer<'de>>(
                self,
                deserializer: D,
            ) -> Result<Field<'a>, D::Error> {
                deserializer.deserialize_str(self)
            }

            fn visit_borrowed_str<E: serde::de::Error>(self, v: &'de str) -> Result<Field<'a>, E> {
                Ok(Field::Name(Cow::Borrowed(v)))
            }

            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Field<'a>, E> {
                Ok(Field::Name(Cow::Owned(v.to_owned())))
            }

            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Field<'a>, E> {
                Ok(Field::Name(Cow::Owned(v)))
            }
        }

        deserializer.deserialize_option(Visit(std::marker::PhantomData))
    }
}

pub fn run(args: EvalArgs, limit: u64) -> Outcome {
    let policy = compile_for_query(&args.rules.rules, limit, StopFormat::Human)?;
    let stdin = io::stdin().lock();
    let stdout = io::stdout().lock();
    match evaluate(
        &policy,
        io::BufReader::with_capacity(1 << 16, stdin),
        io::BufWriter::with_capacity(1 << 16, stdout),
    ) {
        Ok(0) => Ok(ExitCode::SUCCESS),
        Ok(_) => Ok(ExitCode::FAILURE),
        // The reader went away (`| head`): nothing more to say.
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        Err(error) => {
            err(format_args!("error: eval: {error}"));
            Ok(ExitCode::from(2))
        }
    }
}

/// Answers every request line of `input` on `output`; returns how many
/// lines were not valid requests.
fn evaluate(policy: &Policy, mut input: impl BufRead, mut output: impl Write) -> io::Result<usize> {
    let mut line = Vec::with_capacity(256);
    let mut out = Vec::with_capacity(512);
    let mut reason = String::with_capacity(256);
    let mut failed = 0;
    let mut number = 0usize;
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line)? == 0 {
            break;
        }
        number += 1;
        let text = line.strip_suffix(b"\n").unwrap_or(&line);
        let text = text.strip_suffix(b"\r").unwrap_or(text);
        if text.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        out.clear();
        match answer(policy, text, &mut out, &mut reason) {
            Ok(()) => {}
            Err(message) => {
                failed += 1;
                out.clear();
                out.extend_from_slice(b"{\"line\":");
                out.extend_from_slice(number.to_string().as_bytes());
                out.extend_from_slice(b",\"error\":");
                write_str(&mut out, &message);
                out.push(b'}');
            }
        }
        out.push(b'\n');
        output.write_all(&out)?;
    }
    output.flush()?;
    Ok(failed)
}

/// Writes the decision for one request line, or says why it is not a
/// valid request. The answer is `Policy::answer`'s serialisation, written
/// by hand: through serde it cost 15-25% of eval's throughput (measured
/// with scripts/cli_bench.py); a test holds the two byte for byte equal.
fn answer(
    policy: &Policy,
    line: &[u8],
    out: &mut Vec<u8>,
    reason: &mut String,
) -> Result<(), String> {
    let request: Request<'_> =
        serde_json::from_slice(line).map_err(|error| format!("not a valid request: {error}"))?;
    let endpoint = request
        .endpoint
        .name("endpoint")?
        .ok_or("a request needs `endpoint`")?;
    let principal = match (
        request.instance.name("instance")?,
        request.connector.name("connector")?,
        request.auth.name("auth")?,
    ) {
        (Some(instance), None, None) => Principal::Instance(instance),
        (None, Some(connector), Some(auth)) => Principal::Runtime {
            connector,
            method: auth,
        },
        _ => {
            return Err("a request names either `instance`, or `connector` and `auth`".to_owned());
        }
    };
    let decision = policy.decide(principal, endpoint);
    reason.clear();
    let _ = write!(reason, "{}", policy.reason(&decision));
    out.extend_from_slice(if decision.available() {
        b"{\"available\":true,\"reason\":"
    } else {
        b"{\"available\":false,\"reason\":"
    });
    write_str(out, reason);
    match principal {
        Principal::Instance(instance) => {
            out.extend_from_slice(b",\"instance\":");
            write_str(out, instance);
        }
        Principal::Runtime { connector, method } => {
            out.extend_from_slice(b",\"connector\":");
            write_str(out, connector);
            out.extend_from_slice(b",\"auth\":");
            write_str(out, method);
        }
    }
    out.extend_from_slice(b",\"endpoint\":");
    write_str(out, endpoint);
    out.push(b'}');
    Ok(())
}

/// Writes `text` as a JSON string. Names rarely need escaping, so check
/// first and copy the bytes as they are when they don't.
fn write_str(out: &mut Vec<u8>, text: &str) {
    // A fold rather than `all`: no early exit, so it vectorizes.
    let escapes = text.bytes().fold(false, |escapes, byte| {
        escapes | (byte < 0x20) | (byte == b'"') | (byte == b'\\')
    });
    let plain = !escapes;
    if plain {
        out.push(b'"');
        out.extend_from_slice(text.as_bytes());
        out.push(b'"');
    } else {
        // Writing into a Vec can't fail.
        let _ = serde_json::to_writer(&mut *out, text);
    }
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

    /// Issue 9: `"instance": null` beside `connector` and `auth` was read
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
