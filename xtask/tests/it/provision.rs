//! `cargo xtask provision` against the emulator, through the recording proxy.

use crate::support;

use crate::support::{cognito, described_pool, hand_made_pool, mutations, pools_named, proxy, sdk, xtask};
use aws_sdk_cognitoidentityprovider::types::{
    AdminCreateUserConfigType, DeletionProtectionType, EmailSendingAccountType, ExplicitAuthFlowsType,
    PasswordPolicyType, PreventUserExistenceErrorTypes, SchemaAttributeType, SoftwareTokenMfaConfigType, TimeUnitsType,
    UserPoolMfaType, UserPoolPolicyType, UsernameAttributeType, UsernameConfigurationType, VerifiedAttributeType,
};
use pool_spec::Environment;
use testkit::{Fault, FaultKind, RecordingProxy};

const SES_ARN: &str = "arn:aws:ses:us-east-1:123456789012:identity/credere@noreply.open-contracting.org";

/// `provision` arguments for `environment` through `proxy` (production confirmed, SES ARN given).
fn args<'a>(environment: Environment, proxy: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["provision", "--env", environment.as_str(), "--endpoint-url", proxy];
    if environment == Environment::Production {
        args.extend(["--yes", "--ses-identity-arn", SES_ARN]);
    }
    args.extend(extra);
    args
}

pub(crate) async fn provision(environment: Environment, proxy: &RecordingProxy, extra: &[&str]) -> support::Run {
    let endpoint = proxy.endpoint();
    xtask(&args(environment, &endpoint, extra)).await
}

/// Asserts that the live pool, its MFA and its app client are what the spec says, read with the raw SDK
/// (not the cognito crate's `observe`, which is under test) and compared with the spec's values written
/// out here, so a wrong value in `observe` and in the plan at once still fails.
async fn assert_converged(environment: Environment, proxy: &RecordingProxy) {
    let name = match environment {
        Environment::Production => "credere-production",
        Environment::Development => "credere",
    };
    let sdk = sdk(proxy).await;
    let [pool_id] = &pools_named(proxy, name).await[..] else {
        panic!("not exactly one pool named {name}");
    };
    let pool = described_pool(&sdk, pool_id).await;
    assert_eq!(pool.username_attributes(), [UsernameAttributeType::Email]);
    assert_eq!(
        pool.username_configuration()
            .map(UsernameConfigurationType::case_sensitive),
        Some(false)
    );
    let required: Vec<_> = pool
        .schema_attributes()
        .iter()
        .filter(|attribute| attribute.required() == Some(true))
        .filter_map(SchemaAttributeType::name)
        .collect();
    // AWS reports `sub` as required in every pool (the emulator does too); the spec's only one is email.
    assert_eq!(required, ["sub", "email"]);
    assert_eq!(pool.auto_verified_attributes(), [VerifiedAttributeType::Email]);
    let password = pool.policies().and_then(UserPoolPolicyType::password_policy).unwrap();
    assert_eq!(
        (
            password.minimum_length(),
            password.require_uppercase(),
            password.require_lowercase(),
            password.require_numbers(),
            password.require_symbols(),
            password.temporary_password_validity_days(),
            password.password_history_size(),
        ),
        (Some(14), false, false, false, false, 7, None)
    );
    assert_eq!(
        pool.admin_create_user_config()
            .map(AdminCreateUserConfigType::allow_admin_create_user_only),
        Some(true)
    );
    let recovery: Vec<_> = pool
        .account_recovery_setting()
        .map(|setting| setting.recovery_mechanisms())
        .unwrap_or_default()
        .iter()
        .map(|mechanism| (mechanism.name().as_str(), mechanism.priority()))
        .collect();
    assert_eq!(recovery, [("verified_email", 1)]);
    // moto ignores UserPoolTier; the_feature_plan_and_attribute_update_rule_are_sent_on_create checks the
    // LITE that was sent.
    assert_eq!(
        pool.user_attribute_update_settings()
            .map(|settings| settings.attributes_require_verification_before_update()),
        Some(&[VerifiedAttributeType::Email][..])
    );
    let tags: Vec<(&str, &str)> = pool
        .user_pool_tags()
        .unwrap()
        .iter()
        .map(|(key, value)| (key.as_str(), value.as_str()))
        .collect::<std::collections::BTreeMap<_, _>>()
        .into_iter()
        .collect();
    assert_eq!(
        tags,
        [("environment", environment.as_str()), ("managed-by", "credere-cognito")]
    );
    let email = pool.email_configuration().unwrap();
    let (deletion_protection, sending, source_arn, from) = match environment {
        Environment::Production => (
            DeletionProtectionType::Active,
            EmailSendingAccountType::Developer,
            Some(SES_ARN),
            Some("Credere por Open Contracting Partnership <credere@noreply.open-contracting.org>"),
        ),
        Environment::Development => (
            DeletionProtectionType::Inactive,
            EmailSendingAccountType::CognitoDefault,
            None,
            None,
        ),
    };
    assert_eq!(pool.deletion_protection(), Some(&deletion_protection));
    assert_eq!(
        (email.email_sending_account(), email.source_arn(), email.from()),
        (Some(&sending), source_arn, from)
    );

    let mfa = sdk
        .get_user_pool_mfa_config()
        .user_pool_id(pool_id)
        .send()
        .await
        .unwrap();
    assert_eq!(mfa.mfa_configuration(), Some(&UserPoolMfaType::On));
    assert_eq!(
        mfa.software_token_mfa_configuration()
            .map(SoftwareTokenMfaConfigType::enabled),
        Some(true)
    );
    assert_eq!(mfa.sms_mfa_configuration(), None);

    let clients = sdk.list_user_pool_clients().user_pool_id(pool_id).send().await.unwrap();
    let [client] = clients.user_pool_clients() else {
        panic!("not exactly one app client: {clients:?}");
    };
    assert_eq!(client.client_name(), Some(name));
    let client = sdk
        .describe_user_pool_client()
        .user_pool_id(pool_id)
        .client_id(client.client_id().unwrap())
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap();
    assert!(client.client_secret().is_some_and(|secret| !secret.is_empty()));
    let mut flows: Vec<&str> = client
        .explicit_auth_flows()
        .iter()
        .map(ExplicitAuthFlowsType::as_str)
        .collect();
    flows.sort_unstable();
    assert_eq!(
        flows,
        [
            "ALLOW_ADMIN_USER_PASSWORD_AUTH",
            "ALLOW_CUSTOM_AUTH",
            "ALLOW_REFRESH_TOKEN_AUTH",
            "ALLOW_USER_PASSWORD_AUTH",
            "ALLOW_USER_SRP_AUTH"
        ]
    );
    let units = client.token_validity_units().unwrap();
    assert_eq!(
        (
            (client.refresh_token_validity(), units.refresh_token()),
            (client.access_token_validity(), units.access_token()),
            (client.id_token_validity(), units.id_token()),
        ),
        (
            (30, Some(&TimeUnitsType::Days)),
            (Some(60), Some(&TimeUnitsType::Minutes)),
            (Some(60), Some(&TimeUnitsType::Minutes)),
        )
    );
    assert_eq!(client.auth_session_validity(), Some(3));
    assert_eq!(
        client.prevent_user_existence_errors(),
        Some(&PreventUserExistenceErrorTypes::Enabled)
    );
    assert_eq!(client.enable_token_revocation(), Some(true));
}

async fn from_scratch(environment: Environment) {
    let proxy = proxy().await;
    // The second ListUserPools (the duplicate check) runs alongside SetUserPoolMfaConfig: both are held
    // until both have arrived, which a run sending them one after the other never does.
    let (mfa, twins) = (proxy.hold("SetUserPoolMfaConfig"), proxy.hold_from("ListUserPools", 2));
    let (run, ()) = tokio::join!(
        provision(environment, &proxy, &[]),
        testkit::release_together([&mfa, &twins])
    );
    run.assert_code(0);
    let mut operations = proxy.operations();
    operations[2..4].sort();
    assert_eq!(
        operations,
        [
            "ListUserPools",
            "CreateUserPool",
            "ListUserPools",
            "SetUserPoolMfaConfig",
            "CreateUserPoolClient",
            // The new secret's ID, which --write-env records beside it.
            "ListUserPoolClientSecrets"
        ]
    );
    assert_eq!(proxy.round_trips(), 5);
    assert_converged(environment, &proxy).await;
}

#[tokio::test]
async fn from_scratch_development() {
    from_scratch(Environment::Development).await;
}

#[tokio::test]
async fn from_scratch_production() {
    from_scratch(Environment::Production).await;
}

#[tokio::test]
async fn production_ses_arn_comes_from_the_callers_account_and_region() {
    let proxy = proxy().await;
    let endpoint = proxy.endpoint();
    let run = xtask(&[
        "provision",
        "--env",
        "production",
        "--yes",
        "--region",
        "eu-west-1",
        "--endpoint-url",
        &endpoint,
    ])
    .await;
    run.assert_code(0);
    assert_eq!(
        proxy.operations()[..2]
            .iter()
            .filter(|operation| *operation == "GetCallerIdentity")
            .count(),
        1
    );
    let cognito = cognito::Cognito::connect(&cognito::ConnectOptions {
        endpoint_url: Some(endpoint.clone()),
        region: Some("eu-west-1".into()),
        ..cognito::ConnectOptions::default()
    })
    .await;
    let pool = cognito
        .find_pool("credere-production", &Default::default(), None)
        .await
        .unwrap()
        .unwrap();
    let live = cognito.observe(&pool.id, "credere-production").await.unwrap();
    let expected = format!(
        "arn:aws:ses:eu-west-1:{}:identity/credere@noreply.open-contracting.org",
        proxy.account_id()
    );
    assert_eq!(
        live.observed.email,
        pool_spec::EmailConfiguration::Developer {
            source_arn: expected,
            from: pool_spec::SES_FROM.to_owned()
        }
    );
}

#[tokio::test]
async fn a_second_run_changes_nothing_and_check_passes_in_three_round_trips() {
    for environment in Environment::ALL {
        let proxy = proxy().await;
        provision(environment, &proxy, &[]).await.assert_code(0);
        proxy.clear();
        let run = provision(environment, &proxy, &[]).await;
        run.assert_code(0);
        assert!(run.stdout.contains("nothing to change"), "{}", run.stdout);
        assert_eq!(mutations(&proxy), Vec::<String>::new());
        proxy.clear();
        // The three reads of the pool go out together, after the list; then the client's two reads (its
        // description and its secrets) go out together. Both waves are held until whole, which a run sending their
        // calls one after the other never makes.
        let reads =
            ["DescribeUserPool", "GetUserPoolMfaConfig", "ListUserPoolClients"].map(|operation| proxy.hold(operation));
        let client_reads =
            ["DescribeUserPoolClient", "ListUserPoolClientSecrets"].map(|operation| proxy.hold(operation));
        let (check, ()) = tokio::join!(provision(environment, &proxy, &["--check"]), async {
            testkit::release_together(reads.each_ref()).await;
            testkit::release_together(client_reads.each_ref()).await;
        });
        check.assert_code(0);
        assert_eq!(mutations(&proxy), Vec::<String>::new());
        assert_eq!(proxy.round_trips(), 3, "{environment}: {:?}", proxy.operations());
    }
}

/// Changes the minimum length and the auth flows behind the tool's back, each with a full update so
/// that nothing else moves.
async fn drift(proxy: &RecordingProxy) {
    let client = sdk(proxy).await;
    let cognito = support::cognito(proxy).await;
    let found = cognito
        .find_pool("credere", &Default::default(), None)
        .await
        .unwrap()
        .unwrap();
    let live = cognito.observe(&found.id, "credere").await.unwrap();
    let pool = described_pool(&client, &found.id).await;
    let policy = pool.policies().unwrap().password_policy().unwrap();
    client
        .update_user_pool()
        .user_pool_id(&found.id)
        .policies(
            UserPoolPolicyType::builder()
                .password_policy(
                    PasswordPolicyType::builder()
                        .minimum_length(8)
                        .temporary_password_validity_days(policy.temporary_password_validity_days())
                        .build(),
                )
                .build(),
        )
        .set_deletion_protection(pool.deletion_protection().cloned())
        .set_auto_verified_attributes(Some(pool.auto_verified_attributes().to_vec()))
        .mfa_configuration(UserPoolMfaType::On)
        // AWS reports the legacy UnusedAccountValidityDays and refuses it back non-zero beside the new member.
        .set_admin_create_user_config(pool.admin_create_user_config().cloned().map(|mut config| {
            config.unused_account_validity_days = 0;
            config
        }))
        .set_account_recovery_setting(pool.account_recovery_setting().cloned())
        .set_email_configuration(pool.email_configuration().cloned())
        .set_user_pool_tags(pool.user_pool_tags().cloned())
        .set_user_pool_tier(pool.user_pool_tier().cloned())
        .set_user_attribute_update_settings(pool.user_attribute_update_settings().cloned())
        .send()
        .await
        .unwrap();
    let app = client
        .describe_user_pool_client()
        .user_pool_id(&found.id)
        .client_id(&live.client.as_ref().unwrap().id)
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap();
    client
        .update_user_pool_client()
        .user_pool_id(&found.id)
        .client_id(&live.client.as_ref().unwrap().id)
        .client_name("credere")
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserSrpAuth)
        .refresh_token_validity(app.refresh_token_validity())
        .set_access_token_validity(app.access_token_validity())
        .set_id_token_validity(app.id_token_validity())
        .set_token_validity_units(app.token_validity_units().cloned())
        .set_auth_session_validity(app.auth_session_validity())
        .set_prevent_user_existence_errors(app.prevent_user_existence_errors().cloned())
        .set_enable_token_revocation(app.enable_token_revocation())
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn drift_is_reported_by_check_and_fixed_whole_by_provision() {
    let proxy = proxy().await;
    provision(Environment::Development, &proxy, &[]).await.assert_code(0);
    drift(&proxy).await;

    let check = provision(Environment::Development, &proxy, &["--check", "--output", "json"]).await;
    check.assert_code(2);
    let report = check.json();
    let fields: Vec<&str> = report["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|change| change["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        ["pool.password_policy.minimum_length", "client.explicit_auth_flows"]
    );
    assert_eq!(report["applied"], false);
    let text = provision(Environment::Development, &proxy, &["--check"]).await;
    text.assert_code(2);
    assert!(
        text.stdout.contains("pool.password_policy.minimum_length: 8 -> 14"),
        "{}",
        text.stdout
    );

    proxy.clear();
    let run = provision(Environment::Development, &proxy, &["--output", "json"]).await;
    run.assert_code(0);
    assert_eq!(run.json()["applied"], true);
    let mut changed = mutations(&proxy);
    changed.sort();
    assert_eq!(changed, ["UpdateUserPool", "UpdateUserPoolClient"]);
    provision(Environment::Development, &proxy, &["--check"])
        .await
        .assert_code(0);

    // The full-state rule: what the updates did not change is still as specified.
    let found = cognito(&proxy)
        .await
        .find_pool("credere", &Default::default(), None)
        .await
        .unwrap()
        .unwrap();
    let pool = described_pool(&sdk(&proxy).await, &found.id).await;
    assert_eq!(
        pool.admin_create_user_config()
            .map(AdminCreateUserConfigType::allow_admin_create_user_only),
        Some(true)
    );
    assert_eq!(pool.username_attributes(), [UsernameAttributeType::Email]);
    assert_eq!(pool.deletion_protection(), Some(&DeletionProtectionType::Inactive));
    assert_eq!(
        pool.policies().unwrap().password_policy().unwrap().minimum_length(),
        Some(14)
    );
}

#[tokio::test]
async fn the_full_state_rule_keeps_production_deletion_protection_and_tags() {
    let proxy = proxy().await;
    provision(Environment::Production, &proxy, &[]).await.assert_code(0);
    let cognito = cognito(&proxy).await;
    let found = cognito
        .find_pool("credere-production", &Default::default(), None)
        .await
        .unwrap()
        .unwrap();
    // A minimal UpdateUserPool, as a careless script would send: moto (like AWS) resets what it leaves out.
    sdk(&proxy)
        .await
        .update_user_pool()
        .user_pool_id(&found.id)
        .mfa_configuration(UserPoolMfaType::On)
        .send()
        .await
        .unwrap();
    let check = provision(Environment::Production, &proxy, &["--check", "--output", "json"]).await;
    check.assert_code(2);
    let changes = check.json()["changes"].to_string();
    for field in ["pool.deletion_protection", "pool.admin_create_user_only", "pool.tags"] {
        assert!(changes.contains(field), "{field} missing from {changes}");
    }
    provision(Environment::Production, &proxy, &[]).await.assert_code(0);
    assert_converged(Environment::Production, &proxy).await;
}

#[tokio::test]
async fn a_pool_without_email_sign_in_is_refused_and_nothing_changes() {
    let proxy = proxy().await;
    sdk(&proxy)
        .await
        .create_user_pool()
        .pool_name("credere")
        .send()
        .await
        .unwrap();
    proxy.clear();
    let run = provision(Environment::Development, &proxy, &[]).await;
    run.assert_code(1);
    assert!(run.stdout.contains("! pool.username_attributes"), "{}", run.stdout);
    assert!(run.output().contains("Nothing was changed"), "{}", run.output());
    assert_eq!(mutations(&proxy), Vec::<String>::new());
    // The command prints the plan's own Display, line for line, the missing client included.
    let spec = pool_spec::for_environment(Environment::Development);
    let prepared = cognito(&proxy).await.prepare(&spec, None, None).await.unwrap();
    let lines: String = prepared
        .plan
        .to_string()
        .lines()
        .map(|line| format!("  {line}\n"))
        .collect();
    assert!(
        lines.contains("  + create app client `credere` with a client secret\n"),
        "{lines}"
    );
    assert!(run.stdout.contains(&lines), "{}\n--- expected ---\n{lines}", run.stdout);
    provision(Environment::Development, &proxy, &["--check"])
        .await
        .assert_code(2);
}

#[tokio::test]
async fn an_untagged_hand_made_pool_is_adopted_and_tagged() {
    let proxy = proxy().await;
    let id = hand_made_pool(&proxy, "credere").await;
    proxy.clear();
    let run = provision(Environment::Development, &proxy, &["--output", "json"]).await;
    run.assert_code(0);
    let report = run.json();
    assert_eq!(report["pool_id"], id.as_str());
    assert_eq!(report["create_pool"], false);
    assert_eq!(report["create_client"], true);
    assert!(report["changes"].to_string().contains("pool.tags"), "{report}");
    assert!(!mutations(&proxy).contains(&"CreateUserPool".to_owned()));
    assert_converged(Environment::Development, &proxy).await;
}

/// A production pool made in the console today: on ESSENTIALS (AWS's default, which the emulator reports), with
/// passwordless sign-in and email MFA, as the console offers them. `provision` shows every change the move to LITE
/// makes, applies them in updates the emulator accepts as AWS would, and the next `--check` finds nothing to do.
#[tokio::test]
async fn a_console_made_essentials_production_pool_is_adopted_with_every_change_shown_then_converges() {
    use aws_sdk_cognitoidentityprovider::types::{
        AuthFactorType, EmailMfaConfigType, SignInPolicyType, UserPoolTierType,
    };
    let proxy = proxy().await;
    let id = hand_made_pool(&proxy, "credere-production").await;
    let sdk = sdk(&proxy).await;
    let pool = described_pool(&sdk, &id).await;
    assert_eq!(pool.user_pool_tier(), Some(&UserPoolTierType::Essentials));
    sdk.update_user_pool()
        .user_pool_id(&id)
        .policies(
            UserPoolPolicyType::builder()
                .password_policy(
                    PasswordPolicyType::builder()
                        .minimum_length(8)
                        .password_history_size(3)
                        .build(),
                )
                .sign_in_policy(
                    SignInPolicyType::builder()
                        .allowed_first_auth_factors(AuthFactorType::Password)
                        .allowed_first_auth_factors(AuthFactorType::EmailOtp)
                        .build(),
                )
                .build(),
        )
        .user_pool_tier(UserPoolTierType::Essentials)
        .send()
        .await
        .unwrap();
    sdk.set_user_pool_mfa_config()
        .user_pool_id(&id)
        .mfa_configuration(UserPoolMfaType::Optional)
        .software_token_mfa_configuration(SoftwareTokenMfaConfigType::builder().enabled(true).build())
        .email_mfa_configuration(EmailMfaConfigType::builder().build())
        .send()
        .await
        .unwrap();
    proxy.clear();

    let check = provision(Environment::Production, &proxy, &["--check"]).await;
    check.assert_code(2);
    for line in [
        "~ pool.password_policy.password_history_size: 3 -> none",
        "~ pool.tier: ESSENTIALS -> LITE",
        "~ pool.passwordless_sign_in: on -> off (the LITE plan lacks passwordless sign-in)",
        "~ pool.mfa: OPTIONAL (authenticator apps on, SMS off, email on) -> ON (authenticator apps on, SMS off, email off)",
        "~ pool.tags:",
        "+ create app client `credere-production` with a client secret",
    ] {
        assert!(check.stdout.contains(line), "{line:?} missing from\n{}", check.stdout);
    }
    assert_eq!(mutations(&proxy), Vec::<String>::new());

    provision(Environment::Production, &proxy, &[]).await.assert_code(0);
    let sent = proxy.calls_of("UpdateUserPool")[0].request_json().unwrap();
    assert_eq!(sent["UserPoolTier"], "LITE");
    assert_eq!(
        sent["Policies"]["SignInPolicy"]["AllowedFirstAuthFactors"],
        serde_json::json!(["PASSWORD"])
    );
    assert_eq!(sent["AdminCreateUserConfig"]["UnusedAccountValidityDays"], 0);
    assert!(
        sent["Policies"]["PasswordPolicy"].get("PasswordHistorySize").is_none(),
        "{sent}"
    );
    proxy.clear();
    let again = provision(Environment::Production, &proxy, &["--check"]).await;
    again.assert_code(0);
    assert!(again.stdout.contains("nothing to change"), "{}", again.stdout);
    assert_converged(Environment::Production, &proxy).await;
}

#[tokio::test]
async fn two_pools_of_one_name_are_refused_until_pool_id_chooses() {
    let proxy = proxy().await;
    let (first, second) = (
        hand_made_pool(&proxy, "credere").await,
        hand_made_pool(&proxy, "credere").await,
    );
    proxy.clear();
    let describes = proxy.hold("DescribeUserPool");
    let both_described_at_once = async {
        describes.wait_for(2).await;
        describes.release();
    };
    let (run, ()) = tokio::join!(provision(Environment::Development, &proxy, &[]), both_described_at_once);
    run.assert_code(1);
    for text in [first.as_str(), second.as_str(), "--pool-id"] {
        assert!(run.stderr.contains(text), "{text} missing from {}", run.stderr);
    }
    assert_eq!(mutations(&proxy), Vec::<String>::new());
    assert_eq!(
        proxy.max_in_flight(),
        2,
        "both candidates are described at once: {:?}",
        proxy.operations()
    );

    provision(Environment::Development, &proxy, &["--pool-id", &first])
        .await
        .assert_code(0);
    provision(Environment::Development, &proxy, &["--pool-id", &first, "--check"])
        .await
        .assert_code(0);
    // The other pool was left alone, and the now-tagged one is chosen without --pool-id.
    provision(Environment::Development, &proxy, &["--pool-id", &second, "--check"])
        .await
        .assert_code(2);
    provision(Environment::Development, &proxy, &["--check"])
        .await
        .assert_code(0);
}

async fn fault_then_rerun(operation: &str, kind: FaultKind) {
    let proxy = proxy().await;
    // Every attempt of the SDK's retries fails, so the run itself fails.
    proxy.inject(Fault {
        operation: operation.into(),
        nth: 1,
        times: 10,
        kind,
        after_forwarding: false,
    });
    let run = provision(Environment::Development, &proxy, &[]).await;
    run.assert_code(1);
    assert!(run.stderr.contains(operation), "{}", run.stderr);
    assert!(run.stderr.contains("Run the same command again"), "{}", run.stderr);
    proxy.clear();
    provision(Environment::Development, &proxy, &[]).await.assert_code(0);
    let client = sdk(&proxy).await;
    let pools = client
        .list_user_pools()
        .max_results(60)
        .send()
        .await
        .unwrap()
        .user_pools
        .unwrap_or_default();
    assert_eq!(pools.len(), 1, "{pools:?}");
    let clients = client
        .list_user_pool_clients()
        .user_pool_id(pools[0].id().unwrap())
        .send()
        .await
        .unwrap()
        .user_pool_clients
        .unwrap_or_default();
    assert_eq!(clients.len(), 1, "{clients:?}");
    assert_converged(Environment::Development, &proxy).await;
}

#[tokio::test]
async fn a_failing_mfa_call_fails_the_run_and_the_rerun_converges() {
    fault_then_rerun("SetUserPoolMfaConfig", FaultKind::ServerError).await;
}

#[tokio::test]
async fn a_dropped_connection_on_client_creation_fails_the_run_and_the_rerun_converges() {
    fault_then_rerun("CreateUserPoolClient", FaultKind::DropConnection).await;
}

#[tokio::test]
async fn two_throttling_errors_are_retried() {
    let proxy = proxy().await;
    proxy.inject(Fault {
        operation: "CreateUserPool".into(),
        nth: 1,
        times: 2,
        kind: FaultKind::Throttling,
        after_forwarding: false,
    });
    let run = provision(Environment::Development, &proxy, &["-v"]).await;
    run.assert_code(0);
    // CreateUserPool is sent once per attempt (the SDK's own retries are off for it), so -v logs each
    // attempt and each wait.
    let retried: Vec<&str> = run
        .stderr
        .lines()
        .filter(|line| line.contains(r#"operation="CreateUserPool""#) && line.contains("retrying"))
        .collect();
    assert_eq!(retried.len(), 2, "-v logs the retries: {}", run.stderr);
    assert!(retried.iter().all(|line| line.contains("wait_ms=")), "{}", run.stderr);
    assert_eq!(
        proxy
            .operations()
            .iter()
            .filter(|operation| *operation == "CreateUserPool")
            .count(),
        3
    );
    assert_converged(Environment::Development, &proxy).await;
}

#[tokio::test]
async fn production_without_yes_and_without_a_terminal_is_refused() {
    let proxy = proxy().await;
    let endpoint = proxy.endpoint();
    let run = xtask(&production_args(&endpoint, &[])).await;
    run.assert_code(1);
    assert!(run.stderr.contains("--yes"), "{}", run.stderr);
    assert!(
        run.stdout.contains("+ create user pool `credere-production`"),
        "the plan is shown first: {}",
        run.stdout
    );
    assert_eq!(mutations(&proxy), Vec::<String>::new());
}

#[tokio::test]
async fn write_env_keeps_other_lines_and_the_secret_stays_hidden() {
    use std::os::unix::fs::PermissionsExt;
    let proxy = proxy().await;
    let directory = tempfile::tempdir().unwrap();
    let env = directory.path().join(".env");
    std::fs::write(&env, "# credere-backend\nDATABASE_URL=postgresql:///credere\nCOGNITO_POOL_ID=stale\nFRONTEND_URL=http://localhost:3000\n").unwrap();
    std::fs::set_permissions(&env, std::fs::Permissions::from_mode(0o644)).unwrap();
    let env_arg = env.to_str().unwrap();

    let runs = [
        provision(Environment::Development, &proxy, &["--write-env", env_arg, "-v"]).await,
        provision(Environment::Development, &proxy, &["--output", "json", "-v"]).await,
        provision(Environment::Development, &proxy, &["--check", "--output", "json"]).await,
    ];
    let written = std::fs::read_to_string(&env).unwrap();
    let secret = written
        .lines()
        .find_map(|line| line.strip_prefix("COGNITO_CLIENT_SECRET="))
        .unwrap()
        .to_owned();
    assert!(secret.len() >= 8, "{written}");
    for run in &runs {
        run.assert_code(0);
        assert!(!run.output().contains(&secret), "secret leaked:\n{}", run.output());
    }
    assert!(
        runs[0].stderr.contains("CreateUserPool"),
        "-v logs calls: {}",
        runs[0].stderr
    );

    let lines: Vec<&str> = written.lines().collect();
    assert_eq!(lines[..2], ["# credere-backend", "DATABASE_URL=postgresql:///credere"]);
    assert!(lines[2].starts_with("COGNITO_POOL_ID=us-east-1_"), "{written}");
    assert_eq!(lines[3], "FRONTEND_URL=http://localhost:3000");
    assert!(lines.iter().any(|line| line.starts_with("COGNITO_CLIENT_ID=")));
    assert!(lines.contains(&"AWS_REGION=us-east-1"));
    assert_eq!(std::fs::metadata(&env).unwrap().permissions().mode() & 0o777, 0o600);

    let shown = provision(Environment::Development, &proxy, &["--show-secret"]).await;
    shown.assert_code(0);
    assert!(shown.stdout.contains(&secret));
}

/// Runs production `provision` on a pseudo-terminal (util-linux `script`), answering the prompt with `answer`.
async fn production_on_a_terminal(proxy: &RecordingProxy, answer: &str) -> (i32, String) {
    let endpoint = proxy.endpoint();
    let args = production_args(&endpoint, &[]);
    support::xtask_on_terminal(&args, &format!("{answer}\n")).await
}

/// `provision --env production` through `endpoint` with the SES ARN given and without `--yes`, then `extra`.
fn production_args<'a>(endpoint: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "provision",
        "--env",
        "production",
        "--ses-identity-arn",
        SES_ARN,
        "--endpoint-url",
        endpoint,
    ];
    args.extend(extra);
    args
}

#[tokio::test]
async fn production_on_a_terminal_asks_and_applies_only_on_yes() {
    let proxy = proxy().await;
    let (code, text) = production_on_a_terminal(&proxy, "no").await;
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("Type yes to continue"), "{text}");
    assert!(text.contains("nothing was changed"), "{text}");
    assert_eq!(mutations(&proxy), Vec::<String>::new());

    let (code, text) = production_on_a_terminal(&proxy, "yes").await;
    assert_eq!(code, 0, "{text}");
    assert!(mutations(&proxy).contains(&"CreateUserPool".to_owned()), "{text}");
    assert_converged(Environment::Production, &proxy).await;
}

#[tokio::test]
async fn a_profile_gives_the_region_and_a_misspelt_one_is_refused() {
    let proxy = proxy().await;
    let directory = tempfile::tempdir().unwrap();
    let config = directory.path().join("config");
    std::fs::write(
        &config,
        "[profile credere-dev]\nregion = eu-west-1\naws_access_key_id = testing\naws_secret_access_key = testing\n",
    )
    .unwrap();
    let config = config.to_str().unwrap();
    let endpoint = proxy.endpoint();
    let env = [
        ("AWS_CONFIG_FILE", config),
        ("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent"),
    ];

    let run = support::xtask_with_env(
        &[
            "provision",
            "--env",
            "development",
            "--profile",
            "credere-dev",
            "--endpoint-url",
            &endpoint,
        ],
        &env,
    )
    .await;
    run.assert_code(0);
    assert!(
        run.stdout.contains("in eu-west-1"),
        "the profile's region: {}",
        run.stdout
    );

    proxy.clear();
    let run = support::xtask_with_env(
        &[
            "provision",
            "--env",
            "development",
            "--profile",
            "credere-dv",
            "--endpoint-url",
            &endpoint,
        ],
        &env,
    )
    .await;
    run.assert_code(1);
    assert!(
        run.stderr.contains("no AWS profile named `credere-dv`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("credere-dev"),
        "lists the profiles that exist: {}",
        run.stderr
    );
    assert!(
        proxy.operations().is_empty(),
        "refused before any call: {:?}",
        proxy.operations()
    );
}

/// A production pool the tool made, then changed behind its back so that a plan updates it (a shorter minimum
/// password length). Returns its ID.
async fn production_pool_with_drift(proxy: &RecordingProxy) -> String {
    provision(Environment::Production, proxy, &[]).await.assert_code(0);
    let [pool_id] = &pools_named(proxy, "credere-production").await[..] else {
        panic!("one production pool");
    };
    update_pool_keeping_the_rest(proxy, pool_id, |update| {
        update.policies(
            UserPoolPolicyType::builder()
                .password_policy(PasswordPolicyType::builder().minimum_length(8).build())
                .build(),
        )
    })
    .await;
    proxy.clear();
    pool_id.clone()
}

/// UpdateUserPool with the raw SDK, sending every member as described (so nothing else moves), then `change`.
async fn update_pool_keeping_the_rest(
    proxy: &RecordingProxy,
    pool_id: &str,
    change: impl FnOnce(
        aws_sdk_cognitoidentityprovider::operation::update_user_pool::builders::UpdateUserPoolFluentBuilder,
    ) -> aws_sdk_cognitoidentityprovider::operation::update_user_pool::builders::UpdateUserPoolFluentBuilder,
) {
    let client = sdk(proxy).await;
    let pool = described_pool(&client, pool_id).await;
    let update = client
        .update_user_pool()
        .user_pool_id(pool_id)
        .set_policies(pool.policies().cloned())
        .set_deletion_protection(pool.deletion_protection().cloned())
        .set_lambda_config(pool.lambda_config().cloned())
        .set_auto_verified_attributes(Some(pool.auto_verified_attributes().to_vec()))
        .set_verification_message_template(pool.verification_message_template().cloned())
        .set_mfa_configuration(pool.mfa_configuration().cloned())
        .set_user_attribute_update_settings(pool.user_attribute_update_settings().cloned())
        .set_device_configuration(pool.device_configuration().cloned())
        .set_email_configuration(pool.email_configuration().cloned())
        .set_sms_configuration(pool.sms_configuration().cloned())
        .set_user_pool_tags(pool.user_pool_tags().cloned())
        // AWS reports the legacy UnusedAccountValidityDays and refuses it back non-zero beside the new member.
        .set_admin_create_user_config(pool.admin_create_user_config().cloned().map(|mut config| {
            config.unused_account_validity_days = 0;
            config
        }))
        .set_user_pool_add_ons(pool.user_pool_add_ons().cloned())
        .set_account_recovery_setting(pool.account_recovery_setting().cloned())
        .set_pool_name(pool.name().map(str::to_owned))
        .set_user_pool_tier(pool.user_pool_tier().cloned());
    change(update)
        .send()
        .await
        .expect("updating the pool behind the tool's back");
}

/// Issue 19 item 1: the pool changes while the command waits at the prompt (a Lambda trigger added in the console).
/// The yes given to the old plan applies nothing: the command describes again, shows the new plan, asks again, and
/// the update it then sends carries the trigger.
#[tokio::test]
async fn a_pool_changed_while_the_prompt_waits_is_planned_again_and_asked_again() {
    use aws_sdk_cognitoidentityprovider::types::LambdaConfigType;
    const TRIGGER: &str = "arn:aws:lambda:us-east-1:123456789012:function:pre-sign-up";
    let proxy = proxy().await;
    let pool_id = production_pool_with_drift(&proxy).await;
    let endpoint = proxy.endpoint();
    let mut terminal = test_support::Terminal::start(support::XTASK, &production_args(&endpoint, &[]), None);
    terminal.wait_for("Type yes to continue").await;
    update_pool_keeping_the_rest(&proxy, &pool_id, |update| {
        update.lambda_config(LambdaConfigType::builder().pre_sign_up(TRIGGER).build())
    })
    .await;
    let updates_before_yes = proxy.calls_of("UpdateUserPool").len();
    terminal.type_text("yes\n").await;
    terminal.wait_for("changed").await;
    terminal.wait_for("Type yes to continue").await;
    assert_eq!(
        proxy.calls_of("UpdateUserPool").len(),
        updates_before_yes,
        "no update was sent on the yes to the stale plan"
    );
    terminal.type_text("yes\n").await;
    let (code, printed) = terminal.finish().await;
    assert_eq!(code, 0, "{printed}");
    let updates = proxy.calls_of("UpdateUserPool");
    let [.., mine] = &updates[..] else {
        panic!("the tool sent no UpdateUserPool:\n{printed}");
    };
    assert_eq!(updates.len(), updates_before_yes + 1, "{printed}");
    let request = mine.request_json().unwrap();
    assert_eq!(request["LambdaConfig"]["PreSignUp"], TRIGGER, "{request}");
    assert_eq!(request["Policies"]["PasswordPolicy"]["MinimumLength"], 14, "{request}");
}

/// Issue 19 item 12: whenever the command asks, the plan is on the terminal where the question is, even when
/// stdout is JSON or a file.
#[tokio::test]
async fn the_plan_is_shown_where_the_question_is() {
    let proxy = proxy().await;
    production_pool_with_drift(&proxy).await;
    let endpoint = proxy.endpoint();
    let directory = tempfile::tempdir().unwrap();
    let file = directory.path().join("stdout");
    for (extra, stdout_to) in [
        (&["--output", "json"][..], None),
        (&[][..], Some(file.as_path())),
        (&["--output", "json"][..], Some(file.as_path())),
    ] {
        let mut terminal = test_support::Terminal::start(support::XTASK, &production_args(&endpoint, extra), stdout_to);
        terminal.wait_for("Type yes to continue").await;
        terminal.type_text("no\n").await;
        let (code, printed) = terminal.finish().await;
        assert_eq!(code, 1, "{printed}");
        assert!(
            support::before_question(&printed).contains("~ pool.password_policy.minimum_length: 8 -> 14"),
            "{extra:?} {stdout_to:?}: the plan comes before the question:\n{printed}"
        );
        assert_eq!(mutations(&proxy), Vec::<String>::new());
    }
}
