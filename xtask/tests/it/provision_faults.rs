//! `cargo xtask provision` where real AWS differs from a clean emulator: creates that reached Cognito and
//! still failed, ConcurrentModificationException, two runs at once, the feature plan and SES identities.
//! Each test proves what was sent with the recording proxy's log.

use crate::support;

use crate::support::{described_pool, pools_named, proxy, sdk, xtask};
use aws_sdk_cognitoidentityprovider::types::{
    EmailConfigurationType, EmailSendingAccountType, UserPoolMfaType, UserPoolTierType, UserPoolType,
};
use pool_spec::Environment;
use serde_json::json;
use testkit::{Fault, FaultKind, RecordingProxy};

const SES_ARN: &str = "arn:aws:ses:us-east-1:123456789012:identity/credere@noreply.open-contracting.org";

async fn provision(environment: Environment, proxy: &RecordingProxy, extra: &[&str]) -> support::Run {
    let endpoint = proxy.endpoint();
    let mut args = vec!["provision", "--env", environment.as_str(), "--endpoint-url", &endpoint];
    if environment == Environment::Production {
        args.push("--yes");
    }
    args.extend(extra);
    xtask(&args).await
}

fn count(proxy: &RecordingProxy, operation: &str) -> usize {
    proxy.calls_of(operation).len()
}

/// Changes the live pool behind the tool's back: a full UpdateUserPool of what it holds, with `edit`
/// applied to the described pool first.
async fn change_pool(proxy: &RecordingProxy, pool_id: &str, edit: impl FnOnce(&mut UserPoolType)) {
    let client = sdk(proxy).await;
    let mut pool = described_pool(&client, pool_id).await;
    edit(&mut pool);
    // AWS reports the legacy UnusedAccountValidityDays and refuses it back non-zero beside the new member.
    if let Some(config) = pool.admin_create_user_config.as_mut() {
        config.unused_account_validity_days = 0;
    }
    client
        .update_user_pool()
        .user_pool_id(pool_id)
        .set_policies(pool.policies)
        .set_auto_verified_attributes(pool.auto_verified_attributes)
        .set_admin_create_user_config(pool.admin_create_user_config)
        .set_account_recovery_setting(pool.account_recovery_setting)
        .set_user_pool_tags(pool.user_pool_tags)
        .set_user_attribute_update_settings(pool.user_attribute_update_settings)
        .set_deletion_protection(pool.deletion_protection)
        .set_email_configuration(pool.email_configuration)
        .set_user_pool_tier(pool.user_pool_tier)
        .mfa_configuration(UserPoolMfaType::On)
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn a_pool_create_that_reached_cognito_and_then_failed_is_adopted_not_repeated() {
    for kind in [FaultKind::ServerError, FaultKind::DropConnection] {
        let proxy = proxy().await;
        proxy.inject(Fault::after_forwarding("CreateUserPool", 1, kind));
        provision(Environment::Development, &proxy, &[]).await.assert_code(0);
        assert_eq!(count(&proxy, "CreateUserPool"), 1, "{kind:?}: sent once, never retried");
        assert_eq!(pools_named(&proxy, "credere").await.len(), 1, "{kind:?}");
        let check = provision(Environment::Development, &proxy, &["--check"]).await;
        check.assert_code(0);
    }
}

#[tokio::test]
async fn a_client_create_that_reached_cognito_and_then_failed_is_adopted_not_repeated() {
    for kind in [FaultKind::ServerError, FaultKind::DropConnection] {
        let proxy = proxy().await;
        proxy.inject(Fault::after_forwarding("CreateUserPoolClient", 1, kind));
        let run = provision(Environment::Development, &proxy, &["--output", "json"]).await;
        run.assert_code(0);
        assert_eq!(count(&proxy, "CreateUserPoolClient"), 1, "{kind:?}");
        let pool_id = &pools_named(&proxy, "credere").await[0];
        let clients = sdk(&proxy)
            .await
            .list_user_pool_clients()
            .user_pool_id(pool_id)
            .send()
            .await
            .unwrap();
        assert_eq!(clients.user_pool_clients().len(), 1, "{kind:?}");
        // The adopted client's ID is reported, as a created one's would be.
        assert_eq!(
            run.json()["client_id"].as_str(),
            clients.user_pool_clients()[0].client_id()
        );
        provision(Environment::Development, &proxy, &["--check"])
            .await
            .assert_code(0);
    }
}

#[tokio::test]
async fn a_create_that_never_reached_cognito_is_sent_again_after_looking() {
    let proxy = proxy().await;
    proxy.inject(Fault::once("CreateUserPool", 1, FaultKind::ServerError));
    provision(Environment::Development, &proxy, &[]).await.assert_code(0);
    let creates = proxy.calls_of("CreateUserPool");
    assert_eq!(creates.len(), 2);
    assert!(!creates[0].forwarded && creates[1].forwarded);
    // The look between the two: a ListUserPools after the failed create and before the second.
    assert!(
        proxy
            .calls_of("ListUserPools")
            .iter()
            .any(|list| list.started > creates[0].finished && list.finished < creates[1].started)
    );
    assert_eq!(pools_named(&proxy, "credere").await.len(), 1);
}

#[tokio::test]
async fn concurrent_modification_is_retried_on_the_mfa_call_after_create() {
    let proxy = proxy().await;
    proxy.inject(Fault::once(
        "SetUserPoolMfaConfig",
        1,
        FaultKind::ConcurrentModification,
    ));
    provision(Environment::Production, &proxy, &["--ses-identity-arn", SES_ARN])
        .await
        .assert_code(0);
    let statuses: Vec<_> = proxy
        .calls_of("SetUserPoolMfaConfig")
        .iter()
        .map(|call| call.status)
        .collect();
    assert_eq!(statuses, [Some(400), Some(200)]);
    assert_eq!(
        count(&proxy, "CreateUserPoolClient"),
        1,
        "the run went on to the client"
    );
    provision(
        Environment::Production,
        &proxy,
        &["--ses-identity-arn", SES_ARN, "--check"],
    )
    .await
    .assert_code(0);
}

#[tokio::test]
async fn concurrent_modification_is_retried_on_update_user_pool() {
    let proxy = proxy().await;
    provision(Environment::Development, &proxy, &[]).await.assert_code(0);
    let pool_id = pools_named(&proxy, "credere").await.remove(0);
    // Drift that only UpdateUserPool fixes: the feature plan.
    change_pool(&proxy, &pool_id, |pool| {
        pool.user_pool_tier = Some(UserPoolTierType::Essentials)
    })
    .await;
    proxy.clear();
    proxy.inject(Fault::once("UpdateUserPool", 1, FaultKind::ConcurrentModification));
    provision(Environment::Development, &proxy, &[]).await.assert_code(0);
    let updates = proxy.calls_of("UpdateUserPool");
    assert_eq!(updates.len(), 2);
    assert_eq!(updates[1].status, Some(200));
    assert_eq!(updates[1].request_json().unwrap()["UserPoolTier"], "LITE");
    provision(Environment::Development, &proxy, &["--check"])
        .await
        .assert_code(0);
}

/// Two runs from scratch at once: both list (nothing), both create, and each catches the other's pool.
/// The holds make both creates finish before either run looks again; without them, the run whose pool is
/// the older may look before the newer exists and finish (its pool is the one to keep), while the run
/// that made the newer one always catches it.
#[tokio::test]
async fn two_runs_from_scratch_at_once_fail_naming_both_pools_and_the_newer() {
    let proxy = proxy().await;
    let creates = proxy.hold("CreateUserPool");
    let release = async {
        // Both runs have listed, found nothing and sent their create before either is answered.
        creates.wait_for(2).await;
        // Nothing is listing now: each run waits for its create. Hold the look that follows each create.
        let looks = proxy.hold("ListUserPools");
        creates.release();
        looks.wait_for(2).await;
        looks.release();
    };
    let (first, second, ()) = tokio::join!(
        provision(Environment::Development, &proxy, &[]),
        provision(Environment::Development, &proxy, &[]),
        release
    );
    let pools = pools_named(&proxy, "credere").await;
    assert_eq!(pools.len(), 2);
    for run in [&first, &second] {
        run.assert_code(1);
        for id in &pools {
            assert!(run.stderr.contains(id.as_str()), "names {id}: {}", run.stderr);
        }
        assert!(run.stderr.contains("Delete the newer one"), "{}", run.stderr);
    }
    assert_eq!(
        count(&proxy, "CreateUserPoolClient"),
        0,
        "nothing is built on a duplicate"
    );
}

#[tokio::test]
async fn the_feature_plan_and_attribute_update_rule_are_sent_on_create() {
    let proxy = proxy().await;
    provision(Environment::Development, &proxy, &[]).await.assert_code(0);
    let create = proxy.calls_of("CreateUserPool")[0].request_json().unwrap();
    assert_eq!(create["UserPoolTier"], "LITE", "{create}");
    assert_eq!(
        create["UserAttributeUpdateSettings"],
        json!({ "AttributesRequireVerificationBeforeUpdate": ["email"] })
    );
    let spec = xtask(&["spec", "--env", "production"]).await;
    spec.assert_code(0);
    let spec = spec.json();
    assert_eq!(spec["pool"]["tier"], "LITE");
    assert_eq!(
        spec["pool"]["attributes_require_verification_before_update"],
        json!(["email"])
    );
}

/// A live pool on ESSENTIALS with a password history: the plan shows both, and the fix sends LITE without
/// the history rather than running into FeatureUnavailableInTierException.
#[tokio::test]
async fn a_higher_feature_plan_and_its_password_history_show_in_the_plan_and_are_removed() {
    let proxy = proxy().await;
    provision(Environment::Development, &proxy, &[]).await.assert_code(0);
    let pool_id = pools_named(&proxy, "credere").await.remove(0);
    change_pool(&proxy, &pool_id, |pool| {
        pool.user_pool_tier = Some(UserPoolTierType::Essentials);
        let policy = pool
            .policies
            .as_mut()
            .and_then(|policies| policies.password_policy.as_mut());
        policy.unwrap().password_history_size = Some(5);
    })
    .await;

    let check = provision(Environment::Development, &proxy, &["--check"]).await;
    check.assert_code(2);
    assert!(
        check.stdout.contains("pool.tier: ESSENTIALS -> LITE"),
        "{}",
        check.stdout
    );
    assert!(
        check
            .stdout
            .contains("pool.password_policy.password_history_size: 5 -> none"),
        "{}",
        check.stdout
    );
    proxy.clear();
    provision(Environment::Development, &proxy, &[]).await.assert_code(0);
    let update = proxy.calls_of("UpdateUserPool")[0].request_json().unwrap();
    assert_eq!(update["UserPoolTier"], "LITE");
    assert!(
        update["Policies"]["PasswordPolicy"]
            .get("PasswordHistorySize")
            .is_none(),
        "{update}"
    );
    provision(Environment::Development, &proxy, &["--check"])
        .await
        .assert_code(0);
}

/// Sets the live pool's SES identity behind the tool's back.
async fn send_through(proxy: &RecordingProxy, pool_id: &str, source_arn: &str) {
    change_pool(proxy, pool_id, |pool| {
        pool.email_configuration = Some(
            EmailConfigurationType::builder()
                .email_sending_account(EmailSendingAccountType::Developer)
                .source_arn(source_arn)
                .from(pool_spec::SES_FROM)
                .build(),
        );
    })
    .await;
}

#[tokio::test]
async fn a_live_ses_identity_of_the_domain_in_another_region_and_account_is_kept() {
    let proxy = proxy().await;
    provision(Environment::Production, &proxy, &["--ses-identity-arn", SES_ARN])
        .await
        .assert_code(0);
    let pool_id = pools_named(&proxy, "credere-production").await.remove(0);
    let domain = "arn:aws:ses:eu-west-1:999999999999:identity/noreply.open-contracting.org";
    send_through(&proxy, &pool_id, domain).await;

    // Without --ses-identity-arn: the live identity covers the address, so nothing changes.
    let check = provision(Environment::Production, &proxy, &["--check"]).await;
    check.assert_code(0);
    assert!(
        check
            .stdout
            .contains(&format!("SES identity: {domain} (kept from the live pool)")),
        "{}",
        check.stdout
    );

    // A live identity that cannot send as the address is replaced by one built for this account and region.
    send_through(
        &proxy,
        &pool_id,
        "arn:aws:ses:eu-west-1:999999999999:identity/example.org",
    )
    .await;
    let check = provision(Environment::Production, &proxy, &["--check"]).await;
    check.assert_code(2);
    let built = format!(
        "arn:aws:ses:us-east-1:{}:identity/credere@noreply.open-contracting.org",
        proxy.account_id()
    );
    assert!(check.stdout.contains(&built), "{}", check.stdout);
    assert!(
        check.stdout.contains("built from the caller's account"),
        "{}",
        check.stdout
    );

    // A domain identity is accepted as --ses-identity-arn, and applied.
    proxy.clear();
    provision(Environment::Production, &proxy, &["--ses-identity-arn", domain])
        .await
        .assert_code(0);
    let update = proxy.calls_of("UpdateUserPool")[0].request_json().unwrap();
    assert_eq!(update["EmailConfiguration"]["SourceArn"], domain);

    let refused = provision(
        Environment::Production,
        &proxy,
        &[
            "--check",
            "--ses-identity-arn",
            "arn:aws:ses:eu-west-1:999999999999:identity/example.org",
        ],
    )
    .await;
    refused.assert_code(1);
    assert!(
        refused.stderr.contains("names no identity that may send as"),
        "{}",
        refused.stderr
    );
}

#[tokio::test]
async fn ses_refusals_get_a_hint_that_names_the_fix() {
    for (code, message, hint) in [
        (
            "InvalidParameterException",
            "Email address is not verified. The following identities failed the check: credere@noreply.open-contracting.org",
            "verify the address (or its domain) in SES",
        ),
        (
            "NotAuthorizedException",
            "Email arn does not belong to your account.",
            "names another AWS account",
        ),
    ] {
        let proxy = proxy().await;
        proxy.inject(Fault::once("CreateUserPool", 1, FaultKind::Refused { code, message }));
        let run = provision(Environment::Production, &proxy, &["--ses-identity-arn", SES_ARN]).await;
        run.assert_code(1);
        assert!(run.stderr.contains(code) && run.stderr.contains(hint), "{}", run.stderr);
        assert!(run.stderr.contains("--ses-identity-arn"), "{}", run.stderr);
        assert_eq!(count(&proxy, "CreateUserPool"), 1, "a refusal is not retried");
        assert!(pools_named(&proxy, "credere-production").await.is_empty());
    }
}

#[tokio::test]
async fn concurrent_modification_that_never_ends_fails_after_five_attempts_with_a_hint() {
    let proxy = proxy().await;
    proxy.inject(Fault {
        operation: "SetUserPoolMfaConfig".into(),
        nth: 1,
        times: 100,
        kind: FaultKind::ConcurrentModification,
        after_forwarding: false,
    });
    let run = provision(Environment::Development, &proxy, &[]).await;
    run.assert_code(1);
    assert_eq!(count(&proxy, "SetUserPoolMfaConfig"), 5);
    assert!(run.stderr.contains("another change to this pool"), "{}", run.stderr);
    // The pool exists without MFA; the next run plans from it and finishes.
    proxy.clear();
    provision(Environment::Development, &proxy, &[]).await.assert_code(0);
    assert_eq!(pools_named(&proxy, "credere").await.len(), 1);
    provision(Environment::Development, &proxy, &["--check"])
        .await
        .assert_code(0);
}

/// A connection that AWS's side closes after the call reached it, on every attempt, is named as such with what to
/// do, rather than left at the SDK's "dispatch failure … SendRequest" (issue 19, item 17).
#[tokio::test]
async fn a_connection_dropped_mid_answer_on_every_attempt_says_so_and_what_to_do() {
    let proxy = proxy().await;
    proxy.inject(Fault {
        times: 5,
        ..Fault::after_forwarding("ListUserPools", 1, FaultKind::DropConnection)
    });
    let run = provision(Environment::Development, &proxy, &["--check"]).await;
    run.assert_code(1);
    assert_eq!(count(&proxy, "ListUserPools"), 5, "every attempt was made");
    let hint = run.stderr.lines().find(|line| line.starts_with("hint:"));
    assert!(
        hint.is_some_and(|hint| hint.contains("closed the connection before the answer came")
            && hint.contains("run the same command again")),
        "{}",
        run.stderr
    );
}
