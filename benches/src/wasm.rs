//! `essnap-bench-wasm`: the restore plan through the `core` component in wasmtime (see benches/README.md).
//!
//! `essnap-bench-wasm plan COMPONENT N RUNS` — loads `essnap-core.wasm` (built by `cargo xtask component`) into
//! wasmtime (the configuration the CLI uses: cranelift, default optimisation), then, RUNS times, drives the
//! component's `planning.restore-planner` for a whole snapshot of N indices over N existing indices (half of them
//! open, `close-conflicting`) on OpenSearch 2.19.1, feeding it canned answers to the three reads it asks for
//! (`GET /`, the snapshot, `_cat/indices`). The same answers are then fed to the native gather machine and
//! `plan_restore`, so both sides do the same work (decode, plan, requests, render, JSON). Prints one JSON object: medians of the
//! whole planner run, of its last step alone (`_cat/indices` decode + plan + lowering the plan to the host), the
//! native figure, and the compile/instantiate times.

use std::time::Instant;

use essnap::machine::gather::Gather;
use essnap::machine::{Input, Machine, Step, Timing};
use essnap::plan::{RestoreSelection, plan_restore};
use serde_json::{Value, json};
use wasmtime::component::{Component, Linker, ResourceAny};
use wasmtime::{Config, Engine, Store};

wasmtime::component::bindgen!({
    world: "core",
    path: "../wit",
});

use exports::essnap::snapshots::planning::{Input as WInput, PlannerStep};
use exports::essnap::snapshots::types as wt;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = match a.as_slice() {
        ["plan", component, n, runs] => plan(component, num(n), num(runs), None),
        // Every name through the rename (Java regex `(.+)` → `PREFIX$1`), nothing to close.
        ["plan", component, n, runs, "--prefix", p] => plan(component, num(n), num(runs), Some(p)),
        _ => Err("usage: essnap-bench-wasm plan COMPONENT N RUNS [--prefix P]".into()),
    };
    match out {
        Ok(v) => println!("{v}"),
        Err(e) => {
            eprintln!("essnap-bench-wasm: {e}");
            std::process::exit(1);
        }
    }
}

fn num(s: &str) -> usize {
    s.parse().unwrap_or_else(|_| panic!("not a number: {s}"))
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

/// The three answers the planner reads, shaped like OpenSearch 2.19.1's (tests/fixtures/real/opensearch-2.19.1).
struct Answers {
    info: Vec<u8>,
    snapshot: Vec<u8>,
    indices: Vec<u8>,
}

fn answers(n: usize) -> Answers {
    let names: Vec<String> = (0..n).map(|i| format!("logs-{i:05}")).collect();
    let info = json!({
        "name": "node-0", "cluster_name": "bench", "cluster_uuid": "fz--vGWeSZWskTpxF-11Lg",
        "version": { "distribution": "opensearch", "number": "2.19.1", "build_type": "unknown",
                     "build_hash": "2e4741fb45d1b150aaeeadf66d41445b23ff5982", "build_date": "2025-02-27T01:16:47.726162386Z",
                     "build_snapshot": false, "lucene_version": "9.12.1",
                     "minimum_wire_compatibility_version": "7.10.0", "minimum_index_compatibility_version": "7.0.0" },
        "tagline": "The OpenSearch Project: https://opensearch.org/"
    });
    let snapshot = json!({ "snapshots": [ {
        "snapshot": "snap-1", "uuid": "fW8zXVziQnSbeKBM7C8BDA", "version_id": 136_407_927, "version": "2.19.1",
        "remote_store_index_shallow_copy": false, "indices": names, "data_streams": [], "include_global_state": false,
        "state": "SUCCESS", "start_time": "2026-11-23T20:19:29.572Z", "start_time_in_millis": 1_795_465_169_572u64,
        "end_time": "2026-11-23T20:19:39.572Z", "end_time_in_millis": 1_795_465_179_572u64, "duration_in_millis": 10_000,
        "failures": [], "shards": { "total": n, "failed": 0, "successful": n } } ] });
    let rows: Vec<Value> =
        names.iter().enumerate().map(|(i, name)| json!({ "index": name, "status": if i % 2 == 0 { "open" } else { "close" }, "pri": "1" })).collect();
    let bytes = |v: &Value| serde_json::to_vec(v).expect("json");
    Answers { info: bytes(&info), snapshot: bytes(&snapshot), indices: bytes(&Value::Array(rows)) }
}

impl Answers {
    /// The answer to the planner's request, picked by its API name.
    fn for_api(&self, api: &str) -> Result<&[u8], String> {
        match api {
            "info" => Ok(&self.info),
            "snapshot.get" => Ok(&self.snapshot),
            "cat.indices" => Ok(&self.indices),
            other => Err(format!("the planner asked for `{other}`, which the bench does not answer")),
        }
    }
}

fn response(body: &[u8]) -> wt::HttpResponse {
    wt::HttpResponse { status: 200, headers: vec![("content-type".into(), "application/json; charset=UTF-8".into())], body: body.to_vec() }
}

struct Figures {
    total_ms: f64,
    last_step_ms: f64,
    items: usize,
    to_close: usize,
    requests: usize,
    blockers: usize,
    reads: Vec<String>,
}

/// One planner run inside the component: constructor, `start`, then the three answers.
fn run_wasm(store: &mut Store<()>, core: &Core, ans: &Answers, prefix: Option<&str>) -> Result<Figures, String> {
    let sel = wt::RestoreSelection {
        indices: Vec::new(),
        rename_pattern: None,
        rename_replacement: None,
        prefix: prefix.map(String::from),
        include_global_state: false,
        feature_states: None,
        partial: false,
        close_conflicting: true,
        include_aliases: None,
        index_settings_json: None,
        ignore_index_settings: Vec::new(),
    };
    let planner = core.essnap_snapshots_planning().restore_planner();
    let t = Instant::now();
    let res: ResourceAny = planner.call_constructor(&mut *store, "backups", "snap-1", &sel).map_err(|e| format!("constructor: {e:#}"))?;
    let mut input = WInput::Start;
    let mut reads = Vec::new();
    let mut last;
    let plan = loop {
        last = Instant::now();
        match planner.call_step(&mut *store, res, &input).map_err(|e| format!("step: {e:#}"))? {
            PlannerStep::Send(r) => {
                reads.push(format!("{:?} {}", r.method, r.path));
                input = WInput::Response(response(ans.for_api(&r.api)?));
            }
            PlannerStep::Wait(_) => input = WInput::Waited,
            PlannerStep::Done(Ok(p)) => break p,
            PlannerStep::Done(Err(e)) => return Err(format!("the planner failed: {} {}", e.code_name, e.message)),
        }
        if reads.len() > 10 {
            return Err("the planner kept asking".into());
        }
    };
    let (total_ms, last_step_ms) = (ms(t), ms(last));
    res.resource_drop(&mut *store).map_err(|e| format!("drop: {e:#}"))?;
    Ok(Figures { total_ms, last_step_ms, items: plan.items.len(), to_close: plan.to_close.len(), requests: plan.requests.len(), blockers: plan.blockers.len(), reads })
}

/// The same run natively: the gather machine on the same answers, then `plan_restore` and the renderings the
/// component returns (`render()` and the JSON).
fn run_native(ans: &Answers, prefix: Option<&str>) -> Result<(f64, usize), String> {
    let t = Instant::now();
    let mut g = Gather::new("backups", "snap-1", Timing::default());
    let mut input = Input::Start;
    let inputs = loop {
        match g.step(input) {
            Step::Send(r) => input = Input::Response(essnap::Response::new(200, ans.for_api(r.api)?.to_vec())),
            Step::Wait(_) => input = Input::Waited,
            Step::Done(Ok(i)) => break i,
            Step::Done(Err(e)) => return Err(format!("gather failed: {e:?}")),
        }
    };
    let rename = prefix.map(|p| essnap::plan::Rename::Prefix(p.to_string()));
    let sel = RestoreSelection { close_conflicting: true, rename, ..Default::default() };
    let p = plan_restore(&inputs, &sel).map_err(|e| format!("{e:?}"))?;
    let rendered = p.render();
    let json = essnap::json::to_string(&p);
    let requests: Vec<_> = p.requests().collect();
    std::hint::black_box((&rendered, &json, &requests));
    Ok((ms(t), p.items.len()))
}

fn plan(component: &str, n: usize, runs: usize, prefix: Option<&str>) -> Result<Value, String> {
    let ans = answers(n);
    let mut config = Config::new();
    config.wasm_component_model(true);
    let engine = Engine::new(&config).map_err(|e| format!("wasmtime: {e:#}"))?;
    let bytes = std::fs::read(component).map_err(|e| format!("{component}: {e} (run `cargo xtask component`)"))?;
    let t = Instant::now();
    let comp = Component::new(&engine, &bytes).map_err(|e| format!("compiling {component}: {e:#}"))?;
    let compile_ms = ms(t);
    let linker: Linker<()> = Linker::new(&engine);
    let mut store = Store::new(&engine, ());
    let t = Instant::now();
    let core = Core::instantiate(&mut store, &comp, &linker).map_err(|e| format!("instantiating: {e:#}"))?;
    let instantiate_ms = ms(t);

    // one warm-up run of each, then interleaved timed runs
    let first = run_wasm(&mut store, &core, &ans, prefix)?;
    let (_, native_items) = run_native(&ans, prefix)?;
    if first.items != n || native_items != n || first.blockers != 0 {
        return Err(format!("unexpected plan: {} items (native {native_items}), {} blockers", first.items, first.blockers));
    }
    let (mut total, mut last, mut native) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..runs.max(1) {
        let f = run_wasm(&mut store, &core, &ans, prefix)?;
        total.push(f.total_ms);
        last.push(f.last_step_ms);
        native.push(run_native(&ans, prefix)?.0);
    }
    Ok(json!({
        "indices": n, "prefix": prefix, "runs": total.len(), "engine": "wasmtime 48 (cranelift, Config::new() as the CLI)",
        "median_ms": median(total.clone()), "last_step_median_ms": median(last.clone()), "native_median_ms": median(native.clone()),
        "all_ms": total, "last_step_ms": last, "native_ms": native,
        "compile_ms": compile_ms, "instantiate_ms": instantiate_ms, "component_bytes": bytes.len(),
        "answer_bytes": { "info": ans.info.len(), "snapshot": ans.snapshot.len(), "cat_indices": ans.indices.len() },
        "reads": first.reads, "items": first.items, "to_close": first.to_close, "plan_requests": first.requests,
    }))
}
