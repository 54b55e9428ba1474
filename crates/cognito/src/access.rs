//! Taking a user's access away, giving it back, and resetting their authenticator app: the user operations
//! that touch only Cognito (never the `credere_user` row, which credere-backend keeps for its history).
//!
//! Each operation is planned from what AdminGetUser reports ([`UserOperation::plan`], pure), so a second run
//! makes no write that would change anything: disabling signs the user out first and then disables them (AWS
//! answers admin calls on a disabled user with NotAuthorizedException "User is disabled.", and AdminDisableUser
//! itself revokes their access tokens and stops refresh), so a disabled user needs no call; a run interrupted
//! between the two calls left the user enabled and does both again. Enabling an enabled user makes no call.
//!
//! Resetting an authenticator is AdminDeleteSoftwareToken, not AdminSetUserMFAPreference: AWS documents that
//! TOTP cannot be turned off for a user while the pool requires MFA (Credere's pools do), while deleting the
//! software token makes the next sign-in answer `MFA_SETUP` when the user has no other factor. It is made
//! whatever AdminGetUser lists: a token verified during `MFA_SETUP` but never made a preference
//! (credere-backend never calls SetUserMFAPreference) need not be listed, and deleting again is harmless.
//! What AdminDeleteSoftwareToken answers for a user with no authenticator is undocumented: for a user whose
//! AdminGetUser lists none, a refusal saying there is nothing to delete (ResourceNotFoundException,
//! InvalidParameterException) counts as done, so the tool works whichever way AWS answers.

use std::fmt;

use aws_sdk_cognitoidentityprovider::error::{ProvideErrorMetadata, SdkError};

use crate::retry::send_limited;
use crate::unknown::RawAnswer;
use crate::users::user_from_parts;
use crate::{Cognito, CognitoUser, Error, RateLimit};

/// A user as these operations need to see them: who they are, and whether an authenticator app is registered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserAccess {
    /// The user.
    pub user: CognitoUser,
    /// Whether AdminGetUser lists `SOFTWARE_TOKEN_MFA` among the user's activated MFA settings.
    pub authenticator_listed: bool,
}

/// What the maintainer asked to do to a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserOperation {
    /// Take access away: disable the user and revoke their tokens.
    Disable,
    /// Give access back.
    Enable,
    /// Forget the user's authenticator app, so that the next sign-in sets up a new one.
    ResetMfa,
}

/// One write to Cognito, in the order a plan makes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserWrite {
    /// AdminDisableUser: the user can no longer sign in.
    Disable,
    /// AdminUserGlobalSignOut: revokes the user's refresh tokens (and the access tokens issued with them).
    SignOutEverywhere,
    /// AdminEnableUser.
    Enable,
    /// AdminDeleteSoftwareToken: forgets the registered authenticator app.
    DeleteAuthenticator {
        /// Whether AdminGetUser listed one: when it did not, an answer that there is none counts as done.
        listed: bool,
    },
}

/// What a write did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    /// Cognito made the change.
    Done,
    /// Cognito answered that there was nothing to change (an authenticator that was never registered).
    NothingThere,
}

impl UserWrite {
    /// The API operation, as the proxy records it and IAM names it.
    pub fn operation(self) -> &'static str {
        match self {
            UserWrite::Disable => "AdminDisableUser",
            UserWrite::SignOutEverywhere => "AdminUserGlobalSignOut",
            UserWrite::Enable => "AdminEnableUser",
            UserWrite::DeleteAuthenticator { .. } => "AdminDeleteSoftwareToken",
        }
    }
}

impl UserWrite {
    /// Whether Cognito's error `code` to this write means there was nothing to change.
    fn nothing_there(self, code: &str) -> bool {
        matches!(self, UserWrite::DeleteAuthenticator { listed: false })
            && matches!(code, "ResourceNotFoundException" | "InvalidParameterException")
    }
}

impl fmt::Display for UserWrite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self {
            UserWrite::Disable => "disable the user (they can no longer sign in)",
            UserWrite::SignOutEverywhere => "sign them out everywhere (their refresh tokens are revoked)",
            UserWrite::Enable => "enable the user (they can sign in again)",
            UserWrite::DeleteAuthenticator { .. } => {
                "delete their authenticator app registration (the next sign-in sets up a new one)"
            }
        };
        write!(f, "{} ({})", what, self.operation())
    }
}

impl UserOperation {
    /// The writes that bring `access` to what this operation asks for; empty when it is already there.
    pub fn plan(self, access: &UserAccess) -> Vec<UserWrite> {
        match self {
            // Sign-out first: AWS may refuse it once the user is disabled. Disabling revokes the access tokens
            // and stops refresh, so a disabled user needs nothing more.
            UserOperation::Disable if access.user.enabled => vec![UserWrite::SignOutEverywhere, UserWrite::Disable],
            UserOperation::Disable => Vec::new(),
            UserOperation::Enable if access.user.enabled => Vec::new(),
            UserOperation::Enable => vec![UserWrite::Enable],
            UserOperation::ResetMfa => vec![UserWrite::DeleteAuthenticator {
                listed: access.authenticator_listed,
            }],
        }
    }
}

impl Cognito {
    /// AdminGetUser by email, with the user's registered MFA factors.
    pub async fn user_access(&self, pool_id: &str, email: &str) -> Result<UserAccess, Error> {
        self.paced_user_access(pool_id, email, None).await
    }

    /// [`Cognito::user_access`]; with a `limit`, the call waits its turn there and is retried as the paced reads
    /// are (`retry::send_limited`), beyond the SDK's own attempts.
    pub(crate) async fn paced_user_access(
        &self,
        pool_id: &str,
        email: &str,
        limit: Option<&RateLimit>,
    ) -> Result<UserAccess, Error> {
        const OPERATION: &str = "AdminGetUser";
        self.check_pool_region(pool_id)?;
        let raw = RawAnswer::default();
        let request = self.idp.admin_get_user().user_pool_id(pool_id).username(email);
        let send = || request.clone().customize().interceptor(raw.clone()).send();
        let output = match limit {
            Some(limit) => send_limited(OPERATION, limit, send).await,
            None => send().await,
        }
        .map_err(|error| self.user_call_error(OPERATION, pool_id, email, error))?;
        let user = user_from_parts(
            OPERATION,
            Some(output.username()),
            output.user_attributes(),
            raw.whole().has("Enabled").then_some(output.enabled()),
            output.user_status().map(|status| status.as_str()),
        )?;
        Ok(UserAccess {
            user,
            authenticator_listed: output
                .user_mfa_setting_list()
                .iter()
                .any(|setting| setting == "SOFTWARE_TOKEN_MFA"),
        })
    }

    /// Whether the pool tells usernames (so email sign-ins) apart by case: DescribeUserPool's
    /// `UsernameConfiguration.CaseSensitive`. AWS leaves it out for a pool made through the API without it, whose
    /// usernames are case-sensitive.
    pub async fn usernames_case_sensitive(&self, pool_id: &str) -> Result<bool, Error> {
        let pool = self.describe_pool(pool_id).await?;
        Ok(pool
            .username_configuration()
            .is_none_or(|config| config.case_sensitive()))
    }

    /// Makes one write for the user `username` (the Cognito `Username`; `email` names them in errors), found
    /// by [`Cognito::user_access`] just before, so the pool exists.
    pub async fn write_user(
        &self,
        pool_id: &str,
        username: &str,
        email: &str,
        write: UserWrite,
    ) -> Result<Written, Error> {
        self.check_pool_region(pool_id)?;
        // The four calls take the same two members and answer nothing this code needs.
        macro_rules! send {
            ($call:ident) => {
                self.idp
                    .$call()
                    .user_pool_id(pool_id)
                    .username(username)
                    .send()
                    .await
                    .map(|_| Written::Done)
                    .map_err(|error| {
                        (
                            error.code().map(str::to_owned),
                            self.user_call_error(write.operation(), pool_id, email, error),
                        )
                    })
            };
        }
        let sent = match write {
            UserWrite::Disable => send!(admin_disable_user),
            UserWrite::SignOutEverywhere => send!(admin_user_global_sign_out),
            UserWrite::Enable => send!(admin_enable_user),
            UserWrite::DeleteAuthenticator { .. } => send!(admin_delete_software_token),
        };
        match sent {
            Ok(written) => Ok(written),
            Err((Some(code), _)) if write.nothing_there(&code) => Ok(Written::NothingThere),
            Err((_, error)) => Err(error),
        }
    }

    /// Cognito's "no such user" and "no such pool" become their own errors; anything else is the call's.
    fn user_call_error<E, R>(&self, operation: &'static str, pool_id: &str, email: &str, error: SdkError<E, R>) -> Error
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
        R: fmt::Debug + Send + Sync + 'static,
    {
        match error.code() {
            Some("UserNotFoundException") => Error::UserNotFound {
                pool_id: pool_id.to_owned(),
                email: email.to_owned(),
            },
            // AdminGetUser is the call that finds the pool; a later write's ResourceNotFoundException is that
            // write's own answer (for AdminDeleteSoftwareToken it may mean no authenticator).
            Some("ResourceNotFoundException") if operation == "AdminGetUser" => self.no_such_pool(pool_id).into(),
            _ => Error::api(operation)(error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn access(enabled: bool, authenticator_listed: bool) -> UserAccess {
        UserAccess {
            user: CognitoUser {
                username: "0b7e4c1a".into(),
                sub: "0b7e4c1a".into(),
                email: Some("ada@example.org".into()),
                enabled,
                status: crate::UserStatus::Confirmed,
            },
            authenticator_listed,
        }
    }

    #[test]
    fn disabling_an_enabled_user_signs_out_then_disables() {
        assert_eq!(
            UserOperation::Disable.plan(&access(true, true)),
            [UserWrite::SignOutEverywhere, UserWrite::Disable]
        );
    }

    #[test]
    fn disabling_a_disabled_user_makes_no_call() {
        assert!(UserOperation::Disable.plan(&access(false, true)).is_empty());
    }

    #[test]
    fn enabling_writes_only_for_a_disabled_user() {
        assert_eq!(UserOperation::Enable.plan(&access(false, false)), [UserWrite::Enable]);
        assert!(UserOperation::Enable.plan(&access(true, false)).is_empty());
    }

    #[test]
    fn resetting_deletes_the_token_whatever_the_user_lists() {
        // Unlisted is not proof of no token (verified during MFA_SETUP, never made a preference); a disabled
        // user's authenticator is reset all the same: enabling them is a separate decision.
        for (enabled, listed) in [(true, true), (true, false), (false, true)] {
            assert_eq!(
                UserOperation::ResetMfa.plan(&access(enabled, listed)),
                [UserWrite::DeleteAuthenticator { listed }]
            );
        }
    }

    #[test]
    fn only_an_unlisted_authenticator_may_turn_out_to_be_missing() {
        for code in ["ResourceNotFoundException", "InvalidParameterException"] {
            assert!(UserWrite::DeleteAuthenticator { listed: false }.nothing_there(code));
            assert!(!UserWrite::DeleteAuthenticator { listed: true }.nothing_there(code));
            assert!(!UserWrite::SignOutEverywhere.nothing_there(code));
        }
        assert!(!UserWrite::DeleteAuthenticator { listed: false }.nothing_there("NotAuthorizedException"));
    }

    #[test]
    fn each_write_names_its_operation() {
        let shown = UserWrite::DeleteAuthenticator { listed: true }.to_string();
        assert!(shown.ends_with("(AdminDeleteSoftwareToken)"), "{shown}");
        assert_eq!(UserWrite::SignOutEverywhere.operation(), "AdminUserGlobalSignOut");
    }
}
