//! The workspace's migrations against a real PostgreSQL: reversible, and equal to credere-backend's DDL.

use crate::support::{connect, ddl_database, migrated_database, public_objects, schema_facts};
use user_model::diesel::connection::SimpleConnection;
use user_model::diesel::prelude::*;
use user_model::{AlembicPolicy, DatabaseUrl, Error, SchemaProblem};

/// What the two migrations create, besides diesel's own bookkeeping table.
const CREATED: [&str; 8] = [
    "credere_user",
    "ix_credere_user_external_id",
    "lender",
    "lender_id_seq",
    "lender_pkey",
    "user_email_key",
    "user_id_seq",
    "user_pkey",
];

fn ours(conn: &mut PgConnection) -> Vec<String> {
    public_objects(conn)
        .into_iter()
        .filter(|name| !name.starts_with("__diesel_schema_migrations"))
        .collect()
}

#[test]
fn migrations_go_up_down_and_up_again() {
    let (_database, mut conn) = migrated_database();
    let mut expected: Vec<String> = CREATED.iter().map(ToString::to_string).collect();
    expected.push("usertype".into());
    expected.sort();
    assert_eq!(ours(&mut conn), expected);
    user_model::check_schema(&mut conn).expect("the migrated schema satisfies the model");

    let reverted = user_model::revert_all_migrations(&mut conn).expect("reverting");
    assert_eq!(reverted.len(), 2, "{reverted:?}");
    assert_eq!(ours(&mut conn), Vec::<String>::new(), "down.sql leaves nothing behind");
    assert!(user_model::applied_migrations(&mut conn).unwrap().is_empty());

    let again = user_model::run_pending_migrations(&mut conn).expect("running again");
    assert_eq!(again.len(), 2, "{again:?}");
    assert_eq!(ours(&mut conn), expected);
    user_model::check_schema(&mut conn).expect("the schema is back");
}

#[test]
fn migrated_schema_equals_credere_backend_ddl() {
    let (_ddl, mut ddl_conn) = ddl_database();
    let (_migrated, mut migrated_conn) = migrated_database();
    let from_ddl = schema_facts(&mut ddl_conn);
    let from_migrations = schema_facts(&mut migrated_conn);

    // Guard against comparing two empty snapshots: the facts that matter must be there.
    for needle in [
        "column type #1 USER-DEFINED public.usertype nullable=NO default=-",
        "column id #3 integer pg_catalog.int4 nullable=NO default=nextval('user_id_seq'::regclass)",
        "column notification_preferences #9 json pg_catalog.json nullable=NO default='{}'::json",
        "constraint user_pkey p PRIMARY KEY (id)",
        "constraint user_email_key u UNIQUE (email)",
        "constraint user_lender_id_fkey f FOREIGN KEY (lender_id) REFERENCES lender(id)",
        "id sequence public.user_id_seq",
        "usertype OCP,FI",
    ] {
        assert!(
            from_ddl.iter().any(|fact| fact == needle),
            "{needle} not in {from_ddl:#?}"
        );
    }
    assert!(
        from_ddl
            .iter()
            .any(|fact| fact.starts_with("index CREATE INDEX ix_credere_user_external_id"))
    );
    assert_eq!(from_migrations, from_ddl);
}

#[test]
fn down_keeps_a_lender_table_it_did_not_create() {
    let database = testkit::database();
    let mut conn = connect(&database);
    conn.batch_execute("CREATE TABLE public.lender (id serial PRIMARY KEY, name varchar NOT NULL DEFAULT '')")
        .unwrap();
    user_model::run_pending_migrations(&mut conn).unwrap();
    user_model::revert_all_migrations(&mut conn).unwrap();
    assert_eq!(ours(&mut conn), ["lender", "lender_id_seq", "lender_pkey"]);
}

/// Drops a database made by a test on the server, even when the test fails.
struct DropOnExit(DatabaseUrl, String);

impl Drop for DropOnExit {
    fn drop(&mut self) {
        if let Ok(mut conn) = user_model::connect(&self.0) {
            let quoted = self.1.replace('"', "\"\"");
            let _ = conn.batch_execute(&format!("DROP DATABASE IF EXISTS \"{quoted}\" WITH (FORCE)"));
        }
    }
}

#[test]
fn setup_creates_a_missing_database_then_finds_nothing_to_do() {
    let server = DatabaseUrl::parse(&testkit::server_url()).unwrap();
    // A name that needs quoting, to prove CREATE DATABASE quotes it.
    let name = format!("{} \"quoted\"", testkit::unique_name("setup"));
    let _cleanup = DropOnExit(server.clone(), name.clone());
    let url = server.with_database(&name);

    let first = user_model::setup(&url, AlembicPolicy::Refuse).expect("first setup");
    assert!(first.created_database);
    assert_eq!(first.database, name);
    assert!(first.already_applied.is_empty());
    assert_eq!(first.applied.len(), 2, "{first:?}");
    user_model::check_schema(&mut user_model::connect(&url).unwrap()).expect("setup leaves a usable schema");

    let second = user_model::setup(&url, AlembicPolicy::Refuse).expect("second setup");
    assert!(!second.created_database);
    assert_eq!(second.already_applied, first.applied);
    assert!(second.applied.is_empty());
}

#[test]
fn setup_refuses_an_alembic_database_unless_forced() {
    let database = testkit::database();
    let mut conn = connect(&database);
    conn.batch_execute("CREATE TABLE public.alembic_version (version_num varchar(32) PRIMARY KEY)")
        .unwrap();
    let url = DatabaseUrl::parse(database.url()).unwrap();

    let error = user_model::setup(&url, AlembicPolicy::Refuse).unwrap_err();
    assert!(
        matches!(&error, Error::ManagedByAlembic { database: name } if name == database.name()),
        "{error:?}"
    );
    assert!(error.to_string().contains("migrate it anyway"), "{error}");
    let Err(Error::Schema(mismatch)) = user_model::check_schema(&mut conn) else {
        panic!("a refused database must stay untouched");
    };
    assert_eq!(mismatch.problems, [SchemaProblem::MissingTable]);

    let forced = user_model::setup(&url, AlembicPolicy::Force).expect("forced setup");
    assert!(forced.forced_past_alembic);
    assert_eq!(forced.applied.len(), 2);
    user_model::check_schema(&mut conn).expect("forced setup migrated");
}

#[test]
fn setup_needs_a_database_name() {
    let url = DatabaseUrl::parse("postgresql://127.0.0.1:1").unwrap();
    let error = user_model::setup(&url, AlembicPolicy::Refuse).unwrap_err();
    assert!(matches!(error, Error::NoDatabaseName { .. }), "{error:?}");
}
