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
    tokio::process::Command::from(clean_std_command(program))
}

/// [`clean_command`] for a test that runs the program without an async runtime.
pub fn clean_std_command(program: &str) -> std::process::Command {
    let mut command = std::process::Command::new(program);
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
    let mut terminal = Terminal::start(program, args, None);
    terminal.type_text(input).await;
    terminal.finish().await
}

/// An interactive session of `program ARGS` on a pseudo-terminal (util-linux `script`): a test waits until a text
/// (a prompt) is printed, acts while the program waits there, then types its answer.
#[derive(Debug)]
pub struct Terminal {
    child: tokio::process::Child,
    stdin: Option<tokio::process::ChildStdin>,
    /// What the terminal has shown so far, and whether it has closed.
    printed: tokio::sync::watch::Receiver<(String, bool)>,
    reader: tokio::task::JoinHandle<()>,
    /// Where in `printed` the next [`Terminal::wait_for`] starts looking.
    seen: usize,
}

impl Terminal {
    /// Starts `program ARGS` on a terminal; with `stdout_to`, its stdout goes to that file instead (stdin and stderr
    /// stay the terminal), as `> FILE` in a shell.
    pub fn start(program: &str, args: &[&str], stdout_to: Option<&std::path::Path>) -> Self {
        use tokio::io::AsyncReadExt;
        // Single-quoted for the shell `script` runs the command with; no argument here holds a quote.
        let mut command: Vec<String> = std::iter::once(program)
            .chain(args.iter().copied())
            .map(|arg| format!("'{arg}'"))
            .collect();
        if let Some(file) = stdout_to {
            command.push(format!("> '{}'", file.display()));
        }
        let mut child = tokio::process::Command::new("script")
            .args(["--quiet", "--return", "--command", &command.join(" "), "/dev/null"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .expect(
                "util-linux `script` gives the command a terminal: apt-get install bsdutils (Debian) to run this test",
            );
        let stdin = child.stdin.take();
        let mut stdout = child.stdout.take().expect("stdout was piped");
        let (sender, printed) = tokio::sync::watch::channel((String::new(), false));
        let reader = tokio::spawn(async move {
            let mut buffer = [0; 4096];
            let mut bytes = Vec::new();
            while let Ok(read @ 1..) = stdout.read(&mut buffer).await {
                bytes.extend_from_slice(&buffer[..read]);
                let text = String::from_utf8_lossy(&bytes).into_owned();
                sender.send_modify(|(printed, _)| *printed = text);
            }
            sender.send_modify(|(_, closed)| *closed = true);
        });
        Self {
            child,
            stdin,
            printed,
            reader,
            seen: 0,
        }
    }

    /// Waits until the terminal shows `text` after what earlier waits found; panics, showing what was printed, when
    /// the program ends first or after a minute.
    pub async fn wait_for(&mut self, text: &str) {
        let seen = self.seen;
        let found = tokio::time::timeout(
            std::time::Duration::from_secs(60),
            self.printed
                .wait_for(|(printed, closed)| *closed || printed.get(seen..).is_some_and(|rest| rest.contains(text))),
        )
        .await
        .is_ok_and(|answer| answer.is_ok());
        let (printed, _) = &*self.printed.borrow();
        let at = found
            .then(|| printed.get(seen..).and_then(|rest| rest.find(text)))
            .flatten();
        let Some(at) = at else {
            panic!("the terminal never showed {text:?}; it showed:\n{printed}");
        };
        self.seen = seen + at + text.len();
    }

    /// Types `text` (a line ends with `\n`).
    pub async fn type_text(&mut self, text: &str) {
        use tokio::io::AsyncWriteExt;
        let stdin = self.stdin.as_mut().expect("the terminal is open until finish");
        stdin
            .write_all(text.as_bytes())
            .await
            .expect("typing into the terminal");
        stdin.flush().await.expect("typing into the terminal");
    }

    /// Closes the keyboard, waits for the program to end, and returns its exit code and everything it printed.
    pub async fn finish(mut self) -> (i32, String) {
        drop(self.stdin.take());
        let status = self.child.wait().await.expect("waiting for `script`");
        self.reader.await.expect("reading the terminal");
        let printed = self.printed.borrow().0.clone();
        (status.code().unwrap_or(-1), printed)
    }
}
