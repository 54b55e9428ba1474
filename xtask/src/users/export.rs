//! `cargo xtask users export`: every user of a pool, with its groups, and the pool's settings, written to a file
//! of `user_export`'s format, read-only. Exit codes: 0 written, 1 refused or failed (nothing written).

use std::io::Write;
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use pool_spec::{Environment, Shown};
use user_export::{Destination, Summary};

use crate::aws::{AwsArgs, runtime};
use crate::progress::UsersRead;

/// How the result is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Output {
    /// The pool, how many users, the file.
    Text,
    /// One JSON object.
    Json,
}

/// Flags of `cargo xtask users export`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The environment whose pool (by the spec's name and tags) is exported.
    #[arg(long = "env", value_name = "ENV")]
    environment: Option<Environment>,
    /// The pool ID; else COGNITO_POOL_ID (from --env-file, then the environment). Must agree with --env.
    #[arg(long, value_name = "ID")]
    pool_id: Option<String>,
    /// The file to write (JSON Lines, mode 0600: it holds personal data). Its directory must exist.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Replace --out if it exists (the old file stays whole until the new one is).
    #[arg(long)]
    force: bool,
    /// A credere-backend `.env` to read COGNITO_POOL_ID and AWS_REGION from.
    #[arg(long, value_name = "PATH")]
    env_file: Option<PathBuf>,
    /// At most this many Cognito calls a second, retries included; throttling slows the export down (ListUsers'
    /// default quota is 30 per account and region, shared with anything else listing users).
    #[arg(long, value_name = "N", default_value = "20")]
    max_rps: NonZeroU32,
    /// How to print the result.
    #[arg(long, value_enum, default_value = "text")]
    output: Output,
    #[command(flatten)]
    aws: AwsArgs,
}

/// The result, as `--output json` prints it.
#[derive(serde::Serialize)]
struct Printed<'a> {
    #[serde(flatten)]
    summary: &'a Summary,
    file: &'a std::path::Path,
}

/// Exports the pool and prints what was written.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let file = crate::admin::backend_env(args.env_file.as_deref())?;
    let pool_id = args
        .pool_id
        .clone()
        .or_else(|| file.pool_id.clone())
        .or_else(|| std::env::var("COGNITO_POOL_ID").ok());
    let pool = cognito::PoolChoice::from_flags(args.environment, pool_id.as_deref())
        .context("invalid input, nothing was read")?;
    let destination = Destination::check(&args.out, args.force).context("invalid --out, nothing was read")?;
    let mut options = args.aws.connect_options();
    options.region = crate::admin::region(options.region, args.env_file.as_deref(), &file);
    // A signal removes the temporary file; --out stays as it was.
    crate::interrupt::remove_temporary_files_and_exit()?;
    let progress = UsersRead::on_stderr(args.output == Output::Text);
    let pending = destination.open().context("nothing was read")?;
    let (export, summary) = runtime()?.block_on(async {
        let cognito = args.aws.connect(&options).await?;
        user_export::export(&cognito, &pool, args.max_rps, &progress)
            .await
            .map_err(anyhow::Error::from)
    })?;
    progress.clear();
    pending
        .commit(|out| export.write_to(out))
        .context("Cognito was only read")?;
    let mut out = crate::out::stdout();
    match args.output {
        Output::Json => writeln!(
            out,
            "{}",
            serde_json::to_string(&Printed {
                summary: &summary,
                file: destination.path(),
            })?
        )?,
        Output::Text => writeln!(
            out,
            "Pool {} ({}): {} user(s) (the pool reported {}) and {} group(s) written to {} (mode 0600).",
            Shown(&summary.pool_id),
            Shown(&summary.region),
            summary.users,
            summary.reported_users,
            summary.groups,
            Shown(&destination.path().display().to_string())
        )?,
    }
    Ok(ExitCode::SUCCESS)
}
