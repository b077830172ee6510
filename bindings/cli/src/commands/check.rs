//! `essnap check REPO SNAPSHOT`

use crate::host::types;
use crate::{Ctx, Outcome, output};

/// The compatibility verdicts of restoring the snapshot into this cluster.
#[derive(clap::Args)]
#[command(after_help = "Example:\n  essnap check backups nightly-2026.01.01\n\nExit code 1 when the snapshot (or an index in it) can't be restored here.")]
pub struct Args {
    pub repository: String,
    pub snapshot: String,
}

pub fn run(ctx: &mut Ctx, a: Args) -> Outcome {
    ctx.connect()?;
    let r = ctx.guest.client.essnap_snapshots_operations().call_check(&mut ctx.guest.store, &a.repository, &a.snapshot);
    let plan = ctx.call(r)?;
    let incompatible = plan.verdict.kind == types::VerdictKind::Incompatible || plan.items.iter().any(|i| i.verdict.kind == types::VerdictKind::Incompatible);
    let code = if incompatible { 1 } else { 0 };
    if ctx.json {
        let items: Vec<serde_json::Value> = plan.items.iter().map(|i| serde_json::json!({ "index": i.source, "verdict": super::verdict_json(&i.verdict) })).collect();
        output::json(&serde_json::json!({
            "repository": plan.repository, "snapshot": plan.snapshot,
            "snapshot_version": plan.snapshot_version.as_ref().map(|v| &v.text),
            "verdict": super::verdict_json(&plan.verdict), "indices": items, "exit_code": code,
        }));
        return Ok(code);
    }
    let colour = |k: types::VerdictKind| match k {
        types::VerdictKind::Ok => "32",
        types::VerdictKind::Incompatible => "31",
        _ => "33",
    };
    println!(
        "{}:{} (taken by {}): {} — {}",
        plan.repository,
        plan.snapshot,
        super::version(&plan.snapshot_version),
        ctx.paint(colour(plan.verdict.kind), super::verdict(plan.verdict.kind)),
        plan.verdict.reason
    );
    let rows: Vec<Vec<String>> = plan
        .items
        .iter()
        .map(|i| vec![i.source.clone(), ctx.paint(colour(i.verdict.kind), super::verdict(i.verdict.kind)), i.verdict.rule_id.clone(), i.verdict.reason.clone()])
        .collect();
    print!("\n{}", output::table(&["INDEX", "VERDICT", "RULE", "REASON"], &rows));
    for w in plan.verdict.warnings.iter().chain(plan.warnings.iter()) {
        println!("warning: {w}");
    }
    Ok(code)
}
