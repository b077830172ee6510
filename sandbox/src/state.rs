//! In-memory cluster state. Everything time-dependent (snapshot progress, restore recoveries) is computed
//! from the wall clock on each request, so no background thread is needed.

use crate::seed::{IndexStateSeed, Seed, SnapshotStateSeed};
use crate::util::{Rng, fnv1a, now_millis, parse_iso};
use crate::version::{DistVersion, Distribution, Version};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap};

/// How long an asynchronous (`wait_for_completion=false`) snapshot stays IN_PROGRESS.
pub const ASYNC_SNAPSHOT_MS: i64 = 3000;
/// How long an asynchronous restore recovery stays in stage INDEX.
pub const ASYNC_RESTORE_MS: i64 = 2000;

#[derive(Clone, Debug)]
pub struct Recovery {
    pub repository: String,
    pub snapshot: String,
    pub source_index: String,
    pub version: String,
    pub restore_uuid: String,
    pub start: i64,
    pub duration: i64,
}

#[derive(Clone, Debug)]
pub struct Index {
    pub name: String,
    pub uuid: String,
    pub created: DistVersion,
    pub open: bool,
    pub shards: u32,
    pub replicas: u32,
    pub docs: u64,
    pub aliases: Vec<String>,
    pub system: bool,
    pub hidden: bool,
    pub creation_date: i64,
    pub recovery: Option<Recovery>,
    /// Settings supplied by create-index or restore `index_settings` (flat keys).
    pub extra_settings: BTreeMap<String, Value>,
}

impl Index {
    pub fn size_bytes(&self) -> u64 {
        size_for_docs(self.docs)
    }
    pub fn files(&self) -> u64 {
        files_for_docs(self.docs)
    }
    /// Progress of the restore recovery at `now`, 0.0..=1.0 (1.0 when there is none).
    pub fn recovery_progress(&self, now: i64) -> f64 {
        match &self.recovery {
            Some(r) if r.duration > 0 => ((now - r.start) as f64 / r.duration as f64).clamp(0.0, 1.0),
            _ => 1.0,
        }
    }
    pub fn health(&self, now: i64) -> &'static str {
        if self.recovery_progress(now) < 1.0 {
            "red"
        } else if self.replicas > 0 {
            "yellow"
        } else {
            "green"
        }
    }
}

pub fn size_for_docs(docs: u64) -> u64 {
    225 + docs.saturating_mul(612)
}
pub fn files_for_docs(docs: u64) -> u64 {
    if docs == 0 { 1 } else { (4 + docs / 1000).min(200) }
}

#[derive(Clone, Debug)]
pub struct DataStream {
    pub name: String,
    pub indices: Vec<String>,
}

/// A composable index template (`PUT _index_template/{name}`): only what data streams need.
#[derive(Clone, Debug)]
pub struct IndexTemplate {
    pub name: String,
    pub patterns: Vec<String>,
    pub data_stream: bool,
    pub priority: i64,
    pub shards: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SnapState {
    Success,
    Partial,
    Failed,
}

impl SnapState {
    pub fn as_str(self) -> &'static str {
        match self {
            SnapState::Success => "SUCCESS",
            SnapState::Partial => "PARTIAL",
            SnapState::Failed => "FAILED",
        }
    }
}

#[derive(Clone, Debug)]
pub struct SnapIndex {
    pub name: String,
    pub uuid: String,
    pub created: DistVersion,
    pub shards: u32,
    pub docs: u64,
    pub aliases: Vec<String>,
    pub system: bool,
    /// Shards that failed in a PARTIAL/FAILED snapshot.
    pub failed_shards: u32,
}

#[derive(Clone, Debug)]
pub struct Snapshot {
    pub name: String,
    pub uuid: String,
    pub version: DistVersion,
    pub indices: Vec<SnapIndex>,
    pub data_streams: Vec<String>,
    pub feature_states: Vec<String>,
    pub include_global_state: bool,
    /// Final state once complete.
    pub state: SnapState,
    pub start: i64,
    pub duration: i64,
    pub metadata: Option<Value>,
    pub reason: Option<String>,
}

impl Snapshot {
    pub fn in_progress(&self, now: i64) -> bool {
        now < self.start + self.duration
    }
    pub fn progress(&self, now: i64) -> f64 {
        if self.duration <= 0 {
            return 1.0;
        }
        ((now - self.start) as f64 / self.duration as f64).clamp(0.0, 1.0)
    }
    pub fn total_shards(&self) -> u64 {
        self.indices.iter().map(|i| i.shards as u64).sum()
    }
    pub fn failed_shards(&self) -> u64 {
        self.indices.iter().map(|i| i.failed_shards as u64).sum()
    }
    pub fn end(&self) -> i64 {
        self.start + self.duration
    }
    pub fn policy(&self) -> Option<&str> {
        self.metadata.as_ref()?.get("policy")?.as_str()
    }
}

/// The blobs behind a repository: keyed by type + location so re-registering the same location
/// shows the same snapshots and the same repository UUID, like a real shared filesystem/bucket.
#[derive(Clone, Debug, Default)]
pub struct Storage {
    pub uuid: Option<String>,
    pub snapshots: Vec<Snapshot>,
}

#[derive(Clone, Debug)]
pub struct Repository {
    pub name: String,
    pub kind: String,
    pub settings: Map<String, Value>,
    pub storage_key: String,
}

impl Repository {
    /// `url` repositories always, others registered with `readonly: true`.
    pub fn is_read_only(&self) -> bool {
        self.kind == "url" || self.settings.get("readonly").or(self.settings.get("read_only")).is_some_and(|v| v == "true" || v == &Value::Bool(true))
    }
}

pub fn storage_key(kind: &str, settings: &Map<String, Value>) -> String {
    let s = |k: &str| settings.get(k).map(|v| v.to_string()).unwrap_or_default();
    format!("{kind}|{}|{}|{}|{}|{}", s("location"), s("url"), s("bucket"), s("container"), s("base_path"))
}

pub struct State {
    pub cluster_name: String,
    pub cluster_uuid: String,
    pub node_id: String,
    pub node_name: String,
    pub dist: Distribution,
    pub version: Version,
    pub indices: BTreeMap<String, Index>,
    pub data_streams: BTreeMap<String, DataStream>,
    pub repositories: BTreeMap<String, Repository>,
    pub storages: HashMap<String, Storage>,
    pub rng: Rng,
    pub templates: BTreeMap<String, IndexTemplate>,
    /// `path.repo`, when the seed sets it.
    pub path_repo: Option<Vec<String>>,
}

impl State {
    pub fn cluster(&self) -> DistVersion {
        DistVersion { dist: self.dist, version: self.version }
    }

    pub fn from_seed(seed: &Seed) -> State {
        let dist = seed.cluster.distribution;
        let version = Version::parse(&seed.cluster.version).expect("validated");
        let mut rng = Rng::new(fnv1a(&seed.cluster.version) ^ 0x5eed);
        let now = now_millis();
        let cluster_name = seed.cluster.name.clone().unwrap_or_else(|| match dist {
            Distribution::Elasticsearch => "elasticsearch".into(),
            Distribution::Opensearch => "opensearch".into(),
        });
        let mut st = State {
            cluster_uuid: rng.uuid(),
            node_id: rng.uuid(),
            node_name: "sandbox-node-0".into(),
            cluster_name,
            dist,
            version,
            indices: BTreeMap::new(),
            data_streams: BTreeMap::new(),
            repositories: BTreeMap::new(),
            storages: HashMap::new(),
            rng,
            templates: BTreeMap::new(),
            path_repo: seed.cluster.path_repo.clone(),
        };
        let cluster = st.cluster();
        let parse_created = |c: &Option<String>, default: DistVersion| -> DistVersion {
            match c.as_deref().and_then(Version::parse) {
                Some(v) => {
                    // an OpenSearch cluster can hold indices created by Elasticsearch <= 7.10.2
                    if default.dist == Distribution::Opensearch && v.major >= 5 {
                        DistVersion { dist: Distribution::Elasticsearch, version: v }
                    } else {
                        DistVersion { dist: default.dist, version: v }
                    }
                }
                None => default,
            }
        };
        for i in &seed.indices {
            let uuid = st.rng.uuid();
            st.indices.insert(
                i.name.clone(),
                Index {
                    name: i.name.clone(),
                    uuid,
                    created: parse_created(&i.created, cluster),
                    open: i.state != Some(IndexStateSeed::Closed),
                    shards: i.shards.unwrap_or(1),
                    replicas: 0,
                    docs: i.docs.unwrap_or(0),
                    aliases: i.aliases.clone(),
                    system: i.system.unwrap_or(false),
                    hidden: i.system.unwrap_or(false) || i.name.starts_with('.'),
                    creation_date: now - 86_400_000,
                    recovery: None,
                    extra_settings: BTreeMap::new(),
                },
            );
        }
        for ds in &seed.data_streams {
            for b in &ds.indices {
                if !st.indices.contains_key(b) {
                    let idx = st.new_index(b, 1, 0);
                    st.indices.insert(b.clone(), Index { hidden: true, ..idx });
                }
            }
            st.data_streams.insert(ds.name.clone(), DataStream { name: ds.name.clone(), indices: ds.indices.clone() });
            // A seeded data stream comes with the template that made it.
            let t = format!("{}-template", ds.name);
            st.templates.insert(t.clone(), IndexTemplate { name: t, patterns: vec![ds.name.clone()], data_stream: true, priority: 0, shards: 1 });
        }
        for r in &seed.repositories {
            let settings: Map<String, Value> = r.settings.clone().into_iter().collect();
            let key = storage_key(&r.kind, &settings);
            let mut storage = Storage::default();
            let base = parse_iso("2026-01-01T00:00:00Z").unwrap();
            for (n, s) in r.snapshots.iter().enumerate() {
                let sdist = s.distribution.unwrap_or(dist);
                let sv = DistVersion { dist: sdist, version: Version::parse(&s.version).expect("validated") };
                let state = match s.state {
                    Some(SnapshotStateSeed::Partial) => SnapState::Partial,
                    Some(SnapshotStateSeed::Failed) => SnapState::Failed,
                    _ => SnapState::Success,
                };
                let mut indices: Vec<SnapIndex> = s
                    .indices
                    .iter()
                    .map(|i| {
                        let created = match i.created.as_deref().and_then(Version::parse) {
                            Some(v) if sdist == Distribution::Opensearch && v.major >= 5 => {
                                DistVersion { dist: Distribution::Elasticsearch, version: v }
                            }
                            Some(v) => DistVersion { dist: sdist, version: v },
                            None => sv,
                        };
                        SnapIndex {
                            name: i.name.clone(),
                            uuid: st.rng.uuid(),
                            created,
                            shards: i.shards.unwrap_or(1),
                            docs: i.docs.unwrap_or(0),
                            aliases: vec![],
                            system: i.name.starts_with('.'),
                            failed_shards: 0,
                        }
                    })
                    .collect();
                let mut reason = None;
                match state {
                    SnapState::Partial => {
                        if let Some(first) = indices.first_mut() {
                            first.failed_shards = 1;
                        }
                    }
                    SnapState::Failed => {
                        for i in indices.iter_mut() {
                            i.failed_shards = i.shards;
                        }
                        reason = Some(format!(
                            "Indices don't have primary shards [{}]",
                            indices.iter().map(|i| i.name.clone()).collect::<Vec<_>>().join(", ")
                        ));
                    }
                    SnapState::Success => {}
                }
                let start = s.start_time.as_deref().and_then(parse_iso).unwrap_or(base + n as i64 * 3_600_000);
                storage.snapshots.push(Snapshot {
                    name: s.name.clone(),
                    uuid: st.rng.uuid(),
                    version: sv,
                    indices,
                    data_streams: s.data_streams.clone(),
                    feature_states: s.feature_states.clone(),
                    include_global_state: s.include_global_state.unwrap_or(false),
                    state,
                    start,
                    duration: s.duration_ms.unwrap_or(1000) as i64,
                    metadata: None,
                    reason,
                });
            }
            if let Some(g) = &r.generate {
                let gv = Version::parse(&g.version).expect("validated");
                let width = (g.count.max(1) as f64).log10().floor() as usize + 1;
                let start0 = parse_iso("2025-01-01T00:00:00Z").unwrap();
                for k in 0..g.count {
                    let indices = g
                        .indices
                        .iter()
                        .map(|n| SnapIndex {
                            name: n.clone(),
                            uuid: format!("gen{:019}", fnv1a(n) % 10u64.pow(18)),
                            created: DistVersion { dist, version: gv },
                            shards: 1,
                            docs: 100,
                            aliases: vec![],
                            system: false,
                            failed_shards: 0,
                        })
                        .collect();
                    storage.snapshots.push(Snapshot {
                        name: format!("{}{:0width$}", g.prefix, k + 1, width = width),
                        uuid: st.rng.uuid(),
                        version: DistVersion { dist, version: gv },
                        indices,
                        data_streams: vec![],
                        feature_states: vec![],
                        include_global_state: false,
                        state: SnapState::Success,
                        start: start0 + k as i64 * 3_600_000,
                        duration: 500 + (k as i64 * 37) % 2000,
                        metadata: Some(serde_json::json!({"policy": "nightly"})),
                        reason: None,
                    });
                }
            }
            if !storage.snapshots.is_empty() {
                storage.uuid = Some(st.rng.uuid());
            }
            st.storages.insert(key.clone(), storage);
            st.repositories.insert(
                r.name.clone(),
                Repository { name: r.name.clone(), kind: r.kind.clone(), settings, storage_key: key },
            );
        }
        st
    }

    pub fn new_index(&mut self, name: &str, shards: u32, replicas: u32) -> Index {
        Index {
            name: name.to_string(),
            uuid: self.rng.uuid(),
            created: self.cluster(),
            open: true,
            shards,
            replicas,
            docs: 0,
            aliases: vec![],
            system: false,
            hidden: name.starts_with('.'),
            creation_date: now_millis(),
            recovery: None,
            extra_settings: BTreeMap::new(),
        }
    }

    /// The template a new index or data stream named `name` gets: the matching one with the
    /// highest priority (MetadataIndexTemplateService.findV2Template).
    pub fn template_for(&self, name: &str) -> Option<&IndexTemplate> {
        self.templates
            .values()
            .filter(|t| t.patterns.iter().any(|p| crate::util::simple_match(p, name)))
            .max_by_key(|t| t.priority)
    }

    pub fn storage(&self, repo: &str) -> Option<&Storage> {
        let r = self.repositories.get(repo)?;
        self.storages.get(&r.storage_key)
    }
    pub fn storage_mut(&mut self, repo: &str) -> Option<&mut Storage> {
        let key = self.repositories.get(repo)?.storage_key.clone();
        Some(self.storages.entry(key).or_default())
    }

    /// Is any snapshot (in any repository) currently running?
    pub fn running_snapshots(&self, now: i64) -> Vec<(String, String)> {
        let mut out = vec![];
        for (name, r) in &self.repositories {
            if let Some(s) = self.storages.get(&r.storage_key) {
                for snap in &s.snapshots {
                    if snap.in_progress(now) {
                        out.push((name.clone(), snap.name.clone()));
                    }
                }
            }
        }
        out
    }

    /// Resolve an index expression list (comma list, wildcards, `_all`) against concrete indices.
    /// `include` decides which indices wildcards may expand to. Missing concrete names are returned as errors.
    pub fn resolve_indices(
        &self,
        exprs: &[String],
        include: impl Fn(&Index) -> bool,
        ignore_unavailable: bool,
    ) -> Result<Vec<String>, String> {
        let mut out: Vec<String> = vec![];
        let push = |out: &mut Vec<String>, n: &str| {
            if !out.iter().any(|x| x == n) {
                out.push(n.to_string());
            }
        };
        let exprs: Vec<String> = if exprs.is_empty() { vec!["_all".into()] } else { exprs.to_vec() };
        for e in &exprs {
            if let Some(neg) = e.strip_prefix('-')
                && !out.is_empty() {
                    out.retain(|n| !crate::util::simple_match(neg, n));
                    continue;
                }
            if e == "_all" || e == "*" {
                for i in self.indices.values().filter(|i| include(i) && !i.hidden) {
                    push(&mut out, &i.name);
                }
                // data stream backing indices are hidden but belong to `*` via their stream
                for ds in self.data_streams.values() {
                    for b in &ds.indices {
                        if self.indices.get(b).is_some_and(&include) {
                            push(&mut out, b);
                        }
                    }
                }
                continue;
            }
            if e.contains('*') {
                for i in self.indices.values() {
                    if crate::util::simple_match(e, &i.name) && include(i) && (!i.hidden || e.starts_with('.')) {
                        push(&mut out, &i.name);
                    }
                }
                for ds in self.data_streams.values() {
                    if crate::util::simple_match(e, &ds.name) {
                        for b in &ds.indices {
                            push(&mut out, b);
                        }
                    }
                }
                continue;
            }
            if self.indices.contains_key(e) {
                push(&mut out, e);
            } else if let Some(ds) = self.data_streams.get(e) {
                for b in &ds.indices {
                    push(&mut out, b);
                }
            } else if let Some(aliased) = self.indices.values().find(|i| i.aliases.iter().any(|a| a == e)) {
                let n = aliased.name.clone();
                for i in self.indices.values().filter(|i| i.aliases.iter().any(|a| a == e)) {
                    push(&mut out, &i.name);
                }
                let _ = n;
            } else if !ignore_unavailable {
                return Err(e.clone());
            }
        }
        Ok(out)
    }
}
