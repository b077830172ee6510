//! The restore planner: from the snapshot, the cluster's indices and the user's selection, a plan
//! that can be printed and confirmed before anything changes — target names, verdicts,
//! conflicts, what will be closed or overwritten, and the exact ordered requests.

/// Java's regex engine as rename patterns use it (its own crate: the sandbox renames with it too).
pub use essnap_java_regex as java_regex;
pub mod rename;

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::json::{FromJson, ToJson};
use serde_json::{Map, Value};

use crate::api::indices::{IndexOptions, IndexStateChange};
use crate::api::snapshot::RestoreSnapshot;
use crate::compat::{self, Side, Verdict, VerdictKind};
use crate::dialect::Dialect;
use crate::error::InputError;
use crate::model::{CatIndex, SnapshotInfo, SnapshotState};
use crate::names::{validate_index_expression, validate_index_name};
use crate::request::Request;
use crate::version::Version;
pub use rename::{Rename, Renamer};

pub use crate::request::MAX_REQUEST_LINE;

/// An index as the cluster has it now.
#[derive(Clone, Debug, PartialEq, Eq, ToJson)]
pub struct ClusterIndex {
    pub name: String,
    pub open: bool,
    /// Primary shards, when known.
    pub primaries: Option<u32>,
}

impl From<&CatIndex> for ClusterIndex {
    fn from(c: &CatIndex) -> Self {
        ClusterIndex { name: c.index.trim().to_string(), open: c.is_open(), primaries: c.pri }
    }
}

/// What the planner reads from the cluster (see [`crate::machine::gather`]).
#[derive(Clone, Debug)]
pub struct RestoreInputs {
    pub cluster: Dialect,
    pub repository: String,
    pub snapshot: SnapshotInfo,
    pub indices: Vec<ClusterIndex>,
    /// Data streams that exist in the cluster.
    pub data_streams: Vec<String>,
}

/// What the user asked to restore, and how.
#[derive(Clone, Debug, Default, PartialEq, ToJson, FromJson)]
#[json(default)]
pub struct RestoreSelection {
    /// Index and data stream names or patterns (`-x` excludes); empty = the whole snapshot.
    pub indices: Vec<String>,
    pub rename: Option<Rename>,
    pub include_global_state: bool,
    /// Feature states to restore (`["none"]` for none); `None` = the server's default.
    pub feature_states: Option<Vec<String>>,
    pub include_aliases: Option<bool>,
    /// Restore indices whose shards are partly missing from a PARTIAL snapshot.
    pub partial: bool,
    /// Allow the plan to close open indices that the restore would overwrite.
    pub close_conflicting: bool,
    pub index_settings: Option<Map<String, Value>>,
    pub ignore_index_settings: Vec<String>,
    /// `index.version.created` of indices, when the caller read them from the source cluster:
    /// makes the verdicts exact.
    pub created_versions: crate::model::NameMap<Version>,
}

/// What happens to one index of the snapshot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ToJson)]
#[json(rename_all = "snake_case")]
pub enum ItemAction {
    /// No index of that name exists: the restore creates it.
    Create,
    /// An open index of that name exists: the plan closes it first, the restore overwrites it.
    CloseAndRestoreOver,
    /// A closed index of that name exists (same shard count): the restore overwrites it.
    RestoreOverClosed,
    /// The restore of this index can't go ahead (see the item's note).
    Blocked,
}

impl ItemAction {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemAction::Create => "create",
            ItemAction::CloseAndRestoreOver => "close, then restore over",
            ItemAction::RestoreOverClosed => "restore over closed index",
            ItemAction::Blocked => "blocked",
        }
    }
}

/// A change to the selection that would lift some of a plan's blockers, so that each host can
/// name its own switch for it (a CLI flag, a checkbox).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, ToJson)]
#[json(rename_all = "snake_case")]
pub enum Remedy {
    /// Let the plan close the open indices the restore overwrites.
    CloseConflicting,
    /// Restore under other names (a prefix or a rename pattern).
    Rename,
    /// Restore what there is of indices with failed shards.
    Partial,
}

#[derive(Clone, Debug, PartialEq, Eq, ToJson)]
pub struct PlanItem {
    pub source: String,
    pub target: String,
    /// The data stream this is a backing index of.
    pub data_stream: Option<String>,
    pub verdict: Verdict,
    pub action: ItemAction,
    /// Why an item is blocked, or what to know about it.
    pub note: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, ToJson)]
pub struct DataStreamItem {
    pub source: String,
    pub target: String,
    pub exists_in_cluster: bool,
}

/// A restore plan: nothing has been sent yet.
#[derive(Clone, Debug, PartialEq, ToJson)]
pub struct RestorePlan {
    pub repository: String,
    pub snapshot: String,
    pub snapshot_version: Option<Version>,
    pub cluster: Dialect,
    pub whole_snapshot: bool,
    /// The verdict for the snapshot as a whole.
    pub verdict: Verdict,
    pub items: Vec<PlanItem>,
    pub data_streams: Vec<DataStreamItem>,
    /// Open indices the plan closes before the restore, in order.
    pub to_close: Vec<String>,
    /// Cluster-wide state the restore replaces (global state, feature states).
    pub overwrites: Vec<String>,
    pub warnings: Vec<String>,
    /// Why the plan can't be executed; empty when it can.
    pub blockers: Vec<String>,
    /// Selection changes that would lift blockers (not necessarily all of them), in a fixed order.
    pub remedies: Vec<Remedy>,
    /// Primary shards the restore writes, when the snapshot reported every one (index_details).
    pub expected_shards: Option<u64>,
    /// The close requests, batched to fit the request-line limit.
    pub close_requests: Vec<Request>,
    pub restore_request: Request,
}

impl RestorePlan {
    pub fn is_blocked(&self) -> bool {
        !self.blockers.is_empty()
    }

    /// Every request the plan sends, in order (before progress polling).
    pub fn requests(&self) -> impl Iterator<Item = &Request> {
        self.close_requests.iter().chain(std::iter::once(&self.restore_request))
    }

    /// Names the restore writes to.
    pub fn targets(&self) -> Vec<&str> {
        self.items.iter().filter(|i| i.action != ItemAction::Blocked).map(|i| i.target.as_str()).collect()
    }

    /// A table a user can read before confirming.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "Restore {}:{} (taken by {}) into {} {}",
            self.repository,
            self.snapshot,
            self.snapshot_version.as_ref().map_or("an unknown version".to_string(), |v| v.to_string()),
            self.cluster.distribution,
            self.cluster.version.as_ref().map_or("(version unknown)".to_string(), |v| v.to_string())
        );
        let _ = writeln!(out, "Verdict: {} — {}", self.verdict.kind, self.verdict.reason);
        let w = [
            self.items.iter().map(|i| i.source.len()).max().unwrap_or(0).max(5),
            self.items.iter().map(|i| i.target.len()).max().unwrap_or(0).max(6),
            17,
        ];
        let _ = writeln!(out, "\n{:<a$}  {:<b$}  {:<c$}  ACTION", "INDEX", "TARGET", "VERDICT", a = w[0], b = w[1], c = w[2]);
        for i in &self.items {
            let _ = writeln!(
                out,
                "{:<a$}  {:<b$}  {:<c$}  {}{}",
                i.source,
                i.target,
                i.verdict.kind.as_str(),
                i.action.as_str(),
                i.note.as_ref().map(|n| format!(" ({n})")).unwrap_or_default(),
                a = w[0],
                b = w[1],
                c = w[2]
            );
        }
        for d in &self.data_streams {
            let _ = writeln!(out, "data stream {} -> {}{}", d.source, d.target, if d.exists_in_cluster { " (exists in the cluster)" } else { "" });
        }
        if !self.to_close.is_empty() {
            let _ = writeln!(out, "\nWill close {} open index(es) first: {}", self.to_close.len(), shorten(&self.to_close, 10));
        }
        for o in &self.overwrites {
            let _ = writeln!(out, "Will overwrite: {o}");
        }
        for w in &self.warnings {
            let _ = writeln!(out, "Warning: {w}");
        }
        for b in &self.blockers {
            let _ = writeln!(out, "BLOCKED: {b}");
        }
        let _ = writeln!(out, "\nRequests:");
        for r in self.requests() {
            let _ = writeln!(out, "  {} {}{}", r.method, shorten_path(&r.path), r.body.as_ref().map(|b| format!(" {}", String::from_utf8_lossy(b))).unwrap_or_default());
        }
        out
    }
}

fn shorten(names: &[String], n: usize) -> String {
    if names.len() <= n { names.join(", ") } else { format!("{}, … and {} more", names[..n].join(", "), names.len() - n) }
}

fn shorten_path(p: &str) -> String {
    if p.len() <= 160 { p.to_string() } else { format!("{}…{} ({} bytes)", &p[..100], &p[p.len() - 40..], p.len()) }
}

/// Builds the plan. Fails only on bad input (an invalid pattern); everything the cluster would
/// refuse becomes a blocker in the plan.
pub fn plan_restore(inputs: &RestoreInputs, sel: &RestoreSelection) -> Result<RestorePlan, InputError> {
    for e in &sel.indices {
        validate_index_expression(e)?;
    }
    let snap = &inputs.snapshot;
    let renamer = sel.rename.as_ref().map(Renamer::new).transpose()?;
    // A rename that can't be evaluated (a pattern that backtracks without end) is kept here and
    // returned once the names are computed.
    let rename_failure: std::cell::RefCell<Option<InputError>> = std::cell::RefCell::new(None);
    let rename = |n: &str| match renamer.as_ref().map(|r| r.apply(n)) {
        None => n.to_string(),
        Some(Ok(target)) => target,
        Some(Err(e)) => {
            rename_failure.borrow_mut().get_or_insert(e);
            n.to_string()
        }
    };
    let mut warnings = Vec::new();
    let mut blockers = Vec::new();
    let mut remedies = Vec::new();

    // The verdict for the snapshot as a whole.
    let snap_dist = snap.distribution().unwrap_or(inputs.cluster.distribution);
    let snap_side = snap.version().map(|v| Side::of_version(snap_dist, v));
    let cluster_side = inputs.cluster.version.clone().map(|v| Side { distribution: inputs.cluster.distribution, version: v });
    let verdict = match (&cluster_side, &snap_side) {
        (Some(c), Some(s)) => compat::check_snapshot(c, s),
        _ => Verdict {
            kind: VerdictKind::OkWithWarnings,
            reason: "the cluster's or the snapshot's version is unknown, so compatibility can't be checked before the restore".into(),
            rule: compat::rules::SNAPSHOT_NOT_NEWER,
            certain: false,
            warnings: Vec::new(),
        },
    };
    if verdict.kind == VerdictKind::Incompatible && verdict.certain {
        blockers.push(verdict.reason.clone());
    }
    match snap.state() {
        SnapshotState::Failed => blockers.push(format!("snapshot {} is FAILED: it holds no restorable data", snap.snapshot)),
        SnapshotState::InProgress => blockers.push(format!("snapshot {} is still running; wait for it to finish", snap.snapshot)),
        SnapshotState::Incompatible => blockers.push(format!("the cluster reports snapshot {} as INCOMPATIBLE with its version", snap.snapshot)),
        _ => {}
    }

    // Which snapshot indices and data streams the selection picks.
    let system = NameSet::of(snap.feature_states().iter().flat_map(|f| f.indices.iter().map(String::as_str)));
    let ds_names: Vec<String> = snap.data_streams().to_vec();
    let whole = sel.indices.is_empty();
    let picked_ds: Vec<String> = if whole {
        ds_names.clone()
    } else {
        rename::resolve_expressions(&sel.indices, &ds_names).into_iter().map(String::from).collect()
    };
    let backing_of = |idx: &str| -> Option<String> {
        ds_names.iter().find(|d| idx.starts_with(&format!(".ds-{d}-"))).cloned()
    };
    let mut picked: Vec<String> = if whole {
        snap.indices.iter().filter(|i| !system.contains(i.as_str())).cloned().collect()
    } else {
        rename::resolve_expressions(&sel.indices, &snap.indices).into_iter().map(String::from).collect()
    };
    for i in &snap.indices {
        if backing_of(i).is_some_and(|d| picked_ds.contains(&d)) && !picked.contains(i) {
            picked.push(i.clone());
        }
    }
    if !whole && picked.is_empty() {
        blockers.push(format!("nothing in snapshot {} matches {}", snap.snapshot, sel.indices.join(",")));
    }
    // A name that is no pattern and not in the snapshot: the server answers "no such index".
    // Removals (`-x`) too: only patterns may match nothing.
    let known = |n: &str| snap.indices.iter().chain(&ds_names).any(|i| i == n);
    for e in sel.indices.iter().filter(|e| *e != "_all" && !known(e)) {
        let name = e.strip_prefix(['-', '+']).unwrap_or(e);
        if !name.contains('*') && !known(name) {
            blockers.push(format!("{name} is not in snapshot {}", snap.snapshot));
        }
    }

    // Data streams: a restored one must not exist in the cluster.
    let existing_ds = NameSet::of(inputs.data_streams.iter().map(String::as_str));
    let data_streams: Vec<DataStreamItem> = picked_ds
        .iter()
        .map(|d| {
            let target = rename(d);
            DataStreamItem { exists_in_cluster: existing_ds.contains(target.as_str()), source: d.clone(), target }
        })
        .collect();
    for d in data_streams.iter().filter(|d| d.exists_in_cluster) {
        remedies.push(Remedy::Rename);
        blockers.push(format!(
            "data stream {} already exists in the cluster; restore it under another name (a rename pattern or prefix), or delete the data stream yourself first — essnap never deletes it",
            d.target
        ));
    }

    let mut by_name: Vec<&ClusterIndex> = inputs.indices.iter().collect();
    crate::sort::sort_by(&mut by_name, &|a, b| a.name.cmp(&b.name));
    let cluster_index = |name: &str| by_name.binary_search_by(|i| i.name.as_str().cmp(name)).ok().map(|k| by_name[k]);
    // Nor may it take the name of an index (the server refuses that only while applying the
    // restore: "data stream [x] conflicts with index", a 500).
    for d in data_streams.iter().filter(|d| cluster_index(&d.target).is_some()) {
        remedies.push(Remedy::Rename);
        blockers.push(format!("data stream {} would take the name of an existing index; restore it under another name", d.target));
    }

    // Each index: target, verdict, conflict.
    let failed = NameSet::of(snap.failed_indices());
    let mut items = Vec::new();
    let mut targets_seen: BTreeMap<String, String> = BTreeMap::new();
    let mut to_close = Vec::new();
    for src in &picked {
        // Only a backing index of a data stream that is restored follows it; one named on its own
        // is restored as a plain index under its full renamed name (RestoreService).
        let ds = backing_of(src).filter(|d| picked_ds.contains(d));
        let target = match (&ds, &renamer) {
            // A backing index is renamed after its `.ds-` prefix, as RestoreService does, so it
            // follows its renamed data stream.
            (Some(_), Some(_)) => format!(".ds-{}", rename(&src[".ds-".len()..])),
            _ => rename(src),
        };
        let created = sel.created_versions.get(src).map(|v| Side::of_version(snap_dist, v.clone()));
        let v = match (&cluster_side, &snap_side, &created) {
            (Some(c), Some(s), Some(_)) => compat::check_index(c, s, src, created.as_ref()),
            // Without a created version an index gets the snapshot's verdict (as check_index
            // would compute it), computed once rather than per index.
            (Some(_), Some(_), None) => Verdict { reason: format!("index {src}: {}", verdict.reason), ..verdict.clone() },
            _ => verdict.clone(),
        };
        let mut action = ItemAction::Create;
        let mut note = None;
        if let Err(e) = validate_index_name(&target) {
            action = ItemAction::Blocked;
            note = Some(format!("the renamed target is not a valid index name: {}", e.problem));
        } else if let Some(other) = targets_seen.insert(target.clone(), src.clone()) {
            action = ItemAction::Blocked;
            note = Some(format!("{other} and {src} would both be restored as {target}; change the rename"));
        } else if v.kind == VerdictKind::Incompatible && (v.certain || created.is_some()) {
            action = ItemAction::Blocked;
            note = Some(v.reason.clone());
        } else if ds.is_none() && existing_ds.contains(target.as_str()) {
            // The server refuses it only while applying the restore (duplicate names in the new
            // metadata, a 500), after any closes. Data streams are read when the snapshot has some.
            action = ItemAction::Blocked;
            remedies.push(Remedy::Rename);
            note = Some(format!("a data stream named {target} exists in the cluster; restore under another name"));
        } else if failed.contains(src.as_str()) && !sel.partial {
            action = ItemAction::Blocked;
            remedies.push(Remedy::Partial);
            note = Some("some of its shards failed in this PARTIAL snapshot; pass partial to restore what there is".into());
        } else if let Some(existing) = cluster_index(target.as_str()) {
            if ds.is_some() {
                action = ItemAction::Blocked;
                remedies.push(Remedy::Rename);
                note = Some(format!("backing index {target} exists in the cluster; rename the data stream"));
            } else if existing.open {
                if sel.close_conflicting {
                    action = ItemAction::CloseAndRestoreOver;
                    to_close.push(target.clone());
                } else {
                    action = ItemAction::Blocked;
                    remedies.extend([Remedy::CloseConflicting, Remedy::Rename]);
                    note = Some(format!("an open index named {target} exists; close it first (close-conflicting) or restore under another name"));
                }
            } else {
                action = ItemAction::RestoreOverClosed;
            }
            let snap_shards = snap.shard_count_of_member(src);
            if action != ItemAction::Blocked {
                match (snap_shards, existing.primaries) {
                    (Some(a), Some(b)) if a != b => {
                        action = ItemAction::Blocked;
                        remedies.push(Remedy::Rename);
                        note = Some(format!("existing {target} has {b} primary shards, the snapshot's index has {a}: restore under another name"));
                        to_close.retain(|t| t != &target);
                    }
                    (None, _) | (_, None) => {
                        note = Some("its shard count must match the existing index's; the snapshot did not report it".into());
                    }
                    _ => {}
                }
            }
        }
        if system.contains(src.as_str()) && note.is_none() {
            note = Some("system index: restored through its feature state".into());
        }
        if action == ItemAction::Blocked {
            blockers.push(format!("{src}: {}", note.clone().unwrap_or_default()));
        }
        for w in &v.warnings {
            warnings.push(w.clone());
        }
        items.push(PlanItem { source: src.clone(), target, data_stream: ds, verdict: v, action, note });
    }
    if let Some(e) = rename_failure.into_inner() {
        return Err(e);
    }
    if items.iter().any(|i| i.verdict.kind == VerdictKind::ReadOnlyArchive) {
        warnings.push("archive indices are read-only and need an Enterprise license on the cluster".into());
    }
    if !verdict.certain && verdict.kind != VerdictKind::Ok {
        warnings.push(verdict.reason.clone());
    }

    // Settings the server will not change or drop on restore (RestoreService's unmodifiable and
    // unremovable settings; real 1.3.20, 2.19.1, 7.17.29). It refuses them only after any closes.
    // Keys to change are read with an `index.` prefix; keys to drop exactly as given.
    const UNMODIFIABLE: [&str; 5] = ["index.number_of_shards", "index.version.created", "index.uuid", "index.creation_date", "index.history.uuid"];
    for k in sel.index_settings.iter().flat_map(|m| m.keys()) {
        let key = if k.starts_with("index.") { k.clone() } else { format!("index.{k}") };
        if UNMODIFIABLE.contains(&key.as_str()) {
            blockers.push(format!("index_settings: the server does not let a restore change {key}; leave it out"));
        }
    }
    for key in &sel.ignore_index_settings {
        if UNMODIFIABLE.contains(&key.as_str()) || key == "index.number_of_replicas" || key == "index.auto_expand_replicas" {
            blockers.push(format!("ignore_index_settings: the server does not let a restore drop {key}; set it with index_settings instead"));
        }
    }

    // Global state and feature states.
    let mut overwrites = Vec::new();
    if sel.include_global_state {
        overwrites.push("global state: persistent cluster settings, index templates, ingest pipelines, ILM and SLM policies and stored scripts are replaced by the snapshot's".into());
        if snap.include_global_state == Some(false) {
            warnings.push("the snapshot was taken without global state; include_global_state restores nothing".into());
        }
    }
    let features: Vec<String> = match &sel.feature_states {
        Some(f) if f.iter().any(|x| x == "none") => Vec::new(),
        Some(f) => f.clone(),
        None if sel.include_global_state => snap.feature_states().iter().map(|f| f.feature_name.clone()).collect(),
        None => Vec::new(),
    };
    for f in &features {
        match snap.feature_states().iter().find(|s| &s.feature_name == f) {
            Some(s) => overwrites.push(format!("feature state {f}: its system indices ({}) are deleted and replaced", s.indices.join(", "))),
            None => blockers.push(format!("feature state {f} is not in snapshot {}", snap.snapshot)),
        }
    }
    if !features.is_empty() && !inputs.cluster.supports_feature_states() {
        blockers.push(format!("{} does not support feature states", inputs.cluster.distribution));
    }

    // The requests: close batches, then the restore.
    let close_requests = close_batches(&to_close, &inputs.cluster)?;
    let (rename_pattern, rename_replacement) = sel.rename.as_ref().map(Rename::to_request).unzip();
    let restore_request = RestoreSnapshot {
        repository: inputs.repository.clone(),
        snapshot: snap.snapshot.clone(),
        wait_for_completion: Some(false),
        indices: sel.indices.clone(),
        include_global_state: Some(sel.include_global_state),
        partial: sel.partial.then_some(true),
        include_aliases: sel.include_aliases,
        rename_pattern,
        rename_replacement,
        index_settings: sel.index_settings.clone(),
        ignore_index_settings: sel.ignore_index_settings.clone(),
        feature_states: sel.feature_states.clone(),
        ..Default::default()
    }
    .build(&inputs.cluster)?;

    warnings.dedup();
    crate::sort::sort_dedup(&mut remedies);
    let expected_shards = items
        .iter()
        .filter(|i| i.action != ItemAction::Blocked)
        .map(|i| snap.shard_count_of_member(&i.source).map(u64::from))
        .sum::<Option<u64>>();
    Ok(RestorePlan {
        repository: inputs.repository.clone(),
        snapshot: snap.snapshot.clone(),
        snapshot_version: snap.version(),
        cluster: inputs.cluster.clone(),
        whole_snapshot: whole,
        verdict,
        items,
        data_streams,
        to_close,
        overwrites,
        warnings,
        blockers,
        remedies,
        expected_shards,
        close_requests,
        restore_request,
    })
}

/// Close (or open) requests for `names`, each request line within [`MAX_REQUEST_LINE`].
pub fn close_batches(names: &[String], d: &Dialect) -> Result<Vec<Request>, InputError> {
    state_batches(names, d, true)
}

/// Open requests for `names` (rollback), batched like [`close_batches`].
pub fn open_batches(names: &[String], d: &Dialect) -> Result<Vec<Request>, InputError> {
    state_batches(names, d, false)
}

fn state_batches(names: &[String], d: &Dialect, close: bool) -> Result<Vec<Request>, InputError> {
    let build = |batch: &[String]| -> Result<Request, InputError> {
        let c = IndexStateChange {
            indices: batch.to_vec(),
            // Explicit names only: never let a name act as a wildcard.
            options: IndexOptions { expand_wildcards: Some("none".into()), ..Default::default() },
            ..Default::default()
        };
        if close { c.close(d) } else { c.open(d) }
    };
    Ok(crate::request::line_batches(names, &build)?.into_iter().map(|(_, r)| r).collect())
}

/// Names in a sorted `Vec`, looked up by binary search: the plan's sets are built once and
/// read many times, and a `BTreeSet`'s node code would be one more instantiation in the wasm.
struct NameSet<'a>(Vec<&'a str>);

impl<'a> NameSet<'a> {
    fn of(items: impl IntoIterator<Item = &'a str>) -> Self {
        let mut v: Vec<&str> = items.into_iter().collect();
        crate::sort::sort_dedup(&mut v);
        NameSet(v)
    }

    fn contains(&self, name: &str) -> bool {
        self.0.binary_search(&name).is_ok()
    }
}
