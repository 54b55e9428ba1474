//! `cargo xtask provision --write-env FILE` on `.env` files set up the way production ones are: checked
//! before any call, edited where they are, read back by python-dotenv, and never left half-done.

use crate::support;

use std::collections::BTreeMap;
use std::os::unix::fs::{MetadataExt, symlink};
use std::path::Path;
use std::process::Stdio;

use crate::support::{proxy, xtask};

/// `nobody:nogroup`: credere-backend's `.env` belongs to the user the backend runs as, not to root.
const NOBODY: u32 = 65534;

async fn provision_writing(proxy: &testkit::RecordingProxy, path: &Path, extra: &[&str]) -> support::Run {
    let endpoint = proxy.endpoint();
    let mut args = vec![
        "provision",
        "--env",
        "development",
        "--endpoint-url",
        &endpoint,
        "--write-env",
        path.to_str().unwrap(),
    ];
    args.extend(extra);
    xtask(&args).await
}

/// What python-dotenv (credere-backend's reader) reads in `path`.
pub(crate) fn python_dotenv(path: &Path) -> BTreeMap<String, Option<String>> {
    let bin = testkit::venv_bin().expect("the test virtualenv with python-dotenv");
    let output = std::process::Command::new(bin.join("python"))
        .args([
            "-c",
            "import dotenv, json, sys; print(json.dumps(dotenv.dotenv_values(sys.argv[1], encoding='utf-8')))",
        ])
        .arg(path)
        .env_clear()
        .output()
        .expect("running python");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap()
}

/// Which of the client's secrets the `.env` at `path` holds, as the tool records it: the comment line
/// `# COGNITO_CLIENT_SECRET_ID=…` right after COGNITO_CLIENT_SECRET (read here from the text, not by the crate
/// under test). The key itself is never set: credere-backend refuses to start with it.
pub(crate) fn secret_id_in(path: &Path) -> String {
    assert!(
        !python_dotenv(path).contains_key("COGNITO_CLIENT_SECRET_ID"),
        "an active COGNITO_CLIENT_SECRET_ID in {}",
        path.display()
    );
    let text = std::fs::read_to_string(path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let noted: Vec<(usize, &str)> = lines
        .iter()
        .enumerate()
        .filter_map(|(index, line)| Some((index, line.strip_prefix("# COGNITO_CLIENT_SECRET_ID=")?)))
        .collect();
    let [(index, id)] = noted[..] else {
        panic!("not one note of the secret's ID: {noted:?}");
    };
    assert!(
        index > 0 && lines[index - 1].starts_with("COGNITO_CLIENT_SECRET="),
        "the note follows COGNITO_CLIENT_SECRET"
    );
    id.trim_matches('\'').to_owned()
}

/// credere-backend's own loading of `path`: pydantic-settings' `BaseSettings` with `SettingsConfigDict(env_file=...)`
/// and the default `extra` (forbid: a key that is no field stops it at start-up), declaring these fields of
/// credere-backend's `Settings` (app/settings.py), with its defaults: the ones this tool writes or reads. The values
/// it loads, or its error.
pub(crate) fn credere_backend_settings(path: &Path) -> Result<BTreeMap<String, String>, String> {
    const SETTINGS: &str = r#"
import json, sys
from pydantic_settings import BaseSettings, SettingsConfigDict

class Settings(BaseSettings):
    database_url: str = "postgresql:///credere_backend?application_name=credere_backend"
    aws_region: str = "us-west-2"
    cognito_pool_id: str = ""
    cognito_client_id: str = ""
    cognito_client_secret: str = ""
    model_config = SettingsConfigDict(env_file=sys.argv[1])

print(json.dumps(Settings().model_dump()))
"#;
    let bin = testkit::venv_bin().expect("the test virtualenv with pydantic-settings");
    let output = std::process::Command::new(bin.join("python"))
        .args(["-c", SETTINGS])
        .arg(path)
        .env_clear()
        .output()
        .expect("running python");
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).into_owned());
    }
    Ok(serde_json::from_slice(&output.stdout).unwrap())
}

#[tokio::test]
async fn an_unwritable_target_is_refused_before_any_call() {
    let root = tempfile::tempdir().unwrap();
    let fifo = root.path().join("fifo.env");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let device = root.path().join("device.env");
    let made = std::process::Command::new("mknod")
        .arg(&device)
        .args(["c", "1", "3"])
        .status()
        .unwrap();
    assert!(made.success(), "mknod needs root (CI runs as root)");
    let to_device = root.path().join("link-to-null.env");
    symlink("/dev/null", &to_device).unwrap();
    let unparsable = root.path().join("unparsable.env");
    std::fs::write(&unparsable, "A=1\nB=\"never closed\n").unwrap();
    let cases = [
        (root.path().join("missing").join(".env"), "does not exist"),
        (root.path().to_owned(), "is a directory, not a regular file"),
        (fifo, "is a FIFO (named pipe), not a regular file"),
        (device, "is a character device, not a regular file"),
        (to_device, "/dev/null is a character device, not a regular file"),
        (unparsable, "line(s) 2 cannot be parsed"),
    ];
    let before = testkit::file_names(root.path());
    for (path, expected) in cases {
        let proxy = proxy().await;
        let run = provision_writing(&proxy, &path, &[]).await;
        run.assert_code(1);
        assert!(run.stderr.contains(expected), "{}: {}", path.display(), run.stderr);
        assert!(run.stderr.contains("nothing was done"), "{}", run.stderr);
        assert_eq!(proxy.operations(), Vec::<String>::new(), "{}", path.display());
    }
    assert_eq!(testkit::file_names(root.path()), before, "nothing created or removed");
}

#[tokio::test]
async fn a_symlinked_env_of_another_user_is_edited_in_place_and_reads_back_through_python_dotenv() {
    let root = tempfile::tempdir().unwrap();
    let (backend, deploy) = (root.path().join("backend"), root.path().join("deploy"));
    std::fs::create_dir_all(&backend).unwrap();
    std::fs::create_dir_all(&deploy).unwrap();
    let real = deploy.join("credere.env");
    let original = "# credere-backend\r\nexport DATABASE_URL=postgresql://credere@db/credere\r\n\
                    EMAIL_TEMPLATE=\"line one\r\nCOGNITO_CLIENT_ID=not-a-key\r\n\"\r\n\
                    export COGNITO_POOL_ID=stale # set by hand\r\nFRONTEND_URL=http://localhost:3000";
    std::fs::write(&real, original).unwrap();
    std::os::unix::fs::chown(&real, Some(NOBODY), Some(NOBODY)).expect("chown needs root (CI runs as root)");
    std::fs::set_permissions(&real, std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();
    let link = backend.join(".env");
    symlink("../deploy/credere.env", &link).unwrap();
    let before = python_dotenv(&real);

    let proxy = proxy().await;
    let run = provision_writing(&proxy, &link, &["--output", "json", "--show-secret"]).await;
    run.assert_code(0);
    let report = run.json();

    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    let metadata = std::fs::metadata(&real).unwrap();
    assert_eq!(
        (metadata.uid(), metadata.gid(), metadata.mode() & 0o777),
        (NOBODY, NOBODY, 0o600)
    );
    assert_eq!(testkit::file_names(&deploy), ["credere.env"]);
    let after = python_dotenv(&link);
    for (key, field) in [
        ("COGNITO_POOL_ID", "pool_id"),
        ("COGNITO_CLIENT_ID", "client_id"),
        ("COGNITO_CLIENT_SECRET", "client_secret"),
        ("AWS_REGION", "region"),
    ] {
        assert_eq!(after[key].as_deref(), report[field].as_str(), "{key}");
    }
    for key in ["DATABASE_URL", "EMAIL_TEMPLATE", "FRONTEND_URL"] {
        assert_eq!(after[key], before[key], "{key}");
    }
    let written = std::fs::read_to_string(&real).unwrap();
    let pool_line = format!(
        "export COGNITO_POOL_ID={} # set by hand\r\n",
        report["pool_id"].as_str().unwrap()
    );
    assert!(
        written.starts_with(&original[..original.find("export COGNITO_POOL_ID").unwrap()]),
        "{written}"
    );
    assert!(written.contains(&pool_line), "{written}");
    assert!(
        written.contains("FRONTEND_URL=http://localhost:3000\r\nCOGNITO_CLIENT_ID="),
        "{written}"
    );
}

#[tokio::test]
async fn a_write_that_fails_leaves_the_file_as_it_was_and_no_temporary_file() {
    let root = tempfile::tempdir().unwrap();
    let path = root.path().join(".env");
    std::fs::write(&path, "COGNITO_POOL_ID=old\n").unwrap();
    let proxy = proxy().await;
    // A real failure of the write itself: with a file-size limit of 0, writing any byte to a regular file
    // fails with EFBIG (SIGXFSZ, which would kill the process instead, is ignored).
    let script = "trap '' XFSZ; ulimit -f 0; exec \"$0\" \"$@\"";
    let output = tokio::process::Command::new("sh")
        .args(["-c", script, env!("CARGO_BIN_EXE_xtask")])
        .args(["provision", "--env", "development", "--endpoint-url", &proxy.endpoint()])
        .arg("--write-env")
        .arg(&path)
        .stdin(Stdio::null())
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_REGION")
        .output()
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("File too large"), "{stderr}");
    assert!(stderr.contains("run the same command again"), "{stderr}");
    assert!(
        proxy.operations().contains(&"CreateUserPool".to_owned()),
        "the write came after the pool"
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "COGNITO_POOL_ID=old\n");
    assert_eq!(
        testkit::file_names(root.path()),
        [".env"],
        "no temporary file left behind"
    );
}

/// The one temporary directory beside the `.env` (named after it) and the file in it, once there is one.
fn temporary_file(directory: &Path) -> Option<std::path::PathBuf> {
    let names = testkit::file_names(directory);
    let name = names
        .iter()
        .find(|name| name.starts_with(".env.") && name.ends_with(".tmp"))?;
    Some(directory.join(name).join(".env"))
}

#[tokio::test]
async fn a_signal_while_the_new_env_waits_to_land_leaves_the_old_env_and_no_temporary_file() {
    for signal in ["-INT", "-TERM", "-HUP"] {
        // A credere-backend checkout: its .gitignore has the one line `.env` for these files.
        let root = tempfile::tempdir().unwrap();
        let git = |args: &[&str]| {
            let output = std::process::Command::new("git")
                .arg("-C")
                .arg(root.path())
                .args(args)
                .output()
                .expect("git");
            assert!(output.status.success(), "git {args:?}: {output:?}");
            String::from_utf8(output.stdout).unwrap()
        };
        git(&["init", "-q"]);
        std::fs::write(root.path().join(".gitignore"), "# Environment\n.env\n").unwrap();
        let path = root.path().join(".env");
        let old = "DATABASE_URL=postgresql://db/credere\nCOGNITO_POOL_ID=old\n";
        std::fs::write(&path, old).unwrap();
        // Another run of the tool is editing the file: its directory's lock is held until the signal is sent.
        let other_run = std::fs::File::open(root.path()).unwrap();
        other_run.lock().unwrap();

        let proxy = proxy().await;
        let mut child = test_support::clean_command(support::XTASK)
            .args(["provision", "--env", "development", "--endpoint-url", &proxy.endpoint()])
            .arg("--write-env")
            .arg(&path)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // The pool and client are made, and the new file, secret included, waits beside the .env for the lock.
        test_support::wait_until("the new .env waits for the lock", || {
            proxy.operations().contains(&"CreateUserPoolClient".to_owned())
                && temporary_file(root.path())
                    .and_then(|file| std::fs::read_to_string(file).ok())
                    .is_some_and(|text| text.contains("COGNITO_CLIENT_SECRET="))
        })
        .await;
        assert_eq!(
            git(&["status", "--porcelain", "--untracked-files=all"]),
            "?? .gitignore\n",
            "credere-backend's `.env` ignore rule covers the temporary file"
        );

        let killed = std::process::Command::new("kill")
            .args([signal, &child.id().unwrap().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let status = child.wait().await.unwrap();
        let mut stderr = String::new();
        tokio::io::AsyncReadExt::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr)
            .await
            .unwrap();
        assert_eq!(status.code(), Some(130), "{signal}: {status:?}\n{stderr}");
        assert!(
            stderr.contains("Interrupted; no temporary file left behind."),
            "{stderr}"
        );
        assert_eq!(
            testkit::file_names(root.path()),
            [".env", ".git", ".gitignore"],
            "{signal}: no temporary file left behind"
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), old, "{signal}");
        drop(other_run);
    }
}

/// The lines `cargo xtask sandbox` prints for a local credere-backend's `.env`, pasted into one, start it: the
/// emulator's address is given as an environment variable to export, never as a `.env` key its settings refuse.
#[test]
fn the_sandbox_s_env_lines_start_credere_backend() {
    let output = test_support::clean_std_command(env!("CARGO_BIN_EXE_xtask"))
        .args(["sandbox", "--show-secret"])
        // Under `cargo xtask test` these name the shared services, which the sandbox refuses.
        .env_remove(testkit::DATABASE_ENV)
        .env_remove(testkit::COGNITO_ENV)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("running the sandbox");
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let (env_lines, environment) = stdout
        .split_once("\n# credere-backend's settings refuse")
        .unwrap_or_else(|| panic!("no environment part after the .env lines:\n{stdout}"));
    assert!(
        environment
            .lines()
            .any(|line| line.starts_with("export AWS_ENDPOINT_URL=http://127.0.0.1:")),
        "{stdout}"
    );
    let root = tempfile::tempdir().unwrap();
    let env = root.path().join(".env");
    std::fs::write(&env, env_lines).unwrap();
    let settings = credere_backend_settings(&env).unwrap_or_else(|error| panic!("{error}\n{env_lines}"));
    assert!(settings["cognito_pool_id"].starts_with("us-east-1_"), "{settings:?}");
    assert!(settings["database_url"].starts_with("postgresql://"), "{settings:?}");
    assert_eq!(settings["aws_region"], "us-east-1");
    assert!(!settings["cognito_client_secret"].is_empty(), "{settings:?}");
}
