//! moto server, the Cognito emulator, started from the harness's virtualenv through a small launcher.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpStream};
use std::process::Command;
use std::time::Duration;

use nix::sys::signal::Signal;

use crate::Error;
use crate::process::{ServiceProcess, free_port, port_was_taken};
use crate::python::venv_bin;

const LAUNCHER: &str = include_str!("../python/moto_launcher.py");
/// The fidelity layer the launcher imports (see FIDELITY.md): written beside it, so Python finds it there.
const FIDELITY: &str = include_str!("../python/fidelity.py");

/// A moto server on a loopback port. Dropping it stops the server and removes its log directory.
#[derive(Debug)]
pub struct MotoServer {
    server: ServiceProcess,
    port: u16,
    _dir: tempfile::TempDir,
}

impl MotoServer {
    /// Installs the pinned moto if needed (see [`crate::venv_bin`]) and starts it on a free port.
    pub fn start() -> Result<Self, Error> {
        let bin = venv_bin()?;
        let dir = tempfile::Builder::new()
            .prefix("credere-testkit-moto-")
            .tempdir()
            .map_err(Error::io(std::env::temp_dir()))?;
        let launcher = dir.path().join("moto_launcher.py");
        std::fs::write(&launcher, LAUNCHER).map_err(Error::io(&launcher))?;
        let fidelity = dir.path().join("fidelity.py");
        std::fs::write(&fidelity, FIDELITY).map_err(Error::io(&fidelity))?;
        let mut attempts = 0;
        loop {
            attempts += 1;
            let port = free_port().map_err(Error::io(dir.path()))?;
            let mut command = Command::new(bin.join("python"));
            command
                .arg(&launcher)
                .args(["--host", "127.0.0.1", "--port", &port.to_string()]);
            let log = dir.path().join("moto.log");
            let mut server = ServiceProcess::spawn("moto server", command, &log, Signal::SIGTERM)?;
            match server.wait_ready(port, Duration::from_secs(60), || answers_http(port)) {
                Ok(()) => {
                    return Ok(Self {
                        server,
                        port,
                        _dir: dir,
                    });
                }
                Err(error) if attempts < 5 && port_was_taken(&error) => continue,
                Err(error) => return Err(error),
            }
        }
    }

    /// The emulator's endpoint URL, e.g. `http://127.0.0.1:50123`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Leaves the server running after this program exits; returns its PID and its log directory.
    pub fn keep_running(self) -> (u32, std::path::PathBuf) {
        let MotoServer { server, _dir: dir, .. } = self;
        (server.detach(), dir.keep())
    }
}

/// Whether an HTTP request to the port gets an HTTP response.
fn answers_http(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect((Ipv4Addr::LOCALHOST, port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    if stream
        .write_all(b"GET /moto-api/ HTTP/1.0\r\nHost: localhost\r\n\r\n")
        .is_err()
    {
        return false;
    }
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).is_ok() && head.starts_with(b"HTTP/")
}
