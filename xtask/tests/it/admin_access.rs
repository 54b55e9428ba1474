//! `admin disable`, `admin enable` and `admin reset-mfa` against the emulator, through the recording proxy: the
//! writes each makes (and, run again, does not make), the production guard, a user who does not exist, the
//! `credere_user` row left alone, and, after `reset-mfa` in a pool that requires MFA, a sign-in that really
//! answers `MFA_SETUP`.

use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, ChallengeNameType, ExplicitAuthFlowsType, MessageActionType, SoftwareTokenMfaConfigType,
    SoftwareTokenMfaSettingsType, UserPoolMfaType,
};
use test_support::World;
use user_model::UserType;

/// A world with one user in its pool: the world, the user's email and their Cognito Username.
async fn world_with_user() -> (World, String, String) {
    let world = test_support::world().await;
    let email = test_support::email();
    let username = user_in(&world, &world.pool_id, &email).await;
    (world, email, username)
}

/// A user of one of the world's pools, with a temporary password; returns their Cognito Username.
async fn user_in(world: &World, pool_id: &str, email: &str) -> String {
    let output = world
        .sdk
        .admin_create_user()
        .user_pool_id(pool_id)
        .username(email)
        .message_action(MessageActionType::Suppress)
        .temporary_password("Temp-Passw0rd!")
        .send()
        .await
        .expect("creating a user");
    let username = output.user().and_then(|user| user.username()).unwrap().to_owned();
    world.proxy.clear();
    username
}

/// `admin ARGS --endpoint-url … --region us-east-1`, and `--pool-id …` unless ARGS name an environment.
fn admin_args(world: &World, args: &[&str]) -> Vec<String> {
    let mut all: Vec<String> = ["admin"].iter().chain(args).map(|arg| (*arg).to_owned()).collect();
    all.extend([
        "--endpoint-url".into(),
        world.proxy.endpoint(),
        "--region".into(),
        "us-east-1".into(),
    ]);
    if !args.contains(&"--env") {
        all.extend(["--pool-id".into(), world.pool_id.clone()]);
    }
    all
}

/// `xtask admin ARGS` for the world (see [`admin_args`]), stdin closed.
async fn admin(world: &World, args: &[&str]) -> (i32, String) {
    let all = admin_args(world, args);
    let all: Vec<&str> = all.iter().map(String::as_str).collect();
    let run = crate::support::xtask(&all).await;
    (run.code, run.output())
}

/// Runs `admin ARGS` and returns the writes it made, after checking its exit code; clears the recording.
async fn writes_of(world: &World, args: &[&str], code: i32) -> (Vec<String>, String) {
    let (exit, printed) = admin(world, args).await;
    assert_eq!(exit, code, "admin {}: {printed}", args.join(" "));
    let writes = test_support::mutations(&world.proxy);
    world.proxy.clear();
    (writes, printed)
}

async fn enabled(world: &World, email: &str) -> bool {
    world
        .sdk
        .admin_get_user()
        .user_pool_id(&world.pool_id)
        .username(email)
        .send()
        .await
        .unwrap()
        .enabled()
}

#[tokio::test]
async fn disable_and_enable_make_their_calls_once_and_leave_the_row_alone() {
    let (world, email, username) = world_with_user().await;
    test_support::insert_row(&world.database, &email, &username, UserType::Ocp);
    let rows = test_support::rows(&world.database);

    let (writes, printed) = writes_of(&world, &["disable", "--email", &email, "--yes"], 0).await;
    // Sign-out first: AWS answers it with "User is disabled." once the user is disabled.
    assert_eq!(writes, ["AdminUserGlobalSignOut", "AdminDisableUser"], "{printed}");
    assert!(printed.contains("the credere_user row is left as it is"), "{printed}");
    assert!(!enabled(&world, &email).await);
    // The second run makes no call: disabling already revoked the tokens.
    let (writes, printed) = writes_of(&world, &["disable", "--email", &email, "--yes"], 0).await;
    assert!(writes.is_empty(), "{writes:?}");
    assert!(
        printed.contains("Nothing to do: the user is already disabled"),
        "{printed}"
    );

    let (writes, printed) = writes_of(&world, &["enable", "--email", &email, "--yes"], 0).await;
    assert_eq!(writes, ["AdminEnableUser"], "{printed}");
    assert!(enabled(&world, &email).await);
    let (writes, printed) = writes_of(&world, &["enable", "--email", &email, "--yes"], 0).await;
    assert!(writes.is_empty(), "{writes:?}");
    assert!(printed.contains("Nothing to do"), "{printed}");

    assert_eq!(test_support::rows(&world.database), rows, "the row is untouched");
}

/// Whether AWS refuses AdminUserGlobalSignOut on a disabled user is undocumented (reported for other admin calls):
/// `disable` exits 0, twice, whichever way it answers, and a run that stopped between its two calls is finished
/// by the next one.
#[tokio::test]
async fn disable_succeeds_and_reruns_whether_or_not_aws_refuses_to_sign_out_a_disabled_user() {
    for lenient in [&[][..], &["sign-out-disabled-user"][..]] {
        let (world, email, _) = world_with_user().await;
        world.proxy.lenient(lenient);
        // Failing every attempt the SDK's retries make.
        world.proxy.inject(testkit::Fault {
            times: 10,
            ..testkit::Fault::once("AdminDisableUser", 1, testkit::FaultKind::ServerError)
        });
        let (mut writes, printed) = writes_of(&world, &["disable", "--email", &email, "--yes"], 1).await;
        // The sign-out went through; every attempt at the disable was answered by the injected fault.
        writes.dedup();
        assert_eq!(
            writes,
            ["AdminUserGlobalSignOut", "AdminDisableUser"],
            "{lenient:?}: {printed}"
        );
        assert!(printed.contains("run the same command again to finish"), "{printed}");
        assert!(enabled(&world, &email).await, "{lenient:?}");
        for run in 0..2 {
            let (writes, printed) = writes_of(&world, &["disable", "--email", &email, "--yes"], 0).await;
            let expected: &[&str] = if run == 0 {
                &["AdminUserGlobalSignOut", "AdminDisableUser"]
            } else {
                &[]
            };
            assert_eq!(writes, expected, "{lenient:?} run {run}: {printed}");
        }
        assert!(!enabled(&world, &email).await, "{lenient:?}");
    }
}

/// What AdminDeleteSoftwareToken answers for a user with no authenticator is undocumented: `reset-mfa` exits 0
/// whether it succeeds or answers ResourceNotFoundException, and does not call that "no such pool".
#[tokio::test]
async fn reset_mfa_of_a_user_without_an_authenticator_succeeds_whichever_way_aws_answers() {
    for refused in [false, true] {
        let (world, email, _) = world_with_user().await;
        if refused {
            world.proxy.inject(testkit::Fault::once(
                "AdminDeleteSoftwareToken",
                1,
                testkit::FaultKind::Refused {
                    code: "ResourceNotFoundException",
                    message: "Software token not found",
                },
            ));
        }
        let (writes, printed) = writes_of(&world, &["reset-mfa", "--email", &email, "--yes"], 0).await;
        assert_eq!(writes, ["AdminDeleteSoftwareToken"], "{printed}");
        assert!(!printed.contains("no user pool `"), "{printed}");
        assert_eq!(
            printed.contains("there was nothing to delete"),
            refused,
            "refused {refused}: {printed}"
        );
    }
}

#[tokio::test]
async fn each_write_names_the_users_cognito_username_in_the_pool() {
    let (world, email, username) = world_with_user().await;
    admin(&world, &["disable", "--email", &email, "--yes"]).await;
    for operation in ["AdminDisableUser", "AdminUserGlobalSignOut"] {
        let calls = world.proxy.calls_of(operation);
        assert_eq!(calls.len(), 1, "{operation}");
        let request = calls[0].request_json().unwrap();
        assert_eq!(request["UserPoolId"], world.pool_id.as_str(), "{operation}");
        assert_eq!(request["Username"], username.as_str(), "{operation}");
    }
}

#[tokio::test]
async fn without_a_terminal_a_pool_that_may_be_production_is_refused_with_no_write() {
    let (world, email, _) = world_with_user().await;
    for args in [vec!["disable", "--email", &email], vec!["reset-mfa", "--email", &email]] {
        let (writes, printed) = writes_of(&world, &args, 1).await;
        assert!(writes.is_empty(), "{args:?}: {writes:?}");
        assert!(
            printed.contains("--yes") && printed.contains("Nothing was changed"),
            "{printed}"
        );
        // It showed what it would have done first.
        assert!(printed.contains(&format!("pool      {}", world.pool_id)), "{printed}");
    }
    assert!(enabled(&world, &email).await);
}

#[tokio::test]
async fn the_development_pool_needs_no_confirmation() {
    let world = test_support::world().await;
    let spec = pool_spec::development();
    let pool_id = test_support::create_pool(&world.sdk, &spec.pool.name, &spec.tags).await;
    let email = test_support::email();
    user_in(&world, &pool_id, &email).await;
    let (writes, printed) = writes_of(&world, &["disable", "--email", &email, "--env", "development"], 0).await;
    assert_eq!(writes, ["AdminUserGlobalSignOut", "AdminDisableUser"], "{printed}");
    assert!(printed.contains("the development environment's"), "{printed}");
}

#[tokio::test]
async fn on_a_terminal_it_asks_and_only_yes_changes_anything() {
    let (world, email, _) = world_with_user().await;
    for (answer, code, writes) in [("no\n", 1, 0), ("yes\n", 0, 2)] {
        let args = admin_args(&world, &["disable", "--email", &email]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (exit, printed) = crate::support::xtask_on_terminal(&args, answer).await;
        assert_eq!(exit, code, "{answer:?}: {printed}");
        assert!(printed.contains("Type yes to continue"), "it asked: {printed}");
        assert_eq!(
            test_support::mutations(&world.proxy).len(),
            writes,
            "{answer:?}: {printed}"
        );
        world.proxy.clear();
    }
    assert!(!enabled(&world, &email).await);
}

#[tokio::test]
async fn a_user_who_does_not_exist_is_an_error_with_no_write() {
    let world = test_support::world().await;
    for operation in ["disable", "enable", "reset-mfa"] {
        let (writes, printed) = writes_of(&world, &[operation, "--email", "nobody@example.org", "--yes"], 1).await;
        assert!(writes.is_empty(), "{operation}: {writes:?}");
        assert!(
            printed.contains("has no Cognito user with email \"nobody@example.org\"")
                && printed.contains("nothing was changed"),
            "{printed}"
        );
    }
}

/// The app client credere-backend uses (with a secret) and MFA required with authenticator apps, as the specs have it.
async fn require_totp(world: &World) -> (String, String) {
    world
        .sdk
        .set_user_pool_mfa_config()
        .user_pool_id(&world.pool_id)
        .software_token_mfa_configuration(SoftwareTokenMfaConfigType::builder().enabled(true).build())
        .mfa_configuration(UserPoolMfaType::On)
        .send()
        .await
        .unwrap();
    let client = world
        .sdk
        .create_user_pool_client()
        .user_pool_id(&world.pool_id)
        .client_name("credere-backend")
        .generate_secret(true)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .send()
        .await
        .unwrap();
    let client = client.user_pool_client().unwrap();
    (
        client.client_id().unwrap().to_owned(),
        client.client_secret().unwrap().to_owned(),
    )
}

/// credere-backend's SECRET_HASH: base64(HMAC-SHA256(client secret, username + client id)).
fn secret_hash(secret: &str, username: &str, client_id: &str) -> String {
    testkit::run_python(
        "import base64, hashlib, hmac, sys; secret, message = sys.stdin.read().split('\\n', 1); \
         print(base64.b64encode(hmac.new(secret.encode(), message.encode(), hashlib.sha256).digest()).decode(), end='')",
        &[],
        &format!("{secret}\n{username}{client_id}"),
    )
}

/// What "Forgot Password?" then the create-password page do in credere-backend: a temporary password
/// (AdminSetUserPassword, Permanent=false), sign-in with it (USER_PASSWORD_AUTH → NEW_PASSWORD_REQUIRED), a
/// new password; returns the challenge Cognito answers that with (`MFA_SETUP` when a new authenticator is needed)
/// and its session.
async fn reset_password_and_sign_in(
    world: &World,
    client: &(String, String),
    email: &str,
) -> (Option<ChallengeNameType>, String) {
    let (client_id, secret) = client;
    let hash = secret_hash(secret, email, client_id);
    world
        .sdk
        .admin_set_user_password()
        .user_pool_id(&world.pool_id)
        .username(email)
        .password("Tmp-Reset-123abc")
        .permanent(false)
        .send()
        .await
        .unwrap();
    let started = world
        .sdk
        .initiate_auth()
        .client_id(client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", email)
        .auth_parameters("PASSWORD", "Tmp-Reset-123abc")
        .auth_parameters("SECRET_HASH", &hash)
        .send()
        .await
        .unwrap();
    assert_eq!(started.challenge_name(), Some(&ChallengeNameType::NewPasswordRequired));
    let answered = world
        .sdk
        .respond_to_auth_challenge()
        .client_id(client_id)
        .challenge_name(ChallengeNameType::NewPasswordRequired)
        .session(started.session().unwrap())
        .challenge_responses("USERNAME", email)
        .challenge_responses("NEW_PASSWORD", "New-Passw0rd-xyz")
        .challenge_responses("SECRET_HASH", &hash)
        .send()
        .await
        .unwrap();
    (
        answered.challenge_name().cloned(),
        answered.session().unwrap_or_default().to_owned(),
    )
}

#[tokio::test]
async fn after_reset_mfa_the_next_sign_in_sets_up_a_new_authenticator() {
    let (world, email, _) = world_with_user().await;
    let client = require_totp(&world).await;
    // The admin's first sign-in registers an authenticator, which is then their active factor.
    let (challenge, session) = reset_password_and_sign_in(&world, &client, &email).await;
    assert_eq!(challenge, Some(ChallengeNameType::MfaSetup));
    let associated = world
        .sdk
        .associate_software_token()
        .session(session)
        .send()
        .await
        .unwrap();
    world
        .sdk
        .verify_software_token()
        .session(associated.session().unwrap())
        .user_code("123456")
        .send()
        .await
        .unwrap();
    world
        .sdk
        .admin_set_user_mfa_preference()
        .user_pool_id(&world.pool_id)
        .username(&email)
        .software_token_mfa_settings(
            SoftwareTokenMfaSettingsType::builder()
                .enabled(true)
                .preferred_mfa(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
    // With the authenticator in place, a password reset alone does not ask for a new one.
    let (challenge, _) = reset_password_and_sign_in(&world, &client, &email).await;
    assert_ne!(challenge, Some(ChallengeNameType::MfaSetup));
    world.proxy.clear();

    let (writes, printed) = writes_of(&world, &["reset-mfa", "--email", &email, "--yes"], 0).await;
    assert_eq!(writes, ["AdminDeleteSoftwareToken"], "{printed}");
    assert!(
        printed.contains("authenticator app (TOTP) activated"),
        "it showed the state first: {printed}"
    );
    let (challenge, _) = reset_password_and_sign_in(&world, &client, &email).await;
    assert_eq!(
        challenge,
        Some(ChallengeNameType::MfaSetup),
        "the next sign-in sets up a new authenticator"
    );

    // Run again: the same harmless delete, and the user still sets up a new authenticator.
    world.proxy.clear();
    let (writes, printed) = writes_of(&world, &["reset-mfa", "--email", &email, "--yes"], 0).await;
    assert_eq!(writes, ["AdminDeleteSoftwareToken"], "{printed}");
    assert!(printed.contains("no activated MFA factor listed"), "{printed}");
}

#[tokio::test]
async fn reset_mfa_with_send_reset_asks_credere_backend_for_the_email() {
    let (world, email, _) = world_with_user().await;
    let (backend, request) = test_support::one_request_server(200).await;
    let send_reset = |backend: &str| {
        let args = [
            "reset-mfa",
            "--email",
            &email,
            "--yes",
            "--send-reset",
            "--backend-url",
            backend,
        ];
        args.map(str::to_owned)
    };
    let (writes, printed) = writes_of(&world, &send_reset(&backend).each_ref().map(String::as_str), 0).await;
    assert_eq!(writes, ["AdminDeleteSoftwareToken"], "{printed}");
    assert!(printed.contains("Password reset requested"), "{printed}");
    let request = request.await.unwrap();
    assert!(request.starts_with("POST /users/forgot-password "), "{request}");
    assert!(request.ends_with(&format!("{{\"username\":\"{email}\"}}")), "{request}");

    // An unreachable backend: the authenticator is reset, the command says how to finish, and exits 1.
    let (exit, printed) = admin(&world, &send_reset("http://127.0.0.1:9").each_ref().map(String::as_str)).await;
    assert_eq!(exit, 1, "{printed}");
    assert!(
        printed.contains("Password reset NOT requested") && printed.contains("Forgot Password?"),
        "{printed}"
    );
}

/// An AdminGetUser answer without `Enabled` cannot say whether the person can still sign in: every runbook
/// refuses it (as it refuses one without `Username`) and writes nothing, instead of taking them for disabled.
#[tokio::test]
async fn an_answer_without_enabled_is_refused_with_no_write() {
    let (world, email, username) = world_with_user().await;
    world.proxy.answer(
        "AdminGetUser",
        serde_json::json!({
            "Username": username,
            "UserAttributes": [{"Name": "sub", "Value": username}, {"Name": "email", "Value": email}],
            "UserStatus": "CONFIRMED",
            "UserMFASettingList": [],
        }),
    );
    for operation in ["disable", "enable", "reset-mfa"] {
        let (writes, printed) = writes_of(&world, &[operation, "--email", &email, "--yes"], 1).await;
        assert!(writes.is_empty(), "{operation}: {writes:?}\n{printed}");
        assert!(
            printed.contains("AdminGetUser answered without Enabled; the response cannot be trusted"),
            "{operation}: {printed}"
        );
    }
}

/// A pool whose usernames are case-sensitive (AWS's default for a pool made through the API without
/// UsernameConfiguration), holding `Bob@…` and `bob@…`: asking for `Bob@…` must not act on `bob@…`.
#[tokio::test]
async fn in_a_case_sensitive_pool_a_lower_cased_address_is_refused_and_the_plan_shows_the_email() {
    use aws_sdk_cognitoidentityprovider::types::UsernameConfigurationType;
    let world = test_support::world().await;
    let described = crate::support::described_pool(&world.sdk, &world.pool_id).await;
    assert!(
        described
            .username_configuration()
            .is_none_or(UsernameConfigurationType::case_sensitive),
        "the world's pool tells usernames apart by case"
    );
    let local = testkit::unique_name("bob");
    let upper = format!("{}{}@example.org", local[..1].to_uppercase(), &local[1..]);
    let lower = upper.to_lowercase();
    user_in(&world, &world.pool_id, &upper).await;
    let lower_username = user_in(&world, &world.pool_id, &lower).await;

    let (writes, printed) = writes_of(&world, &["disable", "--email", &upper, "--yes"], 1).await;
    assert!(writes.is_empty(), "{writes:?}\n{printed}");
    assert!(
        printed.contains("tells usernames apart by case") && printed.contains(&upper),
        "{printed}"
    );
    assert!(enabled(&world, &lower).await, "the other person is untouched");

    // The address as typed is the lower-cased one: the plan names the user found by their email.
    let (writes, printed) = writes_of(&world, &["disable", "--email", &lower, "--yes"], 0).await;
    assert_eq!(writes, ["AdminUserGlobalSignOut", "AdminDisableUser"], "{printed}");
    assert!(
        printed.contains(&format!("Username {lower_username}, email {lower},")),
        "{printed}"
    );
}

/// Issue 19 item 1: while `disable`, `enable` or `reset-mfa` waits at the prompt, the user is deleted and made
/// again (a new Username for the same email). The yes given to the old plan writes nothing; the new plan is shown
/// and asked for, and every write then names the new Username.
#[tokio::test]
async fn a_user_changed_while_the_prompt_waits_is_planned_again_and_asked_again() {
    for operation in ["disable", "enable", "reset-mfa"] {
        let (world, email, old_username) = world_with_user().await;
        let disable_by_hand = async || {
            let disabled = world
                .sdk
                .admin_disable_user()
                .user_pool_id(&world.pool_id)
                .username(&email);
            disabled.send().await.expect("disabling the user by hand");
        };
        if operation == "enable" {
            disable_by_hand().await;
        }
        world.proxy.clear();
        let args = admin_args(&world, &[operation, "--email", &email]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let mut terminal = test_support::Terminal::start(crate::support::XTASK, &args, None);
        terminal.wait_for("Type yes to continue").await;
        world
            .sdk
            .admin_delete_user()
            .user_pool_id(&world.pool_id)
            .username(&email)
            .send()
            .await
            .unwrap();
        let new_username = user_in(&world, &world.pool_id, &email).await;
        if operation == "enable" {
            disable_by_hand().await;
        }
        assert_ne!(new_username, old_username);
        // From here on the recording holds only the command's calls.
        world.proxy.clear();
        terminal.type_text("yes\n").await;
        terminal.wait_for("changed").await;
        terminal.wait_for(&format!("Username {new_username}")).await;
        terminal.wait_for("Type yes to continue").await;
        terminal.type_text("yes\n").await;
        let (code, printed) = terminal.finish().await;
        assert_eq!(code, 0, "{operation}: {printed}");
        let writes: Vec<_> = world
            .proxy
            .calls()
            .into_iter()
            .filter(|call| call.operation.starts_with("Admin") && call.operation != "AdminGetUser")
            .collect();
        assert!(!writes.is_empty(), "{operation}: {printed}");
        for call in &writes {
            assert_eq!(
                call.request_json().unwrap()["Username"],
                new_username.as_str(),
                "{operation}: {} was sent for the user of the stale plan:\n{printed}",
                call.operation
            );
        }
    }
}

/// Issue 19 item 12: with stdout redirected to a file, the plan is still shown on the terminal before the question.
#[tokio::test]
async fn with_stdout_in_a_file_the_plan_is_shown_before_the_question() {
    let (world, email, _) = world_with_user().await;
    let directory = tempfile::tempdir().unwrap();
    let file = directory.path().join("stdout");
    let args = admin_args(&world, &["disable", "--email", &email]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut terminal = test_support::Terminal::start(crate::support::XTASK, &args, Some(&file));
    terminal.wait_for("Type yes to continue").await;
    terminal.type_text("no\n").await;
    let (code, printed) = terminal.finish().await;
    assert_eq!(code, 1, "{printed}");
    let question = printed.find("Type yes to continue").unwrap();
    assert!(
        printed[..question].contains(&format!("pool      {}", world.pool_id)) && printed[..question].contains("step 1"),
        "the plan comes before the question:\n{printed}"
    );
    assert!(test_support::mutations(&world.proxy).is_empty());
}

/// `admin ARGS` (the bootstrap) for the world's pool (by ID, so treated as production) and database.
fn bootstrap_args(world: &World, args: &[&str]) -> Vec<String> {
    let mut all = admin_args(world, args);
    all.extend(["--database-url".into(), world.database.url().to_owned()]);
    all
}

/// Issue 19 item 4: the bootstrap on a pool that may be production shows the row, the Cognito user, the promotion
/// and the relink it will make, and without a terminal changes nothing unless `--yes`.
#[tokio::test]
async fn the_bootstrap_shows_its_plan_and_needs_yes_without_a_terminal() {
    let (world, email, username) = world_with_user().await;
    test_support::insert_row(&world.database, &email, "old-external-id", UserType::Fi);
    let rows = test_support::rows(&world.database);
    let args = bootstrap_args(
        &world,
        &["--email", &email, "--name", "Ada Admin", "--promote", "--relink"],
    );
    let args: Vec<&str> = args.iter().map(String::as_str).collect();

    let run = crate::support::xtask(&args).await;
    run.assert_code(1);
    let printed = run.output();
    for line in [
        "  promote   type FI -> OCP".to_owned(),
        format!("  relink    external_id old-external-id -> {username}"),
        format!("  cognito   user Username {username}, email {email}"),
        "--yes".to_owned(),
        "Nothing was changed".to_owned(),
    ] {
        assert!(printed.contains(&line), "{line:?} missing from:\n{printed}");
    }
    assert!(test_support::mutations(&world.proxy).is_empty(), "{printed}");
    assert_eq!(test_support::rows(&world.database), rows, "the row is untouched");

    let mut confirmed = args.clone();
    confirmed.push("--yes");
    let run = crate::support::xtask(&confirmed).await;
    run.assert_code(0);
    let [row] = &test_support::rows(&world.database)[..] else {
        panic!("one row");
    };
    assert_eq!(
        (row.user_type, row.external_id.as_str()),
        (UserType::Ocp, username.as_str())
    );
}

/// Issue 19 item 1 for the bootstrap: while it waits at the prompt, someone makes the Cognito user. The yes given to
/// the old plan (create the user) writes nothing; the new plan (keep that user) is shown and asked for, and the run
/// then links the row to that user and makes no second one.
#[tokio::test]
async fn a_bootstrap_whose_user_appears_while_the_prompt_waits_is_planned_again_and_asked_again() {
    let world = test_support::world().await;
    let email = test_support::email();
    let args = bootstrap_args(&world, &["--email", &email, "--name", "Ada Admin"]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut terminal = test_support::Terminal::start(crate::support::XTASK, &args, None);
    terminal.wait_for("a Cognito user is created").await;
    terminal.wait_for("Type yes to continue").await;
    let username = user_in(&world, &world.pool_id, &email).await;
    terminal.type_text("yes\n").await;
    terminal.wait_for("changed").await;
    terminal.wait_for(&format!("user Username {username}")).await;
    terminal.wait_for("Type yes to continue").await;
    assert!(
        test_support::rows(&world.database).is_empty(),
        "nothing was written on the stale yes"
    );
    terminal.type_text("yes\n").await;
    let (code, printed) = terminal.finish().await;
    assert_eq!(code, 0, "{printed}");
    assert_eq!(
        test_support::cognito_usernames(&world.sdk, &world.pool_id, &email).await,
        std::slice::from_ref(&username),
        "no second user: {printed}"
    );
    let [row] = &test_support::rows(&world.database)[..] else {
        panic!("one row:\n{printed}");
    };
    assert_eq!(row.external_id, username);
}

/// A pool ID whose region is in upper case is no pool ID: refused before any call, with the ID to pass instead,
/// rather than "pass --region US-EAST-1" (issue 19, item 17).
#[tokio::test]
async fn an_upper_case_pool_id_is_refused_with_the_id_to_pass() {
    let world = test_support::world().await;
    let (region, suffix) = world.pool_id.split_once('_').unwrap();
    let shouted = format!("{}_{suffix}", region.to_ascii_uppercase());
    let endpoint = world.proxy.endpoint();
    let run = crate::support::xtask(&[
        "admin",
        "disable",
        "--email",
        "ana@example.org",
        "--yes",
        "--pool-id",
        &shouted,
        "--endpoint-url",
        &endpoint,
        "--region",
        "us-east-1",
    ])
    .await;
    run.assert_code(1);
    assert!(world.proxy.calls().is_empty(), "{:?}", world.proxy.operations());
    assert!(run.stderr.contains(&shouted), "{}", run.stderr);
    assert!(!run.stderr.contains("--region US-EAST-1"), "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!("hint: pass --pool-id {}", world.pool_id)),
        "{}",
        run.stderr
    );
}

/// `admin` for a user who is disabled in Cognito names the command that enables it (issue 19, item 17), rather than
/// the console.
#[tokio::test]
async fn admin_for_a_disabled_user_names_admin_enable() {
    let (world, email, _) = world_with_user().await;
    world
        .sdk
        .admin_disable_user()
        .user_pool_id(&world.pool_id)
        .username(&email)
        .send()
        .await
        .unwrap();
    world.proxy.clear();
    let endpoint = world.proxy.endpoint();
    let run = crate::support::xtask(&[
        "admin",
        "--email",
        &email,
        "--name",
        "Ada Admin",
        "--pool-id",
        &world.pool_id,
        "--database-url",
        world.database.url(),
        "--endpoint-url",
        &endpoint,
        "--region",
        "us-east-1",
        "--yes",
    ])
    .await;
    run.assert_code(1);
    assert!(run.stderr.contains("is disabled"), "{}", run.stderr);
    assert!(!run.stderr.contains("console"), "{}", run.stderr);
    let enable =
        format!("hint: if it should be an administrator, enable it with `cargo xtask admin enable --email {email}`");
    assert!(run.stderr.contains(&enable), "{enable:?} missing from:\n{}", run.stderr);
    assert!(!enabled(&world, &email).await);
    assert!(test_support::rows(&world.database).is_empty());
}
