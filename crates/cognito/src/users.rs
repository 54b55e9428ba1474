//! Creating and reading the users of a pool, for the first-admin bootstrap.
//!
//! The pools this workspace makes sign users in by email (`UsernameAttributes = [email]`), so Cognito
//! answers AdminCreateUser with a generated `Username` equal to the `sub`, and AdminGetUser accepts the
//! email in place of that `Username`.

use std::fmt;

use aws_sdk_cognitoidentityprovider::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_cognitoidentityprovider::types::{AttributeType, MessageActionType};
use pool_spec::{AdminDefaults, TemporaryPassword};

use crate::Cognito;

/// A user of a pool, as Cognito reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CognitoUser {
    /// Cognito's `Username`: what credere-backend stores in `credere_user.external_id`.
    pub username: String,
    /// The `sub` attribute, the user's immutable id (equal to `username` in email-sign-in pools).
    pub sub: String,
    /// The `email` attribute, when the user has one.
    pub email: Option<String>,
    /// Whether the user may sign in (`false` after AdminDisableUser).
    pub enabled: bool,
    /// Cognito's `UserStatus`, e.g. `FORCE_CHANGE_PASSWORD` or `CONFIRMED`.
    pub status: String,
}

/// What went wrong creating or reading a user.
#[derive(Debug, thiserror::Error)]
pub enum UserError {
    /// AdminCreateUser found a user with this email already.
    #[error("a Cognito user with email {email:?} already exists in pool {pool_id}")]
    UsernameExists {
        /// The pool asked.
        pool_id: String,
        /// The email that is taken.
        email: String,
    },
    /// AdminGetUser found no user with this email.
    #[error("pool {pool_id} has no Cognito user with email {email:?}")]
    UserNotFound {
        /// The pool asked.
        pool_id: String,
        /// The email looked for.
        email: String,
    },
    /// The pool does not exist in this region (found before any call when the ID names another region).
    #[error(transparent)]
    PoolNotFound(#[from] crate::NoSuchPool),
    /// Cognito answered, but without a value every user has.
    #[error("{operation} answered without the user's {missing}; the response cannot be trusted")]
    Incomplete {
        /// The API operation, e.g. `AdminGetUser`.
        operation: &'static str,
        /// What was missing, e.g. `sub attribute`.
        missing: &'static str,
    },
    /// Any other failure of the call, after the SDK's retries.
    #[error("{operation} failed for pool {pool_id}: {message}")]
    Call {
        /// The API operation, e.g. `AdminCreateUser`.
        operation: &'static str,
        /// The pool asked.
        pool_id: String,
        /// The error code when Cognito sent one, e.g. `ResourceNotFoundException`.
        code: Option<String>,
        /// The SDK's full explanation (service message or transport failure).
        message: String,
    },
}

impl UserError {
    fn call<E, R>(operation: &'static str, pool_id: &str, error: &SdkError<E, R>) -> Self
    where
        E: std::error::Error + ProvideErrorMetadata + 'static,
        R: fmt::Debug,
    {
        Self::Call {
            operation,
            pool_id: pool_id.to_owned(),
            code: error.code().map(str::to_owned),
            message: call_message(error),
        }
    }
}

/// Cognito's own code and message when it answered; the SDK's full context (without the raw response it
/// would otherwise dump) when it did not.
pub(crate) fn call_message<E, R>(error: &SdkError<E, R>) -> String
where
    E: std::error::Error + ProvideErrorMetadata + 'static,
    R: fmt::Debug,
{
    match (error.code(), error.message()) {
        (Some(code), Some(message)) => format!("{code}: {message}"),
        _ => DisplayErrorContext(error).to_string(),
    }
}

impl Cognito {
    /// AdminCreateUser with `Username = email` and the attribute `email`, made as `defaults` say: the
    /// `email_verified` attribute set to [`AdminDefaults::email_verified`], `MessageAction = SUPPRESS` (no
    /// invitation email) when [`AdminDefaults::suppress_invitation`], and the temporary password as
    /// [`AdminDefaults::temporary_password`] says. Credere's defaults ([`AdminDefaults::CREDERE`]) leave out
    /// `TemporaryPassword`, so that Cognito generates one nobody ever sees: the user sets a password through
    /// "Forgot Password?".
    pub async fn create_user(
        &self,
        pool_id: &str,
        email: &str,
        defaults: &AdminDefaults,
    ) -> Result<CognitoUser, UserError> {
        const OPERATION: &str = "AdminCreateUser";
        let attribute = |name: &str, value: &str| {
            AttributeType::builder()
                .name(name)
                .value(value)
                .build()
                .map_err(|_| incomplete_request(OPERATION))
        };
        let temporary_password = match defaults.temporary_password {
            TemporaryPassword::GeneratedByCognito => None,
        };
        self.check_pool_region(pool_id)?;
        let output = self
            .idp
            .admin_create_user()
            .user_pool_id(pool_id)
            .username(email)
            .user_attributes(attribute("email", email)?)
            .user_attributes(attribute("email_verified", &defaults.email_verified.to_string())?)
            .set_message_action(defaults.suppress_invitation.then_some(MessageActionType::Suppress))
            .set_temporary_password(temporary_password)
            .send()
            .await
            .map_err(|error| match error.as_service_error() {
                Some(service) if service.is_username_exists_exception() => UserError::UsernameExists {
                    pool_id: pool_id.to_owned(),
                    email: email.to_owned(),
                },
                Some(service) if service.is_resource_not_found_exception() => self.no_such_pool(pool_id).into(),
                _ => UserError::call(OPERATION, pool_id, &error),
            })?;
        let user = output.user().ok_or(UserError::Incomplete {
            operation: OPERATION,
            missing: "record",
        })?;
        user_from_parts(
            OPERATION,
            user.username(),
            user.attributes(),
            user.enabled(),
            user.user_status().map(|status| status.as_str()),
        )
    }

    /// AdminGetUser by email (Cognito accepts the email where it expects the `Username`).
    pub async fn get_user(&self, pool_id: &str, email: &str) -> Result<CognitoUser, UserError> {
        self.user_access(pool_id, email).await.map(|access| access.user)
    }
}

/// The attribute builder only fails when a name is missing, which the code above always sets.
fn incomplete_request(operation: &'static str) -> UserError {
    UserError::Incomplete {
        operation,
        missing: "attribute name in the request",
    }
}

/// The two operations return the same facts in differently shaped outputs.
pub(crate) fn user_from_parts(
    operation: &'static str,
    username: Option<&str>,
    attributes: &[AttributeType],
    enabled: bool,
    status: Option<&str>,
) -> Result<CognitoUser, UserError> {
    let value = |name: &str| {
        attributes
            .iter()
            .find(|attribute| attribute.name() == name)
            .and_then(AttributeType::value)
    };
    let username = username.filter(|username| !username.is_empty());
    let username = username.ok_or(UserError::Incomplete {
        operation,
        missing: "Username",
    })?;
    let sub = value("sub").ok_or(UserError::Incomplete {
        operation,
        missing: "sub attribute",
    })?;
    Ok(CognitoUser {
        username: username.to_owned(),
        sub: sub.to_owned(),
        email: value("email").map(str::to_owned),
        enabled,
        status: status.unwrap_or("UNKNOWN").to_owned(),
    })
}
