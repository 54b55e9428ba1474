//! What the xtask tests share: running the built `cargo xtask` binary against the emulator
//! through a recording proxy, and an SDK client for setting up or inspecting state behind its back.

use aws_sdk_cognitoidentityprovider::Client;
pub use test_support::Run;
use testkit::RecordingProxy;

/// The built `cargo xtask` binary.
pub const XTASK: &str = env!("CARGO_BIN_EXE_xtask");

/// Runs `cargo xtask ARGS` (the built binary) with stdin closed and a clean AWS environment.
pub async fn xtask(args: &[&str]) -> Run {
    xtask_with_env(args, &[]).await
}

/// [`xtask`] with extra environment variables.
pub async fn xtask_with_env(args: &[&str], env: &[(&str, &str)]) -> Run {
    test_support::run(XTASK, args, env).await
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
    test_support::on_terminal(XTASK, args, input).await
}

/// What a terminal showed before the first confirmation prompt; panics when it never asked.
pub fn before_question(printed: &str) -> &str {
    let question = printed
        .find("Type yes to continue")
        .unwrap_or_else(|| panic!("it never asked:\n{printed}"));
    &printed[..question]
}
