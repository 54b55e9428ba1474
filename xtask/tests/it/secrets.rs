//! No password is printed in any form, end to end: `db setup` and `admin` against a PostgreSQL role that really
//! needs its password (scram-sha-256, from testkit's `pg_hba.conf`), with the wrong password and the right one,
//! and every refused form of DATABASE_URL and `--backend-url`. stdout and stderr are searched for every
//! 4-character piece of each password, as typed and percent-encoded.

use std::process::Output;

/// Needs percent-encoding for every character a URL could misread.
const PASSWORD: &str = "Zq9@Xv/7#Kw p%Jt";
const PASSWORD_ENCODED: &str = "Zq9%40Xv%2F7%23Kw%20p%25Jt";
const WRONG: &str = "Yp8@Wu/6#Jv q%Ks";
const WRONG_ENCODED: &str = "Yp8%40Wu%2F6%23Jv%20q%25Ks";

fn xtask(args: &[String]) -> Output {
    test_support::clean_std_command(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .output()
        .expect("running xtask")
}

async fn run(args: &[impl AsRef<str>]) -> (Option<i32>, String) {
    let args: Vec<String> = args.iter().map(|arg| arg.as_ref().to_owned()).collect();
    let output = tokio::task::spawn_blocking(move || xtask(&args)).await.unwrap();
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.code(), printed)
}

/// Asserts that no 4-character piece of any secret shows in `printed`.
#[track_caller]
fn assert_no_secret(what: &str, printed: &str) {
    test_support::assert_no_secret_fragment(what, printed, &[PASSWORD, PASSWORD_ENCODED, WRONG, WRONG_ENCODED]);
}

#[tokio::test]
async fn db_setup_and_admin_never_print_the_password_right_or_wrong() {
    let role = testkit::PasswordRole::create(&testkit::server_url(), PASSWORD).expect("creating a password role");
    let world = test_support::world().await;
    let fresh = testkit::database();
    let right = role.url(world.database.url(), PASSWORD_ENCODED);
    let wrong = role.url(world.database.url(), WRONG_ENCODED);

    // The server really asks: the wrong password is refused by PostgreSQL, not by this tool.
    let (code, printed) = run(&["db", "setup", "--database-url", &role.url(fresh.url(), WRONG_ENCODED)]).await;
    assert_eq!(code, Some(1), "{printed}");
    assert!(
        printed.contains("password authentication failed"),
        "the role must need its password (is TEST_DATABASE_URL a server without testkit's pg_hba.conf lines?):\n{printed}"
    );
    assert_no_secret("db setup, wrong password", &printed);
    let (code, printed) = run(&[
        "db",
        "setup",
        "--database-url",
        &role.url(fresh.url(), PASSWORD_ENCODED),
    ])
    .await;
    assert_eq!(code, Some(0), "{printed}");
    assert!(printed.contains("applied:"), "{printed}");
    assert_no_secret("db setup", &printed);

    let email = test_support::email();
    let endpoint = world.proxy.endpoint();
    let admin = |url: &str| {
        [
            "admin",
            "--email",
            &email,
            "--name",
            "Ada Admin",
            "--pool-id",
            &world.pool_id,
            "--endpoint-url",
            &endpoint,
            "--region",
            "us-east-1",
            "--yes",
            "--database-url",
            url,
        ]
        .map(str::to_owned)
    };
    let (code, printed) = run(&admin(&wrong)).await;
    assert_eq!(code, Some(1), "{printed}");
    assert!(printed.contains("password authentication failed"), "{printed}");
    assert_no_secret("admin, wrong password", &printed);
    assert_eq!(
        world.proxy.operations(),
        Vec::<String>::new(),
        "the database is checked first"
    );

    for output in ["text", "json"] {
        let mut args = admin(&right).to_vec();
        args.extend(["--output".to_owned(), output.to_owned()]);
        let (code, printed) = run(&args).await;
        assert_eq!(code, Some(0), "{printed}");
        assert_no_secret(&format!("admin --output {output}"), &printed);
        assert!(
            printed.contains(role.name()),
            "the user name is shown, only the password hidden: {printed}"
        );
    }
    assert_eq!(test_support::rows(&world.database).len(), 1);
    drop((world, fresh));
}

#[tokio::test]
async fn refused_database_and_backend_urls_are_not_printed() {
    let port_and_db = "127.0.0.1:5432/credere";
    let cases = [
        format!("host=127.0.0.1 user=credere password={PASSWORD_ENCODED} dbname=credere"),
        format!("host=127.0.0.1 user=credere password='{PASSWORD}' dbname=credere"),
        format!("postgresql:credere:{PASSWORD_ENCODED}@{port_and_db}"),
        format!("postgresql://credere:{PASSWORD}@{port_and_db}"),
        format!("postgresql://credere@{port_and_db}?password={PASSWORD}"),
        format!("mysql://credere:{PASSWORD_ENCODED}@{port_and_db}"),
    ];
    // Refused while validating, before any connection: no database or emulator is needed.
    let admin = |database_url: &str, extra: &[&str]| {
        let mut args = vec![
            "admin",
            "--email",
            "admin@example.org",
            "--name",
            "Ada",
            "--pool-id",
            "us-east-1_Abc123",
        ]
        .into_iter()
        .map(str::to_owned)
        .collect::<Vec<_>>();
        args.extend(
            ["--database-url", database_url]
                .iter()
                .chain(extra)
                .map(|arg| arg.to_string()),
        );
        args
    };
    for url in &cases {
        let args = admin(url, &[]);
        let (code, printed) = run(&args).await;
        assert_eq!(code, Some(1), "{printed}");
        assert!(printed.contains("nothing was done"), "{printed}");
        assert_no_secret(url, &printed);
        let (code, printed) = run(&["db", "setup", "--database-url", url]).await;
        assert_eq!(code, Some(1), "{printed}");
        assert_no_secret(url, &printed);
    }
    let backend = format!("https://admin:{PASSWORD_ENCODED}@credere.example.org");
    let args = admin("postgresql:///credere", &["--send-reset", "--backend-url", &backend]);
    let (code, printed) = run(&args).await;
    assert_eq!(code, Some(1), "{printed}");
    assert!(printed.contains("holds credentials"), "{printed}");
    assert_no_secret("--backend-url", &printed);
}
