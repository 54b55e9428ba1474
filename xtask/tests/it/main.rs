//! The xtask integration tests, one binary: a module per command or concern. `support` runs the built binary and
//! looks at the emulator behind its back; `help` reads the commands' flags from the clap definition in process.
//! What they share with other crates' tests (the world, call filters, spawning) is `test_support`'s.

mod admin_access;
mod admin_cli;
mod admin_defaults;
mod admin_reset;
mod architecture;
mod audit;
mod audit_rate;
mod bad_rows;
mod build_features;
mod closed_stdout;
mod credential_helper;
mod database_waits;
mod db_setup;
mod docs_flags;
mod docs_fresh;
mod docs_sphinx;
mod help;
mod hostile_values;
mod https;
mod iam;
mod new_pool;
mod provision;
mod provision_faults;
mod readme;
mod rotate_secret;
mod sandbox_signals;
mod secret_rotation;
mod secrets;
mod support;
mod usage;
mod users_export;
mod users_import;
mod write_env;
