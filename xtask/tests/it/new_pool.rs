//! `cargo xtask provision --new-pool` (issue 22, item 2): a second pool and client from the spec beside the
//! existing one, after which `--pool-id` chooses between them and nothing picks one silently. Against the
//! emulator through the recording proxy.

use crate::provision::provision;
use crate::support::{self, cognito, mutations, pools_named, proxy, sdk, xtask};
use crate::write_env::{python_dotenv, secret_id_in};
use cognito::{PoolChoice, PoolId};
use pool_spec::Environment;
use testkit::{Fault, FaultKind, RecordingProxy};

const SES_ARN: &str = "arn:aws:ses:us-east-1:123456789012:identity/credere@noreply.open-contracting.org";

/// A first provision of `environment`: the pool's ID.
async fn first_pool(environment: Environment, proxy: &RecordingProxy) -> String {
    let run = provision(environment, proxy, &["--output", "json"]).await;
    run.assert_code(0);
    run.json()["pool_id"].as_str().unwrap().to_owned()
}

/// The app clients of a pool, by ID, read with the raw SDK.
async fn client_ids(proxy: &RecordingProxy, pool_id: &str) -> Vec<String> {
    sdk(proxy)
        .await
        .list_user_pool_clients()
        .user_pool_id(pool_id)
        .send()
        .await
        .unwrap()
        .user_pool_clients()
        .iter()
        .filter_map(|client| client.client_id().map(str::to_owned))
        .collect()
}

/// The other pool named `name`: the one that is not `old`.
async fn other_pool(proxy: &RecordingProxy, name: &str, old: &str) -> String {
    let pools = pools_named(proxy, name).await;
    assert_eq!(pools.len(), 2, "{pools:?}");
    pools.into_iter().find(|id| id != old).unwrap()
}

#[tokio::test]
async fn a_new_pool_is_made_beside_the_old_with_a_first_creations_calls_and_pool_id_picks_each() {
    let proxy = proxy().await;
    let old = first_pool(Environment::Development, &proxy).await;
    proxy.clear();
    // As in a first provision, the duplicate check's ListUserPools runs alongside SetUserPoolMfaConfig: both are
    // held until both have arrived.
    let (mfa, twins) = (proxy.hold("SetUserPoolMfaConfig"), proxy.hold_from("ListUserPools", 2));
    let (run, ()) = tokio::join!(
        provision(Environment::Development, &proxy, &["--new-pool", "--output", "json"]),
        testkit::release_together([&mfa, &twins])
    );
    run.assert_code(0);
    let mut operations = proxy.operations();
    operations[2..4].sort();
    assert_eq!(
        operations,
        [
            "ListUserPools",
            "CreateUserPool",
            "ListUserPools",
            "SetUserPoolMfaConfig",
            "CreateUserPoolClient",
            "ListUserPoolClientSecrets"
        ],
        "the calls of a first creation, and nothing sent to the old pool"
    );
    assert_eq!(proxy.round_trips(), 5);
    let report = run.json();
    let new = other_pool(&proxy, "credere", &old).await;
    assert_eq!(report["pool_id"], new.as_str());
    assert_eq!(report["beside_pool_id"], old.as_str());
    assert_eq!(report["create_pool"], true);
    assert_eq!(report["client_id"], client_ids(&proxy, &new).await[0].as_str());
    assert_eq!(
        client_ids(&proxy, &old).await.len(),
        1,
        "the old pool keeps its one client"
    );

    // Each pool converges when chosen by its ID.
    for id in [&old, &new] {
        let check = provision(Environment::Development, &proxy, &["--pool-id", id, "--check"]).await;
        check.assert_code(0);
        assert!(check.stdout.contains(id.as_str()), "{}", check.stdout);
    }
    // Without --pool-id, nothing is picked silently: both are named, and the flag that chooses.
    proxy.clear();
    let plain = provision(Environment::Development, &proxy, &[]).await;
    plain.assert_code(1);
    for text in [old.as_str(), new.as_str(), "--pool-id"] {
        assert!(plain.stderr.contains(text), "{text} missing from {}", plain.stderr);
    }
    assert_eq!(mutations(&proxy), Vec::<String>::new());
    // admin, audit and the runbooks find their pool through choose_pool, which refuses likewise.
    let choice = PoolChoice::Environment {
        environment: Environment::Development,
        pool_id: None,
    };
    let refused = cognito(&proxy).await.choose_pool(&choice).await.unwrap_err();
    assert!(
        matches!(&refused, cognito::Error::AmbiguousPool { ids, .. } if ids.contains(&old) && ids.contains(&new)),
        "{refused}"
    );
    for id in [&old, &new] {
        let choice = PoolChoice::Environment {
            environment: Environment::Development,
            pool_id: Some(PoolId::parse(id).unwrap()),
        };
        assert_eq!(&cognito(&proxy).await.choose_pool(&choice).await.unwrap().id, id);
    }
}

#[tokio::test]
async fn the_plan_names_the_pool_a_second_one_is_made_beside_and_check_changes_nothing() {
    let proxy = proxy().await;
    let old = first_pool(Environment::Development, &proxy).await;
    proxy.clear();
    let check = provision(Environment::Development, &proxy, &["--new-pool", "--check"]).await;
    check.assert_code(2);
    for line in [
        format!("Plan for the development user pool `credere` (a new one beside {old}) in us-east-1:"),
        format!("+ create a SECOND user pool `credere` beside {old} (which stays as it is)"),
        "+ create app client `credere`".to_owned(),
    ] {
        assert!(check.stdout.contains(&line), "{line} missing from {}", check.stdout);
    }
    assert_eq!(mutations(&proxy), Vec::<String>::new());
    assert_eq!(pools_named(&proxy, "credere").await, [old.as_str()]);

    let json = provision(
        Environment::Development,
        &proxy,
        &["--new-pool", "--check", "--output", "json"],
    )
    .await;
    json.assert_code(2);
    assert_eq!(json.json()["beside_pool_id"], old.as_str());
    assert_eq!(json.json()["pool_id"], serde_json::Value::Null);

    // Text output names the new pool and the --pool-id of each.
    let made = provision(Environment::Development, &proxy, &["--new-pool"]).await;
    made.assert_code(0);
    let new = other_pool(&proxy, "credere", &old).await;
    assert!(
        made.stdout.contains(&format!("Pool ID:       {new}")),
        "{}",
        made.stdout
    );
    assert!(
        made.stdout.contains(&format!(
            "Created beside {old} (unchanged). While both exist, commands on the development environment need \
             --pool-id: {new} for this pool, {old} for the other."
        )),
        "{}",
        made.stdout
    );
}

#[tokio::test]
async fn new_pool_with_pool_id_is_a_usage_error_before_any_call() {
    let proxy = proxy().await;
    let run = provision(
        Environment::Development,
        &proxy,
        &["--new-pool", "--pool-id", "us-east-1_AbC123"],
    )
    .await;
    run.assert_code(1);
    for text in ["--new-pool", "--pool-id", "cannot be used with"] {
        assert!(run.stderr.contains(text), "{text} missing from {}", run.stderr);
    }
    assert_eq!(proxy.operations(), Vec::<String>::new());
}

#[tokio::test]
async fn write_env_with_new_pool_switches_the_backend_to_the_new_pool() {
    let proxy = proxy().await;
    let dir = tempfile::tempdir().unwrap();
    let env_file = dir.path().join(".env");
    std::fs::write(&env_file, "DATABASE_URL=postgresql://localhost/credere\n").unwrap();
    let path = env_file.to_str().unwrap();
    provision(Environment::Development, &proxy, &["--write-env", path])
        .await
        .assert_code(0);
    let old = pools_named(&proxy, "credere").await[0].clone();
    let run = provision(
        Environment::Development,
        &proxy,
        &["--new-pool", "--write-env", path, "--output", "json"],
    )
    .await;
    run.assert_code(0);
    let new = other_pool(&proxy, "credere", &old).await;
    let [client_id] = &client_ids(&proxy, &new).await[..] else {
        panic!("not one client in the new pool");
    };
    let client = sdk(&proxy)
        .await
        .describe_user_pool_client()
        .user_pool_id(&new)
        .client_id(client_id)
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap();
    let secret_id = run.json()["client_secret_ids"][0].as_str().unwrap().to_owned();
    let read = python_dotenv(&env_file);
    let value = |key: &str| read.get(key).cloned().flatten();
    assert_eq!(value("COGNITO_POOL_ID"), Some(new.clone()));
    assert_eq!(value("COGNITO_CLIENT_ID"), Some(client_id.clone()));
    assert_eq!(value("COGNITO_CLIENT_SECRET").as_deref(), client.client_secret());
    assert_eq!(secret_id_in(&env_file), secret_id);
    assert_eq!(value("AWS_REGION").as_deref(), Some("us-east-1"));
    assert_eq!(value("DATABASE_URL").as_deref(), Some("postgresql://localhost/credere"));
    assert!(
        !run.stdout.contains(client.client_secret().unwrap()),
        "the secret stays hidden"
    );
}

#[tokio::test]
async fn a_new_pool_create_that_reached_cognito_and_then_failed_adopts_the_new_pool_not_the_old() {
    let proxy = proxy().await;
    let old = first_pool(Environment::Development, &proxy).await;
    proxy.clear();
    proxy.inject(Fault::after_forwarding("CreateUserPool", 1, FaultKind::ServerError));
    let run = provision(Environment::Development, &proxy, &["--new-pool", "--output", "json"]).await;
    run.assert_code(0);
    assert_eq!(proxy.calls_of("CreateUserPool").len(), 1, "sent once");
    let new = other_pool(&proxy, "credere", &old).await;
    assert_eq!(run.json()["pool_id"], new.as_str());
    assert_eq!(client_ids(&proxy, &new).await.len(), 1);
    assert_eq!(client_ids(&proxy, &old).await.len(), 1);
    assert!(
        proxy
            .calls_of("SetUserPoolMfaConfig")
            .iter()
            .all(|call| String::from_utf8_lossy(&call.request).contains(&new)),
        "only the new pool is written to"
    );
}

/// The decision on resuming: the run that created the pool names it, and `--pool-id NEW` (without `--new-pool`)
/// finishes it; a re-run of `--new-pool` refuses, naming both pools, rather than make a third.
#[tokio::test]
async fn a_new_pool_left_without_its_client_is_finished_by_its_id_and_a_rerun_makes_no_third() {
    let proxy = proxy().await;
    let old = first_pool(Environment::Development, &proxy).await;
    proxy.clear();
    // CreateUserPool reached the emulator and answered; every attempt at the client fails.
    proxy.inject(Fault {
        operation: "CreateUserPoolClient".into(),
        nth: 1,
        times: 10,
        kind: FaultKind::ServerError,
        after_forwarding: false,
    });
    let failed = provision(Environment::Development, &proxy, &["--new-pool"]).await;
    failed.assert_code(1);
    let new = other_pool(&proxy, "credere", &old).await;
    assert!(client_ids(&proxy, &new).await.is_empty());
    for text in [
        format!("the user pool `{new}` was created, but not finished"),
        format!("Run it again with --pool-id {new} instead of --new-pool"),
        format!("hint: finish it with `cargo xtask provision --env ENV --pool-id {new}` (without --new-pool)"),
    ] {
        assert!(failed.stderr.contains(&text), "{text} missing from {}", failed.stderr);
    }

    proxy.clear();
    let again = provision(Environment::Development, &proxy, &["--new-pool"]).await;
    again.assert_code(1);
    for text in [
        old.as_str(),
        new.as_str(),
        "nothing was created",
        "--pool-id ID` (without --new-pool)",
    ] {
        assert!(again.stderr.contains(text), "{text} missing from {}", again.stderr);
    }
    assert_eq!(mutations(&proxy), Vec::<String>::new());
    assert_eq!(pools_named(&proxy, "credere").await.len(), 2, "no third pool");

    provision(Environment::Development, &proxy, &["--pool-id", &new])
        .await
        .assert_code(0);
    assert_eq!(
        mutations(&proxy),
        ["CreateUserPoolClient"],
        "only the client was missing"
    );
    provision(Environment::Development, &proxy, &["--pool-id", &new, "--check"])
        .await
        .assert_code(0);
    assert_eq!(client_ids(&proxy, &new).await.len(), 1);
    assert_eq!(client_ids(&proxy, &old).await.len(), 1);
}

/// `provision --env production --new-pool` with the SES ARN given, through `proxy`, then `extra`.
fn production_new_pool<'a>(endpoint: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "provision",
        "--env",
        "production",
        "--new-pool",
        "--ses-identity-arn",
        SES_ARN,
        "--endpoint-url",
        endpoint,
    ];
    args.extend(extra);
    args
}

#[tokio::test]
async fn production_asks_before_a_second_pool_and_without_a_terminal_refuses_before_any_write() {
    let proxy = proxy().await;
    let old = first_pool(Environment::Production, &proxy).await;
    proxy.clear();
    let endpoint = proxy.endpoint();
    let refused = xtask(&production_new_pool(&endpoint, &[])).await;
    refused.assert_code(1);
    assert!(refused.stderr.contains("--yes"), "{}", refused.stderr);
    assert!(
        refused.stdout.contains(&format!(
            "+ create a SECOND user pool `credere-production` beside {old}"
        )),
        "the plan is shown first: {}",
        refused.stdout
    );
    assert_eq!(mutations(&proxy), Vec::<String>::new());

    let (code, printed) = support::xtask_on_terminal(&production_new_pool(&endpoint, &[]), "no\n").await;
    assert_eq!(code, 1, "{printed}");
    assert!(
        printed.contains(&format!(
            "Create a SECOND PRODUCTION pool `credere-production` beside {old}? Type yes to continue:"
        )),
        "{printed}"
    );
    assert_eq!(mutations(&proxy), Vec::<String>::new());
    assert_eq!(pools_named(&proxy, "credere-production").await, [old.as_str()]);

    let (code, printed) = support::xtask_on_terminal(&production_new_pool(&endpoint, &[]), "yes\n").await;
    assert_eq!(code, 0, "{printed}");
    let new = other_pool(&proxy, "credere-production", &old).await;
    assert!(printed.contains(&new), "{printed}");
}
