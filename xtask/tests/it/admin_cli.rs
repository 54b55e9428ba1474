//! `cargo xtask admin` as a maintainer runs it: settings from a credere-backend `.env`, the JSON report,
//! `--send-reset` against a local server, a re-run that changes nothing, and no password in any output.

use std::process::{Command, Output};

fn xtask(args: &[&str]) -> Output {
    test_support::clean_std_command(env!("CARGO_BIN_EXE_xtask"))
        .arg("admin")
        .args(args)
        .output()
        .expect("running xtask")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test]
async fn bootstraps_from_an_env_file_prints_json_and_sends_the_reset() {
    let world = test_support::world().await;
    let email = test_support::email();
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
    let (backend, recorded) = test_support::one_request_server(200).await;
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
        // A pool given by ID is treated as production: the bootstrap needs a yes.
        "--yes",
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
    let row = &test_support::rows(&world.database)[0];
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
    assert_eq!(test_support::rows(&world.database).len(), 1);
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
    let world = test_support::world().await;
    let role = test_support::Role::create(&world.database, "GRANT SELECT ON public.credere_user TO {role};");
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
    assert!(test_support::rows(&world.database).is_empty());
}

/// `cargo xtask ARGS` where no AWS credentials can be found: empty shared config and credentials files, a home of
/// its own, no credential variables, no instance metadata; region and endpoint given, so nothing leaves loopback.
fn without_credentials(args: &[&str]) -> Output {
    let home = tempfile::tempdir().unwrap();
    let empty = home.path().join("empty");
    std::fs::write(&empty, "").unwrap();
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .env_clear()
        .env("HOME", home.path())
        .env("AWS_CONFIG_FILE", &empty)
        .env("AWS_SHARED_CREDENTIALS_FILE", &empty)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .expect("running xtask")
}

fn hints(output: &Output) -> Vec<String> {
    let stderr = text(&output.stderr);
    stderr
        .lines()
        .filter(|line| line.starts_with("hint:"))
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn admin_and_provision_give_the_same_hint_without_credentials() {
    let world = test_support::world().await;
    let endpoint = world.proxy.endpoint();
    let url = world.database.url().to_owned();
    let pool_id = world.pool_id.clone();
    world.proxy.clear();
    let connection = ["--region", "us-east-1", "--endpoint-url", &endpoint];
    let admin: Vec<String> = [
        &["admin", "--email", &test_support::email(), "--name", "Ada Admin"][..],
        &["--pool-id", &pool_id, "--database-url", &url],
        &connection,
    ]
    .concat()
    .into_iter()
    .map(str::to_owned)
    .collect();
    let provision: Vec<String> = [&["provision", "--env", "development"][..], &connection]
        .concat()
        .into_iter()
        .map(str::to_owned)
        .collect();
    let (admin, provision) = tokio::task::spawn_blocking(move || {
        let run = |args: &[String]| without_credentials(&args.iter().map(String::as_str).collect::<Vec<_>>());
        (run(&admin), run(&provision))
    })
    .await
    .unwrap();

    for output in [&admin, &provision] {
        assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    }
    let hint = hints(&provision);
    assert_eq!(hint.len(), 1, "{}", text(&provision.stderr));
    assert!(hint[0].contains("no AWS credentials were found"), "{hint:?}");
    assert_eq!(hints(&admin), hint, "{}", text(&admin.stderr));
    // The SDK gave up before sending anything, and the row waiting for the Cognito step was rolled back.
    assert_eq!(world.proxy.operations(), Vec::<String>::new());
    assert_eq!(test_support::rows(&world.database), Vec::new());
}

/// `cargo xtask admin` for `email` with its settings from the `.env` at `path`, through `world`'s proxy.
async fn admin_reading(world: &test_support::World, path: &str, email: &str) -> Output {
    let args: Vec<String> = [
        "--email",
        email,
        "--name",
        "Ada Admin",
        "--env-file",
        path,
        "--endpoint-url",
        &world.proxy.endpoint(),
        // The file names a pool by ID, which is treated as production: confirmed.
        "--yes",
    ]
    .iter()
    .map(|arg| arg.to_string())
    .collect();
    tokio::task::spawn_blocking(move || xtask(&args.iter().map(String::as_str).collect::<Vec<_>>()))
        .await
        .unwrap()
}

fn env_file(content: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(".env");
    std::fs::write(&path, content).unwrap();
    let path = path.to_str().unwrap().to_owned();
    (dir, path)
}

#[tokio::test]
async fn lower_case_keys_are_read_as_credere_backend_reads_them() {
    // credere-backend's settings are pydantic-settings with its default `case_sensitive=False`.
    let world = test_support::world().await;
    let (_dir, path) = env_file(&format!(
        "database_url={}\ncognito_pool_id={}\naws_region=us-east-1\n",
        world.database.url(),
        world.pool_id
    ));
    let email = test_support::email();
    let output = admin_reading(&world, &path, &email).await;
    assert!(output.status.success(), "{}", text(&output.stderr));
    let rows = test_support::rows(&world.database);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].email, email);
    let created = world.proxy.calls_of("AdminCreateUser");
    assert_eq!(created.len(), 1);
    assert_eq!(created[0].request_json().unwrap()["UserPoolId"], world.pool_id.as_str());
}

#[tokio::test]
async fn two_spellings_of_a_key_with_different_values_are_refused_before_anything() {
    let world = test_support::world().await;
    let other = test_support::ddl_database();
    let (_dir, path) = env_file(&format!(
        "DATABASE_URL={}\nCOGNITO_POOL_ID={}\nAWS_REGION=us-east-1\ndatabase_url={}\n",
        world.database.url(),
        world.pool_id,
        other.url()
    ));
    let output = admin_reading(&world, &path, &test_support::email()).await;
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("DATABASE_URL (line 1) and database_url (line 4) with different values"),
        "{stderr}"
    );
    assert!(stderr.contains("keep one"), "{stderr}");
    assert!(!stderr.contains(other.url()), "values are not shown: {stderr}");
    assert_eq!(world.proxy.operations(), Vec::<String>::new(), "not one Cognito call");
    assert!(test_support::rows(&world.database).is_empty());
    assert!(test_support::rows(&other).is_empty());
}

#[tokio::test]
async fn without_aws_region_the_file_means_credere_backends_default_region() {
    let world = test_support::world().await;
    let (_dir, path) = env_file(&format!(
        "DATABASE_URL={}\nCOGNITO_POOL_ID={}\n",
        world.database.url(),
        world.pool_id
    ));
    let output = admin_reading(&world, &path, &test_support::email()).await;
    let stderr = text(&output.stderr);
    // The process's own AWS_REGION (us-east-1, the pool's) is not what credere-backend would use with this file.
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("sets no AWS_REGION, so credere-backend uses its default, us-west-2"),
        "{stderr}"
    );
    assert!(stderr.contains("us-west-2"), "{stderr}");
    assert_eq!(world.proxy.operations(), Vec::<String>::new(), "not one Cognito call");
    assert!(test_support::rows(&world.database).is_empty());
}
