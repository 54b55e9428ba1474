//! Asking credere-backend to send the password-reset email, as the frontend's "Forgot Password?" does.
//!
//! credere-backend's `POST /users/forgot-password` sets a new temporary password (AdminSetUserPassword with
//! `Permanent = false`) and emails a link to the frontend's `/create-password` page carrying it; that page sets the
//! user's own password. So on a user who has already set a password, it replaces a working password: that needs
//! the maintainer's confirmation.

use std::time::Duration;

use aws_smithy_http_client::proxy::ProxyConfig;
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};
use aws_smithy_http_client::{Connector, ConnectorBuilder};
use aws_smithy_runtime_api::client::http::HttpConnector;
use aws_smithy_runtime_api::http::Request;
use aws_smithy_types::body::SdkBody;
use serde::Serialize;
use url::Url;

use cognito::UserStatus;

use crate::input::InputError;

/// The backend's route behind "Forgot Password?".
const FORGOT_PASSWORD: [&str; 2] = ["users", "forgot-password"];
/// The whole request, connection included; the backend only queues an email.
const TIMEOUT: Duration = Duration::from_secs(30);

/// The `users/forgot-password` URL under a credere-backend base URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResetTarget {
    url: Url,
}

impl ResetTarget {
    /// Accepts an `http(s)://` base URL, with or without a path prefix or a trailing slash.
    ///
    /// Refuses credentials (`user:password@`): the route needs none, and the URL is printed in the report. A
    /// refused URL holding an `@` is not shown, as it may hold a password.
    pub fn parse(base: &str) -> Result<Self, InputError> {
        let shown = if base.contains('@') {
            "(not shown, as it may hold a password)".to_owned()
        } else {
            format!("{base:?}")
        };
        let invalid = |reason: String| InputError::InvalidBackendUrl {
            url: shown.clone(),
            reason,
        };
        let mut url = Url::parse(base.trim()).map_err(|error| invalid(error.to_string()))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(invalid(format!("the scheme is {:?}", url.scheme())));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(invalid(
                "it holds credentials (user:password@), which POST /users/forgot-password does not need; remove them"
                    .into(),
            ));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(invalid("a base URL takes no query or fragment".into()));
        }
        url.path_segments_mut()
            .map_err(|()| invalid("it cannot hold a path".into()))?
            .pop_if_empty()
            .extend(FORGOT_PASSWORD);
        Ok(Self { url })
    }

    /// The full URL the request goes to.
    pub fn url(&self) -> &str {
        self.url.as_str()
    }
}

/// Whether a reset would replace a password the user chose: in every status (e.g. `CONFIRMED`, or one AWS added
/// later) but the two in which the user has no password of their own yet, so a reset replaces nothing that works:
/// created by an admin and never signed in (`FORCE_CHANGE_PASSWORD`), or made to reset by an admin
/// (`RESET_REQUIRED`).
pub(crate) fn replaces_own_password(cognito_status: &UserStatus) -> bool {
    match cognito_status {
        UserStatus::ForceChangePassword | UserStatus::ResetRequired => false,
        UserStatus::Unconfirmed
        | UserStatus::Confirmed
        | UserStatus::Archived
        | UserStatus::Compromised
        | UserStatus::Unknown
        | UserStatus::ExternalProvider
        | UserStatus::Other(_) => true,
    }
}

/// What came of the reset request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ResetOutcome {
    /// The backend answered (any status: the caller decides what a non-2xx means).
    Answered {
        /// The URL posted to.
        url: String,
        /// The HTTP status.
        status: u16,
    },
    /// Not sent: the user has set a password of their own, which the reset would replace, and that was not
    /// confirmed (`--yes`).
    NotSent {
        /// The URL that was not posted to.
        url: String,
        /// The user's Cognito status, e.g. `CONFIRMED`.
        cognito_status: UserStatus,
    },
    /// The request never reached the backend (connection refused, TLS failure).
    Unreachable {
        /// The URL posted to.
        url: String,
        /// Why.
        reason: String,
    },
    /// The request was sent and no whole answer came (a timeout, a connection closed mid-answer): the backend may
    /// have acted on it.
    NoAnswer {
        /// The URL posted to.
        url: String,
        /// Why.
        reason: String,
    },
}

impl ResetOutcome {
    /// Whether the backend accepted the request (a 2xx status).
    pub fn succeeded(&self) -> bool {
        matches!(self, Self::Answered { status, .. } if (200..300).contains(status))
    }

    /// Whether the backend may have replaced the password without the email reaching the admin: it failed while
    /// handling the request (a 5xx status) or never answered it. credere-backend sets the temporary password
    /// before it sends the email.
    pub fn may_have_replaced_password(&self) -> bool {
        match self {
            Self::Answered { status, .. } => *status >= 500,
            Self::NoAnswer { .. } => true,
            Self::NotSent { .. } | Self::Unreachable { .. } => false,
        }
    }
}

#[derive(Serialize)]
struct ForgotPassword<'a> {
    username: &'a str,
}

/// Sends the reset unless it would replace a password the user chose (in every status but `FORCE_CHANGE_PASSWORD`
/// and `RESET_REQUIRED`) and `confirmed` is false, in which case nothing is sent and the outcome says why.
pub async fn reset_unless_own_password(
    target: &ResetTarget,
    email: &str,
    cognito_status: &UserStatus,
    confirmed: bool,
) -> ResetOutcome {
    if replaces_own_password(cognito_status) && !confirmed {
        return ResetOutcome::NotSent {
            url: target.url().to_owned(),
            cognito_status: cognito_status.clone(),
        };
    }
    send_password_reset(target, email).await
}

/// POSTs `{"username": email}` to the target. Never fails: an unreachable backend is an outcome to report,
/// since the admin itself is bootstrapped by then.
pub async fn send_password_reset(target: &ResetTarget, email: &str) -> ResetOutcome {
    let url = target.url().to_owned();
    let unreachable = |reason: String| ResetOutcome::Unreachable {
        url: url.clone(),
        reason,
    };
    let request = match forgot_password_request(target, email) {
        Ok(request) => request,
        Err(error) => return unreachable(error_chain(&*error)),
    };
    let no_answer = |reason: String| ResetOutcome::NoAnswer {
        url: url.clone(),
        reason,
    };
    match tokio::time::timeout(TIMEOUT, https_connector().call(request)).await {
        Ok(Ok(response)) => ResetOutcome::Answered {
            url: url.clone(),
            status: response.status().as_u16(),
        },
        // A connection that closed before the answer (hyper's IncompleteMessage) is "other"; refused or unreachable
        // ones are I/O errors, and a request that could not be made is the caller's.
        Ok(Err(error)) if error.is_other() => no_answer(error_chain(&error)),
        Ok(Err(error)) => unreachable(error_chain(&error)),
        Err(_elapsed) => no_answer(format!("no answer within {} s", TIMEOUT.as_secs())),
    }
}

/// The JSON POST, as the frontend sends it.
fn forgot_password_request(
    target: &ResetTarget,
    email: &str,
) -> Result<Request, Box<dyn std::error::Error + Send + Sync>> {
    let body = serde_json::to_vec(&ForgotPassword { username: email })?;
    let mut request = Request::new(SdkBody::empty());
    request.set_method("POST")?;
    request.set_uri(target.url())?;
    request.headers_mut().insert("content-type", "application/json");
    request.headers_mut().insert("content-length", body.len().to_string());
    *request.body_mut() = SdkBody::from(body);
    Ok(request)
}

/// The SDK's HTTP client stack, set up as cognito sets it up for Cognito (rustls on ring, the platform's root
/// certificates, `HTTPS_PROXY`/`NO_PROXY`), so this one call brings no second TLS stack or crypto provider.
fn https_connector() -> Connector {
    ConnectorBuilder::default()
        .tls_provider(tls::Provider::Rustls(CryptoMode::Ring))
        .proxy_config(ProxyConfig::from_env())
        .build()
}

/// A connector error's own `Display` stops at its kind ("io error"); the cause is in the sources.
fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let causes = std::iter::successors(Some(error), |cause| cause.source());
    causes.map(ToString::to_string).collect::<Vec<_>>().join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appends_the_route_to_any_base() {
        for (base, expected) in [
            (
                "https://credere.example.org",
                "https://credere.example.org/users/forgot-password",
            ),
            (
                "https://credere.example.org/",
                "https://credere.example.org/users/forgot-password",
            ),
            (
                "http://127.0.0.1:8000/api/",
                "http://127.0.0.1:8000/api/users/forgot-password",
            ),
        ] {
            assert_eq!(ResetTarget::parse(base).unwrap().url(), expected);
        }
    }

    #[test]
    fn refuses_what_is_not_an_http_base() {
        for base in [
            "ftp://example.org",
            "example.org",
            "",
            "https://example.org/?next=x",
            "mailto:a@example.org",
        ] {
            assert!(ResetTarget::parse(base).is_err(), "{base}");
        }
    }

    #[test]
    fn only_a_user_without_a_password_of_their_own_is_reset_unasked() {
        assert!(!replaces_own_password(&"FORCE_CHANGE_PASSWORD".into()));
        assert!(!replaces_own_password(&"RESET_REQUIRED".into()));
        for status in [
            "CONFIRMED",
            "UNCONFIRMED",
            "EXTERNAL_PROVIDER",
            "ARCHIVED",
            "COMPROMISED",
            "UNKNOWN",
            "",
            "A_STATUS_AWS_ADDS_LATER",
        ] {
            assert!(replaces_own_password(&status.into()), "{status}");
        }
    }

    #[test]
    fn refuses_credentials_without_showing_them() {
        for base in [
            "https://admin:Zq9Xv7Kw@credere.example.org",
            "https://Zq9Xv7Kw@credere.example.org/",
            "https://admin:Zq9/Xv7Kw@credere.example.org",
            "https://admin:Zq9#Xv7Kw@credere.example.org",
            "ftp://admin:Zq9Xv7Kw@credere.example.org",
        ] {
            let error = ResetTarget::parse(base).unwrap_err();
            for shown in [error.to_string(), format!("{error:?}")] {
                assert!(!shown.contains("Zq9"), "{base}: {shown}");
                assert!(!shown.contains("Xv7Kw"), "{base}: {shown}");
            }
        }
        let error = ResetTarget::parse("https://admin:Zq9Xv7Kw@credere.example.org").unwrap_err();
        assert!(error.to_string().contains("remove them"), "{error}");
    }
}
