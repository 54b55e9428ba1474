//! `audit --max-rps` is a limit on attempts, not on calls (issue 19, item 10): with Cognito throttling every second
//! call, the retries wait their turn too, as the proxy's log of when each attempt arrived shows, and the scan slows
//! down and finishes complete instead of giving up.

use std::time::Duration;

use aws_sdk_cognitoidentityprovider::types::{AttributeType, MessageActionType};
use testkit::{Call, Fault, FaultKind};
use user_model::UserType;

use crate::support::xtask;

/// The limit the run is given.
const MAX_RPS: usize = 10;
/// How much earlier than sent an attempt may reach the proxy's log: the loopback's jitter.
const JITTER: Duration = Duration::from_millis(50);
/// Users in the pool, beyond the one administrator.
const USERS: usize = 12;

/// The attempts of `operations` the proxy received, in order of arrival.
pub fn attempts(calls: Vec<Call>, operations: &[&str]) -> Vec<Call> {
    let mut attempts: Vec<Call> = calls
        .into_iter()
        .filter(|call| operations.contains(&call.operation.as_str()))
        .collect();
    attempts.sort_by_key(|call| call.started);
    attempts
}

#[tokio::test]
async fn every_attempt_waits_its_turn_and_a_throttled_audit_finishes_complete() {
    let world = test_support::world().await;
    let attribute = |name: &str, value: &str| AttributeType::builder().name(name).value(value).build().unwrap();
    let mut usernames = Vec::new();
    for index in 0..=USERS {
        let email = format!("user-{index}@example.org");
        let created = world
            .sdk
            .admin_create_user()
            .user_pool_id(&world.pool_id)
            .username(&email)
            .user_attributes(attribute("email", &email))
            .user_attributes(attribute("email_verified", "true"))
            .message_action(MessageActionType::Suppress)
            .send()
            .await
            .unwrap();
        usernames.push(created.user().unwrap().username().unwrap().to_owned());
    }
    // One administrator, whose MFA state is read with AdminGetUser.
    test_support::insert_row(&world.database, "user-0@example.org", &usernames[0], UserType::Ocp);
    world.proxy.clear();
    // Every second ListUsers attempt is refused, as Cognito words it over its quota, and the first AdminGetUser.
    for nth in (2..=200).step_by(2) {
        world
            .proxy
            .inject(Fault::once("ListUsers", nth, FaultKind::TooManyRequests));
    }
    world
        .proxy
        .inject(Fault::once("AdminGetUser", 1, FaultKind::TooManyRequests));
    let endpoint = world.proxy.endpoint();
    let max_rps = MAX_RPS.to_string();
    let run = xtask(&[
        "audit",
        "--pool-id",
        &world.pool_id,
        "--database-url",
        world.database.url(),
        "--endpoint-url",
        &endpoint,
        "--max-rps",
        &max_rps,
        "--output",
        "json",
    ])
    .await;

    // Complete: every user was read, and the administrator's MFA state too.
    run.assert_code(2);
    let report = run.json();
    assert_eq!(report["users"], USERS + 1, "{report}");
    assert_eq!(report["admins"][0]["username"], usernames[0].as_str(), "{report}");
    let list_users = world.proxy.calls_of("ListUsers");
    let throttled = list_users.iter().filter(|call| call.fault.is_some()).count();
    // Sixteen prefixes of one page each, each second attempt refused: sixteen answered, fifteen refused between.
    assert_eq!((list_users.len(), throttled), (31, 15), "{list_users:#?}");
    assert_eq!(world.proxy.calls_of("AdminGetUser").len(), 2);

    // The limit: any MAX_RPS + 1 attempts in a row, retries included, span a second.
    let attempts = attempts(world.proxy.calls(), &["ListUsers", "AdminGetUser"]);
    for window in attempts.windows(MAX_RPS + 1) {
        let span = window[MAX_RPS].started - window[0].started;
        assert!(
            span + JITTER >= Duration::from_secs(1),
            "{} attempts within {span:?}: {:?}",
            MAX_RPS + 1,
            window
                .iter()
                .map(|call| (call.operation.as_str(), call.fault, call.started - attempts[0].started))
                .collect::<Vec<_>>()
        );
    }
}
