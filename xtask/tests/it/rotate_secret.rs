//! `cargo xtask rotate-secret`: the app client's secret rotated without downtime, against the emulator through the
//! recording proxy. What was sent is proven with the proxy's log; the `.env` is read back through python-dotenv.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use base64::Engine;
use hmac::{KeyInit, Mac};
use pool_spec::Environment;
use testkit::{Fault, FaultKind, RecordingProxy};

use crate::support::{Run, XTASK, proxy, sdk, xtask};
use crate::write_env::{credere_backend_settings, python_dotenv, secret_id_in};

/// A pool provisioned with `--write-env` into a `.env` of its own.
struct Rotation {
    proxy: RecordingProxy,
    environment: Environment,
    _dir: tempfile::TempDir,
    env: PathBuf,
    pool_id: String,
    client_id: String,
    original: Secret,
}

/// A secret's value and ID, as the `.env` holds them.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Secret {
    value: String,
    id: String,
}

impl Rotation {
    async fn new(environment: Environment) -> Self {
        let proxy = proxy().await;
        let dir = tempfile::tempdir().unwrap();
        let env = dir.path().join(".env");
        std::fs::write(&env, "DATABASE_URL=postgresql://db/credere\n").unwrap();
        let written = crate::provision::provision(
            environment,
            &proxy,
            &["--write-env", env.to_str().unwrap(), "--output", "json"],
        )
        .await;
        written.assert_code(0);
        let report = written.json();
        let rotation = Self {
            pool_id: report["pool_id"].as_str().unwrap().to_owned(),
            client_id: report["client_id"].as_str().unwrap().to_owned(),
            original: secret_in(&env),
            proxy,
            environment,
            _dir: dir,
            env,
        };
        assert!(!rotation.original.value.is_empty() && !rotation.original.id.is_empty());
        rotation
    }

    fn args<'a>(&'a self, endpoint: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
        let mut args = vec![
            "rotate-secret",
            "--env",
            self.environment.as_str(),
            "--endpoint-url",
            endpoint,
            "--write-env",
            self.env.to_str().unwrap(),
        ];
        args.extend(extra);
        args
    }

    /// `rotate-secret` for this pool and `.env`, with `extra` flags.
    async fn rotate(&self, extra: &[&str]) -> Run {
        let endpoint = self.proxy.endpoint();
        xtask(&self.args(&endpoint, extra)).await
    }

    async fn check(&self) {
        crate::provision::provision(self.environment, &self.proxy, &["--check"])
            .await
            .assert_code(0);
    }

    /// The IDs of the client's secrets, listed with the raw SDK.
    async fn secret_ids(&self) -> Vec<String> {
        let listed = sdk(&self.proxy)
            .await
            .list_user_pool_client_secrets()
            .user_pool_id(&self.pool_id)
            .client_id(&self.client_id)
            .send()
            .await
            .unwrap();
        let mut secrets: Vec<_> = listed
            .client_secrets()
            .iter()
            .map(|secret| secret.client_secret_id().unwrap().to_owned())
            .collect();
        secrets.sort();
        secrets
    }

    /// The `ClientSecret` the recorded AddUserPoolClientSecret calls sent.
    fn added_values(&self) -> Vec<String> {
        self.proxy
            .calls_of("AddUserPoolClientSecret")
            .iter()
            .map(|call| {
                call.request_json().unwrap()["ClientSecret"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect()
    }
}

/// The `.env`'s secret as credere-backend reads it, and its ID as the tool records it.
fn secret_in(path: &Path) -> Secret {
    Secret {
        value: python_dotenv(path)
            .get("COGNITO_CLIENT_SECRET")
            .cloned()
            .flatten()
            .unwrap_or_default(),
        id: secret_id_in(path),
    }
}

/// SECRET_HASH as AWS defines it: Base64(HMAC-SHA256(key = secret, message = username + client ID)).
fn secret_hash(secret: &str, username: &str, client_id: &str) -> String {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{username}{client_id}").as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// Asserts that no piece of `secrets` shows in `printed`. The secrets are random, as are the pool and client IDs the
/// output shows, so pieces of 12 characters: 4 would match by chance.
#[track_caller]
fn assert_no_secret(what: &str, printed: &str, secrets: &[&str]) {
    test_support::assert_no_secret_piece(what, printed, secrets, 12);
}

/// The command a run printed after "Then run `" (or "run `" in a hint), without `cargo xtask`.
fn printed_command(printed: &str, marker: &str) -> Vec<String> {
    let start = printed
        .find(marker)
        .unwrap_or_else(|| panic!("no {marker:?} in:\n{printed}"))
        + marker.len();
    let command = &printed[start..start + printed[start..].find('`').unwrap()];
    let command = command.strip_prefix("cargo xtask ").expect(command);
    command.split(' ').map(str::to_owned).collect()
}

async fn run_printed(command: &[String]) -> Run {
    let args: Vec<&str> = command.iter().map(String::as_str).collect();
    xtask(&args).await
}

#[tokio::test]
async fn a_rotation_adds_a_proved_secret_to_the_env_and_the_finish_deletes_the_original() {
    let rotation = Rotation::new(Environment::Development).await;
    let original = rotation.original.clone();
    assert_eq!(rotation.secret_ids().await, std::slice::from_ref(&original.id));
    rotation.check().await;

    rotation.proxy.clear();
    let started = rotation.rotate(&[]).await;
    started.assert_code(0);
    let start_log = rotation.proxy.operations();
    let added = rotation.added_values();
    let [new_value] = &added[..] else {
        panic!("one Add: {start_log:?}");
    };
    assert_eq!(new_value.len(), 64);
    assert!(
        new_value.bytes().all(|byte| byte.is_ascii_alphanumeric()),
        "{new_value}"
    );
    let new = secret_in(&rotation.env);
    assert_eq!(&new.value, new_value, "the .env holds what was added");
    let ids = rotation.secret_ids().await;
    assert_eq!(ids.len(), 2, "{ids:?}");
    assert!(ids.contains(&new.id) && new.id != original.id, "{ids:?} {new:?}");
    // The proof: a sign-in attempt for an unknown user whose SECRET_HASH was made with the new secret.
    let proofs = rotation.proxy.calls_of("InitiateAuth");
    let [proof] = &proofs[..] else {
        panic!("one proof: {start_log:?}");
    };
    let request = proof.request_json().unwrap();
    assert_eq!(request["AuthFlow"], "USER_PASSWORD_AUTH");
    let username = request["AuthParameters"]["USERNAME"].as_str().unwrap();
    assert!(username.starts_with("credere-cognito-secret-check-"), "{username}");
    assert_eq!(
        request["AuthParameters"]["SECRET_HASH"],
        secret_hash(new_value, username, &rotation.client_id)
    );
    assert!(
        start_log.iter().position(|op| op == "AddUserPoolClientSecret")
            < start_log.iter().position(|op| op == "InitiateAuth"),
        "{start_log:?}"
    );
    assert_no_secret("the start's output", &started.output(), &[new_value, &original.value]);
    assert!(started.stdout.contains("restart credere-backend"), "{}", started.stdout);
    assert!(started.stdout.contains("--finish"), "{}", started.stdout);
    eprintln!("request log of a start: {start_log:?}");

    // During the rotation: no drift, and a second start is refused with the fix, having only read.
    rotation.check().await;
    rotation.proxy.clear();
    let again = rotation.rotate(&[]).await;
    again.assert_code(1);
    assert!(
        again.stderr.contains("a secret rotation is under way"),
        "{}",
        again.stderr
    );
    assert!(
        again.stderr.contains("hint: restart credere-backend"),
        "{}",
        again.stderr
    );
    assert!(again.stderr.contains("--finish"), "{}", again.stderr);
    assert!(
        test_support::mutations(&rotation.proxy).is_empty(),
        "{:?}",
        rotation.proxy.operations()
    );

    rotation.proxy.clear();
    let finished = rotation.rotate(&["--finish", "--output", "json"]).await;
    finished.assert_code(0);
    let finish_log = rotation.proxy.operations();
    let report = finished.json();
    assert_eq!(report["step"], "finish");
    assert_eq!(report["deleted_secret_ids"], serde_json::json!([original.id]));
    assert_eq!(report["secret_ids_after"], serde_json::json!([new.id]));
    assert_eq!(report["proof"], "accepted");
    assert_eq!(report["changed"], true);
    let deletes = rotation.proxy.calls_of("DeleteUserPoolClientSecret");
    let [delete] = &deletes[..] else {
        panic!("one Delete: {finish_log:?}");
    };
    assert_eq!(delete.request_json().unwrap()["ClientSecretId"], original.id.as_str());
    let proofs = rotation.proxy.calls_of("InitiateAuth");
    let request = proofs[0].request_json().unwrap();
    let username = request["AuthParameters"]["USERNAME"].as_str().unwrap();
    assert_eq!(
        request["AuthParameters"]["SECRET_HASH"],
        secret_hash(&new.value, username, &rotation.client_id),
        "the finish proves the .env's secret before deleting"
    );
    assert_eq!(rotation.secret_ids().await, std::slice::from_ref(&new.id));
    assert_no_secret(
        "the finish's output",
        &finished.output(),
        &[&new.value, &original.value],
    );
    eprintln!("request log of a finish: {finish_log:?}");
    rotation.check().await;

    // Safe to run again.
    rotation.proxy.clear();
    let done = rotation.rotate(&["--finish"]).await;
    done.assert_code(0);
    assert!(done.stdout.contains("nothing to do"), "{}", done.stdout);
    assert!(
        test_support::mutations(&rotation.proxy).is_empty(),
        "{:?}",
        rotation.proxy.operations()
    );
    assert_eq!(secret_in(&rotation.env), new);
}

/// The check that credere-backend starts: every `.env` this tool writes (provision's, a rotation's start, and after
/// its finish) loads through credere-backend's settings, with the tool's values.
#[tokio::test]
async fn every_env_the_tool_writes_starts_credere_backend() {
    let rotation = Rotation::new(Environment::Development).await;
    let loads = |secret: &Secret| {
        let settings = credere_backend_settings(&rotation.env)
            .unwrap_or_else(|error| panic!("credere-backend refuses the .env:\n{error}"));
        let expected = [
            ("database_url", "postgresql://db/credere"),
            ("aws_region", "us-east-1"),
            ("cognito_pool_id", &rotation.pool_id),
            ("cognito_client_id", &rotation.client_id),
            ("cognito_client_secret", &secret.value),
        ];
        for (field, value) in expected {
            assert_eq!(settings[field], value, "{field}");
        }
    };
    loads(&rotation.original);
    rotation.rotate(&[]).await.assert_code(0);
    let new = secret_in(&rotation.env);
    assert_ne!(new, rotation.original);
    loads(&new);
    rotation.rotate(&["--finish"]).await.assert_code(0);
    loads(&new);
}

/// A `.env` of the previous version, which set the key COGNITO_CLIENT_SECRET_ID: its ID is still read, a command that
/// only reads the file warns, and every --write-env (provision's, a rotation's start and finish) rewrites the key as
/// the comment.
#[tokio::test]
async fn an_env_with_the_secret_id_as_a_key_is_read_warned_about_and_rewritten_as_the_comment() {
    let rotation = Rotation::new(Environment::Development).await;
    let as_key = || {
        let text = std::fs::read_to_string(&rotation.env).unwrap();
        assert!(
            text.contains("\n# COGNITO_CLIENT_SECRET_ID="),
            "{}",
            rotation.env.display()
        );
        std::fs::write(
            &rotation.env,
            text.replace("\n# COGNITO_CLIENT_SECRET_ID=", "\nCOGNITO_CLIENT_SECRET_ID="),
        )
        .unwrap();
        let refused = credere_backend_settings(&rotation.env).unwrap_err();
        assert!(
            refused.contains("cognito_client_secret_id") && refused.contains("extra_forbidden"),
            "{refused}"
        );
    };
    let loads = || {
        credere_backend_settings(&rotation.env)
            .unwrap_or_else(|error| panic!("credere-backend refuses the .env:\n{error}"));
    };
    as_key();

    let endpoint = rotation.proxy.endpoint();
    let out = rotation.env.with_file_name("users.jsonl");
    let read_only = xtask(&[
        "users",
        "export",
        "--env-file",
        rotation.env.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--endpoint-url",
        &endpoint,
    ])
    .await;
    read_only.assert_code(0);
    let warning = format!(
        "warning: {} line 6 sets COGNITO_CLIENT_SECRET_ID, with which credere-backend refuses to start",
        rotation.env.display()
    );
    assert!(read_only.stderr.contains(&warning), "{}", read_only.stderr);
    assert!(
        read_only.stderr.contains(&format!(
            "`cargo xtask provision --env ENV --write-env {}` (or rotate-secret) rewrites it as the comment",
            rotation.env.display()
        )),
        "{}",
        read_only.stderr
    );

    // The start finds which secret the file holds from the key, then writes the new one's ID as the comment.
    rotation.rotate(&[]).await.assert_code(0);
    let new = secret_in(&rotation.env);
    assert_ne!(new.id, rotation.original.id);
    loads();

    // provision during the rotation knows no secret's value: it keeps the file's, rewriting the key as the comment.
    as_key();
    rotation.proxy.clear();
    let provisioned = crate::provision::provision(
        rotation.environment,
        &rotation.proxy,
        &["--write-env", rotation.env.to_str().unwrap()],
    )
    .await;
    provisioned.assert_code(0);
    assert!(
        provisioned.stdout.contains("not known to this run"),
        "{}",
        provisioned.stdout
    );
    assert_eq!(secret_in(&rotation.env), new);
    loads();

    // The finish, which writes no secret, keeps the one the key names and rewrites the key as the comment.
    as_key();
    rotation.proxy.clear();
    let finished = rotation.rotate(&["--finish"]).await;
    finished.assert_code(0);
    let deletes = rotation.proxy.calls_of("DeleteUserPoolClientSecret");
    let [delete] = &deletes[..] else {
        panic!("one Delete: {:?}", rotation.proxy.operations());
    };
    assert_eq!(
        delete.request_json().unwrap()["ClientSecretId"],
        rotation.original.id.as_str()
    );
    assert!(
        finished.stdout.contains("Rewrote COGNITO_CLIENT_SECRET_ID in"),
        "{}",
        finished.stdout
    );
    assert_eq!(secret_in(&rotation.env), new);
    loads();
}

#[tokio::test]
async fn an_add_whose_answer_is_lost_is_adopted_not_sent_again() {
    let rotation = Rotation::new(Environment::Development).await;
    rotation.proxy.clear();
    rotation.proxy.inject(Fault::after_forwarding(
        "AddUserPoolClientSecret",
        1,
        FaultKind::ServerError,
    ));
    let started = rotation.rotate(&["--output", "json"]).await;
    started.assert_code(0);
    assert_eq!(rotation.added_values().len(), 1, "{:?}", rotation.proxy.operations());
    let new = secret_in(&rotation.env);
    assert_eq!(rotation.added_values(), std::slice::from_ref(&new.value));
    assert_eq!(started.json()["added_secret_id"], new.id.as_str());
    let ids = rotation.secret_ids().await;
    assert!(ids.contains(&new.id) && ids.contains(&rotation.original.id), "{ids:?}");
    rotation.rotate(&["--finish"]).await.assert_code(0);
    assert_eq!(rotation.secret_ids().await, [new.id]);
}

#[tokio::test]
async fn a_delete_whose_answer_is_lost_still_finishes() {
    let rotation = Rotation::new(Environment::Development).await;
    rotation.rotate(&[]).await.assert_code(0);
    let new = secret_in(&rotation.env);
    rotation.proxy.clear();
    rotation.proxy.inject(Fault::after_forwarding(
        "DeleteUserPoolClientSecret",
        1,
        FaultKind::ServerError,
    ));
    let finished = rotation.rotate(&["--finish"]).await;
    // The SDK sends the Delete again after the 500; the second attempt meets "not found", which counts as deleted.
    finished.assert_code(0);
    let deletes = rotation.proxy.calls_of("DeleteUserPoolClientSecret");
    assert_eq!(deletes.len(), 2, "{:?}", rotation.proxy.operations());
    assert_eq!(deletes[0].fault, Some(FaultKind::ServerError));
    assert!(deletes[0].forwarded && deletes[1].forwarded);
    assert!(finished.stdout.contains("now holds"), "{}", finished.output());
    assert_eq!(rotation.secret_ids().await, [new.id]);
}

#[tokio::test]
async fn a_wrong_secret_in_the_env_is_never_kept_alone() {
    let rotation = Rotation::new(Environment::Development).await;
    rotation.rotate(&[]).await.assert_code(0);
    dotenv_file::write(&rotation.env, &[("COGNITO_CLIENT_SECRET", &"x".repeat(64))]).unwrap();
    rotation.proxy.clear();
    let refused = rotation.rotate(&["--finish"]).await;
    refused.assert_code(1);
    assert!(refused.stderr.contains("Cognito does not accept"), "{}", refused.stderr);
    assert!(refused.stderr.contains("nothing was deleted"), "{}", refused.stderr);
    assert!(refused.stderr.contains("hint: "), "{}", refused.stderr);
    assert!(rotation.proxy.calls_of("DeleteUserPoolClientSecret").is_empty());
    assert_eq!(rotation.secret_ids().await.len(), 2);
}

#[tokio::test]
async fn an_env_of_another_pool_or_without_ids_is_refused_before_any_change() {
    let rotation = Rotation::new(Environment::Development).await;
    let text = std::fs::read_to_string(&rotation.env).unwrap();
    dotenv_file::write(&rotation.env, &[("COGNITO_CLIENT_ID", "someotherclient")]).unwrap();
    rotation.proxy.clear();
    let refused = rotation.rotate(&[]).await;
    refused.assert_code(1);
    assert!(
        refused.stderr.contains("COGNITO_CLIENT_ID is `someotherclient`"),
        "{}",
        refused.stderr
    );
    assert!(refused.stderr.contains(&rotation.client_id), "{}", refused.stderr);
    assert!(
        refused.stderr.contains("hint: ") && refused.stderr.contains("provision --env"),
        "{}",
        refused.stderr
    );
    assert!(test_support::mutations(&rotation.proxy).is_empty());

    std::fs::write(&rotation.env, "DATABASE_URL=postgresql://db/credere\n").unwrap();
    rotation.proxy.clear();
    let refused = rotation.rotate(&[]).await;
    refused.assert_code(1);
    assert!(
        refused.stderr.contains("does not set COGNITO_POOL_ID"),
        "{}",
        refused.stderr
    );
    assert!(
        rotation.proxy.operations().is_empty(),
        "no call: {:?}",
        rotation.proxy.operations()
    );
    std::fs::write(&rotation.env, text).unwrap();
    assert_eq!(rotation.secret_ids().await, std::slice::from_ref(&rotation.original.id));
}

#[tokio::test]
async fn production_asks_and_without_a_terminal_needs_yes() {
    let rotation = Rotation::new(Environment::Production).await;
    rotation.proxy.clear();
    let refused = rotation.rotate(&[]).await;
    refused.assert_code(1);
    assert!(refused.stderr.contains("stdin is not a terminal"), "{}", refused.stderr);
    assert!(
        test_support::mutations(&rotation.proxy).is_empty(),
        "{:?}",
        rotation.proxy.operations()
    );
    assert_eq!(secret_in(&rotation.env), rotation.original);

    let endpoint = rotation.proxy.endpoint();
    let (code, printed) = test_support::on_terminal(XTASK, &rotation.args(&endpoint, &[]), "yes\n").await;
    assert_eq!(code, 0, "{printed}");
    assert!(
        printed.contains("Add a second secret to the app client of the PRODUCTION pool"),
        "{printed}"
    );
    let new = secret_in(&rotation.env);
    assert_eq!(rotation.added_values(), std::slice::from_ref(&new.value));
    assert_no_secret("the terminal", &printed, &[&new.value]);

    let (code, printed) = test_support::on_terminal(XTASK, &rotation.args(&endpoint, &["--finish"]), "yes\n").await;
    assert_eq!(code, 0, "{printed}");
    assert!(printed.contains("Delete 1 secret(s)"), "{printed}");
    assert_eq!(rotation.secret_ids().await, [new.id]);
}

/// Starts `rotate-secret` as a child the test can signal, holding `operation` at the proxy until the child is
/// waiting on it.
async fn start_held(rotation: &Rotation, operation: &str) -> (tokio::process::Child, testkit::proxy::Hold) {
    let hold = rotation.proxy.hold(operation);
    let endpoint = rotation.proxy.endpoint();
    let child = test_support::clean_command(XTASK)
        .args(rotation.args(&endpoint, &[]))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    hold.wait_for(1).await;
    (child, hold)
}

fn signal(signal: &str, child: &tokio::process::Child) {
    let sent = std::process::Command::new("kill")
        .args([signal, &child.id().unwrap().to_string()])
        .status()
        .unwrap();
    assert!(sent.success(), "kill {signal}");
}

#[tokio::test]
async fn ctrl_c_between_the_add_and_the_env_write_keeps_the_new_secret() {
    let rotation = Rotation::new(Environment::Development).await;
    rotation.proxy.clear();
    let (mut child, hold) = start_held(&rotation, "AddUserPoolClientSecret").await;
    signal("-INT", &child);
    // Only once the handler has recorded the signal (it says so) does the Add go on.
    let mut stderr = tokio::io::BufReader::new(child.stderr.take().unwrap());
    let mut printed = String::new();
    while !printed.contains("stopping once the new secret is in the .env") {
        let read = tokio::io::AsyncBufReadExt::read_line(&mut stderr, &mut printed)
            .await
            .unwrap();
        assert!(read > 0, "it ended without recording the signal:\n{printed}");
    }
    hold.release();
    tokio::io::AsyncReadExt::read_to_string(&mut stderr, &mut printed)
        .await
        .unwrap();
    let status = child.wait().await.unwrap();
    let stderr = printed;
    assert_eq!(status.code(), Some(130), "{stderr}");
    let new = secret_in(&rotation.env);
    assert_eq!(rotation.added_values(), std::slice::from_ref(&new.value), "{stderr}");
    assert!(stderr.contains("it IS in"), "{stderr}");

    let finish = printed_command(&stderr, "Then run `");
    assert!(finish.contains(&"--finish".to_owned()), "{finish:?}");
    run_printed(&finish).await.assert_code(0);
    assert_eq!(rotation.secret_ids().await, [new.id]);
}

#[tokio::test]
async fn a_kill_between_the_add_and_the_env_write_is_cleaned_up_by_following_the_advice() {
    let rotation = Rotation::new(Environment::Development).await;
    rotation.proxy.clear();
    // The Add went through; the proof is held, and the process is killed with the value only in its memory.
    let (mut child, hold) = start_held(&rotation, "InitiateAuth").await;
    signal("-KILL", &child);
    child.wait().await.unwrap();
    drop(hold);
    assert_eq!(secret_in(&rotation.env), rotation.original, "nothing was written");
    assert_eq!(rotation.secret_ids().await.len(), 2);

    let again = rotation.rotate(&[]).await;
    again.assert_code(1);
    assert!(again.stderr.contains("never reached the .env"), "{}", again.stderr);
    assert!(
        again.stderr.contains("hint: run the same command with --finish"),
        "{}",
        again.stderr
    );
    rotation.rotate(&["--finish"]).await.assert_code(0);
    assert_eq!(rotation.secret_ids().await, std::slice::from_ref(&rotation.original.id));
    assert_eq!(secret_in(&rotation.env), rotation.original);

    rotation.rotate(&[]).await.assert_code(0);
    let new = secret_in(&rotation.env);
    rotation.rotate(&["--finish"]).await.assert_code(0);
    assert_eq!(rotation.secret_ids().await, [new.id]);
}

#[tokio::test]
async fn a_new_secret_cognito_keeps_refusing_is_deleted_again_and_never_written() {
    let rotation = Rotation::new(Environment::Development).await;
    let before = std::fs::read_to_string(&rotation.env).unwrap();
    rotation.proxy.clear();
    // Every proof answered as AWS answers a SECRET_HASH it cannot verify, however long the run waits.
    rotation.proxy.inject(Fault {
        times: 5,
        ..Fault::once(
            "InitiateAuth",
            1,
            FaultKind::Refused {
                code: "NotAuthorizedException",
                message: "Unable to verify secret hash for client x",
            },
        )
    });
    let refused = rotation.rotate(&[]).await;
    refused.assert_code(1);
    assert!(
        refused.stderr.contains("did not accept the new secret"),
        "{}",
        refused.stderr
    );
    assert!(refused.stderr.contains("it was deleted again"), "{}", refused.stderr);
    assert!(
        refused.stderr.contains("hint: run the same command again"),
        "{}",
        refused.stderr
    );
    assert_eq!(
        rotation.proxy.calls_of("InitiateAuth").len(),
        5,
        "{:?}",
        rotation.proxy.operations()
    );
    let deletes = rotation.proxy.calls_of("DeleteUserPoolClientSecret");
    let [delete] = &deletes[..] else {
        panic!("one Delete: {:?}", rotation.proxy.operations());
    };
    let deleted = delete.request_json().unwrap()["ClientSecretId"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(
        deleted, rotation.original.id,
        "the rollback deletes the added secret, never the current one"
    );
    assert_eq!(
        std::fs::read_to_string(&rotation.env).unwrap(),
        before,
        "nothing was written"
    );
    assert_eq!(rotation.secret_ids().await, std::slice::from_ref(&rotation.original.id));
}
