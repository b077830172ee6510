//! Paging through a repository's snapshots with bounded memory: cursor paging (`size` + `after`)
//! on Elasticsearch 7.14+, and on older clusters and OpenSearch a names-only listing
//! (`verbose=false`) fetched once, then details a page of names at a time.

use std::collections::VecDeque;

use crate::json::ToJson;

use crate::api::decode;
use crate::api::snapshot::{GetSnapshots, Order, SnapshotSort};
use crate::dialect::Dialect;
use crate::error::{ApiError, InputError};
use crate::model::{GetSnapshotsResponse, SnapshotInfo};
use crate::names::validate_repository_name;
use crate::plan::MAX_REQUEST_LINE;
use crate::request::{Request, Response};

/// One page of snapshots.
#[derive(Clone, Debug, Default, PartialEq, ToJson)]
pub struct Page {
    pub snapshots: Vec<SnapshotInfo>,
    /// All snapshots that match, when the cluster says.
    pub total: Option<u64>,
    /// Snapshots after this page, when known.
    pub remaining: Option<u64>,
    /// Cursor for resuming after this page (cursor paging only).
    pub next: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Mode {
    Cursor { after: Option<String> },
    /// Names first (one request), then details by name.
    Names { names: Option<VecDeque<String>>, total: u64 },
}

/// A pager: call [`next_request`](Self::next_request), send it, pass the answer to
/// [`on_response`](Self::on_response), repeat until `next_request` returns `None`.
#[derive(Clone, Debug)]
pub struct SnapshotPager {
    repository: String,
    pattern: Vec<String>,
    page_size: u32,
    sort: SnapshotSort,
    order: Order,
    /// `false`: names, indices and state only (cheap).
    verbose: bool,
    dialect: Dialect,
    mode: Mode,
    done: bool,
}

impl SnapshotPager {
    pub fn new(
        repository: impl Into<String>,
        dialect: Dialect,
        page_size: u32,
        sort: SnapshotSort,
        order: Order,
        verbose: bool,
    ) -> Result<Self, InputError> {
        let repository = repository.into();
        validate_repository_name(&repository)?;
        if page_size == 0 || page_size > 10_000 {
            return Err(InputError::new("size", format!("page size {page_size} is out of range"), "use 1 to 10000"));
        }
        // Elasticsearch refuses `size`, `after` and any sort but the default with `verbose=false` ("can't use size
        // limit with verbose=false", real 7.17): a names-only listing is one request, sorted here.
        let mode = if dialect.supports_snapshot_paging() && verbose { Mode::Cursor { after: None } } else { Mode::Names { names: None, total: 0 } };
        Ok(SnapshotPager { repository, pattern: vec!["_all".into()], page_size, sort, order, verbose, dialect, mode, done: false })
    }

    /// Only snapshots matching these names or patterns.
    pub fn matching(mut self, patterns: Vec<String>) -> Self {
        if !patterns.is_empty() {
            self.pattern = patterns;
        }
        self
    }

    /// Resume cursor paging after a `next` cursor from an earlier page.
    pub fn resume_after(mut self, after: impl Into<String>) -> Self {
        if let Mode::Cursor { after: a } = &mut self.mode {
            *a = Some(after.into());
        }
        self
    }

    pub fn is_done(&self) -> bool {
        self.done
    }

    pub fn next_request(&self) -> Option<Result<Request, InputError>> {
        if self.done {
            return None;
        }
        Some(match &self.mode {
            Mode::Cursor { after } => GetSnapshots {
                size: Some(self.page_size),
                after: after.clone(),
                sort: Some(self.sort),
                order: Some(self.order),
                verbose: (!self.verbose).then_some(false),
                ..GetSnapshots::new(self.repository.clone(), self.pattern.clone())
            }
            .build(&self.dialect),
            Mode::Names { names: None, .. } => {
                GetSnapshots { verbose: Some(false), ..GetSnapshots::new(self.repository.clone(), self.pattern.clone()) }.build(&self.dialect)
            }
            Mode::Names { names: Some(q), .. } => {
                GetSnapshots { ignore_unavailable: Some(true), ..GetSnapshots::new(self.repository.clone(), self.batch(q)) }
                    .build(&self.dialect)
            }
        })
    }

    /// The next names to fetch details for: a page, within the request-line limit.
    fn batch(&self, q: &VecDeque<String>) -> Vec<String> {
        let mut batch = Vec::new();
        let mut len = 0;
        for n in q.iter().take(self.page_size as usize) {
            if len + n.len() + 1 > MAX_REQUEST_LINE - 512 && !batch.is_empty() {
                break;
            }
            len += n.len() + 1;
            batch.push(n.clone());
        }
        batch
    }

    /// Decodes one answer into a page (possibly empty while names are being fetched).
    pub fn on_response(&mut self, resp: &Response) -> Result<Page, ApiError> {
        let r: GetSnapshotsResponse = decode("snapshot.get", resp)?;
        if let Some(e) = r.repository_failure(&self.repository) {
            self.done = true;
            return Err(e);
        }
        let verbose = self.verbose;
        let asked = match &self.mode {
            Mode::Names { names: Some(q), .. } => self.batch(q),
            _ => Vec::new(),
        };
        let (sort, order) = (self.sort, self.order);
        match &mut self.mode {
            Mode::Cursor { after } => {
                *after = r.next.clone();
                self.done = r.next.is_none();
                let snapshots: Vec<SnapshotInfo> = r.all().cloned().collect();
                Ok(Page { snapshots, total: r.total, remaining: r.remaining, next: r.next })
            }
            Mode::Names { names: names @ None, total } => {
                let mut all: Vec<SnapshotInfo> = r.all().cloned().collect();
                sort_snapshots(&mut all, sort, order);
                *total = all.len() as u64;
                if !verbose {
                    // Names-only was asked: this one answer holds every page.
                    self.done = true;
                    return Ok(Page { total: Some(*total), remaining: Some(0), snapshots: all, next: None });
                }
                let q: VecDeque<String> = all.into_iter().map(|s| s.snapshot).collect();
                self.done = q.is_empty();
                *names = Some(q);
                Ok(Page { total: Some(*total), remaining: Some(*total), ..Default::default() })
            }
            Mode::Names { names: Some(q), total } => {
                let mut got: Vec<SnapshotInfo> = r.all().cloned().collect();
                // Keep the order of the names listing (the server sorts its own way).
                let rank = |s: &SnapshotInfo| asked.iter().position(|n| *n == s.snapshot).unwrap_or(usize::MAX);
                crate::sort::sort_by(&mut got, &|a, b| rank(a).cmp(&rank(b)));
                q.drain(..asked.len());
                self.done = q.is_empty();
                Ok(Page { snapshots: got, total: Some(*total), remaining: Some(q.len() as u64), next: None })
            }
        }
    }
}

/// Client-side order for clusters that can't sort (names-only listings have no times).
fn sort_snapshots(v: &mut Vec<SnapshotInfo>, sort: SnapshotSort, order: Order) {
    use crate::sort::sort_by;
    match sort {
        SnapshotSort::StartTime => sort_by(v, &|a, b| a.start_time_in_millis.cmp(&b.start_time_in_millis).then_with(|| a.snapshot.cmp(&b.snapshot))),
        SnapshotSort::IndexCount => sort_by(v, &|a, b| a.indices.len().cmp(&b.indices.len())),
        _ => sort_by(v, &|a, b| a.snapshot.cmp(&b.snapshot)),
    }
    if order == Order::Desc {
        v.reverse();
    }
}
