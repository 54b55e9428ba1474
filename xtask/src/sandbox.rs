//! `cargo xtask sandbox`: the whole tool, end to end, on this machine with no AWS account: a throwaway
//! PostgreSQL and the Cognito emulator, the migrations, both pools, a first admin, the converged check,
//! and the `.env` a local credere-backend would use. Each step runs the real command, shown as typed.

use std::path::Path;
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::interrupt::{self, interrupted};
use crate::out::outln;

/// The emulator's account is fake; the SDK still wants credentials to sign with.
const FAKE_CREDENTIALS: [(&str, &str); 2] = [("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing")];

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The first admin's email.
    #[arg(long, default_value = "admin@example.org")]
    email: String,
    /// Leave PostgreSQL and the emulator running afterwards, and print how to stop them.
    #[arg(long)]
    keep: bool,
    /// Print the app client secret in the `.env` lines (it is the emulator's, but hidden by default all the same).
    #[arg(long)]
    show_secret: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    // The services run in process groups of their own, so a signal reaches only this process and the step it
    // runs; this process then stops the services and deletes their files.
    interrupt::record()?;
    let started = Instant::now();
    // Always services of its own: a TEST_DATABASE_URL or COGNITO_TEST_ENDPOINT left from a test setup is no sandbox.
    step("Starting a throwaway PostgreSQL and the Cognito emulator (moto; installed under target/ on first use)");
    let preset: Vec<&str> = [testkit::DATABASE_ENV, testkit::COGNITO_ENV]
        .into_iter()
        .filter(|key| std::env::var_os(key).is_some())
        .collect();
    if !preset.is_empty() {
        bail!(
            "unset {} first: the sandbox starts services of its own",
            preset.join(" and ")
        );
    }
    let services = testkit::Services::start();
    // A signal during the start is acted on once the start returns, whatever it returned.
    if interrupted() {
        drop(services);
        eprintln!("\nInterrupted; services stopped and their files deleted.");
        return Ok(ExitCode::from(interrupt::EXIT_CODE));
    }
    let services = services.context("starting the sandbox services")?;
    done(&format!(
        "PostgreSQL {} · emulator {}",
        services.database_url(),
        services.cognito_endpoint()
    ));

    let result = walk_through(&args, &services);
    if interrupted() {
        drop(services);
        eprintln!("\nInterrupted; services stopped and their files deleted.");
        return Ok(ExitCode::from(interrupt::EXIT_CODE));
    }
    match (&result, args.keep) {
        (Ok(()), true) => {
            let stop = services.keep_running();
            eprintln!(
                "\nThe services keep running. To run the commands above yourself, first give the SDK the \
                 emulator's dummy credentials:\n  export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing\n\
                 Stop the services and delete their files with:\n  {stop}"
            );
        }
        _ => {
            drop(services);
            eprintln!("\nServices stopped and their files deleted.");
        }
    }
    result?;
    eprintln!("Sandbox finished in {:.1} s.", started.elapsed().as_secs_f64());
    Ok(ExitCode::SUCCESS)
}

fn walk_through(args: &Args, services: &testkit::Services) -> anyhow::Result<()> {
    let endpoint = services.cognito_endpoint();
    let database_url = testkit::with_database(services.database_url(), "credere");
    let env_dir = tempfile::tempdir().context("creating a directory for the sandbox .env")?;
    let env_file = env_dir.path().join(".env");
    let env_path = env_file.to_str().context("temporary path is not UTF-8")?;

    xtask(
        "Creating the `credere` database and running the workspace's migrations",
        &["db", "setup", "--database-url", &database_url],
    )?;
    xtask(
        "Provisioning the development pool and app client",
        &[
            "provision",
            "--env",
            "development",
            "--endpoint-url",
            endpoint,
            "--write-env",
            env_path,
        ],
    )?;
    xtask(
        "Provisioning the production pool (confirmed with --yes: this is the emulator)",
        &["provision", "--env", "production", "--yes", "--endpoint-url", endpoint],
    )?;
    xtask(
        "Bootstrapping the first admin in the development pool",
        &[
            "admin",
            "--email",
            &args.email,
            "--name",
            "Sandbox Admin",
            "--env",
            "development",
            "--database-url",
            &database_url,
            "--endpoint-url",
            endpoint,
        ],
    )?;
    for environment in ["development", "production"] {
        xtask(
            &format!("Checking that the {environment} pool has nothing left to change"),
            &["provision", "--env", environment, "--check", "--endpoint-url", endpoint],
        )?;
    }
    step("The .env lines a local credere-backend would use");
    print_env(&env_file, &database_url, endpoint, args.show_secret)
}

fn print_env(path: &Path, database_url: &str, endpoint: &str, show_secret: bool) -> anyhow::Result<()> {
    let written = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    outln!("DATABASE_URL={database_url}");
    for line in written.lines() {
        match line.split_once('=') {
            Some(("COGNITO_CLIENT_SECRET", _)) if !show_secret => {
                outln!("COGNITO_CLIENT_SECRET=***  (hidden; `cargo xtask sandbox --show-secret` prints it)");
            }
            _ => outln!("{line}"),
        }
    }
    // Not a `.env` line: credere-backend's settings (pydantic-settings, `extra` forbidden) refuse to start on a key
    // they do not define, and boto3 reads this one from the environment.
    outln!();
    outln!("# credere-backend's settings refuse keys they do not define: give it the emulator's address in its");
    outln!("# environment instead (boto3 reads it there), with the emulator's dummy credentials:");
    outln!("export AWS_ENDPOINT_URL={endpoint} AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing");
    Ok(())
}

/// Runs `cargo xtask ARGS` (this very binary) against the sandbox, showing the command first; any exit but 0
/// stops the sandbox.
fn xtask(what: &str, args: &[&str]) -> anyhow::Result<()> {
    step(what);
    eprintln!("$ cargo xtask {}", shlex::try_join(args.iter().copied())?);
    let mut child = Command::new(std::env::current_exe()?)
        .args(args)
        .envs(FAKE_CREDENTIALS)
        .env_remove("AWS_PROFILE")
        .stdin(Stdio::null())
        .spawn()
        .with_context(|| format!("running cargo xtask {}", args[0]))?;
    // Polled rather than waited on, so that a SIGTERM sent to this process alone still ends the step.
    let status = loop {
        if interrupted() {
            let _ = child.kill();
            let _ = child.wait();
            bail!("interrupted during `cargo xtask {}`", args[0]);
        }
        if let Some(status) = child.try_wait()? {
            break status;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    if !status.success() {
        bail!(
            "`cargo xtask {}` exited with {status}; the sandbox stops here",
            args.join(" ")
        );
    }
    done("ok");
    Ok(())
}

fn step(what: &str) {
    eprintln!("\n==> {what}");
}

fn done(what: &str) {
    eprintln!("    {what}");
}
