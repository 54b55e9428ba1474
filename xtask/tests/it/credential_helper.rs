//! A profile's `credential_process` (issue 19, item 14): run once per command, named when it fails or hangs, and
//! never left running after the command ends.

use std::path::Path;

use crate::support::{XTASK, proxy};

/// An AWS config file in `dir` whose profile `helper` gets its credentials from `script`, which each start appends
/// its process ID (and any child's) to `dir/pids`.
fn profile_with_helper(dir: &Path, script: &str) {
    use std::os::unix::fs::PermissionsExt;
    let helper = dir.join("helper.sh");
    std::fs::write(
        &helper,
        format!("#!/bin/sh\necho $$ >> '{}/pids'\n{script}", dir.display()),
    )
    .unwrap();
    std::fs::set_permissions(&helper, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::write(
        dir.join("config"),
        format!(
            "[profile helper]\ncredential_process = {} --token s3cr3t-arg\n",
            helper.display()
        ),
    )
    .unwrap();
}

/// `provision --env development --check --profile helper` through `endpoint`, with no credentials but the helper's.
async fn check_with_helper(dir: &Path, endpoint: &str) -> test_support::Run {
    let output = test_support::clean_command(XTASK)
        .args(["provision", "--env", "development", "--check", "--profile", "helper"])
        .args(["--region", "us-east-1", "--endpoint-url", endpoint])
        .env("AWS_CONFIG_FILE", dir.join("config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", dir.join("credentials"))
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_SESSION_TOKEN")
        .output()
        .await
        .unwrap();
    test_support::Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn recorded_pids(dir: &Path) -> Vec<i32> {
    std::fs::read_to_string(dir.join("pids"))
        .unwrap_or_default()
        .lines()
        .map(|line| line.trim().parse().unwrap())
        .collect()
}

/// Whether `pid` is a process that still runs (a zombie has ended).
fn running(pid: i32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .is_ok_and(|stat| stat.rsplit_once(") ").is_some_and(|(_, rest)| !rest.starts_with('Z')))
}

#[tokio::test]
async fn a_hung_helper_is_named_started_once_and_stopped_with_its_children() {
    let proxy = proxy().await;
    let dir = tempfile::tempdir().unwrap();
    // The helper never answers: it waits on a child that sleeps, recording both.
    profile_with_helper(
        dir.path(),
        &format!("sleep 3600 &\necho $! >> '{}/pids'\nwait\n", dir.path().display()),
    );
    let run = check_with_helper(dir.path(), &proxy.endpoint()).await;
    let pids = recorded_pids(dir.path());
    // The command has sent SIGKILL to the helper's group before exiting, but a signal takes effect when the kernel
    // next runs the process, which a loaded machine may not have done yet: poll their state for a while.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while pids.iter().any(|pid| running(*pid)) && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let survivors: Vec<i32> = pids.iter().copied().filter(|pid| running(*pid)).collect();
    for pid in &survivors {
        // Leave nothing behind on the test machine either.
        let _ = std::process::Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status();
    }
    run.assert_code(1);
    assert_eq!(
        pids.len(),
        2,
        "the helper (and its child) started once: {pids:?}\n{}",
        run.stderr
    );
    assert!(
        survivors.is_empty(),
        "still running after the command ended: {survivors:?}"
    );
    assert!(proxy.calls().is_empty(), "{:?}", proxy.operations());
    assert!(
        run.stderr.contains("credential_process of AWS profile `helper`")
            && run.stderr.contains("helper.sh")
            && run.stderr.contains("gave no credentials within"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("s3cr3t-arg"), "{}", run.stderr);
    assert!(!run.stderr.contains("no answer came in time"), "{}", run.stderr);
    assert!(
        run.stderr
            .lines()
            .any(|line| line.starts_with("hint:") && line.contains("credential_process")),
        "{}",
        run.stderr
    );
}

#[tokio::test]
async fn a_helper_s_credentials_serve_every_call_of_the_command_from_one_run() {
    let proxy = proxy().await;
    let dir = tempfile::tempdir().unwrap();
    profile_with_helper(
        dir.path(),
        r#"echo '{"Version": 1, "AccessKeyId": "testing", "SecretAccessKey": "testing", "SessionToken": "testing", "Expiration": "2999-01-01T00:00:00Z"}'
"#,
    );
    let run = check_with_helper(dir.path(), &proxy.endpoint()).await;
    // No pool exists in this proxy's account: the plan is to create it (exit 2), after calls the helper's
    // credentials signed.
    run.assert_code(2);
    assert!(proxy.operations().iter().any(|operation| operation == "ListUserPools"));
    assert_eq!(recorded_pids(dir.path()).len(), 1, "{}", run.stderr);
}

#[tokio::test]
async fn a_helper_that_fails_is_named_with_what_it_said() {
    let proxy = proxy().await;
    let dir = tempfile::tempdir().unwrap();
    profile_with_helper(dir.path(), "echo 'session expired: run sso-login' >&2\nexit 3\n");
    let run = check_with_helper(dir.path(), &proxy.endpoint()).await;
    run.assert_code(1);
    assert_eq!(recorded_pids(dir.path()).len(), 1, "{}", run.stderr);
    assert!(proxy.calls().is_empty(), "{:?}", proxy.operations());
    assert!(
        run.stderr.contains("credential_process of AWS profile `helper`")
            && run.stderr.contains("session expired: run sso-login"),
        "{}",
        run.stderr
    );
}
