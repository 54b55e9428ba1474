//! A reader that left (`cargo xtask provision --check | head -3`, `db setup | true`): every command whose stdout is
//! a pipe closed before it writes ends quietly with its documented exit code, and does all its work (an apply
//! still applies, the proxy's log and the database show it).

use crate::support::{self, XTASK, pools_named};
use test_support::Run;

async fn with_stdout_closed(args: &[&str]) -> Run {
    test_support::run_with_stdout_closed(XTASK, args, &[]).await
}

/// Neither a panic nor an error message: the reader leaving is not the command's failure.
#[track_caller]
fn assert_quiet(run: &Run, code: i32) {
    run.assert_code(code);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert!(!run.stderr.contains("error"), "{}", run.stderr);
}

#[tokio::test]
async fn provision_check_then_apply_then_check_end_quietly_with_their_codes() {
    let proxy = support::proxy().await;
    let endpoint = proxy.endpoint();
    let provision = |extra: &'static [&'static str]| {
        let mut args = vec!["provision", "--env", "development", "--endpoint-url", &endpoint];
        args.extend(extra);
        args
    };
    // Changes needed: 2, as `--check` documents.
    assert_quiet(&with_stdout_closed(&provision(&["--check"])).await, 2);
    assert_eq!(support::mutations(&proxy), Vec::<String>::new());
    // The apply goes on after its first line could not be printed: the pool and its client are made.
    assert_quiet(&with_stdout_closed(&provision(&[])).await, 0);
    let [pool_id] = &pools_named(&proxy, "credere").await[..] else {
        panic!("the apply made no pool named credere");
    };
    assert_eq!(
        proxy.calls_of("CreateUserPoolClient").len(),
        1,
        "the client of {pool_id} was made"
    );
    // Converged: 0.
    assert_quiet(&with_stdout_closed(&provision(&["--check"])).await, 0);
    assert_quiet(
        &with_stdout_closed(&provision(&["--check", "--output", "json"])).await,
        0,
    );
}

#[tokio::test]
async fn db_setup_audit_and_admin_end_quietly_with_their_codes() {
    let world = test_support::world().await;
    let database = testkit::database();
    assert_quiet(
        &with_stdout_closed(&["db", "setup", "--database-url", database.url()]).await,
        0,
    );
    assert_eq!(
        test_support::rows(&database),
        [],
        "db setup made the credere_user table"
    );

    let endpoint = world.proxy.endpoint();
    let email = test_support::email();
    let admin = [
        "admin",
        "--email",
        &email,
        "--name",
        "Ada Admin",
        "--pool-id",
        &world.pool_id,
        "--yes",
    ];
    let target = ["--database-url", world.database.url(), "--endpoint-url", &endpoint];
    let args: Vec<&str> = admin.iter().chain(&target).copied().collect();
    assert_quiet(&with_stdout_closed(&args).await, 0);
    let rows = test_support::rows(&world.database);
    assert_eq!(rows.len(), 1, "the admin's row was committed");
    assert_eq!(
        test_support::cognito_usernames(&world.sdk, &world.pool_id, &email).await,
        [rows[0].external_id.clone()]
    );

    // The same code as with a reader (0 no findings, 2 findings).
    let audit = ["audit", "--pool-id", &world.pool_id];
    let args: Vec<&str> = audit.iter().chain(&target).copied().collect();
    let read = support::xtask(&args).await;
    assert!(matches!(read.code, 0 | 2), "{read:?}");
    assert_quiet(&with_stdout_closed(&args).await, read.code);
    assert_quiet(&with_stdout_closed(&["spec", "--env", "production"]).await, 0);
    assert_quiet(&with_stdout_closed(&["iam-policy", "--role", "drift-check"]).await, 0);
}
