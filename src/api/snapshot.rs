//! Builders for the `snapshot.*` APIs: repositories, listing, status, create, clone, delete, restore.

use crate::json::{FromJson, ToJson};
use serde_json::{Map, Value};

use super::builder::{RequestBuilder, join_checked, validate_time};
use crate::dialect::Dialect;
use crate::error::InputError;
use crate::names::{
    validate_index_expression, validate_repository_name, validate_snapshot_expression, validate_snapshot_name,
};
use crate::request::{Method, Request};

/// Adds the master/cluster-manager timeout under the name the dialect uses.
pub(crate) fn master_timeout(b: RequestBuilder, d: &Dialect, t: &Option<String>) -> Result<RequestBuilder, InputError> {
    match t {
        Some(t) => {
            validate_time("master_timeout", t)?;
            b.param(d.master_timeout_param(), t)
        }
        None => Ok(b),
    }
}

pub(crate) fn time_param(b: RequestBuilder, name: &str, t: &Option<String>) -> Result<RequestBuilder, InputError> {
    match t {
        Some(t) => {
            validate_time(name, t)?;
            b.param(name, t)
        }
        None => Ok(b),
    }
}

fn strings<I: IntoIterator<Item = S>, S: Into<String>>(i: I) -> Vec<String> {
    i.into_iter().map(Into::into).collect()
}

/// `GET /_snapshot[/{repository}]`: registered repositories (all when `names` is empty).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GetRepositories {
    /// Names or patterns; empty = all.
    pub names: Vec<String>,
    pub local: Option<bool>,
    pub master_timeout: Option<String>,
    pub extra: Vec<(String, String)>,
}

impl GetRepositories {
    pub fn build(&self, d: &Dialect) -> Result<Request, InputError> {
        let b = if self.names.is_empty() {
            RequestBuilder::new("snapshot.get_repository", Method::Get, &[])?
        } else {
            let names = join_checked("repository", &self.names, |n| {
                if n == "_all" || n == "*" { Ok(()) } else { validate_repository_name(&n.replace('*', "x")) }
            })?;
            RequestBuilder::new("snapshot.get_repository", Method::Get, &[("repository", &names)])?
        };
        let b = b.opt("local", self.local)?;
        master_timeout(b, d, &self.master_timeout)?.params(&self.extra)?.build()
    }
}

/// Settings of an `fs` repository: `location` must be listed in every node's `path.repo`.
#[derive(Clone, Debug, Default, PartialEq, ToJson, FromJson)]
pub struct FsSettings {
    pub location: String,
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub compress: Option<bool>,
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub chunk_size: Option<String>,
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub max_restore_bytes_per_sec: Option<String>,
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub max_snapshot_bytes_per_sec: Option<String>,
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub readonly: Option<bool>,
}

/// Settings of an `s3` repository. Keys belong in the node keystore
/// (`s3.client.<client>.access_key`); endpoint and path-style access are client settings in the
/// node configuration (`s3.client.<client>.endpoint`), not repository settings.
#[derive(Clone, Debug, Default, PartialEq, ToJson, FromJson)]
pub struct S3Settings {
    pub bucket: String,
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<String>,
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub base_path: Option<String>,
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub compress: Option<bool>,
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub chunk_size: Option<String>,
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub buffer_size: Option<String>,
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub server_side_encryption: Option<bool>,
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub storage_class: Option<String>,
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub canned_acl: Option<String>,
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub readonly: Option<bool>,
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub max_restore_bytes_per_sec: Option<String>,
    #[json(default, skip_serializing_if = "Option::is_none")]
    pub max_snapshot_bytes_per_sec: Option<String>,
}

/// Typed settings for the repository types operators use most; `Raw` for any other.
#[derive(Clone, Debug, PartialEq)]
pub enum RepositorySettings {
    Fs(FsSettings),
    S3(S3Settings),
    /// Read-only URL repository (`file:`, `http:`, `https:`, `ftp:`, `jar:`).
    Url { url: String },
    /// Any other type (`azure`, `gcs`, `hdfs`, `source`, ...) with its settings as given.
    Raw { kind: String, settings: Map<String, Value> },
}

impl RepositorySettings {
    pub fn fs(location: impl Into<String>) -> Self {
        RepositorySettings::Fs(FsSettings { location: location.into(), ..Default::default() })
    }

    pub fn s3(bucket: impl Into<String>) -> Self {
        RepositorySettings::S3(S3Settings { bucket: bucket.into(), ..Default::default() })
    }

    /// The repository type name.
    pub fn kind(&self) -> &str {
        match self {
            RepositorySettings::Fs(_) => "fs",
            RepositorySettings::S3(_) => "s3",
            RepositorySettings::Url { .. } => "url",
            RepositorySettings::Raw { kind, .. } => kind,
        }
    }

    /// The request body: `{"type": ..., "settings": {...}}`.
    pub fn to_body(&self) -> Result<Value, InputError> {
        let settings = match self {
            RepositorySettings::Fs(fs) => crate::json::to_value(fs),
            RepositorySettings::S3(s3) => crate::json::to_value(s3),
            RepositorySettings::Url { url } => object([("url", Value::String(url.clone()))]),
            RepositorySettings::Raw { kind, settings } => {
                if kind.is_empty() || !kind.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') {
                    return Err(InputError::new("type", format!("`{kind}` is not a repository type"), "use fs, s3, url, azure, gcs, hdfs or source"));
                }
                Value::Object(settings.clone())
            }
        };
        let kind = self.kind();
        if let Value::Object(m) = &settings {
            // Typed or raw, the same rule: what the server's repository would refuse on creation,
            // said before anything is sent.
            for (_, key, hint) in REQUIRED_SETTINGS.iter().filter(|(k, ..)| *k == kind) {
                if m.get(*key).is_none_or(|v| v.is_null() || v.as_str().is_some_and(|s| s.trim().is_empty())) {
                    return Err(InputError::new(*key, format!("{kind} repositories need the setting `{key}`"), *hint));
                }
            }
            refuse_credentials(m)?;
        }
        Ok(object([("type", Value::String(kind.to_string())), ("settings", settings)]))
    }
}

/// Settings a repository type can't be created without (type, setting, what to give).
const REQUIRED_SETTINGS: &[(&str, &str, &str)] = &[
    ("fs", "location", "give a path listed in path.repo on every node"),
    ("s3", "bucket", "give the bucket name"),
    ("gcs", "bucket", "give the bucket name"),
    ("url", "url", "give the repository's URL (file:, http:, https:, ftp:, jar:)"),
    ("hdfs", "uri", "give the namenode's URI, e.g. hdfs://namenode:8020/"),
    ("hdfs", "path", "give the directory in HDFS"),
];

/// Repository settings are cluster state, readable by anyone allowed `GET _snapshot`: credentials
/// belong in each node's keystore. The value is never repeated in the error.
pub fn refuse_credentials(settings: &Map<String, Value>) -> Result<(), InputError> {
    const SECRET: [&str; 5] = ["access_key", "secret_key", "session_token", "sas_token", "credentials_file"];
    match settings.keys().find(|k| SECRET.contains(&k.rsplit('.').next().unwrap_or(k))) {
        Some(k) => Err(InputError::new(
            "settings",
            format!("`{k}` is a credential: repository settings are readable by anyone who can list repositories"),
            "put it in each node's keystore instead (e.g. `bin/elasticsearch-keystore add s3.client.default.access_key`) and name the client with `client`",
        )),
        None => Ok(()),
    }
}

/// `PUT /_snapshot/{repository}`: register or update a repository.
#[derive(Clone, Debug, PartialEq)]
pub struct CreateRepository {
    pub name: String,
    pub settings: RepositorySettings,
    /// `false` skips the verification the cluster does on registration.
    pub verify: Option<bool>,
    pub timeout: Option<String>,
    pub master_timeout: Option<String>,
    pub extra: Vec<(String, String)>,
}

impl CreateRepository {
    pub fn new(name: impl Into<String>, settings: RepositorySettings) -> Self {
        CreateRepository { name: name.into(), settings, verify: None, timeout: None, master_timeout: None, extra: Vec::new() }
    }

    pub fn build(&self, d: &Dialect) -> Result<Request, InputError> {
        validate_repository_name(&self.name)?;
        let b = RequestBuilder::new("snapshot.create_repository", Method::Put, &[("repository", &self.name)])?
            .opt("verify", self.verify)?;
        let b = time_param(b, "timeout", &self.timeout)?;
        master_timeout(b, d, &self.master_timeout)?.params(&self.extra)?.body(self.settings.to_body()?).build()
    }
}

/// Requests on one repository that take only timeouts: verify, cleanup, delete.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RepositoryAction {
    pub name: String,
    pub timeout: Option<String>,
    pub master_timeout: Option<String>,
    pub extra: Vec<(String, String)>,
}

impl RepositoryAction {
    pub fn new(name: impl Into<String>) -> Self {
        RepositoryAction { name: name.into(), ..Default::default() }
    }

    fn build(&self, api: &str, method: Method, d: &Dialect) -> Result<Request, InputError> {
        validate_repository_name(&self.name)?;
        let b = RequestBuilder::new(api, method, &[("repository", &self.name)])?;
        let b = time_param(b, "timeout", &self.timeout)?;
        master_timeout(b, d, &self.master_timeout)?.params(&self.extra)?.build()
    }

    /// `POST /_snapshot/{repository}/_verify`
    pub fn verify(&self, d: &Dialect) -> Result<Request, InputError> {
        self.build("snapshot.verify_repository", Method::Post, d)
    }

    /// `POST /_snapshot/{repository}/_cleanup`
    pub fn cleanup(&self, d: &Dialect) -> Result<Request, InputError> {
        self.build("snapshot.cleanup_repository", Method::Post, d)
    }

    /// `DELETE /_snapshot/{repository}`: unregisters the repository (its data stays in place).
    pub fn delete(&self, d: &Dialect) -> Result<Request, InputError> {
        self.build("snapshot.delete_repository", Method::Delete, d)
    }
}

/// Sort keys of get-snapshots.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ToJson, FromJson)]
#[json(rename_all = "snake_case")]
pub enum SnapshotSort {
    StartTime,
    Duration,
    Name,
    Repository,
    IndexCount,
    ShardCount,
    FailedShardCount,
}

impl SnapshotSort {
    pub fn as_str(self) -> &'static str {
        match self {
            SnapshotSort::StartTime => "start_time",
            SnapshotSort::Duration => "duration",
            SnapshotSort::Name => "name",
            SnapshotSort::Repository => "repository",
            SnapshotSort::IndexCount => "index_count",
            SnapshotSort::ShardCount => "shard_count",
            SnapshotSort::FailedShardCount => "failed_shard_count",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        crate::json::from_value(&Value::String(s.to_string())).ok()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ToJson, FromJson)]
#[json(rename_all = "snake_case")]
pub enum Order {
    Asc,
    Desc,
}

impl Order {
    pub fn as_str(self) -> &'static str {
        match self {
            Order::Asc => "asc",
            Order::Desc => "desc",
        }
    }
}

/// `GET /_snapshot/{repository}/{snapshot}`: list snapshots, with cursor paging on 7.14+.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GetSnapshots {
    pub repository: String,
    /// Names, patterns, `_all`, `_current`; empty means `_all`.
    pub snapshots: Vec<String>,
    pub size: Option<u32>,
    /// The `next` cursor of the previous page.
    pub after: Option<String>,
    pub offset: Option<u32>,
    pub sort: Option<SnapshotSort>,
    pub order: Option<Order>,
    pub from_sort_value: Option<String>,
    /// `false` asks only for names, indices and state (much cheaper on big repositories).
    pub verbose: Option<bool>,
    pub ignore_unavailable: Option<bool>,
    pub index_names: Option<bool>,
    pub index_details: Option<bool>,
    pub include_repository: Option<bool>,
    pub slm_policy_filter: Option<String>,
    /// States to keep (`SUCCESS`, `PARTIAL`, ...), Elasticsearch 9.1+.
    pub state: Vec<String>,
    pub master_timeout: Option<String>,
    pub extra: Vec<(String, String)>,
}

impl GetSnapshots {
    pub fn new<I: IntoIterator<Item = S>, S: Into<String>>(repository: impl Into<String>, snapshots: I) -> Self {
        GetSnapshots { repository: repository.into(), snapshots: strings(snapshots), ..Default::default() }
    }

    pub fn build(&self, d: &Dialect) -> Result<Request, InputError> {
        if self.repository != "_all" && self.repository != "*" {
            validate_repository_name(&self.repository.replace('*', "x"))?;
        }
        let snaps = if self.snapshots.is_empty() {
            "_all".to_string()
        } else {
            join_checked("snapshot", &self.snapshots, validate_snapshot_expression)?
        };
        if let Some(a) = &self.after
            && (a.is_empty() || a.len() > 4096 || !a.bytes().all(|b| b.is_ascii_alphanumeric() || b"+/=_-".contains(&b))) {
                return Err(InputError::new("after", "the `after` cursor is not one the cluster returned", "pass the `next` value of the previous page unchanged"));
            }
        for s in &self.state {
            if !matches!(s.as_str(), "IN_PROGRESS" | "SUCCESS" | "FAILED" | "PARTIAL" | "INCOMPATIBLE") {
                return Err(InputError::new("state", format!("`{s}` is not a snapshot state"), "use IN_PROGRESS, SUCCESS, FAILED, PARTIAL or INCOMPATIBLE"));
            }
        }
        let b = RequestBuilder::new("snapshot.get", Method::Get, &[("repository", &self.repository), ("snapshot", &snaps)])?
            .opt("size", self.size)?
            .opt("after", self.after.as_ref())?
            .opt("offset", self.offset)?
            .opt("sort", self.sort.map(SnapshotSort::as_str))?
            .opt("order", self.order.map(Order::as_str))?
            .opt("from_sort_value", self.from_sort_value.as_ref())?
            .opt("verbose", self.verbose)?
            .opt("ignore_unavailable", self.ignore_unavailable)?
            .opt("index_names", self.index_names)?
            .opt("index_details", self.index_details)?
            .opt("include_repository", self.include_repository)?
            .opt("slm_policy_filter", self.slm_policy_filter.as_ref())?
            .opt("state", (!self.state.is_empty()).then(|| self.state.join(",")))?;
        master_timeout(b, d, &self.master_timeout)?.params(&self.extra)?.build()
    }
}

/// `GET /_snapshot[/{repository}[/{snapshot}]]/_status`: shard-level progress.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SnapshotStatus {
    /// No repository: every running snapshot in the cluster.
    pub repository: Option<String>,
    /// Empty: the running snapshots of the repository.
    pub snapshots: Vec<String>,
    pub ignore_unavailable: Option<bool>,
    pub master_timeout: Option<String>,
    pub extra: Vec<(String, String)>,
}

impl SnapshotStatus {
    pub fn of<I: IntoIterator<Item = S>, S: Into<String>>(repository: impl Into<String>, snapshots: I) -> Self {
        SnapshotStatus { repository: Some(repository.into()), snapshots: strings(snapshots), ..Default::default() }
    }

    pub fn build(&self, d: &Dialect) -> Result<Request, InputError> {
        let b = match (&self.repository, self.snapshots.is_empty()) {
            (None, true) => RequestBuilder::new("snapshot.status", Method::Get, &[])?,
            (None, false) => {
                return Err(InputError::new("repository", "snapshot names were given without their repository", "name the repository too"));
            }
            (Some(r), true) => {
                validate_repository_name(r)?;
                RequestBuilder::new("snapshot.status", Method::Get, &[("repository", r)])?
            }
            (Some(r), false) => {
                validate_repository_name(r)?;
                let s = join_checked("snapshot", &self.snapshots, validate_snapshot_expression)?;
                RequestBuilder::new("snapshot.status", Method::Get, &[("repository", r), ("snapshot", &s)])?
            }
        };
        let b = b.opt("ignore_unavailable", self.ignore_unavailable)?;
        master_timeout(b, d, &self.master_timeout)?.params(&self.extra)?.build()
    }
}

/// `PUT /_snapshot/{repository}/{snapshot}`: take a snapshot. Every body field is optional.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CreateSnapshot {
    pub repository: String,
    /// A name or a date-math name such as `<nightly-{now/d}>`.
    pub snapshot: String,
    /// `false` (what the planners use) answers `{"accepted": true}` at once.
    pub wait_for_completion: Option<bool>,
    /// Indices and data streams (patterns allowed); empty = all.
    pub indices: Vec<String>,
    pub ignore_unavailable: Option<bool>,
    pub include_global_state: Option<bool>,
    pub partial: Option<bool>,
    pub metadata: Option<Map<String, Value>>,
    /// Feature states to include (`geoip`, `security`, ... or `none`), Elasticsearch 7.12+.
    pub feature_states: Option<Vec<String>>,
    pub expand_wildcards: Option<String>,
    pub master_timeout: Option<String>,
    pub extra: Vec<(String, String)>,
}

impl CreateSnapshot {
    pub fn new(repository: impl Into<String>, snapshot: impl Into<String>) -> Self {
        CreateSnapshot { repository: repository.into(), snapshot: snapshot.into(), ..Default::default() }
    }

    pub fn body(&self) -> Result<Map<String, Value>, InputError> {
        let mut body = selection_body(
            &self.indices,
            self.ignore_unavailable,
            self.include_global_state,
            self.partial,
            &self.expand_wildcards,
            &self.feature_states,
        )?;
        if let Some(m) = &self.metadata {
            body.insert("metadata".into(), Value::Object(m.clone()));
        }
        Ok(body)
    }

    pub fn build(&self, d: &Dialect) -> Result<Request, InputError> {
        validate_repository_name(&self.repository)?;
        validate_snapshot_name(&self.snapshot)?;
        let body = self.body()?;
        let b = RequestBuilder::new("snapshot.create", Method::Put, &[("repository", &self.repository), ("snapshot", &self.snapshot)])?
            .opt("wait_for_completion", self.wait_for_completion)?;
        let b = master_timeout(b, d, &self.master_timeout)?.params(&self.extra)?;
        let b = if body.is_empty() { b } else { b.body(Value::Object(body)) };
        b.build()
    }
}

/// The body fields create and restore share: which indices, and how strictly.
fn selection_body(
    indices: &[String],
    ignore_unavailable: Option<bool>,
    include_global_state: Option<bool>,
    partial: Option<bool>,
    expand_wildcards: &Option<String>,
    feature_states: &Option<Vec<String>>,
) -> Result<Map<String, Value>, InputError> {
    let mut body = Map::new();
    if !indices.is_empty() {
        body.insert("indices".into(), Value::String(join_checked("index", indices, validate_index_expression)?));
    }
    put_opt(&mut body, "ignore_unavailable", ignore_unavailable);
    put_opt(&mut body, "include_global_state", include_global_state);
    put_opt(&mut body, "partial", partial);
    if let Some(w) = expand_wildcards {
        body.insert("expand_wildcards".into(), Value::String(w.clone()));
    }
    if let Some(f) = feature_states {
        body.insert("feature_states".into(), Value::from(f.clone()));
    }
    Ok(body)
}

fn put_opt(body: &mut Map<String, Value>, key: &str, v: Option<bool>) {
    if let Some(v) = v {
        body.insert(key.into(), Value::Bool(v));
    }
}

/// `PUT /_snapshot/{repository}/{snapshot}/_clone/{target_snapshot}`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CloneSnapshot {
    pub repository: String,
    pub snapshot: String,
    pub target: String,
    /// Indices to clone (required by the API; patterns allowed).
    pub indices: Vec<String>,
    pub master_timeout: Option<String>,
    pub extra: Vec<(String, String)>,
}

impl CloneSnapshot {
    pub fn build(&self, d: &Dialect) -> Result<Request, InputError> {
        validate_repository_name(&self.repository)?;
        validate_snapshot_name(&self.snapshot)?;
        validate_snapshot_name(&self.target)?;
        let indices = join_checked("index", &self.indices, validate_index_expression)?;
        let b = RequestBuilder::new(
            "snapshot.clone",
            Method::Put,
            &[("repository", &self.repository), ("snapshot", &self.snapshot), ("target_snapshot", &self.target)],
        )?;
        master_timeout(b, d, &self.master_timeout)?.params(&self.extra)?.body(object([("indices", Value::String(indices))])).build()
    }
}

/// `DELETE /_snapshot/{repository}/{snapshot}`: deletes snapshots. Callers confirm first.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DeleteSnapshots {
    pub repository: String,
    pub snapshots: Vec<String>,
    pub wait_for_completion: Option<bool>,
    pub master_timeout: Option<String>,
    pub extra: Vec<(String, String)>,
}

impl DeleteSnapshots {
    pub fn new<I: IntoIterator<Item = S>, S: Into<String>>(repository: impl Into<String>, snapshots: I) -> Self {
        DeleteSnapshots { repository: repository.into(), snapshots: strings(snapshots), ..Default::default() }
    }

    pub fn build(&self, d: &Dialect) -> Result<Request, InputError> {
        validate_repository_name(&self.repository)?;
        // `_all` is refused here on purpose: deleting everything must be spelled out as `*`.
        if self.snapshots.iter().any(|s| s == "_all") {
            return Err(InputError::new("snapshot", "`_all` would delete every snapshot in the repository", "name the snapshots, or pass `*` if you really mean all of them"));
        }
        let s = join_checked("snapshot", &self.snapshots, validate_snapshot_expression)?;
        let b = RequestBuilder::new("snapshot.delete", Method::Delete, &[("repository", &self.repository), ("snapshot", &s)])?
            .opt("wait_for_completion", self.wait_for_completion)?;
        master_timeout(b, d, &self.master_timeout)?.params(&self.extra)?.build()
    }

    /// The requests that delete these snapshots, each with the names it deletes, named exactly
    /// (no patterns: resolve those with a listing first, so that the names confirmed are the
    /// names deleted): as few as the request line allows where the cluster takes several names,
    /// else one per snapshot.
    pub fn batches(&self, d: &Dialect) -> Result<Vec<(Vec<String>, Request)>, InputError> {
        if let Some(p) = self.snapshots.iter().find(|s| s.contains(['*', ',']) || s.starts_with('-') || s.as_str() == "_all") {
            return Err(InputError::new("snapshot", format!("`{p}` is not one snapshot name"), "list the snapshots it matches and name them"));
        }
        let one = |batch: &[String]| DeleteSnapshots { snapshots: batch.to_vec(), ..self.clone() }.build(d);
        if d.deletes_several_snapshots() {
            crate::request::line_batches(&self.snapshots, &one)
        } else {
            self.snapshots.iter().map(|s| Ok((vec![s.clone()], one(std::slice::from_ref(s))?))).collect()
        }
    }
}

/// `POST /_snapshot/{repository}/{snapshot}/_restore` with every body field the API takes.
#[derive(Clone, Debug, Default, PartialEq, ToJson, FromJson)]
pub struct RestoreSnapshot {
    pub repository: String,
    pub snapshot: String,
    pub wait_for_completion: Option<bool>,
    /// Indices and data streams (patterns and `-exclusions` allowed); empty = all.
    pub indices: Vec<String>,
    pub ignore_unavailable: Option<bool>,
    pub include_global_state: Option<bool>,
    pub partial: Option<bool>,
    pub include_aliases: Option<bool>,
    /// A Java regular expression matched against each restored index name.
    pub rename_pattern: Option<String>,
    /// The replacement, with `$1`-style group references.
    pub rename_replacement: Option<String>,
    /// OpenSearch: rename aliases too.
    pub rename_alias_pattern: Option<String>,
    pub rename_alias_replacement: Option<String>,
    /// Settings applied to restored indices (`{"index.number_of_replicas": 0}`).
    pub index_settings: Option<Map<String, Value>>,
    /// Settings not restored from the snapshot (`index.refresh_interval`).
    pub ignore_index_settings: Vec<String>,
    /// Feature states to restore (Elasticsearch 7.12+); `["none"]` restores none.
    pub feature_states: Option<Vec<String>>,
    pub expand_wildcards: Option<String>,
    pub master_timeout: Option<String>,
    pub extra: Vec<(String, String)>,
}

impl RestoreSnapshot {
    pub fn new(repository: impl Into<String>, snapshot: impl Into<String>) -> Self {
        RestoreSnapshot { repository: repository.into(), snapshot: snapshot.into(), ..Default::default() }
    }

    pub fn body(&self) -> Result<Map<String, Value>, InputError> {
        let mut body = selection_body(
            &self.indices,
            self.ignore_unavailable,
            self.include_global_state,
            self.partial,
            &self.expand_wildcards,
            &self.feature_states,
        )?;
        put_opt(&mut body, "include_aliases", self.include_aliases);
        match (&self.rename_pattern, &self.rename_replacement) {
            (Some(p), Some(r)) => {
                if p.is_empty() {
                    return Err(InputError::new("rename_pattern", "the rename pattern is empty", "give a regular expression such as `(.+)`"));
                }
                body.insert("rename_pattern".into(), Value::String(p.clone()));
                body.insert("rename_replacement".into(), Value::String(r.clone()));
            }
            (None, None) => {}
            _ => {
                return Err(InputError::new("rename_pattern", "a rename pattern needs a replacement and vice versa", "give both, e.g. pattern `(.+)` and replacement `restored-$1`"));
            }
        }
        match (&self.rename_alias_pattern, &self.rename_alias_replacement) {
            (Some(p), Some(r)) => {
                body.insert("rename_alias_pattern".into(), Value::String(p.clone()));
                body.insert("rename_alias_replacement".into(), Value::String(r.clone()));
            }
            (None, None) => {}
            _ => {
                return Err(InputError::new("rename_alias_pattern", "an alias rename pattern needs a replacement and vice versa", "give both"));
            }
        }
        if let Some(s) = &self.index_settings {
            body.insert("index_settings".into(), Value::Object(s.clone()));
        }
        if !self.ignore_index_settings.is_empty() {
            body.insert("ignore_index_settings".into(), Value::from(self.ignore_index_settings.clone()));
        }
        Ok(body)
    }

    pub fn build(&self, d: &Dialect) -> Result<Request, InputError> {
        validate_repository_name(&self.repository)?;
        validate_snapshot_name(&self.snapshot)?;
        let body = self.body()?;
        let b = RequestBuilder::new("snapshot.restore", Method::Post, &[("repository", &self.repository), ("snapshot", &self.snapshot)])?
            .opt("wait_for_completion", self.wait_for_completion)?;
        let b = master_timeout(b, d, &self.master_timeout)?.params(&self.extra)?;
        let b = if body.is_empty() { b } else { b.body(Value::Object(body)) };
        b.build()
    }
}

/// A JSON object from pairs (inserted one by one: `collect` into the map would sort them through
/// one more instantiation of the sort).
fn object<const N: usize>(pairs: [(&str, Value); N]) -> Value {
    let mut m = Map::new();
    for (k, v) in pairs {
        m.insert(k.to_string(), v);
    }
    Value::Object(m)
}
