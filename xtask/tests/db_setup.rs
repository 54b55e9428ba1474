//! `cargo xtask db setup`, run as the real binary against a real PostgreSQL server.

use std::process::{Command, Output};

use user_model::DatabaseUrl;
use user_model::diesel::connection::SimpleConnection;

fn xtask(args: &[&str], database_url_env: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_xtask"));
    command.args(args).env_remove("DATABASE_URL");
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
