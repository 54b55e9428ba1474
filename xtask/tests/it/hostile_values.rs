//! Issue 19 item 3: a value from the database or Cognito holding characters that act on a terminal (`\r`, ESC[8m,
//! U+202E, U+2028, NUL) cannot rewrite what a command prints. Every path that prints one shows it through
//! `pool_spec::Shown` (the audit's findings and administrators, `admin --relink`'s old external_id, the pool-name
//! mismatch error, the plan's `~ pool.tags` line), and `--output json` keeps it exact.

use aws_sdk_cognitoidentityprovider::types::AttributeType;
use pool_spec::{Shown, Tags};
use user_model::UserType;

use crate::support::{proxy, sdk, xtask};

/// What a hostile row holds: `\r` back to the line's start, a fake summary, ESC[8m (hide what follows), a
/// right-to-left override and a line separator. PostgreSQL text holds no NUL; Cognito's values add one.
const HOSTILE: &str = "\rNo findings.\u{1b}[8m\u{202e}gro.elpmaxe\u{2028}";

fn from_cognito() -> String {
    format!("{HOSTILE}\0")
}

/// Nothing printed acts on the terminal: every character but the line ends (and `\\`, which `Shown` doubles only
/// so that what it shows reads back) shows as itself.
#[track_caller]
fn assert_inert(what: &str, printed: &str) {
    for character in printed.chars().filter(|character| !matches!(character, '\n' | '\\')) {
        let alone = character.to_string();
        assert_eq!(
            Shown(&alone).to_string(),
            alone,
            "{what} printed {character:?} raw:\n{printed:?}"
        );
    }
}

/// `value` as `Shown` writes it, which the output must contain.
fn shown(value: &str) -> String {
    Shown(value).to_string()
}

#[tokio::test]
async fn the_audit_shows_hostile_emails_and_external_ids_escaped_and_json_keeps_them() {
    let world = test_support::world().await;
    // Usernames not emails, so the email attribute can differ from the sign-in name.
    let pool_id = world
        .sdk
        .create_user_pool()
        .pool_name(testkit::unique_name("hostile"))
        .send()
        .await
        .unwrap()
        .user_pool
        .and_then(|pool| pool.id)
        .unwrap();
    let cognito_email = from_cognito();
    let attribute = AttributeType::builder()
        .name("email")
        .value(&cognito_email)
        .build()
        .unwrap();
    let username = world
        .sdk
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username("mismatch@example.org")
        .user_attributes(attribute)
        .send()
        .await
        .unwrap()
        .user
        .and_then(|user| user.username)
        .unwrap();
    let row_email = format!("mismatch{HOSTILE}@example.org");
    let mismatch = test_support::insert_row(&world.database, &row_email, &username, UserType::Fi);
    let admin_email = format!("admin{HOSTILE}@example.org");
    let orphan = test_support::insert_row(&world.database, &admin_email, HOSTILE, UserType::Ocp);
    let endpoint = world.proxy.endpoint();
    let args = [
        "audit",
        "--pool-id",
        &pool_id,
        "--database-url",
        world.database.url(),
        "--endpoint-url",
        &endpoint,
    ];

    let text = xtask(&args).await;
    text.assert_code(2);
    assert_inert("audit", &text.stdout);
    for value in [&row_email, &admin_email, &cognito_email, HOSTILE] {
        assert!(
            text.stdout.contains(&shown(value)),
            "{} missing in:\n{}",
            shown(value),
            text.stdout
        );
    }
    assert!(text.stdout.contains("finding(s):"), "{}", text.stdout);

    let json = xtask(&[&args[..], &["--output", "json"]].concat()).await;
    json.assert_code(2);
    let report = json.json();
    let finding = |row: i32| {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|finding| finding["row_id"] == row)
            .unwrap_or_else(|| panic!("no finding on row {row}: {report:#}"))
            .clone()
    };
    assert_eq!(finding(mismatch.id)["email"], row_email.as_str());
    assert!(
        finding(mismatch.id)["detail"]
            .as_str()
            .unwrap()
            .contains(&cognito_email)
    );
    assert_eq!(finding(orphan.id)["email"], admin_email.as_str());
    assert!(finding(orphan.id)["detail"].as_str().unwrap().contains(HOSTILE));
    assert_eq!(report["admins"][0]["email"], admin_email.as_str());
    assert_eq!(report["admins"][0]["username"], HOSTILE);
}

#[tokio::test]
async fn admin_relink_shows_the_old_hostile_external_id_escaped_and_json_keeps_it() {
    let world = test_support::world().await;
    let endpoint = world.proxy.endpoint();
    let relink = |email: &'static str, output: &'static str| {
        let (pool_id, database) = (world.pool_id.clone(), world.database.url().to_owned());
        let endpoint = endpoint.clone();
        async move {
            xtask(&[
                "admin",
                "--email",
                email,
                "--name",
                "Ada",
                "--pool-id",
                &pool_id,
                "--database-url",
                &database,
                "--endpoint-url",
                &endpoint,
                "--relink",
                "--yes",
                "--output",
                output,
            ])
            .await
        }
    };
    test_support::insert_row(&world.database, "text@example.org", HOSTILE, UserType::Ocp);
    let text = relink("text@example.org", "text").await;
    text.assert_code(0);
    assert_inert("admin --relink", &text.output());
    assert!(
        text.stdout
            .contains(&format!("relinked  external_id {} -> ", shown(HOSTILE))),
        "{}",
        text.stdout
    );

    test_support::insert_row(&world.database, "json@example.org", HOSTILE, UserType::Ocp);
    let json = relink("json@example.org", "json").await;
    json.assert_code(0);
    assert_eq!(json.json()["relinked_from"], HOSTILE);
}

#[tokio::test]
async fn a_hostile_pool_name_in_the_mismatch_error_is_shown_escaped() {
    let proxy = proxy().await;
    let name = format!("credere{}", from_cognito());
    let pool_id = test_support::create_pool(&sdk(&proxy).await, &name, &Tags::new()).await;
    let endpoint = proxy.endpoint();
    let run = xtask(&[
        "audit",
        "--env",
        "development",
        "--pool-id",
        &pool_id,
        "--database-url",
        "postgresql://localhost/unused",
        "--endpoint-url",
        &endpoint,
    ])
    .await;
    run.assert_code(1);
    assert_inert("the pool-name mismatch", &run.output());
    assert!(
        run.stderr
            .contains(&format!("is named `{}`, not `credere`", shown(&name))),
        "{}",
        run.stderr
    );
}

#[tokio::test]
async fn a_hostile_tag_value_cannot_rewrite_the_plan_and_json_keeps_it() {
    let proxy = proxy().await;
    let value = from_cognito();
    let tags = Tags::from([("note".to_owned(), value.clone())]);
    test_support::create_pool(&sdk(&proxy).await, "credere", &tags).await;
    let endpoint = proxy.endpoint();
    let check = [
        "provision",
        "--env",
        "development",
        "--check",
        "--endpoint-url",
        &endpoint,
    ];

    let text = xtask(&check).await;
    text.assert_code(2);
    assert_inert("the plan", &text.stdout);
    assert!(
        text.stdout
            .lines()
            .any(|line| line.starts_with("  ~ pool.tags: ") && line.contains(&shown(&format!("note={value}")))),
        "{}",
        text.stdout
    );

    let json = xtask(&[&check[..], &["--output", "json"]].concat()).await;
    json.assert_code(2);
    let report = json.json();
    let tags = report["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|change| change["field"] == "pool.tags")
        .unwrap_or_else(|| panic!("no pool.tags change: {report:#}"));
    assert!(tags["current"].as_str().unwrap().contains(&value), "{tags:#}");
}
