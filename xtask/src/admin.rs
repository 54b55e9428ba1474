//! `cargo xtask admin`: bootstrap a first administrator (the Cognito user and its `credere_user` row); its
//! subcommands `disable`, `enable` and `reset-mfa` (module [`access`]) act on an existing user in Cognito only.
//!
//! Parses the flags, gathers the settings (flag, else the `--env-file`, else the process environment),
//! calls `admin_bootstrap`, and prints the report. Exit codes: 0 done (or nothing to do), 1 refused or failed.

mod access;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use admin_bootstrap::{BACKEND_DEFAULT_REGION, BackendEnv, BootstrapPlan, Report, Request, ResetOutcome};
use anyhow::Context;
use cognito::PoolChoice;

use crate::aws::{AwsArgs, runtime};
use crate::confirm::Confirmation;
use pool_spec::{AdminDefaults, Environment, Shown};

/// How the report is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Output {
    /// One line per step, then the next step to take.
    Text,
    /// The report as one JSON object.
    Json,
}

/// Flags of `cargo xtask admin`; a subcommand instead acts on an existing user.
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct Args {
    #[command(subcommand)]
    operation: Option<Box<access::Command>>,
    /// The admin's email (trimmed and lower-cased); also their Cognito sign-in.
    #[arg(long, required = true)]
    email: Option<String>,
    /// The admin's display name, stored verbatim.
    #[arg(long, required = true)]
    name: Option<String>,
    /// The language Credere shows the admin (the default is the specs' admin language).
    #[arg(long, default_value = AdminDefaults::CREDERE.language.code())]
    language: String,
    /// The environment whose pool (by the spec's name and tags) the admin goes in.
    #[arg(long = "env", value_name = "ENV")]
    environment: Option<Environment>,
    /// The pool ID; else COGNITO_POOL_ID (from --env-file, then the environment). Must agree with --env.
    #[arg(long, value_name = "ID")]
    pool_id: Option<String>,
    /// The Credere database; else DATABASE_URL (from --env-file, then the environment).
    #[arg(long, value_name = "URL")]
    database_url: Option<String>,
    /// A credere-backend `.env` to read DATABASE_URL, COGNITO_POOL_ID and AWS_REGION from.
    #[arg(long, value_name = "PATH")]
    env_file: Option<PathBuf>,
    /// Ask credere-backend to email the admin a link carrying a temporary password (its "Forgot Password?"),
    /// where they set their own. If they already have one, it is replaced: asked first, or needs --yes.
    #[arg(long, requires = "backend_url")]
    send_reset: bool,
    /// credere-backend's base URL, for --send-reset.
    #[arg(long, value_name = "URL", requires = "send_reset")]
    backend_url: Option<String>,
    /// Point an existing row for this email at the Cognito user (shows the old and new external_id).
    #[arg(long)]
    relink: bool,
    /// Make an existing lender (FI) row for this email an OCP administrator.
    #[arg(long)]
    promote: bool,
    /// Make the changes without asking (needed when stdin is not a terminal, unless the pool is development's);
    /// with --send-reset, also replace the password of an admin who has already set one.
    #[arg(long)]
    yes: bool,
    /// How to print the report.
    #[arg(long, value_enum, default_value = "text")]
    output: Output,
    #[command(flatten)]
    aws: AwsArgs,
}

/// Runs the bootstrap and prints its report, or runs the subcommand.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if let Some(operation) = args.operation {
        return access::run(*operation);
    }
    // clap requires both when no subcommand is given.
    let (Some(email), Some(name)) = (args.email.clone(), args.name.clone()) else {
        anyhow::bail!("--email and --name are required to bootstrap an admin");
    };
    let file = backend_env(args.env_file.as_deref())?;
    let request = Request {
        email,
        name,
        language: args.language.clone(),
        environment: args.environment,
        pool_id: setting(&args.pool_id, &file.pool_id, "COGNITO_POOL_ID"),
        database_url: setting(&args.database_url, &file.database_url, "DATABASE_URL"),
        relink: args.relink,
        promote: args.promote,
        reset_backend_url: args.backend_url.clone().filter(|_| args.send_reset),
        reset_confirmed: args.yes,
    };
    let input = request.validate().context("invalid input, nothing was done")?;
    let mut options = args.aws.connect_options();
    options.region = region(options.region, args.env_file.as_deref(), &file);
    let runtime = runtime()?;
    let cognito = runtime.block_on(args.aws.connect(&options))?;
    // Show what will happen before anything happens (on stderr: stdout is the report), and ask where it may be
    // production.
    let plan_now = async || {
        admin_bootstrap::plan_bootstrap(&input, &cognito)
            .await
            .map_err(anyhow::Error::from)
    };
    let plan = runtime.block_on(plan_now())?;
    let show = |plan: &BootstrapPlan| plan_text(&input, plan);
    eprint!("{}", show(&plan));
    if plan.needs_confirmation() && !args.yes {
        let confirmation = Confirmation {
            show: &show,
            question: &|plan: &BootstrapPlan| {
                format!(
                    "Make these changes for the admin {} in pool {}? Type yes to continue: ",
                    input.email(),
                    plan.pool.id
                )
            },
            changes_anything: &BootstrapPlan::changes_anything,
            without_terminal: "this pool is not the development environment's and stdin is not a terminal: run \
                               again with --yes to confirm. Nothing was changed",
        };
        runtime.block_on(crate::confirm::confirm_current(plan, true, &confirmation, plan_now))?;
    }
    let mut report = runtime
        .block_on(admin_bootstrap::bootstrap(&input, &cognito))
        .map_err(anyhow::Error::from)?;
    if let (Some(ResetOutcome::NotSent { cognito_status, .. }), Some(target)) = (&report.password_reset, input.reset())
        && confirm_replacing_password(&report.email, cognito_status)?
    {
        report.password_reset = Some(runtime.block_on(admin_bootstrap::send_password_reset(target, &report.email)));
    }

    let mut out = crate::out::stdout();
    match args.output {
        Output::Json => writeln!(out, "{}", serde_json::to_string(&report)?)?,
        Output::Text => print_text(&mut out, &report)?,
    }
    let reset_failed = report.password_reset.as_ref().is_some_and(|reset| !reset.succeeded());
    Ok(if reset_failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn print_text(out: &mut impl Write, report: &Report) -> std::io::Result<()> {
    let existed = |created: bool, what: &str| {
        if created {
            format!("{what} created")
        } else {
            format!("{what} already existed")
        }
    };
    // The email and name are the row's as stored, the rest Cognito's: shown, so none can rewrite the report.
    writeln!(
        out,
        "Admin {} ({}, {})",
        Shown(&report.email),
        Shown(&report.name),
        report.language
    )?;
    writeln!(
        out,
        "  database  {}: reachable, credere_user schema checked",
        report.database
    )?;
    match (&report.environment, &report.pool_name) {
        (Some(environment), Some(name)) => writeln!(
            out,
            "  pool      {} ({}), the {environment} environment's",
            Shown(&report.pool_id),
            Shown(name)
        )?,
        _ => writeln!(out, "  pool      {}", Shown(&report.pool_id))?,
    }
    writeln!(
        out,
        "  cognito   {}, status {}",
        existed(report.cognito_user_created, "user"),
        report.cognito_status
    )?;
    writeln!(
        out,
        "  row       credere_user id {}: {}",
        report.user_id,
        existed(report.row_created, "row")
    )?;
    if let Some(from) = &report.relinked_from {
        writeln!(
            out,
            "  relinked  external_id {} -> {}",
            Shown(from),
            Shown(&report.username)
        )?;
    }
    if report.promoted {
        writeln!(out, "  promoted  type FI -> OCP")?;
    }
    writeln!(out, "  sub       {}", Shown(&report.sub))?;
    match (report.changed_anything(), &report.password_reset) {
        (true, _) => {}
        (false, None) => writeln!(out, "Nothing to do: everything was already in place.")?,
        (false, Some(_)) => writeln!(out, "The Cognito user and its row were already in place.")?,
    }
    match &report.password_reset {
        Some(outcome @ ResetOutcome::Answered { url, status }) => {
            writeln!(out, "Password reset requested: POST {url} answered HTTP {status}")?;
            if (200..300).contains(status) {
                writeln!(
                    out,
                    "Next: the admin opens the emailed link, which carries a temporary password, sets their own \
                     password there, then sets up an authenticator app."
                )?;
            } else if !outcome.may_have_replaced_password() {
                writeln!(
                    out,
                    "Next: the request was refused; reset through the frontend's \"Forgot Password?\"."
                )?;
            }
            if outcome.may_have_replaced_password() {
                may_have_replaced_password(out, &report.email)?;
            }
        }
        Some(ResetOutcome::NotSent { url, cognito_status }) => {
            writeln!(
                out,
                "Password reset NOT requested from {url}: the admin has already set a password (Cognito status \
                 {cognito_status}), and a reset would replace it with a temporary one."
            )?;
            writeln!(
                out,
                "Next: nothing, if they can sign in. To replace their password anyway, run again with --yes, or \
                 let them use the frontend's \"Forgot Password?\" themselves."
            )?;
        }
        Some(ResetOutcome::NoAnswer { url, reason }) => {
            writeln!(out, "Password reset sent, with no answer: POST {url} failed: {reason}")?;
            may_have_replaced_password(out, &report.email)?;
        }
        Some(ResetOutcome::Unreachable { url, reason }) => {
            writeln!(out, "Password reset NOT requested: POST {url} failed: {reason}")?;
            writeln!(
                out,
                "Next: reset the password through the frontend's \"Forgot Password?\"."
            )?;
        }
        None => writeln!(
            out,
            "Next: the admin chooses the frontend's \"Forgot Password?\" with {}, and follows the emailed link, which \
             carries a temporary password, to set their own (or run again with --send-reset --backend-url URL).",
            Shown(&report.email)
        )?,
    }
    Ok(())
}

/// What the bootstrap will do, as a person reads it before confirming; values read from the database and Cognito
/// go through [`Shown`].
fn plan_text(input: &admin_bootstrap::Input, plan: &BootstrapPlan) -> String {
    let mut text = String::new();
    write_plan(&mut text, input, plan).expect("writing to a String cannot fail");
    text
}

fn write_plan(
    out: &mut impl std::fmt::Write,
    input: &admin_bootstrap::Input,
    plan: &BootstrapPlan,
) -> std::fmt::Result {
    writeln!(
        out,
        "Ensuring the admin {} in {} and in database {}: what already exists is kept, what is missing is created.",
        input.email(),
        pool_choice_text(input.pool()),
        input.database_url()
    )?;
    let pool = &plan.pool;
    match (pool.environment, &pool.name) {
        (Some(environment), Some(name)) => writeln!(
            out,
            "  pool      {} ({}), the {environment} environment's",
            pool.id,
            Shown(name)
        )?,
        _ => writeln!(out, "  pool      {}, given by ID, so treated as production", pool.id)?,
    }
    match &plan.row {
        Some(row) => writeln!(
            out,
            "  row       credere_user id {} ({}, type {}): kept",
            row.id,
            Shown(&row.email),
            row.user_type
        )?,
        None => writeln!(out, "  row       a credere_user row is inserted")?,
    }
    match &plan.user {
        Some(user) => writeln!(
            out,
            "  cognito   user Username {}, email {}, status {}, {}: kept",
            Shown(&user.username),
            user.email
                .as_deref()
                .map_or_else(|| "(none)".to_owned(), |email| Shown(email).to_string()),
            user.status,
            if user.enabled { "enabled" } else { "disabled" }
        )?,
        None => writeln!(out, "  cognito   a Cognito user is created (AdminCreateUser)")?,
    }
    if plan.promotes() {
        writeln!(out, "  promote   type FI -> OCP")?;
    }
    match plan.relinks() {
        Some((from, Some(to))) => writeln!(out, "  relink    external_id {} -> {}", Shown(from), Shown(to))?,
        Some((from, None)) => writeln!(
            out,
            "  relink    external_id {} -> the Username of the Cognito user created",
            Shown(from)
        )?,
        None => {}
    }
    Ok(())
}

/// What a reset the backend received but did not answer well means, and what to do.
pub(crate) fn may_have_replaced_password(out: &mut impl Write, email: &str) -> std::io::Result<()> {
    writeln!(
        out,
        "credere-backend received the request, so it may already have replaced the password of {email} with a \
         temporary one whose email was not sent."
    )?;
    writeln!(
        out,
        "Next: check credere-backend's log; then {email} chooses the frontend's \"Forgot Password?\", which sets and \
         emails a new temporary password (or run this again with --send-reset once the backend is healthy)."
    )
}

/// Asks on a terminal whether to replace the password an admin has set; `false`, having said why, when stdin is
/// not a terminal (then `--yes` is the way to confirm).
fn confirm_replacing_password(email: &str, cognito_status: &cognito::UserStatus) -> anyhow::Result<bool> {
    let question = format!(
        "{email} has already set a password (Cognito status {cognito_status}). credere-backend's forgot-password \
         replaces it with a temporary one and emails a link carrying it; their current password stops working. \
         Type yes to send it: "
    );
    Ok(crate::confirm::ask_yes(&question)? == Some(true))
}

/// What credere-backend's `.env` named by `--env-file` says (nothing without one). A `COGNITO_CLIENT_SECRET_ID`
/// assignment (written by an older version) is read, with a warning: these commands only read the file.
pub(crate) fn backend_env(path: Option<&Path>) -> anyhow::Result<BackendEnv> {
    let Some(path) = path else {
        return Ok(BackendEnv::default());
    };
    let file = BackendEnv::read(path).context("reading --env-file")?;
    if let Some(line) = file.client_secret_id_assigned_on {
        eprintln!(
            "warning: {} line {line} sets COGNITO_CLIENT_SECRET_ID, with which credere-backend refuses to start (its \
             settings forbid keys they do not define). `cargo xtask provision --env ENV --write-env {}` (or \
             rotate-secret) rewrites it as the comment `# COGNITO_CLIENT_SECRET_ID=…`, which keeps the ID",
            path.display(),
            path.display()
        );
    }
    Ok(file)
}

/// The region: `--region`, else the `.env`'s AWS_REGION, else, with a `.env` that sets none, credere-backend's
/// own default (said on stderr: the file means that region to credere-backend), else the standard chain.
pub(crate) fn region(flag: Option<String>, env_file: Option<&Path>, file: &BackendEnv) -> Option<String> {
    flag.or_else(|| file.region.clone()).or_else(|| {
        let path = env_file?;
        eprintln!(
            "note: {} sets no AWS_REGION, so credere-backend uses its default, {BACKEND_DEFAULT_REGION} (unless its \
             own environment sets AWS_REGION); using it too. Pass --region to use another",
            path.display()
        );
        Some(BACKEND_DEFAULT_REGION.to_owned())
    })
}

/// A setting from its flag, else the file named on the command line, else the ambient environment.
fn setting(flag: &Option<String>, from_file: &Option<String>, name: &str) -> Option<String> {
    flag.clone()
        .or_else(|| from_file.clone())
        .or_else(|| std::env::var(name).ok())
}

/// How the pool asked for is named before it is looked up.
fn pool_choice_text(choice: &PoolChoice) -> String {
    match choice {
        PoolChoice::Id(id) => format!("pool {id}"),
        PoolChoice::Environment {
            environment,
            pool_id: Some(id),
        } => format!("the {environment} pool {id}"),
        PoolChoice::Environment {
            environment,
            pool_id: None,
        } => format!("the {environment} pool"),
    }
}

#[cfg(test)]
mod tests {
    use clap::Args as _;

    use super::*;

    /// `--language` has one default for every `--env`, so it holds only while every environment's admin language is
    /// the shared one; an environment with its own would need the default chosen after parsing `--env`.
    #[test]
    fn the_language_default_is_the_specs_admin_language() {
        let command = Args::augment_args(clap::Command::new("admin"));
        let language = command
            .get_arguments()
            .find(|arg| arg.get_id() == "language")
            .expect("admin has --language");
        let defaults: Vec<_> = language
            .get_default_values()
            .iter()
            .map(|value| value.to_str())
            .collect();
        assert_eq!(defaults, [Some(AdminDefaults::CREDERE.language.code())]);
        for environment in Environment::ALL {
            assert_eq!(
                pool_spec::for_environment(environment).admin.language,
                AdminDefaults::CREDERE.language,
                "the {environment} spec's admin language differs from --language's default"
            );
        }
    }
}
