//! The machines, pager, planner and one-request operations, each step a synchronous call that
//! the JS wrapper drives (send with [`Conn::send`](crate::Conn::send), sleep, feed back).

use essnap::json::FromJson;
use essnap::api::snapshot::{
    CreateRepository, CreateSnapshot, DeleteSnapshots, FsSettings, GetRepositories, Order, RepositoryAction, RepositorySettings, S3Settings,
    SnapshotSort,
};
use essnap::api::{cluster, decode, decode_named};
use essnap::dialect::Dialect;
use essnap::ece::{EceSnapshot, EceSnapshotRun, ProxyTarget, TakeSnapshot};
use essnap::machine::create::CreateSnapshotRun;
use essnap::machine::gather::Gather;
use essnap::machine::list::SnapshotPager;
use essnap::machine::restore::RestoreExecution;
use essnap::machine::{Event, Input, Machine, Step, Timing};
use essnap::model::Info;
use essnap::plan::{RestoreInputs, RestorePlan, RestoreSelection, plan_restore};
use essnap::{ApiError, Request, Secret};
use serde_json::{Map, Value};
use wasm_bindgen::prelude::*;

use crate::errors::{api_err, api_error_json, core_err, input_err, invalid, object, raw, transport_error_json};
use essnap::json::to_string as to_json;
use crate::transport::{Reply, Req};

/// What a step asks for: `SEND` (take the request with `request()`), `DONE`, or a wait (ms ≥ 0).
pub const SEND: f64 = -1.0;
pub const DONE: f64 = -2.0;

fn dialect(json: &str) -> Result<Dialect, JsValue> {
    essnap::json::from_slice(json.as_bytes()).map_err(|e| invalid("dialect", e, "pass the dialect from connect()"))
}

fn timing(json: Option<String>) -> Result<Timing, JsValue> {
    let mut t = Timing::default();
    let Some(j) = json else { return Ok(t) };
    let v: Map<String, Value> = essnap::json::from_slice(j.as_bytes()).map_err(|e| invalid("timing", e, "pass numbers"))?;
    let num = |k: &str| -> Result<Option<u64>, JsValue> {
        match v.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(n) => n.as_u64().map(Some).ok_or_else(|| invalid(k, format!("{} is not a whole number ≥ 0", essnap::json::to_string(n)), "pass milliseconds as a whole number")),
        }
    };
    if let Some(n) = num("pollIntervalMs")? {
        t.poll_interval_ms = n.max(1);
    }
    if let Some(n) = num("maxWaitMs")? {
        t.max_wait_ms = n;
    }
    if let Some(n) = num("backoffMs")? {
        t.backoff_ms = n;
    }
    if let Some(n) = num("maxRetries")? {
        t.max_retries = n.min(100) as u32;
    }
    Ok(t)
}

fn input_of(reply: Reply) -> Input {
    match reply.0 {
        Ok(r) => Input::Response(r),
        Err(t) => Input::Failed(t),
    }
}

fn response_of(reply: &Reply) -> Result<&essnap::Response, JsValue> {
    reply.0.as_ref().map_err(|t| raw(transport_error_json(t)))
}

enum Kind {
    Gather(Gather),
    Restore(RestoreExecution),
    Create(CreateSnapshotRun),
    Ece(EceSnapshotRun),
}

enum Output {
    Inputs(RestoreInputs),
    Json(Value),
    Error(ApiError),
}

/// One run of a machine.
#[wasm_bindgen]
pub struct Runner {
    kind: Kind,
    pending: Option<Request>,
    events: Vec<Event>,
    output: Option<Output>,
}

fn step_of<M: Machine>(m: &mut M, input: Input, events: &mut Vec<Event>) -> Step<M::Output> {
    let s = m.step(input);
    events.extend(m.take_events());
    s
}

/// A step of a machine whose outcome goes to JS as JSON (its `error` in the wrapper's shape).
fn outcome_step<M: Machine>(
    m: &mut M,
    input: Input,
    events: &mut Vec<Event>,
    error: impl Fn(&M::Output) -> Option<&ApiError>,
) -> (Option<Request>, Option<u64>, Option<Output>)
where
    M::Output: essnap::json::ToJson,
{
    match step_of(m, input, events) {
        Step::Send(r) => (Some(r), None, None),
        Step::Wait(ms) => (None, Some(ms), None),
        Step::Done(o) => (None, None, Some(Output::Json(outcome_json(&o, error(&o))))),
    }
}

/// An outcome with its `error` in the wrapper's error shape.
fn outcome_json<T: essnap::json::ToJson>(o: &T, err: Option<&ApiError>) -> Value {
    let mut v = essnap::json::to_value(o);
    if let Some(e) = err {
        v["error"] = api_error_json(e);
    }
    v
}

#[wasm_bindgen]
impl Runner {
    /// Reads what a restore plan (or a compatibility check) needs.
    pub fn gather(repository: &str, snapshot: &str, timing_json: Option<String>) -> Result<Runner, JsValue> {
        essnap::names::validate_repository_name(repository).map_err(|e| input_err(&e))?;
        if snapshot.trim().is_empty() {
            return Err(invalid("snapshot", "the snapshot name is empty", "give the snapshot's name"));
        }
        Ok(Runner::of(Kind::Gather(Gather::new(repository, snapshot, timing(timing_json)?))))
    }

    /// Executes a plan.
    pub fn restore(plan: &Plan, timing_json: Option<String>) -> Result<Runner, JsValue> {
        Ok(Runner::of(Kind::Restore(RestoreExecution::new(plan.plan.clone(), timing(timing_json)?))))
    }

    /// Takes a snapshot; `options_json` holds the body options (indices, partial, ...).
    pub fn create(repository: &str, snapshot: &str, options_json: &str, dialect_json: &str, timing_json: Option<String>) -> Result<Runner, JsValue> {
        let o: Map<String, Value> = essnap::json::from_slice(options_json.as_bytes()).map_err(|e| invalid("options", e, "pass an options object"))?;
        let strings = |k: &str| -> Result<Option<Vec<String>>, JsValue> {
            match o.get(k) {
                None | Some(Value::Null) => Ok(None),
                Some(v) => essnap::json::from_value(v).map(Some).map_err(|_| invalid(k, "not a list of strings", "pass an array of strings")),
            }
        };
        let flag = |k: &str| -> Result<Option<bool>, JsValue> {
            match o.get(k) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::Bool(b)) => Ok(Some(*b)),
                Some(_) => Err(invalid(k, "not a boolean", "pass true or false")),
            }
        };
        let req = CreateSnapshot {
            indices: strings("indices")?.unwrap_or_default(),
            ignore_unavailable: flag("ignoreUnavailable")?,
            include_global_state: flag("includeGlobalState")?,
            partial: flag("partial")?,
            feature_states: strings("featureStates")?,
            metadata: match o.get("metadata") {
                None | Some(Value::Null) => None,
                Some(Value::Object(m)) => Some(m.clone()),
                Some(_) => return Err(invalid("metadata", "not an object", "pass a plain object")),
            },
            expand_wildcards: o.get("expandWildcards").and_then(|v| v.as_str()).map(String::from),
            ..CreateSnapshot::new(repository, snapshot)
        };
        let run = CreateSnapshotRun::new(req, dialect(dialect_json)?, timing(timing_json)?).map_err(|e| input_err(&e))?;
        Ok(Runner::of(Kind::Create(run)))
    }

    /// Takes a snapshot through ECE (run with a `Conn.ece` connection): the clusters API, or the
    /// deployment proxy when that is gone, then (with `wait`) watches until ECE settles.
    /// `options_json`: `{clusterId, name?, repository?, esUsername?, esPassword?, deploymentId?,
    /// refId?, preferProxy?, wait?}`.
    #[wasm_bindgen(js_name = eceSnapshot)]
    pub fn ece_snapshot(options_json: &str, timing_json: Option<String>) -> Result<Runner, JsValue> {
        #[derive(FromJson)]
        #[json(rename_all = "camelCase", deny_unknown_fields)]
        struct Options {
            cluster_id: String,
            name: Option<String>,
            repository: Option<String>,
            es_username: Option<String>,
            es_password: Option<String>,
            deployment_id: Option<String>,
            ref_id: Option<String>,
            #[json(default)]
            prefer_proxy: bool,
            #[json(default = "yes")]
            wait: bool,
        }
        fn yes() -> bool {
            true
        }
        let o: Options = essnap::json::from_slice(options_json.as_bytes()).map_err(|e| invalid("options", e, "pass {clusterId, name?, repository?, deploymentId?, ...}"))?;
        let take = TakeSnapshot {
            name: o.name,
            repository_name: o.repository,
            username: o.es_username,
            password: o.es_password.map(Secret::new),
            ..TakeSnapshot::new(o.cluster_id)
        };
        let mut flow = EceSnapshot::new(take);
        if let Some(d) = o.deployment_id {
            let target = ProxyTarget::new(d);
            flow = flow.with_proxy(match o.ref_id {
                Some(r) => target.with_ref_id(r),
                None => target,
            });
        }
        if o.prefer_proxy {
            flow = flow.prefer_proxy();
        }
        let run = EceSnapshotRun::new(flow, o.wait, Dialect::default(), timing(timing_json)?).map_err(|e| input_err(&e))?;
        Ok(Runner::of(Kind::Ece(run)))
    }

    fn of(kind: Kind) -> Runner {
        Runner { kind, pending: None, events: Vec::new(), output: None }
    }

    fn step(&mut self, input: Input) -> f64 {
        let ev = &mut self.events;
        let (send, wait, out) = match &mut self.kind {
            Kind::Gather(m) => match step_of(m, input, ev) {
                Step::Send(r) => (Some(r), None, None),
                Step::Wait(ms) => (None, Some(ms), None),
                Step::Done(Ok(i)) => (None, None, Some(Output::Inputs(i))),
                Step::Done(Err(e)) => (None, None, Some(Output::Error(e))),
            },
            Kind::Restore(m) => outcome_step(m, input, ev, |o| o.error.as_ref()),
            Kind::Create(m) => outcome_step(m, input, ev, |o| o.error.as_ref()),
            Kind::Ece(m) => outcome_step(m, input, ev, |o| o.error.as_ref()),
        };
        if let Some(r) = send {
            self.pending = Some(r);
            return SEND;
        }
        if let Some(ms) = wait {
            return ms as f64;
        }
        self.output = out;
        DONE
    }

    /// The first step.
    pub fn start(&mut self) -> f64 {
        self.step(Input::Start)
    }

    /// The answer to the last request.
    pub fn feed(&mut self, reply: Reply) -> f64 {
        self.step(input_of(reply))
    }

    /// The last wait is over.
    pub fn waited(&mut self) -> f64 {
        self.step(Input::Waited)
    }

    /// The request to send (after a step returned `SEND`).
    pub fn request(&mut self) -> Option<Req> {
        self.pending.take().map(Req)
    }

    /// Events since the last call, as a JSON array (`undefined` when there are none).
    pub fn events(&mut self) -> Option<String> {
        if self.events.is_empty() {
            return None;
        }
        let e = std::mem::take(&mut self.events);
        Some(essnap::json::to_string(&e))
    }

    /// The outcome of a restore or create run (JSON); throws the error of a failed gather.
    pub fn result(&mut self) -> Result<String, JsValue> {
        match self.output.as_ref() {
            Some(Output::Json(v)) => Ok(to_json(v)),
            Some(Output::Error(e)) => Err(api_err(e)),
            Some(Output::Inputs(_)) => Err(invalid("runner", "a gather run has a plan, not a result", "call plan() or check()")),
            None => Err(invalid("runner", "the run is not finished", "step it until it returns DONE")),
        }
    }

    fn inputs(&self) -> Result<&RestoreInputs, JsValue> {
        match self.output.as_ref() {
            Some(Output::Inputs(i)) => Ok(i),
            Some(Output::Error(e)) => Err(api_err(e)),
            _ => Err(invalid("runner", "not a finished gather run", "step it until it returns DONE")),
        }
    }

    /// Plans a restore from a finished gather run. `selection_json` is a `RestoreSelection`.
    pub fn plan(&self, selection_json: &str) -> Result<Plan, JsValue> {
        let inputs = self.inputs()?;
        let sel: RestoreSelection = essnap::json::from_slice(selection_json.as_bytes()).map_err(|e| invalid("selection", e, "see RestoreSelection in the README"))?;
        let plan = plan_restore(inputs, &sel).map_err(|e| input_err(&e))?;
        Ok(Plan { plan })
    }

    /// The compatibility verdicts of the gathered snapshot for this cluster (JSON).
    pub fn check(&self, created_versions_json: Option<String>) -> Result<String, JsValue> {
        let inputs = self.inputs()?;
        let mut sel = RestoreSelection::default();
        if let Some(j) = created_versions_json {
            sel.created_versions = essnap::json::from_slice(j.as_bytes()).map_err(|e| invalid("createdVersions", e, "map index names to version strings"))?;
        }
        let plan = plan_restore(inputs, &sel).map_err(|e| input_err(&e))?;
        let s = &inputs.snapshot;
        let indices: Vec<Value> = plan.items.iter().map(|i| object(&[("index", &i.source), ("dataStream", &i.data_stream), ("verdict", &i.verdict)])).collect();
        Ok(to_json(&object(&[
            ("repository", &inputs.repository),
            ("snapshot", &s.snapshot),
            ("state", &s.state()),
            ("snapshotVersion", &plan.snapshot_version),
            ("snapshotDistribution", &s.distribution()),
            ("cluster", &inputs.cluster),
            ("verdict", &plan.verdict),
            ("restorable", &plan.verdict.is_restorable()),
            ("indices", &indices),
        ])))
    }
}

/// A restore plan: nothing has been sent yet.
#[wasm_bindgen]
pub struct Plan {
    plan: RestorePlan,
}

#[wasm_bindgen]
impl Plan {
    /// The plan as JSON (requests with their bodies as JSON).
    pub fn json(&self) -> Result<String, JsValue> {
        // Requests carry their bodies as JSON (essnap::Request's ToJson).
        let mut v = essnap::json::to_value(&self.plan);
        v["blocked"] = Value::Bool(self.plan.is_blocked());
        v["targets"] = essnap::json::to_value(&self.plan.targets());
        Ok(to_json(&v))
    }

    /// A table a user can read before confirming.
    pub fn render(&self) -> String {
        self.plan.render()
    }
}

/// Paging through a repository's snapshots.
#[wasm_bindgen]
pub struct Pager {
    pager: SnapshotPager,
}

#[wasm_bindgen]
impl Pager {
    #[wasm_bindgen(constructor)]
    pub fn new(
        repository: &str,
        dialect_json: &str,
        size: u32,
        sort: Option<String>,
        order: Option<String>,
        verbose: bool,
        after: Option<String>,
        patterns_json: Option<String>,
    ) -> Result<Pager, JsValue> {
        let sort = match sort.as_deref() {
            None => SnapshotSort::StartTime,
            Some(s) => SnapshotSort::parse(s)
                .ok_or_else(|| invalid("sort", format!("`{s}` is not a sort key"), "use start_time, duration, name, repository, index_count, shard_count or failed_shard_count"))?,
        };
        let order = match order.as_deref() {
            None | Some("asc") => Order::Asc,
            Some("desc") => Order::Desc,
            Some(o) => return Err(invalid("order", format!("`{o}` is not an order"), "use asc or desc")),
        };
        let mut pager = SnapshotPager::new(repository, dialect(dialect_json)?, size, sort, order, verbose).map_err(|e| input_err(&e))?;
        if let Some(p) = patterns_json {
            let pats: Vec<String> = essnap::json::from_slice(p.as_bytes()).map_err(|e| invalid("snapshots", e, "pass an array of names or patterns"))?;
            pager = pager.matching(pats);
        }
        if let Some(a) = after {
            pager = pager.resume_after(a);
        }
        Ok(Pager { pager })
    }

    /// The next request, or `undefined` when every page was read.
    #[wasm_bindgen(js_name = nextRequest)]
    pub fn next_request(&self) -> Result<Option<Req>, JsValue> {
        match self.pager.next_request() {
            None => Ok(None),
            Some(Ok(r)) => Ok(Some(Req(r))),
            Some(Err(e)) => Err(input_err(&e)),
        }
    }

    /// Decodes an answer into a page (JSON); throws on errors.
    #[wasm_bindgen(js_name = onReply)]
    pub fn on_reply(&mut self, reply: &Reply) -> Result<String, JsValue> {
        let r = response_of(reply)?;
        let page = self.pager.on_response(r).map_err(|e| api_err(&e))?;
        Ok(to_json(&page))
    }
}

// One-request operations: a builder and the decoder of its answer.

#[wasm_bindgen(js_name = reqInfo)]
pub fn req_info() -> Req {
    Req(cluster::info())
}

/// `{"info": ..., "dialect": ...}` from the answer to `GET /`.
#[wasm_bindgen(js_name = decodeInfo)]
pub fn decode_info(reply: &Reply) -> Result<String, JsValue> {
    let info: Info = decode("info", response_of(reply)?).map_err(|e| api_err(&e))?;
    Ok(to_json(&object(&[("dialect", &info.dialect()), ("serverless", &info.is_serverless()), ("info", &info)])))
}

/// `GET /_cluster/health[/<indices>]` (optionally waiting for a status, e.g. `green`).
#[wasm_bindgen(js_name = reqHealth)]
pub fn req_health(indices_json: Option<String>, wait_for_status: Option<String>, timeout: Option<String>, dialect_json: &str) -> Result<Req, JsValue> {
    let indices: Vec<String> = match indices_json {
        Some(j) => essnap::json::from_slice(j.as_bytes()).map_err(|e| invalid("indices", e, "pass an array of index names"))?,
        None => Vec::new(),
    };
    cluster::ClusterHealth { indices, wait_for_status, timeout, ..Default::default() }.build(&dialect(dialect_json)?).map(Req).map_err(|e| input_err(&e))
}

/// The health from the answer to `reqHealth` (a timed-out wait is an answer: see the core).
#[wasm_bindgen(js_name = decodeHealth)]
pub fn decode_health(reply: &Reply) -> Result<String, JsValue> {
    Ok(to_json(&essnap::model::ClusterHealth::from_response(response_of(reply)?).map_err(|e| api_err(&e))?))
}

#[wasm_bindgen(js_name = reqRepositories)]
pub fn req_repositories(dialect_json: &str) -> Result<Req, JsValue> {
    GetRepositories::default().build(&dialect(dialect_json)?).map(Req).map_err(|e| input_err(&e))
}

#[wasm_bindgen(js_name = reqAddRepository)]
pub fn req_add_repository(name: &str, kind: &str, settings_json: &str, verify: Option<bool>, dialect_json: &str) -> Result<Req, JsValue> {
    let settings: Map<String, Value> = essnap::json::from_slice(settings_json.as_bytes()).map_err(|e| invalid("settings", e, "pass a plain object"))?;
    let bad = |e: essnap::json::JsonError| invalid("settings", e, "see the repository type's settings");
    // Before the typed settings, which would drop an unknown `access_key` silently.
    essnap::api::snapshot::refuse_credentials(&settings).map_err(|e| input_err(&e))?;
    let s = match kind {
        "fs" => RepositorySettings::Fs(essnap::json::from_value::<FsSettings>(&Value::Object(settings.clone())).map_err(bad)?),
        "s3" => RepositorySettings::S3(essnap::json::from_value::<S3Settings>(&Value::Object(settings.clone())).map_err(bad)?),
        "url" => RepositorySettings::Url { url: settings.get("url").and_then(|u| u.as_str()).unwrap_or_default().to_string() },
        other => RepositorySettings::Raw { kind: other.to_string(), settings },
    };
    CreateRepository { verify, ..CreateRepository::new(name, s) }.build(&dialect(dialect_json)?).map(Req).map_err(|e| input_err(&e))
}

fn snapshot_names(json: &str) -> Result<Vec<String>, JsValue> {
    essnap::json::from_slice(json.as_bytes()).map_err(|e| invalid("snapshots", e, "pass an array of snapshot names"))
}

/// How `names` are deleted on this cluster: the batches, as a JSON array of name arrays (one
/// request each; see [`req_delete_snapshots`]).
#[wasm_bindgen(js_name = deleteBatches)]
pub fn delete_batches(repository: &str, names_json: &str, dialect_json: &str) -> Result<String, JsValue> {
    let batches = DeleteSnapshots::new(repository, snapshot_names(names_json)?).batches(&dialect(dialect_json)?).map_err(|e| input_err(&e))?;
    Ok(to_json(&batches.into_iter().map(|(names, _)| names).collect::<Vec<_>>()))
}

/// The delete request of one batch from [`delete_batches`].
#[wasm_bindgen(js_name = reqDeleteSnapshots)]
pub fn req_delete_snapshots(repository: &str, names_json: &str, dialect_json: &str) -> Result<Req, JsValue> {
    DeleteSnapshots::new(repository, snapshot_names(names_json)?).build(&dialect(dialect_json)?).map(Req).map_err(|e| input_err(&e))
}

#[wasm_bindgen(js_name = reqVerifyRepository)]
pub fn req_verify_repository(name: &str, dialect_json: &str) -> Result<Req, JsValue> {
    RepositoryAction::new(name).verify(&dialect(dialect_json)?).map(Req).map_err(|e| input_err(&e))
}

#[wasm_bindgen(js_name = reqRemoveRepository)]
pub fn req_remove_repository(name: &str, dialect_json: &str) -> Result<Req, JsValue> {
    RepositoryAction::new(name).delete(&dialect(dialect_json)?).map(Req).map_err(|e| input_err(&e))
}

/// Decodes the answer to a request of `api` (JSON); throws the transport or API error.
#[wasm_bindgen(js_name = decodeReply)]
pub fn decode_reply(api: &str, reply: &Reply) -> Result<String, JsValue> {
    let d = decode_named(api, response_of(reply)?).map_err(|e| core_err(&e))?;
    Ok(to_json(&d))
}
