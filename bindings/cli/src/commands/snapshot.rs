//! `essnap snapshot create|status|delete`

use clap::Subcommand;

use crate::host::{ops, types};
use crate::{Ctx, Outcome, output, usage};

#[derive(Subcommand)]
pub enum Cmd {
    /// Take a snapshot (with --wait: watch it finish, with a progress bar).
    #[command(after_help = "Examples:\n  essnap snapshot create backups before-upgrade --wait\n  essnap snapshot create backups '<nightly-{now/d}>' --indices 'logs-*,orders'")]
    Create {
        repository: String,
        /// The name (date math such as `<nightly-{now/d}>` allowed).
        name: String,
        /// Indices and data streams (patterns allowed; comma-separated or repeated); default all.
        #[arg(long)]
        indices: Vec<String>,
        /// Include the cluster's global state (templates, persistent settings, ...): the server's default.
        #[arg(long, conflicts_with = "no_global_state")]
        include_global_state: bool,
        /// Leave the cluster's global state out (indices and data streams only).
        #[arg(long)]
        no_global_state: bool,
        /// Allow a PARTIAL snapshot when some shards are unavailable.
        #[arg(long)]
        partial: bool,
        /// Metadata stored with the snapshot (repeatable), e.g. --metadata reason=before-upgrade.
        #[arg(long = "metadata", value_name = "KEY=VALUE")]
        metadata: Vec<String>,
        /// Feature states to include (comma-separated, or `none`), Elasticsearch 7.12+.
        #[arg(long, value_name = "NAMES")]
        feature_states: Option<String>,
        /// Watch it until it finishes.
        #[arg(long)]
        wait: bool,
    },
    /// The state and progress of a snapshot.
    #[command(after_help = "Example:\n  essnap snapshot status backups before-upgrade")]
    Status { repository: String, name: String },
    /// Delete snapshots. Needs --yes; a pattern or list is resolved and shown first.
    #[command(after_help = "Examples:\n  essnap snapshot delete backups old-snapshot --yes\n  essnap snapshot delete backups 'nightly-2025.*'          (lists what would be deleted)\n  essnap snapshot delete backups 'nightly-2025.*' --yes\n\nA pattern never takes a running snapshot (name it to abort it). The names shown are the names deleted: a snapshot that appears after the listing is not touched.")]
    Delete {
        repository: String,
        /// A snapshot name, or patterns and names separated by commas (`nightly-2025.*,-nightly-2025.12.31`).
        name: String,
        /// Really delete (after a pattern: exactly the snapshots it matched).
        #[arg(long)]
        yes: bool,
    },
}

fn status_name(s: ops::CreateStatus) -> &'static str {
    use ops::CreateStatus as S;
    match s {
        S::Started => "started",
        S::Success => "success",
        S::Partial => "partial",
        S::Failed => "failed",
        S::StillRunning => "still_running",
        S::NotCreated => "not_created",
    }
}

pub fn run(ctx: &mut Ctx, cmd: Cmd) -> Outcome {
    match cmd {
        Cmd::Create { repository, name, indices, include_global_state, no_global_state, partial, metadata, feature_states, wait } => {
            let metadata_json = super::key_values("--metadata", &metadata)?.map(|m| serde_json::Value::Object(m).to_string());
            ctx.connect()?;
            // Neither flag: the server's default (included).
            let global = if include_global_state { Some(true) } else if no_global_state { Some(false) } else { None };
            let req = ops::CreateRequest {
                indices: super::list(&indices),
                include_global_state: global,
                partial,
                wait,
                metadata_json,
                feature_states: feature_states.map(|f| super::list(&[f])),
            };
            let r = ctx.guest.client.essnap_snapshots_operations().call_create_snapshot(&mut ctx.guest.store, &repository, &name, &req);
            let o = ctx.call(r)?;
            ctx.guest.store.data_mut().events.finish();
            let ok = matches!(o.status, ops::CreateStatus::Started | ops::CreateStatus::Success | ops::CreateStatus::StillRunning);
            let code = if ok { 0 } else { 1 };
            if ctx.json {
                output::json(&serde_json::json!({ "status": status_name(o.status), "name": o.name, "failures": o.failures, "error": o.error.as_ref().map(crate::error_json), "progress": o.progress, "exit_code": code }));
            } else {
                let n = o.name.as_deref().unwrap_or(&name);
                match o.status {
                    ops::CreateStatus::Started => println!("snapshot {repository}:{n} started (watch it with `essnap snapshot status {repository} {n}`)"),
                    ops::CreateStatus::Success => println!("snapshot {repository}:{n} {}", ctx.paint("32", "SUCCESS")),
                    ops::CreateStatus::StillRunning => println!("snapshot {repository}:{n} is still running; essnap stopped watching"),
                    s => println!("snapshot {repository}:{n} {}", ctx.paint("31", &status_name(s).to_uppercase())),
                }
                for f in &o.failures {
                    println!("  failure: {f}");
                }
                if let Some(e) = &o.error {
                    if code != 0 {
                        return Err(crate::Fail::Error(e.clone()));
                    }
                }
            }
            Ok(code)
        }
        Cmd::Status { repository, name } => {
            ctx.connect()?;
            let r = ctx.guest.client.essnap_snapshots_operations().call_snapshot_status(&mut ctx.guest.store, &repository, &name);
            let s = ctx.call(r)?;
            if ctx.json {
                let raw: serde_json::Value = serde_json::from_str(&s.json).unwrap_or_default();
                output::json(&serde_json::json!({ "state": super::state(s.state), "progress": s.progress, "status": raw }));
            } else {
                let p = &s.progress;
                println!("{repository}:{name} {} {:.1}% (shards {}/{}, {} of {} bytes)", super::state(s.state), p.percent, p.shards_done, p.shards_total, p.bytes_done, p.bytes_total);
                let rows: Vec<Vec<String>> = p.indices.iter().map(|i| vec![i.name.clone(), format!("{:.1}%", i.percent), format!("{}/{}", i.shards_done, i.shards_total)]).collect();
                if !rows.is_empty() {
                    print!("{}", output::table(&["INDEX", "PROGRESS", "SHARDS"], &rows));
                }
            }
            Ok(0)
        }
        Cmd::Delete { repository, name, yes } if name.contains(['*', ',']) || name.starts_with('-') => delete_matching(ctx, &repository, &name, yes),
        Cmd::Delete { repository, name, yes } => {
            if !yes {
                return Err(usage(format!("deleting snapshot {repository}:{name} needs confirmation"), "add --yes; a deleted snapshot can't be restored"));
            }
            ctx.connect()?;
            let r = ctx.guest.client.essnap_snapshots_operations().call_delete_snapshot(&mut ctx.guest.store, &repository, &name);
            ctx.call(r)?;
            if ctx.json {
                output::json(&serde_json::json!({ "repository": repository, "snapshot": name, "deleted": true }));
            } else {
                println!("snapshot {repository}:{name} deleted");
            }
            Ok(0)
        }
    }
}

/// Resolves `expression` with a listing, shows the names, and deletes exactly those with --yes.
fn delete_matching(ctx: &mut Ctx, repository: &str, expression: &str, yes: bool) -> Outcome {
    ctx.connect()?;
    let patterns: Vec<String> = expression.split(',').map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect();
    let mut query = ops::SnapshotQuery { patterns, size: 10_000, after: None, sort: ops::SnapshotSort::Name, descending: false };
    let (mut names, mut running) = (Vec::new(), Vec::new());
    loop {
        let r = ctx.guest.client.essnap_snapshots_operations().call_list_snapshots(&mut ctx.guest.store, repository, &query);
        let page = ctx.call(r)?;
        for s in page.snapshots {
            if s.state == types::SnapshotState::InProgress { running.push(s.name) } else { names.push(s.name) }
        }
        match page.next {
            Some(next) => query.after = Some(next),
            None => break,
        }
    }
    if !running.is_empty() && !ctx.json {
        eprintln!("{}: skipping {} running snapshot(s): {} (name one to abort it)", ctx.paint("33", "note"), running.len(), running.join(", "));
    }
    if names.is_empty() {
        // As curator does without ignore_empty_list: a cleanup that finds nothing says so with exit 1.
        if ctx.json {
            output::json(&serde_json::json!({ "repository": repository, "matching": [], "skipped_running": running, "deleted": [], "exit_code": 1 }));
        } else {
            eprintln!("{}: no finished snapshot in {repository} matches {expression}; nothing was deleted (list them with `essnap snapshots {repository}`)", ctx.paint("31;1", "error"));
        }
        return Err(crate::Fail::Exit(1));
    }
    if !yes {
        if ctx.json {
            output::json(&serde_json::json!({ "repository": repository, "matching": names, "skipped_running": running, "deleted": [], "exit_code": 2 }));
            return Err(crate::Fail::Exit(2));
        } else {
            println!("{} snapshot(s) in {repository} match {expression}:", names.len());
            for n in &names {
                println!("  {n}");
            }
        }
        return Err(usage(format!("deleting {} snapshot(s) needs confirmation", names.len()), "check the list, then add --yes; deleted snapshots can't be restored"));
    }
    let r = ctx.guest.client.essnap_snapshots_operations().call_delete_snapshots(&mut ctx.guest.store, repository, &names);
    let out = ctx.trap(r)?;
    let kept: Vec<&String> = names.iter().filter(|n| !out.deleted.contains(n)).collect();
    if ctx.json {
        let code = out.error.as_ref().map_or(0, crate::exit_code);
        output::json(&serde_json::json!({
            "repository": repository, "deleted": out.deleted, "not_deleted": kept, "skipped_running": running,
            "error": out.error.as_ref().map(crate::error_json), "exit_code": code,
        }));
        return if code == 0 { Ok(0) } else { Err(crate::Fail::Exit(code)) };
    } else {
        println!("deleted {} snapshot(s) from {repository}{}", out.deleted.len(), if out.deleted.is_empty() { String::new() } else { format!(": {}", out.deleted.join(", ")) });
        if !kept.is_empty() {
            // After a timeout or a dropped connection the batch in flight may be gone: say so.
            let unclear = out.error.as_ref().is_some_and(|e| e.retry == types::RetryAdvice::CheckFirst);
            let what = if unclear { format!("not confirmed deleted (check with `essnap snapshots {repository}`)") } else { "not deleted".to_string() };
            println!("{what} ({}): {}", kept.len(), kept.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", "));
        }
    }
    match out.error {
        Some(e) => Err(crate::Fail::Error(e)),
        None => Ok(0),
    }
}
