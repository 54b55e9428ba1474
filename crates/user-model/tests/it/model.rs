//! The model against a database built from credere-backend's DDL directly (not through the migrations).

use std::time::Duration;

use crate::support::{connect, ddl_database};
use test_support::wait_until;
use user_model::diesel::connection::SimpleConnection;
use user_model::diesel::prelude::*;
use user_model::diesel::sql_types::Text;
use user_model::{DatabaseUrl, Error, Language, NewUser, SchemaProblem, User, UserStore, UserType};

fn new_user(email: &str) -> NewUser {
    NewUser {
        user_type: UserType::Ocp,
        language: Language::Es,
        email: email.to_owned(),
        name: "Ana Admin".to_owned(),
        external_id: format!("sub-of-{email}"),
        lender_id: None,
        notification_preferences: None,
    }
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[test]
fn credere_backend_ddl_passes_the_schema_check() {
    let (_database, mut conn) = ddl_database();
    user_model::check_schema(&mut conn).expect("the model fits credere-backend's table");
}

#[test]
fn every_field_round_trips() {
    let (_database, mut conn) = ddl_database();
    let lender_id: i32 = diesel::select(diesel::dsl::sql::<diesel::sql_types::Int4>(
        "nextval('public.lender_id_seq')::int4",
    ))
    .get_result(&mut conn)
    .unwrap();
    conn.batch_execute(&format!(
        "INSERT INTO public.lender (id, name) VALUES ({lender_id}, 'Banco')"
    ))
    .unwrap();
    let preferences = serde_json::json!({"weekly": true, "channels": ["email"], "nested": {"n": 1.5}});
    let new = NewUser {
        user_type: UserType::Fi,
        language: Language::En,
        email: "fi.user@bank.example".to_owned(),
        name: "Fi User".to_owned(),
        external_id: "0b7c9f2e-1111-4a4a-9e9e-123456789abc".to_owned(),
        lender_id: Some(lender_id),
        notification_preferences: Some(preferences.clone()),
    };
    let inserted = user_model::insert(&mut conn, &new).expect("insert");
    let database_now: chrono::DateTime<chrono::Utc> =
        diesel::select(diesel::dsl::now.into_sql::<diesel::sql_types::Timestamptz>())
            .get_result(&mut conn)
            .unwrap();

    let [by_email] =
        <[User; 1]>::try_from(user_model::find_by_email(&mut conn, &new.email).unwrap()).expect("found by email, once");
    let by_sub = user_model::find_by_external_id(&mut conn, &new.external_id).unwrap();
    assert_eq!(by_sub, std::slice::from_ref(&by_email));
    assert_eq!(by_email, inserted);
    let User {
        id,
        user_type,
        created_at,
        language,
        email,
        name,
        external_id,
        lender_id: stored_lender,
        notification_preferences,
    } = by_email;
    assert!(id > 0);
    assert_eq!(user_type, new.user_type);
    assert!(created_at <= database_now, "created_at comes from now() at insert time");
    assert_eq!(language, new.language);
    assert_eq!(email, new.email);
    assert_eq!(name, new.name);
    assert_eq!(external_id, new.external_id);
    assert_eq!(stored_lender, Some(lender_id));
    assert_eq!(notification_preferences, preferences);

    // Left out, the optional fields take the table's defaults.
    let plain = user_model::insert(&mut conn, &new_user("plain@ocp.example")).unwrap();
    assert_eq!(plain.user_type, UserType::Ocp);
    assert_eq!(plain.language, Language::Es);
    assert_eq!(plain.lender_id, None);
    assert_eq!(plain.notification_preferences, serde_json::json!({}));
    assert_eq!(plain.id, id + 1, "ids come from user_id_seq");
}

#[test]
fn duplicate_email_is_a_typed_error() {
    let (_database, mut conn) = ddl_database();
    user_model::insert(&mut conn, &new_user("taken@ocp.example")).unwrap();
    let mut again = new_user("taken@ocp.example");
    again.external_id = "another-sub".to_owned();
    let error = user_model::insert(&mut conn, &again).unwrap_err();
    assert!(
        matches!(&error, Error::DuplicateEmail { email } if email == "taken@ocp.example"),
        "{error:?}"
    );
    assert!(
        user_model::find_by_external_id(&mut conn, "another-sub")
            .unwrap()
            .is_empty()
    );
}

#[test]
fn emails_are_found_ignoring_case_and_stored_as_given() {
    let (_database, mut conn) = ddl_database();
    let typed = user_model::insert(&mut conn, &new_user("Lender@Example.ORG")).unwrap();
    assert_eq!(typed.email, "Lender@Example.ORG", "stored as given");
    assert_eq!(
        user_model::find_by_email(&mut conn, "lender@example.org").unwrap(),
        std::slice::from_ref(&typed)
    );
    // The unique constraint compares exactly, so credere-backend can hold both: every match is returned, by id.
    let lower = user_model::insert(&mut conn, &new_user("lender@example.org")).unwrap();
    assert_eq!(
        user_model::find_by_email(&mut conn, "LENDER@example.org").unwrap(),
        [typed, lower]
    );
    assert!(
        user_model::find_by_email(&mut conn, "lender@example.com")
            .unwrap()
            .is_empty()
    );
}

#[test]
fn names_are_stored_verbatim() {
    let (_database, mut conn) = ddl_database();
    let names = [
        r#"O'Brien "Bobby"; DROP TABLE credere_user; --"#,
        "Zoë 👩🏽‍💻 Ñandú 🎉",
        "مريم الحسيني",
        "דוד\u{200F} כהן",
        "\u{202E}txt.exe",
        "back\\slash $1 %s {}",
    ];
    for (i, name) in names.iter().enumerate() {
        let mut new = new_user(&format!("verbatim{i}@ocp.example"));
        new.name = (*name).to_owned();
        let user = user_model::insert(&mut conn, &new).unwrap();
        assert_eq!(user.name, *name);
        // Read back by plain SQL too, so a symmetric encode/decode bug cannot hide.
        let stored: Name = diesel::sql_query("SELECT name::text AS name FROM public.credere_user WHERE id = $1")
            .bind::<diesel::sql_types::Int4, _>(user.id)
            .get_result(&mut conn)
            .unwrap();
        assert_eq!(stored.name, *name);
    }
    user_model::check_schema(&mut conn).expect("the table is still there");
}

#[test]
fn relink_and_promote_change_one_row() {
    let (_database, mut conn) = ddl_database();
    let mut fi = new_user("lender.staff@bank.example");
    fi.user_type = UserType::Fi;
    let user = user_model::insert(&mut conn, &fi).unwrap();
    let bystander = user_model::insert(&mut conn, &new_user("bystander@ocp.example")).unwrap();

    let relinked = user_model::set_external_id(&mut conn, user.id, "new-sub").unwrap();
    assert_eq!(relinked.external_id, "new-sub");
    assert_eq!(
        user_model::find_by_external_id(&mut conn, "new-sub").unwrap(),
        std::slice::from_ref(&relinked)
    );

    let promoted = user_model::promote_to_ocp(&mut conn, user.id).unwrap();
    assert_eq!(promoted.user_type, UserType::Ocp);
    assert_eq!(promoted.external_id, "new-sub");
    assert_eq!(
        user_model::find_by_email(&mut conn, &bystander.email).unwrap(),
        [bystander]
    );

    let missing = user_model::promote_to_ocp(&mut conn, 999_999).unwrap_err();
    assert!(matches!(missing, Error::UserNotFound { id: 999_999 }), "{missing:?}");
}

#[test]
fn unknown_stored_values_are_errors_not_panics() {
    let (_database, mut conn) = ddl_database();
    // A newer credere-backend might add a user type; this model must refuse it rather than guess.
    conn.batch_execute("ALTER TYPE public.usertype ADD VALUE 'AUDITOR'")
        .unwrap();
    conn.batch_execute(
        "INSERT INTO public.credere_user (type, language, email, name, external_id) \
         VALUES ('AUDITOR', 'es', 'auditor@ocp.example', 'A', 's1'), ('OCP', 'fr', 'french@ocp.example', 'F', 's2')",
    )
    .unwrap();
    for (email, needle) in [
        ("auditor@ocp.example", "type 'AUDITOR'"),
        ("french@ocp.example", "language 'fr'"),
    ] {
        let error = user_model::find_by_email(&mut conn, email).unwrap_err();
        assert!(matches!(error, Error::UnsupportedValue { .. }), "{error:?}");
        let message = testkit::error_chain(&error);
        assert!(message.contains(needle), "{message}");
        assert!(message.contains("credere_user row"), "{message}");
    }
}

#[test]
fn schema_check_rejects_a_database_without_the_table() {
    let database = testkit::database();
    let mut conn = connect(&database);
    let Err(Error::Schema(mismatch)) = user_model::check_schema(&mut conn) else {
        panic!("an empty database must fail the check");
    };
    assert_eq!(mismatch.problems, [SchemaProblem::MissingTable]);
    assert_eq!(mismatch.database, database.name());
    let message = mismatch.to_string();
    assert!(
        message.contains("table public.credere_user does not exist"),
        "{message}"
    );
    assert!(
        message.contains("DATABASE_URL may point at the wrong database"),
        "{message}"
    );
}

#[test]
fn schema_check_names_a_missing_external_id() {
    let (_database, mut conn) = ddl_database();
    conn.batch_execute("ALTER TABLE public.credere_user DROP COLUMN external_id")
        .unwrap();
    let Err(Error::Schema(mismatch)) = user_model::check_schema(&mut conn) else {
        panic!("a table without external_id must fail the check");
    };
    assert_eq!(
        mismatch.problems,
        [SchemaProblem::MissingColumn {
            column: "external_id",
            expected: "pg_catalog.varchar".to_owned()
        }]
    );
    assert!(
        mismatch
            .to_string()
            .contains("column credere_user.external_id (pg_catalog.varchar) is missing")
    );
}

#[test]
fn schema_check_names_wrong_types_nullability_and_enum_labels() {
    let (_database, mut conn) = ddl_database();
    conn.batch_execute(
        "ALTER TABLE public.credere_user ALTER COLUMN language TYPE text, ALTER COLUMN name DROP NOT NULL; \
         ALTER TYPE public.usertype RENAME VALUE 'FI' TO 'LENDER'",
    )
    .unwrap();
    let Err(Error::Schema(mismatch)) = user_model::check_schema(&mut conn) else {
        panic!("a changed table must fail the check");
    };
    assert_eq!(
        mismatch.problems,
        [
            SchemaProblem::WrongType {
                column: "language",
                expected: "pg_catalog.varchar".to_owned(),
                found: "pg_catalog.text".to_owned()
            },
            SchemaProblem::Nullable { column: "name" },
            SchemaProblem::MissingEnumLabel { label: "FI" },
        ]
    );
}

#[tokio::test(flavor = "current_thread")]
async fn user_store_does_not_block_the_runtime() {
    let (database, _conn) = ddl_database();
    let url = DatabaseUrl::parse(database.url()).unwrap();
    let store = UserStore::connect(&url).await.expect("connect and check");

    let user = store.insert(new_user("async@ocp.example")).await.unwrap();
    assert_eq!(
        store.find_by_email("async@ocp.example").await.unwrap(),
        std::slice::from_ref(&user)
    );
    assert_eq!(
        store.find_by_external_id(&user.external_id).await.unwrap(),
        std::slice::from_ref(&user)
    );
    assert_eq!(store.promote_to_ocp(user.id).await.unwrap().user_type, UserType::Ocp);
    assert_eq!(
        store.set_external_id(user.id, "relinked").await.unwrap().external_id,
        "relinked"
    );
    let duplicate = store.insert(new_user("async@ocp.example")).await.unwrap_err();
    assert!(matches!(duplicate, Error::DuplicateEmail { .. }), "{duplicate:?}");

    // On a single-threaded runtime, work run in place would stop every other task until it returned. This
    // work waits, mid-call, for a message that only another task of the runtime sends once the work has
    // started: it hears it only if the work runs off the runtime's thread. No timing is assumed; the
    // minute is how long a blocked runtime takes to fail the test.
    let (started, work_started) = tokio::sync::oneshot::channel();
    let (go, heard) = std::sync::mpsc::channel();
    let work = store.run(move |conn| {
        started.send(()).expect("the test is waiting");
        let heard = heard.recv_timeout(Duration::from_secs(60)).is_ok();
        diesel::sql_query("SELECT 1")
            .execute(conn)
            .map(|_| heard)
            .map_err(|error| Error::Query {
                context: "after waiting",
                error,
            })
    });
    let other_task = async {
        work_started.await.expect("the work started");
        // Fails only when the work gave up waiting, which the assertion below reports.
        let _ = go.send(());
    };
    let (heard, ()) = tokio::join!(work, other_task);
    assert!(
        heard.unwrap(),
        "the runtime was blocked: another task could not run while the store's work waited"
    );
}

#[tokio::test]
async fn user_store_refuses_a_database_without_the_table() {
    let database = testkit::database();
    let url = DatabaseUrl::parse(database.url()).unwrap();
    let error = UserStore::connect(&url).await.unwrap_err();
    assert!(
        matches!(&error, Error::Schema(mismatch) if mismatch.problems == [SchemaProblem::MissingTable]),
        "{error:?}"
    );
}

#[test]
fn connection_errors_hide_the_password() {
    let server = DatabaseUrl::parse(&testkit::server_url()).unwrap();
    let secret = "s3cr3t-Pa55";
    // A database that does not exist makes libpq fail after reaching the server.
    let mut raw = url::Url::parse(server.with_database("no_such_database_here").expose()).unwrap();
    raw.set_password(Some(secret)).unwrap();
    let url = DatabaseUrl::parse(raw.as_str()).unwrap();
    let Err(error) = user_model::connect(&url) else {
        panic!("connecting to a missing database must fail");
    };
    assert!(matches!(error, Error::Connection { .. }), "{error:?}");
    let shown = format!("{error} {error:?}");
    assert!(shown.contains("no_such_database_here"), "{shown}");
    assert!(!shown.contains(secret), "{shown}");
}

#[test]
fn connect_gives_up_after_connect_timeout() {
    // A listener that never answers: the TCP handshake completes, the PostgreSQL one never does.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let url = DatabaseUrl::parse(&format!("postgresql://u@127.0.0.1:{port}/db?connect_timeout=2")).unwrap();
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = sender.send(user_model::connect(&url).map(drop));
    });
    // Generous: the point is that it ends, not how fast.
    let result = receiver
        .recv_timeout(Duration::from_secs(60))
        .expect("connect must give up on its own");
    assert!(matches!(result, Err(Error::Connection { .. })), "{result:?}");
    drop(listener);
}

/// The email lock only means something across connections: two stores on one database.
async fn two_stores(database: &testkit::TestDatabase) -> (UserStore, UserStore) {
    let url = DatabaseUrl::parse(database.url()).unwrap();
    (
        UserStore::connect(&url).await.unwrap(),
        UserStore::connect(&url).await.unwrap(),
    )
}

#[tokio::test]
async fn a_transaction_commits_or_leaves_nothing() {
    let (database, mut conn) = ddl_database();
    let (first, second) = two_stores(&database).await;

    let open = first.begin().await.unwrap();
    let staged = open.insert(new_user("staged@ocp.example")).await.unwrap();
    open.prove_updatable(staged.id).await.unwrap();
    assert!(
        user_model::find_by_email(&mut conn, "staged@ocp.example")
            .unwrap()
            .is_empty(),
        "uncommitted rows are invisible"
    );
    drop(open);
    assert!(
        user_model::find_by_email(&mut conn, "staged@ocp.example")
            .unwrap()
            .is_empty(),
        "dropping the transaction rolled it back"
    );

    let open = second.begin().await.unwrap();
    let kept = open.insert(new_user("kept@ocp.example")).await.unwrap();
    open.commit().await.unwrap();
    assert_eq!(
        user_model::find_by_email(&mut conn, "kept@ocp.example").unwrap(),
        [kept]
    );
}

#[tokio::test]
async fn deferred_constraints_are_checked_at_each_statement() {
    let (database, mut conn) = ddl_database();
    conn.batch_execute(
        "CREATE FUNCTION public.refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$; \
         CREATE CONSTRAINT TRIGGER late AFTER INSERT ON public.credere_user \
         DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public.refuse()",
    )
    .unwrap();
    let (store, _) = two_stores(&database).await;
    let open = store.begin().await.unwrap();
    let error = open.insert(new_user("late@ocp.example")).await.unwrap_err();
    assert!(
        testkit::error_chain(&error).contains("refused"),
        "the INSERT fails, not the COMMIT: {error}"
    );
}

#[tokio::test]
async fn the_email_lock_makes_transactions_for_one_email_take_turns_ignoring_case() {
    let (database, mut conn) = ddl_database();
    let (first, second) = two_stores(&database).await;
    let holder = first.begin().await.unwrap();
    holder.lock_email("Twin@Example.org").await.unwrap();
    let other = second.begin().await.unwrap();
    // Another email is not blocked.
    other.lock_email("someone-else@example.org").await.unwrap();
    let waiter = tokio::spawn(async move {
        other.lock_email("twin@example.org").await.unwrap();
        other
    });
    let mut waiting = || {
        diesel::sql_query("SELECT pid FROM pg_catalog.pg_locks WHERE locktype = 'advisory' AND NOT granted")
            .execute(&mut conn)
            .unwrap()
    };
    wait_until("the second lock waits", || waiting() > 0).await;
    assert!(!waiter.is_finished(), "the second transaction waits for the first");
    holder.commit().await.unwrap();
    waiter.await.unwrap().commit().await.unwrap();
}

#[tokio::test]
async fn a_lost_connection_is_reported_as_lost() {
    let (database, mut conn) = ddl_database();
    let (store, _) = two_stores(&database).await;
    let pid: i32 = store
        .run(|conn| {
            diesel::select(diesel::dsl::sql::<diesel::sql_types::Int4>("pg_backend_pid()"))
                .get_result(conn)
                .map_err(|error| Error::Query {
                    context: "reading the pid",
                    error,
                })
        })
        .await
        .unwrap();
    diesel::sql_query("SELECT pg_terminate_backend($1)")
        .bind::<diesel::sql_types::Int4, _>(pid)
        .execute(&mut conn)
        .unwrap();
    // Wait for the server to end the session, so the next statement meets a closed connection.
    wait_until("the session ends", || {
        diesel::sql_query("SELECT pid FROM pg_stat_activity WHERE pid = $1")
            .bind::<diesel::sql_types::Int4, _>(pid)
            .execute(&mut conn)
            .unwrap()
            == 0
    })
    .await;
    // The insert binds public.usertype, whose lookup used to hide the cause as "Failed to find a type oid".
    let error = store.insert(new_user("lost@ocp.example")).await.unwrap_err();
    assert!(matches!(error, Error::ConnectionLost { .. }), "{error:?}");
    assert!(
        error.to_string().contains("the connection to the database was lost"),
        "{error}"
    );
}

#[tokio::test]
async fn queries_name_public_whatever_the_search_path() {
    let (database, mut conn) = ddl_database();
    // A complete decoy earlier on every new session's search path.
    conn.batch_execute(&format!(
        "CREATE SCHEMA decoy; CREATE TABLE decoy.credere_user (LIKE public.credere_user INCLUDING ALL); \
         ALTER DATABASE \"{}\" SET search_path = decoy, public",
        database.name()
    ))
    .unwrap();
    let (store, _) = two_stores(&database).await;
    let user = store.insert(new_user("public@ocp.example")).await.unwrap();
    // The audit's streamed read too: public's row, not the empty decoy.
    let links = store.all_links().await.unwrap();
    assert_eq!(links.iter().map(|link| link.id).collect::<Vec<_>>(), [user.id]);
    assert_eq!(store.find_by_email("public@ocp.example").await.unwrap(), [user]);
    let counts: Name = diesel::sql_query(
        "SELECT format('%s/%s', (SELECT count(*) FROM public.credere_user), \
                (SELECT count(*) FROM decoy.credere_user)) AS name",
    )
    .get_result(&mut crate::support::connect(&database))
    .unwrap();
    assert_eq!(counts.name, "1/0", "the row is in public, the decoy is empty");

    // The schema check looks at public's table, not at the complete decoy.
    conn.batch_execute("ALTER TABLE public.credere_user DROP COLUMN name")
        .unwrap();
    let url = DatabaseUrl::parse(database.url()).unwrap();
    let error = UserStore::connect(&url).await.unwrap_err();
    assert!(
        matches!(&error, Error::Schema(mismatch) if mismatch.problems.len() == 1),
        "{error:?}"
    );
}

/// `SHOW name` on `conn`.
fn show(conn: &mut PgConnection, name: &str) -> String {
    diesel::sql_query(format!("SELECT pg_catalog.current_setting('{name}') AS name"))
        .get_result::<Name>(conn)
        .unwrap()
        .name
}

#[test]
fn sessions_are_named_and_bound_their_waits_unless_the_url_or_the_role_says_otherwise() {
    let (database, _conn) = ddl_database();
    let url = DatabaseUrl::parse(database.url()).unwrap();
    let mut conn = user_model::connect(&url).unwrap();
    assert_eq!(show(&mut conn, "application_name"), user_model::APPLICATION_NAME);
    assert_eq!(show(&mut conn, "lock_timeout"), user_model::DEFAULT_LOCK_TIMEOUT);
    assert_eq!(
        show(&mut conn, "statement_timeout"),
        user_model::DEFAULT_STATEMENT_TIMEOUT
    );

    // A DBA's bound on the role, and the operator's name and bound in the URL, are kept.
    let role = test_support::Role::create(&database, "ALTER ROLE {role} SET statement_timeout = '7s'");
    let options = "application_name=nightly-audit&options=-c%20lock_timeout%3D4s";
    let separator = if role.url().contains('?') { '&' } else { '?' };
    let url = DatabaseUrl::parse(&format!("{}{separator}{options}", role.url())).unwrap();
    let mut conn = user_model::connect(&url).unwrap();
    assert_eq!(show(&mut conn, "application_name"), "nightly-audit");
    assert_eq!(show(&mut conn, "lock_timeout"), "4s");
    assert_eq!(show(&mut conn, "statement_timeout"), "7s");
    // The URL as shown is the one given: the fallback name is for libpq only.
    assert!(!url.to_string().contains("fallback_application_name"), "{url}");
}
