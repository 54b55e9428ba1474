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

/// Runs `script` with the virtualenv's Python, giving it `input` on stdin, and returns its stdout.
/// Panics with Python's stderr when the script fails: it is a test's own helper, never optional.
pub fn run_python(script: &str, args: &[&str], input: &str) -> String {
    use std::io::Write;
    let bin = venv_bin().unwrap_or_else(|error| panic!("{error}"));
    let mut child = Command::new(bin.join("python"))
        .arg("-c")
        .arg(script)
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| panic!("starting the virtualenv's python: {error}"));
    child
        .stdin
        .take()
        .map(|mut stdin| stdin.write_all(input.as_bytes()))
        .transpose()
        .unwrap_or_else(|error| panic!("writing to python's stdin: {error}"));
    let output = child
        .wait_with_output()
        .unwrap_or_else(|error| panic!("running python: {error}"));
    assert!(
        output.status.success(),
        "python failed ({}):\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap_or_else(|error| panic!("python printed non-UTF-8: {error}"))
}

/// AWS's own service model of `service` (e.g. `cognito-idp`), as the botocore that moto installs
/// ships it: every operation, request member and constraint.
pub fn botocore_service_model(service: &str) -> String {
    run_python(
        "import botocore.loaders, json, sys; \
         print(json.dumps(botocore.loaders.Loader().load_service_model(sys.argv[1], 'service-2')))",
        &[service],
        "",
    )
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
        assert!(message.contains("dnf install python3"), "{message}");
        assert!(message.contains("COGNITO_TEST_ENDPOINT"), "{message}");
    }
}
