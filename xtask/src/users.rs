//! `cargo xtask users`: the users of a pool as a whole. One module per subcommand: `export` (a backup file) and
//! `import` (that file's users moved into another pool, credere_user relinked).

mod export;
mod import;

use std::process::ExitCode;

/// The subcommands of `cargo xtask users`.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Write every user of a pool (attributes, status, dates, groups) and the pool's settings to a file (0600),
    /// reading Cognito only.
    Export(export::Args),
    /// Move the users of an export file into another pool (no invitation, disabled users disabled again, groups
    /// restored), then point every credere_user row at them in one transaction. Passwords do not move.
    Import(import::Args),
}

/// Runs a `users` subcommand.
pub fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Export(args) => export::run(args),
        Command::Import(args) => import::run(args),
    }
}
