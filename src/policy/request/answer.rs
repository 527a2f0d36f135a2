//! Answers written by hand: [`Policy::answer`]'s serialisation, the
//! reason written straight into its JSON string, escaped as it goes (the
//! reason's own words copied, names escaped a word at a time, or copied
//! when no name of the rules needs escaping).

use std::fmt;
use std::ops::Range;

use super::words::string_end;
use crate::policy::{Decision, MethodId, Policy, Principal, Reason};
use crate::text::Words;

/// Decides `endpoint` for `principal` and appends the answer to `out`:
/// [`Policy::answer`]'s serialisation, `{"available", "reason", "instance"
/// | "connector", "auth", "endpoint"}`, without spaces. Returns the
/// decision.
pub fn write_answer<'q>(
    policy: &Policy,
    principal: Principal<'q>,
    endpoint: &'q str,
    out: &mut Vec<u8>,
) -> Decision<'q> {
    write_answer_with_scopes(policy, principal, &[], endpoint, out)
}

/// [`write_answer`] for a principal holding the scopes named in `scopes`
/// (see [`Policy::decide_with_scopes`]). A decision by scopes adds
/// `"item"` and, when refused, `"missing_scopes"`, as [`Policy::answer`]
/// does.
pub fn write_answer_with_scopes<'q>(
    policy: &Policy,
    principal: Principal<'q>,
    scopes: &'q [&'q str],
    endpoint: &'q str,
    out: &mut Vec<u8>,
) -> Decision<'q> {
    let decision = policy.decide_with_scopes(principal, scopes, endpoint);
    write_own_answer(policy, &decision, principal, endpoint, out);
    decision
}

/// [`write_decision`] for a decision made here, by the names it gives
/// back: those that found the principal and the endpoint are the rules'
/// own bytes ([`Echo::of`]).
pub(super) fn write_own_answer(
    policy: &Policy,
    decision: &Decision<'_>,
    principal: Principal<'_>,
    endpoint: &str,
    out: &mut Vec<u8>,
) {
    write_answer_of(
        policy,
        decision,
        principal,
        endpoint,
        Echo::of(decision),
        out,
    );
}

/// Appends the answer of `decision`, for `principal` about `endpoint`, to
/// `out` (see [`write_answer_with_scopes`]). The reason is written
/// straight into the answer, escaped as it goes.
pub fn write_decision(
    policy: &Policy,
    decision: &Decision<'_>,
    principal: Principal<'_>,
    endpoint: &str,
    out: &mut Vec<u8>,
) {
    write_answer_of(policy, decision, principal, endpoint, Echo::Escaped, out);
}

/// How the names a request gave are written back in its answer.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Echo {
    /// Escaped, as any text.
    Escaped,
    /// As names of the rules ([`Words::name`]): the decision found the
    /// principal (of this method) and the endpoint by these very names,
    /// so they are the rules' own bytes.
    Found(MethodId),
}

impl Echo {
    /// For a decision made here by the names it echoes: found when the
    /// reason is the rule for a subject and an endpoint found by name.
    fn of(decision: &Decision<'_>) -> Echo {
        match decision.reason() {
            Reason::Activated { subject, .. }
            | Reason::NotActivated { subject, .. }
            | Reason::ScopesHeld { subject, .. }
            | Reason::ScopesMissing { subject, .. } => Echo::Found(subject.method),
            _ => Echo::Escaped,
        }
    }
}

/// [`write_decision`], the request's names written back as `echo` says.
fn write_answer_of(
    policy: &Policy,
    decision: &Decision<'_>,
    principal: Principal<'_>,
    endpoint: &str,
    echo: Echo,
    out: &mut Vec<u8>,
) {
    out.extend_from_slice(if decision.available() {
        b"{\"available\":true,\"reason\":\""
    } else {
        b"{\"available\":false,\"reason\":\""
    });
    let mut body = JsonBody::new(policy, out);
    // Words into a Vec can't fail.
    let _ = policy.reason(decision).write_words(&mut body);
    let echoed = |body: &mut JsonBody<'_>, key: &'static [u8], name: &str| {
        body.out.extend_from_slice(key);
        let _ = match echo {
            Echo::Found(_) => body.name(name),
            Echo::Escaped => body.words(name),
        };
    };
    // A runtime instance found by its names: they are given back as the
    // method keeps them, made once (every runtime answer writes them).
    let found = match echo {
        Echo::Found(method) => policy.runtime_echo(method),
        Echo::Escaped => None,
    };
    match (principal, found) {
        (Principal::Instance(instance), _) => {
            echoed(&mut body, b"\",\"instance\":\"", instance);
        }
        (Principal::Runtime { .. }, Some(names)) => body.out.extend_from_slice(names.as_bytes()),
        (Principal::Runtime { connector, method }, None) => {
            echoed(&mut body, b"\",\"connector\":\"", connector);
            echoed(&mut body, b"\",\"auth\":\"", method);
        }
    }
    echoed(&mut body, b"\",\"endpoint\":\"", endpoint);
    body.out.push(b'"');
    if let Reason::ScopesHeld { item, .. } | Reason::ScopesMissing { item, .. } = decision.reason()
    {
        body.out.extend_from_slice(b",\"item\":\"");
        // The reason wrote it, with the same escapes: copied from there.
        match body.item.take() {
            Some(written) => body.out.extend_from_within(written),
            None => {
                let _ = policy.write_item(item, &mut body);
            }
        }
        body.out.push(b'"');
    }
    if let Reason::ScopesMissing { .. } = decision.reason() {
        body.out.extend_from_slice(b",\"missing_scopes\":[");
        for (index, scope) in policy.missing_scope_names(&decision.reason()).enumerate() {
            body.out
                .extend_from_slice(if index > 0 { b",\"" } else { b"\"" });
            let _ = body.name(scope);
            body.out.push(b'"');
        }
        body.out.push(b']');
    }
    body.out.push(b'}');
}

/// Appends `text` as a JSON string, escaped as serde_json escapes it.
pub fn write_str(out: &mut Vec<u8>, text: &str) {
    out.push(b'"');
    write_body(out, text);
    out.push(b'"');
}

/// Appends `text` escaped as the body of a JSON string (no quotes around),
/// as serde_json escapes it: `"` and `\\` escaped, control characters as
/// their short escapes or `\\u00xx`. Called for every piece of every
/// reason, most of them a few bytes long and with nothing to escape: the
/// bytes to escape are looked for a word at a time ([`string_end`]), and
/// the runs between them copied.
pub(crate) fn write_body(out: &mut Vec<u8>, text: &str) {
    let mut rest = text.as_bytes();
    while let Some(at) = string_end(rest) {
        let (run, tail) = rest.split_at(at);
        out.extend_from_slice(run);
        let Some((&byte, tail)) = tail.split_first() else {
            break;
        };
        let short = match byte {
            b'"' => b'"',
            b'\\' => b'\\',
            b'\n' => b'n',
            b'\r' => b'r',
            b'\t' => b't',
            0x08 => b'b',
            0x0c => b'f',
            _ => 0,
        };
        if short == 0 {
            // Writing into a Vec can't fail.
            let _ = std::io::Write::write_fmt(out, format_args!("\\u{byte:04x}"));
        } else {
            out.extend_from_slice(&[b'\\', short]);
        }
        rest = tail;
    }
    out.extend_from_slice(rest);
}

/// Words written into the body of a JSON string, escaped as they go
/// ([`Words`]): a reason is written straight into an answer. Names of
/// rules in which no name needs escaping ([`Policy::names_need_no_escaping`])
/// are copied as they are.
pub(crate) struct JsonBody<'a> {
    out: &'a mut Vec<u8>,
    plain_names: bool,
    /// Where in `out` the reason's item was written ([`Words::item_begins`]).
    item: Option<Range<usize>>,
}

impl<'a> JsonBody<'a> {
    /// Writes into `out` words about `policy`'s rules.
    pub(crate) fn new(policy: &Policy, out: &'a mut Vec<u8>) -> JsonBody<'a> {
        JsonBody {
            out,
            plain_names: policy.names_need_no_escaping(),
            item: None,
        }
    }
}

impl Words for JsonBody<'_> {
    #[inline]
    fn fixed(&mut self, text: &'static str) -> fmt::Result {
        debug_assert!(
            !text.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20),
            "{text:?} needs escaping"
        );
        self.out.extend_from_slice(text.as_bytes());
        Ok(())
    }

    fn words(&mut self, text: &str) -> fmt::Result {
        write_body(self.out, text);
        Ok(())
    }

    #[inline]
    fn name(&mut self, text: &str) -> fmt::Result {
        if self.plain_names {
            self.out.extend_from_slice(text.as_bytes());
        } else {
            write_body(self.out, text);
        }
        Ok(())
    }

    fn written(&mut self, _text: &str, json: &str) -> fmt::Result {
        self.out.extend_from_slice(json.as_bytes());
        Ok(())
    }

    fn item_begins(&mut self) {
        let at = self.out.len();
        self.item = Some(at..at);
    }

    fn item_ends(&mut self) {
        if let Some(item) = &mut self.item {
            item.end = self.out.len();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every byte that JSON escapes, and text around it, comes out as
    /// serde_json writes it: the answers are the library's serialisation.
    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        let mut texts: Vec<String> = (0u8..0x80)
            .map(|byte| format!("a{}b", char::from(byte)))
            .collect();
        texts.extend(
            [
                "",
                "plain",
                r#"oauth("a", "b")"#,
                "\\\"\\",
                "é\u{1b}[31m\u{7f}\u{2028}\"",
                "\"tail",
                "head\\",
            ]
            .map(String::from),
        );
        for text in texts {
            let mut out = Vec::new();
            write_str(&mut out, &text);
            let expected = serde_json::to_string(&text).unwrap_or_default();
            assert_eq!(String::from_utf8_lossy(&out), expected, "{text:?}");
        }
    }
}
