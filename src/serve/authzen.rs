//! AuthZEN 1.0, the OpenID authorization API: `POST /access/v1/evaluation`,
//! `POST /access/v1/evaluations` and the discovery document
//! `GET /.well-known/authzen-configuration`.
//!
//! The mapping: subject `{"type": "instance", "id": NAME}` is a declared
//! instance, `{"type": "connection", "id": ANY, "properties": {"connector":
//! C, "auth": M, "scopes": [S, ...]}}` a runtime one (`scopes` optional:
//! none held when left out); resource `{"type": "endpoint", "id": E}`;
//! action `{"name": "call"}`. Another subject or resource type, or another
//! action, is `decision: false` with a reason (authgate fails closed); a
//! missing or ill-typed field is a malformed request, and so are `scopes`
//! on an `instance` subject (it holds what its declaration gives it). An
//! answer is `{"decision", "context": {"reason", "bundle"}}`; a decision
//! by scopes adds `item` and, when refused, `missing_scopes` to the
//! context, as `eval` adds them to its answer.
//!
//! `evaluations` applies the top-level `subject`, `resource`, `action` and
//! `context` to every item that leaves them out (a field given replaces
//! the default whole), and `options.evaluations_semantic`:
//! `execute_all` (the default), `deny_on_first_deny` or
//! `permit_on_first_permit`, which stop after the first such decision. An
//! item that can't be evaluated gets `decision: false` with
//! `context.error` `{"status": 400, "message"}`; without items, the
//! request is one evaluation and so is its answer.

use std::time::Instant;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::error::{ApiError, json_body};
use super::state::AppState;
use super::state::Snapshot;
use crate::policy::{Principal, Reason};

/// A subject or a resource.
#[derive(Clone, Debug, Deserialize, Serialize)]
struct Entity {
    #[serde(rename = "type")]
    kind: String,
    id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    properties: Option<Map<String, Value>>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
struct Action {
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    properties: Option<Map<String, Value>>,
}

/// One evaluation, or the defaults of `evaluations`, or one of its items:
/// every part optional until defaults are applied.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
struct Evaluation {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    subject: Option<Entity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    resource: Option<Entity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    action: Option<Action>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    context: Option<Value>,
}

/// Not `#[serde(flatten)]` for the defaults: flattening buffers the
/// whole document, and raw items can't be read from the buffer.
#[derive(Deserialize)]
struct Evaluations<'a> {
    #[serde(default)]
    subject: Option<Entity>,
    #[serde(default)]
    resource: Option<Entity>,
    #[serde(default)]
    action: Option<Action>,
    #[serde(default)]
    context: Option<Value>,
    #[serde(default, borrow)]
    evaluations: Option<Vec<&'a RawValue>>,
    #[serde(default)]
    options: Option<Options>,
}

#[derive(Deserialize)]
struct Options {
    #[serde(default)]
    evaluations_semantic: Option<String>,
}

/// What one evaluation came to.
struct Outcome {
    decision: bool,
    reason: String,
    /// For a decision by scopes: the item that granted the endpoint or
    /// came closest, and when refused the scopes missing from it.
    scoped: Option<(String, Option<Vec<String>>)>,
}

/// Decides one evaluation with its defaults applied; `Err` for one that
/// is malformed.
fn evaluate(snapshot: &Snapshot, evaluation: &Evaluation) -> Result<Outcome, String> {
    let (Some(subject), Some(resource), Some(action)) = (
        &evaluation.subject,
        &evaluation.resource,
        &evaluation.action,
    ) else {
        return Err("an evaluation needs `subject`, `resource` and `action`".to_owned());
    };
    let property = |name: &str| -> Result<&str, String> {
        subject
            .properties
            .as_ref()
            .and_then(|p| p.get(name))
            .and_then(Value::as_str)
            .ok_or_else(|| format!("a `connection` subject needs `properties.{name}` (a string)"))
    };
    let scopes = subject
        .properties
        .as_ref()
        .and_then(|p| p.get("scopes"))
        .map(|scopes| {
            scopes
                .as_array()
                .and_then(|list| list.iter().map(Value::as_str).collect::<Option<Vec<_>>>())
                .ok_or_else(|| "`properties.scopes` is a list of scope names (strings)".to_owned())
        })
        .transpose()?;
    let principal = match subject.kind.as_str() {
        "instance" if scopes.is_some() => {
            return Err(
                "`properties.scopes` goes with a `connection` subject: a declared \
                 instance holds the scopes its declaration gives it"
                    .to_owned(),
            );
        }
        "instance" => Principal::Instance(&subject.id),
        "connection" => Principal::Runtime {
            connector: property("connector")?,
            method: property("auth")?,
        },
        other => {
            return Ok(denied(format!(
                "authgate decides for subjects of type `instance` or `connection`, not `{other}`"
            )));
        }
    };
    if resource.kind != "endpoint" {
        return Ok(denied(format!(
            "authgate decides for resources of type `endpoint`, not `{}`",
            resource.kind
        )));
    }
    if action.name != "call" {
        return Ok(denied(format!(
            "authgate decides the action `call`, not `{}`",
            action.name
        )));
    }
    let policy = &snapshot.policy;
    let scopes = scopes.unwrap_or_default();
    let decision = policy.decide_with_scopes(principal, &scopes, &resource.id);
    let scoped = match decision.reason() {
        Reason::ScopesHeld { item, .. } => Some((policy.item_text(item), None)),
        Reason::ScopesMissing { item, .. } => Some((
            policy.item_text(item),
            Some(
                policy
                    .missing_scope_names(&decision.reason())
                    .map(str::to_owned)
                    .collect(),
            ),
        )),
        _ => None,
    };
    Ok(Outcome {
        decision: decision.available(),
        reason: policy.reason(&decision).to_string(),
        scoped,
    })
}

fn denied(reason: String) -> Outcome {
    Outcome {
        decision: false,
        reason,
        scoped: None,
    }
}

fn answer(outcome: &Outcome, bundle: &str) -> Value {
    let mut context = serde_json::json!({"reason": outcome.reason, "bundle": bundle});
    if let (Some((item, missing)), Some(fields)) = (&outcome.scoped, context.as_object_mut()) {
        fields.insert("item".to_owned(), Value::from(item.as_str()));
        if let Some(missing) = missing {
            fields.insert("missing_scopes".to_owned(), Value::from(missing.clone()));
        }
    }
    serde_json::json!({"decision": outcome.decision, "context": context})
}

/// Evaluates, counts, logs: the answer of one evaluation, or its error.
fn run_one(
    state: &AppState,
    snapshot: &Snapshot,
    route: &str,
    evaluation: &Evaluation,
    start: Instant,
) -> Result<Value, String> {
    let outcome = evaluate(snapshot, evaluation)?;
    let allowed = u64::from(outcome.decision);
    state.metrics.decisions(allowed, 1 - allowed);
    let answer = answer(&outcome, &snapshot.digest);
    if let Some(log) = &state.log {
        let request = serde_json::to_vec(evaluation).unwrap_or_default();
        let answer = serde_json::to_vec(&answer).unwrap_or_default();
        log.record(
            route,
            &request,
            &answer,
            &snapshot.digest,
            start.elapsed().as_micros(),
        );
    }
    Ok(answer)
}

fn respond(value: &Value) -> Response {
    json_body(value.to_string().into_bytes())
}

/// `POST /access/v1/evaluation`.
pub(crate) async fn evaluation(State(state): State<AppState>, body: Bytes) -> Response {
    let start = Instant::now();
    let snapshot = state.snapshot();
    let evaluation: Evaluation = match serde_json::from_slice(&body) {
        Ok(evaluation) => evaluation,
        Err(error) => {
            return ApiError::request(format!("not a valid AuthZEN evaluation: {error}"))
                .into_response();
        }
    };
    match run_one(
        &state,
        &snapshot,
        "/access/v1/evaluation",
        &evaluation,
        start,
    ) {
        Ok(answer) => respond(&answer),
        Err(message) => ApiError::request(message).into_response(),
    }
}

/// How `evaluations` stops early.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Semantic {
    ExecuteAll,
    DenyOnFirstDeny,
    PermitOnFirstPermit,
}

/// `POST /access/v1/evaluations`.
pub(crate) async fn evaluations(State(state): State<AppState>, body: Bytes) -> Response {
    let start = Instant::now();
    let snapshot = state.snapshot();
    let request: Evaluations<'_> = match serde_json::from_slice(&body) {
        Ok(request) => request,
        Err(error) => {
            return ApiError::request(format!("not a valid AuthZEN evaluations request: {error}"))
                .into_response();
        }
    };
    let semantic = match request
        .options
        .as_ref()
        .and_then(|o| o.evaluations_semantic.as_deref())
    {
        None | Some("execute_all") => Semantic::ExecuteAll,
        Some("deny_on_first_deny") => Semantic::DenyOnFirstDeny,
        Some("permit_on_first_permit") => Semantic::PermitOnFirstPermit,
        Some(other) => {
            return ApiError::request(format!(
                "unknown `evaluations_semantic` `{other}`: use `execute_all`, \
                 `deny_on_first_deny` or `permit_on_first_permit`"
            ))
            .into_response();
        }
    };
    let route = "/access/v1/evaluations";
    let defaults = Evaluation {
        subject: request.subject,
        resource: request.resource,
        action: request.action,
        context: request.context,
    };
    let items = request.evaluations.unwrap_or_default();
    if items.is_empty() {
        return match run_one(&state, &snapshot, route, &defaults, start) {
            Ok(answer) => respond(&answer),
            Err(message) => ApiError::request(message).into_response(),
        };
    }
    let max = state.limits.max_batch;
    if items.len() > max {
        return ApiError::new(
            axum::http::StatusCode::PAYLOAD_TOO_LARGE,
            "authgate::too_large",
            format!(
                "the request has {} evaluations, over the {max} allowed (--max-batch)",
                items.len()
            ),
        )
        .into_response();
    }
    state.metrics.batch(items.len());
    let defaults = &defaults;
    let mut answers = Vec::with_capacity(items.len());
    for item in items {
        let merged = serde_json::from_str::<Evaluation>(item.get())
            .map_err(|error| format!("not a valid evaluation: {error}"))
            .and_then(|item| {
                let merged = Evaluation {
                    subject: item.subject.or_else(|| defaults.subject.clone()),
                    resource: item.resource.or_else(|| defaults.resource.clone()),
                    action: item.action.or_else(|| defaults.action.clone()),
                    context: item.context.or_else(|| defaults.context.clone()),
                };
                run_one(&state, &snapshot, route, &merged, start)
            });
        let (answer, decision) = match merged {
            Ok(answer) => {
                let decision = answer
                    .get("decision")
                    .and_then(Value::as_bool)
                    .unwrap_or(false);
                (answer, decision)
            }
            Err(message) => (
                serde_json::json!({
                    "decision": false,
                    "context": {"error": {"status": 400, "message": message}},
                }),
                false,
            ),
        };
        answers.push(answer);
        let stop = match semantic {
            Semantic::ExecuteAll => false,
            Semantic::DenyOnFirstDeny => !decision,
            Semantic::PermitOnFirstPermit => decision,
        };
        if stop {
            break;
        }
    }
    respond(&serde_json::json!({ "evaluations": answers }))
}

/// `GET /.well-known/authzen-configuration`: where the evaluation
/// endpoints are, as absolute URLs on the host the client asked for.
pub(crate) async fn configuration(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let host = headers
        .get(header::HOST)
        .and_then(|host| host.to_str().ok())
        .filter(|host| host.parse::<axum::http::uri::Authority>().is_ok())
        .map(|host| format!("http://{host}"));
    let base = host
        .or_else(|| {
            state
                .public_url
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .clone()
        })
        .unwrap_or_default();
    respond(&serde_json::json!({
        "policy_decision_point": base,
        "access_evaluation_endpoint": format!("{base}/access/v1/evaluation"),
        "access_evaluations_endpoint": format!("{base}/access/v1/evaluations"),
    }))
}
