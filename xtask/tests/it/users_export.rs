//! `cargo xtask users export` (issue 22, items 1, 4 and the export's part of 6): every user of a pool written as the
//! SDK reads it back, read-only, in as many ListUsers pages as the page size implies, within `--max-rps` and through
//! a throttling storm; `--out` checked before any call; a signal leaving nothing behind; the progress bar only on a
//! terminal.

use std::collections::{BTreeMap, BTreeSet};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::primitives::DateTime;
use aws_sdk_cognitoidentityprovider::types::{
    AttributeDataType, AttributeType, MessageActionType, SchemaAttributeType, UserType,
};
use testkit::{Fault, FaultKind};
use user_export::Export;

use crate::audit_rate::attempts;
use crate::support::{self, xtask};

/// The reads an export makes within its rate limit.
const LIMITED: [&str; 3] = ["ListUsers", "ListGroups", "ListUsersInGroup"];

fn attribute(name: &str, value: &str) -> AttributeType {
    AttributeType::builder().name(name).value(value).build().unwrap()
}

/// Creates a user without an invitation; returns its Username (its `sub`: the world's pool signs in by email).
async fn create_user(sdk: &Client, pool_id: &str, email: &str, extra: &[(&str, &str)]) -> String {
    let mut request = sdk
        .admin_create_user()
        .user_pool_id(pool_id)
        .username(email)
        .user_attributes(attribute("email", email))
        .message_action(MessageActionType::Suppress);
    for (name, value) in extra {
        request = request.user_attributes(attribute(name, value));
    }
    let created = request.send().await.unwrap();
    created.user().unwrap().username().unwrap().to_owned()
}

/// `users export` of `pool_id` through the proxy at `endpoint` into `out`, with `extra` flags.
async fn export(endpoint: &str, pool_id: &str, out: &Path, extra: &[&str]) -> support::Run {
    let args = [
        &[
            "users",
            "export",
            "--pool-id",
            pool_id,
            "--out",
            out.to_str().unwrap(),
            "--endpoint-url",
            endpoint,
        ][..],
        extra,
    ]
    .concat();
    xtask(&args).await
}

fn read(path: &Path) -> Export {
    user_export::read(std::io::BufReader::new(std::fs::File::open(path).unwrap()))
        .unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// Every user of the pool as the SDK lists them, by Username (unfiltered ListUsers, page by page).
async fn listed_by_sdk(sdk: &Client, pool_id: &str) -> BTreeMap<String, UserType> {
    let mut users = BTreeMap::new();
    let mut token = None;
    loop {
        let page = sdk
            .list_users()
            .user_pool_id(pool_id)
            .set_pagination_token(token)
            .send()
            .await
            .unwrap();
        for user in page.users() {
            users.insert(user.username().unwrap().to_owned(), user.clone());
        }
        token = page.pagination_token().map(str::to_owned);
        if token.is_none() {
            return users;
        }
    }
}

/// ListUsers pages of 60 for each of the sixteen `sub` prefixes: at least one page each.
fn pages_implied(subs: &[String]) -> usize {
    "0123456789abcdef"
        .chars()
        .map(|prefix| {
            subs.iter()
                .filter(|sub| sub.starts_with(prefix))
                .count()
                .div_ceil(60)
                .max(1)
        })
        .sum()
}

fn same_time(what: &str, file: Option<chrono::DateTime<chrono::Utc>>, sdk: Option<&DateTime>) {
    let (file, sdk) = (file.unwrap(), sdk.unwrap());
    assert_eq!(
        (file.timestamp(), file.timestamp_subsec_nanos()),
        (sdk.secs(), sdk.subsec_nanos()),
        "{what}"
    );
}

/// Gives the pool the `custom:lender` attribute (the spec has none), so that a custom attribute is exported and moved.
pub(crate) async fn add_lender_attribute(sdk: &Client, pool_id: &str) {
    sdk.add_custom_attributes()
        .user_pool_id(pool_id)
        .custom_attributes(
            SchemaAttributeType::builder()
                .name("lender")
                .attribute_data_type(AttributeDataType::String)
                .mutable(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn every_user_is_written_as_cognito_lists_it_and_nothing_is_written_to_cognito() {
    let world = test_support::world().await;
    let (sdk, pool_id) = (&world.sdk, world.pool_id.as_str());
    add_lender_attribute(sdk, pool_id).await;
    let verified = [("email_verified", "true")];
    let staff = create_user(sdk, pool_id, "staff@example.org", &verified).await;
    let lender = create_user(
        sdk,
        pool_id,
        "lender@example.org",
        &[("email_verified", "true"), ("custom:lender", "Banco \"Uno\" ñ")],
    )
    .await;
    let disabled = create_user(sdk, pool_id, "gone@example.org", &verified).await;
    let unverified = create_user(sdk, pool_id, "unverified@example.org", &[("email_verified", "false")]).await;
    // The staff member set a password: CONFIRMED; the others still hold a temporary one (FORCE_CHANGE_PASSWORD).
    sdk.admin_set_user_password()
        .user_pool_id(pool_id)
        .username(&staff)
        .password("A-long-Passw0rd!")
        .permanent(true)
        .send()
        .await
        .unwrap();
    sdk.admin_disable_user()
        .user_pool_id(pool_id)
        .username(&disabled)
        .send()
        .await
        .unwrap();
    for group in ["staff", "reviewers"] {
        sdk.create_group()
            .user_pool_id(pool_id)
            .group_name(group)
            .description(format!("Credere's {group}"))
            .precedence(1)
            .send()
            .await
            .unwrap();
    }
    for (user, group) in [(&staff, "staff"), (&staff, "reviewers"), (&lender, "reviewers")] {
        sdk.admin_add_user_to_group()
            .user_pool_id(pool_id)
            .username(user)
            .group_name(group)
            .send()
            .await
            .unwrap();
    }
    world.proxy.clear();
    let directory = tempfile::tempdir().unwrap();
    let out = directory.path().join("users.jsonl");

    let run = export(&world.proxy.endpoint(), pool_id, &out, &["--output", "json"]).await;

    run.assert_code(0);
    assert_eq!(test_support::mutations(&world.proxy), Vec::<String>::new(), "read-only");
    assert_eq!(
        testkit::file_names(directory.path()),
        ["users.jsonl"],
        "no temporary file left"
    );
    assert_eq!(std::fs::metadata(&out).unwrap().permissions().mode() & 0o777, 0o600);
    let file = read(&out);
    // The summary, and the calls it counts, as the proxy saw them (before the checks below read through it).
    let summary = run.json();
    assert_eq!(summary["pool_id"], pool_id);
    assert_eq!(summary["region"], "us-east-1");
    assert_eq!(
        (summary["users"].as_u64(), summary["groups"].as_u64()),
        (Some(4), Some(2))
    );
    assert_eq!(summary["reported_users"], 4);
    assert_eq!(summary["file"], out.to_str().unwrap());
    let calls: usize = LIMITED
        .iter()
        .map(|operation| world.proxy.calls_of(operation).len())
        .sum();
    assert_eq!(summary["calls"].as_u64(), Some(calls as u64));
    assert_eq!(world.proxy.calls_of("ListGroups").len(), 1);
    assert_eq!(world.proxy.calls_of("ListUsersInGroup").len(), 2, "one page per group");
    assert_eq!(world.proxy.calls_of("AdminListGroupsForUser").len(), 0);

    // Every user, every field, as the SDK reads them back.
    let listed = listed_by_sdk(sdk, pool_id).await;
    let usernames: Vec<&String> = file.users.iter().map(|user| &user.username).collect();
    assert_eq!(
        usernames,
        listed.keys().collect::<Vec<_>>(),
        "every user once, by username"
    );
    for user in &file.users {
        let sdk_user = &listed[&user.username];
        let attributes: Vec<(&str, Option<&str>)> = sdk_user
            .attributes()
            .iter()
            .map(|attribute| (attribute.name(), attribute.value()))
            .collect();
        let written: Vec<(&str, Option<&str>)> = user
            .attributes
            .iter()
            .map(|attribute| (attribute.name.as_str(), attribute.value.as_deref()))
            .collect();
        assert_eq!(written, attributes, "{}", user.username);
        assert_eq!(user.enabled, sdk_user.enabled(), "{}", user.username);
        assert_eq!(
            Some(user.status.as_str()),
            sdk_user.user_status().map(|status| status.as_str())
        );
        same_time("created", user.created, sdk_user.user_create_date());
        same_time("modified", user.last_modified, sdk_user.user_last_modified_date());
        let groups = sdk
            .admin_list_groups_for_user()
            .user_pool_id(pool_id)
            .username(&user.username)
            .send()
            .await
            .unwrap();
        let mut expected: Vec<&str> = groups.groups().iter().filter_map(|group| group.group_name()).collect();
        expected.sort_unstable();
        assert_eq!(user.groups, expected, "{}", user.username);
    }
    let by_name = |username: &str| file.users.iter().find(|user| user.username == username).unwrap();
    assert_eq!(
        (by_name(&staff).status.as_str(), by_name(&staff).groups.clone()),
        ("CONFIRMED", vec!["reviewers".to_owned(), "staff".to_owned()])
    );
    assert_eq!(by_name(&lender).status, "FORCE_CHANGE_PASSWORD");
    assert_eq!(by_name(&lender).attribute("custom:lender"), Some("Banco \"Uno\" ñ"));
    assert!(!by_name(&disabled).enabled);
    assert_eq!(by_name(&unverified).attribute("email_verified"), Some("false"));
    assert_eq!(by_name(&staff).attribute("sub"), Some(staff.as_str()));

    // The header: the pool, its count as reported, its groups and settings.
    let described = support::described_pool(sdk, pool_id).await;
    let header = &file.header;
    assert_eq!(header.pool.id, pool_id);
    assert_eq!(Some(header.pool.name.as_str()), described.name());
    assert_eq!(header.pool.region, "us-east-1");
    assert_eq!(header.pool.reported_users, described.estimated_number_of_users() as u64);
    assert_eq!(header.pool.reported_users, 4);
    let groups: BTreeSet<(&str, Option<&str>, Option<i32>)> = header
        .groups
        .iter()
        .map(|group| (group.name.as_str(), group.description.as_deref(), group.precedence))
        .collect();
    assert_eq!(
        groups,
        BTreeSet::from([
            ("reviewers", Some("Credere's reviewers"), Some(1)),
            ("staff", Some("Credere's staff"), Some(1))
        ])
    );
    let observed = world.cognito.observe(pool_id, "no such client").await.unwrap().observed;
    assert_eq!(header.settings, observed);
    assert_eq!(header.tool, user_export::TOOL);
}

/// Users in the large pool: about 62 a `sub` prefix, so some prefixes take two pages of 60.
const MANY: usize = 1_000;
/// The limit the throttled run is given.
const MAX_RPS: usize = 10;
/// How much earlier than sent an attempt may reach the proxy's log: the loopback's jitter.
const JITTER: Duration = Duration::from_millis(50);

#[tokio::test]
async fn a_thousand_users_take_the_pages_the_page_size_implies_within_max_rps_through_a_throttling_storm() {
    let world = test_support::world().await;
    let (sdk, pool_id) = (&world.sdk, world.pool_id.as_str());
    let mut subs = Vec::with_capacity(MANY);
    for index in 0..MANY {
        subs.push(create_user(sdk, pool_id, &format!("user-{index}@example.org"), &[]).await);
    }
    sdk.create_group()
        .user_pool_id(pool_id)
        .group_name("lenders")
        .send()
        .await
        .unwrap();
    // 130 members: three pages of ListUsersInGroup.
    for sub in &subs[..130] {
        sdk.admin_add_user_to_group()
            .user_pool_id(pool_id)
            .username(sub)
            .group_name("lenders")
            .send()
            .await
            .unwrap();
    }
    let implied = pages_implied(&subs);
    assert!(
        implied > 16,
        "some prefix holds more than one page of users: {implied} pages"
    );
    let endpoint = world.proxy.endpoint();
    let directory = tempfile::tempdir().unwrap();

    // Unthrottled: exactly the pages the page size implies, each asking for 60.
    world.proxy.clear();
    let out = directory.path().join("calm.jsonl");
    export(&endpoint, pool_id, &out, &["--max-rps", "100"])
        .await
        .assert_code(0);
    let list_users = world.proxy.calls_of("ListUsers");
    assert_eq!(list_users.len(), implied);
    assert!(
        list_users
            .iter()
            .all(|call| call.request_json().unwrap()["Limit"] == 60)
    );
    assert_eq!(world.proxy.calls_of("ListUsersInGroup").len(), 3);
    assert_eq!(read(&out).users.len(), MANY);

    // A storm: every second ListUsers attempt refused as over the quota, ListGroups and ListUsersInGroup throttled
    // several times in a row.
    world.proxy.clear();
    for nth in (2..=400).step_by(2) {
        world
            .proxy
            .inject(Fault::once("ListUsers", nth, FaultKind::TooManyRequests));
    }
    world.proxy.inject(Fault {
        times: 3,
        ..Fault::once("ListGroups", 1, FaultKind::Throttling)
    });
    world.proxy.inject(Fault {
        times: 4,
        ..Fault::once("ListUsersInGroup", 2, FaultKind::Throttling)
    });
    let out = directory.path().join("stormy.jsonl");
    let max_rps = MAX_RPS.to_string();
    let run = export(&endpoint, pool_id, &out, &["--max-rps", &max_rps, "--output", "json"]).await;

    run.assert_code(0);
    let file = read(&out);
    assert_eq!(file.users.len(), MANY, "complete");
    assert_eq!(file.users.iter().filter(|user| user.groups == ["lenders"]).count(), 130);
    let list_users = world.proxy.calls_of("ListUsers");
    let refused = list_users.iter().filter(|call| call.fault.is_some()).count();
    // Every page answered once, each second attempt refused in between.
    assert_eq!((list_users.len(), refused), (2 * implied - 1, implied - 1));
    assert_eq!(world.proxy.calls_of("ListGroups").len(), 4);
    assert_eq!(world.proxy.calls_of("ListUsersInGroup").len(), 3 + 4);
    assert_eq!(
        run.json()["calls"].as_u64(),
        Some((implied + 1 + 3) as u64),
        "pages, not attempts"
    );
    // The limit: any MAX_RPS + 1 attempts in a row, retries included, span a second.
    let attempts = attempts(world.proxy.calls(), &LIMITED);
    for window in attempts.windows(MAX_RPS + 1) {
        let span = window[MAX_RPS].started - window[0].started;
        assert!(
            span + JITTER >= Duration::from_secs(1),
            "{} attempts within {span:?}",
            MAX_RPS + 1
        );
    }
    assert_eq!(test_support::mutations(&world.proxy), Vec::<String>::new());
}

#[tokio::test]
async fn an_out_that_cannot_take_the_file_is_refused_before_any_call() {
    let proxy = support::proxy().await;
    let endpoint = proxy.endpoint();
    let directory = tempfile::tempdir().unwrap();
    let existing = directory.path().join("users.jsonl");
    std::fs::write(&existing, "the last good backup\n").unwrap();
    std::fs::set_permissions(&existing, std::fs::Permissions::from_mode(0o644)).unwrap();
    let missing = directory.path().join("no-such-directory").join("users.jsonl");
    let cases = [
        (missing.as_path(), "does not exist", "hint: create the directory"),
        (
            existing.as_path(),
            "exists already",
            "hint: pass another --out, or --force to replace the file",
        ),
        (
            directory.path(),
            "is a directory",
            "hint: pass --out with a file's path",
        ),
    ];
    for (out, error, hint) in cases {
        let run = export(&endpoint, "us-east-1_AbC123", out, &[]).await;
        run.assert_code(1);
        assert!(
            run.stderr.contains(error) && run.stderr.contains(hint),
            "{}",
            run.stderr
        );
        assert!(run.stderr.contains("nothing was read"), "{}", run.stderr);
        assert_eq!(proxy.calls(), Vec::new(), "no call for {}", out.display());
    }
    assert_eq!(std::fs::read_to_string(&existing).unwrap(), "the last good backup\n");
    assert_eq!(testkit::file_names(directory.path()), ["users.jsonl"]);

    // --force replaces it, owner-only whatever the old file's mode.
    let world = test_support::world().await;
    create_user(&world.sdk, &world.pool_id, "one@example.org", &[]).await;
    export(&world.proxy.endpoint(), &world.pool_id, &existing, &["--force"])
        .await
        .assert_code(0);
    assert_eq!(read(&existing).users.len(), 1);
    assert_eq!(
        std::fs::metadata(&existing).unwrap().permissions().mode() & 0o777,
        0o600
    );
}

#[tokio::test]
async fn a_signal_during_the_export_leaves_no_temporary_file_and_no_out() {
    for signal in ["-INT", "-TERM"] {
        let world = test_support::world().await;
        create_user(&world.sdk, &world.pool_id, "one@example.org", &[]).await;
        let held = world.proxy.hold("ListUsers");
        let directory = tempfile::tempdir().unwrap();
        let out = directory.path().join("users.jsonl");
        let mut child = test_support::clean_command(support::XTASK)
            .args(["users", "export", "--pool-id", &world.pool_id, "--out"])
            .arg(&out)
            .args(["--endpoint-url", &world.proxy.endpoint()])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Mid-export: the owner-only temporary file waits beside --out while the users are read.
        held.wait_for(1).await;
        let names = testkit::file_names(directory.path());
        assert!(
            names.len() == 1 && names[0].starts_with("users.jsonl.") && names[0].ends_with(".tmp"),
            "{names:?}"
        );

        let killed = std::process::Command::new("kill")
            .args([signal, &child.id().unwrap().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let status = child.wait().await.unwrap();
        held.release();
        let mut stderr = String::new();
        tokio::io::AsyncReadExt::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr)
            .await
            .unwrap();
        assert_eq!(status.code(), Some(130), "{signal}: {stderr}");
        assert!(
            stderr.contains("Interrupted; no temporary file left behind."),
            "{stderr}"
        );
        assert_eq!(testkit::file_names(directory.path()), Vec::<String>::new(), "{signal}");
    }
}

/// Whether `stderr` holds anything only a progress bar writes: a carriage return or an escape sequence.
fn has_bar_bytes(stderr: &str) -> bool {
    stderr.contains('\r') || stderr.contains('\u{1b}')
}

#[tokio::test]
async fn the_progress_bar_shows_on_a_terminal_only() {
    let world = test_support::world().await;
    let username = create_user(
        &world.sdk,
        &world.pool_id,
        "one@example.org",
        &[("email_verified", "true")],
    )
    .await;
    test_support::insert_row(&world.database, "one@example.org", &username, user_model::UserType::Fi);
    let directory = tempfile::tempdir().unwrap();
    let endpoint = world.proxy.endpoint();
    let out = |name: &str| directory.path().join(name).to_str().unwrap().to_owned();
    let export_args = |file: &str| {
        vec![
            "users".to_owned(),
            "export".into(),
            "--pool-id".into(),
            world.pool_id.clone(),
            "--out".into(),
            out(file),
            "--endpoint-url".into(),
            endpoint.clone(),
        ]
    };
    let audit_args = vec![
        "audit".to_owned(),
        "--pool-id".into(),
        world.pool_id.clone(),
        "--database-url".into(),
        world.database.url().to_owned(),
        "--endpoint-url".into(),
        endpoint.clone(),
    ];

    // stderr not a terminal: no bar bytes, in text output as in JSON.
    for (args, code) in [
        (export_args("piped.jsonl"), 0),
        (
            [
                &export_args("piped-json.jsonl")[..],
                &["--output".into(), "json".into()],
            ]
            .concat(),
            0,
        ),
        (audit_args.clone(), 0),
    ] {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = xtask(&args).await;
        run.assert_code(code);
        assert!(!has_bar_bytes(&run.stderr), "{args:?}: {:?}", run.stderr);
    }

    // On a terminal: the bar is there while the users are read (a ListUsers call held until it shows).
    for args in [export_args("terminal.jsonl"), audit_args] {
        let held = world.proxy.hold("ListUsers");
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let mut terminal = test_support::Terminal::start(support::XTASK, &args, None);
        terminal.wait_for("users read").await;
        held.release();
        let (code, printed) = terminal.finish().await;
        assert_eq!(code, 0, "{args:?}: {printed}");
        assert!(printed.contains("/1 users read"), "{printed}");
    }
    // With JSON output, on a terminal too, no bar.
    let args = [
        &export_args("terminal-json.jsonl")[..],
        &["--output".into(), "json".into()],
    ]
    .concat();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, printed) = test_support::on_terminal(support::XTASK, &args, "").await;
    assert_eq!(code, 0, "{printed}");
    assert!(
        !printed.contains("users read") && !printed.contains('\u{1b}'),
        "{printed:?}"
    );
}
