//! `cargo xtask <cmd>`: the single entry point for setting up, building and testing essnap.
//! Each subcommand lives in its own module; they shell out to the real tools (cargo, rustup, mvn, ...).

mod bench;
mod cluster;
mod component;
mod demo;
mod fuzz;
mod util;
mod web;
mod www;

use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <command>

commands:
  setup      install what a fresh machine lacks (rustup targets, Java 17, Maven)
  build      build every artifact in release mode (native, wasm32-unknown-unknown, wasm32-wasip2, the component, target/release/essnap)
  component  build the WebAssembly components (client and core worlds) into <target>/component/
  test       run every test suite (what CI runs)
  web        build (and test) the npm package `essnap` in bindings/web (`web build`, `web test`)
  www        test the admin console in www/ in Chromium (`www test`), or serve it against a sandbox (`www serve`)
  demo       run the main job against the embedded sandbox cluster (or --url URL)
  bench      benchmarks vs peers into benches/results.md and results.json (`bench [--quick] [--only size,decode,plan,cli,list,restore]`)
  fuzz       run the no-panic property tests with a large budget (default 200000 cases)
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
        "component" => component::main(),
        "test" => util::test(rest),
        "web" => web::main(rest),
        "www" => www::main(rest),
        "demo" => demo::main(rest),
        "bench" => bench::main(rest),
        "fuzz" => fuzz::main(rest),
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
