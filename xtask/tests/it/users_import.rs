//! `cargo xtask users import` (issue 22, item 3 and the import's parts of 5 and 6): a pool exported with staff,
//! lenders, a disabled user, an unverified email and a user in FORCE_CHANGE_PASSWORD moved into a fresh pool, each
//! user created once with its attributes, every row relinked in one transaction, a re-run writing nothing; faults
//! (a 500 after a create reached the emulator, a throttling storm, a database that cannot take the relink, SIGINT
//! mid-import) each ending, after a re-run, as a clean run does; bad input refused before any call.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use aws_sdk_cognitoidentityprovider::types::{AttributeType, MessageActionType, UserType as CognitoUser};
use serde_json::Value;
use testkit::{Fault, FaultKind};
use user_model::UserType;

use crate::support::{self, xtask};

/// A user of the source pool.
struct Person {
    email: &'static str,
    email_verified: &'static str,
    enabled: bool,
    /// Set a permanent password (CONFIRMED); else FORCE_CHANGE_PASSWORD.
    confirmed: bool,
    /// `custom:lender`.
    lender: Option<&'static str>,
    groups: &'static [&'static str],
}

const fn person(email: &'static str, email_verified: &'static str, enabled: bool, confirmed: bool) -> Person {
    Person {
        email,
        email_verified,
        enabled,
        confirmed,
        lender: None,
        groups: &[],
    }
}

/// Staff, a lender, a disabled user, an unverified email and a user in FORCE_CHANGE_PASSWORD.
const PEOPLE: [Person; 5] = [
    Person {
        groups: &["staff"],
        ..person("staff@example.org", "true", true, true)
    },
    Person {
        lender: Some("Banco \"Uno\" ñ"),
        groups: &["lenders"],
        ..person("lender@example.org", "true", true, false)
    },
    Person {
        groups: &["staff"],
        ..person("gone@example.org", "true", false, true)
    },
    Person {
        lender: Some("Banco Dos"),
        ..person("unverified@example.org", "false", true, false)
    },
    person("new@example.org", "true", true, false),
];

/// A row that points at no user of the file: left alone.
const STRANGER: (&str, &str) = ("stranger@example.org", "not-a-user-of-the-file");

fn attribute(name: &str, value: &str) -> AttributeType {
    AttributeType::builder().name(name).value(value).build().unwrap()
}

/// The world's pool with [`PEOPLE`] and their rows (and [`STRANGER`]'s), exported to a file; the target pool (empty,
/// with the same custom attribute); the old Username of each email.
struct Moving {
    world: test_support::World,
    _directory: tempfile::TempDir,
    file: PathBuf,
    target: String,
    old: BTreeMap<String, String>,
}

async fn moving() -> Moving {
    let world = test_support::world().await;
    let (sdk, pool_id) = (&world.sdk, world.pool_id.as_str());
    crate::users_export::add_lender_attribute(sdk, pool_id).await;
    for group in ["staff", "lenders"] {
        sdk.create_group()
            .user_pool_id(pool_id)
            .group_name(group)
            .description(format!("Credere's {group}"))
            .precedence(2)
            .send()
            .await
            .unwrap();
    }
    let mut old = BTreeMap::new();
    for Person {
        email,
        email_verified: verified,
        enabled,
        confirmed,
        lender,
        groups,
    } in PEOPLE
    {
        let mut request = sdk
            .admin_create_user()
            .user_pool_id(pool_id)
            .username(email)
            .user_attributes(attribute("email", email))
            .user_attributes(attribute("email_verified", verified))
            .message_action(MessageActionType::Suppress);
        if let Some(lender) = lender {
            request = request.user_attributes(attribute("custom:lender", lender));
        }
        let created = request.send().await.unwrap();
        let username = created.user().unwrap().username().unwrap().to_owned();
        if confirmed {
            sdk.admin_set_user_password()
                .user_pool_id(pool_id)
                .username(&username)
                .password("A-long-Passw0rd!")
                .permanent(true)
                .send()
                .await
                .unwrap();
        }
        if !enabled {
            sdk.admin_disable_user()
                .user_pool_id(pool_id)
                .username(&username)
                .send()
                .await
                .unwrap();
        }
        for group in groups {
            sdk.admin_add_user_to_group()
                .user_pool_id(pool_id)
                .username(&username)
                .group_name(*group)
                .send()
                .await
                .unwrap();
        }
        let user_type = if lender.is_some() { UserType::Fi } else { UserType::Ocp };
        test_support::insert_row(&world.database, email, &username, user_type);
        old.insert(email.to_owned(), username);
    }
    test_support::insert_row(&world.database, STRANGER.0, STRANGER.1, UserType::Ocp);
    let directory = tempfile::tempdir().unwrap();
    let file = directory.path().join("users.jsonl");
    xtask(&[
        "users",
        "export",
        "--pool-id",
        pool_id,
        "--out",
        file.to_str().unwrap(),
        "--endpoint-url",
        &world.proxy.endpoint(),
    ])
    .await
    .assert_code(0);
    let target = test_support::create_pool(sdk, "credere-moved", &Default::default()).await;
    crate::users_export::add_lender_attribute(sdk, &target).await;
    world.proxy.clear();
    Moving {
        world,
        _directory: directory,
        file,
        target,
        old,
    }
}

impl Moving {
    fn args<'a>(&'a self, file: &'a Path, pool_id: &'a str, extra: &[&'a str]) -> Vec<String> {
        let mut args: Vec<String> = [
            "users",
            "import",
            "--from",
            file.to_str().unwrap(),
            "--pool-id",
            pool_id,
            "--database-url",
            self.world.database.url(),
            "--endpoint-url",
            &self.world.proxy.endpoint(),
            "--yes",
        ]
        .map(str::to_owned)
        .to_vec();
        args.extend(extra.iter().map(|arg| (*arg).to_owned()));
        args
    }

    async fn import(&self, extra: &[&str]) -> support::Run {
        self.import_with(&self.file, &self.target, extra).await
    }

    async fn import_with(&self, file: &Path, pool_id: &str, extra: &[&str]) -> support::Run {
        let args = self.args(file, pool_id, extra);
        xtask(&args.iter().map(String::as_str).collect::<Vec<_>>()).await
    }

    /// Every user of the target pool, by email.
    async fn target_users(&self) -> BTreeMap<String, CognitoUser> {
        let listed = self
            .world
            .sdk
            .list_users()
            .user_pool_id(&self.target)
            .send()
            .await
            .unwrap();
        let mut users = BTreeMap::new();
        for user in listed.users() {
            let email = value(user, "email").unwrap().to_owned();
            assert!(users.insert(email.clone(), user.clone()).is_none(), "{email} twice");
        }
        users
    }

    /// The members of `group` in the target pool.
    async fn members(&self, group: &str) -> Vec<String> {
        let mut members: Vec<String> = self
            .world
            .sdk
            .list_users_in_group()
            .user_pool_id(&self.target)
            .group_name(group)
            .send()
            .await
            .unwrap()
            .users()
            .iter()
            .map(|user| value(user, "email").unwrap().to_owned())
            .collect();
        members.sort();
        members
    }

    /// The state a clean import ends in: every user once, as exported, enabled as before, in its groups; every row
    /// pointing at its user in the target pool (the stranger's untouched), all relinked by one transaction.
    async fn assert_moved(&self) {
        let users = self.target_users().await;
        assert_eq!(users.len(), PEOPLE.len(), "{users:#?}");
        for Person {
            email,
            email_verified: verified,
            enabled,
            lender,
            ..
        } in PEOPLE
        {
            let user = &users[email];
            assert_eq!(value(user, "email_verified"), Some(verified), "{email}");
            assert_eq!(value(user, "custom:lender"), lender, "{email}");
            assert_eq!(user.enabled(), enabled, "{email}");
            assert_ne!(user.username(), Some(self.old[email].as_str()), "{email}: a new sub");
        }
        assert_eq!(self.members("staff").await, ["gone@example.org", "staff@example.org"]);
        assert_eq!(self.members("lenders").await, ["lender@example.org"]);
        let rows = test_support::rows(&self.world.database);
        for row in &rows {
            let expected = match users.get(&row.email) {
                Some(user) => user.username().unwrap(),
                None => STRANGER.1,
            };
            assert_eq!(row.external_id, expected, "row {}", row.email);
        }
        assert_eq!(rows.len(), PEOPLE.len() + 1);
        // One transaction wrote every relinked row: they share the transaction id that last wrote them.
        let writers = transaction_ids(&self.world.database, "email <> 'stranger@example.org'");
        assert_eq!(writers.len(), 1, "the relinked rows were written by {writers:?}");
    }

    /// A second run finds everything in place and writes nothing, to Cognito or the database.
    async fn assert_rerun_changes_nothing(&self) {
        let rows = test_support::rows(&self.world.database);
        let writers = transaction_ids(&self.world.database, "true");
        self.world.proxy.clear();
        let run = self.import(&["--output", "json"]).await;
        run.assert_code(0);
        assert_eq!(test_support::mutations(&self.world.proxy), Vec::<String>::new());
        let report = run.json();
        assert_eq!(
            (report["created"].as_u64(), report["rows_relinked"].as_u64()),
            (Some(0), Some(0))
        );
        assert_eq!(test_support::rows(&self.world.database), rows);
        assert_eq!(
            transaction_ids(&self.world.database, "true"),
            writers,
            "no row rewritten"
        );
    }
}

fn value<'a>(user: &'a CognitoUser, name: &str) -> Option<&'a str> {
    user.attributes()
        .iter()
        .find(|attribute| attribute.name() == name)
        .and_then(|attribute| attribute.value())
}

/// The distinct ids of the transactions that last wrote the rows matching `condition`.
fn transaction_ids(database: &testkit::TestDatabase, condition: &str) -> Vec<String> {
    use user_model::diesel::dsl::sql;
    use user_model::diesel::prelude::*;
    use user_model::diesel::sql_types::{Nullable, Text};
    let ids: Option<String> = user_model::diesel::select(sql::<Nullable<Text>>(&format!(
        "(SELECT pg_catalog.string_agg(DISTINCT xmin::text, ',' ORDER BY xmin::text) FROM public.credere_user \
         WHERE {condition})"
    )))
    .get_result(&mut test_support::connect(database))
    .unwrap();
    ids.unwrap_or_default().split(',').map(str::to_owned).collect()
}

/// The JSON bodies of the AdminCreateUser calls that reached the proxy.
fn creates(world: &test_support::World) -> Vec<Value> {
    world
        .proxy
        .calls_of("AdminCreateUser")
        .iter()
        .map(|call| call.request_json().unwrap())
        .collect()
}

#[tokio::test]
async fn every_user_is_created_once_as_exported_and_every_row_relinked_in_one_transaction() {
    let moving = moving().await;

    let run = moving.import(&["--output", "json"]).await;

    run.assert_code(0);
    let report = run.json();
    assert_eq!(report["created"], PEOPLE.len());
    assert_eq!(report["disabled"], 1);
    assert_eq!(report["groups_created"], 2);
    assert_eq!(report["memberships_added"], 3);
    assert_eq!(report["rows_relinked"], PEOPLE.len());
    assert_eq!(report["rows_left_alone"], 1);
    moving.assert_moved().await;
    // What was sent: one create a user, without invitation or sub, with the attributes as exported.
    let sent = creates(&moving.world);
    assert_eq!(sent.len(), PEOPLE.len());
    for body in &sent {
        assert_eq!(body["MessageAction"], "SUPPRESS");
        assert!(body.get("TemporaryPassword").is_none());
        let attributes = body["UserAttributes"].as_array().unwrap();
        let names: Vec<&str> = attributes
            .iter()
            .map(|attribute| attribute["Name"].as_str().unwrap())
            .collect();
        assert!(!names.contains(&"sub"), "{names:?}");
        assert_eq!(
            body["Username"],
            attributes[names.iter().position(|name| *name == "email").unwrap()]["Value"]
        );
    }
    let disabled = moving.world.proxy.calls_of("AdminDisableUser");
    assert_eq!(disabled.len(), 1);
    let users = moving.target_users().await;
    assert_eq!(
        disabled[0].request_json().unwrap()["Username"],
        users["gone@example.org"].username().unwrap()
    );
    // The plan said what cannot move.
    assert!(
        run.stderr.contains("Passwords and authenticator apps cannot be moved"),
        "{}",
        run.stderr
    );

    moving.assert_rerun_changes_nothing().await;
}

#[tokio::test]
async fn the_plan_shows_each_user_and_row_and_a_re_run_shows_them_in_place() {
    let moving = moving().await;
    let run = moving.import(&[]).await;
    run.assert_code(0);
    let stderr = &run.stderr;
    for Person { email, .. } in PEOPLE {
        assert!(stderr.contains(&format!("create    {email}")), "{stderr}");
    }
    assert!(
        stderr.contains("create    gone@example.org (disabled, was CONFIRMED)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("create    new@example.org (enabled, was FORCE_CHANGE_PASSWORD)"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "external_id {} is no user of the file; left alone",
            STRANGER.1
        )),
        "{stderr}"
    );
    assert!(run.stdout.contains("5 created, 1 disabled"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("restart it, then run this command again with --send-reset --backend-url URL"),
        "the next step names the resets: {}",
        run.stdout
    );

    let again = moving.import(&[]).await;
    again.assert_code(0);
    assert!(
        again
            .stderr
            .contains("0 to create, 5 already there; 0 row(s) to relink"),
        "{}",
        again.stderr
    );
}

/// The create whose answer is lost is looked up before anything is sent again. The look-up is a read like the
/// scan's: it waits its turn at the import's rate limit and is retried beyond the SDK's own attempts, even when the
/// server errors have an HTML page for a body and no error code (the 10,000-user bench met a run of them from the
/// emulator, which left the relink undone).
#[tokio::test]
async fn a_server_error_after_a_create_reached_cognito_is_adopted_not_created_twice() {
    // One more than the SDK's own attempts (`ConnectOptions::max_attempts`).
    const FAILED_LOOK_UPS: u32 = 5;
    let moving = moving().await;
    let proxy = &moving.world.proxy;
    proxy.inject(Fault::after_forwarding("AdminCreateUser", 2, FaultKind::ServerError));
    proxy.inject(Fault {
        times: FAILED_LOOK_UPS,
        ..Fault::once("AdminGetUser", 1, FaultKind::ServerErrorPage)
    });

    let run = moving.import(&["--output", "json"]).await;

    run.assert_code(0);
    assert_eq!(
        creates(&moving.world).len(),
        PEOPLE.len(),
        "the lost answer's create was not sent again"
    );
    assert_eq!(
        proxy.calls_of("AdminGetUser").len(),
        FAILED_LOOK_UPS as usize + 1,
        "looked up before resending, until Cognito answered"
    );
    moving.assert_moved().await;
    moving.assert_rerun_changes_nothing().await;
}

#[tokio::test]
async fn a_throttling_storm_slows_the_import_down_and_it_still_ends_as_a_clean_run() {
    let moving = moving().await;
    for nth in (1..=7).step_by(2) {
        moving
            .world
            .proxy
            .inject(Fault::once("AdminCreateUser", nth, FaultKind::TooManyRequests));
    }
    moving.world.proxy.inject(Fault {
        times: 3,
        ..Fault::once("AdminAddUserToGroup", 1, FaultKind::Throttling)
    });
    moving.world.proxy.inject(Fault {
        times: 2,
        ..Fault::once("AdminDisableUser", 1, FaultKind::TooManyRequests)
    });

    let run = moving.import(&["--output", "json", "--max-rps", "50"]).await;

    run.assert_code(0);
    moving.assert_moved().await;
    moving.assert_rerun_changes_nothing().await;
}

/// AdminCreateUser is sent once per attempt, outside the SDK's retries, yet its throttled answers slow down the one
/// rate limit every call of the import waits at, as the disable and group calls' do: after them the proxy sees the
/// calls further apart than before. A throttling refusal is definite, so the create is sent again without a look.
#[tokio::test]
async fn throttled_creates_slow_the_import_s_pace_and_are_sent_again_without_a_look() {
    const THROTTLED: usize = 3;
    let moving = moving().await;
    // The first create goes through: it and the second, sent by two tasks waiting at the limit together, are one
    // turn apart, whatever the emulator's answer takes.
    moving.world.proxy.inject(Fault {
        times: THROTTLED as u32,
        ..Fault::once("AdminCreateUser", 2, FaultKind::TooManyRequests)
    });

    // 10 calls a second: one every 100 ms; three throttles in a row slow it to one every 400 ms.
    let run = moving.import(&["--output", "json", "--max-rps", "10"]).await;

    run.assert_code(0);
    let calls = moving.world.proxy.calls();
    let writes: Vec<&testkit::Call> = calls
        .iter()
        .skip_while(|call| call.operation != "CreateGroup")
        .collect();
    let gap = |pair: &[&testkit::Call]| pair[1].started - pair[0].started;
    // Each gap is at least the pace then; the smallest is the pace itself.
    let first_throttled = writes.iter().position(|call| call.fault.is_some()).unwrap();
    let paced_before = writes[..=first_throttled].windows(2).map(gap).min().unwrap();
    let last_throttled = writes.iter().rposition(|call| call.fault.is_some()).unwrap();
    let after: Vec<&testkit::Call> = writes
        .iter()
        .copied()
        .filter(|call| call.started >= writes[last_throttled].finished)
        .collect();
    // The median of the next three gaps: one may have been counted before the last throttle was.
    let mut gaps_after: Vec<_> = after.windows(2).take(3).map(gap).collect();
    gaps_after.sort();
    let paced_after = gaps_after[gaps_after.len() / 2];
    let operations: Vec<&str> = writes.iter().map(|call| call.operation.as_str()).collect();
    assert!(
        paced_after > paced_before * 3 / 2,
        "calls {paced_before:?} apart before the throttled creates, {gaps_after:?} after: {operations:?}"
    );
    assert_eq!(
        moving.world.proxy.calls_of("AdminCreateUser").len(),
        PEOPLE.len() + THROTTLED,
        "each throttled create sent once more"
    );
    assert_eq!(
        moving.world.proxy.calls_of("AdminGetUser").len(),
        0,
        "a throttling refusal is definite: no look"
    );
    assert_eq!(run.json()["created"], PEOPLE.len());
    moving.assert_moved().await;
    moving.assert_rerun_changes_nothing().await;
}

#[tokio::test]
async fn a_database_that_cannot_take_the_relink_is_refused_before_any_cognito_write() {
    let moving = moving().await;
    let role = test_support::Role::create(
        &moving.world.database,
        "GRANT USAGE ON SCHEMA public TO {role}; GRANT SELECT ON public.credere_user TO {role};",
    );
    let rows = test_support::rows(&moving.world.database);
    let args = moving.args(&moving.file, &moving.target, &[]);
    let mut args: Vec<&str> = args.iter().map(String::as_str).collect();
    let url = args.iter().position(|arg| *arg == "--database-url").unwrap() + 1;
    args[url] = role.url();

    let run = xtask(&args).await;

    run.assert_code(1);
    assert!(
        run.stderr.contains("nothing was written to Cognito or the database"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("hint: the role in DATABASE_URL needs SELECT and UPDATE"),
        "{}",
        run.stderr
    );
    assert_eq!(test_support::mutations(&moving.world.proxy), Vec::<String>::new());
    assert_eq!(test_support::rows(&moving.world.database), rows);

    test_support::execute(
        &moving.world.database,
        &format!("GRANT UPDATE ON public.credere_user TO {}", role.name()),
    );
    xtask(&args).await.assert_code(0);
    moving.assert_moved().await;
    moving.assert_rerun_changes_nothing().await;
}

#[tokio::test]
async fn a_database_lost_before_the_relink_relinks_nothing_and_a_re_run_finishes_the_job() {
    let moving = moving().await;
    // The last writes wait at the proxy while the import's database session is ended, as a restart or a failover
    // would end it.
    let held = moving.world.proxy.hold("AdminAddUserToGroup");
    let args = moving.args(&moving.file, &moving.target, &[]);
    let child = test_support::clean_command(support::XTASK)
        .args(&args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    held.wait_for(1).await;
    test_support::execute(
        &moving.world.database,
        &format!(
            "SELECT pg_catalog.pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity \
             WHERE datname = pg_catalog.current_database() AND pid <> pg_catalog.pg_backend_pid() \
             AND application_name = '{}'",
            user_model::APPLICATION_NAME
        ),
    );
    held.release();
    let output = child.wait_with_output().await.unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("no row was relinked") || stderr.contains("none was relinked"),
        "{stderr}"
    );
    assert_eq!(
        moving.target_users().await.len(),
        PEOPLE.len(),
        "every user was created"
    );
    for row in test_support::rows(&moving.world.database) {
        if row.email != STRANGER.0 {
            assert_eq!(row.external_id, moving.old[&row.email], "no row relinked");
        }
    }

    moving.import(&[]).await.assert_code(0);
    moving.assert_moved().await;
    moving.assert_rerun_changes_nothing().await;
}

#[tokio::test]
async fn sigint_mid_import_leaves_no_row_relinked_and_a_re_run_finishes_the_job() {
    let moving = moving().await;
    let held = moving.world.proxy.hold_from("AdminCreateUser", 3);
    let args = moving.args(&moving.file, &moving.target, &[]);
    let mut child = test_support::clean_command(support::XTASK)
        .args(&args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    held.wait_for(1).await;
    let killed = std::process::Command::new("kill")
        .args(["-INT", &child.id().unwrap().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().await.unwrap();
    held.release();
    assert!(!status.success(), "{status:?}");
    let rows = test_support::rows(&moving.world.database);
    for row in rows.iter().filter(|row| row.email != STRANGER.0) {
        assert_eq!(
            row.external_id, moving.old[&row.email],
            "no row relinked before every user exists"
        );
    }

    moving.import(&[]).await.assert_code(0);
    moving.assert_moved().await;
    moving.assert_rerun_changes_nothing().await;
}

#[tokio::test]
async fn bad_input_is_refused_before_anything_is_written() {
    let moving = moving().await;
    let (proxy, directory) = (&moving.world.proxy, moving.file.parent().unwrap());
    let whole = std::fs::read_to_string(&moving.file).unwrap();

    // The pool the file came from.
    let run = moving.import_with(&moving.file, &moving.world.pool_id, &[]).await;
    run.assert_code(1);
    assert!(
        run.stderr.contains("is the pool the file was exported from"),
        "{}",
        run.stderr
    );
    assert_eq!(test_support::mutations(proxy), Vec::<String>::new());

    // A pool given by ID counts as production: without a terminal, only --yes confirms.
    let args = moving.args(&moving.file, &moving.target, &[]);
    let args: Vec<&str> = args.iter().map(String::as_str).filter(|arg| *arg != "--yes").collect();
    let run = xtask(&args).await;
    run.assert_code(1);
    assert!(run.stderr.contains("run again with --yes to confirm"), "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "a pool named by --pool-id is treated as production (this tool cannot tell whether it is the \
             development environment's)"
        ) && run
            .stderr
            .contains("or with --env development if it is that environment's pool"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("is not the development environment's"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("create    staff@example.org"),
        "the plan is shown: {}",
        run.stderr
    );
    assert_eq!(test_support::mutations(proxy), Vec::<String>::new());

    // A truncated file, and a newer version: refused before any call.
    let truncated = directory.join("truncated.jsonl");
    let lines: Vec<&str> = whole.lines().collect();
    std::fs::write(&truncated, lines[..lines.len() - 1].join("\n") + "\n").unwrap();
    let newer = directory.join("newer.jsonl");
    std::fs::write(&newer, whole.replacen("\"version\":1", "\"version\":2", 1)).unwrap();
    for (file, says) in [(&truncated, "cut short"), (&newer, "is version 2")] {
        proxy.clear();
        let run = moving.import_with(file, &moving.target, &[]).await;
        run.assert_code(1);
        assert!(run.stderr.contains(says), "{}", run.stderr);
        assert!(run.stderr.contains(file.to_str().unwrap()), "{}", run.stderr);
        assert_eq!(proxy.calls(), Vec::new(), "no call");
    }

    // A database whose rows do not match the file: a row with another email than its user, shown; the import goes on.
    test_support::execute(
        &moving.world.database,
        "UPDATE public.credere_user SET email = 'renamed@example.org' WHERE email = 'new@example.org'",
    );
    let run = moving.import(&[]).await;
    run.assert_code(0);
    assert!(
        run.stderr
            .contains("note: its user in the file has the email new@example.org, not the row's"),
        "{}",
        run.stderr
    );
}

/// A target pool without the `custom:lender` attribute the file's lenders carry: the plan refuses, naming the
/// attribute, how many users carry it and the fix, before any write (AWS would refuse each AdminCreateUser, and the
/// emulator does too); once the attribute is added as the hint says, the same command imports.
#[tokio::test]
async fn a_target_pool_without_a_custom_attribute_the_users_carry_is_refused_before_any_write() {
    let moving = moving().await;
    let (sdk, proxy) = (&moving.world.sdk, &moving.world.proxy);
    let bare = test_support::create_pool(sdk, "credere-bare", &Default::default()).await;
    let rows = test_support::rows(&moving.world.database);
    proxy.clear();

    let run = moving.import_with(&moving.file, &bare, &[]).await;

    run.assert_code(1);
    assert!(
        run.stderr.contains(&format!(
            "pool {bare} (us-east-1) has no custom attribute that some of the file's users carry"
        )),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("custom:lender (2 user(s) to create)"),
        "{}",
        run.stderr
    );
    let hint = format!(
        "hint: add them to the target pool as the source pool has them, then run the same command again: aws \
         cognito-idp add-custom-attributes --region us-east-1 --user-pool-id {bare} --custom-attributes \
         Name=lender,AttributeDataType=String,Mutable=true"
    );
    assert!(run.stderr.contains(&hint), "{hint:?} missing from\n{}", run.stderr);
    assert_eq!(test_support::mutations(proxy), Vec::<String>::new());
    assert!(proxy.calls_of("AdminCreateUser").is_empty());
    assert_eq!(test_support::rows(&moving.world.database), rows);

    crate::users_export::add_lender_attribute(sdk, &bare).await;
    moving.import_with(&moving.file, &bare, &[]).await.assert_code(0);
    let listed = sdk.list_users().user_pool_id(&bare).send().await.unwrap();
    assert_eq!(listed.users().len(), PEOPLE.len());
}

/// On a terminal the plan is shown and the question asked: "no" writes nothing, to Cognito or the database;
/// "yes" imports as `--yes` does.
#[tokio::test]
async fn on_a_terminal_the_plan_is_shown_no_changes_nothing_and_yes_imports() {
    let moving = moving().await;
    let (url, mut received, server) = backend(200).await;
    let args = moving.args(&moving.file, &moving.target, &["--send-reset", "--backend-url", &url]);
    let args: Vec<&str> = args.iter().map(String::as_str).filter(|arg| *arg != "--yes").collect();
    let rows = test_support::rows(&moving.world.database);
    let writers = transaction_ids(&moving.world.database, "true");
    let emailed = format!(
        "  reset     credere-backend (POST {url}/users/forgot-password) emails a password-reset link to 4 enabled \
         user(s) with no password of their own in the target pool"
    );

    let mut terminal = test_support::Terminal::start(support::XTASK, &args, None);
    terminal.wait_for("create    staff@example.org").await;
    terminal.wait_for("relink    credere_user id").await;
    terminal.wait_for(&emailed).await;
    terminal
        .wait_for(&format!(
            "Move 5 user(s) into pool {}, relink 5 row(s) and have credere-backend email 4 user(s) a \
             password-reset link? Type yes to continue",
            moving.target
        ))
        .await;
    terminal.type_text("no\n").await;
    let (code, printed) = terminal.finish().await;
    assert_eq!(code, 1, "{printed}");
    assert!(printed.contains("not confirmed; nothing was changed"), "{printed}");
    assert_eq!(test_support::mutations(&moving.world.proxy), Vec::<String>::new());
    assert_eq!(test_support::rows(&moving.world.database), rows);
    assert_eq!(
        transaction_ids(&moving.world.database, "true"),
        writers,
        "no row rewritten"
    );
    assert!(received.try_recv().is_err(), "no reset requested");

    let mut terminal = test_support::Terminal::start(support::XTASK, &args, None);
    terminal.wait_for("Type yes to continue").await;
    terminal.type_text("yes\n").await;
    let (code, printed) = terminal.finish().await;
    assert_eq!(code, 0, "{printed}");
    moving.assert_moved().await;
    let mut asked = 0;
    while received.try_recv().is_ok() {
        asked += 1;
    }
    assert_eq!(asked, 4, "one reset per enabled user");

    // Everything is in place, and the resets alone are still asked about: emailing users is a change.
    let mut terminal = test_support::Terminal::start(support::XTASK, &args, None);
    terminal.wait_for("0 to create, 5 already there").await;
    terminal.wait_for("have credere-backend email 4 user(s)").await;
    terminal.type_text("no\n").await;
    let (code, printed) = terminal.finish().await;
    server.abort();
    assert_eq!(code, 1, "{printed}");
    assert!(received.try_recv().is_err(), "no reset requested after no");
}

/// On a terminal, planning an empty target pool draws no "0/0" bar (it reads no user), and the writes have their own
/// bar of users written.
#[tokio::test]
async fn on_a_terminal_planning_an_empty_pool_draws_no_bar_and_the_writes_have_their_own() {
    let moving = moving().await;
    let args = moving.args(&moving.file, &moving.target, &[]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();

    let (code, printed) = test_support::on_terminal(support::XTASK, &args, "").await;

    assert_eq!(code, 0, "{printed}");
    assert!(!printed.contains("0/0"), "{printed:?}");
    assert!(!printed.contains("users read"), "{printed:?}");
    assert!(printed.contains("/5 users written"), "{printed:?}");
    moving.assert_moved().await;
}

/// A credere-backend stand-in that answers every request with `status` and hands back each request's body.
async fn backend(
    status: u16,
) -> (
    String,
    tokio::sync::mpsc::UnboundedReceiver<String>,
    tokio::task::JoinHandle<()>,
) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let (sender, received) = tokio::sync::mpsc::unbounded_channel();
    let server = tokio::spawn(async move {
        loop {
            let (mut stream, _) = listener.accept().await.unwrap();
            let request = test_support::read_request(&mut stream).await;
            let (head, body) = request.split_once("\r\n\r\n").unwrap();
            assert!(head.starts_with("POST /users/forgot-password "), "{head}");
            test_support::answer(&mut stream, status).await;
            sender.send(body.to_owned()).unwrap();
        }
    });
    (format!("http://{address}"), received, server)
}

/// With `--send-reset`, after the relink credere-backend is asked once for each enabled user (none for the
/// disabled one); each answer is reported, and an answer that is not a success makes the exit code 1 after the
/// whole list, the import itself done.
#[tokio::test]
async fn send_reset_asks_the_backend_once_per_enabled_user_and_reports_each_answer() {
    let moving = moving().await;
    let mut enabled: Vec<String> = PEOPLE
        .iter()
        .filter(|person| person.enabled)
        .map(|person| serde_json::json!({ "username": person.email }).to_string())
        .collect();
    enabled.sort();

    let (url, mut received, server) = backend(200).await;
    let run = moving
        .import(&["--send-reset", "--backend-url", &url, "--output", "json"])
        .await;
    server.abort();
    run.assert_code(0);
    let mut bodies = Vec::new();
    while let Ok(body) = received.try_recv() {
        bodies.push(body);
    }
    bodies.sort();
    assert_eq!(bodies, enabled, "one POST per enabled user");
    moving.assert_moved().await;
    let report = run.json();
    let resets = report["resets"].as_array().expect("the resets are reported");
    let mut answered: Vec<(&str, &str, u64)> = resets
        .iter()
        .map(|reset| {
            (
                reset["email"].as_str().unwrap(),
                reset["outcome"].as_str().unwrap(),
                reset["status"].as_u64().unwrap(),
            )
        })
        .collect();
    let mut expected: Vec<(&str, &str, u64)> = PEOPLE
        .iter()
        .filter(|person| person.enabled)
        .map(|person| (person.email, "answered", 200))
        .collect();
    answered.sort();
    expected.sort();
    assert_eq!(answered, expected);

    // A backend failing every request: each is asked all the same, each failure shown, exit 1.
    let (url, mut received, server) = backend(500).await;
    let run = moving.import(&["--send-reset", "--backend-url", &url]).await;
    server.abort();
    run.assert_code(1);
    let mut asked = 0;
    while received.try_recv().is_ok() {
        asked += 1;
    }
    assert_eq!(asked, enabled.len());
    for person in PEOPLE.iter().filter(|person| person.enabled) {
        let line = format!("  reset     {}: NOT accepted: HTTP 500", person.email);
        assert!(run.stdout.contains(&line), "{line:?} missing from\n{}", run.stdout);
    }
    assert!(!run.stdout.contains("gone@example.org: "), "{}", run.stdout);
    // credere-backend already uses the new pool: the next step is the users', not a switch.
    assert!(
        run.stdout.contains("Next: each user whose reset was requested"),
        "{}",
        run.stdout
    );
    assert!(
        !run.stdout.contains("point credere-backend at the new pool"),
        "{}",
        run.stdout
    );

    // The staff member set a password in the new pool: a re-run emails the others only, and says so.
    let staff = moving.target_users().await["staff@example.org"]
        .username()
        .unwrap()
        .to_owned();
    moving
        .world
        .sdk
        .admin_set_user_password()
        .user_pool_id(&moving.target)
        .username(&staff)
        .password("A-long-Passw0rd!")
        .permanent(true)
        .send()
        .await
        .unwrap();
    let (url, mut received, server) = backend(200).await;
    let run = moving
        .import(&["--send-reset", "--backend-url", &url, "--output", "json"])
        .await;
    server.abort();
    run.assert_code(0);
    assert!(
        run.stderr
            .contains("emails a password-reset link to 3 enabled user(s) with no password of their own"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("not emailed: 1 enabled user(s) who set a password in the target pool (CONFIRMED)"),
        "{}",
        run.stderr
    );
    let mut bodies = Vec::new();
    while let Ok(body) = received.try_recv() {
        bodies.push(body);
    }
    bodies.sort();
    let mut expected: Vec<String> = PEOPLE
        .iter()
        .filter(|person| person.enabled && person.email != "staff@example.org")
        .map(|person| serde_json::json!({ "username": person.email }).to_string())
        .collect();
    expected.sort();
    assert_eq!(bodies, expected, "the CONFIRMED user is not emailed");
    let report = run.json();
    let staff_reset = report["resets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|reset| reset["email"] == "staff@example.org")
        .expect("the user not emailed is reported");
    assert_eq!(staff_reset["outcome"], "not_sent");
    assert_eq!(staff_reset["cognito_status"], "CONFIRMED");
}
