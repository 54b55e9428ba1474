//! The bootstrap against real PostgreSQL (credere-backend's DDL) and the Cognito emulator, through the
//! recording proxy: creation, re-runs, resumption, conflicts, faults and concurrency.

use std::time::{Duration, Instant};

use admin_bootstrap::{Error, ResetOutcome, bootstrap};
use test_support::{World, cognito_usernames, email, insert_row, mutations, one_request_server, request, rows, world};
use testkit::error_chain;
use testkit::{Fault, FaultKind};
use user_model::{Language, UserType};

async fn run(world: &World, request: &admin_bootstrap::Request) -> Result<admin_bootstrap::Report, Error> {
    bootstrap(&request.validate().expect("a valid request"), &world.cognito).await
}

#[tokio::test]
async fn creates_the_user_and_the_row_then_a_rerun_changes_nothing() {
    let world = world().await;
    let email = email();
    let mut asked = request(&world, &format!("  {}  ", email.to_uppercase()));
    asked.language = "en".into();

    let started = Instant::now();
    let report = run(&world, &asked).await.expect("first run");
    let wall = started.elapsed();
    assert_eq!(world.proxy.operations(), ["AdminCreateUser"]);
    eprintln!(
        "benchmark: one bootstrap by --pool-id: {} API call(s), {} round trip(s), {wall:?}",
        world.proxy.calls().len(),
        world.proxy.round_trips()
    );
    assert!(report.cognito_user_created && report.row_created && report.changed_anything());
    assert_eq!(report.email, email, "trimmed and lower-cased");
    assert_eq!(
        report.username, report.sub,
        "email-sign-in pools make the Username the sub"
    );
    assert_eq!(report.cognito_status, cognito::UserStatus::ForceChangePassword);

    let rows = rows(&world.database);
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(
        (row.id, row.user_type, row.language),
        (report.user_id, UserType::Ocp, Language::En)
    );
    assert_eq!((row.email.as_str(), row.name.as_str()), (email.as_str(), "Ada Admin"));
    assert_eq!(row.external_id, report.username);

    let user = world
        .sdk
        .admin_get_user()
        .user_pool_id(&world.pool_id)
        .username(&email)
        .send()
        .await
        .unwrap();
    let attribute = |name: &str| {
        user.user_attributes()
            .iter()
            .find(|attribute| attribute.name() == name)
            .and_then(|attribute| attribute.value())
    };
    assert_eq!(attribute("email"), Some(email.as_str()));
    assert_eq!(attribute("email_verified"), Some("true"));

    world.proxy.clear();
    let again = run(&world, &asked).await.expect("re-run");
    assert_eq!(world.proxy.operations(), ["AdminGetUser"], "a re-run only reads");
    assert!(!again.changed_anything(), "{again:?}");
    assert_eq!(
        (again.user_id, again.sub.as_str()),
        (report.user_id, report.sub.as_str())
    );
    assert_eq!(test_support::rows(&world.database), rows);
}

#[tokio::test]
async fn finds_the_pool_by_the_environments_spec_name_and_refuses_a_disagreeing_pool_id() {
    let world = world().await;
    let spec = pool_spec::development();
    let env_pool = test_support::create_pool(&world.sdk, &spec.pool.name, &spec.tags).await;
    world.proxy.clear();
    let email = email();

    let mismatch = admin_bootstrap::Request {
        environment: Some(pool_spec::Environment::Development),
        ..request(&world, &email)
    };
    let error = run(&world, &mismatch).await.unwrap_err();
    assert!(
        matches!(error, Error::Pool(cognito::Error::PoolNameMismatch { .. })),
        "{error:?}"
    );
    assert!(error.to_string().contains("nothing was changed"), "{error}");
    assert_eq!(mutations(&world.proxy), Vec::<String>::new());

    world.proxy.clear();
    let started = Instant::now();
    let report = run(
        &world,
        &admin_bootstrap::Request {
            pool_id: None,
            ..mismatch
        },
    )
    .await
    .expect("by --env");
    let wall = started.elapsed();
    eprintln!(
        "benchmark: one bootstrap by --env: {} API call(s), {} round trip(s), {wall:?}",
        world.proxy.calls().len(),
        world.proxy.round_trips()
    );
    assert_eq!(world.proxy.operations(), ["ListUserPools", "AdminCreateUser"]);
    assert_eq!(
        (report.pool_id.as_str(), report.pool_name.as_deref()),
        (env_pool.as_str(), Some("credere"))
    );
    assert_eq!(
        cognito_usernames(&world.sdk, &world.pool_id, &email).await,
        Vec::<String>::new()
    );
    assert_eq!(
        cognito_usernames(&world.sdk, &env_pool, &email).await,
        [report.username]
    );
}

#[tokio::test]
async fn an_environment_without_its_pool_is_refused() {
    let world = world().await;
    let asked = admin_bootstrap::Request {
        environment: Some(pool_spec::Environment::Production),
        pool_id: None,
        ..request(&world, &email())
    };
    let error = run(&world, &asked).await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::Pool(cognito::Error::NoPoolForEnvironment {
                environment: pool_spec::Environment::Production,
                ..
            })
        ),
        "{error:?}"
    );
    // The command to run (`cargo xtask provision --env production`) is xtask's hint for this error.
    let chain = testkit::error_chain(&error);
    assert!(chain.contains("provision the production environment's pool"), "{chain}");
    assert!(rows(&world.database).is_empty());
}

#[tokio::test]
async fn a_run_that_died_after_creating_the_cognito_user_is_finished_by_the_rerun() {
    let world = world().await;
    let email = email();
    // What the dead run left: the Cognito user, no row.
    world
        .cognito
        .create_user(&world.pool_id, &email, &pool_spec::AdminDefaults::CREDERE)
        .await
        .expect("the first half");
    world.proxy.clear();

    let report = run(&world, &request(&world, &email)).await.expect("re-run");
    assert_eq!(world.proxy.operations(), ["AdminCreateUser", "AdminGetUser"]);
    assert!(!report.cognito_user_created && report.row_created);
    assert_eq!(
        cognito_usernames(&world.sdk, &world.pool_id, &email).await,
        std::slice::from_ref(&report.username)
    );
    assert_eq!(rows(&world.database)[0].external_id, report.username);
}

#[tokio::test]
async fn an_unreachable_or_foreign_database_stops_before_any_cognito_call() {
    let world = world().await;
    let email = email();
    let closed_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let unreachable = format!("postgresql://postgres:s3cret-pw@127.0.0.1:{closed_port}/credere?connect_timeout=2");
    let empty = testkit::database();
    for url in [unreachable, empty.url().to_owned()] {
        let asked = admin_bootstrap::Request {
            database_url: Some(url),
            ..request(&world, &email)
        };
        let error = run(&world, &asked).await.unwrap_err();
        assert!(matches!(error, Error::Database(_)), "{error:?}");
        assert!(error.to_string().contains("nothing was created in Cognito"), "{error}");
        assert!(!error.to_string().contains("s3cret-pw"), "the password leaked: {error}");
    }
    assert_eq!(world.proxy.operations(), Vec::<String>::new(), "not one Cognito call");
    assert_eq!(
        cognito_usernames(&world.sdk, &world.pool_id, &email).await,
        Vec::<String>::new()
    );
}

#[tokio::test]
async fn losing_the_database_during_the_cognito_step_says_a_rerun_finishes() {
    let world = world().await;
    let email = email();
    let application = testkit::unique_name("bootstrap");
    let mut asked = request(&world, &email);
    asked.database_url = Some(format!("{}?application_name={application}", world.database.url()));
    let create = world.proxy.hold("AdminCreateUser");

    let cut = async {
        // The row is staged and its transaction open: end the session as a failing server would.
        create.wait_for(1).await;
        let database = test_support::connect(&world.database);
        let application = application.clone();
        tokio::task::spawn_blocking(move || terminate(database, &application))
            .await
            .unwrap();
        create.release();
    };
    let (error, ()) = tokio::join!(run(&world, &asked), cut);
    let error = error.unwrap_err();
    assert!(
        matches!(
            error,
            Error::RowNotWritten {
                cognito_user_created: true,
                ..
            }
        ),
        "{error:?}"
    );
    let message = error_chain(&error);
    assert!(message.contains("the connection to the database was lost"), "{message}");
    assert!(!message.contains("type oid"), "{message}");
    assert!(message.contains("run the same command again"), "{message}");
    assert!(
        rows(&world.database).is_empty(),
        "the server rolled the staged row back"
    );

    let report = run(&world, &asked).await.expect("the re-run finishes");
    assert!(!report.cognito_user_created && report.row_created);
    assert_eq!(
        cognito_usernames(&world.sdk, &world.pool_id, &email).await,
        [report.username]
    );
}

/// Terminates the session named `application`, and waits until the server has ended it.
fn terminate(mut conn: user_model::diesel::PgConnection, application: &str) {
    use user_model::diesel::prelude::*;
    use user_model::diesel::sql_query;
    use user_model::diesel::sql_types::Text;
    let sessions = |conn: &mut PgConnection, query: &str| {
        sql_query(query)
            .bind::<Text, _>(application)
            .execute(conn)
            .expect("querying pg_stat_activity")
    };
    // PostgreSQL reports a SELECT's row count, here the number of sessions signalled.
    let signalled = sessions(
        &mut conn,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
    );
    assert_eq!(signalled, 1, "the bootstrap's session was not found");
    let deadline = Instant::now() + Duration::from_secs(60);
    while sessions(
        &mut conn,
        "SELECT pid FROM pg_stat_activity WHERE application_name = $1",
    ) > 0
    {
        assert!(Instant::now() < deadline, "the terminated session never ended");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[tokio::test]
async fn throttling_is_retried() {
    let world = world().await;
    world.proxy.inject(Fault {
        operation: "AdminCreateUser".into(),
        nth: 1,
        times: 2,
        kind: FaultKind::Throttling,
        after_forwarding: false,
    });
    let email = email();
    let report = run(&world, &request(&world, &email))
        .await
        .expect("retried past two throttles");
    assert_eq!(world.proxy.operations(), ["AdminCreateUser"; 3]);
    assert!(report.cognito_user_created);
    assert_eq!(
        cognito_usernames(&world.sdk, &world.pool_id, &email).await,
        [report.username]
    );
}

#[tokio::test]
async fn two_concurrent_runs_make_one_user_and_one_row() {
    let world = world().await;
    let email = email();
    let asked = request(&world, &email);
    let create = world.proxy.hold("AdminCreateUser");

    let first = run(&world, &asked);
    let second = async {
        // The first run is inside AdminCreateUser, holding the email's lock in its open transaction.
        create.wait_for(1).await;
        assert!(
            rows(&world.database).is_empty(),
            "the staged row is invisible until the commit"
        );
        let overlap = async {
            wait_for_lock_waiter(&world.database).await;
            create.release();
        };
        let (second, ()) = tokio::join!(run(&world, &asked), overlap);
        second
    };
    let (first, second) = tokio::join!(first, second);
    let (first, second) = (first.expect("first run"), second.expect("second run"));
    assert!(first.cognito_user_created && first.row_created, "{first:?}");
    assert!(
        !second.changed_anything(),
        "the second run found everything done: {second:?}"
    );
    assert_eq!(
        (first.username.as_str(), first.user_id),
        (second.username.as_str(), second.user_id)
    );
    assert_eq!(world.proxy.operations(), ["AdminCreateUser", "AdminGetUser"]);
    let calls = world.proxy.calls();
    assert!(
        calls[1].started >= calls[0].finished,
        "the second run asked Cognito only after the first had its answer"
    );
    assert_eq!(
        cognito_usernames(&world.sdk, &world.pool_id, &email).await,
        [first.username]
    );
    assert_eq!(rows(&world.database).len(), 1);
}

/// Waits until a session of this database waits for an advisory lock (the bootstrap's lock on an email).
async fn wait_for_lock_waiter(database: &testkit::TestDatabase) {
    use user_model::diesel::prelude::*;
    let mut conn = test_support::connect(database);
    tokio::task::spawn_blocking(move || {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let waiting = user_model::diesel::sql_query(
                "SELECT pid FROM pg_catalog.pg_locks WHERE locktype = 'advisory' AND NOT granted \
                 AND database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())",
            )
            .execute(&mut conn)
            .expect("reading pg_locks");
            if waiting > 0 {
                return;
            }
            assert!(Instant::now() < deadline, "no session ever waited for the email's lock");
            std::thread::sleep(Duration::from_millis(10));
        }
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn a_row_linked_elsewhere_is_refused_unless_relinked() {
    let world = world().await;
    let email = email();
    let user = world
        .cognito
        .create_user(&world.pool_id, &email, &pool_spec::AdminDefaults::CREDERE)
        .await
        .unwrap();
    let row = insert_row(&world.database, &email, "someone-else", UserType::Ocp);
    world.proxy.clear();

    let error = run(&world, &request(&world, &email)).await.unwrap_err();
    assert!(matches!(error, Error::RowPointsElsewhere { .. }), "{error:?}");
    let message = error.to_string();
    assert!(message.contains("someone-else") && message.contains(&user.username) && message.contains("Relink the row"));
    assert_eq!(rows(&world.database), std::slice::from_ref(&row), "nothing changed");
    assert_eq!(mutations(&world.proxy), Vec::<String>::new());

    let report = run(
        &world,
        &admin_bootstrap::Request {
            relink: true,
            ..request(&world, &email)
        },
    )
    .await
    .unwrap();
    assert_eq!(report.relinked_from.as_deref(), Some("someone-else"));
    assert_eq!(rows(&world.database)[0].external_id, user.username);
}

#[tokio::test]
async fn a_row_without_a_cognito_user_is_refused_unless_relinked() {
    let world = world().await;
    let email = email();
    insert_row(&world.database, &email, "gone", UserType::Ocp);

    let error = run(&world, &request(&world, &email)).await.unwrap_err();
    assert!(matches!(error, Error::RowWithoutCognitoUser { .. }), "{error:?}");
    assert_eq!(mutations(&world.proxy), Vec::<String>::new());
    assert_eq!(rows(&world.database)[0].external_id, "gone");

    let report = run(
        &world,
        &admin_bootstrap::Request {
            relink: true,
            ..request(&world, &email)
        },
    )
    .await
    .unwrap();
    assert!(report.cognito_user_created && !report.row_created);
    assert_eq!(report.relinked_from.as_deref(), Some("gone"));
    assert_eq!(rows(&world.database)[0].external_id, report.username);
}

#[tokio::test]
async fn a_lender_row_is_refused_unless_promoted() {
    let world = world().await;
    let email = email();
    let user = world
        .cognito
        .create_user(&world.pool_id, &email, &pool_spec::AdminDefaults::CREDERE)
        .await
        .unwrap();
    insert_row(&world.database, &email, &user.username, UserType::Fi);
    world.proxy.clear();

    let error = run(&world, &request(&world, &email)).await.unwrap_err();
    assert!(matches!(error, Error::RowIsLender { .. }), "{error:?}");
    assert!(error.to_string().contains("Promote it"), "{error}");
    assert_eq!(
        world.proxy.operations(),
        Vec::<String>::new(),
        "refused before asking Cognito"
    );
    assert_eq!(rows(&world.database)[0].user_type, UserType::Fi);

    let report = run(
        &world,
        &admin_bootstrap::Request {
            promote: true,
            ..request(&world, &email)
        },
    )
    .await
    .unwrap();
    assert!(report.promoted);
    assert_eq!(rows(&world.database)[0].user_type, UserType::Ocp);
}

#[tokio::test]
async fn a_disabled_cognito_user_is_refused() {
    let world = world().await;
    let email = email();
    world
        .cognito
        .create_user(&world.pool_id, &email, &pool_spec::AdminDefaults::CREDERE)
        .await
        .unwrap();
    world
        .sdk
        .admin_disable_user()
        .user_pool_id(&world.pool_id)
        .username(&email)
        .send()
        .await
        .unwrap();
    world.proxy.clear();

    let error = run(&world, &request(&world, &email)).await.unwrap_err();
    assert!(matches!(error, Error::UserDisabled { .. }), "{error:?}");
    assert!(error.to_string().contains("disabled"), "{error}");
    assert!(rows(&world.database).is_empty(), "no row for a disabled user");
    assert_eq!(world.proxy.operations(), ["AdminCreateUser", "AdminGetUser"]);
}

#[tokio::test]
async fn sql_hostile_names_are_stored_verbatim() {
    let world = world().await;
    let names = [
        "Robert'); DROP TABLE credere_user;--",
        "' OR '1'='1",
        "$1 \\ \"quoted\" %s %% ;",
        "Zoë Ñúñez 李小龍 🙂",
        "  leading and trailing  ",
        "/* comment */ -- dash",
    ];
    for name in names {
        let asked = admin_bootstrap::Request {
            name: name.to_owned(),
            ..request(&world, &email())
        };
        let report = run(&world, &asked).await.expect(name);
        assert_eq!(report.name, name);
    }
    let stored: Vec<String> = rows(&world.database).into_iter().map(|row| row.name).collect();
    assert_eq!(stored, names);
}

#[tokio::test]
async fn send_reset_posts_the_username_to_forgot_password() {
    let world = world().await;
    let email = email();
    let (backend, recorded) = one_request_server(201).await;
    let asked = admin_bootstrap::Request {
        reset_backend_url: Some(format!("{backend}/")),
        ..request(&world, &email)
    };
    let report = run(&world, &asked).await.unwrap();
    let request = recorded.await.unwrap();
    assert!(
        request.starts_with("POST /users/forgot-password HTTP/1.1\r\n"),
        "{request}"
    );
    assert!(
        request.to_ascii_lowercase().contains("content-type: application/json"),
        "{request}"
    );
    let body = request.split("\r\n\r\n").nth(1).unwrap();
    let body: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(body, serde_json::json!({ "username": email }));
    let expected = ResetOutcome::Answered {
        url: format!("{backend}/users/forgot-password"),
        status: 201,
    };
    assert_eq!(report.password_reset, Some(expected));
}
