//! `cargo xtask spec --env ENV`: prints an environment's pool spec as pretty JSON, after validating it.

use std::process::ExitCode;

use anyhow::Context;
use pool_spec::Environment;

/// Options of `cargo xtask spec`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The environment: production or development.
    #[arg(long, value_name = "ENV")]
    env: Environment,
}

/// Prints the validated spec of `--env` as pretty JSON on stdout.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let spec = pool_spec::for_environment(args.env);
    spec.validate()
        .with_context(|| format!("the built-in {} spec", args.env))?;
    let json = serde_json::to_string_pretty(&spec).context("serialising the spec")?;
    crate::out::outln!("{json}");
    Ok(ExitCode::SUCCESS)
}
