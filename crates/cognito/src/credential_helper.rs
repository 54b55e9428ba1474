//! A profile's `credential_process` (its credential helper), run here rather than by aws-config's provider.
//!
//! aws-config runs the helper inside each attempt of the first call: when the attempt's timeout abandons it, the retry
//! starts another copy, none is ever stopped, and the caller hears of a timeout as if the network were slow. Here
//! the helper runs once per command, before any call ([`Cognito::run_credential_helper`]), in a process group of
//! its own, with a deadline; when the deadline passes, or the command drops the run, the group is killed, so no copy
//! and no child of one outlives it. Its answer is AWS's `credential_process` JSON, and its credentials serve every
//! call until they are about to expire.

use std::process::Stdio;
use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_credential_types::provider::{self, ProvideCredentials, error::CredentialsError, future};
use aws_smithy_types::DateTime;
use aws_smithy_types::date_time::Format;
use pool_spec::Shown;

use crate::Cognito;

/// How long a helper may take: long enough for one that asks for a second factor, short of looking hung.
pub const CREDENTIAL_HELPER_TIMEOUT: Duration = Duration::from_secs(30);

/// Credentials that expire sooner than this are fetched again before a call.
const EXPIRY_MARGIN: Duration = Duration::from_secs(5 * 60);

/// Why the credential helper gave no credentials.
#[derive(Debug, Clone, thiserror::Error)]
#[error("the credential_process of AWS profile `{}` ({}) {failure}", Shown(.profile), Shown(.program))]
pub struct CredentialHelperError {
    /// The profile whose `credential_process` it is.
    pub profile: String,
    /// The helper's program: the command's first word (its arguments may hold secrets).
    pub program: String,
    /// What went wrong.
    pub failure: HelperFailure,
}

/// What went wrong with a credential helper.
#[derive(Debug, Clone, thiserror::Error)]
pub enum HelperFailure {
    /// It did not finish in time; it and its children were stopped.
    #[error("gave no credentials within {} s and was stopped", .0.as_secs())]
    TimedOut(Duration),
    /// It could not be started.
    #[error("could not be started: {0}")]
    NotStarted(String),
    /// It exited unsuccessfully.
    #[error("failed ({status}): {}", Shown(.stderr.trim()))]
    Failed {
        /// The exit status.
        status: String,
        /// What it printed on stderr.
        stderr: String,
    },
    /// Its output is not credentials in the `credential_process` format.
    #[error("printed no credentials in the credential_process format: {0}")]
    Unreadable(String),
}

/// The `credential_process` of the profile the command uses, when that profile is where its credentials come from.
#[derive(Debug)]
pub(crate) struct CredentialHelper {
    profile: String,
    command: String,
    timeout: Duration,
    /// The last credentials it gave; the lock also makes concurrent calls share one run.
    cached: tokio::sync::Mutex<Option<Credentials>>,
}

impl CredentialHelper {
    /// The helper of the profile `profile` (the selected one when `None`), when that profile's credentials come
    /// from its own `credential_process` (aws-config's order: a role, web identity, SSO or login session comes
    /// first, and those are left to aws-config).
    pub(crate) async fn of_profile(profile: Option<&str>, timeout: Duration) -> Option<CredentialHelper> {
        let profiles = crate::client::load_profiles(profile).await?;
        let name = profiles.selected_profile();
        let selected = profiles.get_profile(name)?;
        let command = selected.get("credential_process")?;
        let other_source = [
            "role_arn",
            "credential_source",
            "web_identity_token_file",
            "sso_session",
            "sso_start_url",
            "login_session",
        ]
        .iter()
        .any(|key| selected.get(key).is_some());
        (!other_source).then(|| CredentialHelper {
            profile: name.to_owned(),
            command: command.to_owned(),
            timeout,
            cached: tokio::sync::Mutex::new(None),
        })
    }

    fn error(&self, failure: HelperFailure) -> CredentialHelperError {
        CredentialHelperError {
            profile: self.profile.clone(),
            program: self.command.split_whitespace().next().unwrap_or_default().to_owned(),
            failure,
        }
    }

    /// The cached credentials while they are fresh, else the helper's new ones.
    pub(crate) async fn credentials(&self) -> Result<Credentials, CredentialHelperError> {
        let mut cached = self.cached.lock().await;
        let fresh = |credentials: &Credentials| {
            credentials
                .expiry()
                .is_none_or(|expiry| expiry > SystemTime::now() + EXPIRY_MARGIN)
        };
        if let Some(credentials) = cached.as_ref().filter(|credentials| fresh(credentials)) {
            return Ok(credentials.clone());
        }
        let credentials = self.run().await?;
        *cached = Some(credentials.clone());
        Ok(credentials)
    }

    async fn run(&self) -> Result<Credentials, CredentialHelperError> {
        tracing::debug!(profile = %self.profile, "running the profile's credential_process");
        let mut command = tokio::process::Command::new("sh");
        command
            .args(["-c", &self.command])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        #[cfg(unix)]
        command.process_group(0);
        let child = command
            .spawn()
            .map_err(|error| self.error(HelperFailure::NotStarted(error.to_string())))?;
        let _group = ProcessGroup(child.id());
        let output = tokio::time::timeout(self.timeout, child.wait_with_output())
            .await
            .map_err(|_| self.error(HelperFailure::TimedOut(self.timeout)))?
            .map_err(|error| self.error(HelperFailure::NotStarted(error.to_string())))?;
        if !output.status.success() {
            return Err(self.error(HelperFailure::Failed {
                status: output.status.to_string(),
                stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            }));
        }
        parse(&output.stdout).map_err(|reason| self.error(HelperFailure::Unreadable(reason)))
    }
}

/// The helper's process group, killed when the run ends: a helper that finished has left it empty (or left a
/// child behind, which goes too); one that timed out or was abandoned goes with its children. The group's leader
/// is not yet reaped while this lives, so its ID names no other group.
struct ProcessGroup(Option<u32>);

impl Drop for ProcessGroup {
    fn drop(&mut self) {
        #[cfg(unix)]
        if let Some(group) = self.0.and_then(|id| i32::try_from(id).ok()) {
            // ESRCH (the group is empty) is the usual outcome after a helper that finished.
            let _ = nix::sys::signal::killpg(nix::unistd::Pid::from_raw(group), nix::sys::signal::Signal::SIGKILL);
        }
    }
}

/// AWS's `credential_process` output: `Version` 1, the keys, and optionally a session token and an RFC 3339
/// expiry.
fn parse(stdout: &[u8]) -> Result<Credentials, String> {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct Output {
        version: u32,
        access_key_id: String,
        secret_access_key: String,
        session_token: Option<String>,
        expiration: Option<String>,
    }
    let output: Output = serde_json::from_slice(stdout).map_err(|error| error.to_string())?;
    if output.version != 1 {
        return Err(format!("Version is {}, not 1", output.version));
    }
    let expiry = output
        .expiration
        .map(|expiration| {
            DateTime::from_str(&expiration, Format::DateTimeWithOffset)
                .ok()
                .and_then(|time| SystemTime::try_from(time).ok())
                .ok_or_else(|| format!("Expiration `{}` is not an RFC 3339 time", Shown(&expiration)))
        })
        .transpose()?;
    Ok(Credentials::new(
        output.access_key_id,
        output.secret_access_key,
        output.session_token,
        expiry,
        "CredentialProcess",
    ))
}

/// The SDK's view: credentials from the environment win, as in aws-config's chain; else the helper's.
#[derive(Debug)]
pub(crate) struct HelperProvider(pub(crate) std::sync::Arc<CredentialHelper>);

impl ProvideCredentials for HelperProvider {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::new(async move {
            let credentials: provider::Result = self.0.credentials().await.map_err(CredentialsError::provider_error);
            credentials
        })
    }
}

impl Cognito {
    /// Runs the profile's credential helper, if its credentials come from one, before any call: once, within its
    /// deadline, with an error that names it. Without a helper, does nothing.
    pub async fn run_credential_helper(&self) -> Result<(), CredentialHelperError> {
        match &self.credential_helper {
            Some(helper) => helper.credentials().await.map(drop),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_credential_process_format_is_read() {
        let credentials = parse(
            br#"{"Version": 1, "AccessKeyId": "AKID", "SecretAccessKey": "secret", "SessionToken": "token",
                 "Expiration": "2030-05-02T18:36:00+00:00"}"#,
        )
        .unwrap();
        assert_eq!(credentials.access_key_id(), "AKID");
        assert_eq!(credentials.session_token(), Some("token"));
        assert!(credentials.expiry().is_some());
        let utc = parse(
            br#"{"Version": 1, "AccessKeyId": "A", "SecretAccessKey": "s", "Expiration": "2030-05-02T18:36:00Z"}"#,
        );
        assert_eq!(utc.unwrap().expiry(), credentials.expiry());
        let long_term = parse(br#"{"Version": 1, "AccessKeyId": "AKID", "SecretAccessKey": "secret"}"#).unwrap();
        assert_eq!(long_term.expiry(), None);
        for bad in [
            &br#"{"Version": 2, "AccessKeyId": "AKID", "SecretAccessKey": "secret"}"#[..],
            br#"{"Version": 1, "AccessKeyId": "AKID"}"#,
            br#"{"Version": 1, "AccessKeyId": "AKID", "SecretAccessKey": "s", "Expiration": "tomorrow"}"#,
            b"not json",
        ] {
            assert!(parse(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn the_error_names_the_program_not_its_arguments() {
        let helper = CredentialHelper {
            profile: "ops".into(),
            command: "/opt/bin/creds --token s3cr3t".into(),
            timeout: CREDENTIAL_HELPER_TIMEOUT,
            cached: tokio::sync::Mutex::new(None),
        };
        let error = helper.error(HelperFailure::TimedOut(Duration::from_secs(30)));
        assert_eq!(
            error.to_string(),
            "the credential_process of AWS profile `ops` (/opt/bin/creds) gave no credentials within 30 s and was \
             stopped"
        );
    }
}
