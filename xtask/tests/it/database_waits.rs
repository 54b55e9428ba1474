//! `admin` and `audit` against a database that makes them wait (issue 19, items 5 and 17): a table locked by a
//! migration, a role's own `statement_timeout`, a session ended by `pg_terminate_backend`. Each run ends by itself,
//! names what stopped it and the fix, and leaves no session of its own behind.

use std::time::Duration;

use test_support::{Role, World};
use user_model::diesel::connection::SimpleConnection;
use user_model::diesel::dsl::sql;
use user_model::diesel::sql_types::{BigInt, Integer, Nullable};
use user_model::diesel::{PgConnection, RunQueryDsl};

use crate::support::{Run, XTASK};

/// How long a run may take before the test calls it hung: far beyond every timeout the runs below are given.
const HUNG: Duration = Duration::from_secs(90);

/// The name a DBA sees for the holder of the lock in `pg_stat_activity`.
const HOLDER_NAME: &str = "migration-probe";

/// A second session, as a migration or `VACUUM FULL` would be: it holds `ACCESS EXCLUSIVE` on `credere_user` in an
/// open transaction until dropped.
struct LockHolder {
    conn: PgConnection,
    pid: i32,
}

impl LockHolder {
    fn lock(world: &World) -> Self {
        let mut conn = world.database.connect();
        let pid = user_model::diesel::select(sql::<Integer>("pg_catalog.pg_backend_pid()"))
            .get_result(&mut conn)
            .unwrap();
        // The lock is the session's last statement, as pg_stat_activity shows it to a DBA.
        conn.batch_execute(&format!(
            "SET application_name = '{HOLDER_NAME}'; BEGIN; LOCK TABLE public.credere_user IN ACCESS EXCLUSIVE MODE"
        ))
        .unwrap();
        Self { conn, pid }
    }

    /// Sessions in the test database other than this one's and the observer's.
    fn other_sessions(&self, observer: &mut PgConnection) -> i64 {
        user_model::diesel::select(sql::<BigInt>(&format!(
            "(SELECT count(*) FROM pg_catalog.pg_stat_activity \
             WHERE datname = pg_catalog.current_database() AND pid NOT IN (pg_catalog.pg_backend_pid(), {}))",
            self.pid
        )))
        .get_result(observer)
        .unwrap()
    }

    /// Ends the transaction, and with it the lock; the session stays.
    fn release(&mut self) {
        self.conn.batch_execute("ROLLBACK").unwrap();
    }
}

/// Runs the binary with `args` and `env`, killed if the test ends first, failing the test if it outlives [`HUNG`].
async fn run(args: &[&str], env: &[(&str, &str)]) -> Run {
    let child = test_support::clean_command(XTASK)
        .args(args)
        .envs(env.iter().copied())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let output = tokio::time::timeout(HUNG, child.wait_with_output())
        .await
        .unwrap_or_else(|_| panic!("`xtask {}` was still waiting after {HUNG:?}", args.join(" ")))
        .unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Asserts that `run` printed each of `expected` on stderr.
#[track_caller]
fn assert_says(command: &str, run: &Run, expected: &[&str]) {
    for expected in expected {
        assert!(
            run.stderr.contains(expected),
            "{command}: {expected:?} missing from\n{}",
            run.stderr
        );
    }
}

fn audit_args<'a>(world: &'a World, url: &'a str, endpoint: &'a str) -> Vec<&'a str> {
    vec![
        "audit",
        "--pool-id",
        &world.pool_id,
        "--database-url",
        url,
        "--endpoint-url",
        endpoint,
    ]
}

#[tokio::test]
async fn admin_and_audit_give_up_on_a_locked_table_naming_the_holder_and_leave_no_session() {
    let world = test_support::world().await;
    let holder = LockHolder::lock(&world);
    let endpoint = world.proxy.endpoint();
    let email = test_support::email();
    let url = world.database.url();
    let admin = [
        "admin",
        "--email",
        &email,
        "--name",
        "Ada Admin",
        "--pool-id",
        &world.pool_id,
        "--database-url",
        url,
        "--endpoint-url",
        &endpoint,
    ];
    // The operator's override of the tool's default wait, as README documents it (and a short test).
    let env = [("PGOPTIONS", "-c lock_timeout=2s")];
    let audit = audit_args(&world, url, &endpoint);
    let (admin, audit) = tokio::join!(run(&admin, &env), run(&audit, &env));

    for (command, run) in [("admin", &admin), ("audit", &audit)] {
        run.assert_code(1);
        assert_says(
            command,
            run,
            &[
                "lock_timeout = 2s",
                "PGOPTIONS",
                &format!("pid {}", holder.pid),
                &format!("application_name {HOLDER_NAME:?}"),
                "AccessExclusiveLock",
                "LOCK TABLE public.credere_user IN ACCESS EXCLUSIVE MODE",
                "hint: wait for",
                "pg_cancel_backend",
            ],
        );
    }
    let mut holder = holder;
    holder.release();
    assert!(test_support::rows(&world.database).is_empty());
    assert!(
        world.proxy.calls_of("AdminCreateUser").is_empty(),
        "admin must stop before Cognito"
    );
    let mut observer = world.database.connect();
    test_support::wait_until("the runs' sessions have ended", || {
        holder.other_sessions(&mut observer) == 0
    })
    .await;
}

/// The tool's own session waiting on the lock, as a DBA finds it by its `application_name`.
fn waiting_tool_session(observer: &mut PgConnection) -> Option<i32> {
    user_model::diesel::select(sql::<Nullable<Integer>>(&format!(
        "(SELECT pid FROM pg_catalog.pg_stat_activity \
         WHERE datname = pg_catalog.current_database() AND application_name = '{}' AND wait_event_type = 'Lock' \
         LIMIT 1)",
        user_model::APPLICATION_NAME
    )))
    .get_result(observer)
    .unwrap()
}

#[tokio::test]
async fn an_audit_whose_session_is_terminated_says_so_with_a_hint() {
    let world = test_support::world().await;
    let mut holder = LockHolder::lock(&world);
    let endpoint = world.proxy.endpoint();
    let url = world.database.url().to_owned();
    let args: Vec<String> = audit_args(&world, &url, &endpoint)
        .into_iter()
        .map(str::to_owned)
        .collect();
    let audit = tokio::spawn(async move {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        run(&args, &[]).await
    });
    // The audit's read waits on the lock (the tool's default lock_timeout is far longer than this test): end its
    // session there, as a DBA's pg_terminate_backend would.
    let mut observer = world.database.connect();
    let mut pid = None;
    test_support::wait_until("the audit's session waits on the lock", || {
        pid = waiting_tool_session(&mut observer);
        pid.is_some()
    })
    .await;
    observer
        .batch_execute(&format!("SELECT pg_catalog.pg_terminate_backend({})", pid.unwrap()))
        .unwrap();
    let audit = audit.await.unwrap();

    audit.assert_code(1);
    assert_says(
        "audit",
        &audit,
        &[
            "the connection to the database was lost while reading every credere_user row",
            "hint: ",
            "pg_terminate_backend",
        ],
    );
    holder.release();
}

#[tokio::test]
async fn a_role_statement_timeout_is_named_with_where_it_is_set_and_the_fix() {
    let world = test_support::world().await;
    let role = Role::create(
        &world.database,
        "GRANT SELECT ON public.credere_user TO {role}; ALTER ROLE {role} SET statement_timeout = '1s'",
    );
    // The read waits on the lock until the role's statement_timeout (shorter than the tool's lock_timeout) ends it.
    let holder = LockHolder::lock(&world);
    let endpoint = world.proxy.endpoint();
    let audit = run(&audit_args(&world, role.url(), &endpoint), &[]).await;

    audit.assert_code(1);
    assert_says(
        "audit",
        &audit,
        &[
            "reading every credere_user row",
            "statement_timeout = 1s",
            "set for the role",
            &format!("pid {}", holder.pid),
            "hint: ",
            "PGOPTIONS='-c statement_timeout=",
            "ALTER ROLE",
        ],
    );
}
