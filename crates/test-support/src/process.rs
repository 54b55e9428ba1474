//! Running a built binary (in this workspace, `cargo xtask`, whose path only its own tests know:
//! `env!("CARGO_BIN_EXE_xtask")`) with one clean environment, with stdin closed or on a pseudo-terminal.

use std::process::Stdio;

/// The variables no run inherits: they would point the binary at a real profile, endpoint, region, database or pool
/// instead of what the test passes.
const NOT_INHERITED: &[&str] = &[
    "AWS_PROFILE",
    "AWS_ENDPOINT_URL",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "DATABASE_URL",
    "COGNITO_POOL_ID",
];

/// The outcome of one run of the binary.
#[derive(Debug)]
pub struct Run {
    /// The exit code (-1 when a signal ended it).
    pub code: i32,
    /// What it printed on stdout.
    pub stdout: String,
    /// What it printed on stderr.
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

/// `program` with stdin closed and none of the variables that would point it elsewhere than the test says.
pub fn clean_command(program: &str) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(program);
    command.stdin(Stdio::null());
    for key in NOT_INHERITED {
        command.env_remove(key);
    }
    command
}

/// Runs `program ARGS` in the [`clean_command`] environment plus `env`.
pub async fn run(program: &str, args: &[&str], env: &[(&str, &str)]) -> Run {
    let output = clean_command(program)
        .args(args)
        .envs(env.iter().copied())
        .output()
        .await
        .unwrap_or_else(|error| panic!("running {program}: {error}"));
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Runs `program ARGS` as [`run`] does, with stdout a pipe whose reader has gone before the program writes (as
/// `| head -0` leaves it): every write to stdout fails with EPIPE. The returned `stdout` is empty.
pub async fn run_with_stdout_closed(program: &str, args: &[&str], env: &[(&str, &str)]) -> Run {
    let (reader, writer) = std::io::pipe().expect("making a pipe");
    drop(reader);
    let output = clean_command(program)
        .args(args)
        .envs(env.iter().copied())
        .stdout(writer)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| panic!("running {program}: {error}"))
        // Not `output()`, which would replace stdout with a pipe of its own.
        .wait_with_output()
        .await
        .unwrap_or_else(|error| panic!("waiting for {program}: {error}"));
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::new(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Runs `program ARGS` on a pseudo-terminal (util-linux `script`), typing `input` into it; returns the exit code and
/// what it printed (stdout and stderr both reach the terminal).
pub async fn on_terminal(program: &str, args: &[&str], input: &str) -> (i32, String) {
    use tokio::io::AsyncWriteExt;
    // Single-quoted for the shell `script` runs the command with; no argument here holds a quote.
    let command: Vec<String> = std::iter::once(program)
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
