//! `cargo xtask admin` as a maintainer runs it: settings from a credere-backend `.env`, the JSON report,
//! `--send-reset` against a local server, a re-run that changes nothing, and no password in any output.

#[path = "../../crates/admin-bootstrap/tests/support/mod.rs"]
mod support;

use std::process::{Command, Output};

fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("admin")
        .args(args)
        .env_remove("DATABASE_URL")
        .env_remove("COGNITO_POOL_ID")
        .output()
        .expect("running xtask")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test]
async fn bootstraps_from_an_env_file_prints_json_and_sends_the_reset() {
    let world = support::world().await;
    let email = support::email();
    // The test cluster trusts every connection, so the password only has to stay out of the output.
    let url = world.database.url().replacen("postgres@", "postgres:n0t-printed@", 1);
    assert!(url.contains("n0t-printed"), "testkit's URL changed shape: {url}");
    let dir = tempfile::tempdir().unwrap();
    let env_file = dir.path().join(".env");
    std::fs::write(
        &env_file,
        format!(
            "DATABASE_URL={url}\nCOGNITO_POOL_ID={}\nAWS_REGION=us-east-1\n",
            world.pool_id
        ),
    )
    .unwrap();
    let (backend, recorded) = support::one_request_server(200).await;
    let endpoint = world.proxy.endpoint();
    let env_file = env_file.to_str().unwrap();

    let args = [
        "--email",
        &email,
        "--name",
        "Ada Admin",
        "--env-file",
        env_file,
        "--endpoint-url",
        &endpoint,
        "--output",
        "json",
        "--send-reset",
        "--backend-url",
        &backend,
    ];
    let output = tokio::task::spawn_blocking({
        let args: Vec<String> = args.iter().map(|arg| arg.to_string()).collect();
        move || xtask(&args.iter().map(String::as_str).collect::<Vec<_>>())
    })
    .await
    .unwrap();
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert!(output.status.success(), "stdout: {stdout}\nstderr: {stderr}");
    let report: serde_json::Value = serde_json::from_str(stdout.trim()).expect("one JSON object");
    assert_eq!(report["email"], email.as_str());
    assert_eq!(report["cognito_user_created"], true);
    assert_eq!(report["row_created"], true);
    let row = &support::rows(&world.database)[0];
    assert_eq!(report["user_id"], row.id);
    assert_eq!(report["sub"], row.external_id.as_str());
    assert_eq!(report["password_reset"]["status"], 200);
    let request = recorded.await.unwrap();
    assert!(request.starts_with("POST /users/forgot-password "), "{request}");
    assert!(request.ends_with(&format!("{{\"username\":\"{email}\"}}")), "{request}");
    assert!(
        !stdout.contains("n0t-printed") && !stderr.contains("n0t-printed"),
        "the password was printed"
    );

    // A re-run, by flags this time, in text: nothing to do, exit 0.
    let pool_id = world.pool_id.clone();
    let output = tokio::task::spawn_blocking(move || {
        xtask(&[
            "--email",
            &email.to_uppercase(),
            "--name",
            "Ada Admin",
            "--pool-id",
            &pool_id,
            "--database-url",
            &url,
            "--endpoint-url",
            &endpoint,
        ])
    })
    .await
    .unwrap();
    let stdout = text(&output.stdout);
    assert!(output.status.success(), "{stdout}{}", text(&output.stderr));
    assert!(
        stdout.contains("user already existed") && stdout.contains("Nothing to do"),
        "{stdout}"
    );
    assert!(stdout.contains("Forgot Password?"), "the next step is shown: {stdout}");
    assert!(!stdout.contains("n0t-printed"), "the password was printed: {stdout}");
    assert_eq!(support::rows(&world.database).len(), 1);
}

#[test]
fn bad_input_exits_1_with_the_reason_before_any_call() {
    let output = xtask(&[
        "--email",
        "not-an-email",
        "--name",
        "Ada",
        "--pool-id",
        "us-east-1_Abc",
        "--database-url",
        "postgresql:///x",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("not a valid email address"), "{stderr}");
}

#[tokio::test]
async fn a_database_that_refuses_the_row_exits_1_before_any_cognito_call() {
    let world = support::world().await;
    let role = support::Role::create(&world.database, "GRANT SELECT ON public.credere_user TO {role};");
    let args: Vec<String> = [
        "--email",
        "reader@example.org",
        "--name",
        "Ada Admin",
        "--pool-id",
        &world.pool_id,
        "--database-url",
        role.url(),
        "--endpoint-url",
        &world.proxy.endpoint(),
    ]
    .iter()
    .map(|arg| arg.to_string())
    .collect();
    let output = tokio::task::spawn_blocking(move || xtask(&args.iter().map(String::as_str).collect::<Vec<_>>()))
        .await
        .unwrap();
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    for needle in [
        "cannot be written, so nothing was created in Cognito",
        "permission denied for table credere_user",
        "INSERT and UPDATE on public.credere_user",
    ] {
        assert!(stderr.contains(needle), "{needle:?} missing from: {stderr}");
    }
    assert_eq!(world.proxy.operations(), Vec::<String>::new(), "not one Cognito call");
    assert!(support::rows(&world.database).is_empty());
}
