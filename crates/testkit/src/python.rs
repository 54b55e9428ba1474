//! The virtualenv under `target/` holding the pinned Python tools: moto (the Cognito emulator) and Sphinx.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::Error;
use crate::process::run_checked;

const REQUIREMENTS: &str = include_str!("../requirements.txt");

/// The `bin` directory of the harness's virtualenv, built on first use (and rebuilt when
/// `requirements.txt` changes). Holds `python`, `moto_server` and `sphinx-build`. Safe to call from
/// parallel tests and processes: building is serialised by a file lock.
pub fn venv_bin() -> Result<PathBuf, Error> {
    let target = target_dir();
    std::fs::create_dir_all(&target).map_err(Error::io(&target))?;
    let venv = target.join("testkit-venv");
    let bin = venv.join("bin");
    let stamp = venv.join("requirements.installed");
    let lock_path = target.join("testkit-venv.lock");
    let lock = File::create(&lock_path).map_err(Error::io(&lock_path))?;
    lock.lock().map_err(Error::io(&lock_path))?;
    if std::fs::read_to_string(&stamp).is_ok_and(|installed| installed == REQUIREMENTS) {
        return Ok(bin);
    }
    let python = find_python()?;
    if !bin.join("python").exists() {
        run_checked(Command::new(&python).args(["-m", "venv"]).arg(&venv), "python3 -m venv")?;
    }
    let requirements = venv.join("requirements.txt");
    std::fs::write(&requirements, REQUIREMENTS).map_err(Error::io(&requirements))?;
    run_checked(
        Command::new(bin.join("python"))
            .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r"])
            .arg(&requirements),
        "pip install -r requirements.txt",
    )?;
    std::fs::write(&stamp, REQUIREMENTS).map_err(Error::io(&stamp))?;
    Ok(bin)
}

/// The workspace's target directory, where the venv lives beside the build.
pub(crate) fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"),
    }
}

fn find_python() -> Result<PathBuf, Error> {
    find_python_among(&["python3", "python"])
}

/// The first of `candidates` that runs and has a working `venv`.
fn find_python_among(candidates: &[&str]) -> Result<PathBuf, Error> {
    let python = candidates
        .iter()
        .find(|name| {
            Command::new(name)
                .arg("--version")
                .output()
                .is_ok_and(|output| output.status.success())
        })
        .ok_or_else(|| Error::PythonMissing {
            what: "python3 is not on PATH".into(),
        })?;
    let has_venv = Command::new(python)
        .args(["-c", "import venv, ensurepip"])
        .output()
        .is_ok_and(|output| output.status.success());
    if !has_venv {
        return Err(Error::PythonMissing {
            what: format!("{python} has no working venv module (ensurepip)"),
        });
    }
    Ok(PathBuf::from(python))
}

#[cfg(test)]
mod tests {
    #[test]
    fn missing_python_names_the_packages_to_install() {
        let message = super::find_python_among(&["no-such-python-3"]).unwrap_err().to_string();
        assert!(message.contains("python3 is not on PATH"), "{message}");
        assert!(
            message.contains("sudo apt-get install python3 python3-venv"),
            "{message}"
        );
        assert!(message.contains("brew install python"), "{message}");
        assert!(message.contains("COGNITO_TEST_ENDPOINT"), "{message}");
    }
}
