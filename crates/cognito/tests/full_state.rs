//! Full-state updates are complete by construction, checked against AWS's own service model.
//!
//! UpdateUserPool and UpdateUserPoolClient reset every member they are not sent. This test walks every
//! member of both requests in botocore's `cognito-idp` model (nested structures included), sets each one
//! on a live pool and client to a value of its own, runs a drift fix, and holds every member to one of
//! three: managed by the spec, on the written exclusion list with its reason, or carried over, proven by
//! finding the same value in the request the recording proxy saw. moto wipes what an update leaves out,
//! so only the recorded request proves anything.

use std::collections::BTreeMap;

use pool_spec::{Action, Plan};
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

/// Members that are neither managed nor carried over, each with the reason.
const EXCLUDED: &[(&str, &str)] = &[
    (
        "UpdateUserPoolRequest.DcrConfiguration",
        "not in aws-sdk-cognitoidentityprovider 1.144.0 (the newest release), so it can be neither read nor \
         sent back: while a live pool has it set, an update is refused rather than reset it (the next test)",
    ),
    (
        "UpdateUserPoolClientRequest.PublishSecretsInAWSSecretsManager",
        "not in aws-sdk-cognitoidentityprovider 1.144.0 (the newest release); an instruction for the update \
         itself rather than a setting DescribeUserPoolClient reports, so leaving it out resets nothing",
    ),
];

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

fn excluded(request: &str, path: &str) -> bool {
    EXCLUDED
        .iter()
        .any(|(entry, _)| covered(&[entry], &format!("{request}.{path}")))
}

fn at<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(value, |value, member| value.get(member))
}

/// Runs one Cognito call with boto3 (which validates the parameters against the same model), off the
/// runtime's thread so the proxy keeps serving.
async fn boto3(endpoint: &str, region: &str, operation: &'static str, params: &Value) {
    let (endpoint, region, params) = (endpoint.to_owned(), region.to_owned(), params.to_string());
    tokio::task::spawn_blocking(move || {
        testkit::run_python(
            "import boto3, botocore.config, json, sys; \
             client = boto3.client('cognito-idp', endpoint_url=sys.argv[1], region_name=sys.argv[2], \
                 config=botocore.config.Config(retries={'max_attempts': 1})); \
             getattr(client, sys.argv[3])(**json.load(sys.stdin))",
            &[&endpoint, &region, operation],
            &params,
        )
    })
    .await
    .unwrap();
}

/// Every member not managed or excluded is found, with its value, in the recorded request.
fn assert_carried_over(request: &str, managed: &[&str], generated: &Value, leaves: &[String], sent: &Value) {
    let mut carried = Vec::new();
    for leaf in leaves {
        if covered(managed, leaf) || excluded(request, leaf) {
            continue;
        }
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
            "{request}.{leaf} was set to {expected} on the live resource but the drift fix sent {actual:?}: \
             carry it over, or list it as managed or excluded (with the reason)"
        );
        carried.push(leaf.as_str());
    }
    assert!(!carried.is_empty(), "{request}: nothing was checked as carried over");
}

/// The written lists name only members the model has, so they cannot go stale.
fn assert_lists_name_real_members(request: &str, managed: &[&str], leaves: &[String]) {
    for entry in managed {
        assert!(
            leaves.iter().any(|leaf| covered(&[entry], leaf)),
            "{request}: `{entry}` is listed as managed but the model has no such member"
        );
    }
    for (entry, _) in EXCLUDED
        .iter()
        .filter(|(entry, _)| entry.starts_with(&format!("{request}.")))
    {
        let member = &entry[request.len() + 1..];
        assert!(
            leaves.iter().any(|leaf| covered(&[member], leaf)),
            "`{entry}` is excluded but the model has no such member"
        );
    }
}

#[tokio::test]
async fn every_update_member_is_managed_carried_over_or_excluded_with_a_reason() {
    let model = Model::load();
    let proxy = testkit::RecordingProxy::start(&testkit::cognito_endpoint())
        .await
        .unwrap();
    let options = cognito::ConnectOptions {
        endpoint_url: Some(proxy.endpoint()),
        ..cognito::ConnectOptions::default()
    };
    let cognito = cognito::Cognito::connect(&options).await;
    let spec = pool_spec::production();
    let ses_arn = pool_spec::ses_identity_arn(cognito.region(), proxy.account_id(), pool_spec::SES_IDENTITY);
    let prepared = cognito.prepare(&spec, Some(&ses_arn), None).await.unwrap();
    let applied = cognito.apply(prepared.plan.action().unwrap()).await.unwrap();

    // Every member of both requests set, by hand, to a value of its own.
    let mut pool_leaves = Vec::new();
    let mut pool = model.generate("UpdateUserPoolRequest", "", &mut pool_leaves);
    pool["UserPoolId"] = json!(applied.pool_id);
    pool["PoolName"] = json!(spec.pool.name);
    let mut client_leaves = Vec::new();
    let mut client = model.generate("UpdateUserPoolClientRequest", "", &mut client_leaves);
    client["UserPoolId"] = json!(applied.pool_id);
    client["ClientId"] = json!(applied.client_id);
    client["ClientName"] = json!(spec.client.name);
    for (request, params) in [
        ("UpdateUserPoolRequest", &mut pool),
        ("UpdateUserPoolClientRequest", &mut client),
    ] {
        for (entry, _) in EXCLUDED {
            if let Some(member) = entry.strip_prefix(&format!("{request}.")) {
                // moto would keep them and the SDK cannot read them: leave them out of the set-up.
                params.as_object_mut().unwrap().remove(member);
            }
        }
    }
    let endpoint = proxy.endpoint();
    boto3(&endpoint, cognito.region(), "update_user_pool", &pool).await;
    boto3(&endpoint, cognito.region(), "update_user_pool_client", &client).await;

    proxy.clear();
    let prepared = cognito.prepare(&spec, Some(&ses_arn), None).await.unwrap();
    let Plan::Apply(Action::Update(update)) = &prepared.plan else {
        panic!("an update of the live pool: {:?}", prepared.plan)
    };
    assert!(update.needs_pool_update() && update.needs_client_update());
    cognito.apply(prepared.plan.action().unwrap()).await.unwrap();

    let sent_pool = proxy.calls_of("UpdateUserPool")[0].request_json().unwrap();
    let sent_client = proxy.calls_of("UpdateUserPoolClient")[0].request_json().unwrap();
    assert_lists_name_real_members("UpdateUserPoolRequest", MANAGED_POOL, &pool_leaves);
    assert_lists_name_real_members("UpdateUserPoolClientRequest", MANAGED_CLIENT, &client_leaves);
    assert_carried_over("UpdateUserPoolRequest", MANAGED_POOL, &pool, &pool_leaves, &sent_pool);
    assert_carried_over(
        "UpdateUserPoolClientRequest",
        MANAGED_CLIENT,
        &client,
        &client_leaves,
        &sent_client,
    );

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
    let tags: BTreeMap<String, String> = serde_json::from_value(sent_pool["UserPoolTags"].clone()).unwrap();
    assert!(
        spec.tags.iter().all(|(key, value)| tags.get(key) == Some(value)),
        "{tags:?}"
    );
}

/// A member AWS added after this SDK was generated cannot be carried over, so an update is refused rather
/// than reset it. botocore (newer than the SDK) knows `DcrConfiguration`; the SDK does not.
#[tokio::test]
async fn a_live_setting_the_sdk_cannot_read_stops_the_update_that_would_reset_it() {
    let proxy = testkit::RecordingProxy::start(&testkit::cognito_endpoint())
        .await
        .unwrap();
    let options = cognito::ConnectOptions {
        endpoint_url: Some(proxy.endpoint()),
        ..cognito::ConnectOptions::default()
    };
    let cognito = cognito::Cognito::connect(&options).await;
    let spec = pool_spec::development();
    let prepared = cognito.prepare(&spec, None, None).await.unwrap();
    let applied = cognito.apply(prepared.plan.action().unwrap()).await.unwrap();
    let dcr = json!({"EnableStatus": "Enabled", "OpenDcrEnabled": false});
    boto3(
        &proxy.endpoint(),
        cognito.region(),
        "update_user_pool",
        &json!({
            "UserPoolId": applied.pool_id,
            "PoolName": spec.pool.name,
            "DcrConfiguration": dcr,
            "Policies": {"PasswordPolicy": {"MinimumLength": 8}},
        }),
    )
    .await;

    proxy.clear();
    let prepared = cognito.prepare(&spec, None, None).await.unwrap();
    let Plan::Apply(Action::Update(update)) = &prepared.plan else {
        panic!("an update of the live pool: {:?}", prepared.plan)
    };
    assert_eq!(update.live().unreadable.pool, ["DcrConfiguration"]);
    assert!(update.needs_pool_update());
    let error = cognito.apply(prepared.plan.action().unwrap()).await.unwrap_err();
    assert!(matches!(error, cognito::Error::Unreadable { .. }), "{error}");
    assert!(error.to_string().contains("DcrConfiguration"), "{error}");
    let writes: Vec<String> = proxy
        .operations()
        .into_iter()
        .filter(|operation| {
            !operation.starts_with("Describe") && !operation.starts_with("List") && !operation.starts_with("Get")
        })
        .collect();
    assert!(writes.is_empty(), "nothing was changed: {writes:?}");
}
