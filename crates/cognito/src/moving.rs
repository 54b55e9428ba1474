//! Writing the users of a file into a pool (`users import`): each user created once, disabled again when it was,
//! and put back in its groups, every attempt of every call waiting its turn at one [`RateLimit`].
//!
//! AdminCreateUser is not idempotent: it is sent once per attempt with the SDK's retries off; a throttled create
//! (refused before Cognito acted) slows the rate limit down as any other call's throttling does and is sent again,
//! and after an ambiguous failure (a 5xx, a timeout, a dropped connection) AdminGetUser by email looks for the user
//! the call may have made, which is adopted (`retry::send_once`). The other writes are idempotent (disabling a disabled user, adding a member
//! twice, a group that exists) and are retried as reads are (`retry::send_limited`).

use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use aws_sdk_cognitoidentityprovider::types::{AttributeType, MessageActionType};

use crate::retry::{Created, send_limited, send_once, without_retries};
use crate::{Cognito, Error, PoolGroup, RateLimit};

impl Cognito {
    /// AdminCreateUser with `Username = email`, `MessageAction = SUPPRESS` (no invitation) and `attributes` (which
    /// hold `email`, and never `sub`: it is AWS's); the new user's `Username`. After an ambiguous failure the user
    /// the call may have made is looked up by email and adopted; a user of that email that existed before is
    /// [`Error::UsernameExists`].
    pub async fn create_moved_user(
        &self,
        pool_id: &str,
        email: &str,
        attributes: &[(String, String)],
        limit: &RateLimit,
    ) -> Result<String, Error> {
        const OPERATION: &str = "AdminCreateUser";
        self.check_pool_region(pool_id)?;
        let attributes = attributes
            .iter()
            .map(|(name, value)| {
                AttributeType::builder()
                    .name(name)
                    .value(value)
                    .build()
                    .map_err(Error::build("user attribute"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let request = self
            .idp
            .admin_create_user()
            .user_pool_id(pool_id)
            .username(email)
            .set_user_attributes(Some(attributes))
            .message_action(MessageActionType::Suppress);
        let created = send_once(
            OPERATION,
            Some(limit),
            || request.clone().customize().config_override(without_retries()).send(),
            || async {
                match self.paced_user_access(pool_id, email, Some(limit)).await {
                    Ok(access) => Ok(Some(access.user.username)),
                    Err(Error::UserNotFound { .. }) => Ok(None),
                    Err(error) => Err(error),
                }
            },
        )
        .await
        .map_err(|error| match error.code() {
            Some("UsernameExistsException") => Error::UsernameExists {
                pool_id: pool_id.to_owned(),
                email: email.to_owned(),
            },
            _ => error,
        })?;
        match created {
            Created::Found(username) => Ok(username),
            Created::Made(output) => output
                .user()
                .and_then(|user| user.username())
                .filter(|username| !username.is_empty())
                .map(str::to_owned)
                .ok_or(Error::missing(OPERATION, "User.Username")),
        }
    }

    /// AdminDisableUser, within `limit`.
    pub async fn disable_moved_user(&self, pool_id: &str, username: &str, limit: &RateLimit) -> Result<(), Error> {
        const OPERATION: &str = "AdminDisableUser";
        self.check_pool_region(pool_id)?;
        let request = self.idp.admin_disable_user().user_pool_id(pool_id).username(username);
        send_limited(OPERATION, limit, || {
            request.clone().customize().config_override(without_retries()).send()
        })
        .await
        .map(drop)
        .map_err(Error::api(OPERATION))
    }

    /// AdminAddUserToGroup, within `limit` (adding a member again changes nothing).
    pub async fn add_to_group(
        &self,
        pool_id: &str,
        username: &str,
        group: &str,
        limit: &RateLimit,
    ) -> Result<(), Error> {
        const OPERATION: &str = "AdminAddUserToGroup";
        self.check_pool_region(pool_id)?;
        let request = self
            .idp
            .admin_add_user_to_group()
            .user_pool_id(pool_id)
            .username(username)
            .group_name(group);
        send_limited(OPERATION, limit, || {
            request.clone().customize().config_override(without_retries()).send()
        })
        .await
        .map(drop)
        .map_err(Error::api(OPERATION))
    }

    /// CreateGroup with the exported group's description, precedence and role, within `limit`; a group of that
    /// name made meanwhile (or by an earlier attempt whose answer was lost) is kept as it is.
    pub async fn create_group(&self, pool_id: &str, group: &PoolGroup, limit: &RateLimit) -> Result<(), Error> {
        const OPERATION: &str = "CreateGroup";
        self.check_pool_region(pool_id)?;
        let request = self
            .idp
            .create_group()
            .user_pool_id(pool_id)
            .group_name(&group.name)
            .set_description(group.description.clone())
            .set_precedence(group.precedence)
            .set_role_arn(group.role_arn.clone());
        match send_limited(OPERATION, limit, || {
            request.clone().customize().config_override(without_retries()).send()
        })
        .await
        {
            Ok(_) => Ok(()),
            Err(error) if error.code() == Some("GroupExistsException") => Ok(()),
            Err(error) => Err(Error::api(OPERATION)(error)),
        }
    }
}
