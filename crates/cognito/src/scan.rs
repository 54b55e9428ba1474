//! Reading every user of a pool fast and within Cognito's quotas: ListUsers split into sixteen disjoint
//! `sub` prefixes run concurrently under one client-side rate limit, the pool's groups and their members, and each
//! administrator's MFA state.
//!
//! ListUsers pages hold at most 60 users and each page needs the previous page's token, so one scan of
//! a 10,000-user pool is 167 calls in a row. Every `sub` is a lower-case UUID, so the filters
//! `sub ^= "0"` … `sub ^= "f"` (ListUsers' documented "starts with" operator) split the pool into
//! sixteen parts that cover every user exactly once; their pages run side by side. Every attempt of every
//! call, retries included, waits its turn at one [`RateLimit`], so the calls stay at or below the rate asked
//! for; the SDK's own retries, which would not wait, are off for these calls (`retry::send_limited` retries
//! instead). Throttling (`TooManyRequestsException`) slows the limit down, and the call is sent again: a
//! throttled scan takes longer rather than failing.

use std::future::Future;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use aws_sdk_cognitoidentityprovider::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_cognitoidentityprovider::operation::admin_get_user::AdminGetUserError;
use aws_sdk_cognitoidentityprovider::types::{AttributeType, GroupType, UserType};
use futures_util::future::try_join_all;
use tokio::time::Instant;

use crate::retry::{send_limited, without_retries};
use crate::{Cognito, Error, UserStatus};

/// ListUsers, ListGroups and ListUsersInGroup answer at most 60 a page.
pub const PAGE_SIZE: i32 = 60;
/// The first character of every `sub`: a lower-case hexadecimal digit.
const SUB_PREFIXES: [char; 16] = [
    '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'a', 'b', 'c', 'd', 'e', 'f',
];
/// Cognito's default when a pool reports no temporary password validity.
const DEFAULT_TEMPORARY_PASSWORD_VALIDITY_DAYS: u32 = 7;

/// Spaces calls evenly: at most `max_rps` start in any second, shared by every task that holds it, and fewer
/// while Cognito throttles them.
#[derive(Debug)]
pub struct RateLimit {
    /// One call every `1 / max_rps` seconds: the fastest pace.
    fastest: Duration,
    pace: Mutex<Pace>,
}

#[derive(Debug)]
struct Pace {
    /// The time between two calls now: from `fastest` up to [`SLOWEST`] times it.
    period: Duration,
    /// When the next call may start; `None` before the first.
    next: Option<Instant>,
}

/// How far throttling slows the limit down: to a quarter of the rate asked for.
const SLOWEST: u32 = 4;

impl RateLimit {
    /// At most `max_rps` calls a second, one every `1 / max_rps` seconds (no burst).
    pub fn per_second(max_rps: NonZeroU32) -> Self {
        let fastest = Duration::from_secs(1) / max_rps.get();
        Self {
            fastest,
            pace: Mutex::new(Pace {
                period: fastest,
                next: None,
            }),
        }
    }

    fn pace(&self) -> std::sync::MutexGuard<'_, Pace> {
        // A poisoned lock only means another task panicked while holding plain numbers: they are fine.
        self.pace.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Waits for this call's turn. The next turn is counted from when this one really began, not from when it was
    /// due: a task woken late (a busy machine) does not leave the next one too close behind it. Public so that
    /// calls to other services (`users import --send-reset`'s requests to credere-backend) keep the same pace.
    pub async fn wait(&self) {
        loop {
            let turn = {
                let mut pace = self.pace();
                let now = Instant::now();
                match pace.next {
                    Some(next) if next > now => next,
                    _ => {
                        pace.next = Some(now + pace.period);
                        return;
                    }
                }
            };
            tokio::time::sleep_until(turn).await;
        }
    }

    /// Cognito throttled a call: halve the rate, down to a quarter of the rate asked for.
    pub(crate) fn throttled(&self) {
        let mut pace = self.pace();
        pace.period = (pace.period * 2).min(self.fastest * SLOWEST);
    }

    /// A call was answered: win back a quarter of the slowdown, up to the rate asked for.
    pub(crate) fn answered(&self) {
        let mut pace = self.pace();
        let slowdown = pace.period.saturating_sub(self.fastest);
        pace.period = self.fastest + slowdown * 3 / 4;
    }

    /// The time between two calls now.
    #[cfg(test)]
    fn period(&self) -> Duration {
        self.pace().period
    }
}

/// A user as ListUsers reports it: what an audit compares with the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedUser {
    /// Cognito's `Username` (equal to `sub` in email-sign-in pools).
    pub username: String,
    /// The `sub` attribute.
    pub sub: Option<String>,
    /// The `email` attribute.
    pub email: Option<String>,
    /// Whether `email_verified` is `true`.
    pub email_verified: bool,
    /// `false` after AdminDisableUser.
    pub enabled: bool,
    /// `UserStatus`, e.g. `FORCE_CHANGE_PASSWORD`.
    pub status: UserStatus,
    /// `UserLastModifiedDate`: setting a temporary password changes it, so a user still in
    /// `FORCE_CHANGE_PASSWORD` has held that password at least since then.
    pub last_modified: Option<SystemTime>,
    /// `UserCreateDate`.
    pub created: Option<SystemTime>,
    /// Every attribute (name, value), in the order Cognito listed them, `sub` and `email` included.
    pub attributes: Vec<(String, Option<String>)>,
}

/// A group of a pool, as ListGroups reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolGroup {
    /// `GroupName`.
    pub name: String,
    /// `Description`, when it has one.
    pub description: Option<String>,
    /// `Precedence`, when it has one.
    pub precedence: Option<i32>,
    /// `RoleArn`, when it has one.
    pub role_arn: Option<String>,
}

/// Told how a scan goes, e.g. to draw a progress bar. Calls come from the tasks of one scan, one at a time or at
/// once.
pub trait ScanProgress: Sync {
    /// The pool reported about `users` users (`EstimatedNumberOfUsers`).
    fn expect(&self, users: u64);
    /// `users` more users were read.
    fn read(&self, users: usize);
}

/// No one is told.
impl ScanProgress for () {
    fn expect(&self, _users: u64) {}
    fn read(&self, _users: usize) {}
}

/// A user's MFA state, from AdminGetUser.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MfaState {
    /// `UserMFASettingList`, e.g. `["SOFTWARE_TOKEN_MFA"]`; empty when the user has set up none.
    pub enabled: Vec<String>,
    /// `PreferredMfaSetting`, when one is set.
    pub preferred: Option<String>,
}

/// Every user of a pool, and how many ListUsers calls the scan took.
#[derive(Debug, Clone, Default)]
pub struct UserScan {
    /// The users, in no particular order.
    pub users: Vec<ListedUser>,
    /// ListUsers calls made (pages read).
    pub calls: usize,
}

impl Cognito {
    /// Every user of the pool: sixteen `sub ^= "…"` parts read concurrently, each call waiting its turn at
    /// `limit`; `progress` is told of each page.
    pub async fn list_all_users(
        &self,
        pool_id: &str,
        limit: &RateLimit,
        progress: &dyn ScanProgress,
    ) -> Result<UserScan, Error> {
        self.check_pool_region(pool_id)?;
        let parts = SUB_PREFIXES.map(|prefix| self.list_users_with_prefix(pool_id, prefix, limit, progress));
        let mut scan = UserScan::default();
        for part in try_join_all(parts).await? {
            scan.users.extend(part.users);
            scan.calls += part.calls;
        }
        Ok(scan)
    }

    async fn list_users_with_prefix(
        &self,
        pool_id: &str,
        prefix: char,
        limit: &RateLimit,
        progress: &dyn ScanProgress,
    ) -> Result<UserScan, Error> {
        let (users, calls) = all_pages(|token| {
            let request = self
                .idp
                .list_users()
                .user_pool_id(pool_id)
                .filter(format!("sub ^= \"{prefix}\""))
                .limit(PAGE_SIZE)
                .set_pagination_token(token);
            async move {
                let output = self
                    .read_limited("ListUsers", pool_id, limit, || {
                        request.clone().customize().config_override(without_retries()).send()
                    })
                    .await?;
                let users = output.users().iter().map(listed_user).collect::<Result<Vec<_>, _>>()?;
                progress.read(users.len());
                Ok((users, output.pagination_token().map(str::to_owned)))
            }
        })
        .await?;
        Ok(UserScan { users, calls })
    }

    /// Every group of the pool (ListGroups, waiting its turn at `limit`), and how many calls that took.
    pub async fn list_groups(&self, pool_id: &str, limit: &RateLimit) -> Result<(Vec<PoolGroup>, usize), Error> {
        self.check_pool_region(pool_id)?;
        all_pages(|token| {
            let request = self
                .idp
                .list_groups()
                .user_pool_id(pool_id)
                .limit(PAGE_SIZE)
                .set_next_token(token);
            async move {
                let output = self
                    .read_limited("ListGroups", pool_id, limit, || {
                        request.clone().customize().config_override(without_retries()).send()
                    })
                    .await?;
                let groups = output.groups().iter().map(pool_group).collect::<Result<Vec<_>, _>>()?;
                Ok((groups, output.next_token().map(str::to_owned)))
            }
        })
        .await
    }

    /// The usernames of the members of `group` (ListUsersInGroup, waiting its turn at `limit`), and how many calls
    /// that took.
    pub async fn group_members(
        &self,
        pool_id: &str,
        group: &str,
        limit: &RateLimit,
    ) -> Result<(Vec<String>, usize), Error> {
        self.check_pool_region(pool_id)?;
        all_pages(|token| {
            let request = self
                .idp
                .list_users_in_group()
                .user_pool_id(pool_id)
                .group_name(group)
                .limit(PAGE_SIZE)
                .set_next_token(token);
            async move {
                // A group deleted since it was listed is not the pool missing: no read_limited.
                let output = send_limited("ListUsersInGroup", limit, || {
                    request.clone().customize().config_override(without_retries()).send()
                })
                .await
                .map_err(Error::api("ListUsersInGroup"))?;
                let members = output
                    .users()
                    .iter()
                    .map(|user| listed_user(user).map(|user| user.username))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok((members, output.next_token().map(str::to_owned)))
            }
        })
        .await
    }

    /// One read of the pool, every attempt waiting its turn at `limit`; a pool Cognito does not know is
    /// [`Error::PoolNotFound`].
    async fn read_limited<Output, E, R, Send, Sent>(
        &self,
        operation: &'static str,
        pool_id: &str,
        limit: &RateLimit,
        send: Send,
    ) -> Result<Output, Error>
    where
        Send: Fn() -> Sent,
        Sent: Future<Output = Result<Output, SdkError<E, R>>>,
        E: ProvideErrorMetadata + std::error::Error + std::marker::Send + Sync + 'static,
        R: crate::retry::HttpStatus + std::fmt::Debug + std::marker::Send + Sync + 'static,
    {
        send_limited(operation, limit, send).await.map_err(|error| {
            if error.code() == Some("ResourceNotFoundException") {
                self.no_such_pool(pool_id).into()
            } else {
                Error::api(operation)(error)
            }
        })
    }

    /// AdminGetUser's MFA facts about one user, waiting its turn at `limit`; `None` when the pool no longer has
    /// the user (deleted since it was listed: Cognito's `UserNotFoundException`).
    pub async fn user_mfa(&self, pool_id: &str, username: &str, limit: &RateLimit) -> Result<Option<MfaState>, Error> {
        const OPERATION: &str = "AdminGetUser";
        self.check_pool_region(pool_id)?;
        let request = self.idp.admin_get_user().user_pool_id(pool_id).username(username);
        let sent = send_limited(OPERATION, limit, || {
            request.clone().customize().config_override(without_retries()).send()
        })
        .await;
        let output = match sent {
            Ok(output) => output,
            Err(error)
                if error
                    .as_service_error()
                    .is_some_and(AdminGetUserError::is_user_not_found_exception) =>
            {
                return Ok(None);
            }
            Err(error) => return Err(Error::api(OPERATION)(error)),
        };
        Ok(Some(MfaState {
            enabled: output.user_mfa_setting_list().to_vec(),
            preferred: output
                .preferred_mfa_setting()
                .filter(|value| !value.is_empty())
                .map(str::to_owned),
        }))
    }

    /// What DescribeUserPool says about the pool's users: how long a temporary password lasts and how many users
    /// the pool holds, about.
    pub async fn user_facts(&self, pool_id: &str) -> Result<UserFacts, Error> {
        let pool = self.describe_pool(pool_id).await?;
        let days = pool
            .policies()
            .and_then(|policies| policies.password_policy())
            .map(|policy| policy.temporary_password_validity_days());
        let temporary_password_validity_days = match days {
            None => DEFAULT_TEMPORARY_PASSWORD_VALIDITY_DAYS,
            Some(days) => u32::try_from(days).map_err(|_| Error::Unexpected {
                operation: "DescribeUserPool",
                field: "TemporaryPasswordValidityDays",
                value: days.to_string(),
            })?,
        };
        Ok(UserFacts {
            temporary_password_validity_days,
            estimated_users: estimated_users(&pool),
        })
    }
}

/// What DescribeUserPool says about a pool's users.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UserFacts {
    /// `Policies.PasswordPolicy.TemporaryPasswordValidityDays` (Cognito's default, 7, when it reports none).
    pub temporary_password_validity_days: u32,
    /// `EstimatedNumberOfUsers`.
    pub estimated_users: u64,
}

/// `EstimatedNumberOfUsers` (never negative; 0 if it were).
pub(crate) fn estimated_users(pool: &aws_sdk_cognitoidentityprovider::types::UserPoolType) -> u64 {
    u64::try_from(pool.estimated_number_of_users()).unwrap_or(0)
}

/// Every item of a paged read: `page` reads the page a token names (the first for `None`) and returns its items and
/// the next token. Returns the items and the number of pages read.
async fn all_pages<T, Page, Read>(page: Page) -> Result<(Vec<T>, usize), Error>
where
    Page: Fn(Option<String>) -> Read,
    Read: Future<Output = Result<(Vec<T>, Option<String>), Error>>,
{
    let (mut items, mut pages, mut token) = (Vec::new(), 0, None);
    loop {
        let (read, next) = page(token).await?;
        items.extend(read);
        pages += 1;
        token = next.filter(|token| !token.is_empty());
        if token.is_none() {
            return Ok((items, pages));
        }
    }
}

fn pool_group(group: &GroupType) -> Result<PoolGroup, Error> {
    Ok(PoolGroup {
        name: group
            .group_name()
            .filter(|name| !name.is_empty())
            .ok_or_else(|| Error::missing("ListGroups", "GroupName"))?
            .to_owned(),
        description: group.description().map(str::to_owned),
        precedence: group.precedence(),
        role_arn: group.role_arn().map(str::to_owned),
    })
}

fn listed_user(user: &UserType) -> Result<ListedUser, Error> {
    let value = |name: &str| {
        user.attributes()
            .iter()
            .find(|attribute| attribute.name() == name)
            .and_then(AttributeType::value)
    };
    let username = user
        .username()
        .filter(|username| !username.is_empty())
        .ok_or_else(|| Error::missing("ListUsers", "Username"))?;
    Ok(ListedUser {
        username: username.to_owned(),
        sub: value("sub").map(str::to_owned),
        email: value("email").map(str::to_owned),
        email_verified: value("email_verified") == Some("true"),
        enabled: user.enabled(),
        status: UserStatus::reported(user.user_status().map(|status| status.as_str())),
        last_modified: user
            .user_last_modified_date()
            .and_then(|date| SystemTime::try_from(*date).ok()),
        created: user
            .user_create_date()
            .and_then(|date| SystemTime::try_from(*date).ok()),
        attributes: user
            .attributes()
            .iter()
            .map(|attribute| (attribute.name().to_owned(), attribute.value().map(str::to_owned)))
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sixteen_prefixes_cover_every_uuid_start_once() {
        let hex: Vec<char> = "0123456789abcdef".chars().collect();
        assert_eq!(SUB_PREFIXES.to_vec(), hex);
    }

    #[test]
    fn throttling_halves_the_rate_down_to_a_quarter_and_answers_win_it_back() {
        let limit = RateLimit::per_second(NonZeroU32::new(10).unwrap());
        let fastest = Duration::from_millis(100);
        assert_eq!(limit.period(), fastest);
        limit.throttled();
        assert_eq!(limit.period(), fastest * 2);
        for _ in 0..5 {
            limit.throttled();
        }
        assert_eq!(limit.period(), fastest * SLOWEST);
        limit.answered();
        assert_eq!(limit.period(), Duration::from_millis(325));
        for _ in 0..100 {
            limit.answered();
        }
        assert_eq!(limit.period(), fastest);
    }

    #[tokio::test]
    async fn the_rate_limit_spaces_calls_evenly_across_tasks() {
        let limit = RateLimit::per_second(NonZeroU32::new(200).unwrap());
        let started = Instant::now();
        let waits = (0..41).map(|_| limit.wait());
        futures_util::future::join_all(waits).await;
        // 41 calls at 200 a second, all at once: the last may start 200 ms after the first, never sooner.
        assert!(
            started.elapsed() >= Duration::from_millis(200),
            "{:?}",
            started.elapsed()
        );
    }
}
