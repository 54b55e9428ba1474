//! One truth for how a first administrator is made: a spec whose `admin` defaults differ changes both the page
//! a maintainer follows by hand and the AdminCreateUser request the code sends, as the recording proxy saw it.

use pool_spec::{AdminDefaults, Language, PoolSpec, UserType};
use serde_json::{Value, json};
use testkit::RecordingProxy;

/// The AdminCreateUser request `create_user` sends with `defaults`, as the proxy recorded it.
async fn create_user_request(defaults: &AdminDefaults) -> Value {
    let proxy = RecordingProxy::start(&testkit::cognito_endpoint())
        .await
        .expect("starting the recording proxy");
    let sdk = test_support::sdk(&proxy.endpoint(), "us-east-1").await;
    let pool_id = test_support::create_pool(&sdk, &testkit::unique_name("defaults"), &Default::default()).await;
    let cognito = cognito::Cognito::connect(&test_support::options(&proxy.endpoint(), "us-east-1")).await;
    proxy.clear();
    cognito
        .create_user(&pool_id, &test_support::email(), defaults)
        .await
        .expect("creating the user");
    let calls = proxy.calls_of("AdminCreateUser");
    assert_eq!(calls.len(), 1, "{:?}", proxy.operations());
    calls[0].request_json().expect("AdminCreateUser sends JSON")
}

/// The attribute `name` of a recorded AdminCreateUser request.
fn attribute<'a>(request: &'a Value, name: &str) -> Option<&'a Value> {
    request["UserAttributes"]
        .as_array()?
        .iter()
        .find(|attribute| attribute["Name"] == name)
        .map(|attribute| &attribute["Value"])
}

/// The page as it would be for this one spec (one environment, so no tabs).
fn page(spec: PoolSpec) -> String {
    xtask::pages::cognito_page(&[spec])
}

#[tokio::test]
async fn a_changed_admin_default_changes_the_page_and_the_request() {
    let credere = pool_spec::production();
    let mut changed = pool_spec::production();
    changed.admin = AdminDefaults {
        user_type: UserType::Fi,
        language: Language::En,
        suppress_invitation: false,
        email_verified: false,
        ..credere.admin
    };

    let (before, after) = (page(credere.clone()), page(changed.clone()));
    for (text, page, expected) in [
        (
            "invitation",
            &before,
            "-  **Invitation message:** Check \"Don't send an invitation\"",
        ),
        (
            "invitation",
            &after,
            "-  **Invitation message:** Check \"Send an email invitation\"",
        ),
        ("verified", &before, "-  **Mark email address as verified:** Check\n"),
        ("verified", &after, "-  **Mark email address as verified:** Uncheck\n"),
        ("row", &before, "VALUES ('OCP', 'es', 'EMAIL', 'NAME', 'SUB');"),
        ("row", &after, "VALUES ('FI', 'en', 'EMAIL', 'NAME', 'SUB');"),
        (
            "password",
            &before,
            "-  **Temporary password:** Check \"Generate a password\"",
        ),
        (
            "password",
            &after,
            "-  **Temporary password:** Check \"Generate a password\"",
        ),
    ] {
        assert!(page.contains(expected), "{text}: {expected:?} missing from\n{page}");
    }

    let (sent_before, sent_after) = (
        create_user_request(&credere.admin).await,
        create_user_request(&changed.admin).await,
    );
    assert_eq!(sent_before["MessageAction"], json!("SUPPRESS"), "{sent_before}");
    assert_eq!(
        attribute(&sent_before, "email_verified"),
        Some(&json!("true")),
        "{sent_before}"
    );
    assert_eq!(
        sent_after.get("MessageAction"),
        None,
        "an invitation is Cognito's default: {sent_after}"
    );
    assert_eq!(
        attribute(&sent_after, "email_verified"),
        Some(&json!("false")),
        "{sent_after}"
    );
    for sent in [&sent_before, &sent_after] {
        assert_eq!(sent.get("TemporaryPassword"), None, "Cognito generates it: {sent}");
    }
}
