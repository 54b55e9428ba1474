//! The export: find the pool, observe it, read its users and groups within one rate limit, and write the file.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::time::SystemTime;

use chrono::{DateTime, Utc};
use cognito::{Cognito, ListedUser, PoolChoice, PoolGroup, RateLimit, ScanProgress};
use futures_util::future::try_join_all;

use crate::{Attribute, Export, Group, Header, PoolFacts, User};

/// The tool and version a file names as its writer.
pub const TOOL: &str = concat!("credere-cognito ", env!("CARGO_PKG_VERSION"));

/// What an export did, as `--output json` prints it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    /// The pool read.
    pub pool_id: String,
    /// Its region.
    pub region: String,
    /// The users written.
    pub users: usize,
    /// The pool's groups.
    pub groups: usize,
    /// How many users the pool reported (`EstimatedNumberOfUsers`).
    pub reported_users: u64,
    /// The ListUsers, ListGroups and ListUsersInGroup calls made (pages read, retries not counted).
    pub calls: usize,
}

/// Reads every user of the pool `pool` names, with its groups, and the pool's settings: the file's content (sorted
/// by username), and what it took. Every ListUsers, ListGroups and ListUsersInGroup call waits its turn at one
/// limit of `max_rps` calls a second; `progress` is told how the scan of users goes. Only reads.
pub async fn export(
    cognito: &Cognito,
    pool: &PoolChoice,
    max_rps: NonZeroU32,
    progress: &dyn ScanProgress,
) -> Result<(Export, Summary), cognito::Error> {
    let exported_at = Utc::now();
    let chosen = cognito.choose_pool(pool).await?;
    let live = cognito.observe_without_client(&chosen.id).await?;
    progress.expect(live.estimated_users());
    let limit = RateLimit::per_second(max_rps);
    let groups = async {
        let (groups, calls) = cognito.list_groups(&chosen.id, &limit).await?;
        let members = groups
            .iter()
            .map(|group| cognito.group_members(&chosen.id, &group.name, &limit));
        let members = try_join_all(members).await?;
        Ok::<_, cognito::Error>((groups, members, calls))
    };
    let (scan, groups) = tokio::try_join!(cognito.list_all_users(&chosen.id, &limit, progress), groups)?;
    let (groups, members, group_calls) = groups;
    let mut memberships: HashMap<&str, Vec<String>> = HashMap::new();
    let mut member_calls = 0;
    for (group, (usernames, calls)) in groups.iter().zip(&members) {
        member_calls += calls;
        for username in usernames {
            memberships.entry(username).or_default().push(group.name.clone());
        }
    }
    let mut users: Vec<User> = scan
        .users
        .iter()
        .map(|listed| user(listed, memberships.remove(listed.username.as_str()).unwrap_or_default()))
        .collect();
    users.sort_by(|a, b| a.username.cmp(&b.username));
    let header = Header {
        tool: TOOL.to_owned(),
        exported_at,
        pool: PoolFacts {
            id: chosen.id.clone(),
            name: live.name().to_owned(),
            region: cognito.region().to_owned(),
            reported_users: live.estimated_users(),
        },
        settings: live.observed.clone(),
        groups: groups.iter().map(group).collect(),
        custom_attributes: live.custom_attributes(),
    };
    let summary = Summary {
        pool_id: chosen.id,
        region: header.pool.region.clone(),
        users: users.len(),
        groups: groups.len(),
        reported_users: header.pool.reported_users,
        calls: scan.calls + group_calls + member_calls,
    };
    Ok((Export { header, users }, summary))
}

fn user(listed: &ListedUser, mut groups: Vec<String>) -> User {
    groups.sort();
    let date = |time: Option<SystemTime>| time.map(DateTime::<Utc>::from);
    User {
        username: listed.username.clone(),
        attributes: listed
            .attributes
            .iter()
            .map(|(name, value)| Attribute {
                name: name.clone(),
                value: value.clone(),
            })
            .collect(),
        enabled: listed.enabled,
        status: listed.status.as_str().to_owned(),
        created: date(listed.created),
        last_modified: date(listed.last_modified),
        groups,
    }
}

fn group(group: &PoolGroup) -> Group {
    Group {
        name: group.name.clone(),
        description: group.description.clone(),
        precedence: group.precedence,
        role_arn: group.role_arn.clone(),
    }
}
