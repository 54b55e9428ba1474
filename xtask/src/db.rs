//! `cargo xtask db`: prepare a local or test database with the workspace's migrations.
//!
//! Parses and prints; the work (creating the database, the Alembic refusal, migrating) is `user_model::setup`.
use std::process::ExitCode;

use anyhow::Context as _;
use user_model::{AlembicPolicy, DatabaseUrl, SetupReport};

/// The `db` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Create the database if missing and run the workspace's migrations (local and test databases only).
    Setup {
        /// postgresql://user:pass@host:port/db or postgresql:///db; defaults to the DATABASE_URL variable.
        #[arg(long, env = "DATABASE_URL", hide_env_values = true, value_name = "URL")]
        database_url: String,
        /// Migrate even a database that has an alembic_version table (credere-backend's own schema history).
        #[arg(long)]
        force: bool,
    },
}

/// Runs a `db` subcommand.
pub fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Setup { database_url, force } => {
            let url = DatabaseUrl::parse(&database_url).context("reading --database-url / DATABASE_URL")?;
            let policy = if force {
                AlembicPolicy::Force
            } else {
                AlembicPolicy::Refuse
            };
            let report = user_model::setup(&url, policy).with_context(|| format!("setting up {url}"))?;
            crate::out::outln!("{}", describe(&report).trim_end());
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// What `db setup` did, one line per fact.
fn describe(report: &SetupReport) -> String {
    let mut lines = Vec::new();
    let database = &report.database;
    if report.created_database {
        lines.push(format!("created database {database:?}"));
    } else {
        lines.push(format!("database {database:?} already exists"));
    }
    if report.forced_past_alembic {
        lines.push("warning: it has an alembic_version table; migrating anyway because of --force".to_owned());
    }
    for version in &report.already_applied {
        lines.push(format!("already applied: {version}"));
    }
    for version in &report.applied {
        lines.push(format!("applied: {version}"));
    }
    if report.applied.is_empty() {
        lines.push("no pending migrations".to_owned());
    }
    lines.iter().map(|line| format!("{line}\n")).collect()
}
