//! The WebAssembly module of the npm package `authgate`, on the library's
//! public API only. `index.js` beside it is the package's API; this is
//! the engine behind it.
//!
//! The boundary is a handful of plain exports over the module's memory,
//! with no generated glue: the caller asks for an input buffer
//! (`ag_input`), writes UTF-8 into it, calls a function with the lengths
//! of what it wrote, and reads the result from the output buffer
//! (`ag_output_ptr`, and the length each call returns). Rule text
//! crosses as bytes; `visible`, `explain`, `check` and rules with errors
//! come back as the library's own serialisation, the JSON the CLI prints.
//! Decisions, the hot path, cross leaner (see [`ag_decide`]): the names
//! of a batch as one string cut by their lengths, and per answer the
//! library's reason, and for a decision by scopes its item and missing
//! scopes as `eval` writes them; the caller adds the names it asked
//! about, as `eval` echoes them.
//!
//! Nothing here may panic: a panic in WebAssembly aborts, which is a trap
//! for the caller and loses every policy the module holds (`index.js`
//! then starts a new instance). Every failure is a negative status with
//! its message, or its diagnostics as JSON, in the output buffer.

use std::cell::RefCell;

use authgate::diagnostics::Diagnostic;
use std::fmt::Write as _;

use authgate::policy::request::{self, Request};
use authgate::serde_json;
use authgate::syntax::edit::{self, Activation, EditError};
use authgate::{Policy, Principal, Reason, Severity, Sources};

/// A call's status when it fails: the output holds a one-line message.
const ERROR: i32 = -1;
/// A call's status when rules have errors: the output holds
/// `{"diagnostics": [...], "summary": "..."}`.
const RULES_ERROR: i32 = -2;
/// A call's status for a policy handle that is not (or no longer) one.
const NO_POLICY: i32 = -3;

/// Everything the module holds between calls. One instance runs on one
/// thread (a JavaScript realm), so one `RefCell` is the whole state.
#[derive(Default)]
struct State {
    /// What the caller writes: names, texts, JSON.
    input: Vec<u8>,
    /// What the last call wrote for the caller to read.
    output: Vec<u8>,
    /// The files gathered for the next `ag_compile` or `ag_check`.
    sources: Sources,
    /// The compiled policies, by handle; `None` once freed.
    policies: Vec<Option<Compiled>>,
    /// Freed handles, reused first.
    free: Vec<usize>,
    /// A scratch buffer for reasons and items.
    reason: String,
    /// How the requests of `ag_decide` are cut out of the input.
    lengths: Vec<i32>,
    /// Per answer of `ag_decide`: available, and the lengths of its texts.
    meta: Vec<i32>,
}

/// A policy and what the package reads once about it.
struct Compiled {
    policy: Policy,
}

thread_local! {
    static STATE: RefCell<State> = RefCell::new(State::default());
}

/// Runs `call` on the state. Every export goes through here once, so no
/// borrow can overlap another.
fn with<T>(call: impl FnOnce(&mut State) -> T) -> T {
    STATE.with(|state| call(&mut state.borrow_mut()))
}

/// A length from the caller, as `usize`; a negative one is none.
fn length(len: i32) -> usize {
    usize::try_from(len).unwrap_or(0)
}

/// The output's length as the call's status (outputs stay far below
/// 2 GiB: the module's memory is at most 4 GiB).
fn written(state: &State) -> i32 {
    i32::try_from(state.output.len()).unwrap_or(i32::MAX)
}

/// Fails with `message` in the output.
fn fail(state: &mut State, status: i32, message: &str) -> i32 {
    state.output.clear();
    state.output.extend_from_slice(message.as_bytes());
    status
}

impl State {
    /// The input's first `len` bytes, cut in pieces of the lengths given
    /// (what is past the input is empty).
    fn pieces<const N: usize>(&self, lengths: [i32; N]) -> [&[u8]; N] {
        let mut rest = self.input.as_slice();
        lengths.map(|len| {
            let (piece, tail) = rest.split_at(length(len).min(rest.len()));
            rest = tail;
            piece
        })
    }

    /// What a call about policy `handle` works with: the policy, the
    /// input's first `len` bytes and the output (cleared); `None` for a
    /// handle that holds no policy.
    fn call(&mut self, handle: i32, len: i32) -> Option<Call<'_>> {
        let State {
            input,
            output,
            policies,
            ..
        } = self;
        let policy = usize::try_from(handle)
            .ok()
            .and_then(|slot| policies.get(slot))
            .and_then(Option::as_ref)
            .map(|compiled| &compiled.policy)?;
        output.clear();
        Some(Call {
            policy,
            input: input.get(..length(len)).unwrap_or_default(),
            output,
        })
    }
}

/// See [`State::call`].
struct Call<'a> {
    policy: &'a Policy,
    input: &'a [u8],
    output: &'a mut Vec<u8>,
}

/// The status of a call that wrote its output.
fn done(output: &[u8]) -> i32 {
    i32::try_from(output.len()).unwrap_or(i32::MAX)
}

/// A piece of input that must be text (a name, a request).
fn text(piece: &[u8]) -> Result<&str, String> {
    std::str::from_utf8(piece).map_err(|error| format!("not UTF-8: {error}"))
}

// ---------------------------------------------------------------------------
// Memory.

/// Makes the input buffer `len` bytes long and returns where it starts.
/// The caller writes into it and passes the lengths it wrote to the next
/// call; the buffer moves only when a later `ag_input` asks for more.
#[expect(unsafe_code, reason = "an export has an unmangled name")]
#[unsafe(no_mangle)]
pub extern "C" fn ag_input(len: i32) -> usize {
    with(|state| {
        let len = length(len);
        if state.input.len() < len {
            state.input.resize(len, 0);
        }
        state.input.as_mut_ptr() as usize
    })
}

/// Where the last call's output starts (its length is what the call
/// returned, or `ag_output_len`).
#[expect(unsafe_code, reason = "an export has an unmangled name")]
#[unsafe(no_mangle)]
pub extern "C" fn ag_output_ptr() -> usize {
    with(|state| state.output.as_ptr() as usize)
}

/// The last call's output length.
#[expect(unsafe_code, reason = "an export has an unmangled name")]
#[unsafe(no_mangle)]
pub extern "C" fn ag_output_len() -> i32 {
    with(|state| written(state))
}

/// Gives back the memory of large inputs and outputs (after a call on
/// megabytes of rules), keeping a small buffer for the calls to come.
#[expect(unsafe_code, reason = "an export has an unmangled name")]
#[unsafe(no_mangle)]
pub extern "C" fn ag_shrink() {
    with(|state| {
        const KEEP: usize = 64 << 10;
        state.input.truncate(KEEP);
        state.input.shrink_to(KEEP);
        state.output.clear();
        state.output.shrink_to(KEEP);
        state.sources = Sources::new();
    });
}

// ---------------------------------------------------------------------------
// Rules.

/// Adds a rule file to the files gathered for the next `ag_compile` or
/// `ag_check`: its name (UTF-8) then its bytes, as the input's first
/// `name_len` and `text_len` bytes. Bytes that are not UTF-8 are kept, and
/// reported as `authgate::encoding` as the CLI reports such a file.
#[expect(unsafe_code, reason = "an export has an unmangled name")]
#[unsafe(no_mangle)]
pub extern "C" fn ag_sources_add(name_len: i32, text_len: i32) -> i32 {
    with(|state| {
        let [name, text_bytes] = state.pieces([name_len, text_len]);
        let name = match text(name) {
            Ok(name) => name.to_owned(),
            Err(error) => return fail(state, ERROR, &format!("a file's name is {error}")),
        };
        let bytes = text_bytes.to_vec();
        state.sources.add_bytes(name, bytes);
        state.output.clear();
        0
    })
}

/// The document of rules with errors: every diagnostic as `check --format
/// json` gives it, and the summary line `check` prints.
#[derive(serde::Serialize)]
struct RulesErrorJson<'a> {
    diagnostics: &'a [Diagnostic],
    summary: String,
}

/// Compiles the gathered files (and forgets them): the new policy's
/// handle, with `{"digest", "warnings"}` in the output; or
/// [`RULES_ERROR`] with the diagnostics.
#[expect(unsafe_code, reason = "an export has an unmangled name")]
#[unsafe(no_mangle)]
pub extern "C" fn ag_compile() -> i32 {
    with(|state| {
        let sources = std::mem::take(&mut state.sources);
        let loaded = match authgate::compile(&sources).into_result(sources) {
            Ok(loaded) => loaded,
            Err(error) => {
                let document = RulesErrorJson {
                    diagnostics: error.diagnostics(),
                    summary: error.summary().to_string(),
                };
                state.output.clear();
                return match serde_json::to_writer(&mut state.output, &document) {
                    Ok(()) => RULES_ERROR,
                    Err(error) => fail(state, ERROR, &error.to_string()),
                };
            }
        };
        let digest = authgate::project::digest::Manifest::of(&loaded.sources);
        #[derive(serde::Serialize)]
        struct Made<'a> {
            digest: &'a str,
            warnings: &'a [Diagnostic],
        }
        state.output.clear();
        if let Err(error) = serde_json::to_writer(
            &mut state.output,
            &Made {
                digest: digest.digest(),
                warnings: &loaded.warnings,
            },
        ) {
            return fail(state, ERROR, &error.to_string());
        }
        let compiled = Compiled {
            policy: loaded.policy,
        };
        let handle = match state.free.pop() {
            Some(slot) => {
                if let Some(place) = state.policies.get_mut(slot) {
                    *place = Some(compiled);
                }
                slot
            }
            None => {
                state.policies.push(Some(compiled));
                state.policies.len() - 1
            }
        };
        i32::try_from(handle).unwrap_or(NO_POLICY)
    })
}

/// Checks the gathered files (and forgets them): the document `check
/// --format json` prints, `{"diagnostics", "errors", "warnings"}`.
#[expect(unsafe_code, reason = "an export has an unmangled name")]
#[unsafe(no_mangle)]
pub extern "C" fn ag_check() -> i32 {
    with(|state| {
        let sources = std::mem::take(&mut state.sources);
        let (diagnostics, _) = authgate::check(&sources);
        let errors = diagnostics
            .iter()
            .filter(|d| d.severity() == Severity::Error)
            .count();
        #[derive(serde::Serialize)]
        struct Document<'a> {
            diagnostics: &'a [Diagnostic],
            errors: usize,
            warnings: usize,
        }
        state.output.clear();
        match serde_json::to_writer(
            &mut state.output,
            &Document {
                diagnostics: &diagnostics,
                errors,
                warnings: diagnostics.len() - errors,
            },
        ) {
            Ok(()) => written(state),
            Err(error) => fail(state, ERROR, &error.to_string()),
        }
    })
}

/// Frees a policy; its handle may be given to the next one compiled.
#[expect(unsafe_code, reason = "an export has an unmangled name")]
#[unsafe(no_mangle)]
pub extern "C" fn ag_free(handle: i32) {
    with(|state| {
        let Ok(slot) = usize::try_from(handle) else {
            return;
        };
        if let Some(place) = state.policies.get_mut(slot)
            && place.take().is_some()
        {
            state.free.push(slot);
        }
    });
}

// ---------------------------------------------------------------------------
// Decisions.

/// Makes the lengths buffer (see [`ag_decide`]) `len` numbers long and
/// returns where it starts.
#[expect(unsafe_code, reason = "an export has an unmangled name")]
#[unsafe(no_mangle)]
pub extern "C" fn ag_lengths(len: i32) -> usize {
    with(|state| {
        let len = length(len);
        if state.lengths.len() < len {
            state.lengths.resize(len, 0);
        }
        state.lengths.as_mut_ptr() as usize
    })
}

/// Where the numbers of the last `ag_decide` start: three per answer.
#[expect(unsafe_code, reason = "an export has an unmangled name")]
#[unsafe(no_mangle)]
pub extern "C" fn ag_meta_ptr() -> usize {
    with(|state| state.meta.as_ptr() as usize)
}

/// Decides `count` requests whose names are the input's first `bytes`
/// bytes, one after another, framed by the lengths buffer: per request
/// `0, instance, endpoint` or `1, n, connector, auth, endpoint, scope
/// 1..n`, each name's length in UTF-16 units (the caller's string
/// lengths; the input is one string, encoded once).
///
/// Each decision is the library's by names (`decide_with_scopes`, what
/// `eval` decides), and its answer is what `eval` writes apart from the
/// names the caller gave: the output holds, per answer, the reason (the
/// library's words) and, for a decision by scopes, `{"item",
/// "missing_scopes"?}` as `eval` writes them; the numbers hold, per
/// answer, whether the endpoint is available and the UTF-16 lengths of
/// the two texts.
///
/// The caller checked the requests' shapes; a frame that does not add up
/// is [`ERROR`].
#[expect(unsafe_code, reason = "an export has an unmangled name")]
#[unsafe(no_mangle)]
pub extern "C" fn ag_decide(handle: i32, count: i32, bytes: i32) -> i32 {
    with(|state| {
        let State {
            input,
            output,
            policies,
            reason,
            lengths,
            meta,
            ..
        } = state;
        let Some(policy) = usize::try_from(handle)
            .ok()
            .and_then(|slot| policies.get(slot))
            .and_then(Option::as_ref)
            .map(|compiled| &compiled.policy)
        else {
            return fail(state, NO_POLICY, "this policy was freed");
        };
        let Ok(text) = std::str::from_utf8(input.get(..length(bytes)).unwrap_or_default()) else {
            return refuse(output, "the names are not UTF-8");
        };
        output.clear();
        meta.clear();
        let mut names = Names::new(text);
        let mut frame = lengths.iter().copied();
        let mut scopes: Vec<&str> = Vec::new();
        for _ in 0..length(count) {
            let (principal, endpoint) = match frame.next() {
                Some(0) => {
                    let (Some(instance), Some(endpoint)) = (
                        names.take(frame.next().unwrap_or(-1)),
                        names.take(frame.next().unwrap_or(-1)),
                    ) else {
                        return refuse(output, "a request's frame does not add up");
                    };
                    scopes.clear();
                    (Principal::Instance(instance), endpoint)
                }
                Some(1) => {
                    let held = frame.next().map_or(0, length);
                    let (Some(connector), Some(auth), Some(endpoint)) = (
                        names.take(frame.next().unwrap_or(-1)),
                        names.take(frame.next().unwrap_or(-1)),
                        names.take(frame.next().unwrap_or(-1)),
                    ) else {
                        return refuse(output, "a request's frame does not add up");
                    };
                    scopes.clear();
                    for _ in 0..held {
                        let Some(scope) = names.take(frame.next().unwrap_or(-1)) else {
                            return refuse(output, "a request's frame does not add up");
                        };
                        scopes.push(scope);
                    }
                    (
                        Principal::Runtime {
                            connector,
                            method: auth,
                        },
                        endpoint,
                    )
                }
                _ => return refuse(output, "a request's frame does not add up"),
            };
            let decision = policy.decide_with_scopes(principal, &scopes, endpoint);
            reason.clear();
            let _ = write!(reason, "{}", policy.reason(&decision));
            output.extend_from_slice(reason.as_bytes());
            let reason_units = utf16_len(reason);
            let extra = output.len();
            if let Reason::ScopesHeld { item, .. } | Reason::ScopesMissing { item, .. } =
                decision.reason()
            {
                reason.clear();
                let _ = policy.write_item_text(item, reason);
                output.extend_from_slice(b"{\"item\":");
                request::write_str(output, reason);
                if let Reason::ScopesMissing { .. } = decision.reason() {
                    output.extend_from_slice(b",\"missing_scopes\":[");
                    for (index, scope) in policy.missing_scope_names(&decision.reason()).enumerate()
                    {
                        if index > 0 {
                            output.push(b',');
                        }
                        request::write_str(output, scope);
                    }
                    output.push(b']');
                }
                output.push(b'}');
            }
            let extra_units =
                std::str::from_utf8(output.get(extra..).unwrap_or_default()).map_or(0, utf16_len);
            meta.extend_from_slice(&[
                i32::from(decision.available()),
                units(reason_units),
                units(extra_units),
            ]);
        }
        done(output)
    })
}

/// A count of UTF-16 units as a number of the frame.
fn units(count: usize) -> i32 {
    i32::try_from(count).unwrap_or(i32::MAX)
}

/// The length of `text` in UTF-16 units, which is how the caller slices
/// strings: its byte length when it is ASCII.
fn utf16_len(text: &str) -> usize {
    if text.is_ascii() {
        text.len()
    } else {
        text.chars().map(char::len_utf16).sum()
    }
}

/// The names of one input, taken one after another by their lengths in
/// UTF-16 units.
struct Names<'a> {
    rest: &'a str,
    ascii: bool,
}

impl<'a> Names<'a> {
    fn new(text: &'a str) -> Self {
        Names {
            rest: text,
            ascii: text.is_ascii(),
        }
    }

    /// The next name, `units` UTF-16 units long; `None` past the end.
    fn take(&mut self, units: i32) -> Option<&'a str> {
        let units = usize::try_from(units).ok()?;
        let bytes = if self.ascii {
            units
        } else {
            let mut counted = 0;
            let mut bytes = 0;
            for c in self.rest.chars() {
                if counted >= units {
                    break;
                }
                counted += c.len_utf16();
                bytes += c.len_utf8();
            }
            if counted != units {
                return None;
            }
            bytes
        };
        if !self.rest.is_char_boundary(bytes) || bytes > self.rest.len() {
            return None;
        }
        let (name, rest) = self.rest.split_at(bytes);
        self.rest = rest;
        Some(name)
    }
}

/// Who a `visible` request is about: `{"instance"}` or `{"connector",
/// "auth", "scopes"?}`, as the package checked it.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Who<'a> {
    #[serde(borrow)]
    instance: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow)]
    connector: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow)]
    auth: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default)]
    scopes: Vec<std::borrow::Cow<'a, str>>,
}

/// What an instance sees (the input's first `len` bytes, `{"instance"}`
/// or `{"connector", "auth", "scopes"?}`): the document `visible --format
/// json` prints; [`ERROR`] with the reason for an unknown name (the CLI
/// can't answer either).
#[expect(unsafe_code, reason = "an export has an unmangled name")]
#[unsafe(no_mangle)]
pub extern "C" fn ag_visible(handle: i32, len: i32) -> i32 {
    with(|state| {
        let Some(call) = state.call(handle, len) else {
            return fail(state, NO_POLICY, "this policy was freed");
        };
        visible(call.policy, call.input, call.output)
    })
}

fn visible(policy: &Policy, json: &[u8], output: &mut Vec<u8>) -> i32 {
    let who: Who<'_> = match text(json)
        .and_then(|json| serde_json::from_str(json).map_err(|error| error.to_string()))
    {
        Ok(who) => who,
        Err(error) => return refuse(output, &format!("not a valid request: {error}")),
    };
    let principal = match (&who.instance, &who.connector, &who.auth) {
        (Some(instance), None, None) if who.scopes.is_empty() => Principal::Instance(instance),
        (Some(_), None, None) => {
            return refuse(
                output,
                "`scopes` goes with `connector` and `auth`: a declared instance holds the scopes its declaration gives it",
            );
        }
        (None, Some(connector), Some(auth)) => Principal::Runtime {
            connector,
            method: auth,
        },
        _ => {
            return refuse(
                output,
                "a request names either `instance`, or `connector` and `auth`",
            );
        }
    };
    let subject = match policy.subject(principal) {
        Ok(subject) => subject,
        Err(unknown) => {
            return refuse(output, &policy.describe(&authgate::Decision::from(unknown)));
        }
    };
    let scopes: Vec<&str> = who.scopes.iter().map(|scope| &**scope).collect();
    // `visible --format json`'s document.
    let document = policy.visible_holding(subject, &scopes);
    match serde_json::to_writer(&mut *output, &document) {
        Ok(()) => done(output),
        Err(error) => refuse(output, &error.to_string()),
    }
}

/// [`ERROR`] with `message` in `output`.
fn refuse(output: &mut Vec<u8>, message: &str) -> i32 {
    output.clear();
    output.extend_from_slice(message.as_bytes());
    ERROR
}

/// Explains one decision (the input's first `len` bytes, an `eval`
/// line): the document `explain --format json` prints, or [`ERROR`] with
/// why the request can't be answered.
#[expect(unsafe_code, reason = "an export has an unmangled name")]
#[unsafe(no_mangle)]
pub extern "C" fn ag_explain(handle: i32, len: i32) -> i32 {
    with(|state| {
        let Some(call) = state.call(handle, len) else {
            return fail(state, NO_POLICY, "this policy was freed");
        };
        match Request::parse(call.input) {
            Ok(request) => explain(call.policy, &request, call.output),
            Err(error) => refuse(call.output, error.message()),
        }
    })
}

fn explain(policy: &Policy, request: &Request<'_>, output: &mut Vec<u8>) -> i32 {
    let (principal, endpoint) = match request.query() {
        Ok(query) => query,
        Err(error) => return refuse(output, error.message()),
    };
    let scopes = request.scopes();
    let explanation = policy.explain_with_scopes(principal, &scopes, endpoint);
    match serde_json::to_writer(&mut *output, &explanation) {
        Ok(()) => done(output),
        Err(error) => refuse(output, &error.to_string()),
    }
}

// ---------------------------------------------------------------------------
// Text.

/// A one-file `Sources` of the input's first two pieces (name, text).
fn one_file(state: &State, name_len: i32, text_len: i32) -> Result<Sources, String> {
    let [name, bytes] = state.pieces([name_len, text_len]);
    let name = text(name).map_err(|error| format!("a file's name is {error}"))?;
    let mut sources = Sources::new();
    sources.add_bytes(name, bytes.to_vec());
    Ok(sources)
}

/// The syntax error of a file, as rules with errors are reported.
fn syntax_error(output: &mut Vec<u8>, diagnostic: &Diagnostic) -> i32 {
    let document = RulesErrorJson {
        diagnostics: std::slice::from_ref(diagnostic),
        summary: "1 error".to_owned(),
    };
    output.clear();
    match serde_json::to_writer(&mut *output, &document) {
        Ok(()) => RULES_ERROR,
        Err(error) => refuse(output, &error.to_string()),
    }
}

/// Formats one file (name, then text, in the input): the canonical
/// layout `authgate fmt` writes, or [`RULES_ERROR`] with its syntax error.
#[expect(unsafe_code, reason = "an export has an unmangled name")]
#[unsafe(no_mangle)]
pub extern "C" fn ag_format(name_len: i32, text_len: i32) -> i32 {
    with(|state| {
        let sources = match one_file(state, name_len, text_len) {
            Ok(sources) => sources,
            Err(error) => return fail(state, ERROR, &error),
        };
        let Some(file) = sources.iter().next() else {
            return fail(state, ERROR, "no file");
        };
        match authgate::syntax::parse(&sources, file) {
            Ok(tree) => {
                let formatted = authgate::syntax::format::format(&tree, file);
                state.output.clear();
                state.output.extend_from_slice(formatted.as_bytes());
                written(state)
            }
            Err(diagnostic) => syntax_error(&mut state.output, &diagnostic),
        }
    })
}

/// Turns a method on or off for an endpoint of one file: the input holds
/// the file's name, its text, then the connector's, endpoint's and
/// method's names. The file in the canonical layout, comments kept;
/// [`RULES_ERROR`] with its syntax error; or [`ERROR`] naming an unknown
/// name.
#[expect(unsafe_code, reason = "an export has an unmangled name")]
#[unsafe(no_mangle)]
pub extern "C" fn ag_set_activation(
    name_len: i32,
    text_len: i32,
    connector_len: i32,
    endpoint_len: i32,
    method_len: i32,
    on: i32,
) -> i32 {
    with(|state| {
        let sources = match one_file(state, name_len, text_len) {
            Ok(sources) => sources,
            Err(error) => return fail(state, ERROR, &error),
        };
        let [_, _, connector, endpoint, method] =
            state.pieces([name_len, text_len, connector_len, endpoint_len, method_len]);
        let names = (text(connector), text(endpoint), text(method));
        let (Ok(connector), Ok(endpoint), Ok(method)) = names else {
            return fail(state, ERROR, "a name is not UTF-8");
        };
        let (connector, endpoint, method) =
            (connector.to_owned(), endpoint.to_owned(), method.to_owned());
        let Some(file) = sources.iter().next() else {
            return fail(state, ERROR, "no file");
        };
        let activation = Activation {
            connector: &connector,
            endpoint: &endpoint,
            method: &method,
            on: on != 0,
        };
        match edit::set_activation(&sources, file, &activation) {
            Ok(text) => {
                state.output.clear();
                state.output.extend_from_slice(text.as_bytes());
                written(state)
            }
            Err(EditError::Syntax(diagnostic)) => syntax_error(&mut state.output, &diagnostic),
            Err(error) => {
                let message = error.to_string();
                fail(state, ERROR, &message)
            }
        }
    })
}

/// What a policy declares, for tools that draw it (the playground's
/// grid): every connector with its methods (type, declared scopes) and
/// endpoints (the methods each activates plainly, and its items that need
/// scopes), and every declared instance, in declaration order, each with
/// the file and line of its declaration.
#[expect(unsafe_code, reason = "an export has an unmangled name")]
#[unsafe(no_mangle)]
pub extern "C" fn ag_outline(handle: i32) -> i32 {
    with(|state| {
        let Some(call) = state.call(handle, 0) else {
            return fail(state, NO_POLICY, "this policy was freed");
        };
        match serde_json::to_writer(&mut *call.output, &outline(call.policy)) {
            Ok(()) => done(call.output),
            Err(error) => refuse(call.output, &error.to_string()),
        }
    })
}

/// The document of [`ag_outline`].
#[derive(serde::Serialize)]
struct Outline<'p> {
    connectors: Vec<ConnectorOutline<'p>>,
    instances: Vec<InstanceOutline<'p>>,
}

#[derive(serde::Serialize)]
struct ConnectorOutline<'p> {
    name: &'p str,
    file: Option<&'p str>,
    line: Option<usize>,
    methods: Vec<MethodOutline<'p>>,
    endpoints: Vec<EndpointOutline<'p>>,
}

#[derive(serde::Serialize)]
struct MethodOutline<'p> {
    name: &'p str,
    #[serde(rename = "type")]
    kind: &'static str,
    scopes: Vec<&'p str>,
}

#[derive(serde::Serialize)]
struct EndpointOutline<'p> {
    name: &'p str,
    file: Option<&'p str>,
    line: Option<usize>,
    /// The methods listed plainly.
    methods: Vec<&'p str>,
    /// The items that need scopes.
    scoped: Vec<ItemOutline<'p>>,
}

#[derive(serde::Serialize)]
struct ItemOutline<'p> {
    method: &'p str,
    scopes: Vec<&'p str>,
}

#[derive(serde::Serialize)]
struct InstanceOutline<'p> {
    name: &'p str,
    connector: Option<&'p str>,
    auth: Option<&'p str>,
    scopes: Vec<&'p str>,
    file: Option<&'p str>,
    line: Option<usize>,
}

fn outline(policy: &Policy) -> Outline<'_> {
    let connectors = policy
        .connector_ids()
        .map(|connector| {
            let place = policy.connector_location(connector);
            ConnectorOutline {
                name: policy.connector_name(connector).unwrap_or_default(),
                file: place.map(|p| p.file),
                line: place.map(|p| p.line),
                methods: policy
                    .methods(connector)
                    .map(|method| MethodOutline {
                        name: policy.method_name(method).unwrap_or_default(),
                        kind: policy.method_type(method).map_or("", |kind| kind.as_str()),
                        scopes: policy.declared_scopes(method).collect(),
                    })
                    .collect(),
                endpoints: policy
                    .endpoints(connector)
                    .map(|endpoint| {
                        let place = policy.endpoint_location(endpoint);
                        EndpointOutline {
                            name: policy.endpoint_name(endpoint).unwrap_or_default(),
                            file: place.map(|p| p.file),
                            line: place.map(|p| p.line),
                            methods: policy
                                .activated(endpoint)
                                .filter_map(|method| policy.method_name(method))
                                .collect(),
                            scoped: policy
                                .endpoint_items(endpoint)
                                .map(|item| ItemOutline {
                                    method: policy
                                        .item_method(item)
                                        .and_then(|method| policy.method_name(method))
                                        .unwrap_or_default(),
                                    scopes: policy.item_scopes(item).collect(),
                                })
                                .collect(),
                        }
                    })
                    .collect(),
            }
        })
        .collect();
    let instances = policy
        .instance_ids()
        .map(|instance| {
            let subject = policy.instance_subject(instance);
            let method = subject.map(|subject| subject.method);
            let place = policy.instance_location(instance);
            InstanceOutline {
                name: policy.instance_name(instance).unwrap_or_default(),
                connector: method
                    .and_then(|method| policy.method_connector(method))
                    .and_then(|connector| policy.connector_name(connector)),
                auth: method.and_then(|method| policy.method_name(method)),
                scopes: policy
                    .instance_scopes(instance)
                    .map(|set| policy.held_scopes(set).collect())
                    .unwrap_or_default(),
                file: place.map(|p| p.file),
                line: place.map(|p| p.line),
            }
        })
        .collect();
    Outline {
        connectors,
        instances,
    }
}

/// Aborts, as a bug would: a trap for the caller. For the package's tests
/// of how it recovers (a new instance, and an error for the policies
/// lost), which need a trap to happen.
#[expect(unsafe_code, reason = "an export has an unmangled name")]
#[unsafe(no_mangle)]
pub extern "C" fn ag_test_trap() {
    std::process::abort();
}
