//! The tasks: provisioning, the first admin, offboarding, a lost authenticator, the audit, a secret rotation and a
//! move to a new pool, each as its command (and, where the console can, as the same steps by hand).

use pool_spec::{EmailSpec, PoolSpec, TemporaryPassword};

use super::per_environment;
use super::wizard::check;
use crate::docs::rst::{Page, literal};

pub(super) fn provision(page: &mut Page, specs: &[PoolSpec]) {
    page.raw(".. _cognito-provision:");
    page.blank();
    page.heading("Provision with one command", '~');
    page.para(
        0,
        "``cargo xtask provision`` creates or updates an environment's pool and app client to match every \
         setting above, in one command. It prints the plan (each setting with its current and desired value), \
         then applies it, always sending the whole configuration; production asks for confirmation.",
    );
    page.code_block(
        0,
        "bash",
        specs
            .iter()
            .map(|s| format!("cargo xtask provision --env {}", s.environment)),
    );
    page.line(0, "-  ``--check`` only plans, for CI: it exits 0 when the live pool matches, 2 when changes are needed and 1 on error.");
    page.line(
        0,
        "-  ``--write-env .env`` creates or updates ``COGNITO_POOL_ID``, ``COGNITO_CLIENT_ID``, \
         ``COGNITO_CLIENT_SECRET`` and ``AWS_REGION`` in credere-backend's ``.env``, keeping its other lines, and \
         records which secret it is as the comment ``# COGNITO_CLIENT_SECRET_ID=<id>`` (credere-backend refuses \
         to start with a key it does not define).",
    );
    for spec in specs {
        if let EmailSpec::Developer { ses_identity, .. } = &spec.email {
            page.line(
                0,
                &format!(
                    "-  In {}, the SES identity ARN is built from the caller's account and region \
                     ({}), or given with ``--ses-identity-arn``.",
                    spec.environment,
                    literal(pool_spec::ses_identity_arn("REGION", "ACCOUNT_ID", ses_identity))
                ),
            );
        }
    }
    page.line(
        0,
        "-  ``--yes`` confirms without a terminal (production refuses otherwise).",
    );
    page.blank();
    page.para(
        0,
        "A pool that was made by hand is adopted: the plan adds the tags and shows every other difference. \
         Settings that Cognito never changes after creation (sign-in attributes, username case sensitivity, \
         required attributes, the client secret) are refused with the options explained; the command never \
         deletes or recreates a pool.",
    );
}

pub(super) fn tasks(page: &mut Page, specs: &[PoolSpec]) {
    page.heading("Tasks", '-');
    first_admin(page, specs);
    offboard(page, specs);
    reset_authenticator(page, specs);
    rotate_secret(page, specs);
    move_to_new_pool(page, specs);
}

/// The environments' pools, as the console lists them: ```credere-production`` in Production, …`.
fn pool_names(specs: &[PoolSpec]) -> String {
    specs
        .iter()
        .map(|s| format!("``{}`` in {}", s.pool.name, s.environment.title()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn first_admin(page: &mut Page, specs: &[PoolSpec]) {
    page.heading("Create a first admin user", '~');
    let first = specs.first().map(|s| s.environment.as_str()).unwrap_or("production");
    page.code_block(
        0,
        "bash",
        [format!("cargo xtask admin --email EMAIL --name \"NAME\" --env {first}")],
    );
    page.para(
        0,
        "It creates the Cognito user and its ``credere_user`` row, and can be run again if it was interrupted. \
         The new admin then sets a password with *Forgot Password?*, as in the last step below.",
    );
    page.para(0, "To do the same by hand:");
    page.line(
        0,
        &format!(
            "#. In the environment's user pool ({}), open *Users* and click *Create user*:",
            pool_names(specs)
        ),
    );
    page.blank();
    per_environment(page, 3, specs, |spec| {
        let admin = &spec.admin;
        let invitation = if admin.suppress_invitation {
            "Don't send an invitation"
        } else {
            "Send an email invitation"
        };
        let password = match admin.temporary_password {
            TemporaryPassword::GeneratedByCognito => "Generate a password",
        };
        vec![
            format!("-  **Invitation message:** Check \"{invitation}\""),
            "-  **Email address:** the admin's email address".to_owned(),
            format!("-  **Mark email address as verified:** {}", check(admin.email_verified)),
            format!("-  **Temporary password:** Check \"{password}\""),
        ]
    });
    page.line(0, "#. Open the new user and copy its ``sub`` attribute (the user ID).");
    page.line(
        0,
        "#. Connect to the environment's database with ``psql`` and add the user:",
    );
    page.blank();
    per_environment(page, 3, specs, |spec| {
        let admin = &spec.admin;
        let mut lines = vec![".. code-block:: sql".to_owned(), String::new()];
        lines.push("   INSERT INTO public.credere_user (type, language, email, name, external_id)".to_owned());
        lines.push(format!(
            "   VALUES ({}, {}, 'EMAIL', 'NAME', 'SUB');",
            sql_string(admin.user_type.as_str()),
            sql_string(admin.language.code())
        ));
        lines
    });
    page.line(
        0,
        "#. Open Credere's frontend, click *Forgot Password?* and enter the admin's email address. credere-backend \
         sets a temporary password and emails a link that carries it; the link's page sets the admin's own \
         password, then an authenticator app.",
    );
    page.blank();
}

fn offboard(page: &mut Page, specs: &[PoolSpec]) {
    page.heading("Offboard someone", '~');
    let first = specs.first().map(|s| s.environment.as_str()).unwrap_or("production");
    page.code_block(
        0,
        "bash",
        [format!("cargo xtask admin disable --email EMAIL --env {first}")],
    );
    page.para(
        0,
        "It disables the person's Cognito user, so they can no longer sign in, and signs them out everywhere, \
         which revokes their refresh tokens. Their ``credere_user`` row is kept: credere-backend keeps its \
         history. ``cargo xtask admin enable`` gives the access back.",
    );
    page.para(0, "To do the same by hand:");
    page.line(
        0,
        &format!(
            "#. In the environment's user pool ({}), open *Users* and click the person's email address",
            pool_names(specs)
        ),
    );
    page.line(0, "#. Click *Actions* and choose *Disable user access*");
    page.line(
        0,
        "#. Sign them out everywhere: ``aws cognito-idp admin-user-global-sign-out --user-pool-id POOL_ID \
         --username EMAIL``",
    );
    page.blank();
}

fn reset_authenticator(page: &mut Page, specs: &[PoolSpec]) {
    page.heading("Reset an authenticator", '~');
    let first = specs.first().map(|s| s.environment.as_str()).unwrap_or("production");
    page.code_block(
        0,
        "bash",
        [format!(
            "cargo xtask admin reset-mfa --email EMAIL --env {first} --send-reset --backend-url BACKEND_URL"
        )],
    );
    page.para(
        0,
        "For someone who lost the phone with their authenticator app. It deletes their authenticator app \
         registration (AdminDeleteSoftwareToken), so that, with MFA required, their next sign-in asks for a new \
         one. With ``--send-reset``, credere-backend emails them a link that carries a temporary password; its \
         page sets a new password, then shows the QR code of a new authenticator app. Their old password stops \
         working.",
    );
    page.para(0, "To do the same by hand:");
    page.line(
        0,
        "#. Delete the registration: the console has no control for it; call AdminDeleteSoftwareToken with the \
         environment's pool ID and the person's email address (``cargo xtask admin reset-mfa`` makes this call)",
    );
    page.line(
        0,
        "#. Ask the person to open Credere's frontend, click *Forgot Password?* and enter their email address, \
         then follow the emailed link: it sets a new password, then a new authenticator app.",
    );
    page.blank();
}

/// The audit: who can sign in, and which users and rows disagree.
pub(super) fn audit(page: &mut Page, specs: &[PoolSpec]) {
    page.heading("Audit users", '~');
    let first = specs.first().map(|s| s.environment.as_str()).unwrap_or("production");
    page.code_block(
        0,
        "bash",
        [format!(
            "cargo xtask audit --env {first} --env-file ../credere-backend/.env"
        )],
    );
    page.para(
        0,
        "It only reads. It compares every Cognito user of the pool with every ``credere_user`` row and reports \
         rows without a Cognito user, Cognito users without a row, emails that differ (saying whether only by \
         case), rows whose emails differ only by case, disabled users that still have a row, temporary passwords \
         that have expired and emails that are not verified; then it lists every ``OCP`` administrator with their \
         Cognito status, whether they are enabled and their MFA. It exits 0 when there is nothing to report, 2 \
         when there is, 1 on an error.",
    );
    page.para(0, "To do the same by hand:");
    page.line(
        0,
        "#. In the environment's user pool, open *Users*. The list shows each user's email, *Email verified*, \
         *Confirmation status* (*Force change password* means the temporary password was never replaced) and \
         *Status* (*Enabled* or *Disabled*). Open a user to see its ``sub`` and its *MFA* methods.",
    );
    page.blank();
    per_environment(page, 3, specs, |spec| {
        vec![format!(
            "Temporary passwords expire after {} day(s): a user still in *Force change password* for longer \
             needs a new one (*Forgot Password?*).",
            spec.pool.password_policy.temporary_password_validity_days
        )]
    });
    page.line(
        0,
        "#. Connect to the environment's database with ``psql`` and list the rows to compare with the users \
         (``external_id`` is the Cognito user's ``sub``):",
    );
    page.blank();
    page.code_block(
        3,
        "sql",
        [
            "SELECT id, type, email, external_id FROM public.credere_user ORDER BY id;".to_owned(),
            "SELECT pg_catalog.lower(email), count(*) FROM public.credere_user".to_owned(),
            "  GROUP BY 1 HAVING count(*) > 1;  -- emails that differ only by case".to_owned(),
        ],
    );
}

fn sql_string(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

fn rotate_secret(page: &mut Page, specs: &[PoolSpec]) {
    page.heading("Rotate the app client secret", '~');
    let first = specs.first().map(|s| s.environment.as_str()).unwrap_or("production");
    page.para(
        0,
        "When credere-backend's client secret may have leaked, or on a schedule. The app client holds a second \
         secret while the first is replaced, and Cognito accepts either, so nobody is logged out. Two steps, with \
         a restart of credere-backend between them:",
    );
    let start = format!("cargo xtask rotate-secret --env {first} --write-env .env");
    page.code_block(0, "bash", [start.clone(), format!("{start} --finish")]);
    page.line(
        0,
        &format!(
            "#. The first step adds a generated secret ({} letters and digits), checks with a sign-in attempt that \
             needs no user that Cognito accepts it, then writes ``COGNITO_CLIENT_SECRET`` and, as the comment \
             ``# COGNITO_CLIENT_SECRET_ID=<id>``, its ID into credere-backend's ``.env``.",
            cognito::GENERATED_SECRET_CHARS
        ),
    );
    page.line(
        0,
        "#. Restart every credere-backend process, so each reads the new secret. Until the next step both secrets \
         work.",
    );
    page.line(
        0,
        "#. ``--finish`` checks the ``.env``'s secret the same way, then deletes every other secret of the app \
         client.",
    );
    page.blank();
    page.para(
        0,
        "Production asks for confirmation (``--yes`` confirms without a terminal). After an interrupted run, run \
         the same step again: a first step interrupted by Ctrl-C stops once the ``.env`` holds the new secret and \
         says so (restart, then ``--finish``); if the process was killed before the ``.env`` was written, the next \
         first step is refused because the ``.env`` names the older of two secrets: ``--finish`` then deletes the \
         newer one, whose value was lost, and keeps the ``.env``'s, and the rotation starts again.",
    );
}

fn move_to_new_pool(page: &mut Page, specs: &[PoolSpec]) {
    page.heading("Move users to a new pool", '~');
    let Some(spec) = specs.first() else { return };
    let env = spec.environment.as_str();
    page.para(
        0,
        "Cognito never changes some settings after a pool is created (sign-in attributes, username case \
         sensitivity, required attributes) and a pool cannot change region; a deleted pool cannot be undeleted. \
         For each, the users move to a new pool: from the old one, or from an export file kept as a backup when \
         the old pool is lost. Every ``credere_user`` row is pointed at its user's new ``sub``.",
    );
    page.para(
        0,
        "Plan a downtime window, from the export until credere-backend restarts on the new pool: stop \
         credere-backend first. A user added or changed in the old pool after the export is not moved, and once \
         the rows are relinked the old pool's users no longer match them.",
    );
    let file = format!("{}-users.jsonl", spec.pool.name);
    let env_file = "../credere-backend/.env";
    page.code_block(
        0,
        "bash",
        [
            format!("cargo xtask users export --env {env} --out {file}"),
            format!("cargo xtask provision --env {env} --new-pool"),
            format!("cargo xtask users import --from {file} --pool-id NEW_POOL_ID --env-file {env_file}"),
            format!("cargo xtask provision --env {env} --pool-id NEW_POOL_ID --write-env {env_file}"),
            format!(
                "cargo xtask users import --from {file} --pool-id NEW_POOL_ID --env-file {env_file} --send-reset \
                 --backend-url BACKEND_URL"
            ),
        ],
    );
    page.line(
        0,
        "#. The export writes every user of the pool, with its groups, to a file only its owner can read (it \
         holds personal data). It only reads.",
    );
    page.line(
        0,
        "#. ``cargo xtask provision --new-pool`` creates a pool and app client from the spec beside the old one and prints the new \
         pool's ID; from then on ``--pool-id`` chooses between the two. For a region move, add ``--region``.",
    );
    page.line(
        0,
        "#. The import shows its plan (users to create, users already there, rows to relink, rows with no user) \
         and asks. A new pool that lacks a custom attribute the users carry (``custom:lender``) is refused before \
         anything is written, with the command that adds it. It creates each missing user without an invitation, disabled users disabled again, then \
         relinks every row in one transaction. After a failure, run it again: it finishes the job and creates \
         nothing twice.",
    );
    page.line(
        0,
        "#. ``cargo xtask provision --write-env`` points credere-backend's ``.env`` at the new pool and its app client.",
    );
    page.line(0, "#. Restart every credere-backend process, which ends the downtime.");
    page.line(
        0,
        "#. Passwords and authenticator apps cannot be moved. Once credere-backend uses the new pool, run \
         ``cargo xtask users import`` again with ``--send-reset``: it finds everything in place, writes nothing, and asks credere-backend to \
         email each enabled user a link (as *Forgot Password?* does) that sets a new password, then a new \
         authenticator app. The plan and the question say how many users are emailed. Each answer is shown; it \
         exits 1 when one was not accepted. Run again, it emails only the users who have not set a password in the \
         new pool yet.",
    );
    page.blank();
    page.para(
        0,
        "``cargo xtask audit`` against the new pool then finds nothing to report. Keep the old pool until the new \
         one is in use, then delete it by hand.",
    );
}
