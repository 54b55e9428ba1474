//! What the xtask integration tests share: running the built `cargo xtask` binary against the emulator
//! through a recording proxy, and an SDK client for setting up or inspecting state behind its back.

#![allow(dead_code)] // Each test binary uses its own part of this module.

use std::process::Stdio;

use aws_sdk_cognitoidentityprovider::Client;
use testkit::RecordingProxy;

/// The outcome of one run of the binary.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Everything the run printed.
    pub fn output(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }

    /// Asserts the exit code, showing the output when it differs.
    #[track_caller]
    pub fn assert_code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code, code,
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// stdout parsed as one JSON value.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|error| panic!("stdout is not JSON ({error}):\n{}", self.stdout))
    }
}

/// Runs `cargo xtask ARGS` (the built binary) with stdin closed and a clean AWS environment.
pub async fn xtask(args: &[&str]) -> Run {
    xtask_with_env(args, &[]).await
}

/// [`xtask`] with extra environment variables.
pub async fn xtask_with_env(args: &[&str], env: &[(&str, &str)]) -> Run {
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .stdin(Stdio::null())
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("AWS_REGION")
        .env_remove("AWS_DEFAULT_REGION")
        .env_remove("DATABASE_URL")
        .env_remove("COGNITO_POOL_ID")
        .envs(env.iter().copied())
        .output()
        .await
        .expect("running the xtask binary");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// A recording proxy in front of the emulator: an AWS account of this test's own.
pub async fn proxy() -> RecordingProxy {
    RecordingProxy::start(&testkit::cognito_endpoint())
        .await
        .expect("starting the recording proxy")
}

/// An SDK client through `proxy`, built the way the commands build theirs.
pub async fn sdk(proxy: &RecordingProxy) -> Client {
    let options = cognito::ConnectOptions {
        endpoint_url: Some(proxy.endpoint()),
        ..cognito::ConnectOptions::default()
    };
    Client::new(&cognito::load_sdk_config(&options).await)
}

/// The library's view through `proxy`.
pub async fn cognito(proxy: &RecordingProxy) -> cognito::Cognito {
    cognito::Cognito::connect(&cognito::ConnectOptions {
        endpoint_url: Some(proxy.endpoint()),
        ..cognito::ConnectOptions::default()
    })
    .await
}

/// The IDs of the pools named `name`, listed with the raw SDK through `proxy`.
pub async fn pools_named(proxy: &RecordingProxy, name: &str) -> Vec<String> {
    let pools = sdk(proxy).await.list_user_pools().max_results(60).send().await.unwrap();
    pools
        .user_pools()
        .iter()
        .filter(|pool| pool.name() == Some(name))
        .filter_map(|pool| pool.id().map(str::to_owned))
        .collect()
}

/// DescribeUserPool with the raw SDK: the pool as Cognito (here moto) reports it.
pub async fn described_pool(sdk: &Client, pool_id: &str) -> aws_sdk_cognitoidentityprovider::types::UserPoolType {
    sdk.describe_user_pool()
        .user_pool_id(pool_id)
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap()
}

/// A pool as the console's wizard makes one, without the tool and without tags: email sign-in, case-insensitive
/// usernames, a required email. Returns its ID.
pub async fn hand_made_pool(proxy: &RecordingProxy, name: &str) -> String {
    use aws_sdk_cognitoidentityprovider::types::{
        AttributeDataType, SchemaAttributeType, UsernameAttributeType, UsernameConfigurationType,
    };
    let made = sdk(proxy)
        .await
        .create_user_pool()
        .pool_name(name)
        .username_attributes(UsernameAttributeType::Email)
        .username_configuration(
            UsernameConfigurationType::builder()
                .case_sensitive(false)
                .build()
                .unwrap(),
        )
        .schema(
            SchemaAttributeType::builder()
                .name("email")
                .required(true)
                .mutable(true)
                .attribute_data_type(AttributeDataType::String)
                .build(),
        )
        .send()
        .await
        .unwrap();
    made.user_pool.and_then(|pool| pool.id).unwrap()
}

/// The operations that change something in Cognito.
pub const MUTATING: &[&str] = &[
    "CreateUserPool",
    "UpdateUserPool",
    "DeleteUserPool",
    "SetUserPoolMfaConfig",
    "CreateUserPoolClient",
    "UpdateUserPoolClient",
    "DeleteUserPoolClient",
    "AdminCreateUser",
    "TagResource",
];

/// The mutating operations `proxy` recorded.
pub fn mutations(proxy: &RecordingProxy) -> Vec<String> {
    proxy
        .operations()
        .into_iter()
        .filter(|operation| MUTATING.contains(&operation.as_str()))
        .collect()
}

/// Runs `cargo xtask ARGS` (the built binary) on a pseudo-terminal (util-linux `script`), typing `input` into it;
/// returns the exit code and what it printed (stdout and stderr both reach the terminal).
pub async fn xtask_on_terminal(args: &[&str], input: &str) -> (i32, String) {
    use tokio::io::AsyncWriteExt;
    // Single-quoted for the shell `script` runs the command with; no argument here holds a quote.
    let command: Vec<String> = std::iter::once(env!("CARGO_BIN_EXE_xtask"))
        .chain(args.iter().copied())
        .map(|arg| format!("'{arg}'"))
        .collect();
    let mut child = tokio::process::Command::new("script")
        .args(["--quiet", "--return", "--command", &command.join(" "), "/dev/null"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("util-linux `script` gives the command a terminal: apt-get install bsdutils (Debian) to run this test");
    let mut stdin = child.stdin.take().expect("stdin was piped");
    stdin
        .write_all(input.as_bytes())
        .await
        .expect("typing into the terminal");
    drop(stdin);
    let output = child.wait_with_output().await.expect("waiting for `script`");
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.code().unwrap_or(-1), printed)
}
