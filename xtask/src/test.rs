//! `cargo xtask test`: start PostgreSQL and the Cognito emulator once, run every test against them,
//! stop them whatever happens (success, failure, Ctrl-C).

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use anyhow::Context;
use xshell::{Shell, cmd};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Passed through to both `cargo test` runs (a test name filter, `--no-fail-fast`, `-- --nocapture`, …).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    cargo_test_args: Vec<String>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    // The terminal's Ctrl-C reaches cargo test, which stops; we outlive it to stop the services.
    let interrupted = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&interrupted);
    ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst)).context("installing the Ctrl-C handler")?;

    let started = Instant::now();
    eprintln!("Starting PostgreSQL and the Cognito emulator…");
    let services = testkit::Services::start().context("starting the test services")?;
    eprintln!(
        "Services ready in {:.1} s: PostgreSQL {} · Cognito emulator {}",
        started.elapsed().as_secs_f64(),
        services.database_url(),
        services.cognito_endpoint()
    );

    let sh = Shell::new()?;
    sh.change_dir(crate::docs::check::workspace_root());
    for (key, value) in services.env() {
        sh.set_var(key, value);
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let extra = &args.cargo_test_args;
    let all_targets = isolated(cmd!(sh, "{cargo} test --workspace --all-targets {extra...}")).run();
    let doc_tests = if interrupted.load(Ordering::SeqCst) {
        Ok(())
    } else {
        isolated(cmd!(sh, "{cargo} test --workspace --doc {extra...}")).run()
    };
    drop(services);
    if interrupted.load(Ordering::SeqCst) {
        eprintln!("Interrupted; services stopped.");
        return Ok(ExitCode::from(130));
    }
    match (all_targets, doc_tests) {
        (Ok(()), Ok(())) => Ok(ExitCode::SUCCESS),
        _ => {
            eprintln!("Tests failed; services stopped.");
            Ok(ExitCode::FAILURE)
        }
    }
}

/// Keeps the developer's real AWS profile and endpoint away from the tests.
fn isolated(command: xshell::Cmd<'_>) -> xshell::Cmd<'_> {
    testkit::Services::env_removed()
        .iter()
        .fold(command, |command, key| command.env_remove(key))
}
