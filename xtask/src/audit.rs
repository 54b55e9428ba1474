//! `cargo xtask audit`: check a pool's Cognito users against the `credere_user` rows, read-only.
//!
//! Parses the flags, gathers the settings (flag, else the `--env-file`, else the process environment), calls
//! `user_audit`, and prints the report. Exit codes: 0 no findings, 2 findings, 1 error.

use std::io::Write;
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use pool_spec::{Environment, Shown};
use user_audit::Report;
use user_model::DatabaseUrl;

use crate::aws::{AwsArgs, runtime};

/// Exit code when the audit found something.
const FINDINGS: u8 = 2;

/// How the report is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Output {
    /// Findings and administrators, one line each.
    Text,
    /// The report as one JSON object.
    Json,
}

/// Flags of `cargo xtask audit`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The environment whose pool (by the spec's name and tags) is audited.
    #[arg(long = "env", value_name = "ENV")]
    environment: Option<Environment>,
    /// The pool ID; else COGNITO_POOL_ID (from --env-file, then the environment). Must agree with --env.
    #[arg(long, value_name = "ID")]
    pool_id: Option<String>,
    /// The Credere database; else DATABASE_URL (from --env-file, then the environment). Only read.
    #[arg(long, value_name = "URL")]
    database_url: Option<String>,
    /// A credere-backend `.env` to read DATABASE_URL, COGNITO_POOL_ID and AWS_REGION from.
    #[arg(long, value_name = "PATH")]
    env_file: Option<PathBuf>,
    /// At most this many Cognito calls a second, retries included; throttling slows the audit down (ListUsers'
    /// default quota is 30 per account and region, shared with anything else listing users).
    #[arg(long, value_name = "N", default_value = "20")]
    max_rps: NonZeroU32,
    /// How to print the report.
    #[arg(long, value_enum, default_value = "text")]
    output: Output,
    #[command(flatten)]
    aws: AwsArgs,
}

/// Runs the audit and prints its report.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let file = crate::admin::backend_env(args.env_file.as_deref())?;
    let setting = |flag: &Option<String>, from_file: &Option<String>, name: &str| {
        flag.clone()
            .or_else(|| from_file.clone())
            .or_else(|| std::env::var(name).ok())
            .filter(|value| !value.trim().is_empty())
    };
    let pool_id = setting(&args.pool_id, &file.pool_id, "COGNITO_POOL_ID");
    let pool = cognito::PoolChoice::from_flags(args.environment, pool_id.as_deref())
        .context("invalid input, nothing was read")?;
    let Some(raw_url) = setting(&args.database_url, &file.database_url, "DATABASE_URL") else {
        bail!("which database? Pass --database-url URL (or DATABASE_URL in --env-file or the environment)");
    };
    let database_url = DatabaseUrl::parse(&raw_url).context("invalid database URL, nothing was read")?;
    let mut options = args.aws.connect_options();
    options.region = crate::admin::region(options.region, args.env_file.as_deref(), &file);
    let progress = crate::progress::UsersRead::on_stderr(args.output == Output::Text);
    let report = runtime()?.block_on(async {
        let cognito = args.aws.connect(&options).await?;
        user_audit::run(&cognito, &pool, &database_url, args.max_rps, &progress)
            .await
            .map_err(anyhow::Error::from)
    })?;
    progress.clear();
    let mut out = crate::out::stdout();
    match args.output {
        Output::Json => writeln!(out, "{}", serde_json::to_string(&report)?)?,
        Output::Text => print_text(&mut out, &report, &database_url)?,
    }
    Ok(if report.findings.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(FINDINGS)
    })
}

fn print_text(out: &mut impl Write, report: &Report, database: &DatabaseUrl) -> std::io::Result<()> {
    let environment = report
        .environment
        .map_or_else(String::new, |environment| format!(" (the {environment} pool)"));
    writeln!(
        out,
        "Pool {}{environment}: {} Cognito user(s); database {database}: {} credere_user row(s).",
        Shown(&report.pool_id),
        report.users,
        report.rows
    )?;
    // Emails, usernames and the details that quote them come from the database and Cognito: shown, so that none
    // can rewrite the report on a terminal.
    let or_dash = |value: Option<&str>| value.map_or_else(|| "-".to_owned(), |value| Shown(value).to_string());
    if report.findings.is_empty() {
        writeln!(out, "No findings.")?;
    } else {
        writeln!(out, "{} finding(s):", report.findings.len())?;
        for finding in &report.findings {
            writeln!(
                out,
                "  {:<27} {}  row {}  username {}: {}",
                finding.kind.as_str(),
                or_dash(finding.email.as_deref()),
                or_dash(finding.row_id.map(|id| id.to_string()).as_deref()),
                or_dash(finding.username.as_deref()),
                Shown(&finding.detail)
            )?;
        }
    }
    writeln!(out, "{} administrator(s) (OCP rows):", report.admins.len())?;
    for admin in &report.admins {
        let cognito = match &admin.cognito {
            None => "no Cognito user".to_owned(),
            Some(user) => format!(
                "{}, {}, MFA {}",
                user.status,
                if user.enabled { "enabled" } else { "DISABLED" },
                if user.mfa.is_empty() {
                    "none set up".to_owned()
                } else {
                    Shown(&user.mfa.join(", ")).to_string()
                }
            ),
        };
        writeln!(
            out,
            "  row {}  {}  {}: {cognito}",
            admin.row_id,
            Shown(&admin.email),
            Shown(&admin.username)
        )?;
    }
    Ok(())
}
