//! Creating and reading the users of a pool, for the first-admin bootstrap.
//!
//! The pools this workspace makes sign users in by email (`UsernameAttributes = [email]`), so Cognito
//! answers AdminCreateUser with a generated `Username` equal to the `sub`, and AdminGetUser accepts the
//! email in place of that `Username`.

use aws_sdk_cognitoidentityprovider::types::{AttributeType, MessageActionType};
use pool_spec::{AdminDefaults, TemporaryPassword};

use crate::unknown::RawAnswer;
use crate::{Cognito, Error, UserStatus};

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
    pub status: UserStatus,
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
    ) -> Result<CognitoUser, Error> {
        const OPERATION: &str = "AdminCreateUser";
        let attribute = |name: &str, value: &str| AttributeType::builder().name(name).value(value).build();
        let temporary_password = match defaults.temporary_password {
            TemporaryPassword::GeneratedByCognito => None,
        };
        self.check_pool_region(pool_id)?;
        let raw = RawAnswer::default();
        let output = self
            .idp
            .admin_create_user()
            .user_pool_id(pool_id)
            .username(email)
            .user_attributes(attribute("email", email).map_err(Error::build("user attribute"))?)
            .user_attributes(
                attribute("email_verified", &defaults.email_verified.to_string())
                    .map_err(Error::build("user attribute"))?,
            )
            .set_message_action(defaults.suppress_invitation.then_some(MessageActionType::Suppress))
            .set_temporary_password(temporary_password)
            .customize()
            .interceptor(raw.clone())
            .send()
            .await
            .map_err(|error| match error.as_service_error() {
                Some(service) if service.is_username_exists_exception() => Error::UsernameExists {
                    pool_id: pool_id.to_owned(),
                    email: email.to_owned(),
                },
                Some(service) if service.is_resource_not_found_exception() => self.no_such_pool(pool_id).into(),
                _ => Error::api(OPERATION)(error),
            })?;
        let user = output.user().ok_or(Error::missing(OPERATION, "User"))?;
        user_from_parts(
            OPERATION,
            user.username(),
            user.attributes(),
            raw.resource("User").has("Enabled").then_some(user.enabled()),
            user.user_status().map(|status| status.as_str()),
        )
    }

    /// AdminGetUser by email (Cognito accepts the email where it expects the `Username`).
    pub async fn get_user(&self, pool_id: &str, email: &str) -> Result<CognitoUser, Error> {
        self.user_access(pool_id, email).await.map(|access| access.user)
    }
}

/// The two operations return the same facts in differently shaped outputs. `enabled` is `None` when the answer
/// lacked `Enabled` (the SDK reads a missing member as `false`): whether the person can sign in is what the runbooks
/// decide on, so such an answer is refused rather than guessed.
pub(crate) fn user_from_parts(
    operation: &'static str,
    username: Option<&str>,
    attributes: &[AttributeType],
    enabled: Option<bool>,
    status: Option<&str>,
) -> Result<CognitoUser, Error> {
    let value = |name: &str| {
        attributes
            .iter()
            .find(|attribute| attribute.name() == name)
            .and_then(AttributeType::value)
    };
    let username = username.filter(|username| !username.is_empty());
    let username = username.ok_or(Error::missing(operation, "Username"))?;
    let sub = value("sub").ok_or(Error::missing(operation, "the sub attribute"))?;
    let enabled = enabled.ok_or(Error::missing(operation, "Enabled"))?;
    Ok(CognitoUser {
        username: username.to_owned(),
        sub: sub.to_owned(),
        email: value("email").map(str::to_owned),
        enabled,
        status: UserStatus::reported(status),
    })
}
