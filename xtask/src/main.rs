//! `cargo xtask <cmd>`: the single entry point for setting up, building and testing essnap.
//! Each subcommand lives in its own module; they shell out to the real tools (cargo, rustup, mvn, ...).

mod cluster;
mod util;

use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <command>

commands:
  setup      install what a fresh machine lacks (rustup targets, Java 17, Maven)
  build      build every artifact in release mode (native, wasm32-unknown-unknown, wasm32-wasip2)
  test       run every test suite (what CI runs)
  demo       print the requests of a restore (the main job for now)
  cluster    start a real OpenSearch/Elasticsearch node from Maven Central (see `cargo xtask cluster --help`)
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(cmd) = args.first() else {
        eprint!("{USAGE}");
        return ExitCode::from(2);
    };
    let rest = &args[1..];
    let result = match cmd.as_str() {
        "setup" => util::setup(),
        "build" => util::build(),
        "test" => util::test(rest),
        "demo" => util::demo(),
        "cluster" => cluster::main(rest),
        "-h" | "--help" | "help" => {
            print!("{USAGE}");
            Ok(())
        }
        other => Err(format!("unknown command `{other}`\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: error: {e}");
            ExitCode::FAILURE
        }
    }
}
