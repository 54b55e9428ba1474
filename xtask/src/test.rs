//! `cargo xtask test`: start PostgreSQL and the Cognito emulator once, run every test against them,
//! stop them whatever happens (success, failure, Ctrl-C).

use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

use anyhow::Context;

use crate::interrupt;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Passed through to `cargo test` (a test name filter, `--no-fail-fast`, `-- --nocapture`, …).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    cargo_test_args: Vec<String>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    // The terminal's Ctrl-C reaches cargo test, which stops; we outlive it to stop the services.
    interrupt::record()?;

    let started = Instant::now();
    eprintln!("Starting PostgreSQL and the Cognito emulator…");
    let services = testkit::Services::start().context("starting the test services")?;
    eprintln!(
        "Services ready in {:.1} s: PostgreSQL {} · Cognito emulator {}",
        started.elapsed().as_secs_f64(),
        services.database_url(),
        services.cognito_endpoint()
    );

    // Plain `cargo test`: every target whose manifest says `test = true` (unit tests, the one `tests/it` binary per
    // crate, the example that holds a test) and the doc tests, in one run. `--all-targets` would also link a test
    // harness for targets that have no tests (xtask's binary, test-support's library).
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let args: Vec<&str> = ["test", "--workspace"]
        .into_iter()
        .chain(args.cargo_test_args.iter().map(String::as_str))
        .collect();
    let shown = shlex::try_join(std::iter::once(cargo.as_str()).chain(args.iter().copied()));
    eprintln!("$ {}", shown.unwrap_or_else(|_| format!("{cargo} {}", args.join(" "))));
    let mut command = Command::new(&cargo);
    command
        .args(&args)
        .current_dir(crate::docs::check::workspace_root())
        .envs(services.env())
        .stdin(Stdio::null());
    // Keeps the developer's real AWS profile and endpoint away from the tests.
    for key in testkit::Services::env_removed() {
        command.env_remove(key);
    }
    let passed = command.status().is_ok_and(|status| status.success());
    drop(services);
    if interrupt::interrupted() {
        eprintln!("Interrupted; services stopped.");
        return Ok(ExitCode::from(interrupt::EXIT_CODE));
    }
    if passed {
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("Tests failed; services stopped.");
        Ok(ExitCode::FAILURE)
    }
}
