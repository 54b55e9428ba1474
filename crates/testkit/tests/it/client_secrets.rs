//! The client-secret calls moto lacks (moto_launcher.py) and the sign-in rules that read secrets (fidelity.py:
//! `secret-hash`, `user-existence-hidden`), against the real moto through the recording proxy.

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::{AuthFlowType, ExplicitAuthFlowsType, PreventUserExistenceErrorTypes};
use base64::Engine as _;
use hmac::{KeyInit, Mac};

use crate::fidelity::{account, refusal};

/// A pool and a client (confidential or not), as Credere's are: password sign-in, user existence hidden.
async fn pool_and_client(sdk: &Client, confidential: bool) -> (String, String) {
    let pool = sdk.create_user_pool().pool_name("secrets").send().await.unwrap();
    let pool_id = pool.user_pool.unwrap().id.unwrap();
    let client = sdk
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("secrets")
        .generate_secret(confidential)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .prevent_user_existence_errors(PreventUserExistenceErrorTypes::Enabled)
        .send()
        .await
        .unwrap();
    (pool_id, client.user_pool_client.unwrap().client_id.unwrap())
}

async fn secret_ids(sdk: &Client, pool_id: &str, client_id: &str) -> Vec<String> {
    let listed = sdk
        .list_user_pool_client_secrets()
        .user_pool_id(pool_id)
        .client_id(client_id)
        .send()
        .await
        .unwrap();
    listed
        .client_secrets()
        .iter()
        .filter_map(|secret| secret.client_secret_id.clone())
        .collect()
}

async fn described_secret(sdk: &Client, pool_id: &str, client_id: &str) -> Option<String> {
    let described = sdk
        .describe_user_pool_client()
        .user_pool_id(pool_id)
        .client_id(client_id)
        .send()
        .await
        .unwrap();
    described.user_pool_client.unwrap().client_secret
}

/// SECRET_HASH as AWS defines it: Base64(HMAC-SHA256(secret, username + client ID)).
fn secret_hash(secret: &str, username: &str, client_id: &str) -> String {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{username}{client_id}").as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

const CUSTOM: &str = "Rotated_secret_of_exactly_forty_characters";

#[tokio::test]
async fn a_client_holds_at_most_two_secrets_and_keeps_its_last() {
    let (_proxy, sdk) = account().await;
    let (pool_id, client_id) = pool_and_client(&sdk, true).await;
    let original_value = described_secret(&sdk, &pool_id, &client_id)
        .await
        .expect("a confidential client");
    let original = secret_ids(&sdk, &pool_id, &client_id).await;
    assert_eq!(original.len(), 1, "{original:?}");
    assert!(original[0].starts_with(&format!("{client_id}--")), "{original:?}");

    // A custom value is never echoed back.
    let added = sdk
        .add_user_pool_client_secret()
        .user_pool_id(&pool_id)
        .client_id(&client_id)
        .client_secret(CUSTOM)
        .send()
        .await
        .unwrap();
    let descriptor = added.client_secret_descriptor.unwrap();
    assert_eq!(descriptor.client_secret_value, None);
    assert!(descriptor.client_secret_create_date.is_some());
    let custom_id = descriptor.client_secret_id.unwrap();
    assert_eq!(
        secret_ids(&sdk, &pool_id, &client_id).await,
        [original[0].clone(), custom_id.clone()]
    );
    // DescribeUserPoolClient keeps showing the original.
    assert_eq!(
        described_secret(&sdk, &pool_id, &client_id).await.as_deref(),
        Some(original_value.as_str())
    );

    let third = sdk
        .add_user_pool_client_secret()
        .user_pool_id(&pool_id)
        .client_id(&client_id)
        .send()
        .await;
    assert_eq!(refusal(third).0, "LimitExceededException");

    sdk.delete_user_pool_client_secret()
        .user_pool_id(&pool_id)
        .client_id(&client_id)
        .client_secret_id(&original[0])
        .send()
        .await
        .unwrap();
    assert_eq!(
        described_secret(&sdk, &pool_id, &client_id).await,
        None,
        "the original is gone"
    );
    assert_eq!(
        secret_ids(&sdk, &pool_id, &client_id).await,
        std::slice::from_ref(&custom_id)
    );

    let last = sdk
        .delete_user_pool_client_secret()
        .user_pool_id(&pool_id)
        .client_id(&client_id)
        .client_secret_id(&custom_id)
        .send()
        .await;
    assert_eq!(refusal(last).0, "InvalidParameterException");
    let unknown = sdk
        .delete_user_pool_client_secret()
        .user_pool_id(&pool_id)
        .client_id(&client_id)
        .client_secret_id(&original[0])
        .send()
        .await;
    assert_eq!(refusal(unknown).0, "ResourceNotFoundException");

    // A generated value is returned once.
    let generated = sdk
        .add_user_pool_client_secret()
        .user_pool_id(&pool_id)
        .client_id(&client_id)
        .send()
        .await
        .unwrap()
        .client_secret_descriptor
        .unwrap();
    let value = generated.client_secret_value.expect("a generated secret is returned");
    assert!(
        value.len() >= 24 && value.chars().all(|c| c.is_ascii_alphanumeric()),
        "{value}"
    );
    assert_eq!(secret_ids(&sdk, &pool_id, &client_id).await.len(), 2);
}

#[tokio::test]
async fn only_a_confidential_client_takes_a_secret_and_values_are_checked() {
    let (_proxy, sdk) = account().await;
    let (pool_id, public) = pool_and_client(&sdk, false).await;
    assert!(secret_ids(&sdk, &pool_id, &public).await.is_empty());
    let added = sdk
        .add_user_pool_client_secret()
        .user_pool_id(&pool_id)
        .client_id(&public)
        .client_secret(CUSTOM)
        .send()
        .await;
    assert_eq!(refusal(added).0, "InvalidParameterException");

    let (pool_id, confidential) = pool_and_client(&sdk, true).await;
    for bad in ["too_short", "has-a-dash-which-the-pattern-refuses", &"x".repeat(65)] {
        let added = sdk
            .add_user_pool_client_secret()
            .user_pool_id(&pool_id)
            .client_id(&confidential)
            .client_secret(bad)
            .send()
            .await;
        let (code, message) = refusal(added);
        assert_eq!(code, "InvalidParameterException", "{bad}");
        assert!(!message.contains(bad), "a secret value is never echoed: {message}");
    }
    assert_eq!(
        secret_ids(&sdk, &pool_id, &confidential).await.len(),
        1,
        "nothing was added"
    );
}

#[tokio::test]
async fn a_secret_hash_from_either_secret_is_accepted_and_a_wrong_one_is_refused_first() {
    let (proxy, sdk) = account().await;
    let (pool_id, client_id) = pool_and_client(&sdk, true).await;
    let original = described_secret(&sdk, &pool_id, &client_id).await.unwrap();
    sdk.add_user_pool_client_secret()
        .user_pool_id(&pool_id)
        .client_id(&client_id)
        .client_secret(CUSTOM)
        .send()
        .await
        .unwrap();
    let nobody = "nobody@example.org";
    let sign_in = |hash: Option<String>| {
        let mut request = sdk
            .initiate_auth()
            .client_id(&client_id)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", nobody)
            .auth_parameters("PASSWORD", "Not-the-password-1");
        if let Some(hash) = hash {
            request = request.auth_parameters("SECRET_HASH", hash);
        }
        request.send()
    };

    let wrong = sign_in(Some(secret_hash("not_the_secret_at_all_123", nobody, &client_id))).await;
    assert_eq!(
        refusal(wrong),
        (
            "NotAuthorizedException".to_owned(),
            format!("Unable to verify secret hash for client {client_id}")
        )
    );
    let missing = sign_in(None).await;
    assert_eq!(
        refusal(missing).1,
        format!("Client {client_id} is configured with secret but SECRET_HASH was not received")
    );
    // Either secret gets past the secret check; the unknown user is then a generic failure (ENABLED).
    for secret in [original.as_str(), CUSTOM] {
        let answer = sign_in(Some(secret_hash(secret, nobody, &client_id))).await;
        assert_eq!(
            refusal(answer),
            (
                "NotAuthorizedException".to_owned(),
                "Incorrect username or password.".to_owned()
            ),
            "with {secret:?}"
        );
    }

    // Switched off, moto's own answers: an unknown user named as such, and no secret check at all.
    proxy.lenient(&["user-existence-hidden"]);
    let answer = sign_in(Some(secret_hash(CUSTOM, nobody, &client_id))).await;
    assert_eq!(refusal(answer).0, "UserNotFoundException");
    proxy.lenient(&["secret-hash"]);
    let answer = sign_in(Some(secret_hash("not_the_secret_at_all_123", nobody, &client_id))).await;
    assert_eq!(refusal(answer).0, "UserNotFoundException");
}

#[tokio::test]
async fn a_user_signs_in_with_the_new_secret() {
    let (_proxy, sdk) = account().await;
    let (pool_id, client_id) = pool_and_client(&sdk, true).await;
    let username = "someone@example.org";
    let password = "A-password-of-16-chars";
    sdk.admin_create_user()
        .user_pool_id(&pool_id)
        .username(username)
        .send()
        .await
        .unwrap();
    sdk.admin_set_user_password()
        .user_pool_id(&pool_id)
        .username(username)
        .password(password)
        .permanent(true)
        .send()
        .await
        .unwrap();
    sdk.add_user_pool_client_secret()
        .user_pool_id(&pool_id)
        .client_id(&client_id)
        .client_secret(CUSTOM)
        .send()
        .await
        .unwrap();
    let signed_in = sdk
        .initiate_auth()
        .client_id(&client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", username)
        .auth_parameters("PASSWORD", password)
        .auth_parameters("SECRET_HASH", secret_hash(CUSTOM, username, &client_id))
        .send()
        .await
        .unwrap();
    assert!(
        signed_in
            .authentication_result
            .is_some_and(|tokens| tokens.access_token.is_some())
    );
}
