//! In-process figures (`docs/performance.md`), on the seeded workload of the
//! `authgate-workload` crate (`workload/`): compile (text to policy) and
//! check throughput, decisions by ids and by names, listing what an instance
//! sees, and two baselines measured in the same run (a raw bitmask loop
//! over integer ids, the physical limit, and a naive
//! `HashMap<String, HashSet<String>>`).
//!
//! ```sh
//! cargo bench --bench engine
//! ```
//!
//! Every decision is checked against the workload's ground truth before it
//! is timed.

#![allow(clippy::expect_used, reason = "a benchmark may stop on a broken setup")]

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, OnceLock};

use authgate::policy::{EndpointId, InstanceId};
use authgate::{Policy, Principal, Sources};
use authgate_workload as workload;
use divan::Bencher;
use divan::counter::{BytesCount, ItemsCount};
use workload::{M, Q, SEED, SIZES, Workload};

fn main() {
    divan::main();
}

/// Each size's workload and policy, built once per run.
struct Prepared {
    workload: Workload,
    policy: Policy,
    ids: Vec<(InstanceId, EndpointId)>,
    names: Vec<(String, String)>,
}

fn prepared(n: usize) -> Arc<Prepared> {
    static CACHE: OnceLock<std::sync::Mutex<HashMap<usize, Arc<Prepared>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let mut cache = cache.lock().expect("not poisoned");
    Arc::clone(cache.entry(n).or_insert_with(|| {
        let workload = Workload::generate(n, M, Q, SEED);
        let mut sources = Sources::new();
        sources.add("bench.gate", workload.text.clone());
        let policy = authgate::compile(&sources)
            .policy
            .expect("the workload compiles");
        let connector = policy.connector(workload::connector()).expect("declared");
        let ids = workload
            .queries
            .iter()
            .map(|&(i, e)| {
                let instance = policy
                    .instance(&workload::instance_name(i as usize))
                    .expect("declared");
                let endpoint = policy
                    .endpoint(connector, &workload::endpoint_name(e as usize))
                    .expect("declared");
                (instance, endpoint)
            })
            .collect();
        let names = workload
            .queries
            .iter()
            .map(|&(i, e)| {
                (
                    workload::instance_name(i as usize),
                    workload::endpoint_name(e as usize),
                )
            })
            .collect();
        let prepared = Prepared {
            workload,
            policy,
            ids,
            names,
        };
        // Ground truth before any timing.
        for (&(i, e), (instance, endpoint)) in prepared.workload.queries.iter().zip(&prepared.names)
        {
            let decision = prepared
                .policy
                .decide(Principal::Instance(instance), endpoint);
            assert_eq!(decision.available(), prepared.workload.expected(i, e));
        }
        Arc::new(prepared)
    }))
}

#[divan::bench(args = SIZES, sample_count = 10, sample_size = 1)]
fn compile(bencher: Bencher, n: usize) {
    let text = Workload::generate(n, M, 0, SEED).text;
    bencher
        .counter(BytesCount::new(text.len()))
        .with_inputs(|| text.clone())
        .bench_values(|text| {
            let mut sources = Sources::new();
            sources.add("bench.gate", text);
            authgate::compile(&sources).policy.is_some()
        });
}

#[divan::bench(args = SIZES, sample_count = 10, sample_size = 1)]
fn check(bencher: Bencher, n: usize) {
    let text = Workload::generate(n, M, 0, SEED).text;
    bencher
        .counter(BytesCount::new(text.len()))
        .with_inputs(|| text.clone())
        .bench_values(|text| {
            let mut sources = Sources::new();
            sources.add("bench.gate", text);
            authgate::check(&sources).1.errors
        });
}

#[divan::bench(args = SIZES, sample_count = 20)]
fn decide_by_ids(bencher: Bencher, n: usize) {
    let prepared = prepared(n);
    let policy = &prepared.policy;
    bencher.counter(ItemsCount::new(Q)).bench(|| {
        prepared
            .ids
            .iter()
            .filter(|&&(instance, endpoint)| policy.is_available_to(instance, endpoint))
            .count()
    });
}

#[divan::bench(args = SIZES, sample_count = 20)]
fn raw_bitmask(bencher: Bencher, n: usize) {
    let prepared = prepared(n);
    let workload = &prepared.workload;
    let (endpoints, instances) = (&workload.endpoints, &workload.instances);
    bencher.counter(ItemsCount::new(Q)).bench(|| {
        workload
            .queries
            .iter()
            .filter(|&&(i, e)| {
                let method = instances.get(i as usize).copied().unwrap_or(0);
                endpoints
                    .get(e as usize)
                    .is_some_and(|bits| bits >> method & 1 == 1)
            })
            .count()
    });
}

#[divan::bench(args = SIZES, sample_count = 20)]
fn decide_by_names(bencher: Bencher, n: usize) {
    let prepared = prepared(n);
    let policy = &prepared.policy;
    bencher.counter(ItemsCount::new(Q)).bench(|| {
        prepared
            .names
            .iter()
            .filter(|(instance, endpoint)| {
                policy
                    .decide(Principal::Instance(instance), endpoint)
                    .available()
            })
            .count()
    });
}

#[divan::bench(args = SIZES, sample_count = 20)]
fn naive_hashmap(bencher: Bencher, n: usize) {
    let prepared = prepared(n);
    let workload = &prepared.workload;
    let instances: HashMap<String, String> = workload
        .instances
        .iter()
        .enumerate()
        .map(|(i, &m)| {
            (
                workload::instance_name(i),
                workload::method_name(m as usize),
            )
        })
        .collect();
    let endpoints: HashMap<String, HashSet<String>> = workload
        .endpoints
        .iter()
        .enumerate()
        .map(|(e, &bits)| {
            let methods = (0..workload::K)
                .filter(|k| bits >> k & 1 == 1)
                .map(workload::method_name)
                .collect();
            (workload::endpoint_name(e), methods)
        })
        .collect();
    bencher.counter(ItemsCount::new(Q)).bench(|| {
        prepared
            .names
            .iter()
            .filter(|(instance, endpoint)| {
                instances.get(instance).is_some_and(|method| {
                    endpoints
                        .get(endpoint)
                        .is_some_and(|methods| methods.contains(method))
                })
            })
            .count()
    });
}

#[divan::bench(args = SIZES, sample_count = 20)]
fn visible(bencher: Bencher, n: usize) {
    let prepared = prepared(n);
    let policy = &prepared.policy;
    let instances: Vec<InstanceId> = (0..M)
        .filter_map(|i| policy.instance(&workload::instance_name(i)))
        .collect();
    bencher.counter(ItemsCount::new(M)).bench(|| {
        instances
            .iter()
            .map(|&instance| {
                let subject = policy.instance_subject(instance).expect("of this policy");
                policy.visible(subject.method).len()
            })
            .sum::<usize>()
    });
}
