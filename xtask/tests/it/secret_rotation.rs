//! `provision` on an app client whose secret is being rotated (two secrets) or was rotated (the original deleted):
//! neither is drift, and `--write-env` never writes the original secret over the one credere-backend uses.

use std::path::Path;

use crate::support::{mutations, proxy, sdk};
use crate::write_env::{python_dotenv, secret_id_in};

const NEW_SECRET: &str = "A_rotated_secret_of_48_characters_for_the_tests_x";

async fn provision(proxy: &testkit::RecordingProxy, extra: &[&str]) -> crate::support::Run {
    crate::provision::provision(pool_spec::Environment::Development, proxy, extra).await
}

/// The `.env`'s COGNITO_CLIENT_SECRET as credere-backend reads it, and its ID as the tool records it.
fn secret_in(path: &Path) -> (String, String) {
    let values = python_dotenv(path);
    let secret = values
        .get("COGNITO_CLIENT_SECRET")
        .cloned()
        .flatten()
        .unwrap_or_default();
    (secret, secret_id_in(path))
}

#[tokio::test]
async fn a_rotation_is_neither_drift_nor_overwritten_by_write_env() {
    let proxy = proxy().await;
    let dir = tempfile::tempdir().unwrap();
    let env = dir.path().join(".env");
    let env_arg = env.to_str().unwrap();
    provision(&proxy, &["--write-env", env_arg]).await.assert_code(0);
    let (original, original_id) = secret_in(&env);
    let json = provision(&proxy, &["--check", "--output", "json"]).await;
    json.assert_code(0);
    let report = json.json();
    let (pool_id, client_id) = (
        report["pool_id"].as_str().unwrap(),
        report["client_id"].as_str().unwrap(),
    );
    assert!(original_id.starts_with(&format!("{client_id}--")), "{original_id}");
    assert_eq!(report["client_secret_ids"], serde_json::json!([original_id]));
    assert!(
        !json.output().contains(&original),
        "the secret is never printed without --show-secret"
    );

    // The rotation's first half, behind the tool's back: a second secret, which credere-backend now uses.
    let sdk = sdk(&proxy).await;
    let added = sdk
        .add_user_pool_client_secret()
        .user_pool_id(pool_id)
        .client_id(client_id)
        .client_secret(NEW_SECRET)
        .send()
        .await
        .unwrap();
    let new_id = added.client_secret_descriptor.unwrap().client_secret_id.unwrap();
    dotenv_file::write_with_notes(
        &env,
        &[("COGNITO_CLIENT_SECRET", NEW_SECRET)],
        &[admin_bootstrap::client_secret_id_note(Some(&new_id))],
    )
    .unwrap();

    let during = provision(&proxy, &["--check"]).await;
    during.assert_code(0);
    assert!(
        during.stdout.contains("a secret rotation is under way"),
        "{}",
        during.stdout
    );
    assert!(during.stdout.contains(&new_id), "{}", during.stdout);
    proxy.clear();
    let written = provision(&proxy, &["--write-env", env_arg]).await;
    written.assert_code(0);
    assert_eq!(
        secret_in(&env),
        (NEW_SECRET.to_owned(), new_id.clone()),
        "the original is not written back"
    );
    assert!(written.stdout.contains("not known to this run"), "{}", written.stdout);
    assert!(mutations(&proxy).is_empty(), "{:?}", proxy.operations());

    // The second half: the original deleted. DescribeUserPoolClient now shows no secret; the client has one.
    sdk.delete_user_pool_client_secret()
        .user_pool_id(pool_id)
        .client_id(client_id)
        .client_secret_id(&original_id)
        .send()
        .await
        .unwrap();
    let after = provision(&proxy, &["--check", "--output", "json"]).await;
    after.assert_code(0);
    assert_eq!(after.json()["client_secret_ids"], serde_json::json!([new_id]));
    proxy.clear();
    provision(&proxy, &["--write-env", env_arg]).await.assert_code(0);
    assert_eq!(secret_in(&env), (NEW_SECRET.to_owned(), new_id));
    assert!(mutations(&proxy).is_empty(), "{:?}", proxy.operations());
    assert!(
        proxy.operations().contains(&"ListUserPoolClientSecrets".to_owned()),
        "whether the client has a secret comes from the list: {:?}",
        proxy.operations()
    );
}
