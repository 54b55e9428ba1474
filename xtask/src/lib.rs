//! `cargo xtask`: the maintainer commands of the Credere Cognito workspace, as a library.
//!
//! One module per subcommand. This crate parses arguments and prints; the crates do the work.
//! Errors are `anyhow` with context; exit codes are part of each command's contract. `main.rs` only calls [`run`];
//! the tests use [`Cli`] (through `clap::CommandFactory`) and the docs renderer in process.

mod admin;
mod audit;
mod aws;
mod bench;
mod confirm;
mod db;
mod docs;
mod hint;
mod iam_policy;
mod interrupt;
mod out;
mod progress;
mod provision;
mod rotate_secret;
mod sandbox;
mod spec;
mod test;
mod users;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Set up and maintain Credere's Cognito user pools and bootstrap its first administrators.
#[derive(Debug, Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Show the plan for an environment's user pool and app client, then apply it.
    Provision(provision::Args),
    /// Rotate the app client secret without downtime: add a second secret and write it to credere-backend's .env,
    /// then (--finish, after a restart) delete the old one.
    RotateSecret(rotate_secret::Args),
    /// Bootstrap a first administrator: the Cognito user and its credere_user row, resumable. Its subcommands
    /// disable, enable and reset-mfa act on an existing user.
    Admin(admin::Args),
    /// Check a pool's Cognito users against the credere_user rows, read-only (exit 0 clean, 2 findings, 1 error).
    Audit(audit::Args),
    /// A pool's users as a whole: `export` writes them all to a file (a backup), reading Cognito only.
    #[command(subcommand)]
    Users(users::Command),
    /// Print an environment's pool spec as JSON.
    Spec(spec::Args),
    /// Regenerate the reference documentation from the specs (`--check` to verify it is fresh).
    Docs(docs::Args),
    /// Print the least-privilege IAM policy (JSON) of a role: provisioner, drift-check, admin, rotator, export or
    /// import.
    IamPolicy(iam_policy::Args),
    /// Local and test databases: create one and run the workspace's migrations.
    #[command(subcommand)]
    Db(db::Command),
    /// Measure provision, an admin bootstrap, audit, users export and users import (API calls, round trips, wall time,
    /// peak memory) against the emulator.
    Bench(bench::Args),
    /// See the whole tool work on this machine: emulator, database, both pools, an admin, then teardown.
    Sandbox(sandbox::Args),
    /// Run the whole test suite against a throwaway PostgreSQL and the Cognito emulator.
    Test(test::Args),
}

/// Runs `cargo xtask` with the process's arguments; the binary's `main`.
pub fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return usage(&error),
    };
    let result = match cli.command {
        Command::Provision(args) => provision::run(args),
        Command::RotateSecret(args) => rotate_secret::run(args),
        Command::Admin(args) => admin::run(args),
        Command::Audit(args) => audit::run(args),
        Command::Users(command) => users::run(command),
        Command::Spec(args) => spec::run(args),
        Command::Docs(args) => docs::run(args),
        Command::Db(command) => db::run(command),
        Command::IamPolicy(args) => iam_policy::run(args),
        Command::Test(args) => test::run(args),
        Command::Bench(args) => bench::run(args),
        Command::Sandbox(args) => sandbox::run(args),
    };
    let code = match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {}", hint::report(&error));
            ExitCode::FAILURE
        }
    };
    out::finish(code)
}

/// `--help` and `--version` exit 0; every usage error exits 1, never clap's 2, which `provision --check`
/// reserves for "changes needed" (a typo in a CI job must not read as drift).
fn usage(error: &clap::Error) -> ExitCode {
    // Printing to a closed stdout or stderr is no reason to change the exit code.
    let _ = error.print();
    if error.use_stderr() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// The generated reference pages, rendered in process: what `cargo xtask docs` writes and `--check` compares, for the
/// tests that hold the committed pages fresh and their content true.
pub mod pages {
    pub use crate::docs::check::{generated, stale_files, stale_message, workspace_root};
    pub use crate::docs::cognito_page::page as cognito_page;
}
