//! `essnap restore REPO SNAPSHOT`

use crate::host::{ops, types};
use crate::{Ctx, Fail, Outcome, output};

/// Plan a restore, print it, and execute it with --yes.
#[derive(clap::Args)]
#[command(after_help = "Examples:\n  essnap restore backups snap-1 --dry-run\n  essnap restore backups snap-1 --indices 'logs-*' --prefix restored- --yes\n  essnap restore backups snap-1 --rename-pattern '(.+)' --rename-replacement 'old-$1' --yes\n  essnap restore backups snap-1 --close-conflicting --yes\n  essnap restore backups snap-1 --prefix test- --index-setting index.number_of_replicas=0 --yes\n\nWithout --yes nothing is changed. If the restore fails after indices were closed, essnap opens them again and says which index is in which state.\nExit code 1 when the plan is blocked or the restore failed.")]
pub struct Args {
    pub repository: String,
    pub snapshot: String,
    /// Indices and data streams (patterns, `-x` excludes; comma-separated or repeated); default the whole snapshot.
    #[arg(long)]
    pub indices: Vec<String>,
    /// Rename with this regular expression (needs --rename-replacement).
    #[arg(long, requires = "rename_replacement", conflicts_with = "prefix")]
    pub rename_pattern: Option<String>,
    /// The replacement for --rename-pattern (`$1` for a group).
    #[arg(long, requires = "rename_pattern")]
    pub rename_replacement: Option<String>,
    /// Restore every index under PREFIX + its name.
    #[arg(long)]
    pub prefix: Option<String>,
    /// Close open indices the restore overwrites (they are reopened if the restore fails).
    #[arg(long)]
    pub close_conflicting: bool,
    /// Restore the global state too (replaces templates, persistent settings, pipelines, ...).
    #[arg(long)]
    pub include_global_state: bool,
    /// Restore what there is of indices with failed shards (PARTIAL snapshots).
    #[arg(long)]
    pub partial: bool,
    /// Leave the snapshot's aliases out (when one would clash with an existing index or alias).
    #[arg(long)]
    pub no_aliases: bool,
    /// Feature states to restore (comma-separated, or `none`), Elasticsearch 7.12+; default: the server's.
    #[arg(long, value_name = "NAMES")]
    pub feature_states: Option<String>,
    /// A setting the restored indices get, e.g. index.number_of_replicas=0 (repeatable).
    #[arg(long = "index-setting", value_name = "KEY=VALUE")]
    pub index_settings: Vec<String>,
    /// A setting the restored indices leave out, e.g. index.refresh_interval (repeatable).
    #[arg(long = "ignore-index-setting", value_name = "KEY")]
    pub ignore_index_settings: Vec<String>,
    /// Only print the plan (the default without --yes).
    #[arg(long, conflicts_with = "yes")]
    pub dry_run: bool,
    /// Execute the plan.
    #[arg(long)]
    pub yes: bool,
}

fn fate(f: ops::IndexFate) -> &'static str {
    use ops::IndexFate as F;
    match f {
        F::Restored => "restored",
        F::Restoring => "restoring",
        F::Unchanged => "unchanged",
        F::Reopened => "reopened",
        F::LeftClosed => "left_closed",
    }
}

fn status(s: ops::RestoreStatus) -> &'static str {
    use ops::RestoreStatus as S;
    match s {
        S::Completed => "completed",
        S::StillRunning => "still_running",
        S::Failed => "failed",
        S::NotStarted => "not_started",
    }
}

/// The flags that lift a blocker of this kind (the plan's `remedies`).
fn remedy(r: types::Remedy) -> &'static str {
    use types::Remedy as R;
    match r {
        R::CloseConflicting => "--close-conflicting (closes the open indices the restore overwrites; they are reopened if it fails)",
        R::Rename => "--prefix PREFIX, or --rename-pattern P --rename-replacement R (restore under other names)",
        R::Partial => "--partial (restores what there is of indices with failed shards)",
    }
}

pub fn run(ctx: &mut Ctx, a: Args) -> Outcome {
    let settings = super::key_values("--index-setting", &a.index_settings)?;
    ctx.connect()?;
    let sel = types::RestoreSelection {
        indices: super::list(&a.indices),
        rename_pattern: a.rename_pattern,
        rename_replacement: a.rename_replacement,
        prefix: a.prefix,
        include_global_state: a.include_global_state,
        feature_states: a.feature_states.map(|f| super::list(&[f])),
        partial: a.partial,
        close_conflicting: a.close_conflicting,
        include_aliases: a.no_aliases.then_some(false),
        index_settings_json: settings.map(|m| serde_json::Value::Object(m).to_string()),
        ignore_index_settings: super::list(&a.ignore_index_settings),
    };
    let r = ctx.guest.client.essnap_snapshots_operations().restore().call_plan(&mut ctx.guest.store, &a.repository, &a.snapshot, &sel);
    let handle = ctx.call(r)?;
    let r = ctx.guest.client.essnap_snapshots_operations().restore().call_describe(&mut ctx.guest.store, handle);
    let plan = ctx.trap(r)?;
    let blocked = !plan.blockers.is_empty();
    let plan_json: serde_json::Value = serde_json::from_str(&plan.json).unwrap_or_default();
    if !ctx.json {
        print!("{}", plan.rendered);
    }
    if blocked || !a.yes {
        let code = if blocked { 1 } else { 0 };
        if ctx.json {
            output::json(&serde_json::json!({ "plan": plan_json, "blocked": blocked, "executed": false, "exit_code": code }));
        } else if blocked {
            eprintln!("\n{}: the plan is blocked (see BLOCKED above); nothing was changed", ctx.paint("31;1", "error"));
            for r in &plan.remedies {
                eprintln!("  {} {}", ctx.paint("1", "try:"), remedy(*r));
            }
        } else {
            println!("\nNothing was changed. Run again with --yes to execute this plan.");
        }
        let _ = handle.resource_drop(&mut ctx.guest.store);
        return if blocked { Err(Fail::Exit(1)) } else { Ok(0) };
    }
    let r = ctx.guest.client.essnap_snapshots_operations().restore().call_execute(&mut ctx.guest.store, handle);
    let o = ctx.trap(r)?;
    let _ = handle.resource_drop(&mut ctx.guest.store);
    ctx.guest.store.data_mut().events.finish();
    let code = match o.status {
        ops::RestoreStatus::Completed | ops::RestoreStatus::StillRunning => 0,
        _ => 1,
    };
    if ctx.json {
        let indices: Vec<serde_json::Value> = o.indices.iter().map(|i| serde_json::json!({ "name": i.name, "state": fate(i.fate), "error": i.error })).collect();
        output::json(&serde_json::json!({
            "plan": plan_json, "executed": true, "status": status(o.status), "error": o.error.as_ref().map(crate::error_json), "rule": o.rule_id,
            "indices": indices, "requests_sent": o.requests_sent, "progress": o.progress, "exit_code": code,
        }));
        return Ok(code);
    }
    println!();
    let rows: Vec<Vec<String>> = o.indices.iter().map(|i| vec![i.name.clone(), fate(i.fate).to_string(), i.error.clone().unwrap_or_default()]).collect();
    print!("{}", output::table(&["INDEX", "STATE", "NOTE"], &rows));
    match o.status {
        ops::RestoreStatus::Completed => println!("restore {}", ctx.paint("32", "completed")),
        ops::RestoreStatus::StillRunning => println!("the restore is still running on the cluster; essnap stopped watching"),
        _ => {
            let reopened: Vec<&str> = o.indices.iter().filter(|i| i.fate == ops::IndexFate::Reopened).map(|i| i.name.as_str()).collect();
            let closed: Vec<&str> = o.indices.iter().filter(|i| i.fate == ops::IndexFate::LeftClosed).map(|i| i.name.as_str()).collect();
            println!("restore {}", ctx.paint("31", "failed"));
            if !reopened.is_empty() {
                println!("rolled back: reopened {}", reopened.join(", "));
            }
            if !closed.is_empty() {
                println!("left closed (open them with POST INDEX/_open): {}", closed.join(", "));
            }
            if let Some(rule) = &o.rule_id {
                println!("compatibility rule: {rule}");
            }
        }
    }
    if let (Some(e), 1) = (&o.error, code) {
        return Err(Fail::Error(e.clone()));
    }
    Ok(code)
}
