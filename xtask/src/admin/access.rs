//! `cargo xtask admin disable|enable|reset-mfa`: take a user's access away, give it back, or reset their
//! authenticator app. Cognito only: the `credere_user` row is left alone (credere-backend keeps its history).
//!
//! Reads first (the pool, then the user), shows what it will do, asks on a terminal unless the pool is the
//! development environment's (`--yes` otherwise), then writes. A second run finds nothing left to do. Exit codes:
//! 0 done (or nothing to do), 1 refused or failed.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use admin_bootstrap::{AccessPlan, ResetOutcome, ResetTarget};
use anyhow::Context;
use cognito::{UserAccess, UserOperation, Written};
use pool_spec::{Environment, Shown};

use super::{backend_env, pool_choice_text, region, setting};
use crate::aws::{AwsArgs, runtime};
use crate::confirm::Confirmation;

/// The subcommands of `cargo xtask admin`.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Offboard someone: disable their Cognito user and sign them out everywhere. Their credere_user row is kept.
    Disable(Target),
    /// Give a disabled Cognito user their access back.
    Enable(Target),
    /// Lost authenticator: delete the user's authenticator app registration, so that their next sign-in sets up a
    /// new one.
    ResetMfa(ResetMfaArgs),
}

/// The user, the pool, and the confirmation: what every subcommand takes.
#[derive(Debug, clap::Args)]
pub struct Target {
    /// The user's email (trimmed and lower-cased): their Cognito sign-in.
    #[arg(long)]
    email: String,
    /// The environment whose pool (by the spec's name and tags) the user is in.
    #[arg(long = "env", value_name = "ENV")]
    environment: Option<Environment>,
    /// The pool ID; else COGNITO_POOL_ID (from --env-file, then the environment). Must agree with --env.
    #[arg(long, value_name = "ID")]
    pool_id: Option<String>,
    /// A credere-backend `.env` to read COGNITO_POOL_ID and AWS_REGION from.
    #[arg(long, value_name = "PATH")]
    env_file: Option<PathBuf>,
    /// Make the change without asking (needed when stdin is not a terminal, unless the pool is development's).
    #[arg(long)]
    yes: bool,
    #[command(flatten)]
    aws: AwsArgs,
}

/// Flags of `cargo xtask admin reset-mfa`.
#[derive(Debug, clap::Args)]
pub struct ResetMfaArgs {
    #[command(flatten)]
    target: Target,
    /// Then ask credere-backend to email the user a link carrying a temporary password: its page sets a new
    /// password, then a new authenticator app. Their current password stops working.
    #[arg(long, requires = "backend_url")]
    send_reset: bool,
    /// credere-backend's base URL, for --send-reset.
    #[arg(long, value_name = "URL", requires = "send_reset")]
    backend_url: Option<String>,
}

/// Runs a subcommand.
pub fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Disable(target) => change(UserOperation::Disable, &target, None),
        Command::Enable(target) => change(UserOperation::Enable, &target, None),
        Command::ResetMfa(args) => {
            let reset = args
                .backend_url
                .as_deref()
                .filter(|_| args.send_reset)
                .map(ResetTarget::parse)
                .transpose()
                .context("invalid input, nothing was done")?;
            change(UserOperation::ResetMfa, &args.target, reset.as_ref())
        }
    }
}

fn change(operation: UserOperation, target: &Target, reset: Option<&ResetTarget>) -> anyhow::Result<ExitCode> {
    let invalid = "invalid input, nothing was done";
    // Checked before any call; the plan lower-cases it again.
    admin_bootstrap::normalize_email(&target.email).context(invalid)?;
    let file = backend_env(target.env_file.as_deref())?;
    let pool_id = setting(&target.pool_id, &file.pool_id, "COGNITO_POOL_ID");
    let choice = cognito::PoolChoice::from_flags(target.environment, pool_id.as_deref()).context(invalid)?;
    let mut options = target.aws.connect_options();
    options.region = region(options.region, target.env_file.as_deref(), &file);
    let runtime = runtime()?;
    let cognito = runtime.block_on(target.aws.connect(&options))?;
    let plan_now = async || {
        admin_bootstrap::plan_access(&cognito, &choice, &target.email, operation)
            .await
            .with_context(|| format!("nothing was changed (looked in {})", pool_choice_text(&choice)))
    };
    let mut plan = runtime.block_on(plan_now())?;
    let show = |plan: &AccessPlan| plan_text(plan, cognito.region(), reset);
    let mut out = crate::out::stdout();
    write!(out, "{}", show(&plan))?;
    let nothing_to_do = |plan: &AccessPlan| plan.writes.is_empty() && reset.is_none();
    if !nothing_to_do(&plan) && plan.needs_confirmation() && !target.yes {
        out.flush()?;
        let confirmation = Confirmation {
            show: &show,
            question: &|plan: &AccessPlan| {
                format!(
                    "Make these changes to {} in pool {}? Type yes to continue: ",
                    plan.email, plan.pool.id
                )
            },
            changes_anything: &|plan: &AccessPlan| !nothing_to_do(plan),
            without_terminal: "this pool is not the development environment's and stdin is not a terminal: run \
                               again with --yes to confirm. Nothing was changed",
        };
        plan = runtime.block_on(crate::confirm::confirm_current(
            plan,
            crate::confirm::stdout_on_screen(),
            &confirmation,
            plan_now,
        ))?;
    }
    if nothing_to_do(&plan) {
        // Resetting always deletes; enabling and disabling find nothing to do when the user is already there.
        writeln!(out, "Nothing to do: {}", already(operation))?;
        return Ok(ExitCode::SUCCESS);
    }
    let email = &plan.email;
    let applied = runtime.block_on(admin_bootstrap::apply_access(&cognito, &plan, |write, written| {
        // A line that cannot be printed does not undo the write; the next one's failure is reported.
        let _ = match written {
            Written::Done => writeln!(out, "Done: {}", write.operation()),
            Written::NothingThere => writeln!(
                out,
                "Done: {} answered that no authenticator app was registered: there was nothing to delete",
                write.operation()
            ),
        };
    }));
    applied?;
    let Some(reset) = reset else {
        writeln!(out, "Next: {}", next_step(operation))?;
        return Ok(ExitCode::SUCCESS);
    };
    match runtime.block_on(admin_bootstrap::send_password_reset(reset, email)) {
        ResetOutcome::Answered { url, status } if (200..300).contains(&status) => {
            writeln!(out, "Password reset requested: POST {url} answered HTTP {status}")?;
            writeln!(
                out,
                "Next: {email} opens the emailed link, sets a new password there, then scans the new QR code \
                 with their authenticator app."
            )?;
            Ok(ExitCode::SUCCESS)
        }
        outcome => {
            let why = match &outcome {
                ResetOutcome::Answered { url, status } => format!("POST {url} answered HTTP {status}"),
                ResetOutcome::NoAnswer { url, reason } | ResetOutcome::Unreachable { url, reason } => {
                    format!("POST {url} failed: {reason}")
                }
                ResetOutcome::NotSent { url, .. } => format!("POST {url} was not sent"),
            };
            if outcome.may_have_replaced_password() {
                writeln!(out, "Password reset sent, and it failed: {why}")?;
                super::may_have_replaced_password(&mut out, email)?;
            } else {
                writeln!(out, "Password reset NOT requested: {why}")?;
                writeln!(
                    out,
                    "Next: the authenticator is reset; {email} chooses the frontend's \"Forgot Password?\", then \
                     sets a new password and a new authenticator app from the emailed link."
                )?;
            }
            Ok(ExitCode::FAILURE)
        }
    }
}

/// What the runbook will do, as a person reads it before confirming.
fn plan_text(plan: &AccessPlan, region: &str, reset: Option<&ResetTarget>) -> String {
    let mut text = String::new();
    write_plan(&mut text, plan, region, reset).expect("writing to a String cannot fail");
    text
}

fn write_plan(
    out: &mut impl std::fmt::Write,
    plan: &AccessPlan,
    region: &str,
    reset: Option<&ResetTarget>,
) -> std::fmt::Result {
    let pool = &plan.pool;
    writeln!(out, "{} {}", verb(plan.operation), Shown(&plan.email))?;
    let pool_name = pool
        .name
        .as_deref()
        .map(|name| format!(" ({})", Shown(name)))
        .unwrap_or_default();
    let environment = match pool.environment {
        Some(environment) => format!("the {environment} environment's"),
        None => "given by ID, so treated as production".to_owned(),
    };
    writeln!(
        out,
        "  pool      {}{pool_name}, {environment}, region {region}",
        pool.id
    )?;
    writeln!(out, "  user      {}", user_state(&plan.access))?;
    for (number, write) in plan.writes.iter().enumerate() {
        writeln!(out, "  step {}    {write}", number + 1)?;
    }
    if let Some(reset) = reset {
        writeln!(
            out,
            "  then      ask credere-backend (POST {}) to email a link carrying a temporary password: their \
             current password stops working; the link's page sets a new one, then a new authenticator app",
            reset.url()
        )?;
    }
    writeln!(out, "  database  the credere_user row is left as it is")
}

/// Why a plan with no write has nothing to do.
fn already(operation: UserOperation) -> &'static str {
    match operation {
        UserOperation::Disable => {
            "the user is already disabled (disabling revoked their access tokens and stops refresh; no sign-out \
             is needed)."
        }
        UserOperation::Enable => "the user is already enabled.",
        // Never reached today: a reset always deletes (AdminGetUser may not list a registered authenticator).
        UserOperation::ResetMfa => "there is no authenticator app to reset.",
    }
}

fn verb(operation: UserOperation) -> &'static str {
    match operation {
        UserOperation::Disable => "Disabling",
        UserOperation::Enable => "Enabling",
        UserOperation::ResetMfa => "Resetting the authenticator app of",
    }
}

fn next_step(operation: UserOperation) -> &'static str {
    match operation {
        UserOperation::Disable => {
            "their credere_user row is kept; `cargo xtask audit` reports it as a disabled user with a row. \
             `cargo xtask admin enable` gives the access back."
        }
        UserOperation::Enable => "they can sign in again with their password and authenticator app.",
        UserOperation::ResetMfa => {
            "they choose the frontend's \"Forgot Password?\" (or run again with --send-reset --backend-url URL); the \
             emailed link sets a new password, then a new authenticator app."
        }
    }
}

fn user_state(access: &UserAccess) -> String {
    let user = &access.user;
    let enabled = if user.enabled { "enabled" } else { "disabled" };
    let authenticator = if access.authenticator_listed {
        "authenticator app (TOTP) activated"
    } else {
        "no activated MFA factor listed"
    };
    // The email the user was found by, as Cognito holds it: the plan names the person, not only a UUID.
    let email = user
        .email
        .as_deref()
        .map_or_else(|| "(no email attribute)".to_owned(), |email| Shown(email).to_string());
    format!(
        "Username {}, email {email}, status {}, {enabled}, {authenticator}",
        Shown(&user.username),
        user.status
    )
}
