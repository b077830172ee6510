//! `cargo xtask fuzz [CASES]`: the property tests of every decoder, URL parser, name validator, the
//! rename-pattern engine and builder (tests/no_panic.rs) with a much larger case budget than CI's
//! (default 200,000 per property).

use crate::util::run;

pub fn main(args: &[String]) -> Result<(), String> {
    let cases = args.first().map(String::as_str).unwrap_or("200000");
    if cases.parse::<u64>().is_err() {
        return Err(format!("`{cases}` is not a number of cases"));
    }
    // SAFETY: single-threaded here; the child cargo inherits the variable.
    unsafe { std::env::set_var("PROPTEST_CASES", cases) };
    run("cargo", &["test", "--release", "-p", "essnap", "--test", "no_panic"])
}
