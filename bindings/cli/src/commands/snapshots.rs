//! `essnap snapshots REPO`

use clap::ValueEnum;

use crate::host::ops;
use crate::{Ctx, Outcome, output, usage};

#[derive(Clone, Copy, PartialEq, ValueEnum)]
pub enum Sort {
    StartTime,
    Name,
    Duration,
    IndexCount,
}

const DEFAULT_LIMIT: u32 = 50;

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
    #[arg(long, default_value_t = DEFAULT_LIMIT)]
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
        after: a.after.clone(),
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
        let tail = [("total", serde_json::json!(page.total)), ("remaining", serde_json::json!(page.remaining)), ("next", serde_json::json!(page.next))];
        output::json_list("snapshots", page.snapshots.iter().map(|s| s.json.as_str()), &tail);
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
        println!("next page: {}", next_page_command(&a, &n));
    }
    Ok(0)
}

/// The command for the page after this one. A cursor only means something with the sort, order
/// and patterns it was made under, so those (and the page size) are repeated with it.
fn next_page_command(a: &Args, cursor: &str) -> String {
    let mut words = vec!["essnap".to_string(), "snapshots".into(), shell_word(&a.repository)];
    if a.sort != Sort::StartTime {
        let sort = a.sort.to_possible_value().map(|v| v.get_name().to_string()).unwrap_or_default();
        words.extend(["--sort".into(), sort]);
    }
    if a.desc {
        words.push("--desc".into());
    }
    if a.limit != DEFAULT_LIMIT {
        words.extend(["--limit".into(), a.limit.to_string()]);
    }
    for p in &a.pattern {
        words.extend(["--pattern".into(), shell_word(p)]);
    }
    words.extend(["--after".into(), shell_word(cursor)]);
    words.join(" ")
}

/// `w` as one POSIX shell word: as it is when it is plain, single-quoted otherwise.
fn shell_word(w: &str) -> String {
    let plain = !w.is_empty() && w.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.,:/=@%+".contains(&b));
    if plain { w.to_string() } else { format!("'{}'", w.replace('\'', "'\\''")) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: Args,
    }

    fn hint(argv: &[&str]) -> String {
        let cli = Cli::try_parse_from(std::iter::once("snapshots").chain(argv.iter().copied())).unwrap();
        next_page_command(&cli.args, "Y3Vyc29y")
    }

    #[test]
    fn the_next_page_command_keeps_what_shapes_the_page() {
        assert_eq!(hint(&["backups"]), "essnap snapshots backups --after Y3Vyc29y");
        assert_eq!(
            hint(&["backups", "--sort", "index-count", "--desc", "--limit", "2", "--pattern", "nightly-*", "--after", "old"]),
            "essnap snapshots backups --sort index-count --desc --limit 2 --pattern 'nightly-*' --after Y3Vyc29y"
        );
        assert_eq!(hint(&["backups", "--pattern", "it's"]), "essnap snapshots backups --pattern 'it'\\''s' --after Y3Vyc29y");
    }
}
