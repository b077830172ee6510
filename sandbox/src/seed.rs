//! Seed file: the initial cluster state. Unknown fields and bad values are rejected with a message
//! naming the offending field (`indices[2].state: ...`).

use crate::version::{Distribution, Version};
use serde::Deserialize;
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seed {
    pub cluster: SeedCluster,
    #[serde(default)]
    pub auth: Option<SeedAuth>,
    #[serde(default)]
    pub indices: Vec<SeedIndex>,
    #[serde(default)]
    pub data_streams: Vec<SeedDataStream>,
    #[serde(default)]
    pub repositories: Vec<SeedRepository>,
    /// ECE emulation: also serve `/api/v1/...` (see `crate::ece`).
    #[serde(default)]
    pub ece: Option<SeedEce>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedEce {
    /// ECE API keys (`Authorization: ApiKey <key>`, opaque). No keys and no users = no ECE auth.
    #[serde(default)]
    pub api_keys: Vec<String>,
    #[serde(default)]
    pub users: Vec<SeedUser>,
    /// `false`: the take-snapshot call answers 449 (the session is not elevated).
    #[serde(default = "yes")]
    pub elevated_permissions: bool,
    /// `false`: the clusters API is gone (ECE 3.0+): its routes answer a plain 404.
    #[serde(default = "yes")]
    pub clusters_api: bool,
    #[serde(default)]
    pub clusters: Vec<SeedEceCluster>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedEceCluster {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    /// The deployment the cluster belongs to (proxy path); default: the cluster id.
    #[serde(default)]
    pub deployment_id: Option<String>,
    #[serde(default)]
    pub repositories: Vec<String>,
    #[serde(default)]
    pub snapshots: Vec<String>,
    /// The snapshot repository credentials a take-snapshot body must match when it names any.
    #[serde(default)]
    pub credentials: Option<SeedUser>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedCluster {
    pub distribution: Distribution,
    pub version: String,
    #[serde(default)]
    pub name: Option<String>,
    /// The node's `path.repo`: absolute `fs` locations must lie below one of these. Absent: every
    /// location is accepted (relative ones always are: they resolve below path.repo).
    #[serde(default)]
    pub path_repo: Option<Vec<String>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedAuth {
    #[serde(default)]
    pub users: Vec<SeedUser>,
    #[serde(default)]
    pub api_keys: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedUser {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum IndexStateSeed {
    Open,
    Closed,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedIndex {
    pub name: String,
    #[serde(default)]
    pub created: Option<String>,
    #[serde(default)]
    pub state: Option<IndexStateSeed>,
    #[serde(default)]
    pub shards: Option<u32>,
    #[serde(default)]
    pub docs: Option<u64>,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub system: Option<bool>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedDataStream {
    pub name: String,
    pub indices: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedRepository {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub settings: BTreeMap<String, Value>,
    #[serde(default)]
    pub snapshots: Vec<SeedSnapshot>,
    #[serde(default)]
    pub generate: Option<SeedGenerate>,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
pub enum SnapshotStateSeed {
    #[serde(rename = "SUCCESS")]
    Success,
    #[serde(rename = "PARTIAL")]
    Partial,
    #[serde(rename = "FAILED")]
    Failed,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedSnapshot {
    pub name: String,
    pub version: String,
    #[serde(default)]
    pub distribution: Option<Distribution>,
    #[serde(default)]
    pub state: Option<SnapshotStateSeed>,
    pub indices: Vec<SeedSnapshotIndex>,
    #[serde(default)]
    pub data_streams: Vec<String>,
    #[serde(default)]
    pub feature_states: Vec<String>,
    #[serde(default)]
    pub include_global_state: Option<bool>,
    #[serde(default)]
    pub start_time: Option<String>,
    #[serde(default)]
    pub duration_ms: Option<u64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedSnapshotIndex {
    pub name: String,
    #[serde(default)]
    pub created: Option<String>,
    #[serde(default)]
    pub shards: Option<u32>,
    #[serde(default)]
    pub docs: Option<u64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedGenerate {
    pub count: u32,
    pub prefix: String,
    pub version: String,
    pub indices: Vec<String>,
}

/// Maximum number of generated snapshots per repository (keeps memory bounded).
pub const MAX_GENERATED: u32 = 100_000;

impl Seed {
    pub fn from_json(text: &str) -> Result<Seed, String> {
        let seed: Seed = serde_json::from_str(text).map_err(|e| format!("invalid seed: {e}"))?;
        seed.validate()?;
        Ok(seed)
    }

    pub fn from_file(path: &std::path::Path) -> Result<Seed, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read seed {}: {e}", path.display()))?;
        Seed::from_json(&text)
    }

    /// A minimal seed: an empty cluster of the given distribution and version.
    pub fn empty(distribution: Distribution, version: &str) -> Seed {
        Seed {
            cluster: SeedCluster { distribution, version: version.into(), name: None, path_repo: None },
            auth: None,
            indices: vec![],
            data_streams: vec![],
            repositories: vec![],
            ece: None,
        }
    }

    pub fn validate(&self) -> Result<(), String> {
        let ver = |field: &str, v: &str| -> Result<Version, String> {
            Version::parse(v).ok_or_else(|| format!("{field}: invalid version [{v}], expected MAJOR.MINOR.PATCH"))
        };
        let cluster_v = ver("cluster.version", &self.cluster.version)?;
        if let Some(n) = &self.cluster.name
            && n.is_empty() {
                return Err("cluster.name: must not be empty".into());
            }
        if let Some(e) = &self.ece {
            e.validate()?;
        }
        if let Some(a) = &self.auth {
            for (i, u) in a.users.iter().enumerate() {
                if u.username.is_empty() || u.username.contains(':') {
                    return Err(format!("auth.users[{i}].username: must be non-empty and must not contain ':'"));
                }
            }
            for (i, k) in a.api_keys.iter().enumerate() {
                use base64::Engine;
                let ok = base64::engine::general_purpose::STANDARD
                    .decode(k)
                    .ok()
                    .and_then(|b| String::from_utf8(b).ok())
                    .is_some_and(|s| s.contains(':'));
                if !ok {
                    return Err(format!("auth.api_keys[{i}]: must be base64 of `id:api_key`"));
                }
            }
        }
        let mut names = HashSet::new();
        for (i, idx) in self.indices.iter().enumerate() {
            let f = format!("indices[{i}]");
            check_index_name(&idx.name).map_err(|e| format!("{f}.name: {e}"))?;
            if !names.insert(idx.name.clone()) {
                return Err(format!("{f}.name: duplicate index [{}]", idx.name));
            }
            if let Some(c) = &idx.created {
                let v = ver(&format!("{f}.created"), c)?;
                if v > cluster_v && self.cluster.distribution == Distribution::Elasticsearch {
                    return Err(format!("{f}.created: [{c}] is newer than the cluster version [{cluster_v}]"));
                }
            }
            if idx.shards == Some(0) || idx.shards.is_some_and(|s| s > 1024) {
                return Err(format!("{f}.shards: must be between 1 and 1024"));
            }
            for (j, a) in idx.aliases.iter().enumerate() {
                check_index_name(a).map_err(|e| format!("{f}.aliases[{j}]: {e}"))?;
            }
        }
        for (i, ds) in self.data_streams.iter().enumerate() {
            let f = format!("data_streams[{i}]");
            check_index_name(&ds.name).map_err(|e| format!("{f}.name: {e}"))?;
            if ds.indices.is_empty() {
                return Err(format!("{f}.indices: a data stream needs at least one backing index"));
            }
            for (j, b) in ds.indices.iter().enumerate() {
                check_index_name(b).map_err(|e| format!("{f}.indices[{j}]: {e}"))?;
            }
        }
        let mut repo_names = HashSet::new();
        for (i, r) in self.repositories.iter().enumerate() {
            let f = format!("repositories[{i}]");
            if r.name.is_empty() || r.name.contains('#') || r.name.contains(|c: char| INVALID_FILENAME.contains(&c)) {
                return Err(format!("{f}.name: invalid repository name [{}]", r.name));
            }
            if !repo_names.insert(r.name.clone()) {
                return Err(format!("{f}.name: duplicate repository [{}]", r.name));
            }
            if r.kind.is_empty() {
                return Err(format!("{f}.type: must not be empty"));
            }
            let mut snaps = HashSet::new();
            for (j, s) in r.snapshots.iter().enumerate() {
                let g = format!("{f}.snapshots[{j}]");
                check_snapshot_name(&s.name).map_err(|e| format!("{g}.name: {e}"))?;
                if !snaps.insert(s.name.clone()) {
                    return Err(format!("{g}.name: duplicate snapshot [{}]", s.name));
                }
                let sv = ver(&format!("{g}.version"), &s.version)?;
                for (k, idx) in s.indices.iter().enumerate() {
                    check_index_name(&idx.name).map_err(|e| format!("{g}.indices[{k}].name: {e}"))?;
                    if let Some(c) = &idx.created {
                        let cv = ver(&format!("{g}.indices[{k}].created"), c)?;
                        if cv > sv && s.distribution.unwrap_or(self.cluster.distribution) == Distribution::Elasticsearch {
                            return Err(format!("{g}.indices[{k}].created: [{c}] is newer than the snapshot version [{sv}]"));
                        }
                    }
                    if idx.shards == Some(0) || idx.shards.is_some_and(|s| s > 1024) {
                        return Err(format!("{g}.indices[{k}].shards: must be between 1 and 1024"));
                    }
                }
                if let Some(t) = &s.start_time
                    && crate::util::parse_iso(t).is_none() {
                        return Err(format!("{g}.start_time: invalid date [{t}], expected e.g. 2026-01-01T00:00:00Z"));
                    }
            }
            if let Some(gen_) = &r.generate {
                let g = format!("{f}.generate");
                if gen_.count > MAX_GENERATED {
                    return Err(format!("{g}.count: at most {MAX_GENERATED}"));
                }
                ver(&format!("{g}.version"), &gen_.version)?;
                check_snapshot_name(&format!("{}0", gen_.prefix)).map_err(|e| format!("{g}.prefix: {e}"))?;
                for (k, n) in gen_.indices.iter().enumerate() {
                    check_index_name(n).map_err(|e| format!("{g}.indices[{k}]: {e}"))?;
                }
            }
        }
        Ok(())
    }
}

/// `Strings.INVALID_FILENAME_CHARS` in Elasticsearch.
pub const INVALID_FILENAME: [char; 9] = ['\\', '/', '*', '?', '"', '<', '>', '|', ','];
/// `Strings.INVALID_FILENAME_CHARS` as the server prints it (a `HashSet` that also holds the space; real 7.17.29 and
/// 2.19.1: `[ , ", *, \, <, |, ,, >, /, ?]`).
pub const INVALID_FILENAME_TEXT: &str = "[ , \", *, \\, <, |, ,, >, /, ?]";

/// Snapshot name rules from `SnapshotsService.validate` (returns the `<why>` part).
impl SeedEce {
    fn validate(&self) -> Result<(), String> {
        if self.clusters.is_empty() {
            return Err("ece.clusters: at least one cluster is needed".into());
        }
        let hex = |s: &str| !s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        let mut ids = HashSet::new();
        for (i, c) in self.clusters.iter().enumerate() {
            if !hex(&c.id) {
                return Err(format!("ece.clusters[{i}].id: must be 1-64 lowercase hexadecimal characters, like ECE ids"));
            }
            if let Some(d) = &c.deployment_id
                && !hex(d) {
                    return Err(format!("ece.clusters[{i}].deployment_id: must be 1-64 lowercase hexadecimal characters"));
                }
            if !ids.insert(c.id.as_str()) {
                return Err(format!("ece.clusters[{i}].id: duplicate id [{}]", c.id));
            }
            for (j, r) in c.repositories.iter().enumerate() {
                if r.is_empty() || r.contains(|ch: char| ch.is_whitespace() || ch == '/') {
                    return Err(format!("ece.clusters[{i}].repositories[{j}]: not a repository name"));
                }
            }
            for (j, n) in c.snapshots.iter().enumerate() {
                check_snapshot_name(n).map_err(|e| format!("ece.clusters[{i}].snapshots[{j}]: {e}"))?;
            }
        }
        for (i, u) in self.users.iter().enumerate() {
            if u.username.is_empty() || u.username.contains(':') {
                return Err(format!("ece.users[{i}].username: must be non-empty and must not contain ':'"));
            }
        }
        if self.api_keys.iter().any(|k| k.is_empty() || k.contains(char::is_whitespace)) {
            return Err("ece.api_keys: keys must be non-empty and without whitespace".into());
        }
        Ok(())
    }
}

pub fn check_snapshot_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("cannot be empty".into());
    }
    if name.contains(char::is_whitespace) {
        return Err("must not contain whitespace".into());
    }
    if name.contains(',') {
        return Err("must not contain ','".into());
    }
    if name.contains('#') {
        return Err("must not contain '#'".into());
    }
    if name.starts_with('_') {
        return Err("must not start with '_'".into());
    }
    if name.to_lowercase() != name {
        return Err("must be lowercase".into());
    }
    if name.contains(|c: char| INVALID_FILENAME.contains(&c)) {
        return Err(format!("must not contain the following characters {INVALID_FILENAME_TEXT}"));
    }
    Ok(())
}

/// Index name rules from `MetadataCreateIndexService.validateIndexOrAliasName` (plus the `_`/`-`/`+` start rule).
pub fn check_index_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("must not be empty".into());
    }
    if name.contains(|c: char| INVALID_FILENAME.contains(&c) || c == ' ') {
        return Err(format!("must not contain the following characters {INVALID_FILENAME_TEXT}"));
    }
    if name.contains('#') {
        return Err("must not contain '#'".into());
    }
    if name.contains(':') {
        return Err("must not contain ':'".into());
    }
    if name.starts_with('_') || name.starts_with('-') || name.starts_with('+') {
        return Err("must not start with '_', '-', or '+'".into());
    }
    if name.to_lowercase() != name {
        return Err("must be lowercase".into());
    }
    if name == "." || name == ".." {
        return Err("must not be '.' or '..'".into());
    }
    if name.len() > 255 {
        return Err("index name is too long, (>255)".into());
    }
    Ok(())
}
