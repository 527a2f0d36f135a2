//! The WebAssembly module of the npm package `authgate`, on the library's
//! public API only. `index.js` beside it is the package's API; this is
//! the engine behind it.
//!
//! The boundary is a handful of plain exports over the module's memory,
//! with no generated glue: the caller asks for an input buffer
//! (`ag_input`), writes UTF-8 into it, calls a function with the lengths
//! of what it wrote, and reads the result from the output buffer
//! (`ag_output_ptr`, and the length each call returns). Requests and
//! answers cross as JSON, so every answer is the library's own
//! serialisation, the one `authgate eval`, `visible`, `explain` and
//! `check --format json` print; rule text crosses as bytes.
//!
//! Nothing here may panic: a panic in WebAssembly aborts, which is a trap
//! for the caller and loses every policy the module holds (`index.js`
//! then starts a new instance). Every failure is a negative status with
//! its message, or its diagnostics as JSON, in the output buffer.

use std::cell::RefCell;

use authgate::diagnostics::Diagnostic;
use authgate::policy::request::Request;
use authgate::serde_json::{self, value::RawValue};
use authgate::syntax::edit::{self, Activation, EditError};
use authgate::{Policy, Principal, Severity, Sources};

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
    /// A scratch buffer for reasons (see `request::write_decision`).
    reason: String,
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
    /// input's first `len` bytes, the output (cleared) and the scratch
    /// buffer; `None` for a handle that holds no policy.
    fn call(&mut self, handle: i32, len: i32) -> Option<Call<'_>> {
        let State {
            input,
            output,
            policies,
            reason,
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
            reason,
        })
    }
}

/// See [`State::call`].
struct Call<'a> {
    policy: &'a Policy,
    input: &'a [u8],
    output: &'a mut Vec<u8>,
    reason: &'a mut String,
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

/// Decides one request, the input's first `len` bytes as an `eval` line:
/// `eval`'s answer in the output (its length returned), or [`ERROR`] with
/// why the request can't be answered (`eval`'s words).
#[expect(unsafe_code, reason = "an export has an unmangled name")]
#[unsafe(no_mangle)]
pub extern "C" fn ag_decide(handle: i32, len: i32) -> i32 {
    with(|state| {
        let Some(call) = state.call(handle, len) else {
            return fail(state, NO_POLICY, "this policy was freed");
        };
        let answered = Request::parse(call.input)
            .and_then(|request| request.answer(call.policy, call.output, call.reason));
        match answered {
            Ok(_) => done(call.output),
            Err(error) => refuse(call.output, error.message()),
        }
    })
}

/// Decides a JSON array of requests (the input's first `len` bytes):
/// their answers as a JSON array, in order; or [`ERROR`] with the first
/// malformed request's index and why (`request 2: ...`).
#[expect(unsafe_code, reason = "an export has an unmangled name")]
#[unsafe(no_mangle)]
pub extern "C" fn ag_decide_many(handle: i32, len: i32) -> i32 {
    with(|state| {
        let Some(call) = state.call(handle, len) else {
            return fail(state, NO_POLICY, "this policy was freed");
        };
        let requests: Vec<&RawValue> = match text(call.input)
            .and_then(|json| serde_json::from_str(json).map_err(|error| error.to_string()))
        {
            Ok(requests) => requests,
            Err(error) => {
                return refuse(call.output, &format!("not a list of requests: {error}"));
            }
        };
        let output = call.output;
        output.reserve(requests.len() * 128);
        output.push(b'[');
        for (index, raw) in requests.iter().enumerate() {
            if index > 0 {
                output.push(b',');
            }
            let answered = Request::parse(raw.get().as_bytes())
                .and_then(|request| request.answer(call.policy, output, call.reason));
            if let Err(error) = answered {
                return refuse(output, &format!("request {index}: {error}"));
            }
        }
        output.push(b']');
        done(output)
    })
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
    let seen = if scopes.is_empty() {
        policy.visible_to(subject)
    } else {
        policy.visible_to_with_scopes(subject.method, &policy.scope_set(subject.method, &scopes))
    };
    let unknown = policy.unknown_scopes(subject.method, &scopes);
    // `visible --format json`: the library's `Visible`, and for a runtime
    // instance given scopes, those it holds and those its method does not
    // declare (absent when none).
    #[derive(serde::Serialize)]
    struct Document<'a> {
        #[serde(flatten)]
        visible: authgate::policy::Visible<'a>,
        #[serde(skip_serializing_if = "Option::is_none")]
        scopes: Option<&'a Vec<&'a str>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        unknown_scopes: Option<&'a Vec<&'a str>>,
    }
    let document = Document {
        visible: seen,
        scopes: (!scopes.is_empty()).then_some(&scopes),
        unknown_scopes: (!unknown.is_empty()).then_some(&unknown),
    };
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

/// Aborts, as a bug would: a trap for the caller. For the package's tests
/// of how it recovers (a new instance, and an error for the policies
/// lost), which need a trap to happen.
#[expect(unsafe_code, reason = "an export has an unmangled name")]
#[unsafe(no_mangle)]
pub extern "C" fn ag_test_trap() {
    std::process::abort();
}
