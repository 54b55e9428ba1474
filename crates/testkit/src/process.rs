//! A child process that serves on a loopback port, and the helpers both services share.

use std::io::Read;
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use crate::Error;

/// A free loopback port, as the OS sees it now. Another process may take it before we bind it,
/// so callers retry on "address in use".
pub(crate) fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?.local_addr()?.port())
}

/// A running service process. Stopping it (or dropping it) signals it, waits, and kills it if it lingers.
#[derive(Debug)]
pub(crate) struct ServiceProcess {
    name: &'static str,
    child: Child,
    stop_signal: Signal,
    log: PathBuf,
}

impl ServiceProcess {
    /// Spawns `command` with its output in `log`, in its own process group so that a Ctrl-C at the
    /// terminal reaches the harness, which then stops the service in order, rather than the service.
    pub(crate) fn spawn(
        name: &'static str,
        mut command: Command,
        log: &Path,
        stop_signal: Signal,
    ) -> Result<Self, Error> {
        let log_file = std::fs::File::create(log).map_err(Error::io(log))?;
        let log_err = log_file.try_clone().map_err(Error::io(log))?;
        let child = command
            .stdin(Stdio::null())
            .stdout(log_file)
            .stderr(log_err)
            .process_group(0)
            .spawn()
            .map_err(|error| Error::Command {
                command: format!("{command:?}"),
                detail: error.to_string(),
            })?;
        Ok(Self {
            name,
            child,
            stop_signal,
            log: log.to_owned(),
        })
    }

    /// Waits until the port accepts connections and `probe` says the service answers.
    pub(crate) fn wait_ready(&mut self, port: u16, timeout: Duration, probe: impl Fn() -> bool) -> Result<(), Error> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(self.not_ready(format!("exited with {status}")));
            }
            if TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_ok() && probe() {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(self.not_ready(format!("not ready on port {port} after {timeout:?}")));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The service's log so far.
    pub(crate) fn log(&self) -> String {
        let mut text = String::new();
        if let Ok(mut file) = std::fs::File::open(&self.log) {
            let _ = file.read_to_string(&mut text);
        }
        text
    }

    fn not_ready(&self, reason: String) -> Error {
        Error::NotReady {
            service: self.name,
            reason,
            log: Some(self.log()),
        }
    }

    /// Stops the process: its stop signal, up to 10 s of grace, then SIGKILL.
    pub(crate) fn stop(&mut self) {
        if let Ok(Some(_)) = self.child.try_wait() {
            return;
        }
        let pid = Pid::from_raw(self.child.id() as i32);
        let _ = kill(pid, self.stop_signal);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Lets the process outlive this value (and this program); returns its PID.
    pub(crate) fn detach(self) -> u32 {
        let pid = self.child.id();
        std::mem::forget(self);
        pid
    }
}

impl Drop for ServiceProcess {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Runs `command` to completion; a failure carries `what`, the exit status and the output.
pub(crate) fn run_checked(command: &mut Command, what: &str) -> Result<(), Error> {
    let output = command.output().map_err(|error| Error::Command {
        command: what.into(),
        detail: error.to_string(),
    })?;
    if output.status.success() {
        return Ok(());
    }
    Err(Error::Command {
        command: what.into(),
        detail: format!(
            "{}\n{}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ),
    })
}

/// Whether a failed start looks like another process took the port first.
pub(crate) fn port_was_taken(error: &Error) -> bool {
    matches!(error, Error::NotReady { log: Some(log), .. } if log.contains("Address already in use")
        || log.contains("could not bind") || log.contains("address already in use"))
}
