//! authgate side by side with its peers on the seeded benchmark workload (`workload/`), printing
//! one markdown table. Run from the repository root:
//!
//! ```sh
//! scripts/peers.sh            # or: cargo run --release --manifest-path peers/Cargo.toml
//! ```
//!
//! Engines, all on the same seeded workload and the same queries:
//! - `authgate`: compile from the rule text, then decide by compiled ids
//!   and by names;
//! - `raw bitmask`: an array of activated-method bytes per endpoint and a
//!   method per instance, integer ids only (the physical limit);
//! - `naive HashMap`: `HashMap<String, String>` instance -> method and
//!   `HashMap<String, HashSet<String>>` endpoint -> methods;
//! - `cedar-policy`: entities `Instance { auth: String }` and
//!   `Endpoint { auth: Set<String> }`, one policy, one `Request` per query;
//! - `regorus`: data holds each instance's method and each endpoint's
//!   methods; the policy compiled to its RVM and run hot (one VM, a new
//!   input per query).
//!
//! Every engine's decisions are compared with the workload's ground truth;
//! the table shows the mismatches. Each figure is the best of three timed
//! passes over all queries, after a warm-up pass.

use std::collections::{HashMap, HashSet};
use std::hint::black_box;
use std::str::FromStr;
use std::time::{Duration, Instant};

use authgate_workload as workload;
use workload::{K, M, Q, SEED, SIZES, Workload};

struct Row {
    n: usize,
    engine: &'static str,
    setup: Option<Duration>,
    /// Nanoseconds per decision.
    per_decision: f64,
    mismatches: usize,
    note: String,
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |flag: &str| -> Option<usize> {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse().ok())
    };
    let queries = value("--queries").unwrap_or(Q);
    // cedar and regorus build their data from every endpoint; beyond this
    // size their setup takes minutes and gigabytes, so they are skipped.
    let peer_max = value("--peer-max").unwrap_or(100_000);
    let sizes: Vec<usize> = match value("--size") {
        Some(n) => vec![n],
        None => SIZES.to_vec(),
    };
    let mut rows = Vec::new();
    for &n in &sizes {
        let workload = Workload::generate(n, M, queries, SEED);
        eprintln!("N = {n}: {} bytes of rules, {} queries", workload.text.len(), queries);
        rows.extend(authgate_rows(n, &workload));
        rows.push(raw_bitmask(n, &workload));
        rows.push(naive_hashmap(n, &workload));
        if n <= peer_max {
            rows.push(cedar(n, &workload));
            rows.push(regorus(n, &workload));
        }
    }
    print_table(&rows);
}

/// Nanoseconds per item.
fn per(elapsed: Duration, count: usize) -> f64 {
    elapsed.as_secs_f64() * 1e9 / count.max(1) as f64
}

/// Answers every item after an untimed warm-up pass over the first
/// 100,000 (caches, branch predictors and page tables warm, as in a
/// long-running service), three times; returns the answers and the best
/// of the three in ns per item (the least disturbed by this shared
/// machine).
fn timed<T>(items: &[T], mut answer: impl FnMut(&T) -> bool) -> (Vec<bool>, f64) {
    for item in items.iter().take(100_000) {
        black_box(answer(item));
    }
    let mut answers = Vec::with_capacity(items.len());
    let mut best = f64::INFINITY;
    for _ in 0..3 {
        answers.clear();
        let start = Instant::now();
        answers.extend(items.iter().map(&mut answer));
        best = best.min(per(start.elapsed(), items.len()));
    }
    (answers, best)
}

fn authgate_rows(n: usize, workload: &Workload) -> Vec<Row> {
    let start = Instant::now();
    let mut sources = authgate::Sources::new();
    sources.add("bench.gate", workload.text.clone());
    let compiled = authgate::compile(&sources);
    let setup = start.elapsed();
    let policy = compiled.policy.expect("the workload compiles");
    let megabytes = workload.text.len() as f64 / 1e6;
    let heap = policy.heap_bytes();
    let note = format!(
        "compile {:.0} MB/s; policy {:.1} MB = {:.2}x the rules",
        megabytes / setup.as_secs_f64(),
        heap as f64 / 1e6,
        heap as f64 / workload.text.len() as f64
    );
    let connector = policy.connector(workload::connector()).expect("declared");
    let names: Vec<(String, String)> = workload
        .queries
        .iter()
        .map(|&(i, e)| (workload::instance_name(i as usize), workload::endpoint_name(e as usize)))
        .collect();
    let ids: Vec<_> = names
        .iter()
        .map(|(i, e)| {
            (
                policy.instance(i).expect("declared"),
                policy.endpoint(connector, e).expect("declared"),
            )
        })
        .collect();

    let (answers, by_ids) = timed(&ids, |&(i, e)| policy.is_available_to(black_box(i), black_box(e)));
    let ids_mismatches = mismatches(workload, &answers);

    let (answers, by_names) = timed(&names, |(i, e)| {
        policy
            .decide(authgate::Principal::Instance(black_box(i)), black_box(e))
            .available()
    });
    vec![
        Row {
            n,
            engine: "authgate (ids)",
            setup: Some(setup),
            per_decision: by_ids,
            mismatches: ids_mismatches,
            note,
        },
        Row {
            n,
            engine: "authgate (names)",
            setup: Some(setup),
            per_decision: by_names,
            mismatches: mismatches(workload, &answers),
            note: String::new(),
        },
    ]
}

fn mismatches(workload: &Workload, answers: &[bool]) -> usize {
    workload
        .queries
        .iter()
        .zip(answers)
        .filter(|&(&(i, e), &answer)| answer != workload.expected(i, e))
        .count()
        + workload.queries.len().abs_diff(answers.len())
}

fn raw_bitmask(n: usize, workload: &Workload) -> Row {
    let (endpoints, instances) = (&workload.endpoints, &workload.instances);
    let (answers, per_decision) = timed(&workload.queries, |&(i, e)| {
        let method = instances[black_box(i) as usize];
        endpoints[black_box(e) as usize] >> method & 1 == 1
    });
    Row {
        n,
        engine: "raw bitmask",
        setup: None,
        per_decision,
        mismatches: mismatches(workload, &answers),
        note: "integer ids, no names".to_owned(),
    }
}

fn naive_hashmap(n: usize, workload: &Workload) -> Row {
    let start = Instant::now();
    let instances: HashMap<String, String> = workload
        .instances
        .iter()
        .enumerate()
        .map(|(i, &m)| (workload::instance_name(i), workload::method_name(m as usize)))
        .collect();
    let endpoints: HashMap<String, HashSet<String>> = workload
        .endpoints
        .iter()
        .enumerate()
        .map(|(e, &bits)| {
            let methods = (0..K).filter(|k| bits >> k & 1 == 1).map(workload::method_name).collect();
            (workload::endpoint_name(e), methods)
        })
        .collect();
    let setup = start.elapsed();
    let names: Vec<(String, String)> = workload
        .queries
        .iter()
        .map(|&(i, e)| (workload::instance_name(i as usize), workload::endpoint_name(e as usize)))
        .collect();
    let (answers, per_decision) = timed(&names, |(i, e)| {
        instances.get(black_box(i)).is_some_and(|method| {
            endpoints
                .get(black_box(e))
                .is_some_and(|methods| methods.contains(method))
        })
    });
    Row {
        n,
        engine: "naive HashMap",
        setup: Some(setup),
        per_decision,
        mismatches: mismatches(workload, &answers),
        note: "built from the workload's data, not from text".to_owned(),
    }
}

fn cedar(n: usize, workload: &Workload) -> Row {
    use cedar_policy::{
        Authorizer, Context, Decision, Entities, Entity, EntityId, EntityTypeName, EntityUid,
        PolicySet, Request, RestrictedExpression,
    };
    let instance_type = EntityTypeName::from_str("Instance").expect("valid type");
    let endpoint_type = EntityTypeName::from_str("Endpoint").expect("valid type");
    let uid = |ty: &EntityTypeName, id: &str| EntityUid::from_type_name_and_id(ty.clone(), EntityId::new(id));
    let start = Instant::now();
    let policies = PolicySet::from_str(
        "permit(principal, action, resource) when { resource.auth.contains(principal.auth) };",
    )
    .expect("valid policy");
    let mut entities = Vec::with_capacity(workload.instances.len() + workload.endpoints.len());
    for (i, &m) in workload.instances.iter().enumerate() {
        let attrs = HashMap::from([(
            "auth".to_owned(),
            RestrictedExpression::new_string(workload::method_name(m as usize)),
        )]);
        entities.push(
            Entity::new(uid(&instance_type, &workload::instance_name(i)), attrs, HashSet::new())
                .expect("valid entity"),
        );
    }
    for (e, &bits) in workload.endpoints.iter().enumerate() {
        let set = RestrictedExpression::new_set(
            (0..K)
                .filter(|k| bits >> k & 1 == 1)
                .map(|k| RestrictedExpression::new_string(workload::method_name(k))),
        );
        let attrs = HashMap::from([("auth".to_owned(), set)]);
        entities.push(
            Entity::new(uid(&endpoint_type, &workload::endpoint_name(e)), attrs, HashSet::new())
                .expect("valid entity"),
        );
    }
    let entities = Entities::from_entities(entities, None).expect("valid entities");
    let authorizer = Authorizer::new();
    let action = EntityUid::from_str(r#"Action::"call""#).expect("valid action");
    let setup = start.elapsed();
    let names: Vec<(String, String)> = workload
        .queries
        .iter()
        .map(|&(i, e)| (workload::instance_name(i as usize), workload::endpoint_name(e as usize)))
        .collect();
    let (answers, per_decision) = timed(&names, |(i, e)| {
            let request = Request::new(
                uid(&instance_type, black_box(i)),
                action.clone(),
                uid(&endpoint_type, black_box(e)),
                Context::empty(),
                None,
            )
            .expect("valid request");
            authorizer.is_authorized(&request, &policies, &entities).decision() == Decision::Allow
    });
    Row {
        n,
        engine: "cedar-policy 4.14",
        setup: Some(setup),
        per_decision,
        mismatches: mismatches(workload, &answers),
        note: "one Request per query".to_owned(),
    }
}

fn regorus(n: usize, workload: &Workload) -> Row {
    use regorus::Value;
    use regorus::languages::rego::compiler::Compiler;
    use regorus::rvm::vm::RegoVM;

    let start = Instant::now();
    let mut data = serde_json::Map::new();
    let instances: serde_json::Map<String, serde_json::Value> = workload
        .instances
        .iter()
        .enumerate()
        .map(|(i, &m)| (workload::instance_name(i), workload::method_name(m as usize).into()))
        .collect();
    let endpoints: serde_json::Map<String, serde_json::Value> = workload
        .endpoints
        .iter()
        .enumerate()
        .map(|(e, &bits)| {
            let methods: serde_json::Map<String, serde_json::Value> = (0..K)
                .filter(|k| bits >> k & 1 == 1)
                .map(|k| (workload::method_name(k), true.into()))
                .collect();
            (workload::endpoint_name(e), methods.into())
        })
        .collect();
    data.insert("instances".to_owned(), instances.into());
    data.insert("endpoints".to_owned(), endpoints.into());
    let data = Value::from_json_str(&serde_json::Value::Object(data).to_string()).expect("valid data");
    let mut engine = regorus::Engine::new();
    engine
        .add_policy(
            "authgate.rego".to_owned(),
            "package authgate\n\
             default allow := false\n\
             allow if { data.endpoints[input.endpoint][data.instances[input.instance]] }\n"
                .to_owned(),
        )
        .expect("valid policy");
    engine.add_data(data.clone()).expect("valid data");
    let entry: regorus::Rc<str> = "data.authgate.allow".into();
    let compiled = engine.compile_with_entrypoint(&entry).expect("compiles");
    let program = Compiler::compile_from_policy(&compiled, &["data.authgate.allow"]).expect("compiles to RVM");
    let mut vm = RegoVM::new();
    vm.load_program(program);
    vm.set_data(data).expect("data loads");
    let setup = start.elapsed();
    let names: Vec<(String, String)> = workload
        .queries
        .iter()
        .map(|&(i, e)| (workload::instance_name(i as usize), workload::endpoint_name(e as usize)))
        .collect();
    let (answers, per_decision) = timed(&names, |(i, e)| {
            let mut input = std::collections::BTreeMap::new();
            input.insert(Value::from("instance"), Value::from(black_box(i.as_str())));
            input.insert(Value::from("endpoint"), Value::from(black_box(e.as_str())));
            vm.set_input(Value::from(input));
            vm.execute().map(|v| v == Value::Bool(true)).unwrap_or(false)
    });
    Row {
        n,
        engine: "regorus 0.14 (RVM)",
        setup: Some(setup),
        per_decision,
        mismatches: mismatches(workload, &answers),
        note: "one VM, a new input per query".to_owned(),
    }
}

fn print_table(rows: &[Row]) {
    println!("| N | engine | setup | per decision | decisions/s | vs authgate (names) | mismatches | note |");
    println!("|---:|---|---:|---:|---:|---:|---:|---|");
    for row in rows {
        let names = rows
            .iter()
            .find(|r| r.n == row.n && r.engine == "authgate (names)")
            .map(|r| r.per_decision);
        let ratio = names.map_or(String::new(), |names| {
            format!("{:.2}x", row.per_decision / names)
        });
        println!(
            "| {} | {} | {} | {:.1} ns | {} | {} | {} | {} |",
            row.n,
            row.engine,
            row.setup.map_or("-".to_owned(), |s| format!("{:.1} ms", s.as_secs_f64() * 1e3)),
            row.per_decision,
            format_rate(1e9 / row.per_decision.max(1e-3)),
            ratio,
            row.mismatches,
            row.note
        );
    }
}

fn format_rate(rate: f64) -> String {
    if rate >= 1e6 {
        format!("{:.1} M", rate / 1e6)
    } else {
        format!("{:.0} k", rate / 1e3)
    }
}
