//! One progress figure (bytes, then files, then shards) plus per-index detail, computed from
//! `_recovery` for restores and from `_status` for snapshots.

use crate::json::ToJson;

use crate::model::{Recoveries, SnapshotStatus};

#[derive(Clone, Debug, Default, PartialEq, ToJson)]
pub struct Progress {
    /// `restore` or `snapshot`.
    pub operation: &'static str,
    /// 0.0 to 100.0.
    pub percent: f64,
    pub bytes_done: u64,
    pub bytes_total: u64,
    pub files_done: u64,
    pub files_total: u64,
    pub shards_done: u64,
    pub shards_total: u64,
    pub indices: Vec<IndexProgress>,
}

#[derive(Clone, Debug, Default, PartialEq, ToJson)]
pub struct IndexProgress {
    pub name: String,
    pub percent: f64,
    pub shards_done: u64,
    pub shards_total: u64,
}

fn pct(done: u64, total: u64) -> Option<f64> {
    (total > 0).then(|| (done.min(total) as f64 * 100.0 / total as f64).clamp(0.0, 100.0))
}

impl Progress {
    fn finish(mut self) -> Self {
        self.percent = pct(self.bytes_done, self.bytes_total)
            .or_else(|| pct(self.files_done, self.files_total))
            .or_else(|| pct(self.shards_done, self.shards_total))
            .unwrap_or(0.0);
        // Never claim 100% while a shard is still working (bytes can be complete before the
        // shard is started).
        if self.shards_done < self.shards_total {
            self.percent = self.percent.min(99.9);
        }
        self
    }

    pub fn is_complete(&self) -> bool {
        self.shards_total > 0 && self.shards_done >= self.shards_total
    }
}

/// Progress of a restore of `repository:snapshot` into `targets`. `expected_shards` (from the
/// snapshot) keeps the figure honest before every shard has started.
pub fn restore_progress(
    recoveries: &Recoveries,
    repository: &str,
    snapshot: &str,
    targets: &[String],
    expected_shards: Option<u64>,
) -> Progress {
    let mut p = Progress { operation: "restore", ..Default::default() };
    for t in targets {
        let mut ip = IndexProgress { name: t.clone(), ..Default::default() };
        let (mut b_done, mut b_total) = (0, 0);
        if let Some(rec) = recoveries.get(t) {
            for s in rec.shards.iter().filter(|s| s.restores_from(repository, snapshot)) {
                ip.shards_total += 1;
                let size = &s.index.size;
                b_total += size.total_in_bytes;
                b_done += size.recovered_in_bytes + size.reused_in_bytes;
                p.files_total += s.index.files.total;
                p.files_done += s.index.files.recovered + s.index.files.reused;
                if s.is_done() {
                    ip.shards_done += 1;
                }
            }
        }
        ip.percent = pct(b_done, b_total).or_else(|| pct(ip.shards_done, ip.shards_total)).unwrap_or(0.0);
        if ip.shards_done == ip.shards_total && ip.shards_total > 0 {
            ip.percent = 100.0;
        }
        p.bytes_done += b_done;
        p.bytes_total += b_total;
        p.shards_done += ip.shards_done;
        p.shards_total += ip.shards_total;
        p.indices.push(ip);
    }
    if let Some(e) = expected_shards {
        p.shards_total = p.shards_total.max(e);
    }
    // An index with no recovery yet has not started: it holds the total back.
    if p.indices.iter().any(|i| i.shards_total == 0) {
        p.shards_total = p.shards_total.max(p.shards_done + 1);
    }
    p.finish()
}

/// Progress of a running (or finished) snapshot.
pub fn snapshot_progress(s: &SnapshotStatus) -> Progress {
    let (bytes_done, bytes_total) = s.stats.bytes();
    let (files_done, files_total) = s.stats.files();
    let finished = s.state().is_finished();
    let mut p = Progress {
        operation: "snapshot",
        bytes_done: if finished { bytes_total } else { bytes_done },
        bytes_total,
        files_done: if finished { files_total } else { files_done },
        files_total,
        shards_done: s.shards_stats.done + s.shards_stats.failed,
        shards_total: s.shards_stats.total,
        ..Default::default()
    };
    for (name, i) in &s.indices {
        let (d, t) = i.stats.bytes();
        let sd = i.shards_stats.done + i.shards_stats.failed;
        p.indices.push(IndexProgress {
            name: name.clone(),
            percent: if sd == i.shards_stats.total && sd > 0 { 100.0 } else { pct(d, t).unwrap_or(0.0) },
            shards_done: sd,
            shards_total: i.shards_stats.total,
        });
    }
    let mut p = p.finish();
    if finished {
        p.percent = 100.0;
    }
    p
}
