//! `cargo xtask provision --env ENV`: show the plan for an environment's pool and app client, then
//! apply it. `--check` only plans (exit 0 converged, 2 changes needed, 1 error). `--new-pool` plans a second
//! pool beside the existing one.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use cognito::{Applied, Cognito, ExposeSecret, KnownSecret, LivePool, Prepared, SesIdentitySource};
use pool_spec::{Environment, Plan, Shown};
use serde::Serialize;

use crate::aws::{AwsArgs, runtime};
use crate::confirm::Confirmation;
use crate::out::outln;

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
    /// credere-backend `.env` file (a symlink is followed), and the secret's ID as the comment
    /// `# COGNITO_CLIENT_SECRET_ID=…`, keeping its other lines, owner and group; group and other lose access (0600).
    /// The secret is left as it is when the client's was rotated. Checked before any AWS call.
    #[arg(long, value_name = "FILE", conflicts_with = "check")]
    write_env: Option<PathBuf>,
    /// SES identity ARN for production email: an identity of the address, its domain or a parent domain
    /// (default: the live pool's when it covers the address, else built from the caller's account and region).
    #[arg(long, value_name = "ARN")]
    ses_identity_arn: Option<String>,
    /// Manage this pool, when several pools share the spec's name.
    #[arg(long, value_name = "ID")]
    pool_id: Option<String>,
    /// Create a second pool and app client from the spec beside the existing one, which stays as it is (to move
    /// users to settings Cognito never changes). From then on --pool-id chooses between the two.
    #[arg(long, conflicts_with = "pool_id")]
    new_pool: bool,
    #[command(flatten)]
    aws: AwsArgs,
}

/// `--output`, of `provision` and `rotate-secret`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Output {
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
    /// The IDs of the secrets the client holds (two while a rotation is under way).
    client_secret_ids: Vec<&'a str>,
    create_pool: bool,
    /// The pool of the same name a new pool is created beside (`--new-pool`), which stays as it is.
    beside_pool_id: Option<&'a str>,
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
    let prepare = async || {
        let ses_identity_arn = args.ses_identity_arn.as_deref();
        let prepared = if args.new_pool {
            cognito.prepare_new_pool(&spec, ses_identity_arn).await
        } else {
            cognito.prepare(&spec, ses_identity_arn, args.pool_id.as_deref()).await
        };
        prepared.with_context(|| format!("planning the {} pool `{}`", args.env, spec.pool.name))
    };
    let mut prepared = prepare().await?;
    if !prepared.passed_over.is_empty() {
        eprintln!(
            "note: also named `{}` but without this tool's tags, so left alone: {}",
            spec.pool.name,
            prepared.passed_over.join(", ")
        );
    }
    let show = |prepared: &Prepared| plan_text(args.env, &spec.pool.name, cognito.region(), prepared);
    if args.output == Output::Text {
        print_plan(&show(&prepared));
    }
    if args.check {
        let plan = &prepared.plan;
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
    refuse_conflicts(&prepared.plan)?;
    if !prepared.plan.is_converged() && pool_spec::needs_confirmation(Some(args.env)) && !args.yes {
        let new_pool = if args.new_pool { " --new-pool" } else { "" };
        let without_terminal = format!(
            "refusing to change production without confirmation: stdin is not a terminal. Review the plan (`cargo \
             xtask provision --env production{new_pool} --check`), then re-run with --yes. Nothing was changed."
        );
        let confirmation = Confirmation {
            show: &show,
            question: &|prepared: &Prepared| question(&spec.pool.name, &prepared.plan),
            changes_anything: &|prepared: &Prepared| !prepared.plan.is_converged(),
            without_terminal: &without_terminal,
        };
        let on_screen = args.output == Output::Text && crate::confirm::stdout_on_screen();
        prepared = crate::confirm::confirm_current(prepared, on_screen, &confirmation, prepare).await?;
    }
    let Prepared { plan, ses_identity, .. } = &prepared;
    let action = refuse_conflicts(plan)?;
    // A converged plan makes no call: this only reads the IDs and secret back from the live pool.
    let applied = match cognito.apply(action).await {
        Ok(applied) => applied,
        Err(error) => {
            let domain_arn = domain_identity_arn(&error, ses_identity.as_ref());
            let rerun = match &error {
                // The same command would refuse: the new pool is one more of the name now.
                cognito::Error::Unfinished { pool_id, .. } if args.new_pool => {
                    format!("Run it again with --pool-id {pool_id} instead of --new-pool")
                }
                _ => "Run the same command again".to_owned(),
            };
            let error = anyhow::Error::new(error).context(format!(
                "applying the plan; nothing after the failed call was applied. {rerun}: it plans from what now \
                 exists and finishes the job"
            ));
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
        let mut settings = vec![
            ("COGNITO_POOL_ID", applied.pool_id.as_str()),
            ("COGNITO_CLIENT_ID", applied.client_id.as_str()),
            ("AWS_REGION", cognito.region()),
        ];
        // Only a secret this run knows to be the one in use is written: after a rotation, Describe's is not. Its ID
        // is a note (a comment), which credere-backend's settings never see; else the file's ID is kept as one.
        let secret_id = match &applied.client_secret {
            KnownSecret::Value { id, value } => {
                settings.push(("COGNITO_CLIENT_SECRET", value.expose_secret()));
                Some(id.as_str())
            }
            KnownSecret::None => {
                settings.push(("COGNITO_CLIENT_SECRET", ""));
                Some("")
            }
            KnownSecret::NotLearned { .. } => None,
        };
        dotenv_file::write_with_notes(path, &settings, &[admin_bootstrap::client_secret_id_note(secret_id)]).context(
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

/// The plan on stdout, for text output.
fn print_plan(text: &str) {
    use std::io::Write as _;
    let _ = write!(crate::out::stdout(), "{text}");
}

/// The plan's own lines (its `Display`) under a heading that says which pool they are about, the SES identity
/// it uses, and live settings this build cannot read: what a person reads before confirming.
fn plan_text(environment: Environment, name: &str, region: &str, prepared: &Prepared) -> String {
    let mut text = String::new();
    write_plan(&mut text, environment, name, region, prepared).expect("writing to a String cannot fail");
    text
}

fn write_plan(
    out: &mut impl std::fmt::Write,
    environment: Environment,
    name: &str,
    region: &str,
    prepared: &Prepared,
) -> std::fmt::Result {
    let plan = &prepared.plan;
    let id = match (plan.live(), plan.beside()) {
        (Some(live), _) => live.id.clone(),
        (None, Some(beside)) => format!("a new one beside {}", Shown(beside)),
        (None, None) => "not found".to_owned(),
    };
    writeln!(out, "Plan for the {environment} user pool `{name}` ({id}) in {region}:")?;
    for line in plan.to_string().lines() {
        writeln!(out, "  {line}")?;
    }
    write_ses_identity(out, plan.desired(), prepared.ses_identity.as_ref())?;
    if let Some(live) = plan.live() {
        write_unreadable(out, &live.unreadable)?;
        write_rotation(out, live)?;
    }
    Ok(())
}

/// Live settings an update would reset because this build cannot read them.
fn write_unreadable(out: &mut impl std::fmt::Write, unreadable: &cognito::Unreadable) -> std::fmt::Result {
    for (resource, members) in [("pool", &unreadable.pool), ("app client", &unreadable.client)] {
        if !members.is_empty() {
            writeln!(
                out,
                "  note: the {resource} has settings this tool cannot read ({}); it refuses to update the {resource}",
                Shown(&members.join(", "))
            )?;
        }
    }
    Ok(())
}

/// What may be applied: a plan with conflicts is refused, whether it was the first or a fresh one.
fn refuse_conflicts(plan: &Plan<LivePool>) -> anyhow::Result<&pool_spec::Action<LivePool>> {
    match plan {
        Plan::Apply(action) => Ok(action),
        Plan::Refuse(refusal) => bail!(
            "refusing to apply: {} setting(s) differ that Cognito never changes after creation (listed above). \
             Nothing was changed. The specs are in crates/pool-spec/src/spec.rs.",
            refusal.conflicts().len()
        ),
    }
}

/// A client holding two secrets is in the middle of a rotation: not drift, but worth saying.
fn write_rotation(out: &mut impl std::fmt::Write, live: &LivePool) -> std::fmt::Result {
    if let Some(client) = live.client.as_ref().filter(|client| client.secrets.len() > 1) {
        let ids: Vec<&str> = client.secrets.iter().map(|secret| secret.id.as_str()).collect();
        writeln!(
            out,
            "  note: the app client holds {} ({}): a secret rotation is under way, which is not drift",
            secrets_count(ids.len()),
            Shown(&ids.join(", "))
        )?;
    }
    Ok(())
}

fn secrets_count(count: usize) -> String {
    match count {
        1 => "one secret".to_owned(),
        count => format!("{count} secrets"),
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
fn write_ses_identity(
    out: &mut impl std::fmt::Write,
    desired: &pool_spec::DesiredState,
    source: Option<&SesIdentitySource>,
) -> std::fmt::Result {
    if let (Some(source), pool_spec::EmailConfiguration::Developer { source_arn, .. }) = (source, desired.email()) {
        writeln!(out, "  SES identity: {source_arn} ({source})")?;
    }
    Ok(())
}

fn print_result(args: &Args, applied: &Applied, plan: &Plan<LivePool>) {
    if !plan.is_converged() {
        outln!("Applied.");
    }
    if let Some(beside) = plan.beside() {
        outln!(
            "Created beside {} (unchanged). While both exist, commands on the {} environment need --pool-id: {} for \
             this pool, {} for the other.",
            Shown(beside),
            args.env,
            Shown(&applied.pool_id),
            Shown(beside)
        );
    }
    outln!("Pool ID:       {}", Shown(&applied.pool_id));
    outln!(
        "Pool ARN:      {}",
        Shown(applied.pool_arn.as_deref().unwrap_or("unknown"))
    );
    outln!("Client ID:     {}", Shown(&applied.client_id));
    match (&applied.client_secret, args.show_secret) {
        (KnownSecret::Value { id, value }, true) => {
            outln!("Client secret: {}", value.expose_secret());
            outln!("Secret ID:     {}", Shown(id));
        }
        (KnownSecret::Value { id, .. }, false) => {
            outln!("Client secret: hidden (--show-secret prints it, --write-env FILE stores it)");
            outln!("Secret ID:     {}", Shown(id));
        }
        (KnownSecret::None, _) => outln!("Client secret: none"),
        (KnownSecret::NotLearned { ids }, _) => outln!(
            "Client secret: not known to this run: the client holds {} ({}), and Cognito shows the value of \
             none that may be in use (its secret was rotated). The secret in credere-backend's .env stays as it is.",
            secrets_count(ids.len()),
            Shown(&ids.join(", "))
        ),
    }
    if let Some(path) = &args.write_env {
        let (secret, secret_id) = match applied.client_secret {
            KnownSecret::NotLearned { .. } => ("", ""),
            KnownSecret::Value { .. } | KnownSecret::None => (
                ", COGNITO_CLIENT_SECRET",
                ", and the secret's ID as the comment `# COGNITO_CLIENT_SECRET_ID=…`",
            ),
        };
        outln!(
            "Wrote COGNITO_POOL_ID, COGNITO_CLIENT_ID{secret} and AWS_REGION to {} (owner-only access){secret_id}",
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
            .and_then(|applied| applied.client_secret.value())
            .filter(|_| args.show_secret)
            .map(|secret| secret.expose_secret()),
        client_secret_ids: applied.map_or_else(Vec::new, |applied| match &applied.client_secret {
            KnownSecret::Value { id, .. } => vec![id.as_str()],
            KnownSecret::NotLearned { ids } => ids.iter().map(String::as_str).collect(),
            KnownSecret::None => Vec::new(),
        }),
        create_pool: plan.creates_pool(),
        beside_pool_id: plan.beside(),
        create_client: plan.creates_client(),
        changes: plan.changes(),
        conflicts: plan.conflicts(),
        converged: plan.is_converged(),
        applied: did_apply,
    };
    let mut stdout = crate::out::stdout();
    serde_json::to_writer(&mut stdout, &report)?;
    writeln!(stdout)?;
    Ok(())
}

/// What production's prompt asks: how many changes, to which pool, or whether to create a second one.
fn question(pool_name: &str, plan: &Plan<LivePool>) -> String {
    if let Some(beside) = plan.beside() {
        return format!(
            "Create a SECOND PRODUCTION pool `{pool_name}` beside {}? Type yes to continue: ",
            Shown(beside)
        );
    }
    let count = plan.changes().len() + usize::from(plan.creates_pool()) + usize::from(plan.creates_client());
    format!("Apply {count} change(s) to the PRODUCTION pool `{pool_name}`? Type yes to continue: ")
}
