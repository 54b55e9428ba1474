//! `cargo xtask provision --env ENV`: show the plan for an environment's pool and app client, then
//! apply it. `--check` only plans (exit 0 converged, 2 changes needed, 1 error).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use cognito::{Applied, Cognito, ExposeSecret, LivePool, Prepared, SesIdentitySource};
use pool_spec::{Environment, Plan};
use serde::Serialize;

use crate::aws::{AwsArgs, runtime};

/// Exit code of `--check` when the live pool differs from the spec.
const CHANGES_NEEDED: u8 = 2;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The environment: production or development.
    #[arg(long, value_name = "ENV")]
    env: Environment,
    /// Plan only, change nothing: exit 0 when the live pool matches the spec, 2 when changes are needed, 1 on error.
    #[arg(long)]
    check: bool,
    /// Apply to production without the confirmation prompt (needed when stdin is not a terminal).
    #[arg(long)]
    yes: bool,
    /// Output format: text for people, json for scripts (one object on stdout).
    #[arg(long, value_enum, default_value_t = Output::Text)]
    output: Output,
    /// Print the app client secret (hidden otherwise).
    #[arg(long)]
    show_secret: bool,
    /// Create or update COGNITO_POOL_ID, COGNITO_CLIENT_ID, COGNITO_CLIENT_SECRET and AWS_REGION in this
    /// credere-backend `.env` file (a symlink is followed), keeping its other lines, owner and group; group and
    /// other lose access (0600). Checked before any AWS call.
    #[arg(long, value_name = "FILE", conflicts_with = "check")]
    write_env: Option<PathBuf>,
    /// SES identity ARN for production email: an identity of the address, its domain or a parent domain
    /// (default: the live pool's when it covers the address, else built from the caller's account and region).
    #[arg(long, value_name = "ARN")]
    ses_identity_arn: Option<String>,
    /// Manage this pool, when several pools share the spec's name.
    #[arg(long, value_name = "ID")]
    pool_id: Option<String>,
    #[command(flatten)]
    aws: AwsArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Output {
    Text,
    Json,
}

/// What `--output json` prints.
#[derive(Debug, Serialize)]
struct Report<'a> {
    environment: Environment,
    region: &'a str,
    pool_name: &'a str,
    pool_id: Option<&'a str>,
    pool_arn: Option<&'a str>,
    client_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_secret: Option<&'a str>,
    create_pool: bool,
    create_client: bool,
    changes: &'a [pool_spec::Change],
    conflicts: &'a [pool_spec::Conflict],
    converged: bool,
    applied: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(provision(args))
}

async fn provision(args: Args) -> anyhow::Result<ExitCode> {
    if let Some(path) = &args.write_env {
        crate::interrupt::remove_temporary_files_and_exit()?;
        // Before any call: a pool made for a file that cannot be written is a pool nobody records.
        dotenv_file::check_writable(path).context("checking --write-env before anything else; nothing was done")?;
    }
    let spec = pool_spec::for_environment(args.env);
    let cognito = args.aws.connect(&args.aws.connect_options()).await?;
    let prepared = cognito
        .prepare(&spec, args.ses_identity_arn.as_deref(), args.pool_id.as_deref())
        .await
        .with_context(|| format!("planning the {} pool `{}`", args.env, spec.pool.name))?;
    let Prepared {
        plan,
        passed_over,
        ses_identity,
    } = &prepared;
    if !passed_over.is_empty() {
        eprintln!(
            "note: also named `{}` but without this tool's tags, so left alone: {}",
            spec.pool.name,
            passed_over.join(", ")
        );
    }
    if args.output == Output::Text {
        print_plan(args.env, &spec.pool.name, cognito.region(), plan);
        print_ses_identity(plan.desired(), ses_identity.as_ref());
        if let Some(live) = plan.live() {
            print_unreadable(&live.unreadable);
        }
    }
    if args.check {
        if args.output == Output::Json {
            let applied = plan.live().map(LivePool::as_applied);
            print_json(&args, &cognito, &spec.pool.name, plan, applied.as_ref(), false)?;
        }
        return Ok(if plan.is_converged() {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(CHANGES_NEEDED)
        });
    }
    let action = match plan {
        Plan::Apply(action) => action,
        Plan::Refuse(refusal) => bail!(
            "refusing to apply: {} setting(s) differ that Cognito never changes after creation (listed above). \
             Nothing was changed. The specs are in crates/pool-spec/src/spec.rs.",
            refusal.conflicts().len()
        ),
    };
    if !plan.is_converged() && pool_spec::needs_confirmation(Some(args.env)) && !args.yes {
        confirm(&spec.pool.name, plan)?;
    }
    // A converged plan makes no call: this only reads the IDs and secret back from the live pool.
    let applied = match cognito.apply(action).await {
        Ok(applied) => applied,
        Err(error) => {
            let domain_arn = domain_identity_arn(&error, ses_identity.as_ref());
            let error = anyhow::Error::new(error).context(
                "applying the plan; nothing after the failed call was applied. Run the same command again: \
                 it plans from what now exists and finishes the job",
            );
            return Err(match domain_arn {
                Some(arn) => error.context(format!(
                    "SES refused the identity ARN built for the address {}. When only its domain is verified in \
                     SES (the common set-up), run again with --ses-identity-arn {arn}",
                    pool_spec::SES_IDENTITY
                )),
                None => error,
            });
        }
    };
    if let Some(path) = &args.write_env {
        let secret = applied
            .client_secret
            .as_ref()
            .map_or("", |secret| secret.expose_secret());
        dotenv_file::write(
            path,
            &[
                ("COGNITO_POOL_ID", &applied.pool_id),
                ("COGNITO_CLIENT_ID", &applied.client_id),
                ("COGNITO_CLIENT_SECRET", secret),
                ("AWS_REGION", cognito.region()),
            ],
        )
        .context(
            "the pool and app client are in place, but --write-env failed and left the file as it was. Fix the \
             cause and run the same command again: it finds them and writes the file",
        )?;
    }
    match args.output {
        Output::Json => print_json(
            &args,
            &cognito,
            &spec.pool.name,
            plan,
            Some(&applied),
            !plan.is_converged(),
        )?,
        Output::Text => print_result(&args, &applied, plan),
    }
    Ok(ExitCode::SUCCESS)
}

/// The plan's own lines (its `Display`), under a heading that says which pool they are about.
#[allow(clippy::print_stdout)]
fn print_plan(environment: Environment, name: &str, region: &str, plan: &Plan<LivePool>) {
    let id = plan.live().map_or("not found", |live| live.id.as_str());
    println!("Plan for the {environment} user pool `{name}` ({id}) in {region}:");
    for line in plan.to_string().lines() {
        println!("  {line}");
    }
}

/// Live settings an update would reset because this build cannot read them.
#[allow(clippy::print_stdout)]
fn print_unreadable(unreadable: &cognito::Unreadable) {
    for (resource, members) in [("pool", &unreadable.pool), ("app client", &unreadable.client)] {
        if !members.is_empty() {
            println!(
                "  note: the {resource} has settings this tool cannot read ({}); it refuses to update the {resource}",
                members.join(", ")
            );
        }
    }
}

/// The ARN of the spec's address's domain, when SES refused the ARN this run built for the address itself:
/// an address ARN is refused where only the domain is verified.
fn domain_identity_arn(error: &cognito::Error, source: Option<&SesIdentitySource>) -> Option<String> {
    let refused = error
        .api_failure()
        .is_some_and(|failure| failure.kind() == cognito::ApiErrorKind::SesIdentityNotVerified);
    match source {
        Some(SesIdentitySource::Built { account, region }) if refused => Some(pool_spec::ses_identity_arn(
            region,
            account,
            pool_spec::ses_identity_domain(),
        )),
        _ => None,
    }
}

/// Which SES identity the plan uses, and why that one.
#[allow(clippy::print_stdout)]
fn print_ses_identity(desired: &pool_spec::DesiredState, source: Option<&SesIdentitySource>) {
    if let (Some(source), pool_spec::EmailConfiguration::Developer { source_arn, .. }) = (source, desired.email()) {
        println!("  SES identity: {source_arn} ({source})");
    }
}

#[allow(clippy::print_stdout)]
fn print_result(args: &Args, applied: &Applied, plan: &Plan<LivePool>) {
    if !plan.is_converged() {
        println!("Applied.");
    }
    println!("Pool ID:       {}", applied.pool_id);
    println!("Pool ARN:      {}", applied.pool_arn.as_deref().unwrap_or("unknown"));
    println!("Client ID:     {}", applied.client_id);
    match (&applied.client_secret, args.show_secret) {
        (Some(secret), true) => println!("Client secret: {}", secret.expose_secret()),
        (Some(_), false) => println!("Client secret: hidden (--show-secret prints it, --write-env FILE stores it)"),
        (None, _) => println!("Client secret: none"),
    }
    if let Some(path) = &args.write_env {
        println!(
            "Wrote COGNITO_POOL_ID, COGNITO_CLIENT_ID, COGNITO_CLIENT_SECRET and AWS_REGION to {} (owner-only access)",
            path.display()
        );
    }
}

fn print_json(
    args: &Args,
    cognito: &Cognito,
    pool_name: &str,
    plan: &Plan<LivePool>,
    applied: Option<&Applied>,
    did_apply: bool,
) -> anyhow::Result<()> {
    let report = Report {
        environment: args.env,
        region: cognito.region(),
        pool_name,
        pool_id: applied.map(|applied| applied.pool_id.as_str()),
        pool_arn: applied.and_then(|applied| applied.pool_arn.as_deref()),
        client_id: applied
            .map(|applied| applied.client_id.as_str())
            .filter(|id| !id.is_empty()),
        client_secret: applied
            .and_then(|applied| applied.client_secret.as_ref())
            .filter(|_| args.show_secret)
            .map(|secret| secret.expose_secret()),
        create_pool: plan.creates_pool(),
        create_client: plan.creates_client(),
        changes: plan.changes(),
        conflicts: plan.conflicts(),
        converged: plan.is_converged(),
        applied: did_apply,
    };
    let mut stdout = std::io::stdout().lock();
    serde_json::to_writer(&mut stdout, &report)?;
    writeln!(stdout)?;
    Ok(())
}

/// Production changes need a person's yes on a terminal, or `--yes`.
fn confirm(pool_name: &str, plan: &Plan<LivePool>) -> anyhow::Result<()> {
    let count = plan.changes().len() + usize::from(plan.creates_pool()) + usize::from(plan.creates_client());
    crate::confirm::confirm(
        &format!("Apply {count} change(s) to the PRODUCTION pool `{pool_name}`? Type yes to continue: "),
        "refusing to change production without confirmation: stdin is not a terminal. Review the plan \
         (`cargo xtask provision --env production --check`), then re-run with --yes. Nothing was changed.",
    )
}
