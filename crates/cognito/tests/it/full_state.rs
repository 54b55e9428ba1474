//! Full-state updates are complete by construction, checked against AWS's own service model.
//!
//! UpdateUserPool and UpdateUserPoolClient reset every member they are not sent. This test walks every
//! member of both requests in botocore's `cognito-idp` model (nested structures included), sets each one
//! on a live pool and client to a value of its own within AWS's rules, runs a drift fix, and holds every
//! member to exactly one of four:
//! - **managed** by the spec (its value is the spec's, asserted below);
//! - **must not be sent as described**: AWS refuses the described value in an update to the spec's plan, so the
//!   drift fix sends the one value AWS takes, asserted exactly, with AWS's rule and where it says so;
//! - **newer than the SDK**: a row of [`cognito::NEWER_THAN_SDK`] (the SDK can neither read nor send it; the row
//!   says what AWS does when an update omits it), proven absent from the request;
//! - **carried over**, proven by finding the described value in the request the recording proxy saw.
//!
//! moto wipes what an update leaves out, so only the recorded request proves anything. A second test holds
//! [`cognito::NEWER_THAN_SDK`] to the difference between botocore's model and the SDK's own schemas.

use std::collections::BTreeMap;
use std::collections::BTreeSet;

use aws_sdk_cognitoidentityprovider::operation::update_user_pool::UpdateUserPoolInput;
use aws_sdk_cognitoidentityprovider::operation::update_user_pool_client::UpdateUserPoolClientInput;
use aws_sdk_cognitoidentityprovider::types::{UserPoolClientType, UserPoolType};
use cognito::{NEWER_THAN_SDK, NewerMember, WhenOmitted};
use pool_spec::{Action, Plan, PlanFeature, UserPoolTier};
use serde_json::{Map, Value, json};

/// Members of UpdateUserPoolRequest the spec sets (prefixes cover everything under them).
const MANAGED_POOL: &[&str] = &[
    "UserPoolId",
    "PoolName",
    "Policies.PasswordPolicy.MinimumLength",
    "Policies.PasswordPolicy.RequireUppercase",
    "Policies.PasswordPolicy.RequireLowercase",
    "Policies.PasswordPolicy.RequireNumbers",
    "Policies.PasswordPolicy.RequireSymbols",
    "Policies.PasswordPolicy.TemporaryPasswordValidityDays",
    // The spec's plan (LITE) does not offer it: the plan shows it removed.
    "Policies.PasswordPolicy.PasswordHistorySize",
    "DeletionProtection",
    "AutoVerifiedAttributes",
    "UserAttributeUpdateSettings.AttributesRequireVerificationBeforeUpdate",
    "MfaConfiguration",
    "EmailConfiguration.SourceArn",
    "EmailConfiguration.EmailSendingAccount",
    "EmailConfiguration.From",
    "AdminCreateUserConfig.AllowAdminCreateUserOnly",
    "AccountRecoverySetting",
    "UserPoolTier",
];

/// Members of UpdateUserPoolClientRequest the spec sets.
const MANAGED_CLIENT: &[&str] = &[
    "UserPoolId",
    "ClientId",
    "ClientName",
    "RefreshTokenValidity",
    "AccessTokenValidity",
    "IdTokenValidity",
    "TokenValidityUnits",
    "ExplicitAuthFlows",
    "PreventUserExistenceErrors",
    "EnableTokenRevocation",
    "AuthSessionValidity",
];

/// Members AWS refuses to be sent back as DescribeUserPool reports them (the spec's plan is LITE): the drift
/// fix sends the one value AWS takes. Each is the request member, that value (JSON), and AWS's rule with its
/// source.
const MUST_NOT_BE_SENT_AS_DESCRIBED: &[(&str, &str, &str)] = &[
    (
        "UpdateUserPoolRequest.AdminCreateUserConfig.UnusedAccountValidityDays",
        "0",
        "DescribeUserPool reports the legacy validity beside PasswordPolicy.TemporaryPasswordValidityDays (awscli \
         describe-user-pool.rst), and AWS refuses a non-zero one while the new member is set: \"Please use \
         TemporaryPasswordValidityDays in PasswordPolicy instead of UnusedAccountValidityDays\" (reported: \
         pulumi/pulumi-aws-native#1256; 0 accepted: hashicorp/terraform-provider-aws#8845; fidelity rule \
         legacy-validity-days)",
    ),
    (
        "UpdateUserPoolRequest.UserPoolAddOns",
        r#"{"AdvancedSecurityMode": "OFF"}"#,
        "threat protection needs the Plus plan (botocore UserPoolAddOnsType: \"your user pool must be on the Plus \
         tier\"; FeatureUnavailableInTierException otherwise, reported: hashicorp/terraform-provider-aws#40734; \
         fidelity rule tier-threat-protection): on LITE it is sent off, and the plan shows pool.threat_protection",
    ),
    (
        "UpdateUserPoolRequest.Policies.SignInPolicy.AllowedFirstAuthFactors",
        r#"["PASSWORD"]"#,
        "passwordless sign-in needs the Essentials plan (botocore SignInPolicyType: \"Essentials tier or higher\"; \
         reported: aws-amplify/amplify-backend#2805; fidelity rule tier-passwordless): on LITE the password is the \
         only first factor, and the plan shows pool.passwordless_sign_in",
    ),
];

/// The rows of [`NEWER_THAN_SDK`] that are members of `request` (an update request shape).
fn newer_than_sdk(request: &str) -> impl Iterator<Item = &'static NewerMember> + '_ {
    NEWER_THAN_SDK.iter().filter(move |row| row.shape == request)
}

struct Model {
    shapes: Map<String, Value>,
}

impl Model {
    fn load() -> Self {
        let model: Value = serde_json::from_str(&testkit::botocore_service_model("cognito-idp")).unwrap();
        let Value::Object(shapes) = model["shapes"].clone() else {
            panic!("botocore's model has no shapes");
        };
        Self { shapes }
    }

    fn shape(&self, name: &str) -> &Value {
        &self.shapes[name]
    }

    /// A value for every member of `shape`, each distinct, within the model's constraints; the dotted
    /// path of every leaf goes into `leaves`. Lists and maps are leaves.
    fn generate(&self, shape_name: &str, path: &str, leaves: &mut Vec<String>) -> Value {
        let shape = self.shape(shape_name);
        match shape["type"].as_str().unwrap() {
            "structure" => {
                let mut object = Map::new();
                for (member, target) in shape["members"].as_object().unwrap() {
                    let member_path = if path.is_empty() {
                        member.clone()
                    } else {
                        format!("{path}.{member}")
                    };
                    let value = self.generate(target["shape"].as_str().unwrap(), &member_path, leaves);
                    object.insert(member.clone(), value);
                }
                Value::Object(object)
            }
            "list" => {
                leaves.push(path.to_owned());
                let item = self.generate(shape["member"]["shape"].as_str().unwrap(), path, &mut Vec::new());
                json!([item])
            }
            "map" => {
                leaves.push(path.to_owned());
                let key = self.generate(
                    shape["key"]["shape"].as_str().unwrap(),
                    &format!("{path}.key"),
                    &mut Vec::new(),
                );
                let value = self.generate(shape["value"]["shape"].as_str().unwrap(), path, &mut Vec::new());
                json!({ key.as_str().unwrap(): value })
            }
            leaf => {
                leaves.push(path.to_owned());
                self.leaf(shape_name, shape, leaf, path)
            }
        }
    }

    fn leaf(&self, shape_name: &str, shape: &Value, kind: &str, path: &str) -> Value {
        let min = shape["min"].as_i64();
        let max = shape["max"].as_i64();
        match kind {
            "boolean" => json!(true),
            "integer" | "long" => {
                let low = min.unwrap_or(0);
                json!(max.map_or(low + 1, |max| (low + 1).min(max)))
            }
            "string" => {
                if let Some(choices) = shape["enum"].as_array() {
                    // The last choice: rarely Cognito's default, so a reset would show.
                    return choices.last().unwrap().clone();
                }
                let tag = path.rsplit('.').next().unwrap().to_ascii_lowercase();
                let text = if shape_name.contains("Arn") || tag.ends_with("arn") {
                    format!("arn:aws:lambda:us-east-1:123456789012:function:carried-{tag}")
                } else if tag.contains("email") && !tag.contains("message") && !tag.contains("subject") {
                    format!("{tag}@carried.example.org")
                } else if tag.contains("url") || tag.contains("uri") {
                    format!("https://carried.example.org/{tag}")
                } else if tag.ends_with("region") {
                    "eu-west-1".to_owned()
                } else if tag.contains("message") {
                    // Verification and invitation messages must hold their placeholders.
                    format!("carried {tag} {{username}} {{####}}")
                } else {
                    format!("carried-{tag}")
                };
                let min = usize::try_from(min.unwrap_or(0)).unwrap();
                let max = max.map_or(usize::MAX, |max| usize::try_from(max).unwrap());
                let mut text = format!("{text:x<min$}");
                text.truncate(max);
                json!(text)
            }
            other => panic!("{path}: no value generator for the model type {other}"),
        }
    }
}

fn covered(list: &[&str], path: &str) -> bool {
    list.iter()
        .any(|entry| path == *entry || path.starts_with(&format!("{entry}.")))
}

fn at<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(value, |value, member| value.get(member))
}

/// Runs one Cognito call with boto3 (which validates the parameters against the same model), off the
/// runtime's thread so the proxy keeps serving; the answer as JSON.
async fn boto3(endpoint: &str, region: &str, operation: &'static str, params: &Value) -> Value {
    let (endpoint, region, params) = (endpoint.to_owned(), region.to_owned(), params.to_string());
    let output = tokio::task::spawn_blocking(move || {
        testkit::run_python(
            "import boto3, botocore.config, json, sys; \
             client = boto3.client('cognito-idp', endpoint_url=sys.argv[1], region_name=sys.argv[2], \
                 config=botocore.config.Config(retries={'max_attempts': 1})); \
             print(json.dumps(getattr(client, sys.argv[3])(**json.load(sys.stdin)), default=str))",
            &[&endpoint, &region, operation],
            &params,
        )
    })
    .await
    .unwrap();
    serde_json::from_str(&output).unwrap()
}

/// The generated values AWS refuses, or that a pool moving to the spec's LITE plan cannot keep, replaced by
/// values within AWS's rules; every other member keeps its generated value of its own.
fn within_aws_rules(pool: &mut Value, client: &mut Value) {
    // Fidelity rule legacy-validity-days: non-zero beside PasswordPolicy.TemporaryPasswordValidityDays is refused.
    // DescribeUserPool still reports it non-zero (the temporary password's validity), which the drift fix must
    // not send back.
    pool["AdminCreateUserConfig"]["UnusedAccountValidityDays"] = json!(0);
    // Threat protection at ENFORCED (both modes) needs PLUS (botocore UserPoolAddOnsType); the update turns it off.
    pool["UserPoolTier"] = json!("PLUS");
    pool["UserPoolAddOns"] = json!({
        "AdvancedSecurityMode": "ENFORCED",
        "AdvancedSecurityAdditionalFlows": {"CustomAuthMode": "ENFORCED"},
    });
    // The password must stay a first factor (CDK's AllowedFirstAuthFactors: "This must be true"), and
    // SOFTWARE_TOKEN, the generated last choice, is not one (botocore SignInPolicyType). The update takes the
    // passwordless factor away.
    pool["Policies"]["SignInPolicy"]["AllowedFirstAuthFactors"] = json!(["PASSWORD", "EMAIL_OTP"]);
    // V2_0 and V3_0 (access-token customisation) need ESSENTIALS, and only the maintainer can take them away: the
    // plan would be a refusal. V1_0 works on every plan and is carried over.
    pool["LambdaConfig"]["PreTokenGenerationConfig"]["LambdaVersion"] = json!("V1_0");
    // Moving to LITE needs EnableStatus Disabled (botocore UpdateUserPoolRequest.DcrConfiguration); an enabled one
    // is the refusal tested below. The update does not send it and AWS keeps it.
    pool["DcrConfiguration"]["EnableStatus"] = json!("Disabled");
    // Custom ACR level names need ESSENTIALS (botocore UpdateUserPoolRequest.AcrConfiguration); only the maintainer
    // can take them away (the plan would be a refusal, pool.custom_acr_names): none are set, so the member is
    // carried over as the empty map.
    pool["AcrConfiguration"] = json!({});
    // Fidelity rule client-token-validity: access and ID tokens 5 minutes to 1 day, refresh tokens 60 minutes to
    // 10 years, in their units (botocore TokenValidityUnitsType); the generated 2 days is out of range.
    client["TokenValidityUnits"] = json!({"AccessToken": "hours", "IdToken": "hours", "RefreshToken": "days"});
    client["AccessTokenValidity"] = json!(2);
    client["IdTokenValidity"] = json!(3);
    client["RefreshTokenValidity"] = json!(2);
}

/// Which of the four a leaf of `request` is in.
#[derive(Debug)]
enum Category {
    Managed,
    MustNotBeSent(&'static (&'static str, &'static str, &'static str)),
    NewerThanSdk(&'static NewerMember),
    CarriedOver,
}

fn category(request: &str, managed: &[&str], leaf: &str) -> Category {
    let qualified = format!("{request}.{leaf}");
    let mut found = Vec::new();
    if covered(managed, leaf) {
        found.push(Category::Managed);
    }
    found.extend(
        MUST_NOT_BE_SENT_AS_DESCRIBED
            .iter()
            .filter(|(entry, _, _)| covered(&[entry], &qualified))
            .map(Category::MustNotBeSent),
    );
    found.extend(
        newer_than_sdk(request)
            .filter(|row| covered(&[row.member], leaf))
            .map(Category::NewerThanSdk),
    );
    assert!(found.len() <= 1, "{qualified} is in more than one category: {found:?}");
    found.pop().unwrap_or(Category::CarriedOver)
}

/// The leaves of one request, by category.
#[derive(Debug, Default)]
struct Accounted<'a> {
    managed: Vec<&'a str>,
    must_not_be_sent: Vec<&'a str>,
    newer_than_sdk: Vec<&'a str>,
    carried_over: Vec<&'a str>,
}

/// Holds every leaf of `request` to its category: carried over (the set-up's value is in the recorded
/// request), must not be sent as described (the described value differs from AWS's one value, which was sent),
/// newer than the SDK (not sent), managed (asserted by the caller).
fn account_for<'a>(
    request: &str,
    managed: &[&str],
    generated: &Value,
    described: &Value,
    leaves: &'a [String],
    sent: &Value,
) -> Accounted<'a> {
    let mut accounted = Accounted::default();
    for leaf in leaves {
        match category(request, managed, leaf) {
            Category::Managed => accounted.managed.push(leaf),
            Category::MustNotBeSent((entry, required, rule)) => {
                let member = &entry[request.len() + 1..];
                let required: Value = serde_json::from_str(required).unwrap();
                let actual = at(sent, member);
                assert_eq!(
                    actual,
                    Some(&required),
                    "{entry} must be sent as {required} ({rule}), but the drift fix sent {actual:?}"
                );
                let live = at(described, member);
                assert!(
                    live.is_some() && live != Some(&required),
                    "{entry}: the live resource must describe something other than {required} for the test to \
                     prove anything, but it described {live:?}"
                );
                accounted.must_not_be_sent.push(leaf);
            }
            Category::NewerThanSdk(row) => {
                assert_ne!(
                    row.when_omitted,
                    WhenOmitted::Reset,
                    "{request}.{}: an update resets it, so while it is set no update may be sent ({})",
                    row.member,
                    row.source
                );
                assert!(
                    sent.get(row.member).is_none(),
                    "{request}.{} is newer than the SDK, which cannot send it, yet the request has it",
                    row.member
                );
                accounted.newer_than_sdk.push(leaf);
            }
            Category::CarriedOver => {
                let expected = at(generated, leaf).unwrap();
                let actual = at(sent, leaf);
                let same = match (leaf.as_str(), actual) {
                    // Tags merge: the live ones stay beside the spec's.
                    ("UserPoolTags", Some(Value::Object(actual))) => expected
                        .as_object()
                        .unwrap()
                        .iter()
                        .all(|(key, value)| actual.get(key) == Some(value)),
                    (_, actual) => actual == Some(expected),
                };
                assert!(
                    same,
                    "{request}.{leaf} was set to {expected} on the live resource but the drift fix sent \
                     {actual:?}: carry it over, or list it as managed, as must not be sent as described (with \
                     AWS's rule), or classify it in cognito::NEWER_THAN_SDK"
                );
                accounted.carried_over.push(leaf);
            }
        }
    }
    assert!(
        !accounted.carried_over.is_empty(),
        "{request}: nothing was checked as carried over"
    );
    accounted
}

/// The written lists name only members the model has, so they cannot go stale.
fn assert_lists_name_real_members(request: &str, managed: &[&str], leaves: &[String]) {
    let real = |member: &str| leaves.iter().any(|leaf| covered(&[member], leaf));
    for entry in managed {
        assert!(
            real(entry),
            "{request}: `{entry}` is listed as managed but the model has no such member"
        );
    }
    for (entry, _, _) in MUST_NOT_BE_SENT_AS_DESCRIBED {
        if let Some(member) = entry.strip_prefix(&format!("{request}.")) {
            assert!(
                real(member),
                "`{entry}` is listed as must not be sent as described but the model has no such member"
            );
        }
    }
    for row in newer_than_sdk(request) {
        assert!(
            real(row.member),
            "cognito::NEWER_THAN_SDK has {request}.{} but the model has no such member",
            row.member
        );
    }
}

/// A proxy in front of the emulator, and the crate connected through it.
async fn connect() -> (testkit::RecordingProxy, cognito::Cognito) {
    let proxy = testkit::RecordingProxy::start(&testkit::cognito_endpoint())
        .await
        .unwrap();
    let options = cognito::ConnectOptions {
        endpoint_url: Some(proxy.endpoint()),
        ..cognito::ConnectOptions::default()
    };
    let cognito = cognito::Cognito::connect(&options).await;
    (proxy, cognito)
}

/// The calls since the last `clear()` that change something.
fn writes(proxy: &testkit::RecordingProxy) -> Vec<String> {
    proxy
        .operations()
        .into_iter()
        .filter(|operation| {
            !operation.starts_with("Describe") && !operation.starts_with("List") && !operation.starts_with("Get")
        })
        .collect()
}

fn changed_fields(plan: &Plan<cognito::LivePool>) -> Vec<&str> {
    plan.changes().iter().map(|change| change.field.as_str()).collect()
}

#[tokio::test]
async fn every_update_member_is_managed_carried_over_excluded_or_sent_as_aws_requires() {
    let model = Model::load();
    let (proxy, cognito) = connect().await;
    let spec = pool_spec::production();
    assert_eq!(
        spec.pool.tier,
        UserPoolTier::Lite,
        "the categories below are those of a move to LITE"
    );
    let ses_arn = pool_spec::ses_identity_arn(cognito.region(), proxy.account_id(), pool_spec::SES_IDENTITY);
    let prepared = cognito.prepare(&spec, Some(&ses_arn), None).await.unwrap();
    let applied = cognito.apply(prepared.plan.action().unwrap()).await.unwrap();

    // Every member of both requests set, by hand, to a value of its own within AWS's rules.
    let mut pool_leaves = Vec::new();
    let mut pool = model.generate("UpdateUserPoolRequest", "", &mut pool_leaves);
    pool["UserPoolId"] = json!(applied.pool_id);
    pool["PoolName"] = json!(spec.pool.name);
    let mut client_leaves = Vec::new();
    let mut client = model.generate("UpdateUserPoolClientRequest", "", &mut client_leaves);
    client["UserPoolId"] = json!(applied.pool_id);
    client["ClientId"] = json!(applied.client_id);
    client["ClientName"] = json!(spec.client.name);
    within_aws_rules(&mut pool, &mut client);
    for (request, resource, params) in [
        ("UpdateUserPoolRequest", "UserPoolType", &mut pool),
        ("UpdateUserPoolClientRequest", "UserPoolClientType", &mut client),
    ] {
        for row in newer_than_sdk(request) {
            if model.shape(resource)["members"].get(row.member).is_none() {
                // An instruction to the update, not a setting the resource reports (PublishSecretsInAWSSecretsManager
                // moves the secret): nothing to carry over or reset, so the set-up leaves it out.
                params.as_object_mut().unwrap().remove(row.member);
            }
        }
    }
    let endpoint = proxy.endpoint();
    boto3(&endpoint, cognito.region(), "update_user_pool", &pool).await;
    boto3(&endpoint, cognito.region(), "update_user_pool_client", &client).await;
    let ids = json!({"UserPoolId": applied.pool_id});
    let described_pool = boto3(&endpoint, cognito.region(), "describe_user_pool", &ids).await["UserPool"].take();
    let client_ids = json!({"UserPoolId": applied.pool_id, "ClientId": applied.client_id});
    let described_client =
        boto3(&endpoint, cognito.region(), "describe_user_pool_client", &client_ids).await["UserPoolClient"].take();

    proxy.clear();
    let prepared = cognito.prepare(&spec, Some(&ses_arn), None).await.unwrap();
    let Plan::Apply(Action::Update(update)) = &prepared.plan else {
        panic!("an update of the live pool: {:?}", prepared.plan)
    };
    assert!(update.needs_pool_update() && update.needs_client_update());
    // Members newer than the SDK that AWS keeps (DcrConfiguration) do not stop the update.
    assert_eq!(update.live().unreadable, cognito::Unreadable::default());
    let fields = changed_fields(&prepared.plan);
    for feature in [PlanFeature::ThreatProtection, PlanFeature::PasswordlessSignIn] {
        assert!(fields.contains(&feature.field()), "{fields:?}");
    }
    cognito.apply(prepared.plan.action().unwrap()).await.unwrap();

    let sent_pool = proxy.calls_of("UpdateUserPool")[0].request_json().unwrap();
    let sent_client = proxy.calls_of("UpdateUserPoolClient")[0].request_json().unwrap();
    assert_lists_name_real_members("UpdateUserPoolRequest", MANAGED_POOL, &pool_leaves);
    assert_lists_name_real_members("UpdateUserPoolClientRequest", MANAGED_CLIENT, &client_leaves);
    let pool_accounted = account_for(
        "UpdateUserPoolRequest",
        MANAGED_POOL,
        &pool,
        &described_pool,
        &pool_leaves,
        &sent_pool,
    );
    let client_accounted = account_for(
        "UpdateUserPoolClientRequest",
        MANAGED_CLIENT,
        &client,
        &described_client,
        &client_leaves,
        &sent_client,
    );
    // Every category was exercised on this walk (the client has no member AWS refuses as described).
    assert!(
        !pool_accounted.managed.is_empty()
            && !pool_accounted.newer_than_sdk.is_empty()
            && !client_accounted.managed.is_empty()
            && !client_accounted.newer_than_sdk.is_empty()
            && client_accounted.must_not_be_sent.is_empty(),
        "{pool_accounted:#?}\n{client_accounted:#?}"
    );
    // Each rule of AWS's was met on this walk, not only listed.
    for (entry, _, _) in MUST_NOT_BE_SENT_AS_DESCRIBED {
        let member = entry.strip_prefix("UpdateUserPoolRequest.").unwrap();
        assert!(
            pool_accounted
                .must_not_be_sent
                .iter()
                .any(|leaf| covered(&[member], leaf)),
            "{entry} was not exercised"
        );
    }

    // The managed members are the spec's, whatever the live pool had.
    let policy = &sent_pool["Policies"]["PasswordPolicy"];
    assert_eq!(policy["MinimumLength"], 14);
    assert!(
        policy.get("PasswordHistorySize").is_none(),
        "LITE has no password history: {policy}"
    );
    assert_eq!(sent_pool["UserPoolTier"], "LITE");
    assert_eq!(sent_pool["MfaConfiguration"], "ON");
    assert_eq!(
        sent_pool["UserAttributeUpdateSettings"]["AttributesRequireVerificationBeforeUpdate"],
        json!(["email"])
    );
    assert_eq!(sent_pool["EmailConfiguration"]["SourceArn"], json!(ses_arn));
    assert_eq!(sent_client["ExplicitAuthFlows"].as_array().unwrap().len(), 5);
    assert_eq!(sent_client["AccessTokenValidity"], 60);
    assert_eq!(sent_client["TokenValidityUnits"]["AccessToken"], "minutes");
    let tags: BTreeMap<String, String> = serde_json::from_value(sent_pool["UserPoolTags"].clone()).unwrap();
    assert!(
        spec.tags.iter().all(|(key, value)| tags.get(key) == Some(value)),
        "{tags:?}"
    );
    // AWS keeps what the update could not send (the emulator's dcr-kept-on-update rule).
    let after = boto3(&endpoint, cognito.region(), "describe_user_pool", &ids).await;
    assert_eq!(
        after["UserPool"]["DcrConfiguration"],
        described_pool["DcrConfiguration"]
    );
}

/// A live pool on a higher plan using threat protection and passwordless sign-in: the plan shows both turned
/// off, AWS's rules (the emulator's, none switched off) accept the drift fix, and the pool then matches.
#[tokio::test]
async fn a_move_to_lite_turns_threat_protection_and_passwordless_sign_in_off() {
    for (tier, add_ons, features) in [
        (
            "PLUS",
            "ENFORCED",
            &[PlanFeature::PasswordlessSignIn, PlanFeature::ThreatProtection][..],
        ),
        ("ESSENTIALS", "OFF", &[PlanFeature::PasswordlessSignIn][..]),
    ] {
        let (proxy, cognito) = connect().await;
        let spec = pool_spec::production();
        let ses_arn = pool_spec::ses_identity_arn(cognito.region(), proxy.account_id(), pool_spec::SES_IDENTITY);
        let prepared = cognito.prepare(&spec, Some(&ses_arn), None).await.unwrap();
        let applied = cognito.apply(prepared.plan.action().unwrap()).await.unwrap();
        boto3(
            &proxy.endpoint(),
            cognito.region(),
            "update_user_pool",
            &json!({
                "UserPoolId": applied.pool_id,
                "PoolName": spec.pool.name,
                "UserPoolTier": tier,
                "UserPoolAddOns": {"AdvancedSecurityMode": add_ons},
                "Policies": {
                    "PasswordPolicy": {"MinimumLength": 14, "TemporaryPasswordValidityDays": 7},
                    "SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP"]},
                },
                "EmailConfiguration": {
                    "EmailSendingAccount": "DEVELOPER",
                    "SourceArn": ses_arn,
                    "From": pool_spec::SES_FROM,
                },
            }),
        )
        .await;

        proxy.clear();
        let prepared = cognito.prepare(&spec, Some(&ses_arn), None).await.unwrap();
        assert!(prepared.plan.conflicts().is_empty(), "{tier}: {}", prepared.plan);
        let fields = changed_fields(&prepared.plan);
        for feature in PlanFeature::ALL {
            assert_eq!(
                fields.contains(&feature.field()),
                features.contains(&feature),
                "{tier}: {feature} in {fields:?}"
            );
        }
        assert!(fields.contains(&"pool.tier"), "{tier}: {fields:?}");
        cognito.apply(prepared.plan.action().unwrap()).await.unwrap();
        let sent = proxy.calls_of("UpdateUserPool")[0].request_json().unwrap();
        assert_eq!(sent["UserPoolTier"], "LITE", "{tier}");
        assert_eq!(sent["UserPoolAddOns"], json!({"AdvancedSecurityMode": "OFF"}), "{tier}");
        assert_eq!(
            sent["Policies"]["SignInPolicy"],
            json!({"AllowedFirstAuthFactors": ["PASSWORD"]}),
            "{tier}"
        );

        let prepared = cognito.prepare(&spec, Some(&ses_arn), None).await.unwrap();
        assert!(prepared.plan.is_converged(), "{tier}: {}", prepared.plan);
    }
}

/// A member AWS added after this SDK was generated, which AWS keeps when an update omits it
/// (`DcrConfiguration`, [`WhenOmitted::Kept`]), does not stop an update: the update leaves it out and AWS
/// keeps it. Disabled on the spec's LITE plan, and enabled on ESSENTIALS.
#[tokio::test]
async fn a_live_setting_the_sdk_cannot_read_but_aws_keeps_does_not_stop_the_update() {
    for (tier, dcr) in [
        (
            UserPoolTier::Lite,
            json!({"EnableStatus": "Disabled", "OpenDcrEnabled": false}),
        ),
        (
            UserPoolTier::Essentials,
            json!({"EnableStatus": "Enabled", "OpenDcrEnabled": true}),
        ),
    ] {
        let (proxy, cognito) = connect().await;
        let mut spec = pool_spec::development();
        spec.pool.tier = tier.clone();
        let prepared = cognito.prepare(&spec, None, None).await.unwrap();
        let applied = cognito.apply(prepared.plan.action().unwrap()).await.unwrap();
        let tier_name = match &tier {
            UserPoolTier::Lite => "LITE",
            _ => "ESSENTIALS",
        };
        boto3(
            &proxy.endpoint(),
            cognito.region(),
            "update_user_pool",
            &json!({
                "UserPoolId": applied.pool_id,
                "PoolName": spec.pool.name,
                "UserPoolTier": tier_name,
                "DcrConfiguration": dcr,
                "Policies": {"PasswordPolicy": {"MinimumLength": 8}},
            }),
        )
        .await;

        proxy.clear();
        let prepared = cognito.prepare(&spec, None, None).await.unwrap();
        let Plan::Apply(Action::Update(update)) = &prepared.plan else {
            panic!("{tier_name}: an update of the live pool: {}", prepared.plan)
        };
        assert!(
            update.live().unreadable.pool.is_empty(),
            "{:?}",
            update.live().unreadable
        );
        assert!(update.needs_pool_update());
        cognito.apply(prepared.plan.action().unwrap()).await.unwrap();
        let sent = proxy.calls_of("UpdateUserPool")[0].request_json().unwrap();
        assert!(sent.get("DcrConfiguration").is_none(), "{tier_name}: {sent}");
        assert_eq!(sent["Policies"]["PasswordPolicy"]["MinimumLength"], 14);

        let ids = json!({"UserPoolId": applied.pool_id});
        let after = boto3(&proxy.endpoint(), cognito.region(), "describe_user_pool", &ids).await;
        assert_eq!(after["UserPool"]["DcrConfiguration"], dcr, "{tier_name}");
        let prepared = cognito.prepare(&spec, None, None).await.unwrap();
        assert!(prepared.plan.is_converged(), "{tier_name}: {}", prepared.plan);
    }
}

/// Dynamic client registration enabled on a pool the spec moves to LITE: AWS refuses the move until it is off,
/// and this SDK cannot send `DcrConfiguration`, so the plan is a refusal that says how, and nothing is written.
#[tokio::test]
async fn a_feature_only_the_maintainer_can_turn_off_on_a_pool_moving_to_lite_is_refused_without_a_write() {
    for (feature, member, value) in [
        (
            PlanFeature::DynamicClientRegistration,
            "DcrConfiguration",
            json!({"EnableStatus": "Enabled", "OpenDcrEnabled": false}),
        ),
        (
            PlanFeature::CustomAcrNames,
            "AcrConfiguration",
            json!({"Level1": {"AcrValue": "urn:example:acr:one"}}),
        ),
    ] {
        let (proxy, cognito) = connect().await;
        let spec = pool_spec::development();
        let prepared = cognito.prepare(&spec, None, None).await.unwrap();
        let applied = cognito.apply(prepared.plan.action().unwrap()).await.unwrap();
        // Set while ESSENTIALS: the emulator, as AWS, refuses it on LITE.
        let mut update = json!({
            "UserPoolId": applied.pool_id,
            "PoolName": spec.pool.name,
            "UserPoolTier": "ESSENTIALS",
            "Policies": {"PasswordPolicy": {"MinimumLength": 8}},
        });
        update[member] = value;
        boto3(&proxy.endpoint(), cognito.region(), "update_user_pool", &update).await;

        proxy.clear();
        let prepared = cognito.prepare(&spec, None, None).await.unwrap();
        let Plan::Refuse(refusal) = &prepared.plan else {
            panic!("{feature}: a refusal: {}", prepared.plan)
        };
        let conflicts: Vec<&str> = refusal
            .conflicts()
            .iter()
            .map(|conflict| conflict.field.as_str())
            .collect();
        assert_eq!(conflicts, [feature.field()]);
        assert!(prepared.plan.action().is_err());
        assert!(
            prepared.plan.to_string().contains(&feature.to_string()),
            "{}",
            prepared.plan
        );
        // Not unreadable: the refusal is the plan's, not Error::Unreadable.
        assert!(prepared.plan.live().unwrap().unreadable.pool.is_empty());
        assert!(
            writes(&proxy).is_empty(),
            "{feature}: nothing was changed: {:?}",
            writes(&proxy)
        );
    }
}

/// Managed login is the domain's (DescribeUserPoolDomain's `ManagedLoginVersion` 2), read only for a pool with a
/// domain: on a pool moving to LITE (here, already LITE but serving it) it is a refusal, and nothing is written.
#[tokio::test]
async fn managed_login_on_the_pools_domain_is_refused_on_lite_without_a_write() {
    let (proxy, cognito) = connect().await;
    let spec = pool_spec::development();
    let prepared = cognito.prepare(&spec, None, None).await.unwrap();
    let applied = cognito.apply(prepared.plan.action().unwrap()).await.unwrap();
    let domain = format!("credere-{}", proxy.account_id());
    boto3(
        &proxy.endpoint(),
        cognito.region(),
        "create_user_pool_domain",
        &json!({"UserPoolId": applied.pool_id, "Domain": domain}),
    )
    .await;
    // moto knows no managed login: the domain is answered as AWS describes one that serves it.
    let pool_id = applied.pool_id.clone();
    proxy.answer_with("DescribeUserPoolDomain", move |request| {
        json!({"DomainDescription": {
            "UserPoolId": pool_id,
            "Domain": request["Domain"],
            "Status": "ACTIVE",
            "ManagedLoginVersion": 2,
        }})
    });

    proxy.clear();
    let prepared = cognito.prepare(&spec, None, None).await.unwrap();
    let asked: Vec<String> = proxy
        .calls_of("DescribeUserPoolDomain")
        .iter()
        .map(|call| call.request_json().unwrap()["Domain"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(asked, [domain]);
    let conflicts: Vec<&str> = prepared
        .plan
        .conflicts()
        .iter()
        .map(|conflict| conflict.field.as_str())
        .collect();
    assert_eq!(conflicts, [PlanFeature::ManagedLogin.field()], "{}", prepared.plan);
    assert!(prepared.plan.action().is_err());
    assert!(writes(&proxy).is_empty(), "{:?}", writes(&proxy));
}

/// Every member botocore's model has in the pool, the client and their update requests that this SDK's own
/// schemas lack is a row of `cognito::NEWER_THAN_SDK`, and every row is such a member.
#[test]
fn every_member_newer_than_the_sdk_is_classified_and_no_row_is_stale() {
    let model = Model::load();
    let sdk: [(&str, &aws_smithy_schema::Schema<'_>); 4] = [
        ("UserPoolType", UserPoolType::SCHEMA),
        ("UserPoolClientType", UserPoolClientType::SCHEMA),
        ("UpdateUserPoolRequest", UpdateUserPoolInput::SCHEMA),
        ("UpdateUserPoolClientRequest", UpdateUserPoolClientInput::SCHEMA),
    ];
    let mut newer = BTreeSet::new();
    for (shape, schema) in sdk {
        let known: BTreeSet<&str> = schema
            .members()
            .iter()
            .filter_map(|member| member.member_name())
            .collect();
        let members = model.shape(shape)["members"].as_object().unwrap();
        assert!(
            known.iter().all(|member| members.contains_key(*member)),
            "{shape}: the SDK's schema has members botocore's model lacks: {known:?}"
        );
        newer.extend(
            members
                .keys()
                .filter(|member| !known.contains(member.as_str()))
                .map(|member| (shape, member.clone())),
        );
    }
    let rows: BTreeSet<(&str, String)> = NEWER_THAN_SDK
        .iter()
        .map(|row| (row.shape, row.member.to_owned()))
        .collect();
    assert_eq!(
        rows.len(),
        NEWER_THAN_SDK.len(),
        "cognito::NEWER_THAN_SDK has a row twice"
    );
    let unclassified: Vec<_> = newer.difference(&rows).collect();
    assert!(
        unclassified.is_empty(),
        "botocore's model has members this SDK lacks that cognito::NEWER_THAN_SDK (crates/cognito/src/unknown.rs) \
         does not classify: {unclassified:?}. Add a row for each: ReadOnly (not an update parameter), Kept (AWS \
         documents that an update omitting it keeps it) or Reset (anything else: a live value then stops every \
         update), with AWS's words and where they are as the source."
    );
    let stale: Vec<_> = rows.difference(&newer).collect();
    assert!(
        stale.is_empty(),
        "cognito::NEWER_THAN_SDK has rows that are not members botocore's model has and this SDK lacks: {stale:?}. \
         Remove them (the SDK reads them now, or AWS dropped them), and carry the member over in the updates."
    );
    for row in NEWER_THAN_SDK {
        assert!(!row.source.trim().is_empty(), "{row:?} has no source");
        // A reported member an update cannot change is read-only; one it takes is classified alike in both.
        let request = match row.shape {
            "UserPoolType" => "UpdateUserPoolRequest",
            "UserPoolClientType" => "UpdateUserPoolClientRequest",
            _ => continue,
        };
        let in_request = NEWER_THAN_SDK
            .iter()
            .find(|other| other.shape == request && other.member == row.member);
        match (row.when_omitted, in_request) {
            (WhenOmitted::ReadOnly, None) => {
                assert!(
                    model.shape(request)["members"].get(row.member).is_none(),
                    "{row:?} is read-only but {request} takes it"
                );
            }
            (when_omitted, Some(other)) => {
                assert_eq!(when_omitted, other.when_omitted, "{row:?} and {other:?} disagree")
            }
            (_, None) => panic!("{row:?} is not read-only, so {request} must take it"),
        }
    }
}
