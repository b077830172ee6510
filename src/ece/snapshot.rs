//! ECE's deprecated "take snapshot" call (`POST /api/v1/clusters/elasticsearch/{cluster_id}/_snapshot`)
//! and the decision to fall back to the Elasticsearch snapshot API through the deployment proxy
//! when the call is gone (ECE 3.0 / MS-68 removed the clusters API).

use std::fmt;

use crate::json::{FromJson, ToJson};
use serde_json::{Map, Value};

use super::connection::{API_PREFIX, validate_cluster_id};
use super::proxy::ProxyTarget;
use crate::api::snapshot::CreateSnapshot;
use crate::connection::Secret;
use crate::dialect::Dialect;
use crate::error::{ApiError, ErrorCode, InputError};
use crate::model::CreateSnapshotResponse;
use crate::names::{validate_repository_name, validate_snapshot_name};
use crate::request::{Method, Request, Response, encode_segment};

/// `api` name of the take-snapshot request.
pub const TAKE_SNAPSHOT_API: &str = "ece.clusters.elasticsearch.snapshot";

/// The repository ECE registers on every deployment; the fallback uses it when none is named.
pub const DEFAULT_REPOSITORY: &str = "found-snapshots";

/// The snapshot name the fallback uses when none is given (ECE picks one itself).
pub const DEFAULT_FALLBACK_NAME: &str = "<essnap-{now/s{yyyy.MM.dd-HH.mm.ss}}>";

/// ECE codes the take-snapshot call documents for a 404: with one of these, the 404 is about
/// the cluster or repository, not about the route being gone.
const DOCUMENTED_404: &[&str] = &["clusters.cluster_not_found", "clusters.snapshot.repository_not_found"];

/// `POST /api/v1/clusters/elasticsearch/{cluster_id}/_snapshot` with an optional
/// `ClusterSnapshotRequest` body. Every body field is optional: ECE uses the cluster's
/// configured repository and credentials and picks a name.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct TakeSnapshot {
    pub cluster_id: String,
    pub name: Option<String>,
    pub repository_name: Option<String>,
    /// Repository username (not the ECE user).
    pub username: Option<String>,
    pub password: Option<Secret>,
}

impl fmt::Debug for TakeSnapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TakeSnapshot")
            .field("cluster_id", &self.cluster_id)
            .field("name", &self.name)
            .field("repository_name", &self.repository_name)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .finish()
    }
}

impl TakeSnapshot {
    pub fn new(cluster_id: impl Into<String>) -> Self {
        TakeSnapshot { cluster_id: cluster_id.into(), ..Default::default() }
    }

    /// The `ClusterSnapshotRequest` body (empty object when nothing is set).
    pub fn body(&self) -> Result<Map<String, Value>, InputError> {
        let mut body = Map::new();
        if let Some(n) = &self.name {
            validate_snapshot_name(n)?;
            body.insert("name".into(), Value::String(n.clone()));
        }
        if let Some(r) = &self.repository_name {
            validate_repository_name(r)?;
            body.insert("repository_name".into(), Value::String(r.clone()));
        }
        if let Some(u) = &self.username {
            if u.is_empty() {
                return Err(InputError::new("username", "the repository username is empty", "leave it out to use the repository's default"));
            }
            body.insert("username".into(), Value::String(u.clone()));
        }
        if let Some(p) = &self.password {
            body.insert("password".into(), Value::String(p.expose().to_string()));
        }
        Ok(body)
    }

    pub fn build(&self) -> Result<Request, InputError> {
        validate_cluster_id(&self.cluster_id)?;
        let body = crate::json::to_vec(&self.body()?);
        Ok(Request {
            api: TAKE_SNAPSHOT_API,
            method: Method::Post,
            path: format!("{API_PREFIX}/clusters/elasticsearch/{}/_snapshot", encode_segment(&self.cluster_id)),
            headers: vec![("content-type".to_string(), "application/json".to_string())],
            body: Some(body),
        })
    }

    /// The Elasticsearch request that does the same: `PUT /_snapshot/{repository}/{name}` without
    /// waiting, in the named (or ECE's default) repository.
    pub fn as_create_snapshot(&self) -> CreateSnapshot {
        CreateSnapshot {
            wait_for_completion: Some(false),
            ..CreateSnapshot::new(
                self.repository_name.as_deref().unwrap_or(DEFAULT_REPOSITORY),
                self.name.as_deref().unwrap_or(DEFAULT_FALLBACK_NAME),
            )
        }
    }
}

/// `ClusterSnapshotResponse`: the name of the snapshot ECE started.
#[derive(Clone, Debug, PartialEq, Eq, ToJson, FromJson)]
pub struct TakeSnapshotResponse {
    pub name: String,
}

/// Decodes the answer to [`TakeSnapshot`]: 202 (any 2xx) with `{"name"}`, or an [`ApiError`].
pub fn decode_take_snapshot(resp: &Response) -> Result<TakeSnapshotResponse, ApiError> {
    crate::api::decode(TAKE_SNAPSHOT_API, resp)
}

/// What to do after a response.
#[derive(Clone, Debug, PartialEq)]
pub enum Next {
    /// The snapshot was started; its name (as given when it was date math and the cluster did
    /// not resolve it).
    Done(String),
    /// Send this request (the Elasticsearch snapshot API through the deployment proxy).
    Fallback(Request),
    Failed(ApiError),
}

#[derive(Clone, Debug, PartialEq)]
enum Stage {
    /// Nothing sent yet.
    Start,
    AwaitingEce,
    AwaitingProxy,
    Finished,
}

/// Taking a snapshot on ECE, sans-IO: send [`first_request`](Self::first_request), pass each
/// answer to [`on_response`](Self::on_response), and send what it returns until `Done`/`Failed`.
///
/// The deprecated clusters call is tried first. When it answers 404/410 without one of its
/// documented codes (the route itself is gone), or when the caller asked for it with
/// [`prefer_proxy`](Self::prefer_proxy), the Elasticsearch snapshot API is used through the
/// deployment proxy, which needs the deployment id ([`with_proxy`](Self::with_proxy)).
#[derive(Clone, Debug)]
pub struct EceSnapshot {
    take: TakeSnapshot,
    proxy: Option<ProxyTarget>,
    create: CreateSnapshot,
    dialect: Dialect,
    prefer_proxy: bool,
    stage: Stage,
}

impl EceSnapshot {
    pub fn new(take: TakeSnapshot) -> Self {
        let create = take.as_create_snapshot();
        EceSnapshot { take, proxy: None, create, dialect: Dialect::default(), prefer_proxy: false, stage: Stage::Start }
    }

    /// Where the fallback goes.
    pub fn with_proxy(mut self, target: ProxyTarget) -> Self {
        self.proxy = Some(target);
        self
    }

    /// Skip the deprecated call and use the Elasticsearch snapshot API through the proxy.
    pub fn prefer_proxy(mut self) -> Self {
        self.prefer_proxy = true;
        self
    }

    /// Replaces the Elasticsearch request the fallback sends (indices, metadata, ...).
    pub fn with_create(mut self, create: CreateSnapshot) -> Self {
        self.create = create;
        self
    }

    /// The Elasticsearch dialect for the fallback request (the deployment's version).
    pub fn with_dialect(mut self, dialect: Dialect) -> Self {
        self.dialect = dialect;
        self
    }

    /// The ECE cluster the snapshot is taken of.
    pub fn cluster_id(&self) -> &str {
        &self.take.cluster_id
    }

    /// Where the fallback goes, when one was given.
    pub fn proxy(&self) -> Option<&ProxyTarget> {
        self.proxy.as_ref()
    }

    /// The repository the fallback snapshots into (the named one, or ECE's default).
    pub fn fallback_repository(&self) -> &str {
        &self.create.repository
    }

    /// The first request to send. Checks every input, including the fallback's, so a bad
    /// deployment id is reported before anything is sent.
    pub fn first_request(&mut self) -> Result<Request, InputError> {
        let fallback = match &self.proxy {
            Some(p) => Some(p.wrap(&self.create.build(&self.dialect)?)?),
            None if self.prefer_proxy => {
                return Err(InputError::new(
                    "deployment_id",
                    "taking the snapshot through the deployment proxy needs the deployment id",
                    "give the deployment id (and ref_id if the deployment has several Elasticsearch resources)",
                ));
            }
            None => None,
        };
        if self.prefer_proxy {
            self.stage = Stage::AwaitingProxy;
            return Ok(fallback.expect("checked above"));
        }
        let req = self.take.build()?;
        self.stage = Stage::AwaitingEce;
        Ok(req)
    }

    /// Decides what follows an answer. Never panics, whatever the answer.
    pub fn on_response(&mut self, resp: &Response) -> Next {
        match self.stage {
            Stage::AwaitingEce => self.after_ece(resp),
            Stage::AwaitingProxy => {
                self.stage = Stage::Finished;
                after_proxy(&self.create.snapshot, resp)
            }
            Stage::Start | Stage::Finished => Next::Failed(ApiError::new(
                ErrorCode::Other,
                Some(resp.status),
                "EceSnapshot got a response while no request was pending (call first_request, and stop after Done or Failed)",
            )),
        }
    }

    fn after_ece(&mut self, resp: &Response) -> Next {
        if resp.is_success() {
            self.stage = Stage::Finished;
            return match decode_take_snapshot(resp) {
                Ok(r) => Next::Done(r.name),
                Err(e) => Next::Failed(e),
            };
        }
        if !route_is_gone(resp) {
            self.stage = Stage::Finished;
            return Next::Failed(ApiError::from_response(resp));
        }
        let Some(target) = &self.proxy else {
            self.stage = Stage::Finished;
            let mut e = ApiError::from_response(resp);
            e.code = ErrorCode::EceEndpointRemoved;
            e.message = format!(
                "ECE answered HTTP {} to the deprecated take-snapshot call without a documented code: the clusters API is gone ({})",
                resp.status, e.message
            );
            return Next::Failed(e);
        };
        self.stage = Stage::AwaitingProxy;
        match self.create.build(&self.dialect).and_then(|r| target.wrap(&r)) {
            Ok(req) => Next::Fallback(req),
            Err(input) => {
                self.stage = Stage::Finished;
                Next::Failed(ApiError::new(ErrorCode::EceEndpointRemoved, Some(resp.status), format!("the fallback request could not be built: {input}")))
            }
        }
    }
}

/// A 404/410 that is about the route, not about a cluster or repository.
pub fn route_is_gone(resp: &Response) -> bool {
    if resp.status != 404 && resp.status != 410 {
        return false;
    }
    let e = ApiError::from_response(resp);
    !e.source_codes.iter().any(|c| DOCUMENTED_404.contains(&c.as_str()))
}

fn after_proxy(requested: &str, resp: &Response) -> Next {
    if !resp.is_success() {
        return Next::Failed(ApiError::from_response(resp));
    }
    match crate::api::decode::<CreateSnapshotResponse>("snapshot.create", resp) {
        Ok(CreateSnapshotResponse { snapshot: Some(info), .. }) if !info.snapshot.is_empty() => Next::Done(info.snapshot),
        Ok(_) => Next::Done(requested.to_string()),
        Err(e) => Next::Failed(e),
    }
}
