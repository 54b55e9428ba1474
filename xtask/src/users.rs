//! `cargo xtask users`: the users of a pool as a whole. One module per subcommand: `export` (a backup file);
//! `import` will read that file.

mod export;

use std::process::ExitCode;

/// The subcommands of `cargo xtask users`.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Write every user of a pool (attributes, status, dates, groups) and the pool's settings to a file (0600),
    /// reading Cognito only.
    Export(export::Args),
}

/// Runs a `users` subcommand.
pub fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Export(args) => export::run(args),
    }
}
