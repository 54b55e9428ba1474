//! The IAM policies are the calls the commands really make: every scenario of each command runs through
//! the recording proxy, every recorded call must be granted to that command's role, and every action a
//! role grants must be used by at least one scenario. The policies also pass `parliament` (the IAM policy
//! linter) and the example CI job passes actionlint and GitHub's workflow schema.

use crate::support;

use std::collections::BTreeSet;

use crate::support::{hand_made_pool, sdk, xtask};
use cognito::iam::{Action, PoolResource, Role};
use testkit::{Fault, FaultKind, RecordingProxy};

/// Calls no policy lists: `sts:GetCallerIdentity` is allowed for every caller whatever its policies, and Cognito
/// evaluates no IAM policy for InitiateAuth (its API reference says so), the sign-in attempt `rotate-secret` proves
/// a secret with.
const NEEDS_NO_PERMISSION: &[&str] = &["GetCallerIdentity", "InitiateAuth"];

const SES_ARN: &str = "arn:aws:ses:us-east-1:123456789012:identity/credere@noreply.open-contracting.org";

async fn provision(proxy: &RecordingProxy, env: &str, extra: &[&str]) -> support::Run {
    let endpoint = proxy.endpoint();
    let mut args = vec!["provision", "--env", env, "--endpoint-url", &endpoint];
    if env == "production" {
        args.extend(["--yes", "--ses-identity-arn", SES_ARN]);
    }
    args.extend(extra);
    xtask(&args).await
}

/// A pool made by hand, without this tool's tags.
/// Drift behind the tool's back: a partial update of the pool and of the client.
async fn drift(proxy: &RecordingProxy, name: &str) {
    let client = sdk(proxy).await;
    let pools = client.list_user_pools().max_results(60).send().await.unwrap();
    let pool_id = pools
        .user_pools()
        .iter()
        .find(|pool| pool.name() == Some(name))
        .and_then(|pool| pool.id())
        .unwrap()
        .to_owned();
    client.update_user_pool().user_pool_id(&pool_id).send().await.unwrap();
    let clients = client
        .list_user_pool_clients()
        .user_pool_id(&pool_id)
        .send()
        .await
        .unwrap();
    let client_id = clients.user_pool_clients()[0].client_id().unwrap();
    client
        .update_user_pool_client()
        .user_pool_id(&pool_id)
        .client_id(client_id)
        .client_name(name)
        .send()
        .await
        .unwrap();
}

/// The operations `proxy` recorded, minus those that need no permission.
fn recorded(proxy: &RecordingProxy) -> BTreeSet<String> {
    proxy
        .operations()
        .into_iter()
        .filter(|operation| !NEEDS_NO_PERMISSION.contains(&operation.as_str()))
        .collect()
}

/// A hand-made pool with a domain (whether it serves managed login is the domain's): the set-up's own calls are
/// forgotten, so only the command's are recorded.
async fn hand_made_pool_with_a_domain(proxy: &RecordingProxy, name: &str) {
    let id = hand_made_pool(proxy, name).await;
    sdk(proxy)
        .await
        .create_user_pool_domain()
        .user_pool_id(&id)
        .domain(format!("credere-{}", proxy.account_id()))
        .send()
        .await
        .unwrap();
    proxy.clear();
}

async fn provisioner_scenarios() -> BTreeSet<String> {
    let mut used = BTreeSet::new();
    // From scratch, converged, drift fixed: development, then production.
    for env in ["development", "production"] {
        let proxy = support::proxy().await;
        provision(&proxy, env, &[]).await.assert_code(0);
        provision(&proxy, env, &[]).await.assert_code(0);
        let name = if env == "production" {
            "credere-production"
        } else {
            "credere"
        };
        drift(&proxy, name).await;
        provision(&proxy, env, &[]).await.assert_code(0);
        used.extend(recorded(&proxy));
    }
    // Production with the SES ARN built from the caller's account.
    let proxy = support::proxy().await;
    let endpoint = proxy.endpoint();
    xtask(&["provision", "--env", "production", "--yes", "--endpoint-url", &endpoint])
        .await
        .assert_code(0);
    used.extend(recorded(&proxy));
    // A hand-made pool adopted; then two of one name refused.
    let proxy = support::proxy().await;
    hand_made_pool(&proxy, "credere").await;
    provision(&proxy, "development", &[]).await.assert_code(0);
    hand_made_pool(&proxy, "credere").await;
    provision(&proxy, "development", &[]).await.assert_code(0);
    used.extend(recorded(&proxy));
    // A second pool beside the first (--new-pool): the calls of a first creation.
    let proxy = support::proxy().await;
    provision(&proxy, "development", &[]).await.assert_code(0);
    provision(&proxy, "development", &["--new-pool"]).await.assert_code(0);
    used.extend(recorded(&proxy));
    // A pool with a domain adopted.
    let proxy = support::proxy().await;
    hand_made_pool_with_a_domain(&proxy, "credere").await;
    provision(&proxy, "development", &[]).await.assert_code(0);
    used.extend(recorded(&proxy));
    // A create that reached Cognito and failed: the tool looks, then adopts.
    for operation in ["CreateUserPool", "CreateUserPoolClient"] {
        let proxy = support::proxy().await;
        proxy.inject(Fault::after_forwarding(operation, 1, FaultKind::ServerError));
        provision(&proxy, "development", &[]).await.assert_code(0);
        used.extend(recorded(&proxy));
    }
    used
}

async fn drift_check_scenarios() -> BTreeSet<String> {
    let mut used = BTreeSet::new();
    let proxy = support::proxy().await;
    provision(&proxy, "production", &["--check"]).await.assert_code(2);
    used.extend(recorded(&proxy));
    provision(&proxy, "production", &[]).await.assert_code(0);
    proxy.clear();
    provision(&proxy, "production", &["--check"]).await.assert_code(0);
    drift(&proxy, "credere-production").await;
    proxy.clear();
    provision(&proxy, "production", &["--check"]).await.assert_code(2);
    used.extend(recorded(&proxy));
    // Two pools of one name, neither tagged (the partial update above wiped the tags): an error path
    // that still reads both pools.
    hand_made_pool(&proxy, "credere-production").await;
    proxy.clear();
    provision(&proxy, "production", &["--check"]).await.assert_code(1);
    let endpoint = proxy.endpoint();
    xtask(&[
        "provision",
        "--env",
        "production",
        "--check",
        "--endpoint-url",
        &endpoint,
    ])
    .await
    .assert_code(1);
    used.extend(recorded(&proxy));
    // A pool with a domain, checked.
    let proxy = support::proxy().await;
    hand_made_pool_with_a_domain(&proxy, "credere-production").await;
    provision(&proxy, "production", &["--check"]).await.assert_code(2);
    used.extend(recorded(&proxy));
    used
}

async fn admin_scenarios() -> BTreeSet<String> {
    let proxy = support::proxy().await;
    provision(&proxy, "development", &[]).await.assert_code(0);
    let pool_id = sdk(&proxy)
        .await
        .list_user_pools()
        .max_results(60)
        .send()
        .await
        .unwrap()
        .user_pools()[0]
        .id()
        .unwrap()
        .to_owned();
    let database = testkit::database();
    let url = database.url();
    xtask(&["db", "setup", "--database-url", url]).await.assert_code(0);
    proxy.clear();
    let endpoint = proxy.endpoint();
    let admin = |extra: Vec<String>| {
        let endpoint = endpoint.clone();
        let url = url.to_owned();
        async move {
            let mut args = vec![
                "admin".to_owned(),
                "--email".into(),
                "iam-admin@example.org".into(),
                "--name".into(),
                "IAM Admin".into(),
                "--database-url".into(),
                url,
                "--endpoint-url".into(),
                endpoint,
            ];
            args.extend(extra);
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            xtask(&args).await
        }
    };
    admin(vec!["--env".into(), "development".into()]).await.assert_code(0);
    admin(vec!["--env".into(), "development".into()]).await.assert_code(0);
    admin(vec!["--pool-id".into(), pool_id.clone()]).await.assert_code(0);
    // With both, the pool is described to confirm it carries the environment's name.
    admin(vec![
        "--env".into(),
        "development".into(),
        "--pool-id".into(),
        pool_id.clone(),
    ])
    .await
    .assert_code(0);
    // audit, which issue 13 gives the admin role: by environment and by ID; the one admin is in order.
    for choice in [["--env", "development"], ["--pool-id", pool_id.as_str()]] {
        xtask(
            &[
                &["audit", "--database-url", url, "--endpoint-url", &endpoint],
                &choice[..],
            ]
            .concat(),
        )
        .await
        .assert_code(0);
    }
    // Offboarding, twice (the second only signs out again), giving access back, and a lost authenticator.
    for operation in ["disable", "disable", "enable", "reset-mfa"] {
        xtask(&[
            "admin",
            operation,
            "--email",
            "iam-admin@example.org",
            "--env",
            "development",
            "--endpoint-url",
            &endpoint,
        ])
        .await
        .assert_code(0);
    }
    recorded(&proxy)
}

async fn rotator_scenarios() -> BTreeSet<String> {
    let proxy = support::proxy().await;
    let dir = tempfile::tempdir().unwrap();
    let env = dir.path().join(".env");
    let env = env.to_str().unwrap();
    let written = provision(&proxy, "development", &["--write-env", env, "--output", "json"]).await;
    written.assert_code(0);
    let pool_id = written.json()["pool_id"].as_str().unwrap().to_owned();
    proxy.clear();
    let endpoint = proxy.endpoint();
    let rotate = |extra: &'static [&'static str]| {
        let endpoint = endpoint.clone();
        let pool_id = pool_id.clone();
        async move {
            let mut args = vec![
                "rotate-secret",
                "--env",
                "development",
                "--endpoint-url",
                &endpoint,
                "--write-env",
                env,
            ];
            args.extend(extra);
            if extra.contains(&"--pool-id") {
                args.push(&pool_id);
            }
            xtask(&args).await
        }
    };
    // A start, a finish on the pool given by ID (described to check its name), and a finish with nothing to do.
    rotate(&[]).await.assert_code(0);
    rotate(&["--finish", "--pool-id"]).await.assert_code(0);
    rotate(&["--finish"]).await.assert_code(0);
    recorded(&proxy)
}

/// `users export`: of the development pool, by environment and by ID, with a user in a group; and of a pool with a
/// domain.
async fn export_scenarios() -> BTreeSet<String> {
    let mut used = BTreeSet::new();
    let proxy = support::proxy().await;
    provision(&proxy, "development", &[]).await.assert_code(0);
    let pool_id = support::pools_named(&proxy, "credere").await.remove(0);
    let client = sdk(&proxy).await;
    client
        .create_group()
        .user_pool_id(&pool_id)
        .group_name("staff")
        .send()
        .await
        .unwrap();
    let created = client
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username("iam-export@example.org")
        .message_action(aws_sdk_cognitoidentityprovider::types::MessageActionType::Suppress)
        .send()
        .await
        .unwrap();
    client
        .admin_add_user_to_group()
        .user_pool_id(&pool_id)
        .username(created.user().unwrap().username().unwrap())
        .group_name("staff")
        .send()
        .await
        .unwrap();
    proxy.clear();
    let directory = tempfile::tempdir().unwrap();
    let endpoint = proxy.endpoint();
    for (file, choice) in [
        ("by-env.jsonl", ["--env", "development"]),
        ("by-id.jsonl", ["--pool-id", &pool_id]),
    ] {
        let out = directory.path().join(file);
        xtask(
            &[
                &[
                    "users",
                    "export",
                    "--out",
                    out.to_str().unwrap(),
                    "--endpoint-url",
                    &endpoint,
                ],
                &choice[..],
            ]
            .concat(),
        )
        .await
        .assert_code(0);
    }
    used.extend(recorded(&proxy));
    let proxy = support::proxy().await;
    hand_made_pool_with_a_domain(&proxy, "credere").await;
    let out = directory.path().join("domain.jsonl");
    let endpoint = proxy.endpoint();
    xtask(&[
        "users",
        "export",
        "--env",
        "development",
        "--out",
        out.to_str().unwrap(),
        "--endpoint-url",
        &endpoint,
    ])
    .await
    .assert_code(0);
    used.extend(recorded(&proxy));
    used
}

/// `users import`: a hand-made pool's users (one disabled, one in a group) moved into the development pool (with a
/// domain and a group of its own) found by environment, the answer to the first create lost after it reached the
/// emulator.
async fn import_scenarios() -> BTreeSet<String> {
    let proxy = support::proxy().await;
    hand_made_pool_with_a_domain(&proxy, "credere").await;
    let client = sdk(&proxy).await;
    client
        .create_group()
        .user_pool_id(support::pools_named(&proxy, "credere").await.remove(0))
        .group_name("reviewers")
        .send()
        .await
        .unwrap();
    let source = test_support::create_pool(&client, "credere-old", &Default::default()).await;
    client
        .create_group()
        .user_pool_id(&source)
        .group_name("staff")
        .send()
        .await
        .unwrap();
    for email in ["iam-import@example.org", "iam-gone@example.org"] {
        let created = client
            .admin_create_user()
            .user_pool_id(&source)
            .username(email)
            .message_action(aws_sdk_cognitoidentityprovider::types::MessageActionType::Suppress)
            .send()
            .await
            .unwrap();
        let username = created.user().unwrap().username().unwrap();
        client
            .admin_add_user_to_group()
            .user_pool_id(&source)
            .username(username)
            .group_name("staff")
            .send()
            .await
            .unwrap();
        if email.contains("gone") {
            client
                .admin_disable_user()
                .user_pool_id(&source)
                .username(username)
                .send()
                .await
                .unwrap();
        }
    }
    let directory = tempfile::tempdir().unwrap();
    let file = directory.path().join("users.jsonl");
    let endpoint = proxy.endpoint();
    let file = file.to_str().unwrap();
    xtask(&[
        "users",
        "export",
        "--pool-id",
        &source,
        "--out",
        file,
        "--endpoint-url",
        &endpoint,
    ])
    .await
    .assert_code(0);
    proxy.clear();
    proxy.inject(Fault::after_forwarding("AdminCreateUser", 1, FaultKind::ServerError));
    let database = test_support::ddl_database();
    xtask(&[
        "users",
        "import",
        "--from",
        file,
        "--env",
        "development",
        "--database-url",
        database.url(),
        "--yes",
        "--endpoint-url",
        &endpoint,
    ])
    .await
    .assert_code(0);
    recorded(&proxy)
}

fn assert_role_matches(role: Role, used: &BTreeSet<String>) {
    let granted: BTreeSet<&str> = role.actions().iter().filter_map(|action| action.operation()).collect();
    let ungranted: Vec<&String> = used
        .iter()
        .filter(|operation| !granted.contains(operation.as_str()))
        .collect();
    assert!(
        ungranted.is_empty(),
        "{role} made calls its policy does not allow: {ungranted:?}"
    );
    let unused: Vec<&&str> = granted.iter().filter(|operation| !used.contains(**operation)).collect();
    assert!(unused.is_empty(), "{role} grants actions no scenario used: {unused:?}");
}

#[tokio::test]
async fn every_recorded_call_is_granted_and_every_granted_action_is_used() {
    let (provisioner, drift_check, admin, rotator, export, import) = tokio::join!(
        provisioner_scenarios(),
        drift_check_scenarios(),
        admin_scenarios(),
        rotator_scenarios(),
        export_scenarios(),
        import_scenarios()
    );
    assert_role_matches(Role::Provisioner, &provisioner);
    assert_role_matches(Role::DriftCheck, &drift_check);
    assert_role_matches(Role::Admin, &admin);
    assert_role_matches(Role::Rotator, &rotator);
    assert_role_matches(Role::Export, &export);
    assert_role_matches(Role::Import, &import);
    // The two actions no proxy can see: Cognito acts on the caller's authority, for SES email and for a
    // live SMS configuration an update carries over.
    let on_behalf = [Action::CreateEmailServiceLinkedRole, Action::PassSmsRole];
    assert!(
        on_behalf
            .iter()
            .all(|action| Role::Provisioner.actions().contains(action))
    );
    assert!(
        Role::ALL
            .iter()
            .flat_map(|role| role.actions())
            .all(|action| action.operation().is_some() || on_behalf.contains(action))
    );
}

/// Actions AWS added after parliament's bundled IAM definitions were made: parliament calls them unknown.
const NEWER_THAN_PARLIAMENT: &[&str] = &[
    "cognito-idp:AdminDeleteSoftwareToken",
    "cognito-idp:ListUserPoolClientSecrets",
    "cognito-idp:AddUserPoolClientSecret",
    "cognito-idp:DeleteUserPoolClientSecret",
];

/// Whether a parliament finding is only that it does not know one of [`NEWER_THAN_PARLIAMENT`].
fn newer_than_parliament(finding: &serde_json::Value) -> bool {
    finding["issue"] == "UNKNOWN_ACTION"
        && NEWER_THAN_PARLIAMENT
            .iter()
            .any(|action| finding["location"]["string"] == *action)
}

#[test]
fn the_actions_parliament_does_not_know_are_in_aws_own_service_model() {
    let model: serde_json::Value = serde_json::from_str(&testkit::botocore_service_model("cognito-idp")).unwrap();
    for action in NEWER_THAN_PARLIAMENT {
        let operation = action.strip_prefix("cognito-idp:").unwrap();
        assert!(
            model["operations"].get(operation).is_some(),
            "{operation} is not in botocore's cognito-idp model"
        );
    }
}

#[test]
fn every_policy_passes_parliament() {
    let bin = testkit::venv_bin().unwrap();
    let narrow = PoolResource::one("arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbCdEf123").unwrap();
    for role in Role::ALL {
        for pools in [
            PoolResource::any(),
            PoolResource::all(Some("eu-west-1"), Some("123456789012")).unwrap(),
            narrow.clone(),
        ] {
            let policy = role.policy(&pools).to_string();
            // --string, with stdin closed: parliament refuses --file when stdin is not a terminal.
            let output = std::process::Command::new(bin.join("parliament"))
                .args(["--string", &policy, "--json"])
                .stdin(std::process::Stdio::null())
                .output()
                .unwrap();
            let stdout = String::from_utf8_lossy(&output.stdout);
            let findings: Vec<serde_json::Value> = stdout
                .lines()
                .map(|line| serde_json::from_str(line).unwrap())
                .filter(|finding| !newer_than_parliament(finding))
                .collect();
            assert!(
                findings.is_empty() && (output.status.success() || !stdout.trim().is_empty()),
                "{role}: parliament found {findings:?}{}\n{policy}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
    }
    // And it can fail: an action IAM does not know.
    let bad =
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"cognito-idp:NoSuchCall","Resource":"*"}]}"#;
    let output = std::process::Command::new(bin.join("parliament"))
        .args(["--string", bad])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(!output.status.success(), "parliament accepted an unknown action");
}

#[test]
fn the_example_drift_check_job_is_a_valid_github_workflow() {
    let workflow = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/examples/drift-check.yml");
    let findings = testkit::actionlint(std::path::Path::new(workflow)).unwrap();
    assert!(findings.is_empty(), "actionlint:\n{findings}");
    // actionlint can fail: an undefined expression and a malformed job.
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.yml");
    std::fs::write(
        &bad,
        "on: push\njobs:\n  x:\n    steps:\n      - run: echo ${{ github.nosuch }}\n",
    )
    .unwrap();
    let findings = testkit::actionlint(&bad).unwrap();
    assert!(
        findings.contains("nosuch") && findings.contains("runs-on"),
        "{findings}"
    );

    let bin = testkit::venv_bin().unwrap();
    let output = std::process::Command::new(bin.join("check-jsonschema"))
        .args(["--builtin-schema", "vendor.github-workflows", workflow])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let text = std::fs::read_to_string(workflow).unwrap();
    for needed in [
        "id-token: write",
        "cargo xtask provision --env production --check",
        "GITHUB_STEP_SUMMARY",
        "workflow_dispatch",
        "schedule",
    ] {
        assert!(text.contains(needed), "the workflow lacks {needed}");
    }
}

#[tokio::test]
async fn iam_policy_prints_the_tables_policy() {
    for role in Role::ALL {
        let run = xtask(&[
            "iam-policy",
            "--role",
            role.as_str(),
            "--region",
            "eu-west-1",
            "--account-id",
            "123456789012",
        ])
        .await;
        run.assert_code(0);
        assert_eq!(
            run.json(),
            role.policy(&PoolResource::all(Some("eu-west-1"), Some("123456789012")).unwrap())
        );
    }
    let bad = xtask(&["iam-policy", "--role", "admin", "--pool-arn", "arn:aws:s3:::bucket"]).await;
    bad.assert_code(1);
    assert!(bad.stderr.contains("is not the ARN of one user pool"), "{}", bad.stderr);
}

/// Each part of an ARN the policy is built from is checked (issue 19, item 13): what is not a region, an account ID
/// or one pool's ARN is refused with a hint naming the flag, and the partition comes from the region.
#[tokio::test]
async fn iam_policy_refuses_what_is_no_region_account_or_pool_and_takes_the_partition_from_the_region() {
    let refused = [
        (
            vec!["--region", "eu-west-1", "--account-id", "1234"],
            "`1234`",
            "--account-id",
        ),
        (vec!["--account-id", "12345678901x"], "`12345678901x`", "--account-id"),
        (vec!["--account-id", ""], "``", "--account-id"),
        (vec!["--region", "eu-west-l"], "`eu-west-l`", "--region"),
        (
            vec!["--region", "us-east-1:*:userpool/*,x"],
            "`us-east-1:*:userpool/*,x`",
            "--region",
        ),
        (vec!["--region", "US-EAST-1"], "`US-EAST-1`", "--region"),
        (
            vec![
                "--pool-arn",
                "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_?????????",
            ],
            "us-east-1_?????????",
            "--pool-arn",
        ),
        (
            vec![
                "--pool-arn",
                "arn:aws:cognito-idp:cn-north-1:123456789012:userpool/cn-north-1_AbC",
            ],
            "arn:aws-cn:",
            "--pool-arn",
        ),
    ];
    for (args, named, flag) in refused {
        let run = xtask(&[&["iam-policy", "--role", "admin"], &args[..]].concat()).await;
        run.assert_code(1);
        assert!(run.stdout.is_empty(), "{args:?} printed a policy:\n{}", run.stdout);
        assert!(run.stderr.contains(named), "{args:?}: {}", run.stderr);
        assert!(
            run.stderr
                .lines()
                .any(|line| line.starts_with("hint:") && line.contains(flag)),
            "{args:?}: {}",
            run.stderr
        );
    }
    let china = xtask(&[
        "iam-policy",
        "--role",
        "provisioner",
        "--region",
        "cn-north-1",
        "--account-id",
        "123456789012",
    ])
    .await;
    china.assert_code(0);
    let policy = china.json();
    let resources: Vec<&str> = policy["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|statement| statement["Resource"].as_str())
        .filter(|resource| *resource != "*")
        .collect();
    assert_eq!(
        resources,
        [
            "arn:aws-cn:cognito-idp:cn-north-1:123456789012:userpool/*",
            "arn:aws-cn:iam::123456789012:role/aws-service-role/email.cognito-idp.amazonaws.com/*",
            "arn:aws-cn:iam::123456789012:role/*",
        ]
    );
    let one = "arn:aws-cn:cognito-idp:cn-north-1:123456789012:userpool/cn-north-1_AbC";
    let run = xtask(&["iam-policy", "--role", "admin", "--pool-arn", one]).await;
    run.assert_code(0);
    assert_eq!(run.json()["Statement"][1]["Resource"], one);
}
