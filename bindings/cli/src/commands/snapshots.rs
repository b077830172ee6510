//! `essnap snapshots REPO`

use clap::ValueEnum;

use crate::host::ops;
use crate::{Ctx, Outcome, output, usage};

#[derive(Clone, Copy, ValueEnum)]
pub enum Sort {
    StartTime,
    Name,
    Duration,
    IndexCount,
}

/// List a repository's snapshots, one page at a time.
#[derive(clap::Args)]
#[command(after_help = "Examples:\n  essnap snapshots backups\n  essnap snapshots backups --sort start-time --desc --limit 10\n  essnap snapshots backups --after <cursor printed by the previous page>\n  essnap snapshots backups --pattern 'nightly-*' --json")]
pub struct Args {
    pub repository: String,
    /// Sort by.
    #[arg(long, value_enum, default_value = "start-time")]
    pub sort: Sort,
    /// Newest (largest) first.
    #[arg(long)]
    pub desc: bool,
    /// Snapshots per page (1 to 10000).
    #[arg(long, default_value_t = 50)]
    pub limit: u32,
    /// Continue after this cursor (printed at the end of a page).
    #[arg(long)]
    pub after: Option<String>,
    /// Only snapshots matching these names or patterns (comma-separated or repeated).
    #[arg(long)]
    pub pattern: Vec<String>,
}

pub fn run(ctx: &mut Ctx, a: Args) -> Outcome {
    if a.limit == 0 || a.limit > 10_000 {
        return Err(usage(format!("--limit {} is out of range", a.limit), "use 1 to 10000"));
    }
    ctx.connect()?;
    let q = ops::SnapshotQuery {
        patterns: super::list(&a.pattern),
        size: a.limit,
        after: a.after,
        sort: match a.sort {
            Sort::StartTime => ops::SnapshotSort::StartTime,
            Sort::Name => ops::SnapshotSort::Name,
            Sort::Duration => ops::SnapshotSort::Duration,
            Sort::IndexCount => ops::SnapshotSort::IndexCount,
        },
        descending: a.desc,
    };
    let r = ctx.guest.client.essnap_snapshots_operations().call_list_snapshots(&mut ctx.guest.store, &a.repository, &q);
    let page = ctx.call(r)?;
    if ctx.json {
        let snaps: Vec<serde_json::Value> = page.snapshots.iter().map(|s| serde_json::from_str(&s.json).unwrap_or_default()).collect();
        output::json(&serde_json::json!({ "snapshots": snaps, "total": page.total, "remaining": page.remaining, "next": page.next }));
        return Ok(0);
    }
    let rows: Vec<Vec<String>> = page
        .snapshots
        .iter()
        .map(|s| {
            vec![
                s.name.clone(),
                super::state(s.state).to_string(),
                super::version(&s.version),
                output::time(s.start_time_ms),
                output::duration(s.duration_ms),
                s.indices.len().to_string(),
            ]
        })
        .collect();
    print!("{}", output::table(&["SNAPSHOT", "STATE", "VERSION", "START", "DURATION", "INDICES"], &rows));
    let shown = page.snapshots.len();
    match (page.total, page.remaining) {
        (Some(t), Some(r)) => println!("{shown} shown, {t} in all, {r} after this page"),
        (Some(t), None) => println!("{shown} shown, {t} in all"),
        _ => println!("{shown} shown"),
    }
    if let Some(n) = page.next {
        println!("next page: essnap snapshots {} --after {n}", a.repository);
    }
    Ok(0)
}
