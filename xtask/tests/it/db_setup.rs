//! `cargo xtask db setup`, run as the real binary against a real PostgreSQL server.

use std::process::Output;

use user_model::DatabaseUrl;
use user_model::diesel::connection::SimpleConnection;

fn xtask(args: &[&str], database_url_env: Option<&str>) -> Output {
    let mut command = test_support::clean_std_command(env!("CARGO_BIN_EXE_xtask"));
    command.args(args);
    if let Some(url) = database_url_env {
        command.env("DATABASE_URL", url);
    }
    command.output().expect("running the xtask binary")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn execute(url: &str, sql: &str) {
    let url = DatabaseUrl::parse(url).unwrap();
    user_model::connect(&url).unwrap().batch_execute(sql).unwrap();
}

#[test]
fn setup_creates_the_database_then_has_nothing_to_do() {
    // Borrow a unique name from testkit (which drops the database afterwards), then remove the database so that
    // setup has to create it.
    let database = testkit::database();
    execute(
        &testkit::server_url(),
        &format!("DROP DATABASE \"{}\"", database.name()),
    );

    let first = xtask(&["db", "setup", "--database-url", database.url()], None);
    let stdout = text(&first.stdout);
    assert!(first.status.success(), "{stdout}{}", text(&first.stderr));
    assert!(
        stdout.contains(&format!("created database {:?}", database.name())),
        "{stdout}"
    );
    assert_eq!(stdout.matches("applied: ").count(), 2, "{stdout}");

    let second = xtask(&["db", "setup", "--database-url", database.url()], None);
    let stdout = text(&second.stdout);
    assert!(second.status.success(), "{stdout}{}", text(&second.stderr));
    assert!(stdout.contains("already exists"), "{stdout}");
    assert_eq!(stdout.matches("already applied: ").count(), 2, "{stdout}");
    assert!(stdout.contains("no pending migrations"), "{stdout}");
}

#[test]
fn setup_refuses_an_alembic_database_unless_forced() {
    let database = testkit::database();
    execute(
        database.url(),
        "CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY)",
    );

    let refused = xtask(&["db", "setup", "--database-url", database.url()], None);
    let stderr = text(&refused.stderr);
    assert!(!refused.status.success());
    assert!(stderr.contains("alembic_version"), "{stderr}");
    assert!(stderr.contains("credere-backend"), "{stderr}");
    assert!(stderr.contains("--force"), "{stderr}");

    let forced = xtask(&["db", "setup", "--force", "--database-url", database.url()], None);
    let stdout = text(&forced.stdout);
    assert!(forced.status.success(), "{stdout}{}", text(&forced.stderr));
    assert!(stdout.contains("migrating anyway because of --force"), "{stdout}");
    assert_eq!(stdout.matches("applied: ").count(), 2, "{stdout}");
}

#[test]
fn setup_reads_database_url_from_the_environment_and_never_prints_the_password() {
    let database = testkit::database();
    let secret = "pa55-in-env";
    let with_password = database
        .url()
        .replacen("://postgres@", &format!("://postgres:{secret}@"), 1);
    assert_ne!(
        with_password,
        database.url(),
        "testkit's URL shape changed: {}",
        database.url()
    );

    let output = xtask(&["db", "setup"], Some(&with_password));
    let shown = format!("{}{}", text(&output.stdout), text(&output.stderr));
    assert!(output.status.success(), "{shown}");
    assert!(!shown.contains(secret), "{shown}");

    // An error message carries the URL: it must be redacted there too.
    let missing = with_password.replacen(database.name(), "", 1);
    let failed = xtask(&["db", "setup"], Some(&missing));
    let shown = format!("{}{}", text(&failed.stdout), text(&failed.stderr));
    assert!(!failed.status.success(), "{shown}");
    assert!(shown.contains("names no database"), "{shown}");
    assert!(!shown.contains(secret), "{shown}");
}

#[test]
fn setup_without_a_url_says_how_to_give_one() {
    let output = xtask(&["db", "setup"], None);
    assert!(!output.status.success());
    assert!(
        text(&output.stderr).contains("--database-url"),
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn setup_rejects_a_non_postgres_url_by_scheme() {
    let output = xtask(
        &[
            "db",
            "setup",
            "--database-url",
            "mysql://root:hunter2@localhost/credere",
        ],
        None,
    );
    let stderr = text(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("\"mysql\""), "{stderr}");
    assert!(!stderr.contains("hunter2"), "{stderr}");
}

/// The names of the relations and types in `public`, to see what a run left behind.
fn public_objects(url: &str) -> Vec<String> {
    use user_model::diesel::dsl::sql;
    use user_model::diesel::prelude::*;
    use user_model::diesel::sql_types::{Array, Text};
    let url = DatabaseUrl::parse(url).unwrap();
    user_model::diesel::select(sql::<Array<Text>>(
        "ARRAY(SELECT c.relname::text FROM pg_catalog.pg_class c \
               JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' \
               UNION ALL SELECT t.typname::text FROM pg_catalog.pg_type t \
               JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = 'public' AND t.typtype = 'e' \
               ORDER BY 1)",
    ))
    .get_result(&mut user_model::connect(&url).unwrap())
    .unwrap()
}

#[test]
fn a_failing_migration_leaves_the_database_as_it_was() {
    let database = testkit::database();
    // Part of Credere's schema, but no alembic_version: the second migration meets an existing type.
    execute(database.url(), "CREATE TYPE public.usertype AS ENUM ('OCP', 'FI')");
    let before = public_objects(database.url());

    let output = xtask(&["db", "setup", "--database-url", database.url()], None);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("nothing was changed"), "{stderr}");
    assert!(stderr.contains("\"usertype\" already exists"), "{stderr}");
    assert_eq!(
        public_objects(database.url()),
        before,
        "no lender table from the first migration, no __diesel_schema_migrations"
    );
}

#[test]
fn concurrent_setups_take_turns_and_migrate_once() {
    use user_model::diesel::prelude::*;
    use user_model::diesel::sql_types::BigInt;
    let database = testkit::database();
    let url = DatabaseUrl::parse(database.url()).unwrap();
    let mut holder = user_model::connect(&url).unwrap();
    let lock = |conn: &mut PgConnection, statement: &str| {
        user_model::diesel::sql_query(statement)
            .bind::<BigInt, _>(user_model::SETUP_LOCK)
            .execute(conn)
            .unwrap();
    };
    // Hold the setup lock, so both runs start and then wait at the same point.
    lock(&mut holder, "SELECT pg_advisory_lock($1)");
    let spawn = || {
        test_support::clean_std_command(env!("CARGO_BIN_EXE_xtask"))
            .args(["db", "setup", "--database-url", database.url()])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("starting xtask")
    };
    let runs = [spawn(), spawn()];
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    // A single-key advisory lock shows in pg_locks as classid (high half), objid (low half), objsubid 1.
    let (high, low) = (user_model::SETUP_LOCK >> 32, user_model::SETUP_LOCK & 0xffff_ffff);
    while user_model::diesel::sql_query(
        "SELECT pid FROM pg_catalog.pg_locks WHERE locktype = 'advisory' AND NOT granted \
         AND classid::bigint = $1 AND objid::bigint = $2 AND objsubid = 1",
    )
    .bind::<BigInt, _>(high)
    .bind::<BigInt, _>(low)
    .execute(&mut holder)
    .unwrap()
        < 2
    {
        assert!(
            std::time::Instant::now() < deadline,
            "both runs never waited for the lock"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    lock(&mut holder, "SELECT pg_advisory_unlock($1)");

    let outputs = runs.map(|run| run.wait_with_output().unwrap());
    let stdouts: Vec<String> = outputs.iter().map(|output| text(&output.stdout)).collect();
    for output in &outputs {
        assert!(
            output.status.success(),
            "{}{}",
            text(&output.stdout),
            text(&output.stderr)
        );
    }
    let applied: Vec<usize> = stdouts
        .iter()
        .map(|out| out.lines().filter(|line| line.starts_with("applied: ")).count())
        .collect();
    let mut sorted = applied.clone();
    sorted.sort();
    assert_eq!(sorted, [0, 2], "one run migrates, the other waits: {stdouts:#?}");
    let waited = &stdouts[applied.iter().position(|&count| count == 0).unwrap()];
    assert_eq!(waited.matches("already applied: ").count(), 2, "{waited}");
    assert!(waited.contains("no pending migrations"), "{waited}");
    assert_eq!(user_model::applied_migrations(&mut holder).unwrap().len(), 2);
}
