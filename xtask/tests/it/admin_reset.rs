//! `admin --send-reset` on an admin who has already set a password: credere-backend's forgot-password would
//! replace it (AdminSetUserPassword, Permanent=false), so it is not sent unless confirmed with `--yes` or, on a
//! terminal, by typing yes; and "Nothing to do" is never printed when a reset was sent.

use std::process::{Output, Stdio};

use admin_bootstrap::ResetOutcome;

/// An admin bootstrapped in the world's pool who then set their own password (status CONFIRMED).
async fn admin_with_own_password(world: &test_support::World) -> String {
    let email = test_support::email();
    let input = test_support::request(world, &email).validate().unwrap();
    admin_bootstrap::bootstrap(&input, &world.cognito)
        .await
        .expect("bootstrapping");
    world
        .sdk
        .admin_set_user_password()
        .user_pool_id(&world.pool_id)
        .username(&email)
        .password("Own-Passw0rd!")
        .permanent(true)
        .send()
        .await
        .expect("setting the admin's own password");
    email
}

fn admin_args(world: &test_support::World, email: &str, backend: &str) -> Vec<String> {
    [
        "admin",
        "--email",
        email,
        "--name",
        "Ada Admin",
        "--pool-id",
        &world.pool_id,
        "--database-url",
        world.database.url(),
        "--endpoint-url",
        &world.proxy.endpoint(),
        "--region",
        "us-east-1",
        "--send-reset",
        "--backend-url",
        backend,
    ]
    .map(str::to_owned)
    .to_vec()
}

async fn xtask(args: Vec<String>) -> (Option<i32>, String) {
    let output: Output = tokio::task::spawn_blocking(move || {
        test_support::clean_std_command(env!("CARGO_BIN_EXE_xtask"))
            .args(&args)
            .stdin(Stdio::null())
            .output()
            .expect("running xtask")
    })
    .await
    .unwrap();
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.code(), printed)
}

#[tokio::test]
async fn the_workflow_withholds_a_reset_that_would_replace_a_password_unless_confirmed() {
    let world = test_support::world().await;
    let email = admin_with_own_password(&world).await;
    let (backend, request) = test_support::one_request_server(200).await;
    let asked = admin_bootstrap::Request {
        reset_backend_url: Some(backend.clone()),
        ..test_support::request(&world, &email)
    };
    let report = admin_bootstrap::bootstrap(&asked.validate().unwrap(), &world.cognito)
        .await
        .unwrap();
    assert_eq!(
        report.password_reset,
        Some(ResetOutcome::NotSent {
            url: format!("{backend}/users/forgot-password"),
            cognito_status: "CONFIRMED".into(),
        })
    );
    // The POST waits for its answer, so a request sent during the run would have been answered by now.
    assert!(!request.is_finished(), "no request reached the backend");

    let confirmed = admin_bootstrap::Request {
        reset_confirmed: true,
        ..asked
    };
    let report = admin_bootstrap::bootstrap(&confirmed.validate().unwrap(), &world.cognito)
        .await
        .unwrap();
    assert!(
        report.password_reset.as_ref().is_some_and(ResetOutcome::succeeded),
        "{report:?}"
    );
    assert!(request.await.unwrap().starts_with("POST /users/forgot-password "));
}

#[tokio::test]
async fn without_a_terminal_it_is_refused_unless_yes_and_never_says_nothing_to_do() {
    let world = test_support::world().await;
    let email = admin_with_own_password(&world).await;
    let (backend, request) = test_support::one_request_server(200).await;

    let (code, printed) = xtask(admin_args(&world, &email, &backend)).await;
    assert_eq!(code, Some(1), "{printed}");
    assert!(printed.contains("Password reset NOT requested"), "{printed}");
    assert!(
        printed.contains("already set a password (Cognito status CONFIRMED)"),
        "{printed}"
    );
    assert!(printed.contains("run again with --yes"), "{printed}");
    assert!(!request.is_finished(), "no request reached the backend");

    let mut args = admin_args(&world, &email, &backend);
    args.push("--yes".into());
    let (code, printed) = xtask(args).await;
    assert_eq!(code, Some(0), "{printed}");
    assert!(printed.contains("Password reset requested"), "{printed}");
    assert!(
        printed.contains("emailed link, which carries a temporary password"),
        "{printed}"
    );
    assert!(printed.contains("already in place"), "{printed}");
    assert!(!printed.contains("Nothing to do"), "a reset was sent: {printed}");
    assert!(
        !printed.contains("code"),
        "credere-backend emails a link, not a code: {printed}"
    );
    request.await.unwrap();
}

#[tokio::test]
async fn on_a_terminal_it_asks_and_sends_on_yes() {
    let world = test_support::world().await;
    let email = admin_with_own_password(&world).await;
    let (backend, request) = test_support::one_request_server(200).await;
    let args = admin_args(&world, &email, &backend);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, printed) = crate::support::xtask_on_terminal(&args, "yes\n").await;
    assert_eq!(code, 0, "{printed}");
    assert!(printed.contains("Type yes to send it"), "it asked: {printed}");
    assert!(printed.contains("Password reset requested"), "{printed}");
    assert!(request.await.unwrap().starts_with("POST /users/forgot-password "));
}

/// A backend that received the reset request and then failed (HTTP 500) or never answered may already have replaced
/// the password: the report says so and what to do, rather than "NOT requested" (issue 19, item 17).
#[tokio::test]
async fn a_reset_the_backend_received_but_did_not_answer_well_may_have_replaced_the_password() {
    use tokio::io::AsyncReadExt;

    let world = test_support::world().await;
    let email = admin_with_own_password(&world).await;

    let (failing, request) = test_support::one_request_server(500).await;
    let mut args = admin_args(&world, &email, &failing);
    args.push("--yes".into());
    let (code, printed) = xtask(args).await;
    assert!(
        request.await.unwrap().contains(&email),
        "the backend received the request"
    );

    // A backend that reads the request and holds its answer until the test ends.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let silent = format!("http://{}", listener.local_addr().unwrap());
    let (release, released) = tokio::sync::oneshot::channel::<()>();
    let holder = tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        let mut received = vec![0u8; 4096];
        let read = stream.read(&mut received).await.unwrap();
        let _ = released.await;
        String::from_utf8_lossy(&received[..read]).into_owned()
    });
    let mut args = admin_args(&world, &email, &silent);
    args.push("--yes".into());
    let (silent_code, silent_printed) = xtask(args).await;
    release.send(()).unwrap();
    assert!(
        holder.await.unwrap().contains("forgot-password"),
        "the backend received the request"
    );

    for (code, printed) in [(code, printed), (silent_code, silent_printed)] {
        assert_eq!(code, Some(1), "{printed}");
        assert!(!printed.contains("NOT requested"), "{printed}");
        assert!(
            printed.contains("may already have replaced the password") && printed.contains("Forgot Password?"),
            "{printed}"
        );
    }
}
