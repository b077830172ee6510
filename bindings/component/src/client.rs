//! The `client` world: the workflows, driven through the imported transport.

use std::cell::RefCell;
use std::sync::Mutex;

use essnap::api::decode;
use essnap::api::snapshot::{
    CreateRepository, CreateSnapshot, DeleteSnapshots, FsSettings, GetRepositories, Order, RepositoryAction,
    RepositorySettings, S3Settings, SnapshotSort, SnapshotStatus,
};
use essnap::connection::Secret;
use essnap::dialect::Dialect;
use essnap::ece::{EceProgress, EceSnapshot, EceSnapshotRun, ProxyTarget, TakeSnapshot};
use essnap::error::{ApiError, ErrorCode, InputError};
use essnap::machine::create::{CreateOutcome, CreateSnapshotRun, CreateStatus};
use essnap::machine::gather::Gather;
use essnap::machine::list::SnapshotPager;
use essnap::machine::progress::snapshot_progress;
use essnap::machine::restore::{IndexFate, RestoreExecution, RestoreOutcome, RestoreStatus};
use essnap::machine::{Machine, Timing, TransportError, drive};
use essnap::model::{Acknowledged, CreateSnapshotResponse, Info, Repositories, SnapshotStatusResponse, VerifyResult};
use essnap::plan::{RestorePlan, RestoreSelection, plan_restore};
use essnap::request::{Request, Response};

use crate::bindings::essnap::snapshots::{host, transport};
use crate::bindings::exports::essnap::snapshots::operations as ops;
use crate::bindings::types as t;
use crate::convert;

static TIMING: Mutex<Option<Timing>> = Mutex::new(None);

fn timing() -> Timing {
    TIMING.lock().map(|t| t.clone().unwrap_or_default()).unwrap_or_default()
}

fn send(r: &Request) -> Result<Response, TransportError> {
    match transport::send(&convert::request(r)) {
        Ok(resp) => Ok(convert::response(resp)),
        Err(e) => Err(convert::transport_error(e)),
    }
}

fn run<M: Machine>(m: &mut M) -> M::Output {
    drive(m, send, host::sleep, |e| host::report(&convert::event(e)))
}

/// One request with a decoded answer; transport failures become errors (no retries: used for
/// single reads and for writes the user asked for directly).
fn call<T: essnap::json::FromJson>(r: Result<Request, InputError>) -> Result<T, t::Error> {
    let r = r.map_err(|e| convert::input(&e))?;
    let resp = send(&r).map_err(|e| convert::api(&e.to_api_error()))?;
    decode(r.api, &resp).map_err(|e| convert::api(&e))
}

fn info() -> Result<(Info, String), t::Error> {
    let r = essnap::api::cluster::info();
    let resp = send(&r).map_err(|e| convert::api(&e.to_api_error()))?;
    let info: Info = decode("info", &resp).map_err(|e| convert::api(&e))?;
    Ok((info, String::from_utf8_lossy(&resp.body).into_owned()))
}

fn dialect() -> Result<Dialect, t::Error> {
    Ok(info()?.0.dialect())
}

fn gather_and_plan(repository: &str, snapshot: &str, sel: &RestoreSelection) -> Result<RestorePlan, t::Error> {
    let mut g = Gather::new(repository, snapshot, timing());
    let inputs = run(&mut g).map_err(|e| convert::api(&e))?;
    plan_restore(&inputs, sel).map_err(|e| convert::input(&e))
}

fn outcome(o: &RestoreOutcome) -> ops::RestoreOutcome {
    ops::RestoreOutcome {
        status: match o.status {
            RestoreStatus::Completed => ops::RestoreStatus::Completed,
            RestoreStatus::StillRunning => ops::RestoreStatus::StillRunning,
            RestoreStatus::Failed => ops::RestoreStatus::Failed,
            RestoreStatus::NotStarted => ops::RestoreStatus::NotStarted,
        },
        error: o.error.as_ref().map(convert::api),
        rule_id: o.rule.map(|r| r.id.to_string()),
        indices: o
            .indices
            .iter()
            .map(|i| {
                let (fate, error) = match &i.fate {
                    IndexFate::Restored => (ops::IndexFate::Restored, None),
                    IndexFate::Restoring => (ops::IndexFate::Restoring, None),
                    IndexFate::Unchanged => (ops::IndexFate::Unchanged, None),
                    IndexFate::Reopened => (ops::IndexFate::Reopened, None),
                    IndexFate::LeftClosed { error } => (ops::IndexFate::LeftClosed, Some(error.clone())),
                };
                ops::IndexOutcome { name: i.name.clone(), fate, error }
            })
            .collect(),
        requests_sent: o.requests_sent,
        progress: o.progress.as_ref().map(convert::progress),
    }
}

fn create_outcome(o: &CreateOutcome) -> ops::CreateOutcome {
    ops::CreateOutcome {
        status: match o.status {
            CreateStatus::Success => ops::CreateStatus::Success,
            CreateStatus::Partial => ops::CreateStatus::Partial,
            CreateStatus::Failed => ops::CreateStatus::Failed,
            CreateStatus::StillRunning => ops::CreateStatus::StillRunning,
            CreateStatus::NotCreated => ops::CreateStatus::NotCreated,
        },
        name: o.name.clone(),
        snapshot: o.snapshot.as_ref().map(convert::snapshot),
        failures: o.failures.clone(),
        error: o.error.as_ref().map(convert::api),
        progress: o.progress.as_ref().map(convert::progress),
    }
}

/// `operations.restore`: a plan held until it is executed.
pub struct Restore {
    plan: RestorePlan,
    executed: RefCell<bool>,
}

impl ops::GuestRestore for Restore {
    fn plan(repository: String, snapshot: String, selection: t::RestoreSelection) -> Result<ops::Restore, t::Error> {
        let sel = convert::selection(selection)?;
        let plan = gather_and_plan(&repository, &snapshot, &sel)?;
        Ok(ops::Restore::new(Restore { plan, executed: RefCell::new(false) }))
    }

    fn describe(&self) -> t::Plan {
        convert::plan(&self.plan)
    }

    fn execute(&self) -> ops::RestoreOutcome {
        if self.executed.replace(true) {
            let e = ApiError::new(ErrorCode::Other, None, "this plan was executed already; plan the restore again");
            return ops::RestoreOutcome {
                status: ops::RestoreStatus::NotStarted,
                error: Some(convert::api(&e)),
                rule_id: None,
                indices: Vec::new(),
                requests_sent: 0,
                progress: None,
            };
        }
        let mut m = RestoreExecution::new(self.plan.clone(), timing());
        outcome(&run(&mut m))
    }
}

fn sort(s: ops::SnapshotSort) -> SnapshotSort {
    match s {
        ops::SnapshotSort::StartTime => SnapshotSort::StartTime,
        ops::SnapshotSort::Name => SnapshotSort::Name,
        ops::SnapshotSort::Duration => SnapshotSort::Duration,
        ops::SnapshotSort::IndexCount => SnapshotSort::IndexCount,
    }
}

impl ops::Guest for crate::Component {
    type Restore = Restore;

    fn configure(o: ops::Options) {
        let t = Timing { poll_interval_ms: o.poll_interval_ms, max_wait_ms: o.max_wait_ms, backoff_ms: o.backoff_ms, max_retries: o.max_retries };
        if let Ok(mut g) = TIMING.lock() {
            *g = Some(t);
        }
    }

    fn info() -> Result<t::Cluster, t::Error> {
        let (info, json) = info()?;
        Ok(convert::cluster(&info, json))
    }

    fn list_repositories() -> Result<Vec<t::Repository>, t::Error> {
        let d = dialect()?;
        let repos: Repositories = call(GetRepositories::default().build(&d))?;
        Ok(repos
            .into_iter()
            .map(|(name, r)| t::Repository { name, kind: r.kind, settings_json: essnap::json::to_string(&r.settings) })
            .collect())
    }

    fn add_repository(name: String, settings: ops::RepositorySettings, verify: bool) -> Result<(), t::Error> {
        let d = dialect()?;
        let settings = match settings {
            ops::RepositorySettings::Fs(f) => {
                RepositorySettings::Fs(FsSettings { compress: f.compress, readonly: f.readonly, ..FsSettings { location: f.location, ..Default::default() } })
            }
            ops::RepositorySettings::S3(s) => RepositorySettings::S3(S3Settings {
                client: s.client,
                base_path: s.base_path,
                compress: s.compress,
                readonly: s.readonly,
                ..S3Settings { bucket: s.bucket, ..Default::default() }
            }),
            ops::RepositorySettings::Url(url) => RepositorySettings::Url { url },
            ops::RepositorySettings::Other(o) => {
                RepositorySettings::Raw { settings: convert::json_object("settings-json", &o.settings_json, r#"{"container": "backups"}"#)?, kind: o.kind }
            }
        };
        let _: Acknowledged = call(CreateRepository { verify: Some(verify), ..CreateRepository::new(name, settings) }.build(&d))?;
        Ok(())
    }

    fn verify_repository(name: String) -> Result<Vec<String>, t::Error> {
        let d = dialect()?;
        let v: VerifyResult = call(RepositoryAction::new(name).verify(&d))?;
        Ok(v.nodes.into_iter().map(|(id, n)| n.name.unwrap_or(id)).collect())
    }

    fn remove_repository(name: String) -> Result<(), t::Error> {
        let d = dialect()?;
        let _: Acknowledged = call(RepositoryAction::new(name).delete(&d))?;
        Ok(())
    }

    fn list_snapshots(repository: String, q: ops::SnapshotQuery) -> Result<ops::SnapshotPage, t::Error> {
        let d = dialect()?;
        let cursor_mode = d.supports_snapshot_paging();
        let order = if q.descending { Order::Desc } else { Order::Asc };
        // Clusters without cursor paging (OpenSearch, Elasticsearch < 7.14) get an `offset:N`
        // cursor: the names listing is read again and the first N skipped.
        let (after, mut skip) = match q.after {
            Some(a) if a.starts_with("offset:") => {
                let n = a["offset:".len()..].parse::<u64>().map_err(|_| {
                    convert::input(&InputError::new("after", format!("`{a}` is not a cursor essnap printed"), "pass the cursor of the previous page as printed"))
                })?;
                (None, n)
            }
            other => (other, 0),
        };
        let skipped_at_start = skip;
        let mut pager = SnapshotPager::new(repository, d, q.size, sort(q.sort), order, true)
            .map_err(|e| convert::input(&e))?
            .matching(q.patterns);
        if let Some(a) = after {
            pager = pager.resume_after(a);
        }
        let mut page = ops::SnapshotPage { snapshots: Vec::new(), total: None, remaining: None, next: None };
        while let Some(r) = pager.next_request() {
            let r = r.map_err(|e| convert::input(&e))?;
            let resp = send(&r).map_err(|e| convert::api(&e.to_api_error()))?;
            let p = pager.on_response(&resp).map_err(|e| convert::api(&e))?;
            for s in &p.snapshots {
                if skip > 0 {
                    skip -= 1;
                } else if page.snapshots.len() < q.size as usize {
                    page.snapshots.push(convert::snapshot(s));
                }
            }
            page.total = p.total;
            page.remaining = p.remaining;
            page.next = p.next;
            if page.snapshots.len() >= q.size as usize || (!page.snapshots.is_empty() && page.next.is_some()) {
                break;
            }
        }
        if !cursor_mode && page.next.is_none() {
            let shown = skipped_at_start + page.snapshots.len() as u64;
            if let Some(total) = page.total {
                page.remaining = Some(total.saturating_sub(shown));
                if shown < total {
                    page.next = Some(format!("offset:{shown}"));
                }
            }
        }
        Ok(page)
    }

    fn snapshot_status(repository: String, snapshot: String) -> Result<ops::StatusReport, t::Error> {
        let d = dialect()?;
        let r: SnapshotStatusResponse = call(SnapshotStatus::of(repository.clone(), [snapshot.clone()]).build(&d))?;
        let s = r.snapshots.into_iter().find(|s| s.snapshot == snapshot).ok_or_else(|| {
            convert::api(&ApiError::new(ErrorCode::SnapshotMissing, None, format!("[{repository}:{snapshot}] is missing")))
        })?;
        Ok(ops::StatusReport {
            state: convert::snapshot_state(&s.state()),
            progress: convert::progress(&snapshot_progress(&s)),
            json: essnap::json::to_string(&s),
        })
    }

    fn create_snapshot(repository: String, name: String, req: ops::CreateRequest) -> Result<ops::CreateOutcome, t::Error> {
        let d = dialect()?;
        let metadata = req.metadata_json.as_deref().map(|j| convert::json_object("metadata", j, r#"{"taken_by": "essnap"}"#)).transpose()?;
        let create = CreateSnapshot {
            indices: req.indices,
            include_global_state: req.include_global_state,
            partial: req.partial.then_some(true),
            metadata,
            feature_states: req.feature_states,
            wait_for_completion: Some(false),
            ..CreateSnapshot::new(repository, name.clone())
        };
        if req.wait {
            let mut m = CreateSnapshotRun::new(create, d, timing()).map_err(|e| convert::input(&e))?;
            return Ok(create_outcome(&run(&mut m)));
        }
        let r: CreateSnapshotResponse = call(create.build(&d))?;
        Ok(ops::CreateOutcome {
            status: ops::CreateStatus::Started,
            name: Some(r.snapshot.as_ref().map(|s| s.snapshot.clone()).unwrap_or(name)),
            snapshot: r.snapshot.as_ref().map(convert::snapshot),
            failures: Vec::new(),
            error: None,
            progress: None,
        })
    }

    fn delete_snapshot(repository: String, snapshot: String) -> Result<(), t::Error> {
        let d = dialect()?;
        let _: Acknowledged = call(DeleteSnapshots::new(repository, [snapshot]).build(&d))?;
        Ok(())
    }

    fn delete_snapshots(repository: String, snapshots: Vec<String>) -> ops::DeleteOutcome {
        let mut deleted = Vec::new();
        let error = (|| {
            let d = dialect()?;
            let requests = DeleteSnapshots::new(repository, snapshots).batches(&d).map_err(|e| convert::input(&e))?;
            for (names, r) in requests {
                let _: Acknowledged = call(Ok(r))?;
                deleted.extend(names);
            }
            Ok(())
        })()
        .err();
        ops::DeleteOutcome { deleted, error }
    }

    fn check(repository: String, snapshot: String) -> Result<t::Plan, t::Error> {
        let plan = gather_and_plan(&repository, &snapshot, &RestoreSelection::default())?;
        Ok(convert::plan(&plan))
    }

    fn ece_snapshot(req: ops::EceSnapshotRequest) -> Result<ops::EceSnapshotOutcome, t::Error> {
        let (username, password) = match req.es_credentials {
            Some((u, p)) => (Some(u), Some(Secret::new(p))),
            None => (None, None),
        };
        let take = TakeSnapshot { name: req.name, repository_name: req.repository.clone(), username, password, ..TakeSnapshot::new(req.cluster_id.clone()) };
        let mut flow = EceSnapshot::new(take);
        if let Some(d) = req.deployment_id {
            flow = flow.with_proxy(ProxyTarget::new(d));
        }
        // The same machine as every host: take (or fall back to the proxy), then watch.
        let mut m = EceSnapshotRun::new(flow, req.wait, Dialect::default(), timing()).map_err(|e| convert::input(&e))?;
        let out = run(&mut m);
        let Some(name) = out.name else {
            return Err(convert::api(&out.error.unwrap_or_else(|| ApiError::new(ErrorCode::Other, None, "ECE did not take the snapshot"))));
        };
        let state = out.state.map(|s| match s {
            EceProgress::Pending => "pending",
            EceProgress::Succeeded => "succeeded",
            EceProgress::Failed => "failed",
            EceProgress::Unknown => "unknown",
        });
        Ok(ops::EceSnapshotOutcome { name, via_proxy: out.via_proxy, state: state.map(String::from) })
    }
}
