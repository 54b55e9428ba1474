//! Database first, on databases set up the way production ones are: whatever stops the row is found before any
//! Cognito call, queries name `public` whatever the search path says, and emails conflict ignoring case.

use admin_bootstrap::{Error, bootstrap};
use test_support::{Role, World, cognito_usernames, email, execute, insert_row, request, rows, world};
use testkit::error_chain;
use user_model::UserType;

async fn run(world: &World, request: &admin_bootstrap::Request) -> Result<admin_bootstrap::Report, Error> {
    bootstrap(&request.validate().expect("a valid request"), &world.cognito).await
}

/// Privileges the bootstrap needs on credere-backend's tables, for `{role}`.
const WRITER: &str = "GRANT SELECT, INSERT, UPDATE ON public.credere_user TO {role}; \
                      GRANT USAGE ON SEQUENCE public.user_id_seq TO {role};";

/// A function for triggers that refuses every row, as a site's own guard might.
const REFUSE: &str = "CREATE FUNCTION public.refuse_new_users() RETURNS trigger LANGUAGE plpgsql AS \
                      $$ BEGIN RAISE EXCEPTION 'users are added through credere-backend only'; END $$;";

/// One way a production database can refuse the row.
struct Refusal {
    what: &'static str,
    /// Run as the superuser on the database (`{database}` is its name).
    setup: &'static str,
    /// Connect as a role set up with this SQL (`{role}`), else as the superuser.
    role: Option<&'static str>,
    /// What the error must say.
    says: &'static str,
}

const REFUSALS: [Refusal; 10] = [
    Refusal {
        what: "a role that may only SELECT",
        setup: "",
        role: Some("GRANT SELECT ON public.credere_user TO {role};"),
        says: "permission denied for table credere_user",
    },
    Refusal {
        what: "a role that may INSERT but not UPDATE external_id",
        setup: "",
        role: Some(
            "GRANT SELECT, INSERT ON public.credere_user TO {role}; \
             GRANT USAGE ON SEQUENCE public.user_id_seq TO {role};",
        ),
        says: "permission denied for table credere_user",
    },
    Refusal {
        what: "a role without USAGE on user_id_seq",
        setup: "",
        role: Some("GRANT SELECT, INSERT, UPDATE ON public.credere_user TO {role};"),
        says: "permission denied for sequence user_id_seq",
    },
    Refusal {
        what: "a read-only database (default_transaction_read_only = on)",
        setup: "ALTER DATABASE \"{database}\" SET default_transaction_read_only = on",
        role: None,
        says: "The connection is read-only",
    },
    Refusal {
        what: "a read-only role",
        setup: "",
        role: Some(
            "GRANT SELECT, INSERT, UPDATE ON public.credere_user TO {role}; \
             GRANT USAGE ON SEQUENCE public.user_id_seq TO {role}; \
             ALTER ROLE {role} SET default_transaction_read_only = on;",
        ),
        says: "The connection is read-only",
    },
    Refusal {
        what: "an extra NOT NULL column without a default",
        setup: "ALTER TABLE public.credere_user ADD COLUMN team varchar NOT NULL",
        role: None,
        says: "null value in column \"team\"",
    },
    Refusal {
        what: "a CHECK constraint the row violates",
        setup: "ALTER TABLE public.credere_user ADD CONSTRAINT staff_only \
                CHECK (email LIKE '%@open-contracting.org')",
        role: None,
        says: "violates check constraint \"staff_only\"",
    },
    Refusal {
        what: "a unique constraint the row violates",
        setup: "ALTER TABLE public.credere_user ADD CONSTRAINT one_per_name UNIQUE (name); \
                INSERT INTO public.credere_user (type, language, email, name, external_id) \
                VALUES ('OCP', 'es', 'other@example.org', 'Ada Admin', 'other-sub')",
        role: None,
        says: "violates unique constraint \"one_per_name\"",
    },
    Refusal {
        what: "a BEFORE INSERT trigger that raises",
        setup: "CREATE TRIGGER guard BEFORE INSERT ON public.credere_user \
                FOR EACH ROW EXECUTE FUNCTION public.refuse_new_users()",
        role: None,
        says: "users are added through credere-backend only",
    },
    Refusal {
        // Left deferred, it would fire at COMMIT, after the Cognito user was made.
        what: "a deferred constraint trigger that raises",
        setup: "CREATE CONSTRAINT TRIGGER guard AFTER INSERT ON public.credere_user \
                DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public.refuse_new_users()",
        role: None,
        says: "users are added through credere-backend only",
    },
];

#[tokio::test]
async fn a_row_the_database_refuses_stops_the_run_before_any_cognito_call() {
    for refusal in &REFUSALS {
        let world = world().await;
        execute(&world.database, REFUSE);
        let role = refusal.role.map(|grants| Role::create(&world.database, grants));
        if !refusal.setup.is_empty() {
            execute(
                &world.database,
                &refusal.setup.replace("{database}", world.database.name()),
            );
        }
        let before = rows(&world.database);
        let email = email();
        let asked = admin_bootstrap::Request {
            database_url: Some(role.as_ref().map_or(world.database.url(), Role::url).to_owned()),
            ..request(&world, &email)
        };

        let error = run(&world, &asked).await.unwrap_err();
        let what = refusal.what;
        assert!(matches!(error, Error::RowNotWritable { .. }), "{what}: {error:?}");
        let message = error_chain(&error);
        assert!(message.contains(refusal.says), "{what}: {message}");
        assert!(message.contains("nothing was created in Cognito"), "{what}: {message}");
        assert_eq!(
            world.proxy.operations(),
            Vec::<String>::new(),
            "{what}: not one Cognito call"
        );
        assert_eq!(
            cognito_usernames(&world.sdk, &world.pool_id, &email).await,
            Vec::<String>::new()
        );
        assert_eq!(rows(&world.database), before, "{what}: no row written");
    }
}

#[tokio::test]
async fn a_role_with_exactly_the_privileges_it_needs_succeeds() {
    // The counterpart of the refusals: the grants the error message names are enough.
    let world = world().await;
    let role = Role::create(&world.database, WRITER);
    let email = email();
    let asked = admin_bootstrap::Request {
        database_url: Some(role.url().to_owned()),
        ..request(&world, &email)
    };
    let report = run(&world, &asked).await.expect("a writer role");
    assert!(report.cognito_user_created && report.row_created);
    assert_eq!(rows(&world.database)[0].external_id, report.username);
}

#[tokio::test]
async fn a_decoy_table_earlier_on_the_search_path_is_never_used() {
    let world = world().await;
    // The default search_path is "$user", public: a schema named after the role comes first.
    let role = Role::create(
        &world.database,
        &format!(
            "{WRITER} CREATE SCHEMA {{role}}; \
             CREATE TABLE {{role}}.credere_user (LIKE public.credere_user INCLUDING ALL); \
             GRANT USAGE ON SCHEMA {{role}} TO {{role}}; GRANT ALL ON {{role}}.credere_user TO {{role}};"
        ),
    );
    let decoy = format!("{}.credere_user", role.name());
    let seen_as_role = scalar(
        role.url(),
        "(SELECT relnamespace::regnamespace::text FROM pg_catalog.pg_class WHERE oid = to_regclass('credere_user'))",
    );
    assert_eq!(
        seen_as_role.as_deref(),
        Some(role.name()),
        "the role must find the decoy first, or this test proves nothing"
    );

    let email = email();
    let asked = admin_bootstrap::Request {
        database_url: Some(role.url().to_owned()),
        ..request(&world, &email)
    };
    let report = run(&world, &asked).await.expect("first run");
    let stored = rows(&world.database);
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert_eq!(
        (stored[0].id, stored[0].email.as_str()),
        (report.user_id, email.as_str())
    );
    assert_eq!(
        scalar(world.database.url(), &format!("(SELECT count(*) FROM {decoy})::text")).as_deref(),
        Some("0"),
        "the decoy stays empty"
    );

    world.proxy.clear();
    let again = run(&world, &asked).await.expect("re-run");
    assert!(
        !again.changed_anything(),
        "the re-run finds the row in public: {again:?}"
    );
    assert_eq!(world.proxy.operations(), ["AdminGetUser"]);

    // The schema check looks at public's table, not at the (complete) decoy.
    execute(
        &world.database,
        "ALTER TABLE public.credere_user RENAME COLUMN name TO full_name",
    );
    let error = run(&world, &asked).await.unwrap_err();
    assert!(matches!(error, Error::Database(_)), "{error:?}");
    assert!(error_chain(&error).contains("column credere_user.name"), "{error}");
}

/// The value of one SQL expression, as text, on a connection to `url`.
fn scalar(url: &str, expression: &str) -> Option<String> {
    use user_model::diesel::dsl::sql;
    use user_model::diesel::prelude::*;
    use user_model::diesel::sql_types::{Nullable, Text};
    let url = user_model::DatabaseUrl::parse(url).unwrap();
    user_model::diesel::select(sql::<Nullable<Text>>(expression))
        .get_result(&mut user_model::connect(&url).unwrap())
        .unwrap_or_else(|error| panic!("SELECT {expression}: {error}"))
}

#[tokio::test]
async fn a_lender_row_typed_in_another_case_is_refused_unless_promoted() {
    let world = world().await;
    let lower = email();
    let typed = format!("Lender.{}", lower.replace("@example.org", "@Example.ORG"));
    let asked_email = typed.to_lowercase();
    let user = world
        .cognito
        .create_user(&world.pool_id, &asked_email, &pool_spec::AdminDefaults::CREDERE)
        .await
        .unwrap();
    let row = insert_row(&world.database, &typed, &user.username, UserType::Fi);
    world.proxy.clear();

    let error = run(&world, &request(&world, &asked_email)).await.unwrap_err();
    assert!(
        matches!(error, Error::RowIsLender { user_id, .. } if user_id == row.id),
        "{error:?}"
    );
    assert!(error.to_string().contains("Promote it"), "{error}");
    assert_eq!(
        world.proxy.operations(),
        Vec::<String>::new(),
        "refused before asking Cognito"
    );
    assert_eq!(rows(&world.database), std::slice::from_ref(&row));

    let report = run(
        &world,
        &admin_bootstrap::Request {
            promote: true,
            ..request(&world, &asked_email)
        },
    )
    .await
    .expect("promoted");
    assert!(report.promoted && !report.row_created && !report.cognito_user_created);
    assert_eq!((report.user_id, report.email.as_str()), (row.id, typed.as_str()));
    let stored = rows(&world.database);
    assert_eq!(stored.len(), 1, "no second row: {stored:?}");
    assert_eq!(
        (stored[0].user_type, stored[0].email.as_str()),
        (UserType::Ocp, typed.as_str())
    );
    assert_eq!(world.proxy.operations(), ["AdminGetUser"], "no Cognito write");
}

#[tokio::test]
async fn two_rows_differing_only_in_case_are_refused_by_id() {
    let world = world().await;
    let email = email();
    let first = insert_row(&world.database, &email.to_uppercase(), "sub-1", UserType::Ocp);
    let second = insert_row(&world.database, &email, "sub-2", UserType::Ocp);

    let error = run(&world, &request(&world, &email)).await.unwrap_err();
    assert!(
        matches!(&error, Error::EmailAmbiguous { rows, .. } if rows == &[(first.id, first.email.clone()), (second.id, second.email.clone())]),
        "{error:?}"
    );
    let message = error.to_string();
    for row in [&first, &second] {
        assert!(message.contains(&format!("id {}: {}", row.id, row.email)), "{message}");
    }
    assert!(message.contains("nothing was changed"), "{message}");
    assert_eq!(world.proxy.operations(), Vec::<String>::new());
    assert_eq!(rows(&world.database), [first, second]);
}

#[tokio::test]
async fn a_promotion_or_relink_the_database_refuses_stops_before_any_cognito_call() {
    let world = world().await;
    // May insert, but not update: neither the promotion nor the relink can be written.
    let role = Role::create(
        &world.database,
        "GRANT SELECT, INSERT ON public.credere_user TO {role}; GRANT USAGE ON SEQUENCE public.user_id_seq TO {role};",
    );
    let lender = email();
    let elsewhere = email();
    let rows_before = [
        insert_row(&world.database, &lender, "lender-sub", UserType::Fi),
        insert_row(&world.database, &elsewhere, "elsewhere-sub", UserType::Ocp),
    ];
    for asked in [
        admin_bootstrap::Request {
            promote: true,
            ..request(&world, &lender)
        },
        admin_bootstrap::Request {
            relink: true,
            ..request(&world, &elsewhere)
        },
    ] {
        let asked = admin_bootstrap::Request {
            database_url: Some(role.url().to_owned()),
            ..asked
        };
        let error = run(&world, &asked).await.unwrap_err();
        assert!(matches!(error, Error::RowNotWritable { .. }), "{error:?}");
        assert!(
            error_chain(&error).contains("permission denied for table credere_user"),
            "{error}"
        );
    }
    assert_eq!(world.proxy.operations(), Vec::<String>::new(), "not one Cognito call");
    assert_eq!(rows(&world.database), rows_before);
}
