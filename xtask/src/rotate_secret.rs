//! `cargo xtask rotate-secret --env ENV --write-env FILE [--finish]`: rotate the app client's secret without
//! downtime. The start adds a second secret, proves Cognito accepts it, and writes it to credere-backend's `.env`;
//! after credere-backend restarts, `--finish` deletes every secret but the `.env`'s. The plan is `cognito`'s
//! ([`cognito::RotationPlan`]); this module reads the `.env`, shows, asks and prints.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use admin_bootstrap::BackendEnv;
use anyhow::Context;
use cognito::{
    ClientSecretInfo, ClientSecrets, Cognito, ExposeSecret, PoolChoice, Proof, RotationPlan, RotationRefusal,
    RotationStep, SecretString,
};
use pool_spec::{Environment, Shown};
use serde::Serialize;

use crate::aws::{AwsArgs, runtime};
use crate::confirm::Confirmation;
use crate::interrupt::CriticalSection;
use crate::out::outln;
use crate::provision::Output;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The environment: production or development.
    #[arg(long, value_name = "ENV")]
    env: Environment,
    /// credere-backend's `.env` file (a symlink is followed): it must name this environment's COGNITO_POOL_ID and
    /// COGNITO_CLIENT_ID. The start writes the new COGNITO_CLIENT_SECRET into it, and its ID as the comment
    /// `# COGNITO_CLIENT_SECRET_ID=…`; --finish keeps the secret that names. Checked before any AWS call.
    #[arg(long, value_name = "FILE")]
    write_env: PathBuf,
    /// The second step, after every credere-backend process has restarted with the new secret: delete every
    /// secret of the app client but the one the .env names.
    #[arg(long)]
    finish: bool,
    /// Change production without the confirmation prompt (needed when stdin is not a terminal).
    #[arg(long)]
    yes: bool,
    /// Output format: text for people, json for scripts (one object on stdout).
    #[arg(long, value_enum, default_value_t = Output::Text)]
    output: Output,
    /// Print the new app client secret (hidden otherwise; it is in the .env).
    #[arg(long)]
    show_secret: bool,
    /// Rotate the secret of this pool's app client, when several pools share the spec's name.
    #[arg(long, value_name = "ID")]
    pool_id: Option<String>,
    #[command(flatten)]
    aws: AwsArgs,
}

/// What `--output json` prints.
#[derive(Debug, Serialize)]
struct Report<'a> {
    environment: Environment,
    region: &'a str,
    pool_id: &'a str,
    client_id: &'a str,
    step: RotationStep,
    secret_ids_before: Vec<&'a str>,
    secret_ids_after: Vec<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    added_secret_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    deleted_secret_ids: Option<Vec<&'a str>>,
    /// `"accepted"` when a sign-in attempt proved the secret kept (or added) works; `null` when none was needed.
    proof: Option<&'static str>,
    env_file_written: bool,
    changed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_secret: Option<&'a str>,
}

/// The client as found and what this step will do to it: what is shown, confirmed, and compared after the yes.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Planned {
    found: ClientSecrets,
    plan: RotationPlan,
}

/// What the step did.
struct Outcome {
    after: Vec<ClientSecretInfo>,
    added: Option<(ClientSecretInfo, SecretString)>,
    deleted: Vec<ClientSecretInfo>,
    proved: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(rotate(args))
}

async fn rotate(args: Args) -> anyhow::Result<ExitCode> {
    crate::interrupt::remove_temporary_files_and_exit()?;
    // Before any call: a secret added for a file that cannot be written is a secret nobody holds.
    dotenv_file::check_writable(&args.write_env)
        .context("checking --write-env before anything else; nothing was done")?;
    let file = BackendEnv::read(&args.write_env).context("reading --write-env")?;
    let step = if args.finish {
        RotationStep::Finish
    } else {
        RotationStep::Start
    };
    for (key, value) in [
        ("COGNITO_POOL_ID", &file.pool_id),
        ("COGNITO_CLIENT_ID", &file.client_id),
    ] {
        if value.is_none() {
            return Err(RotationRefusal::EnvFileIncomplete { key }).context(in_file(&args.write_env));
        }
    }
    let choice = PoolChoice::from_flags(Some(args.env), args.pool_id.as_deref())?;
    let spec = pool_spec::for_environment(args.env);
    let cognito = args.aws.connect(&args.aws.connect_options()).await?;
    let plan = async || -> anyhow::Result<Planned> {
        let found = cognito
            .find_client_secrets(&choice, &spec.client.name)
            .await
            .with_context(|| format!("finding the {} app client `{}`", args.env, spec.client.name))?;
        check_same_client(&file, &found).context(in_file(&args.write_env))?;
        // Its refusals are about the client's secrets (a rotation under way), not about the file.
        let plan = RotationPlan::new(step, &found.secrets, file.client_secret_id.as_deref())
            .with_context(|| format!("planning the rotation of the {} app client's secret", args.env))?;
        Ok(Planned { found, plan })
    };
    let mut planned = plan().await?;
    let show = |planned: &Planned| plan_text(&args, cognito.region(), planned);
    if args.output == Output::Text {
        let _ = write!(crate::out::stdout(), "{}", show(&planned));
    }
    if planned.plan.changes_anything() && pool_spec::needs_confirmation(Some(args.env)) && !args.yes {
        let without_terminal = "refusing to change production's app client secrets without confirmation: stdin is \
                                not a terminal. Review the plan above, then re-run with --yes. Nothing was changed.";
        let confirmation = Confirmation {
            show: &show,
            question: &|planned: &Planned| question(&spec.pool.name, &planned.plan),
            changes_anything: &|planned: &Planned| planned.plan.changes_anything(),
            without_terminal,
        };
        let on_screen = args.output == Output::Text && crate::confirm::stdout_on_screen();
        planned = crate::confirm::confirm_current(planned, on_screen, &confirmation, plan).await?;
    }
    let (outcome, signalled) = match &planned.plan {
        RotationPlan::Add { .. } => start(&cognito, &args, &planned.found).await?,
        RotationPlan::Delete { kept, deleted } => {
            (finish(&cognito, &file, &planned.found, kept, deleted).await?, false)
        }
        RotationPlan::NothingToDo { .. } => (
            Outcome {
                after: planned.found.secrets.clone(),
                added: None,
                deleted: Vec::new(),
                proved: false,
            },
            false,
        ),
    };
    // The start wrote the ID as a note; without a start, an assignment of an older version is turned into one.
    let rewrote_id = outcome.added.is_none() && file.client_secret_id_assigned_on.is_some();
    if rewrote_id {
        dotenv_file::write_with_notes(&args.write_env, &[], &[admin_bootstrap::client_secret_id_note(None)]).context(
            "rewriting COGNITO_CLIENT_SECRET_ID as the comment `# COGNITO_CLIENT_SECRET_ID=…` (credere-backend \
                 refuses to start with the key); the rotation step is done and the .env was left as it was. Fix \
                 the cause and run the same command again",
        )?;
    }
    match args.output {
        Output::Json => print_json(&args, &cognito, step, &planned.found, &outcome)?,
        Output::Text => print_result(&args, &planned, &outcome),
    }
    if rewrote_id && args.output == Output::Text {
        outln!(
            "Rewrote COGNITO_CLIENT_SECRET_ID in {} as the comment `# COGNITO_CLIENT_SECRET_ID=…`, which \
             credere-backend starts with.",
            args.write_env.display()
        );
    }
    if signalled {
        eprintln!(
            "Interrupted after the new secret was written: it IS in {}. Next: {}",
            args.write_env.display(),
            next_steps(&args)
        );
        return Ok(ExitCode::from(crate::interrupt::EXIT_CODE));
    }
    Ok(ExitCode::SUCCESS)
}

/// The context of a refusal about the `.env`: which file.
fn in_file(path: &Path) -> String {
    format!("checking --write-env {}", path.display())
}

/// Refuses a `.env` of another pool or client: its secret would be rotated into the wrong file.
fn check_same_client(file: &BackendEnv, found: &ClientSecrets) -> Result<(), RotationRefusal> {
    for (key, in_file, found) in [
        ("COGNITO_POOL_ID", &file.pool_id, &found.pool.id),
        ("COGNITO_CLIENT_ID", &file.client_id, &found.client_id),
    ] {
        if let Some(in_file) = in_file.as_ref().filter(|in_file| in_file.trim() != found) {
            return Err(RotationRefusal::WrongEnvFile {
                key,
                in_file: in_file.clone(),
                found: found.clone(),
            });
        }
    }
    Ok(())
}

/// The start: add a generated secret (sent once), prove Cognito accepts it, write it and its ID to the `.env`.
/// From the Add until the `.env` holds the value a signal only stops the run after the write; whether one came is
/// returned.
async fn start(cognito: &Cognito, args: &Args, found: &ClientSecrets) -> anyhow::Result<(Outcome, bool)> {
    let (pool_id, client_id) = (found.pool.id.as_str(), found.client_id.as_str());
    let section = CriticalSection::open();
    let value = cognito::generate_secret()?;
    let added = cognito
        .add_client_secret(pool_id, client_id, &value, &found.secrets)
        .await
        .context("adding the new secret; nothing was written to the .env. Run the same command again")?;
    // Proved before it is written: a secret that does not work never reaches the `.env`.
    let proof = cognito.prove_added_secret(client_id, &value).await;
    if !matches!(proof, Ok(Proof::Accepted)) {
        let rolled_back = cognito
            .delete_client_secret(pool_id, client_id, &added.id)
            .await
            .is_ok();
        return Err(match proof {
            Ok(_) => anyhow::Error::new(RotationRefusal::AddedSecretRefused {
                secret_id: added.id.clone(),
                rolled_back,
            }),
            Err(error) => anyhow::Error::new(error).context(format!(
                "proving the new secret {} with a sign-in attempt; it was not written to the .env, {}",
                Shown(&added.id),
                if rolled_back {
                    "and it was deleted again"
                } else {
                    "and deleting it again failed too: run the same command with --finish to delete it"
                }
            )),
        });
    }
    let written = dotenv_file::write_with_notes(
        &args.write_env,
        &[("COGNITO_CLIENT_SECRET", value.expose_secret())],
        &[admin_bootstrap::client_secret_id_note(Some(&added.id))],
    );
    if let Err(error) = written {
        let rolled_back = cognito
            .delete_client_secret(pool_id, client_id, &added.id)
            .await
            .is_ok();
        return Err(anyhow::Error::new(error).context(format!(
            "writing the new secret {} to the .env, which was left as it was; {}",
            Shown(&added.id),
            if rolled_back {
                "the new secret was deleted again. Fix the cause and run the same command again"
            } else {
                "deleting the new secret failed too: run the same command with --finish to delete it, then again \
                 without"
            }
        )));
    }
    let signalled = section.close();
    let mut after = found.secrets.clone();
    after.push(added.clone());
    Ok((
        Outcome {
            after,
            added: Some((added, value)),
            deleted: Vec::new(),
            proved: true,
        },
        signalled,
    ))
}

/// The finish: prove the `.env`'s secret works, then delete every other one, then list what remains.
async fn finish(
    cognito: &Cognito,
    file: &BackendEnv,
    found: &ClientSecrets,
    kept: &ClientSecretInfo,
    deleted: &[ClientSecretInfo],
) -> anyhow::Result<Outcome> {
    let (pool_id, client_id) = (found.pool.id.as_str(), found.client_id.as_str());
    let secret = file.client_secret.as_ref().ok_or(RotationRefusal::EnvFileIncomplete {
        key: "COGNITO_CLIENT_SECRET",
    })?;
    let proof = cognito
        .prove_secret(client_id, secret)
        .await
        .context("proving the .env's secret with a sign-in attempt; nothing was deleted")?;
    if proof == Proof::Refused {
        return Err(RotationRefusal::EnvSecretRefused {
            secret_id: kept.id.clone(),
        }
        .into());
    }
    for secret in deleted {
        cognito
            .delete_client_secret(pool_id, client_id, &secret.id)
            .await
            .with_context(|| {
                format!(
                    "deleting the secret {secret}; the secret the .env names is kept. Run the same command again: it \
                     deletes what remains"
                )
            })?;
    }
    let after = cognito
        .client_secrets(pool_id, client_id)
        .await
        .context("listing the secrets after deleting; the deletes were made. Run the same command again to check")?;
    Ok(Outcome {
        after,
        added: None,
        deleted: deleted.to_vec(),
        proved: true,
    })
}

/// The plan as a person reads it.
fn plan_text(args: &Args, region: &str, planned: &Planned) -> String {
    let Planned { found, plan } = planned;
    let mut text = format!(
        "Plan for the {} app client `{}` of user pool `{}` in {region}:\n",
        args.env,
        Shown(&found.client_id),
        Shown(&found.pool.id)
    );
    match plan {
        RotationPlan::Add { current } => text.push_str(&format!(
            "  keep the current secret {current} (it works until --finish)\n  add a new secret ({} letters and \
             digits from the operating system's random generator), prove Cognito accepts it, and write it with its \
             ID to {}\n",
            cognito::GENERATED_SECRET_CHARS,
            args.write_env.display()
        )),
        RotationPlan::Delete { kept, deleted } => {
            text.push_str(&format!("  keep {kept}: the one the .env names\n"));
            for secret in deleted {
                text.push_str(&format!("  delete {secret}\n"));
            }
        }
        RotationPlan::NothingToDo { kept } => text.push_str(&format!(
            "  nothing to do: the app client holds only the secret the .env names, {kept}\n"
        )),
    }
    text
}

/// What production's prompt asks.
fn question(pool_name: &str, plan: &RotationPlan) -> String {
    let what = match plan {
        RotationPlan::Add { .. } => "Add a second secret to".to_owned(),
        RotationPlan::Delete { deleted, .. } => format!("Delete {} secret(s) of", deleted.len()),
        RotationPlan::NothingToDo { .. } => "Change".to_owned(),
    };
    format!("{what} the app client of the PRODUCTION pool `{pool_name}`? Type yes to continue: ")
}

/// What to run next after a start: the same flags, with `--finish`.
fn next_steps(args: &Args) -> String {
    let mut command = format!(
        "cargo xtask rotate-secret --env {} --write-env {}",
        args.env,
        args.write_env.display()
    );
    for (flag, value) in [
        ("--pool-id", &args.pool_id),
        ("--profile", &args.aws.profile),
        ("--region", &args.aws.region),
        ("--endpoint-url", &args.aws.endpoint_url),
    ] {
        if let Some(value) = value {
            command.push_str(&format!(" {flag} {value}"));
        }
    }
    format!(
        "restart credere-backend (every process) so that it reads the new secret; until then both secrets work. \
         Then run `{command} --finish` to delete the old one."
    )
}

fn print_result(args: &Args, planned: &Planned, outcome: &Outcome) {
    if let Some((added, value)) = &outcome.added {
        outln!("Added the secret {added}; Cognito accepts it.");
        if args.show_secret {
            outln!("Client secret: {}", value.expose_secret());
        }
        outln!(
            "Wrote COGNITO_CLIENT_SECRET and, as the comment `# COGNITO_CLIENT_SECRET_ID=…`, its ID to {} \
             (owner-only access)",
            args.write_env.display()
        );
        outln!("Next: {}", next_steps(args));
        return;
    }
    if let RotationPlan::NothingToDo { .. } = planned.plan {
        outln!("Nothing to do.");
        return;
    }
    for secret in &outcome.deleted {
        outln!("Deleted {secret}.");
    }
    let remaining: Vec<String> = outcome.after.iter().map(ToString::to_string).collect();
    outln!("The app client now holds: {}", remaining.join(", "));
}

fn ids(secrets: &[ClientSecretInfo]) -> Vec<&str> {
    secrets.iter().map(|secret| secret.id.as_str()).collect()
}

fn print_json(
    args: &Args,
    cognito: &Cognito,
    step: RotationStep,
    found: &ClientSecrets,
    outcome: &Outcome,
) -> anyhow::Result<()> {
    let report = Report {
        environment: args.env,
        region: cognito.region(),
        pool_id: &found.pool.id,
        client_id: &found.client_id,
        step,
        secret_ids_before: ids(&found.secrets),
        secret_ids_after: ids(&outcome.after),
        added_secret_id: outcome.added.as_ref().map(|(added, _)| added.id.as_str()),
        deleted_secret_ids: (step == RotationStep::Finish).then(|| ids(&outcome.deleted)),
        proof: outcome.proved.then_some("accepted"),
        env_file_written: outcome.added.is_some(),
        changed: outcome.added.is_some() || !outcome.deleted.is_empty(),
        client_secret: outcome
            .added
            .as_ref()
            .filter(|_| args.show_secret)
            .map(|(_, value)| value.expose_secret()),
    };
    let mut stdout = crate::out::stdout();
    serde_json::to_writer(&mut stdout, &report)?;
    writeln!(stdout)?;
    Ok(())
}
