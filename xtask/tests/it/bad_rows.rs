//! Issue 19 item 17 (its row parts): one `credere_user` row holding a value outside the model's vocabularies (a
//! language other than es/en, a `usertype` label a newer credere-backend added) does not fail the whole command.
//! `audit` reports the row as a finding; `admin` for that row's email names the row, the value and the fix.

use user_model::UserType;

use crate::support::xtask;

#[tokio::test]
async fn an_unknown_usertype_label_is_a_finding_on_its_row_not_a_failed_audit() {
    let world = test_support::world().await;
    test_support::execute(&world.database, "ALTER TYPE public.usertype ADD VALUE 'AUDITOR'");
    let known = test_support::insert_row(&world.database, "known@example.org", "u-known", UserType::Ocp);
    test_support::execute(
        &world.database,
        "INSERT INTO public.credere_user (type, language, email, name, external_id) \
         VALUES ('AUDITOR', 'es', 'auditor@example.org', 'A', 'u-auditor')",
    );
    let endpoint = world.proxy.endpoint();
    let args = [
        "audit",
        "--pool-id",
        &world.pool_id,
        "--database-url",
        world.database.url(),
        "--endpoint-url",
        &endpoint,
    ];
    let run = xtask(&[&args[..], &["--output", "json"]].concat()).await;
    run.assert_code(2);
    let report = run.json();
    assert_eq!(report["rows"], 2);
    let kinds: Vec<(&str, &str)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|finding| (finding["kind"].as_str().unwrap(), finding["email"].as_str().unwrap()))
        .collect();
    assert!(
        kinds.contains(&("unknown-user-type", "auditor@example.org")),
        "{report:#}"
    );
    // The row is still compared with Cognito, and the known administrator is listed.
    assert!(
        kinds.contains(&("row-without-cognito-user", "auditor@example.org")),
        "{report:#}"
    );
    assert_eq!(report["admins"].as_array().unwrap().len(), 1);
    assert_eq!(report["admins"][0]["row_id"], known.id);
    let unknown = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|finding| finding["kind"] == "unknown-user-type")
        .unwrap();
    assert!(unknown["detail"].as_str().unwrap().contains("AUDITOR"), "{unknown:#}");

    let text = xtask(&args).await;
    text.assert_code(2);
    assert!(text.stdout.contains("unknown-user-type"), "{}", text.stdout);
}

#[tokio::test]
async fn admin_names_the_row_its_unknown_language_and_the_fix() {
    let world = test_support::world().await;
    test_support::execute(
        &world.database,
        "INSERT INTO public.credere_user (type, language, email, name, external_id) \
         VALUES ('OCP', 'fr', 'french@example.org', 'F', 'u-french')",
    );
    let endpoint = world.proxy.endpoint();
    let run = xtask(&[
        "admin",
        "--email",
        "french@example.org",
        "--name",
        "F",
        "--pool-id",
        &world.pool_id,
        "--database-url",
        world.database.url(),
        "--endpoint-url",
        &endpoint,
    ])
    .await;
    run.assert_code(1);
    for needle in [
        "credere_user row 1",
        "language 'fr'",
        "es, en",
        "UPDATE public.credere_user SET language",
    ] {
        assert!(run.stderr.contains(needle), "{needle:?} missing:\n{}", run.stderr);
    }
    assert_eq!(test_support::mutations(&world.proxy), Vec::<String>::new());
}
