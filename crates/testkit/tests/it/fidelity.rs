//! The emulator's fidelity rules (FIDELITY.md): one test per rule, against the real moto through the recording
//! proxy. Each refusal is checked for AWS's error type and message, for having changed nothing, and for the
//! answer moto gives when the test switches the rule off with `RecordingProxy::lenient`.

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use aws_sdk_cognitoidentityprovider::types::{
    AdminCreateUserConfigType, AdvancedSecurityModeType, AttributeDataType, AttributeType, AuthFactorType,
    DeletionProtectionType, EmailMfaConfigType, LambdaConfigType, PasswordPolicyType,
    PreTokenGenerationLambdaVersionType, PreTokenGenerationVersionConfigType, SchemaAttributeType, SignInPolicyType,
    SoftwareTokenMfaConfigType, TimeUnitsType, TokenValidityUnitsType, UserPoolAddOnsType, UserPoolMfaType,
    UserPoolPolicyType, UserPoolTierType,
};
use serde_json::{Value, json};
use testkit::RecordingProxy;

/// A proxy of the test's own (an AWS account of its own) and an SDK client built as the commands build theirs.
pub(crate) async fn account() -> (RecordingProxy, Client) {
    let proxy = RecordingProxy::start(&testkit::cognito_endpoint()).await.unwrap();
    let options = cognito::ConnectOptions {
        endpoint_url: Some(proxy.endpoint()),
        max_attempts: 1,
        ..cognito::ConnectOptions::default()
    };
    let client = Client::new(&cognito::load_sdk_config(&options).await);
    (proxy, client)
}

/// The error code and message of a refused call; panics when the call succeeded.
pub(crate) fn refusal<T: std::fmt::Debug, E: ProvideErrorMetadata + std::fmt::Debug>(
    result: Result<T, E>,
) -> (String, String) {
    let error = result.expect_err("the call should have been refused");
    (
        error.code().unwrap_or_default().to_owned(),
        error.message().unwrap_or_default().to_owned(),
    )
}

fn attribute(name: &str, value: &str) -> AttributeType {
    AttributeType::builder().name(name).value(value).build().unwrap()
}

fn refused(code: &str, message: &str) -> (String, String) {
    (code.to_owned(), message.to_owned())
}

/// The names of the pools in the proxy's account.
async fn pool_names(client: &Client) -> Vec<String> {
    let pools = client.list_user_pools().max_results(60).send().await.unwrap();
    pools.user_pools().iter().filter_map(|pool| pool.name.clone()).collect()
}

async fn create_pool(client: &Client, name: &str) -> String {
    let created = client.create_user_pool().pool_name(name).send().await.unwrap();
    created.user_pool.unwrap().id.unwrap()
}

async fn describe(client: &Client, id: &str) -> aws_sdk_cognitoidentityprovider::types::UserPoolType {
    let described = client.describe_user_pool().user_pool_id(id).send().await.unwrap();
    described.user_pool.unwrap()
}

fn password_policy(policy: PasswordPolicyType) -> UserPoolPolicyType {
    UserPoolPolicyType::builder().password_policy(policy).build()
}

/// Runs one Cognito call with boto3 through `proxy` (for members the Rust SDK lacks, and answers it cannot
/// read), off the runtime's thread so the proxy keeps serving. Returns `{"ok": answer}` or
/// `{"error": {"Code": …, "Message": …}}`.
async fn boto3(proxy: &RecordingProxy, operation: &'static str, params: Value) -> Value {
    let endpoint = proxy.endpoint();
    let output = tokio::task::spawn_blocking(move || {
        testkit::run_python(
            "import boto3, botocore.config, botocore.exceptions, json, sys\n\
             client = boto3.client('cognito-idp', endpoint_url=sys.argv[1], region_name='us-east-1',\n\
                 config=botocore.config.Config(retries={'max_attempts': 1}))\n\
             try:\n\
             \x20   answer = {'ok': getattr(client, sys.argv[2])(**json.load(sys.stdin))}\n\
             except botocore.exceptions.ClientError as error:\n\
             \x20   answer = {'error': {key: error.response['Error'][key] for key in ('Code', 'Message')}}\n\
             print(json.dumps(answer, default=str))",
            &[&endpoint, operation],
            &params.to_string(),
        )
    })
    .await
    .unwrap();
    serde_json::from_str(&output).unwrap()
}

fn boto3_refusal(answer: &Value) -> (String, String) {
    let error = answer
        .get("error")
        .unwrap_or_else(|| panic!("the call should have been refused: {answer}"));
    (
        error["Code"].as_str().unwrap().to_owned(),
        error["Message"].as_str().unwrap().to_owned(),
    )
}

fn boto3_ok(answer: Value) -> Value {
    match answer {
        Value::Object(mut answer) if answer.contains_key("ok") => answer.remove("ok").unwrap(),
        answer => panic!("the call should have succeeded: {answer}"),
    }
}

const STANDARD_ATTRIBUTES: [&str; 21] = [
    "sub",
    "name",
    "given_name",
    "family_name",
    "middle_name",
    "nickname",
    "preferred_username",
    "profile",
    "picture",
    "website",
    "email",
    "email_verified",
    "gender",
    "birthdate",
    "zoneinfo",
    "locale",
    "phone_number",
    "phone_number_verified",
    "address",
    "updated_at",
    "identities",
];

/// `standard-schema`, `legacy-validity-days-reported`, `tier-default`, `deletion-protection-default`: the
/// shaped DescribeUserPool answer parses with the Rust SDK and reads as AWS's published answer.
#[tokio::test]
async fn described_pool_reports_the_whole_standard_schema_with_sub_required() {
    let (proxy, client) = account().await;
    let email = SchemaAttributeType::builder()
        .name("email")
        .attribute_data_type("String".into())
        .required(true)
        .mutable(true)
        .build();
    let custom = SchemaAttributeType::builder()
        .name("language")
        .attribute_data_type("String".into())
        .build();
    let created = client
        .create_user_pool()
        .pool_name("schema")
        .schema(email)
        .schema(custom)
        .policies(password_policy(
            PasswordPolicyType::builder()
                .minimum_length(12)
                .temporary_password_validity_days(3)
                .build(),
        ))
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap();
    let id = created.id.clone().unwrap();
    for pool in [created, describe(&client, &id).await] {
        let names: Vec<&str> = pool
            .schema_attributes()
            .iter()
            .filter_map(|attribute| attribute.name())
            .collect();
        let expected: Vec<&str> = STANDARD_ATTRIBUTES.iter().copied().chain(["custom:language"]).collect();
        assert_eq!(names, expected);
        let attribute = |name: &str| {
            pool.schema_attributes()
                .iter()
                .find(|attribute| attribute.name() == Some(name))
                .unwrap()
                .clone()
        };
        let sub = attribute("sub");
        assert_eq!((sub.required, sub.mutable), (Some(true), Some(false)));
        assert_eq!(
            sub.string_attribute_constraints.unwrap().min_length(),
            Some("1"),
            "sub's constraints as AWS reports them"
        );
        let email = attribute("email");
        assert_eq!((email.required, email.mutable), (Some(true), Some(true)));
        assert_eq!(
            attribute("name").required,
            Some(false),
            "standard attributes are optional by default"
        );
        assert_eq!(
            attribute("birthdate")
                .string_attribute_constraints
                .unwrap()
                .max_length(),
            Some("10")
        );
        assert_eq!(pool.user_pool_tier(), Some(&UserPoolTierType::Essentials));
        assert_eq!(pool.deletion_protection(), Some(&DeletionProtectionType::Inactive));
        assert_eq!(pool.mfa_configuration(), Some(&UserPoolMfaType::Off));
        let temporary = pool
            .policies()
            .unwrap()
            .password_policy()
            .unwrap()
            .temporary_password_validity_days();
        let legacy = pool.admin_create_user_config().unwrap().unused_account_validity_days();
        assert_eq!((temporary, legacy), (3, 3));
    }

    // A pool with no password policy reports the default, 7 days, in both members.
    let plain = create_pool(&client, "plain").await;
    let pool = describe(&client, &plain).await;
    assert_eq!(
        pool.admin_create_user_config().unwrap().unused_account_validity_days(),
        7
    );
    assert_eq!(
        pool.policies()
            .unwrap()
            .password_policy()
            .unwrap()
            .temporary_password_validity_days(),
        7
    );

    // Switched off, moto's own answer comes back: only the schema the pool was created with, no tier.
    proxy.lenient(&["standard-schema", "tier-default", "deletion-protection-default"]);
    let lenient = describe(&client, &id).await;
    let names: Vec<&str> = lenient
        .schema_attributes()
        .iter()
        .filter_map(|attribute| attribute.name())
        .collect();
    assert_eq!(names, ["email", "custom:language"]);
    assert_eq!((lenient.user_pool_tier(), lenient.deletion_protection()), (None, None));
}

/// `client-type`: Create, Update and DescribeUserPoolClient report the read-only `ClientType` (botocore 1.44.18's
/// UserPoolClientType; the Rust SDK does not know it, so boto3 reads it).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_answers_report_client_type_regular() {
    let (proxy, client) = account().await;
    let id = create_pool(&client, "clients").await;
    let created = boto3_ok(
        boto3(
            &proxy,
            "create_user_pool_client",
            json!({"UserPoolId": id, "ClientName": "app"}),
        )
        .await,
    );
    assert_eq!(created["UserPoolClient"]["ClientType"], "REGULAR");
    let client_id = created["UserPoolClient"]["ClientId"].as_str().unwrap().to_owned();
    let key = json!({"UserPoolId": id, "ClientId": client_id});
    let described = boto3_ok(boto3(&proxy, "describe_user_pool_client", key.clone()).await);
    assert_eq!(described["UserPoolClient"]["ClientType"], "REGULAR");
    let updated = boto3_ok(boto3(&proxy, "update_user_pool_client", key.clone()).await);
    assert_eq!(updated["UserPoolClient"]["ClientType"], "REGULAR");

    proxy.lenient(&["client-type"]);
    let described = boto3_ok(boto3(&proxy, "describe_user_pool_client", key).await);
    assert_eq!(described["UserPoolClient"].get("ClientType"), None);
}

/// `legacy-validity-days`: a non-zero UnusedAccountValidityDays beside TemporaryPasswordValidityDays is refused on
/// create and on update (where the pool already has one); 0 is accepted.
#[tokio::test]
async fn legacy_validity_days_beside_the_temporary_password_validity_are_refused() {
    let (proxy, client) = account().await;
    let legacy = |days| {
        AdminCreateUserConfigType::builder()
            .unused_account_validity_days(days)
            .build()
    };
    let policy = || {
        password_policy(
            PasswordPolicyType::builder()
                .minimum_length(10)
                .temporary_password_validity_days(3)
                .build(),
        )
    };
    let expected = refused(
        "InvalidParameterException",
        "Please use TemporaryPasswordValidityDays in PasswordPolicy instead of UnusedAccountValidityDays",
    );
    let create = |name: &'static str, days| {
        client
            .create_user_pool()
            .pool_name(name)
            .policies(policy())
            .admin_create_user_config(legacy(days))
            .send()
    };
    assert_eq!(refusal(create("legacy", 7).await), expected);
    assert!(pool_names(&client).await.is_empty(), "nothing was created");
    let id = create("zero", 0).await.unwrap().user_pool.unwrap().id.unwrap();

    // The pool has TemporaryPasswordValidityDays, so an update sending the legacy member alone is refused too.
    let update = |days| {
        client
            .update_user_pool()
            .user_pool_id(&id)
            .admin_create_user_config(legacy(days))
            .policies(password_policy(
                PasswordPolicyType::builder().minimum_length(20).build(),
            ))
            .send()
    };
    assert_eq!(refusal(update(5).await), expected);
    let unchanged = describe(&client, &id).await;
    assert_eq!(
        unchanged
            .policies()
            .unwrap()
            .password_policy()
            .unwrap()
            .minimum_length(),
        Some(10)
    );
    update(0).await.unwrap();

    proxy.lenient(&["legacy-validity-days"]);
    create("lenient", 7).await.unwrap();
    assert_eq!(pool_names(&client).await, ["zero", "lenient"]);
}

/// `password-policy-range`: MinimumLength 6–99, TemporaryPasswordValidityDays 0–365, PasswordHistorySize 0–24,
/// refused by the service with AWS's validation message (the Rust SDK checks no range).
#[tokio::test]
async fn password_policy_values_out_of_range_are_refused() {
    let (proxy, client) = account().await;
    let create = |policy: PasswordPolicyType| {
        client
            .create_user_pool()
            .pool_name("range")
            .policies(password_policy(policy))
            .send()
    };
    assert_eq!(
        refusal(create(PasswordPolicyType::builder().minimum_length(5).build()).await),
        refused(
            "InvalidParameterException",
            "1 validation error detected: Value '5' at 'policies.passwordPolicy.minimumLength' failed to satisfy \
             constraint: Member must have value greater than or equal to 6"
        )
    );
    let both = PasswordPolicyType::builder()
        .minimum_length(100)
        .temporary_password_validity_days(366)
        .build();
    assert_eq!(
        refusal(create(both).await),
        refused(
            "InvalidParameterException",
            "2 validation errors detected: Value '100' at 'policies.passwordPolicy.minimumLength' failed to satisfy \
             constraint: Member must have value less than or equal to 99; Value '366' at \
             'policies.passwordPolicy.temporaryPasswordValidityDays' failed to satisfy constraint: Member must have \
             value less than or equal to 365"
        )
    );
    assert!(pool_names(&client).await.is_empty(), "nothing was created");
    create(PasswordPolicyType::builder().minimum_length(6).build())
        .await
        .unwrap();
    let id = create(PasswordPolicyType::builder().minimum_length(99).build())
        .await
        .unwrap()
        .user_pool
        .unwrap()
        .id
        .unwrap();
    let update = client
        .update_user_pool()
        .user_pool_id(&id)
        .policies(password_policy(
            PasswordPolicyType::builder().password_history_size(25).build(),
        ))
        .send()
        .await;
    assert_eq!(refusal(update).0, "InvalidParameterException");

    proxy.lenient(&["password-policy-range"]);
    create(PasswordPolicyType::builder().minimum_length(5).build())
        .await
        .unwrap();
    assert_eq!(pool_names(&client).await.len(), 3);
}

/// `create-mfa-needs-sms`: CreateUserPool supports only SMS MFA; MFA ON or OPTIONAL without SmsConfiguration is
/// refused (TOTP is turned on afterwards with SetUserPoolMfaConfig).
#[tokio::test]
async fn create_user_pool_with_mfa_and_no_sms_configuration_is_refused() {
    let (proxy, client) = account().await;
    let create = |mfa| client.create_user_pool().pool_name("mfa").mfa_configuration(mfa).send();
    let expected = refused(
        "InvalidParameterException",
        "SMS configuration and Auto verification for phone_number are required when MFA is required/optional",
    );
    assert_eq!(refusal(create(UserPoolMfaType::On).await), expected);
    assert_eq!(refusal(create(UserPoolMfaType::Optional).await), expected);
    assert!(pool_names(&client).await.is_empty(), "nothing was created");
    create(UserPoolMfaType::Off).await.unwrap();

    proxy.lenient(&["create-mfa-needs-sms"]);
    let created = create(UserPoolMfaType::On).await.unwrap().user_pool.unwrap();
    assert_eq!(created.mfa_configuration(), Some(&UserPoolMfaType::On));
}

const LITE_REFUSAL: &str = "The following features need to be disabled for the LITE pricing tier configured: ";

/// `tier-password-history`, `tier-passwordless`, `tier-access-token-customization`: refused on a LITE pool, on
/// create and on an update moving the pool to LITE; accepted on ESSENTIALS.
#[tokio::test]
async fn essentials_features_are_refused_on_lite() {
    let (proxy, client) = account().await;
    let history = || password_policy(PasswordPolicyType::builder().password_history_size(5).build());
    let create = |name: &'static str, tier: UserPoolTierType, policies: UserPoolPolicyType| {
        client
            .create_user_pool()
            .pool_name(name)
            .user_pool_tier(tier)
            .policies(policies)
            .send()
    };
    let (code, message) = refusal(create("lite", UserPoolTierType::Lite, history()).await);
    assert_eq!(
        (code.as_str(), message),
        (
            "FeatureUnavailableInTierException",
            format!("{LITE_REFUSAL}Password History")
        )
    );
    let passwordless = UserPoolPolicyType::builder()
        .sign_in_policy(
            SignInPolicyType::builder()
                .allowed_first_auth_factors(AuthFactorType::Password)
                .allowed_first_auth_factors(AuthFactorType::EmailOtp)
                .build(),
        )
        .build();
    assert_eq!(
        refusal(create("lite", UserPoolTierType::Lite, passwordless.clone()).await).1,
        format!("{LITE_REFUSAL}Passwordless Sign-In")
    );
    let password_only = UserPoolPolicyType::builder()
        .sign_in_policy(
            SignInPolicyType::builder()
                .allowed_first_auth_factors(AuthFactorType::Password)
                .build(),
        )
        .build();
    create("lite", UserPoolTierType::Lite, password_only).await.unwrap();
    let pre_token = LambdaConfigType::builder()
        .pre_token_generation_config(
            PreTokenGenerationVersionConfigType::builder()
                .lambda_version(PreTokenGenerationLambdaVersionType::V20)
                .lambda_arn("arn:aws:lambda:us-east-1:123456789012:function:pre-token")
                .build()
                .unwrap(),
        )
        .build();
    let with_trigger = client
        .create_user_pool()
        .pool_name("trigger")
        .user_pool_tier(UserPoolTierType::Lite)
        .lambda_config(pre_token.clone())
        .send()
        .await;
    assert_eq!(
        refusal(with_trigger).1,
        format!("{LITE_REFUSAL}Access Token Customization")
    );
    assert_eq!(pool_names(&client).await, ["lite"], "nothing else was created");

    // ESSENTIALS (also the default) has them all; moving that pool down to LITE with them is refused.
    let id = create("essentials", UserPoolTierType::Essentials, history())
        .await
        .unwrap()
        .user_pool
        .unwrap()
        .id
        .unwrap();
    let down = client
        .update_user_pool()
        .user_pool_id(&id)
        .user_pool_tier(UserPoolTierType::Lite)
        .policies(history())
        .lambda_config(pre_token)
        .send()
        .await;
    assert_eq!(
        refusal(down).1,
        format!("{LITE_REFUSAL}Password History, Access Token Customization")
    );
    let unchanged = describe(&client, &id).await;
    assert_eq!(unchanged.user_pool_tier(), Some(&UserPoolTierType::Essentials));

    proxy.lenient(&["tier-password-history", "tier-passwordless"]);
    create("lenient", UserPoolTierType::Lite, history()).await.unwrap();
    create("lenient-passwordless", UserPoolTierType::Lite, passwordless)
        .await
        .unwrap();
}

/// `tier-threat-protection`: threat protection (AdvancedSecurityMode AUDIT or ENFORCED) is PLUS only.
#[tokio::test]
async fn threat_protection_is_refused_below_plus() {
    let (proxy, client) = account().await;
    let add_ons = |mode| {
        UserPoolAddOnsType::builder()
            .advanced_security_mode(mode)
            .build()
            .unwrap()
    };
    let create = |name: &'static str, tier: Option<UserPoolTierType>, mode| {
        client
            .create_user_pool()
            .pool_name(name)
            .set_user_pool_tier(tier)
            .user_pool_add_ons(add_ons(mode))
            .send()
    };
    assert_eq!(
        refusal(create("default", None, AdvancedSecurityModeType::Enforced).await),
        refused(
            "FeatureUnavailableInTierException",
            "The following features need to be disabled for the ESSENTIALS pricing tier configured: Threat Protection"
        )
    );
    assert_eq!(
        refusal(create("lite", Some(UserPoolTierType::Lite), AdvancedSecurityModeType::Audit).await).1,
        format!("{LITE_REFUSAL}Threat Protection")
    );
    assert!(pool_names(&client).await.is_empty(), "nothing was created");
    create("off", Some(UserPoolTierType::Essentials), AdvancedSecurityModeType::Off)
        .await
        .unwrap();
    create("plus", Some(UserPoolTierType::Plus), AdvancedSecurityModeType::Enforced)
        .await
        .unwrap();

    proxy.lenient(&["tier-threat-protection"]);
    create("lenient", None, AdvancedSecurityModeType::Enforced)
        .await
        .unwrap();
    assert_eq!(pool_names(&client).await, ["off", "plus", "lenient"]);
}

/// `tier-email-mfa` and `email-mfa-reported`: email MFA needs ESSENTIALS, both when it is turned on and when a
/// pool that has it moves to LITE; GetUserPoolMfaConfig reports it (moto ignored it).
#[tokio::test]
async fn email_mfa_is_refused_on_lite_and_keeps_a_pool_off_lite() {
    let (proxy, client) = account().await;
    let set_mfa = |id: String| {
        client
            .set_user_pool_mfa_config()
            .user_pool_id(id)
            .mfa_configuration(UserPoolMfaType::Optional)
            .software_token_mfa_configuration(SoftwareTokenMfaConfigType::builder().enabled(true).build())
            .email_mfa_configuration(EmailMfaConfigType::builder().subject("Your code").build())
            .send()
    };
    let lite = client
        .create_user_pool()
        .pool_name("lite")
        .user_pool_tier(UserPoolTierType::Lite)
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap()
        .id
        .unwrap();
    assert_eq!(
        refusal(set_mfa(lite.clone()).await),
        refused("FeatureUnavailableInTierException", &format!("{LITE_REFUSAL}Email MFA"))
    );
    let unchanged = client
        .get_user_pool_mfa_config()
        .user_pool_id(&lite)
        .send()
        .await
        .unwrap();
    assert_eq!(
        (unchanged.mfa_configuration(), unchanged.email_mfa_configuration()),
        (Some(&UserPoolMfaType::Off), None)
    );

    let essentials = create_pool(&client, "essentials").await;
    set_mfa(essentials.clone()).await.unwrap();
    let read = client
        .get_user_pool_mfa_config()
        .user_pool_id(&essentials)
        .send()
        .await
        .unwrap();
    assert_eq!(
        read.email_mfa_configuration().and_then(|email| email.subject()),
        Some("Your code")
    );
    let down = client
        .update_user_pool()
        .user_pool_id(&essentials)
        .user_pool_tier(UserPoolTierType::Lite)
        .send()
        .await;
    assert_eq!(refusal(down).1, format!("{LITE_REFUSAL}Email MFA"));
    assert_eq!(
        describe(&client, &essentials).await.user_pool_tier(),
        Some(&UserPoolTierType::Essentials)
    );

    proxy.lenient(&["tier-email-mfa", "email-mfa-reported"]);
    let read = client
        .get_user_pool_mfa_config()
        .user_pool_id(&essentials)
        .send()
        .await
        .unwrap();
    assert_eq!(read.email_mfa_configuration(), None);
    set_mfa(lite).await.unwrap();
    client
        .update_user_pool()
        .user_pool_id(&essentials)
        .user_pool_tier(UserPoolTierType::Lite)
        .send()
        .await
        .unwrap();
}

/// `tier-acr-names`: custom ACR level names need ESSENTIALS; refused on a LITE pool, on an update moving a pool to
/// LITE, and accepted on ESSENTIALS or with the rule off.
#[tokio::test]
async fn custom_acr_level_names_are_refused_on_lite() {
    let (proxy, client) = account().await;
    let level = aws_sdk_cognitoidentityprovider::types::AcrLevelConfigType::builder()
        .acr_value("urn:example:acr:one")
        .build()
        .unwrap();
    let essentials = create_pool(&client, "acr").await;
    let update = |tier: UserPoolTierType| {
        client
            .update_user_pool()
            .user_pool_id(&essentials)
            .user_pool_tier(tier)
            .acr_configuration("Level1", level.clone())
            .send()
    };
    update(UserPoolTierType::Essentials).await.unwrap();
    assert_eq!(
        refusal(update(UserPoolTierType::Lite).await),
        refused(
            "FeatureUnavailableInTierException",
            &format!("{LITE_REFUSAL}Custom ACR Level Names")
        )
    );
    assert_eq!(
        describe(&client, &essentials).await.user_pool_tier(),
        Some(&UserPoolTierType::Essentials)
    );
    proxy.lenient(&["tier-acr-names"]);
    update(UserPoolTierType::Lite).await.unwrap();
}

/// `tier-dcr` and `dcr-kept-on-update` (DcrConfiguration is newer than the Rust SDK, so boto3 sends it): dynamic
/// client registration needs ESSENTIALS; an update that omits DcrConfiguration keeps it, so moving that pool to
/// LITE is refused until it is sent with EnableStatus DISABLED.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dynamic_client_registration_is_refused_on_lite_and_kept_by_updates() {
    let (proxy, _client) = account().await;
    let lite = boto3(
        &proxy,
        "create_user_pool",
        json!({"PoolName": "lite", "UserPoolTier": "LITE", "DcrConfiguration": {"OpenDcrEnabled": false}}),
    )
    .await;
    assert_eq!(
        boto3_refusal(&lite),
        refused(
            "FeatureUnavailableInTierException",
            &format!("{LITE_REFUSAL}Dynamic Client Registration")
        )
    );
    let created = boto3_ok(
        boto3(
            &proxy,
            "create_user_pool",
            json!({"PoolName": "dcr", "DcrConfiguration": {"EnableStatus": "ENABLED"}}),
        )
        .await,
    );
    let id = created["UserPool"]["Id"].as_str().unwrap().to_owned();
    let update = |params: Value| boto3(&proxy, "update_user_pool", params);
    boto3_ok(update(json!({"UserPoolId": id, "AutoVerifiedAttributes": ["email"]})).await);
    let described = boto3_ok(boto3(&proxy, "describe_user_pool", json!({"UserPoolId": id})).await);
    assert_eq!(described["UserPool"]["DcrConfiguration"]["EnableStatus"], "ENABLED");
    let down = update(json!({"UserPoolId": id, "UserPoolTier": "LITE"})).await;
    assert_eq!(
        boto3_refusal(&down).1,
        format!("{LITE_REFUSAL}Dynamic Client Registration")
    );
    boto3_ok(
        update(json!({"UserPoolId": id, "UserPoolTier": "LITE", "DcrConfiguration": {"EnableStatus": "DISABLED"}}))
            .await,
    );

    proxy.lenient(&["tier-dcr", "dcr-kept-on-update"]);
    boto3_ok(
        boto3(
            &proxy,
            "create_user_pool",
            json!({"PoolName": "lenient", "UserPoolTier": "LITE", "DcrConfiguration": {}}),
        )
        .await,
    );
    boto3_ok(update(json!({"UserPoolId": id})).await);
    let described = boto3_ok(boto3(&proxy, "describe_user_pool", json!({"UserPoolId": id})).await);
    assert_eq!(
        described["UserPool"].get("DcrConfiguration"),
        None,
        "moto drops what an update omits"
    );
}

/// `client-auth-session-validity`: AuthSessionValidity is 3–15 minutes.
#[tokio::test]
async fn auth_session_validity_out_of_range_is_refused() {
    let (proxy, client) = account().await;
    let id = create_pool(&client, "session").await;
    let create = |minutes| {
        client
            .create_user_pool_client()
            .user_pool_id(&id)
            .client_name("app")
            .auth_session_validity(minutes)
            .send()
    };
    assert_eq!(
        refusal(create(2).await),
        refused(
            "InvalidParameterException",
            "1 validation error detected: Value '2' at 'authSessionValidity' failed to satisfy constraint: Member \
             must have value greater than or equal to 3"
        )
    );
    assert_eq!(
        refusal(create(16).await).1,
        "1 validation error detected: Value '16' at 'authSessionValidity' failed to satisfy constraint: Member \
         must have value less than or equal to 15"
    );
    let clients = client.list_user_pool_clients().user_pool_id(&id).send().await.unwrap();
    assert!(clients.user_pool_clients().is_empty(), "nothing was created");
    let client_id = create(15).await.unwrap().user_pool_client.unwrap().client_id.unwrap();
    let update = client
        .update_user_pool_client()
        .user_pool_id(&id)
        .client_id(&client_id)
        .auth_session_validity(20)
        .send()
        .await;
    assert_eq!(refusal(update).0, "InvalidParameterException");
    let described = client
        .describe_user_pool_client()
        .user_pool_id(&id)
        .client_id(&client_id)
        .send()
        .await
        .unwrap();
    assert_eq!(described.user_pool_client.unwrap().auth_session_validity, Some(15));

    proxy.lenient(&["client-auth-session-validity"]);
    create(60).await.unwrap();
}

/// `client-token-validity`: access and ID tokens 5 minutes–1 day, refresh tokens 60 minutes–10 years, in the
/// units of TokenValidityUnits (hours, hours and days when unset).
#[tokio::test]
async fn token_validity_out_of_range_is_refused() {
    let (proxy, client) = account().await;
    let id = create_pool(&client, "tokens").await;
    let units = |access, id_token, refresh| {
        TokenValidityUnitsType::builder()
            .access_token(access)
            .id_token(id_token)
            .refresh_token(refresh)
            .build()
    };
    let create = |access: i32, id_token: i32, refresh: i32, units: Option<TokenValidityUnitsType>| {
        client
            .create_user_pool_client()
            .user_pool_id(&id)
            .client_name("app")
            .access_token_validity(access)
            .id_token_validity(id_token)
            .refresh_token_validity(refresh)
            .set_token_validity_units(units)
            .send()
    };
    let expected = refused("InvalidParameterException", "Invalid range for token validity");
    // Default units: 25 hours of access token is more than a day.
    assert_eq!(refusal(create(25, 1, 30, None).await), expected);
    let minutes = || {
        Some(units(
            TimeUnitsType::Minutes,
            TimeUnitsType::Minutes,
            TimeUnitsType::Minutes,
        ))
    };
    assert_eq!(refusal(create(4, 60, 60, minutes()).await), expected);
    assert_eq!(refusal(create(60, 60, 59, minutes()).await), expected);
    let days = Some(units(TimeUnitsType::Hours, TimeUnitsType::Hours, TimeUnitsType::Days));
    assert_eq!(refusal(create(1, 1, 3651, days).await), expected);
    let clients = client.list_user_pool_clients().user_pool_id(&id).send().await.unwrap();
    assert!(clients.user_pool_clients().is_empty(), "nothing was created");
    create(5, 1440, 60, minutes()).await.unwrap();
    create(24, 24, 3650, None).await.unwrap();

    proxy.lenient(&["client-token-validity"]);
    create(25, 1, 30, None).await.unwrap();
}

/// `deletion-protection`: DeleteUserPool is refused while DeletionProtection is ACTIVE.
#[tokio::test]
async fn a_protected_pool_cannot_be_deleted() {
    let (proxy, client) = account().await;
    let protect = |name: &'static str| {
        client
            .create_user_pool()
            .pool_name(name)
            .deletion_protection(DeletionProtectionType::Active)
            .send()
    };
    let id = protect("protected").await.unwrap().user_pool.unwrap().id.unwrap();
    let deleted = client.delete_user_pool().user_pool_id(&id).send().await;
    assert_eq!(
        refusal(deleted),
        refused(
            "InvalidParameterException",
            "The user pool cannot be deleted because deletion protection is activated. Deletion protection must be \
             inactivated first."
        )
    );
    assert_eq!(pool_names(&client).await, ["protected"], "the pool is still there");
    client
        .update_user_pool()
        .user_pool_id(&id)
        .deletion_protection(DeletionProtectionType::Inactive)
        .send()
        .await
        .unwrap();
    client.delete_user_pool().user_pool_id(&id).send().await.unwrap();

    let other = protect("lenient").await.unwrap().user_pool.unwrap().id.unwrap();
    proxy.lenient(&["deletion-protection"]);
    client.delete_user_pool().user_pool_id(&other).send().await.unwrap();
    assert!(pool_names(&client).await.is_empty());
}

/// `sign-out-disabled-user` (undocumented for sign-out, so a test of the product tries both answers): a global
/// sign-out of a disabled user answers NotAuthorizedException "User is disabled.".
#[tokio::test]
async fn signing_out_a_disabled_user_is_refused() {
    let (proxy, client) = account().await;
    let id = create_pool(&client, "sign-out").await;
    for user in ["enabled", "disabled"] {
        client
            .admin_create_user()
            .user_pool_id(&id)
            .username(user)
            .send()
            .await
            .unwrap();
    }
    client
        .admin_disable_user()
        .user_pool_id(&id)
        .username("disabled")
        .send()
        .await
        .unwrap();
    let sign_out = |user| {
        client
            .admin_user_global_sign_out()
            .user_pool_id(&id)
            .username(user)
            .send()
    };
    sign_out("enabled").await.unwrap();
    assert_eq!(
        refusal(sign_out("disabled").await),
        refused("NotAuthorizedException", "User is disabled.")
    );

    proxy.lenient(&["sign-out-disabled-user"]);
    sign_out("disabled").await.unwrap();
    assert_eq!(proxy.calls_of("AdminUserGlobalSignOut").len(), 3);
}

/// `create-user-schema`: AdminCreateUser with an attribute the pool's schema lacks is refused with
/// InvalidParameterException "Attributes did not conform to the schema: custom:lender: Attribute does not exist in
/// the schema." and no user is created; once the pool has the attribute the same call is accepted.
#[tokio::test]
async fn creating_a_user_with_an_attribute_the_schema_lacks_is_refused() {
    let (proxy, client) = account().await;
    let id = create_pool(&client, "schema").await;
    let create = |username: &'static str| {
        client
            .admin_create_user()
            .user_pool_id(&id)
            .username(username)
            .user_attributes(attribute("email_verified", "true"))
            .user_attributes(attribute("custom:lender", "Banco Uno"))
            .user_attributes(attribute("custom:tier", "1"))
            .send()
    };
    assert_eq!(
        refusal(create("ada").await),
        refused(
            "InvalidParameterException",
            "Attributes did not conform to the schema: custom:lender: Attribute does not exist in the schema.\n\
             custom:tier: Attribute does not exist in the schema.\n"
        )
    );
    let listed = client.list_users().user_pool_id(&id).send().await.unwrap();
    assert!(listed.users().is_empty(), "nothing was created: {listed:?}");

    for name in ["lender", "tier"] {
        client
            .add_custom_attributes()
            .user_pool_id(&id)
            .custom_attributes(
                SchemaAttributeType::builder()
                    .name(name)
                    .attribute_data_type(AttributeDataType::String)
                    .mutable(true)
                    .build(),
            )
            .send()
            .await
            .unwrap();
    }
    create("ada").await.unwrap();

    let other = create_pool(&client, "lenient-schema").await;
    proxy.lenient(&["create-user-schema"]);
    client
        .admin_create_user()
        .user_pool_id(&other)
        .username("bo")
        .user_attributes(attribute("custom:lender", "Banco Dos"))
        .send()
        .await
        .unwrap();
}

/// A rule name the emulator does not know is refused, so a typo in `lenient` cannot leave a rule silently on;
/// `lenient(&[])` makes every rule apply again, and `clear` keeps the set.
#[tokio::test]
async fn lenient_names_are_checked_and_can_be_withdrawn() {
    let (proxy, client) = account().await;
    proxy.lenient(&["sign-out-disabled-user", "no-such-rule"]);
    let (code, message) = refusal(client.create_user_pool().pool_name("typo").send().await);
    assert_eq!(code, "InvalidParameterException");
    assert!(message.contains("no-such-rule"), "{message}");
    assert!(!message.contains("sign-out-disabled-user"), "{message}");

    proxy.lenient(&["create-mfa-needs-sms"]);
    proxy.clear();
    let on = || {
        client
            .create_user_pool()
            .pool_name("mfa")
            .mfa_configuration(UserPoolMfaType::On)
            .send()
    };
    on().await.expect("clear keeps the lenient rules");
    proxy.lenient(&[]);
    assert_eq!(refusal(on().await).0, "InvalidParameterException");
}
