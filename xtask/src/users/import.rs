//! `cargo xtask users import`: the users of a `users export` file moved into another pool (created without an
//! invitation, disabled again, put back in their groups), then every `credere_user` row pointed at them in one
//! transaction; with `--send-reset`, credere-backend then emails a password-reset link to each enabled user of the
//! file that has no password of its own in the target pool (one who set a password there is not emailed again).
//! Exit codes: 0 done (or nothing to do) and every reset accepted, 1 refused or failed (a re-run finishes the job)
//! or a reset not accepted (reported after the whole list; the import itself is done).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write;
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::process::ExitCode;

use admin_bootstrap::{ResetOutcome, ResetTarget};
use anyhow::Context;
use pool_spec::{Environment, Shown};
use user_import::{InTarget, Move, Plan, RowLink};

use crate::aws::{AwsArgs, runtime};
use crate::confirm::Confirmation;
use crate::progress::{UsersRead, UsersWritten};

/// How the result is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Output {
    /// The plan on stderr, then what was done.
    Text,
    /// What was done, as one JSON object.
    Json,
}

/// Flags of `cargo xtask users import`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The file `cargo xtask users export` wrote.
    #[arg(long, value_name = "FILE")]
    from: PathBuf,
    /// The environment whose pool (by the spec's name and tags) the users move to.
    #[arg(long = "env", value_name = "ENV", required_unless_present = "pool_id")]
    environment: Option<Environment>,
    /// The pool the users move to (never read from COGNITO_POOL_ID: that names the old pool until the switch).
    /// Must agree with --env.
    #[arg(long, value_name = "ID")]
    pool_id: Option<String>,
    /// The Credere database whose credere_user rows are relinked; else DATABASE_URL (from --env-file, then the
    /// environment).
    #[arg(long, value_name = "URL")]
    database_url: Option<String>,
    /// A credere-backend `.env` to read DATABASE_URL from (its COGNITO_POOL_ID and AWS_REGION name the old pool,
    /// so they are not read).
    #[arg(long, value_name = "PATH")]
    env_file: Option<PathBuf>,
    /// Make the changes without asking (needed when stdin is not a terminal, unless the pool is development's).
    #[arg(long)]
    yes: bool,
    /// At most this many Cognito calls a second, retries included; throttling slows the import down
    /// (AdminCreateUser's quota is 50 a second per account and region, shared with anything else creating users).
    #[arg(long, value_name = "N", default_value = "20")]
    max_rps: NonZeroU32,
    /// After the relink, ask credere-backend to email a password-reset link (as the frontend's "Forgot Password?"
    /// does) to each enabled user of the file with no password of its own in the new pool (not one who set a
    /// password there since), at most --max-rps a second. credere-backend must already use the new pool: run the
    /// import again with it after the switch.
    #[arg(long, requires = "backend_url")]
    send_reset: bool,
    /// credere-backend's base URL, for --send-reset.
    #[arg(long, value_name = "URL", requires = "send_reset")]
    backend_url: Option<String>,
    /// How to print the result.
    #[arg(long, value_enum, default_value = "text")]
    output: Output,
    #[command(flatten)]
    aws: AwsArgs,
}

/// What `--output json` prints: the import's report, and with `--send-reset` each reset's answer.
#[derive(serde::Serialize)]
struct Printed<'a> {
    #[serde(flatten)]
    report: &'a user_import::Report,
    #[serde(skip_serializing_if = "Option::is_none")]
    resets: Option<&'a [Reset]>,
}

/// One `--send-reset` request and its answer.
#[derive(serde::Serialize)]
struct Reset {
    email: String,
    #[serde(flatten)]
    outcome: ResetOutcome,
}

/// Reads the file, prepares the database, plans, asks, imports and prints what was done.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let export = std::fs::File::open(&args.from)
        .map_err(user_export::ReadError::Io)
        .and_then(|file| user_export::read(std::io::BufReader::new(file)))
        .with_context(|| format!("reading --from {}; nothing was done", args.from.display()))?;
    let reset = args
        .backend_url
        .as_deref()
        .map(ResetTarget::parse)
        .transpose()
        .context("invalid input, nothing was done")?;
    let pool = cognito::PoolChoice::from_flags(args.environment, args.pool_id.as_deref())
        .context("invalid input, nothing was done")?;
    let file = crate::admin::backend_env(args.env_file.as_deref())?;
    let Some(url) = args
        .database_url
        .clone()
        .or(file.database_url)
        .or_else(|| std::env::var("DATABASE_URL").ok())
    else {
        anyhow::bail!(
            "no database: the credere_user rows must be relinked. Pass --database-url URL or --env-file PATH \
             (credere-backend's .env); nothing was done"
        );
    };
    let url = user_model::DatabaseUrl::parse(&url).context("invalid --database-url, nothing was done")?;
    let mut options = args.aws.connect_options();
    // The new pool's region is in its ID; a move by --env names it with --region.
    options.region = options.region.or_else(|| {
        let id = args.pool_id.as_deref()?;
        cognito::pool_region(id.trim()).map(str::to_owned)
    });
    let text = args.output == Output::Text;
    let runtime = runtime()?;
    let (cognito, store) = runtime.block_on(async {
        let cognito = args.aws.connect(&options).await?;
        let store = user_import::prepare_database(&url, &export).await?;
        anyhow::Ok((cognito, store))
    })?;
    let plan_now = async || {
        let progress = UsersRead::on_stderr(text);
        user_import::plan(&cognito, &pool, &export, &store, args.max_rps, &progress)
            .await
            .map_err(anyhow::Error::from)
    };
    let mut plan = runtime.block_on(plan_now())?;
    let reset = reset.as_ref();
    let show = |plan: &Plan| plan_text(plan, reset);
    // Emailing users is a change of its own: a re-run that only sends the resets is asked about too.
    let changes_anything = |plan: &Plan| plan.changes_anything() || reset.is_some_and(|_| emailed(plan).count() > 0);
    eprint!("{}", show(&plan));
    if changes_anything(&plan) && pool_spec::needs_confirmation(pool.environment()) && !args.yes {
        let confirmation = Confirmation {
            show: &show,
            question: &|plan: &Plan| {
                let resets = match reset {
                    Some(_) => format!(
                        " and have credere-backend email {} user(s) a password-reset link",
                        emailed(plan).count()
                    ),
                    None => String::new(),
                };
                format!(
                    "Move {} user(s) into pool {}, relink {} row(s){resets}? Type yes to continue: ",
                    plan.users.len(),
                    Shown(&plan.target.id),
                    relinks(plan)
                )
            },
            changes_anything: &changes_anything,
            without_terminal: if pool.environment().is_some() {
                "the target pool is not the development environment's and stdin is not a terminal: run again with \
                 --yes to confirm. Nothing was changed"
            } else {
                "stdin is not a terminal, so the plan cannot be confirmed here, and a pool named by --pool-id is \
                 treated as production (this tool cannot tell whether it is the development environment's): run \
                 again with --yes to confirm, or with --env development if it is that environment's pool. Nothing \
                 was changed"
            },
        };
        // What was confirmed is what is carried out: a plan that moved while the person decided was shown again.
        plan = runtime.block_on(crate::confirm::confirm_current(plan, true, &confirmation, plan_now))?;
    }
    let progress = UsersWritten::on_stderr(text);
    let report = runtime.block_on(user_import::import(&cognito, &plan, &store, args.max_rps, &progress))?;
    drop(progress);
    let resets = reset.map(|target| runtime.block_on(send_resets(target, &plan, args.max_rps)));
    print(&args, &report, resets.as_deref())
}

/// The users `--send-reset` emails: the enabled ones with no password of their own in the target pool (created
/// by this run, or still on no password there). One who set a password there needs no reset, and a reset would
/// replace it; so a second `--send-reset` emails only those who have not acted yet.
fn emailed(plan: &Plan) -> impl Iterator<Item = &Move> {
    plan.users.iter().filter(|moved| is_emailed(moved))
}

/// Whether `--send-reset` emails `moved` (see [`emailed`]).
fn is_emailed(moved: &Move) -> bool {
    moved.enabled && !admin_bootstrap::replaces_own_password(&moved.target_status())
}

/// Asks credere-backend for a reset email for each user [`emailed`] names, one request at a time within the
/// `--max-rps` budget; a failed request is reported, never stops the others. The other enabled users are reported
/// as not sent, with their status in the target pool.
async fn send_resets(target: &ResetTarget, plan: &Plan, max_rps: NonZeroU32) -> Vec<Reset> {
    let limit = cognito::RateLimit::per_second(max_rps);
    let mut resets = Vec::new();
    for moved in plan.users.iter().filter(|moved| moved.enabled) {
        // Only a request waits its turn; one who set a password in the target pool is reported as not sent.
        if is_emailed(moved) {
            limit.wait().await;
        }
        let outcome =
            admin_bootstrap::reset_unless_own_password(target, &moved.email, &moved.target_status(), false).await;
        resets.push(Reset {
            email: moved.email.clone(),
            outcome,
        });
    }
    resets
}

fn print(args: &Args, report: &user_import::Report, resets: Option<&[Reset]>) -> anyhow::Result<ExitCode> {
    let mut out = crate::out::stdout();
    match args.output {
        Output::Json => writeln!(out, "{}", serde_json::to_string(&Printed { report, resets })?)?,
        Output::Text => {
            writeln!(
                out,
                "Pool {} ({}): {} user(s) of the file; {} created, {} disabled, {} group(s) created, {} membership(s) \
                 added; {} credere_user row(s) relinked in one transaction, {} left alone.",
                Shown(&report.pool_id),
                Shown(&report.region),
                report.users,
                report.created,
                report.disabled,
                report.groups_created,
                report.memberships_added,
                report.rows_relinked,
                report.rows_left_alone
            )?;
            for reset in resets.unwrap_or_default() {
                let answer = match &reset.outcome {
                    ResetOutcome::Answered { status, .. } if reset.outcome.succeeded() => {
                        format!("requested (HTTP {status})")
                    }
                    ResetOutcome::Answered { status, .. } => format!("NOT accepted: HTTP {status}"),
                    ResetOutcome::NoAnswer { reason, .. } => format!("no answer, it may have been sent: {reason}"),
                    ResetOutcome::Unreachable { reason, .. } => format!("NOT sent: {reason}"),
                    ResetOutcome::NotSent { cognito_status, .. } => {
                        format!("not sent: {cognito_status} in the target pool, it set a password of its own")
                    }
                };
                writeln!(out, "  reset     {}: {answer}", Shown(&reset.email))?;
            }
            // With --send-reset, credere-backend already uses the new pool (the documented order).
            let next = if resets.is_some() {
                "Next: each user whose reset was requested sets a password from the emailed link, then an \
                 authenticator app; the others need nothing, or choose \"Forgot Password?\"."
            } else {
                "Next: point credere-backend at the new pool (provision --write-env) and restart it, then run this \
                 command again with --send-reset --backend-url URL (or have each user choose \"Forgot Password?\"): \
                 passwords and authenticator apps did not move."
            };
            writeln!(out, "{next}")?;
        }
    }
    // A user not emailed because it set a password is as planned, not a failure.
    let every_reset_accepted = resets
        .unwrap_or_default()
        .iter()
        .all(|reset| reset.outcome.succeeded() || matches!(reset.outcome, ResetOutcome::NotSent { .. }));
    Ok(if every_reset_accepted {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn relinks(plan: &Plan) -> usize {
    plan.rows
        .iter()
        .filter(|row| matches!(row.link, RowLink::Relink { .. }))
        .count()
}

/// The plan as a person reads it, with the resets `--send-reset` asks for; values from the file, Cognito and the
/// database go through [`Shown`].
fn plan_text(plan: &Plan, reset: Option<&ResetTarget>) -> String {
    let mut text = String::new();
    write_plan(&mut text, plan, reset).expect("writing to a String cannot fail");
    text
}

fn write_plan(out: &mut String, plan: &Plan, reset: Option<&ResetTarget>) -> std::fmt::Result {
    writeln!(
        out,
        "Moving the users of pool {} ({}, {}) into pool {} ({}, {}):",
        Shown(&plan.source.id),
        Shown(&plan.source.name),
        Shown(&plan.source.region),
        Shown(&plan.target.id),
        Shown(&plan.target.name),
        Shown(&plan.target.region)
    )?;
    for group in &plan.groups_to_create {
        writeln!(out, "  group     {}: created (CreateGroup)", Shown(&group.name))?;
    }
    for moved in &plan.users {
        let state = if moved.enabled { "enabled" } else { "disabled" };
        let joins = if moved.joins.is_empty() {
            String::new()
        } else {
            let names: Vec<String> = moved.joins.iter().map(|group| Shown(group).to_string()).collect();
            format!(", added to {}", names.join(", "))
        };
        match &moved.target {
            InTarget::Create => writeln!(
                out,
                "  create    {} ({state}, was {}){joins}",
                Shown(&moved.email),
                Shown(&moved.old_status)
            )?,
            InTarget::Exists {
                username,
                disable,
                differing,
                ..
            } => {
                let disable = if *disable { ", disabled" } else { "" };
                let differing = if differing.is_empty() {
                    String::new()
                } else {
                    let names: Vec<String> = differing.iter().map(|name| Shown(name).to_string()).collect();
                    format!(" (kept as there: {})", names.join(", "))
                };
                writeln!(
                    out,
                    "  exists    {} as {}{differing}: skipped{disable}{joins}",
                    Shown(&moved.email),
                    Shown(username)
                )?;
            }
        }
    }
    for row in &plan.rows {
        match &row.link {
            RowLink::Relink { to, file_email } => {
                let to = to
                    .as_deref()
                    .map_or_else(|| "the user created".to_owned(), |username| Shown(username).to_string());
                writeln!(
                    out,
                    "  relink    credere_user id {} ({}): external_id {} -> {to}",
                    row.id,
                    Shown(&row.email),
                    Shown(&row.external_id)
                )?;
                if let Some(email) = file_email {
                    writeln!(
                        out,
                        "            note: its user in the file has the email {}, not the row's",
                        Shown(email)
                    )?;
                }
            }
            RowLink::Relinked => {}
            RowLink::NoUserInFile => writeln!(
                out,
                "  no user   credere_user id {} ({}): external_id {} is no user of the file; left alone",
                row.id,
                Shown(&row.email),
                Shown(&row.external_id)
            )?,
        }
    }
    for user in &plan.target_only {
        writeln!(
            out,
            "  other     {} is in the target pool but not in the file; left alone",
            Shown(user)
        )?;
    }
    let relinked = plan.rows.iter().filter(|row| row.link == RowLink::Relinked).count();
    writeln!(
        out,
        "  {} to create, {} already there; {} row(s) to relink in one transaction, {relinked} already relinked.",
        plan.creates(),
        plan.users.len() - plan.creates(),
        relinks(plan)
    )?;
    writeln!(
        out,
        "  Passwords and authenticator apps cannot be moved: created users have neither, and each sets a password \
         through \"Forgot Password?\" (then a new authenticator)."
    )?;
    if let Some(reset) = reset {
        // The URL holds no credentials: ResetTarget refuses them.
        writeln!(
            out,
            "  reset     credere-backend (POST {}) emails a password-reset link to {} enabled user(s) with no \
             password of their own in the target pool, after the relink",
            reset.url(),
            emailed(plan).count()
        )?;
        let mut kept: BTreeMap<String, usize> = BTreeMap::new();
        for moved in plan.users.iter().filter(|moved| moved.enabled) {
            let status = moved.target_status();
            if admin_bootstrap::replaces_own_password(&status) {
                *kept.entry(status.to_string()).or_default() += 1;
            }
        }
        for (status, users) in kept {
            writeln!(
                out,
                "            not emailed: {users} enabled user(s) who set a password in the target pool ({status})"
            )?;
        }
    }
    Ok(())
}
