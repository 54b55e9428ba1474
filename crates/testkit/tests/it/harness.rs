//! The harness's own tests: real PostgreSQL, real moto, and the proxy between the SDK and moto.

use std::time::{Duration, Instant};

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_cognitoidentityprovider::types::{UsernameAttributeType, UsernameConfigurationType};
use diesel::RunQueryDsl;
use diesel::sql_types::Text;
use testkit::{Fault, FaultKind, RecordingProxy};

#[derive(diesel::QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

fn current_database(connection: &mut diesel::PgConnection) -> String {
    diesel::sql_query("SELECT current_database() AS name")
        .get_result::<Name>(connection)
        .unwrap()
        .name
}

#[test]
fn postgres_answers_in_a_database_of_the_tests_own() {
    let database = testkit::database();
    let mut connection = database.connect();
    assert_eq!(current_database(&mut connection), database.name());
    let other = testkit::database();
    assert_ne!(other.name(), database.name());
}

/// Two databases in use at the same moment, each with a table of the same name: each connection reads
/// back only its own marker. The barrier makes both tables exist and hold their rows before either is
/// read, so the two really overlap (no sleep standing in for it).
#[test]
fn databases_in_use_at_once_see_only_their_own_tables() {
    let both_written = std::sync::Barrier::new(2);
    std::thread::scope(|scope| {
        let isolated = |marker: &'static str| {
            let both_written = &both_written;
            scope.spawn(move || {
                let database = testkit::database();
                let mut connection = database.connect();
                diesel::sql_query("CREATE TABLE marker (value text)")
                    .execute(&mut connection)
                    .unwrap();
                diesel::sql_query(format!("INSERT INTO marker VALUES ('{marker}')"))
                    .execute(&mut connection)
                    .unwrap();
                both_written.wait();
                let rows: Vec<Name> = diesel::sql_query("SELECT value AS name FROM marker")
                    .load(&mut connection)
                    .unwrap();
                assert_eq!(rows.iter().map(|row| row.name.as_str()).collect::<Vec<_>>(), [marker]);
            })
        };
        for thread in [isolated("one"), isolated("two")] {
            thread.join().unwrap();
        }
    });
}

#[test]
fn a_dropped_database_is_gone() {
    let database = testkit::database();
    let name = database.name().to_owned();
    drop(database);
    let server = testkit::TestDatabase::create(&testkit::server_url()).unwrap();
    let mut connection = server.connect();
    let rows: Vec<Name> = diesel::sql_query(format!(
        "SELECT datname AS name FROM pg_database WHERE datname = '{name}'"
    ))
    .load(&mut connection)
    .unwrap();
    assert!(rows.is_empty(), "database {name} still exists");
}

/// A Cognito client built exactly as the commands build theirs, pointed at `endpoint`.
async fn client(endpoint: &str, max_attempts: u32) -> Client {
    let options = cognito::ConnectOptions {
        endpoint_url: Some(endpoint.to_owned()),
        max_attempts,
        ..cognito::ConnectOptions::default()
    };
    Client::new(&cognito::load_sdk_config(&options).await)
}

#[tokio::test]
async fn list_user_pools_goes_through_the_proxy_and_is_recorded() {
    let proxy = RecordingProxy::start(&testkit::cognito_endpoint()).await.unwrap();
    let client = client(&proxy.endpoint(), 1).await;
    client.list_user_pools().max_results(60).send().await.unwrap();
    let calls = proxy.calls();
    assert_eq!(proxy.operations(), ["ListUserPools"]);
    assert_eq!(calls[0].status, Some(200));
    assert_eq!((calls[0].fault, calls[0].forwarded), (None, true));
}

#[tokio::test]
async fn injected_latency_shows_in_the_call_duration() {
    let proxy = RecordingProxy::start(&testkit::cognito_endpoint()).await.unwrap();
    let client = client(&proxy.endpoint(), 1).await;
    proxy.set_latency(Duration::from_millis(250));
    let started = Instant::now();
    client.list_user_pools().max_results(1).send().await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(250));
    assert!(proxy.calls()[0].duration() >= Duration::from_millis(250));
}

#[tokio::test]
async fn held_calls_overlap_in_the_recording_until_released() {
    let proxy = RecordingProxy::start(&testkit::cognito_endpoint()).await.unwrap();
    let client = client(&proxy.endpoint(), 1).await;
    let hold = proxy.hold("ListUserPools");
    let list = || client.list_user_pools().max_results(1).send();
    let release = async {
        // All three are inside the proxy at once before any is answered.
        hold.wait_for(3).await;
        assert!(proxy.calls().is_empty(), "nothing is answered while held");
        hold.release();
    };
    let (a, b, c, ()) = tokio::join!(list(), list(), list(), release);
    for result in [a, b, c] {
        result.unwrap();
    }
    list().await.unwrap();
    assert_eq!(proxy.max_in_flight(), 3);
    assert_eq!(proxy.round_trips(), 2);
}

#[tokio::test]
async fn hold_from_lets_the_calls_before_the_nth_through() {
    let proxy = RecordingProxy::start(&testkit::cognito_endpoint()).await.unwrap();
    let client = client(&proxy.endpoint(), 1).await;
    let second = proxy.hold_from("ListUserPools", 2);
    let list = |max: i32| client.list_user_pools().max_results(max).send();
    list(1).await.expect("the first call is not held");
    let release = async {
        second.wait_for(1).await;
        assert_eq!(proxy.calls().len(), 1, "the second call is held, unanswered");
        second.release();
    };
    let (answer, ()) = tokio::join!(list(2), release);
    answer.unwrap();
    let sizes: Vec<_> = proxy
        .calls_of("ListUserPools")
        .iter()
        .map(|call| call.request_json().unwrap()["MaxResults"].clone())
        .collect();
    assert_eq!(sizes, [1, 2]);
}

/// Concurrent calls held together overlap in the recording; calls sent one after another never reach the
/// holds together, so `release_together` does not return while the first waits.
#[tokio::test]
async fn release_together_proves_calls_were_concurrent() {
    let proxy = RecordingProxy::start(&testkit::cognito_endpoint()).await.unwrap();
    let client = client(&proxy.endpoint(), 1).await;
    let (lists, describes) = (proxy.hold("ListUserPools"), proxy.hold("DescribeUserPool"));
    let list = || client.list_user_pools().max_results(1).send();
    let describe = || client.describe_user_pool().user_pool_id("us-east-1_missing").send();
    let (listed, described, ()) = tokio::join!(list(), describe(), testkit::release_together([&lists, &describes]));
    listed.unwrap();
    described.unwrap_err();
    assert_eq!(proxy.max_in_flight(), 2);
    assert_eq!(proxy.round_trips(), 1);

    proxy.clear();
    let (lists, describes) = (proxy.hold("ListUserPools"), proxy.hold("DescribeUserPool"));
    let one_after_another = async {
        list().await.unwrap();
        describe().await.unwrap_err();
    };
    let together = testkit::release_together([&lists, &describes]);
    let list_stays_held = async {
        lists.wait_for(1).await;
        // Time for a bug to show; the check cannot fail on a slow machine, only on a broken hold.
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert!(proxy.calls().is_empty(), "nothing was answered");
    };
    tokio::select! {
        () = one_after_another => panic!("the held list was answered"),
        () = together => panic!("a list and a describe sent one after the other were held together"),
        () = list_stays_held => {}
    }
}

#[tokio::test]
async fn the_request_body_is_recorded_as_sent() {
    let proxy = RecordingProxy::start(&testkit::cognito_endpoint()).await.unwrap();
    let client = client(&proxy.endpoint(), 1).await;
    client.list_user_pools().max_results(7).send().await.unwrap();
    let request = proxy.calls_of("ListUserPools")[0].request_json().unwrap();
    assert_eq!(request["MaxResults"], 7, "{request}");
}

#[tokio::test]
async fn an_answered_call_reaches_the_sdk_and_is_recorded_as_not_forwarded() {
    let proxy = RecordingProxy::start(&testkit::cognito_endpoint()).await.unwrap();
    proxy.answer(
        "ListUserPools",
        serde_json::json!({"UserPools": [{"Id": "us-east-1_Answered", "Name": "answered"}]}),
    );
    let client = client(&proxy.endpoint(), 1).await;
    let pools = client.list_user_pools().max_results(60).send().await.unwrap();
    assert_eq!(pools.user_pools()[0].id(), Some("us-east-1_Answered"));
    let calls = proxy.calls_of("ListUserPools");
    assert_eq!(
        (calls[0].status, calls[0].forwarded, calls[0].fault),
        (Some(200), false, None)
    );
    // Other operations still reach the emulator.
    let missing = client.describe_user_pool().user_pool_id("us-east-1_Nope").send().await;
    assert!(missing.is_err());
    assert!(proxy.calls_of("DescribeUserPool")[0].forwarded);
}

#[tokio::test]
async fn an_answer_built_from_the_request_pages_a_listing_and_a_fault_still_wins() {
    let proxy = RecordingProxy::answering_only().await.unwrap();
    proxy.answer_with("ListUserPools", |request| match request["NextToken"].as_str() {
        None => serde_json::json!({"UserPools": [{"Id": "us-east-1_First"}], "NextToken": "page-2"}),
        Some(token) => serde_json::json!({"UserPools": [{"Id": format!("us-east-1_{}", token.replace('-', ""))}]}),
    });
    let client = client(&proxy.endpoint(), 1).await;
    let ids: Vec<String> = client
        .list_user_pools()
        .max_results(60)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .unwrap()
        .into_iter()
        .filter_map(|pool| pool.id)
        .collect();
    assert_eq!(ids, ["us-east-1_First", "us-east-1_page2"]);
    proxy.inject(Fault::once("ListUserPools", 3, FaultKind::Throttling));
    let error = client.list_user_pools().max_results(60).send().await.unwrap_err();
    assert_eq!(error.code(), Some("ThrottlingException"));
}

#[tokio::test]
async fn a_proxy_that_only_answers_refuses_an_unanswered_call_by_its_operation() {
    let proxy = RecordingProxy::answering_only().await.unwrap();
    let client = client(&proxy.endpoint(), 1).await;
    let error = client
        .describe_user_pool()
        .user_pool_id("us-east-1_X")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("UnansweredByTestkit"));
    assert!(
        error.message().unwrap_or_default().contains("DescribeUserPool"),
        "{error:?}"
    );
    let calls = proxy.calls();
    assert_eq!((calls[0].status, calls[0].forwarded), (Some(400), false));
}

/// A fault after forwarding is a create that reached the service and still failed: the pool exists.
#[tokio::test]
async fn a_fault_after_forwarding_lets_the_emulator_do_the_work() {
    let proxy = RecordingProxy::start(&testkit::cognito_endpoint()).await.unwrap();
    let client = client(&proxy.endpoint(), 1).await;
    let name = testkit::unique_name("harness-forwarded");
    proxy.inject(Fault::after_forwarding("CreateUserPool", 1, FaultKind::ServerError));
    let error = client.create_user_pool().pool_name(&name).send().await.unwrap_err();
    assert_eq!(error.code(), Some("InternalErrorException"), "{error:?}");
    let created = &proxy.calls_of("CreateUserPool")[0];
    assert!(created.forwarded);
    assert_eq!(created.status, Some(500));
    let pools = client.list_user_pools().max_results(60).send().await.unwrap();
    assert_eq!(
        pools
            .user_pools()
            .iter()
            .filter(|pool| pool.name() == Some(name.as_str()))
            .count(),
        1,
        "the emulator created the pool although the caller saw a 500"
    );

    proxy.inject(Fault::once("ListUserPools", 2, FaultKind::DropConnection));
    client.list_user_pools().max_results(1).send().await.unwrap_err();
    assert!(!proxy.calls_of("ListUserPools")[1].forwarded);
}

#[tokio::test]
async fn concurrent_modification_reaches_the_sdk_by_its_code() {
    let proxy = RecordingProxy::start(&testkit::cognito_endpoint()).await.unwrap();
    let client = client(&proxy.endpoint(), 1).await;
    proxy.inject(Fault::once("ListUserPools", 1, FaultKind::ConcurrentModification));
    let error = client.list_user_pools().max_results(1).send().await.unwrap_err();
    assert_eq!(error.code(), Some("ConcurrentModificationException"), "{error:?}");
}

#[tokio::test]
async fn throttling_reaches_the_sdk_as_a_throttling_exception() {
    let proxy = RecordingProxy::start(&testkit::cognito_endpoint()).await.unwrap();
    let client = client(&proxy.endpoint(), 1).await;
    proxy.inject(Fault::once("ListUserPools", 1, FaultKind::Throttling));
    let error = client.list_user_pools().max_results(1).send().await.unwrap_err();
    assert!(matches!(error, SdkError::ServiceError(_)), "{error:?}");
    assert_eq!(error.code(), Some("ThrottlingException"));
    assert_eq!(
        error.raw_response().map(|response| response.status().as_u16()),
        Some(400)
    );
    // The next call is not armed and goes through.
    client.list_user_pools().max_results(1).send().await.unwrap();
}

#[tokio::test]
async fn server_error_reaches_the_sdk_as_a_500() {
    let proxy = RecordingProxy::start(&testkit::cognito_endpoint()).await.unwrap();
    let client = client(&proxy.endpoint(), 1).await;
    proxy.inject(Fault::once("ListUserPools", 1, FaultKind::ServerError));
    let error = client.list_user_pools().max_results(1).send().await.unwrap_err();
    assert_eq!(
        error.raw_response().map(|response| response.status().as_u16()),
        Some(500),
        "{error:?}"
    );
    assert_eq!(error.code(), Some("InternalErrorException"));
}

#[tokio::test]
async fn dropped_connection_reaches_the_sdk_as_a_dispatch_failure() {
    let proxy = RecordingProxy::start(&testkit::cognito_endpoint()).await.unwrap();
    let client = client(&proxy.endpoint(), 1).await;
    proxy.inject(Fault::once("ListUserPools", 1, FaultKind::DropConnection));
    let error = client.list_user_pools().max_results(1).send().await.unwrap_err();
    assert!(matches!(error, SdkError::DispatchFailure(_)), "{error:?}");
    assert_eq!(proxy.calls()[0].status, None);
}

#[tokio::test]
async fn the_sdk_retries_injected_throttling_with_the_standard_retry_config() {
    let proxy = RecordingProxy::start(&testkit::cognito_endpoint()).await.unwrap();
    let client = client(&proxy.endpoint(), 5).await;
    proxy.inject(Fault {
        operation: "ListUserPools".into(),
        nth: 1,
        times: 2,
        kind: FaultKind::Throttling,
        after_forwarding: false,
    });
    client.list_user_pools().max_results(1).send().await.unwrap();
    let statuses: Vec<_> = proxy.calls().iter().map(|call| call.status).collect();
    assert_eq!(statuses, [Some(400), Some(400), Some(200)]);
}

/// The launcher's one patch: moto's UpdateUserPool must keep the create-only sign-in settings, as AWS does.
#[tokio::test]
async fn create_only_settings_survive_a_full_update_in_the_emulator() {
    let client = client(&testkit::cognito_endpoint(), 1).await;
    let name = testkit::unique_name("harness-update");
    let pool = client
        .create_user_pool()
        .pool_name(&name)
        .username_attributes(UsernameAttributeType::Email)
        .username_configuration(
            UsernameConfigurationType::builder()
                .case_sensitive(false)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap();
    let id = pool.id.unwrap();
    client
        .update_user_pool()
        .user_pool_id(&id)
        .auto_verified_attributes(aws_sdk_cognitoidentityprovider::types::VerifiedAttributeType::Email)
        .send()
        .await
        .unwrap();
    let described = client
        .describe_user_pool()
        .user_pool_id(&id)
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap();
    assert_eq!(described.username_attributes(), [UsernameAttributeType::Email]);
    assert_eq!(
        described.username_configuration.map(|config| config.case_sensitive),
        Some(false)
    );
    // Everything else an update leaves out is still reset, which is what makes the full-state rule testable.
    assert!(
        described
            .deletion_protection
            .is_none_or(|protection| protection.as_str() == "INACTIVE")
    );
}

/// Each proxy is an AWS account of its own in the emulator: pools made through one are invisible to another.
#[tokio::test]
async fn each_proxy_is_an_account_of_its_own() {
    let first = RecordingProxy::start(&testkit::cognito_endpoint()).await.unwrap();
    let second = RecordingProxy::start(&testkit::cognito_endpoint()).await.unwrap();
    assert_ne!(first.account_id(), second.account_id());
    let (first_client, second_client) = (client(&first.endpoint(), 1).await, client(&second.endpoint(), 1).await);
    first_client
        .create_user_pool()
        .pool_name("credere")
        .send()
        .await
        .unwrap();
    let names = |pools: Vec<aws_sdk_cognitoidentityprovider::types::UserPoolDescriptionType>| {
        pools.into_iter().filter_map(|pool| pool.name).collect::<Vec<_>>()
    };
    let seen_first = first_client
        .list_user_pools()
        .max_results(60)
        .send()
        .await
        .unwrap()
        .user_pools
        .unwrap_or_default();
    let seen_second = second_client
        .list_user_pools()
        .max_results(60)
        .send()
        .await
        .unwrap()
        .user_pools
        .unwrap_or_default();
    assert_eq!(names(seen_first), ["credere"]);
    assert!(names(seen_second).is_empty());
}
