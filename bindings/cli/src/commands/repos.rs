//! `essnap repos`

use crate::{Ctx, Outcome, output};

/// List the registered repositories.
#[derive(clap::Args)]
#[command(after_help = "Example:\n  essnap repos --json")]
pub struct Args {}

pub fn run(ctx: &mut Ctx, _: Args) -> Outcome {
    ctx.connect()?;
    let r = ctx.guest.client.essnap_snapshots_operations().call_list_repositories(&mut ctx.guest.store);
    let repos = ctx.call(r)?;
    if ctx.json {
        let v: Vec<serde_json::Value> = repos
            .iter()
            .map(|r| serde_json::json!({ "name": r.name, "type": r.kind, "settings": serde_json::from_str::<serde_json::Value>(&r.settings_json).unwrap_or_default() }))
            .collect();
        output::json(&v);
    } else if repos.is_empty() {
        println!("no repositories are registered (add one with `essnap repo add`)");
    } else {
        let rows: Vec<Vec<String>> = repos.iter().map(|r| vec![r.name.clone(), r.kind.clone(), r.settings_json.clone()]).collect();
        print!("{}", output::table(&["NAME", "TYPE", "SETTINGS"], &rows));
    }
    Ok(0)
}
