//! Version compatibility: can this cluster restore that snapshot, and each index in it?
//!
//! Get-snapshot reports only the snapshot's version, not the version that created each index.
//! Verdicts drawn from the snapshot's version are certain where the rules make them certain
//! (everything in a 5.x snapshot is too old for 7.x); otherwise the verdict warns about what
//! might be older and how to check (`index.version.created` on the source cluster). When the
//! caller supplies created versions, the verdict for each index is exact.

pub mod rules;

use std::fmt;

use crate::json::{FromJson, ToJson};

use crate::dialect::Distribution::{self, Elasticsearch as Es, Opensearch as Os};
use crate::error::{ApiError, ErrorCode};
use crate::version::Version;
pub use rules::Rule;

/// A version of a given product: the cluster, the snapshot, or an index's creator.
#[derive(Clone, Debug, PartialEq, Eq, ToJson, FromJson)]
pub struct Side {
    pub distribution: Distribution,
    pub version: Version,
}

impl Side {
    pub fn es(v: &str) -> Self {
        Side { distribution: Es, version: Version::parse(v).expect("a valid version literal") }
    }
    pub fn os(v: &str) -> Self {
        Side { distribution: Os, version: Version::parse(v).expect("a valid version literal") }
    }
    fn at(distribution: Distribution, major: u32, minor: u32, patch: u32) -> Self {
        Side { distribution, version: Version::new(major, minor, patch) }
    }
    fn r(&self) -> (u32, u32, u32) {
        self.version.release()
    }
    /// The side an index-created or snapshot version belongs to: OpenSearch ids say so themselves.
    pub fn of_version(default: Distribution, version: Version) -> Self {
        let distribution = match version.source {
            crate::version::VersionSource::OpenSearchId(_) => Os,
            crate::version::VersionSource::IndexVersion(_) | crate::version::VersionSource::LegacyId(_) => Es,
            crate::version::VersionSource::Release => default,
        };
        Side { distribution, version }
    }
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.distribution, self.version)
    }
}

/// How a restore of a snapshot or index would go.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, ToJson, FromJson, PartialOrd, Ord)]
#[json(rename_all = "snake_case")]
pub enum VerdictKind {
    Ok,
    OkWithWarnings,
    ReadOnlyArchive,
    Incompatible,
}

impl VerdictKind {
    pub fn as_str(self) -> &'static str {
        match self {
            VerdictKind::Ok => "ok",
            VerdictKind::OkWithWarnings => "ok_with_warnings",
            VerdictKind::ReadOnlyArchive => "read_only_archive",
            VerdictKind::Incompatible => "incompatible",
        }
    }
}

impl fmt::Display for VerdictKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A verdict with a reason a user understands and the rule it comes from.
#[derive(Clone, Debug, PartialEq, Eq, ToJson)]
pub struct Verdict {
    pub kind: VerdictKind,
    /// One sentence: what happens and what to do.
    pub reason: String,
    pub rule: Rule,
    /// False when the verdict depends on index versions the snapshot does not report.
    pub certain: bool,
    pub warnings: Vec<String>,
}

impl Verdict {
    fn new(kind: VerdictKind, rule: Rule, reason: String) -> Self {
        Verdict { kind, reason, rule, certain: true, warnings: Vec::new() }
    }
    pub fn is_restorable(&self) -> bool {
        self.kind != VerdictKind::Incompatible
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cell {
    Ok,
    Archive,
    No(Rule),
}

/// Can a cluster of version `c` restore an index created by `i`? (The tables' cells.)
fn cell(c: &Side, i: &Side) -> Cell {
    match (c.distribution, i.distribution) {
        (Es, Os) => Cell::No(rules::ES_CANT_READ_OPENSEARCH),
        (Es, Es) => es_cell(c.r(), i.r()),
        (Os, Es) => {
            if i.r() > (7, 10, 2) {
                return Cell::No(rules::OS_READS_ES_UP_TO_7_10_2);
            }
            let min_es_major = match c.r().0 {
                0 | 1 => 6,
                2 => 7,
                _ => return Cell::No(rules::OS_MIN_INDEX_COMPAT),
            };
            if i.r().0 >= min_es_major { Cell::Ok } else { Cell::No(rules::OS_MIN_INDEX_COMPAT) }
        }
        (Os, Os) => {
            if i.r() > c.r() {
                return Cell::No(rules::INDEX_NOT_NEWER);
            }
            if c.r().0 <= 2 || i.r().0 + 1 >= c.r().0 { Cell::Ok } else { Cell::No(rules::OS_MIN_INDEX_COMPAT) }
        }
    }
}

fn es_cell(c: (u32, u32, u32), i: (u32, u32, u32)) -> Cell {
    if i > c {
        return Cell::No(rules::INDEX_NOT_NEWER);
    }
    let (cm, cn, _) = c;
    if cm == 7 && cn <= 1 && i.0 == 6 && i.1 >= 8 {
        return Cell::No(rules::ES_6_8_INTO_7_0);
    }
    // Same major or the one before; 5.x read 2.x (there were no 3.x or 4.x).
    if i.0 + 1 >= cm || (cm == 5 && i.0 == 2) {
        return Cell::Ok;
    }
    let archive_capable = cm >= 9 || (cm == 8 && cn >= 3);
    if archive_capable && i.0 >= 5 { Cell::Archive } else { Cell::No(rules::ES_INDEX_TABLE) }
}

/// What a cluster can restore, in words.
fn readable_range(c: &Side) -> String {
    let (cm, cn, _) = c.r();
    match c.distribution {
        Os => match cm {
            0 | 1 => "indices created by Elasticsearch 6.0–7.10.2 or OpenSearch 1.x".into(),
            2 => "indices created by Elasticsearch 7.0–7.10.2 or OpenSearch".into(),
            m => format!("indices created by OpenSearch {}.0 or later", m - 1),
        },
        Es => match (cm, cn) {
            (7, 0 | 1) => "indices created by 6.0–6.7 or 7.0 or later".into(),
            (8, 3..) => "indices created by 7.0 or later (5.0–6.8 only as read-only archive indices)".into(),
            (m, _) if m >= 9 => format!("indices created by {}.0 or later (5.0–{}.x only as read-only archive indices)", m - 1, m - 2),
            (m, _) => format!("indices created by {}.0 or later", m.saturating_sub(1)),
        },
    }
}

/// Where an index too old for this cluster can be restored and reindexed.
fn bridge_for(i: &Side) -> String {
    match (i.distribution, i.r().0) {
        (Es, 2) => "a 5.6 cluster".into(),
        (Es, 5) => "a 6.8 cluster".into(),
        (Es, 6) => "a 7.17 cluster (or OpenSearch 1.3)".into(),
        (Es, 7) => "an 8.19 cluster (or OpenSearch 2.x for 7.0–7.10.2)".into(),
        (Es, m) => format!("a {}.x cluster", m + 1),
        (Os, m) => format!("an OpenSearch {}.x cluster", m + 1),
    }
}

/// The rule that decides which indices a cluster reads: OpenSearch's own minimum index version,
/// or Elasticsearch's index compatibility table.
fn index_rule(c: &Side) -> Rule {
    if c.distribution == Os { rules::OS_MIN_INDEX_COMPAT } else { rules::ES_INDEX_TABLE }
}

fn cell_verdict(c: &Side, i: &Side, what: &str) -> Verdict {
    cell_verdict_as(c, i, what, &i.to_string())
}

/// `created` says who created the data (`Elasticsearch 6.8.23`, or `... or earlier`).
fn cell_verdict_as(c: &Side, i: &Side, what: &str, created: &str) -> Verdict {
    match cell(c, i) {
        Cell::Ok => Verdict::new(VerdictKind::Ok, index_rule(c), format!("{what} (created by {created}) can be restored into this {c} cluster")),
        Cell::Archive => Verdict::new(
            VerdictKind::ReadOnlyArchive,
            rules::ES_ARCHIVE,
            format!("{what} was created by {created}; this {c} cluster can restore it only as a read-only archive index, which needs an Enterprise license; to keep it writable, restore it into {}, reindex, and snapshot again", bridge_for(i)),
        ),
        Cell::No(rule) if rule == rules::INDEX_NOT_NEWER => Verdict::new(
            VerdictKind::Incompatible,
            rule,
            format!("{what} was created by {created}, newer than this {c} cluster; upgrade the cluster to {} or later", i.version),
        ),
        Cell::No(rule) if rule == rules::ES_CANT_READ_OPENSEARCH => Verdict::new(
            VerdictKind::Incompatible,
            rule,
            format!("{what} was created by {created}; Elasticsearch cannot read OpenSearch data; restore it into an OpenSearch cluster instead"),
        ),
        Cell::No(rule) if rule == rules::OS_READS_ES_UP_TO_7_10_2 => Verdict::new(
            VerdictKind::Incompatible,
            rule,
            format!("{what} was created by {created}; OpenSearch reads Elasticsearch data only up to 7.10.2; move it with reindex-from-remote or Logstash instead"),
        ),
        Cell::No(rule) => Verdict::new(
            VerdictKind::Incompatible,
            rule,
            format!("{what} was created by {created}; this {c} cluster can only restore {}; restore it into {}, reindex, and snapshot again", readable_range(c), bridge_for(i)),
        ),
    }
}

/// Versions worth trying as an index's creator, from the oldest the snapshot's cluster could hold
/// up to the snapshot's own version: the boundaries of every rule.
fn candidates(s: &Side) -> Vec<Side> {
    const ES_POINTS: &[(u32, u32, u32)] = &[
        (2, 0, 0), (5, 0, 0), (5, 6, 99), (6, 0, 0), (6, 7, 99), (6, 8, 0), (6, 8, 99), (7, 0, 0), (7, 1, 99), (7, 2, 0),
        (7, 10, 2), (7, 17, 99), (8, 0, 0), (8, 2, 99), (8, 3, 0), (8, 19, 99), (9, 0, 0), (9, 99, 99), (10, 0, 0),
    ];
    const OS_POINTS: &[(u32, u32, u32)] = &[(1, 0, 0), (1, 3, 99), (2, 0, 0), (2, 99, 99), (3, 0, 0), (3, 99, 99), (4, 0, 0)];
    let (sm, ..) = s.r();
    let es_range = |lo: (u32, u32, u32), hi: (u32, u32, u32)| {
        let mut v: Vec<Side> = ES_POINTS.iter().filter(|p| **p >= lo && **p <= hi).map(|p| Side::at(Es, p.0, p.1, p.2)).collect();
        v.push(Side::at(Es, lo.0, lo.1, lo.2));
        v.push(Side::at(Es, hi.0, hi.1, hi.2));
        v
    };
    match s.distribution {
        Es => {
            let lo = match sm {
                0..=5 => (2, 0, 0),
                6 => (5, 0, 0),
                m => (m - 1, 0, 0),
            };
            es_range(lo, s.r())
        }
        Os => {
            let mut v: Vec<Side> =
                OS_POINTS.iter().filter(|p| **p <= s.r() && p.0 + 1 >= sm).map(|p| Side::at(Os, p.0, p.1, p.2)).collect();
            v.push(s.clone());
            match sm {
                0 | 1 => v.extend(es_range((6, 0, 0), (7, 10, 2))),
                2 => v.extend(es_range((7, 0, 0), (7, 10, 2))),
                _ => {}
            }
            v
        }
    }
}

/// The verdict for a whole snapshot taken by `snapshot`, restored into `cluster`.
pub fn check_snapshot(cluster: &Side, snapshot: &Side) -> Verdict {
    let c = cluster;
    let s = snapshot;
    let what = format!("a snapshot taken by {s}");
    // Rule 1: the snapshot itself, as its own table says (tables 3 and 1 agree for 8.0-8.2).
    if c.distribution == Es && s.distribution == Os {
        return cell_verdict(c, s, &what);
    }
    if c.distribution == Os && s.distribution == Es && s.r() > (7, 10, 2) {
        return cell_verdict(c, s, &what);
    }
    let newer = c.distribution == s.distribution && s.r() > c.r();
    // An index version (8.11+) bounds the release from below: same major, and the cluster may be older.
    if !newer && s.version.is_lower_bound() && s.r().0 == c.r().0 {
        let mut v = Verdict::new(
            VerdictKind::OkWithWarnings,
            rules::INDEX_VERSION_LOWER_BOUND,
            format!("{what} reports only an index version ({} or later); if it was taken by a newer release than this {c} cluster, the cluster will refuse it; check the version of the cluster that took it", short_release(&s.version)),
        );
        v.certain = false;
        return v;
    }
    if newer {
        return Verdict::new(
            VerdictKind::Incompatible,
            rules::SNAPSHOT_NOT_NEWER,
            format!("{what} can't be restored into this older {c} cluster; upgrade the cluster to {} or later, or restore into another cluster", s.version),
        );
    }
    if c.distribution == s.distribution
        && let Cell::No(_) = cell(c, s) {
            return cell_verdict(c, s, &what);
        }
    // Rule 2: the indices inside, whose created versions lie between the oldest the source could
    // hold and the snapshot's own version.
    let cands = candidates(s);
    let cells: Vec<(Side, Cell)> = cands.into_iter().map(|i| (i.clone(), cell(c, &i))).collect();
    let all = |f: &dyn Fn(&Cell) -> bool| cells.iter().all(|(_, x)| f(x));
    if all(&|x| *x == Cell::Ok) {
        let mut v = Verdict::new(VerdictKind::Ok, index_rule(c), format!("{what} can be restored into this {c} cluster"));
        // 8.3+ clusters can hold archive indices from 5.x-6.x; a cluster that can't mount them
        // would refuse those.
        if c.distribution == Es && s.r() >= (8, 3, 0) && cell(c, &Side::at(Es, 6, 8, 0)) != Cell::Archive {
            v.warnings.push(format!("the {s} cluster that took this snapshot may have held archive indices from 5.x–6.x, which this cluster can't read; if so, check their index.version.created"));
        }
        return v;
    }
    if all(&|x| *x == Cell::Archive) {
        return Verdict::new(
            VerdictKind::ReadOnlyArchive,
            rules::ES_ARCHIVE,
            format!("every index in {what} is too old to be writable in this {c} cluster: they can be restored only as read-only archive indices (Enterprise license); to keep them writable, restore into {}, reindex, and snapshot again", bridge_for(s)),
        );
    }
    if all(&|x| matches!(x, Cell::No(_))) {
        let mut v = cell_verdict_as(c, s, &format!("every index in {what}"), &format!("{s} or earlier"));
        if let Some((_, Cell::No(rule))) = cells.iter().find(|(i, _)| i.r() == s.r()) {
            v.rule = *rule;
        }
        return v;
    }
    // Mixed: name the newest version that is not fully restorable.
    let (worst, worst_cell) = cells
        .iter()
        .filter(|(_, x)| *x != Cell::Ok)
        .max_by(|a, b| a.0.version.cmp(&b.0.version))
        .map(|(i, x)| (i.clone(), *x))
        .expect("mixed cells have a non-ok one");
    let consequence = match worst_cell {
        Cell::Archive => "can be restored only as a read-only archive index (Enterprise license)",
        _ => "can't be restored",
    };
    let mut v = Verdict::new(
        VerdictKind::OkWithWarnings,
        match worst_cell {
            Cell::No(rule) => rule,
            _ => rules::ES_ARCHIVE,
        },
        format!(
            "{what} can be restored into this {c} cluster, but any index in it created by {} or earlier {consequence}; check index.version.created on the source cluster, or pass the created versions for an exact verdict",
            short(&worst)
        ),
    );
    v.certain = false;
    v
}

fn short_release(v: &Version) -> String {
    let (m, n, p) = v.release();
    format!("{m}.{n}.{p}")
}

fn short(s: &Side) -> String {
    let (m, n, p) = s.r();
    let v = if p >= 99 { format!("{m}.{n}.x") } else if n >= 99 { format!("{m}.x") } else { format!("{m}.{n}.{p}") };
    format!("{} {v}", s.distribution)
}

/// The verdict for one index of a snapshot. With `created`, exact; without, the snapshot's.
pub fn check_index(cluster: &Side, snapshot: &Side, index: &str, created: Option<&Side>) -> Verdict {
    let Some(created) = created else {
        let mut v = check_snapshot(cluster, snapshot);
        v.reason = format!("index {index}: {}", v.reason);
        return v;
    };
    let mut v = if created.distribution == snapshot.distribution && created.r() > snapshot.r() {
        // Taken mid-upgrade: the snapshot reports the oldest node's version.
        let mut v = cell_verdict(cluster, created, &format!("index {index}"));
        v.warnings.push(format!(
            "index {index} was created by {created}, newer than the {snapshot} the snapshot reports: the snapshot was probably taken during a rolling upgrade (rule {})",
            rules::ROLLING_UPGRADE.id
        ));
        v
    } else {
        let snap = check_snapshot(cluster, snapshot);
        if snap.kind == VerdictKind::Incompatible && snap.certain {
            return Verdict { reason: format!("index {index}: {}", snap.reason), ..snap };
        }
        cell_verdict(cluster, created, &format!("index {index}"))
    };
    if v.kind == VerdictKind::Ok && !v.warnings.is_empty() {
        v.kind = VerdictKind::OkWithWarnings;
    }
    v
}

/// The rule behind a server's refusal, so that a refused restore is explained like a verdict.
pub fn rule_for_error(err: &ApiError) -> Option<Rule> {
    if err.code != ErrorCode::RestoreIncompatibleVersion {
        return None;
    }
    let m = err.message.to_ascii_lowercase();
    Some(if m.contains("higher than the version of this node") {
        rules::SNAPSHOT_NOT_NEWER
    } else if m.contains("opensearch") {
        rules::OS_MIN_INDEX_COMPAT
    } else {
        rules::ES_INDEX_TABLE
    })
}
