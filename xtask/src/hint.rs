//! What to type next after an error: the libraries' errors speak of Cognito, the spec and the database; the
//! flags and commands that fix them are known here, so the hint is chosen here, by the error's type and kind.

use std::fmt::Write;

use cognito::ApiErrorKind;
use pool_spec::Shown;

/// The error and its causes on one line, then a `hint:` line for each cause this binary has advice for.
pub fn report(error: &anyhow::Error) -> String {
    let mut text = format!("{error:#}");
    for hint in hints(error) {
        let _ = write!(text, "\nhint: {hint}");
    }
    text
}

/// The advice for each cause in `error`'s chain that has one, outermost first, without repeats.
fn hints(error: &anyhow::Error) -> Vec<String> {
    let mut hints: Vec<String> = Vec::new();
    for hint in error.chain().filter_map(hint) {
        if !hints.contains(&hint) {
            hints.push(hint);
        }
    }
    hints
}

/// The advice for one error, by its type.
fn hint(cause: &(dyn std::error::Error + 'static)) -> Option<String> {
    if let Some(failure) = cause.downcast_ref::<cognito::ApiFailure>() {
        return api_hint(failure.kind()).map(str::to_owned);
    }
    if let Some(no_pool) = cause.downcast_ref::<cognito::NoSuchPool>() {
        return Some(no_such_pool_hint(no_pool));
    }
    if let Some(error) = cause.downcast_ref::<cognito::Error>() {
        return cognito_hint(error);
    }
    if let Some(error) = cause.downcast_ref::<pool_spec::ResolveError>() {
        return resolve_hint(error);
    }
    if let Some(error) = cause.downcast_ref::<admin_bootstrap::Error>() {
        return bootstrap_hint(error);
    }
    if let Some(error) = cause.downcast_ref::<user_audit::Error>() {
        return audit_hint(error);
    }
    if let Some(error) = cause.downcast_ref::<cognito::RotationRefusal>() {
        return Some(rotation_hint(error));
    }
    if let Some(error) = cause.downcast_ref::<cognito::PoolChoiceError>() {
        return pool_choice_hint(error);
    }
    if let Some(error) = cause.downcast_ref::<admin_bootstrap::InputError>() {
        return input_hint(error);
    }
    if let Some(error) = cause.downcast_ref::<cognito::CredentialHelperError>() {
        return Some(credential_helper_hint(error));
    }
    if let Some(error) = cause.downcast_ref::<cognito::iam::PoolResourceError>() {
        return Some(pool_resource_hint(error).into());
    }
    if let Some(error) = cause.downcast_ref::<admin_bootstrap::PlanError>() {
        // Transparent: the chain goes on below the wrapped error, so its own hint is taken here.
        return match error {
            admin_bootstrap::PlanError::Email(error) => hint(error),
            admin_bootstrap::PlanError::Cognito(error) => hint(error),
            admin_bootstrap::PlanError::CaseChanged { .. } => None,
        };
    }
    if let Some(admin_bootstrap::EnvFileError::OutsideReference { key, .. }) = cause.downcast_ref() {
        return setting_flag(key).map(|flag| format!("pass {flag} and leave out --env-file"));
    }
    if let Some(user_import::ImportError::DatabaseNotReady(user_model::Error::Query { .. })) = cause.downcast_ref() {
        return Some(
            "the role in DATABASE_URL needs SELECT and UPDATE on public.credere_user (GRANT SELECT, UPDATE ON \
             public.credere_user TO ROLE), and the rows must pass the table's triggers; fix that, then run again"
                .into(),
        );
    }
    if let Some(user_import::ImportError::Plan(user_import::PlanError::MissingCustomAttributes {
        pool_id,
        region,
        missing,
    })) = cause.downcast_ref()
    {
        return Some(add_custom_attributes_hint(pool_id, region, missing));
    }
    if let Some(error) = cause.downcast_ref::<user_model::Error>() {
        return database_hint(error).map(str::to_owned);
    }
    if let Some(error) = cause.downcast_ref::<user_export::DestinationError>() {
        return destination_hint(error).map(str::to_owned);
    }
    None
}

/// How to give the target pool the custom attributes it lacks: the spec defines none, so no `provision` adds them;
/// AddCustomAttributes does, with the type and mutability the source pool had (from the file, when it records
/// them; a developer-only attribute is added with `DeveloperOnlyAttribute=true`).
fn add_custom_attributes_hint(pool_id: &str, region: &str, missing: &[user_import::MissingAttribute]) -> String {
    let mut unknown = Vec::new();
    let attributes: Vec<String> = missing
        .iter()
        .map(|attribute| {
            let developer_only = attribute.name.starts_with("dev:");
            let name = attribute.name.trim_start_matches("dev:").trim_start_matches("custom:");
            let mut argument = format!("Name={}", Shown(name));
            match &attribute.in_source {
                Some(source) => {
                    let _ = write!(argument, ",AttributeDataType={}", Shown(&source.data_type));
                    if let Some(mutable) = source.mutable {
                        let _ = write!(argument, ",Mutable={mutable}");
                    }
                }
                None => {
                    unknown.push(Shown(&attribute.name).to_string());
                    argument.push_str(",AttributeDataType=TYPE,Mutable=BOOLEAN");
                }
            }
            if developer_only {
                argument.push_str(",DeveloperOnlyAttribute=true");
            }
            argument
        })
        .collect();
    let mut hint = format!(
        "add them to the target pool as the source pool has them, then run the same command again: aws \
         cognito-idp add-custom-attributes --region {} --user-pool-id {} --custom-attributes {}",
        Shown(region),
        Shown(pool_id),
        attributes.join(" ")
    );
    if !unknown.is_empty() {
        let _ = write!(
            hint,
            " (the file does not record the type and mutability of {}: read them from the source pool with aws \
             cognito-idp describe-user-pool, SchemaAttributes)",
            unknown.join(", ")
        );
    }
    hint
}

/// What to pass when `--out` cannot take the export.
fn destination_hint(error: &user_export::DestinationError) -> Option<&'static str> {
    match error {
        user_export::DestinationError::Exists(_) => Some("pass another --out, or --force to replace the file"),
        user_export::DestinationError::NoDirectory(_) => Some("create the directory (mkdir -p), or pass another --out"),
        user_export::DestinationError::NoFileName(_) | user_export::DestinationError::IsDirectory(_) => {
            Some("pass --out with a file's path, e.g. --out users.jsonl")
        }
        user_export::DestinationError::Io { .. } => None,
    }
}

/// What to do about a database that made the tool wait too long, ended its session, or is not the tool's to migrate.
fn database_hint(error: &user_model::Error) -> Option<&'static str> {
    match error {
        user_model::Error::TimedOut {
            timeout: user_model::Timeout::Lock,
            ..
        } => Some(
            "wait for the session(s) named above to finish (a migration or VACUUM FULL holds the table until it \
             ends), then run the same command again; whoever runs one can stop it with SELECT pg_cancel_backend(PID). \
             To wait longer, run with PGOPTIONS='-c lock_timeout=5min'",
        ),
        user_model::Error::TimedOut {
            timeout: user_model::Timeout::Statement,
            ..
        } => Some(
            "a session named above may be why: wait for it to finish; else allow longer for this run with \
             PGOPTIONS='-c statement_timeout=10min', or raise a value set for the role or database with ALTER ROLE \
             (or ALTER DATABASE) … SET statement_timeout",
        ),
        user_model::Error::ConnectionLost { .. } => Some(
            "the server ended the session: an administrator or a monitoring job (pg_terminate_backend, \
             idle_session_timeout), a restart or a failover. Ask the database's administrators; once it answers \
             again, run the same command again",
        ),
        user_model::Error::ManagedByAlembic { .. } => Some("pass --force to migrate it anyway"),
        // The message names the value at fault and the fix, or the caller's error gives the advice.
        user_model::Error::InvalidUrl { .. }
        | user_model::Error::KeywordValue
        | user_model::Error::MissingSlashes { .. }
        | user_model::Error::NeedsPercentEncoding { .. }
        | user_model::Error::UnsupportedScheme { .. }
        | user_model::Error::NoDatabaseName { .. }
        | user_model::Error::Connection { .. }
        | user_model::Error::Schema(_)
        | user_model::Error::DuplicateEmail { .. }
        | user_model::Error::UserNotFound { .. }
        | user_model::Error::Query { .. }
        | user_model::Error::ReadOnly { .. }
        | user_model::Error::Migration { .. }
        | user_model::Error::MigrationRolledBack { .. }
        | user_model::Error::UnsupportedValue { .. }
        | user_model::Error::ImportRunning
        | user_model::Error::ConnectionPoisoned
        | user_model::Error::Cancelled => None,
    }
}

/// A failed AWS call, by what kind of failure it was.
fn api_hint(kind: ApiErrorKind) -> Option<&'static str> {
    Some(match kind {
        ApiErrorKind::NoCredentials => {
            "no AWS credentials were found: run `aws configure` or `aws sso login`, pass --profile NAME, or set \
             AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
        }
        ApiErrorKind::CredentialsRefused => {
            "the AWS credentials were refused or have expired: refresh them (e.g. `aws sso login`) or pick another \
             --profile"
        }
        ApiErrorKind::AccessDenied => {
            "these credentials lack an IAM permission (cognito-idp:*) this call needs; use a profile that has it \
             (`cargo xtask iam-policy` prints the least-privilege policy of each role)"
        }
        ApiErrorKind::SesIdentityNotVerified => {
            "the SES identity is not verified where Cognito looked: verify the address (or its domain) in SES in \
             the region the ARN names, or pass --ses-identity-arn with the ARN of an identity that is verified"
        }
        ApiErrorKind::SesIdentityOfAnotherAccount => {
            "the SES identity ARN names another AWS account: pass --ses-identity-arn with an identity of the pool's \
             own account (arn:aws:ses:REGION:ACCOUNT_ID:identity/ADDRESS_OR_DOMAIN)"
        }
        ApiErrorKind::ConcurrentModification => {
            "another change to this pool was in progress and kept winning; wait a minute and run the same command \
             again: it plans from what now exists"
        }
        ApiErrorKind::Throttled => {
            "AWS kept throttling these calls after the retries (another tool may share the account's quota); wait a \
             minute and run the same command again"
        }
        ApiErrorKind::Connection => {
            "the endpoint could not be reached: check the network, --region and --endpoint-url (or AWS_ENDPOINT_URL)"
        }
        ApiErrorKind::ConnectionLost => {
            "the other end closed the connection before the answer came (a proxy, a VPN or AWS's side), so the call \
             may have taken effect: check the network (and HTTPS_PROXY), then run the same command again; it starts \
             from what exists now"
        }
        ApiErrorKind::Timeout => {
            "no answer came in time: check the network and --endpoint-url, then run the same command again"
        }
        // The service's own message says what it refused; an unclassified failure has no advice.
        ApiErrorKind::Service | ApiErrorKind::Other => return None,
    })
}

/// A pool ID that names no pool: another region (its prefix says which), else a typo or another account.
fn no_such_pool_hint(error: &cognito::NoSuchPool) -> String {
    match cognito::pool_region(&error.pool_id) {
        Some(home) if home != error.region => format!("pass --region {home}"),
        _ => "check the ID (--pool-id, COGNITO_POOL_ID) and that these credentials are for the pool's account".into(),
    }
}

fn cognito_hint(error: &cognito::Error) -> Option<String> {
    match error {
        cognito::Error::PoolNotFound(no_pool) => Some(no_such_pool_hint(no_pool)),
        cognito::Error::NoPoolForEnvironment { environment, .. } => Some(pool_not_found_hint(*environment)),
        cognito::Error::AmbiguousPool { .. } => Some("choose one with --pool-id ID".into()),
        cognito::Error::SeveralBeside { .. } => Some(
            "finish a new pool an earlier `provision --new-pool` left unfinished with `cargo xtask provision --env \
             ENV --pool-id ID` (without --new-pool); to make another new pool, first delete the one no longer used"
                .into(),
        ),
        cognito::Error::Unfinished { pool_id, .. } => Some(format!(
            "finish it with `cargo xtask provision --env ENV --pool-id {pool_id}` (without --new-pool): it plans \
             from what now exists"
        )),
        cognito::Error::PoolNameMismatch { .. } => {
            Some("check --pool-id (or COGNITO_POOL_ID) against --env: they must name the same pool".into())
        }
        cognito::Error::Api { .. }
        | cognito::Error::UsernameExists { .. }
        | cognito::Error::UserNotFound { .. }
        | cognito::Error::Missing { .. }
        | cognito::Error::AmbiguousClient { .. }
        | cognito::Error::Unexpected { .. }
        | cognito::Error::DuplicatePool { .. }
        | cognito::Error::Unreadable { .. }
        | cognito::Error::OutOfRange { .. }
        | cognito::Error::Unsendable { .. }
        | cognito::Error::Build { .. }
        | cognito::Error::Spec(_)
        | cognito::Error::Random { .. } => None,
        cognito::Error::ClientNotFound { .. } => {
            Some("create it with `cargo xtask provision --env ENV` (check --env, --region and --pool-id first)".into())
        }
    }
}

/// What to run after a refused step of `rotate-secret`.
fn rotation_hint(error: &cognito::RotationRefusal) -> String {
    use cognito::RotationRefusal;
    match error {
        RotationRefusal::NoSecret => {
            "a public client cannot get a secret; the spec's clients have one: see `cargo xtask provision --check`"
                .into()
        }
        RotationRefusal::UnderWay { .. } => "restart credere-backend (every process) so that it reads the new \
                                             secret, then run the same command with --finish"
            .into(),
        RotationRefusal::NewerNotWritten { .. } => "run the same command with --finish: it deletes the newer \
                                                    secret and keeps the one the .env names; then run it again \
                                                    without --finish to rotate"
            .into(),
        RotationRefusal::EnvNamesNone { .. } => "pass the .env that credere-backend runs with; while the client \
                                                 holds one secret, `cargo xtask provision --env ENV --write-env \
                                                 FILE` writes its ID as the comment `# \
                                                 COGNITO_CLIENT_SECRET_ID=…`"
            .into(),
        RotationRefusal::EnvSecretRefused { .. } => "restore the .env's COGNITO_CLIENT_SECRET to the value of the \
                                                     secret the comment `# COGNITO_CLIENT_SECRET_ID=…` names (the one \
                                                     credere-backend signs in with), then run the same command again"
            .into(),
        RotationRefusal::AddedSecretRefused { rolled_back: true, .. } => {
            "run the same command again in a minute; the current secret was not touched".into()
        }
        RotationRefusal::AddedSecretRefused { rolled_back: false, .. } => {
            "run the same command with --finish to delete the new secret (the .env still names the old one), then \
             run it again without --finish"
                .into()
        }
        RotationRefusal::EnvFileIncomplete { .. } | RotationRefusal::WrongEnvFile { .. } => {
            "pass this environment's credere-backend .env as --write-env, or write this pool's IDs into it with \
             `cargo xtask provision --env ENV --write-env FILE`"
                .into()
        }
    }
}

fn resolve_hint(error: &pool_spec::ResolveError) -> Option<String> {
    match error {
        pool_spec::ResolveError::MissingSesSourceArn { .. } => Some(
            "pass --ses-identity-arn ARN, or leave it out of `provision` to have the ARN built from the caller's \
             account and region"
                .into(),
        ),
        pool_spec::ResolveError::Invalid(_) | pool_spec::ResolveError::WrongSesIdentity { .. } => None,
    }
}

fn bootstrap_hint(error: &admin_bootstrap::Error) -> Option<String> {
    match error {
        admin_bootstrap::Error::RowPointsElsewhere { .. } => {
            Some("pass --relink to point the row at the Cognito user".into())
        }
        admin_bootstrap::Error::RowWithoutCognitoUser { .. } => {
            Some("pass --relink to create the Cognito user and point the row at it".into())
        }
        admin_bootstrap::Error::RowIsLender { .. } => Some("pass --promote to make it an OCP administrator".into()),
        admin_bootstrap::Error::RowNotWritable { cause, .. } => row_not_writable_hint(cause).map(str::to_owned),
        admin_bootstrap::Error::UserDisabled { email, .. } => Some(format!(
            "if it should be an administrator, enable it with `cargo xtask admin enable --email {}` (with the same \
             --env or --pool-id), then run this command again",
            pool_spec::Shown(email)
        )),
        admin_bootstrap::Error::Database(_)
        | admin_bootstrap::Error::EmailAmbiguous { .. }
        | admin_bootstrap::Error::Pool(_)
        | admin_bootstrap::Error::Cognito(_)
        | admin_bootstrap::Error::RowNotWritten { .. } => None,
    }
}

/// What to check when the row cannot be written; a read-only or lost connection's message already says it.
fn row_not_writable_hint(cause: &user_model::Error) -> Option<&'static str> {
    match cause {
        user_model::Error::ReadOnly { .. }
        | user_model::Error::ConnectionLost { .. }
        | user_model::Error::UnsupportedValue { .. }
        | user_model::Error::TimedOut { .. } => None,
        user_model::Error::DuplicateEmail { .. } => {
            Some("someone added the row meanwhile: run again, and the row that is there now is checked and kept")
        }
        user_model::Error::InvalidUrl { .. }
        | user_model::Error::KeywordValue
        | user_model::Error::MissingSlashes { .. }
        | user_model::Error::NeedsPercentEncoding { .. }
        | user_model::Error::UnsupportedScheme { .. }
        | user_model::Error::NoDatabaseName { .. }
        | user_model::Error::Connection { .. }
        | user_model::Error::Schema(_)
        | user_model::Error::UserNotFound { .. }
        | user_model::Error::Query { .. }
        | user_model::Error::Migration { .. }
        | user_model::Error::MigrationRolledBack { .. }
        | user_model::Error::ManagedByAlembic { .. }
        | user_model::Error::ImportRunning
        | user_model::Error::ConnectionPoisoned
        | user_model::Error::Cancelled => Some(
            "the role in DATABASE_URL needs SELECT, INSERT and UPDATE on public.credere_user and USAGE on \
             public.user_id_seq, and the row must pass the table's constraints and triggers; fix that, then run again",
        ),
    }
}

/// The admin command's flag for each input the request lacks.
fn input_hint(error: &admin_bootstrap::InputError) -> Option<String> {
    match error {
        admin_bootstrap::InputError::BlankName => Some("pass the display name with --name NAME".into()),
        admin_bootstrap::InputError::Pool(error) => pool_choice_hint(error),
        admin_bootstrap::InputError::NoDatabase => {
            Some("pass --database-url URL, set DATABASE_URL, or use --env-file with credere-backend's .env".into())
        }
        admin_bootstrap::InputError::InvalidBackendUrl { .. } => {
            Some("pass --backend-url with credere-backend's base URL, e.g. https://credere.example.org".into())
        }
        // The message names the value at fault; no flag fixes it but giving another value.
        admin_bootstrap::InputError::EmptyEmail
        | admin_bootstrap::InputError::EmailTooLong { .. }
        | admin_bootstrap::InputError::InvalidEmail { .. }
        | admin_bootstrap::InputError::NameTooLong { .. }
        | admin_bootstrap::InputError::ControlCharacter { .. }
        | admin_bootstrap::InputError::FormatCharacter { .. }
        | admin_bootstrap::InputError::AsciiLookalike { .. }
        | admin_bootstrap::InputError::Language(_)
        | admin_bootstrap::InputError::Database(_) => None,
    }
}

/// Flags that name no pool: the two flags that do, for every command that works on a pool's users; a pool ID
/// whose region is shouted: the ID as Cognito spells it.
fn pool_choice_hint(error: &cognito::PoolChoiceError) -> Option<String> {
    match error {
        cognito::PoolChoiceError::NoPool => Some("pass --env ENV, or --pool-id ID (or set COGNITO_POOL_ID)".into()),
        cognito::PoolChoiceError::InvalidPoolId { pool_id } => Some(match cognito::lower_case_region(pool_id) {
            Some(fixed) => format!("pass --pool-id {fixed}: a pool ID starts with its region in lower case"),
            None => "pass --pool-id (or set COGNITO_POOL_ID) with the ID the console or `aws cognito-idp \
                     list-user-pools` shows"
                .into(),
        }),
    }
}

/// A profile's credential_process that gave no credentials: run it as the AWS CLI does to see why.
fn credential_helper_hint(error: &cognito::CredentialHelperError) -> String {
    let profile = pool_spec::Shown(&error.profile);
    let waits = match error.failure {
        cognito::HelperFailure::TimedOut(_) => "; if it waits for you (a second factor, a browser), finish that first",
        cognito::HelperFailure::NotStarted(_)
        | cognito::HelperFailure::Failed { .. }
        | cognito::HelperFailure::Unreadable(_) => "",
    };
    format!(
        "run the profile's credential_process by hand (`aws configure export-credentials --profile {profile}` runs it \
         as the AWS CLI does) and fix what it says{waits}, or pass another --profile"
    )
}

/// The `iam-policy` flag that gives each part of an ARN.
fn pool_resource_hint(error: &cognito::iam::PoolResourceError) -> &'static str {
    match error {
        cognito::iam::PoolResourceError::NotARegion(_) => {
            "pass --region with the pools' region code, e.g. --region eu-west-1, or leave it out for every region"
        }
        cognito::iam::PoolResourceError::NotAnAccountId(_) => {
            "pass --account-id with the account's 12 digits (`aws sts get-caller-identity` prints them), or leave it \
             out for every account"
        }
        cognito::iam::PoolResourceError::NotAPoolArn { .. } => {
            "pass --pool-arn with the ARN `aws cognito-idp describe-user-pool --user-pool-id ID --query \
             UserPool.Arn` prints"
        }
    }
}

/// The flag that gives a setting of credere-backend's `.env` instead.
fn setting_flag(key: &str) -> Option<&'static str> {
    match key {
        "DATABASE_URL" => Some("--database-url"),
        "COGNITO_POOL_ID" => Some("--pool-id"),
        "AWS_REGION" => Some("--region"),
        _ => None,
    }
}

fn audit_hint(error: &user_audit::Error) -> Option<String> {
    match error {
        // Transparent: the Cognito error is not a cause of its own in the chain.
        user_audit::Error::Cognito(error) => cognito_hint(error),
        user_audit::Error::Database(error) => database_hint(error).map(str::to_owned),
    }
}

/// No pool has the environment's spec name in the region searched.
fn pool_not_found_hint(environment: pool_spec::Environment) -> String {
    format!(
        "check --region (or AWS_REGION), create the pool with `cargo xtask provision --env {environment}`, or pass \
         --pool-id"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(kind: ApiErrorKind) -> String {
        api_hint(kind)
            .unwrap_or_else(|| panic!("no hint for {kind:?}"))
            .to_owned()
    }

    #[test]
    fn missing_credentials_name_the_ways_to_give_them() {
        let hint = api(ApiErrorKind::NoCredentials);
        for expected in ["no AWS credentials", "aws sso login", "--profile", "AWS_ACCESS_KEY_ID"] {
            assert!(hint.contains(expected), "{expected:?} missing from {hint}");
        }
    }

    #[test]
    fn refused_credentials_say_refresh_or_another_profile() {
        let hint = api(ApiErrorKind::CredentialsRefused);
        assert!(
            hint.contains("refused or have expired") && hint.contains("--profile"),
            "{hint}"
        );
    }

    #[test]
    fn a_denied_call_names_the_permission_and_the_policy_command() {
        let hint = api(ApiErrorKind::AccessDenied);
        assert!(hint.contains("IAM permission") && hint.contains("iam-policy"), "{hint}");
    }

    #[test]
    fn the_ses_refusals_name_the_flag_that_fixes_them() {
        let unverified = api(ApiErrorKind::SesIdentityNotVerified);
        assert!(
            unverified.contains("verify the address (or its domain) in SES"),
            "{unverified}"
        );
        let other_account = api(ApiErrorKind::SesIdentityOfAnotherAccount);
        assert!(other_account.contains("names another AWS account"), "{other_account}");
        for hint in [unverified, other_account] {
            assert!(hint.contains("--ses-identity-arn"), "{hint}");
        }
    }

    #[test]
    fn throttling_and_concurrent_changes_say_wait_and_run_again() {
        assert!(api(ApiErrorKind::Throttled).contains("throttling"));
        assert!(api(ApiErrorKind::ConcurrentModification).contains("another change to this pool"));
        for kind in [ApiErrorKind::Throttled, ApiErrorKind::ConcurrentModification] {
            assert!(api(kind).contains("run the same command again"), "{kind:?}");
        }
    }

    #[test]
    fn an_unreachable_endpoint_names_region_and_endpoint() {
        let hint = api(ApiErrorKind::Connection);
        assert!(hint.contains("--region") && hint.contains("--endpoint-url"), "{hint}");
    }

    #[test]
    fn a_connection_lost_mid_answer_says_it_may_have_taken_effect() {
        let hint = api(ApiErrorKind::ConnectionLost);
        assert!(
            hint.contains("may have taken effect") && hint.contains("run the same command again"),
            "{hint}"
        );
    }

    #[test]
    fn a_timeout_says_check_the_network_and_run_again() {
        let hint = api(ApiErrorKind::Timeout);
        assert!(
            hint.contains("no answer came in time") && hint.contains("--endpoint-url"),
            "{hint}"
        );
    }

    #[test]
    fn other_refusals_speak_for_themselves() {
        // `api_hint` matches every kind without a wildcard, so a new kind must be given its hint (or none) there;
        // this test pins which kinds have none.
        for kind in [ApiErrorKind::Service, ApiErrorKind::Other] {
            assert_eq!(api_hint(kind), None, "{kind:?}");
        }
    }

    #[test]
    fn a_pool_of_another_region_names_the_region_to_pass() {
        let elsewhere = cognito::NoSuchPool {
            pool_id: "eu-west-1_AbC123".into(),
            region: "us-east-1".into(),
        };
        assert_eq!(no_such_pool_hint(&elsewhere), "pass --region eu-west-1");
        let here = cognito::NoSuchPool {
            pool_id: "us-east-1_Nope".into(),
            region: "us-east-1".into(),
        };
        assert!(no_such_pool_hint(&here).contains("--pool-id"));
    }

    #[test]
    fn pool_choices_name_pool_id() {
        let ambiguous = cognito::Error::AmbiguousPool {
            name: "credere".into(),
            ids: vec!["us-east-1_a".into(), "us-east-1_b".into()],
        };
        let mismatch = cognito::Error::PoolNameMismatch {
            id: "us-east-1_a".into(),
            actual: "credere".into(),
            expected: "credere-production".into(),
        };
        let several = cognito::Error::SeveralBeside {
            name: "credere".into(),
            ids: vec!["us-east-1_a".into(), "us-east-1_b".into()],
        };
        let unfinished = cognito::Error::Unfinished {
            pool_id: "us-east-1_b".into(),
            source: Box::new(cognito::Error::Missing {
                operation: "CreateUserPoolClient",
                field: "UserPoolClient",
            }),
        };
        for error in [ambiguous, mismatch, several, unfinished] {
            assert!(
                cognito_hint(&error).is_some_and(|hint| hint.contains("--pool-id")),
                "{error}"
            );
        }
    }

    #[test]
    fn a_missing_ses_arn_names_the_flag() {
        let missing = pool_spec::production().resolve(None).unwrap_err();
        assert!(resolve_hint(&missing).is_some_and(|hint| hint.contains("--ses-identity-arn")));
    }

    #[test]
    fn bootstrap_refusals_name_the_flag_that_overrides_them() {
        let elsewhere = admin_bootstrap::Error::RowPointsElsewhere {
            email: "ada@example.org".into(),
            user_id: 1,
            row_external_id: "someone-else".into(),
            cognito_username: "0b7e".into(),
        };
        let without_user = admin_bootstrap::Error::RowWithoutCognitoUser {
            email: "ada@example.org".into(),
            user_id: 1,
            row_external_id: "someone-else".into(),
        };
        let lender = admin_bootstrap::Error::RowIsLender {
            email: "ada@example.org".into(),
            user_id: 1,
        };
        for (error, flag) in [
            (elsewhere, "--relink"),
            (without_user, "--relink"),
            (lender, "--promote"),
        ] {
            assert!(
                bootstrap_hint(&error).is_some_and(|hint| hint.contains(flag)),
                "{error}"
            );
        }
    }

    #[test]
    fn a_missing_environment_pool_names_provision_and_pool_id() {
        let error = cognito::Error::NoPoolForEnvironment {
            environment: pool_spec::Environment::Production,
            name: "credere-production".into(),
            region: "us-east-1".into(),
        };
        let hint = cognito_hint(&error).unwrap_or_default();
        assert!(
            hint.contains("cargo xtask provision --env production") && hint.contains("--pool-id"),
            "{hint}"
        );
    }

    #[test]
    fn an_unwritable_row_names_the_privileges_unless_the_cause_says_it() {
        let denied = user_model::Error::UserNotFound { id: 1 };
        assert!(row_not_writable_hint(&denied).is_some_and(|hint| hint.contains("INSERT and UPDATE")));
        let taken = user_model::Error::DuplicateEmail {
            email: "ada@example.org".into(),
        };
        assert!(row_not_writable_hint(&taken).is_some_and(|hint| hint.contains("someone added the row")));
        let read_only = user_model::Error::ReadOnly {
            context: "inserting",
            message: "cannot execute INSERT in a read-only transaction".into(),
        };
        assert_eq!(row_not_writable_hint(&read_only), None);
    }

    #[test]
    fn missing_input_names_the_admin_flags() {
        let cases = [
            (admin_bootstrap::InputError::BlankName, "--name"),
            (
                admin_bootstrap::InputError::Pool(cognito::PoolChoiceError::NoPool),
                "--pool-id",
            ),
            (admin_bootstrap::InputError::NoDatabase, "--database-url"),
        ];
        for (error, flag) in cases {
            assert!(input_hint(&error).is_some_and(|hint| hint.contains(flag)), "{error}");
        }
    }

    #[test]
    fn a_setting_from_outside_the_env_file_names_the_flag_that_gives_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".env");
        std::fs::write(&path, "AWS_REGION=${REGION_OF_THE_SERVER}\n").unwrap();
        let refused = admin_bootstrap::BackendEnv::read(&path).unwrap_err();
        assert_eq!(
            hint(&refused).as_deref(),
            Some("pass --region and leave out --env-file")
        );
        for (key, flag) in [
            ("DATABASE_URL", "--database-url"),
            ("COGNITO_POOL_ID", "--pool-id"),
            ("AWS_REGION", "--region"),
        ] {
            assert_eq!(setting_flag(key), Some(flag));
        }
    }

    #[test]
    fn a_database_of_alembic_names_force() {
        let refused = user_model::Error::ManagedByAlembic {
            database: "credere".into(),
        };
        let error = anyhow::Error::from(refused).context("setting up postgresql:///credere");
        assert_eq!(hints(&error), ["pass --force to migrate it anyway"]);
    }

    #[test]
    fn database_waits_and_lost_sessions_name_the_fix() {
        let timed_out = |timeout| user_model::Error::TimedOut {
            context: "reading every credere_user row",
            timeout,
            message: "canceling statement".into(),
            diagnosis: None,
        };
        let lock = database_hint(&timed_out(user_model::Timeout::Lock)).unwrap_or_default();
        assert!(
            lock.contains("pg_cancel_backend") && lock.contains("PGOPTIONS='-c lock_timeout="),
            "{lock}"
        );
        let statement = database_hint(&timed_out(user_model::Timeout::Statement)).unwrap_or_default();
        assert!(
            statement.contains("PGOPTIONS='-c statement_timeout=") && statement.contains("ALTER ROLE"),
            "{statement}"
        );
        let lost = user_model::Error::ConnectionLost {
            context: "reading every credere_user row",
            message: "server closed the connection unexpectedly".into(),
        };
        let audit = anyhow::Error::from(user_audit::Error::Database(lost));
        assert!(
            hints(&audit).iter().any(|hint| hint.contains("pg_terminate_backend")),
            "{audit}"
        );
    }

    #[test]
    fn the_report_is_the_chain_then_each_hint_once() {
        let missing = pool_spec::production().resolve(None).unwrap_err();
        let error = anyhow::Error::from(missing).context("resolving the spec");
        let text = report(&error);
        let mut lines = text.lines();
        assert!(
            lines
                .next()
                .is_some_and(|line| line.starts_with("resolving the spec: the production pool"))
        );
        assert!(
            lines
                .next()
                .is_some_and(|line| line.starts_with("hint: pass --ses-identity-arn"))
        );
        assert_eq!(lines.next(), None, "{text}");
    }
}
