//! `cargo xtask sandbox` stopped by Ctrl-C (SIGINT to its process group, as a terminal sends it) or by SIGTERM
//! (to its process alone, as `kill` sends it) while its services are up: it exits 130, and the PostgreSQL and
//! moto processes it started are gone, with their directories.
//!
//! The synchronisation point is the sandbox's own output: it names both services once they answer, then each
//! step as it starts it.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// A service process the sandbox started, found by the port it announced.
#[derive(Debug)]
struct Service {
    pid: u32,
    dir: PathBuf,
}

/// The processes whose command line holds `flag PORT`, with the directory named by the argument after `dir_flag`
/// (postgres: `-D DIR/data`) or the script it runs (moto: `DIR/moto_launcher.py`).
fn service_on(port: &str, flag: &str) -> Service {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").expect("reading /proc") {
        let path = entry.unwrap().path();
        let Some(pid) = path.file_name().and_then(|name| name.to_str()?.parse::<u32>().ok()) else {
            continue;
        };
        let Ok(cmdline) = std::fs::read(path.join("cmdline")) else {
            continue;
        };
        let args: Vec<String> = cmdline
            .split(|&byte| byte == 0)
            .map(|arg| String::from_utf8_lossy(arg).into_owned())
            .collect();
        if !args.windows(2).any(|pair| pair[0] == flag && pair[1] == port) {
            continue;
        }
        let dir = if let Some(at) = args.iter().position(|arg| arg == "-D") {
            PathBuf::from(&args[at + 1]).parent().unwrap().to_owned()
        } else {
            let script = args
                .iter()
                .find(|arg| arg.ends_with("moto_launcher.py"))
                .expect("moto's launcher");
            PathBuf::from(script).parent().unwrap().to_owned()
        };
        found.push(Service { pid, dir });
    }
    assert_eq!(found.len(), 1, "one process serves port {port}: {found:?}");
    found.pop().unwrap()
}

fn is_alive(pid: u32) -> bool {
    // A zombie has exited; only its parent has yet to reap it.
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        stat.rsplit(')')
            .next()
            .is_some_and(|rest| !rest.trim_start().starts_with('Z'))
    })
}

/// Starts the sandbox in a process group of its own, with its stderr read line by line on another thread.
fn start_sandbox() -> (Child, mpsc::Receiver<String>) {
    let mut command = test_support::clean_std_command(env!("CARGO_BIN_EXE_xtask"));
    command
        .arg("sandbox")
        // Under `cargo xtask test` these name the shared services, which the sandbox refuses.
        .env_remove(testkit::DATABASE_ENV)
        .env_remove(testkit::COGNITO_ENV)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let mut child = command.spawn().expect("starting the sandbox");
    let stderr = BufReader::new(child.stderr.take().unwrap());
    let (lines, received) = mpsc::channel();
    std::thread::spawn(move || {
        for line in stderr.lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    (child, received)
}

/// Reads lines until one contains `wanted`; returns the lines read.
fn read_until(lines: &mpsc::Receiver<String>, wanted: &str) -> Vec<String> {
    let mut seen = Vec::new();
    loop {
        match lines.recv_timeout(Duration::from_secs(180)) {
            Ok(line) => {
                let done = line.contains(wanted);
                seen.push(line);
                if done {
                    return seen;
                }
            }
            Err(error) => panic!(
                "no line with {wanted:?} ({error}); the sandbox said:\n{}",
                seen.join("\n")
            ),
        }
    }
}

/// The two services of the sandbox, from its "PostgreSQL URL · emulator URL" line.
fn services(lines: &[String]) -> [Service; 2] {
    let line = lines.last().unwrap();
    let port_after = |marker: &str| {
        let rest = &line[line.find(marker).unwrap_or_else(|| panic!("{marker} in {line}")) + marker.len()..];
        rest.chars().take_while(char::is_ascii_digit).collect::<String>()
    };
    [
        service_on(&port_after("@127.0.0.1:"), "-p"),
        service_on(&port_after("http://127.0.0.1:"), "--port"),
    ]
}

fn signal(signal: &str, target: &str) {
    let status = Command::new("kill")
        .args([signal, "--", target])
        .status()
        .expect("running kill");
    assert!(status.success(), "kill {signal} {target}");
}

/// Signals the sandbox once `step` has started, then checks that it stopped everything it started.
fn stop_at(step: &str, send: impl FnOnce(u32)) {
    let (mut sandbox, lines) = start_sandbox();
    let services = services(&read_until(&lines, " · emulator "));
    for service in &services {
        assert!(is_alive(service.pid) && service.dir.is_dir(), "{service:?} is up");
    }
    let mut said = read_until(&lines, step);
    send(sandbox.id());
    let status = sandbox.wait().unwrap();
    said.extend(lines.iter());
    let said = said.join("\n");
    assert_eq!(status.code(), Some(130), "{said}");
    assert!(
        said.contains("Interrupted; services stopped and their files deleted."),
        "{said}"
    );
    for service in &services {
        assert!(!is_alive(service.pid), "{service:?} still runs:\n{said}");
        assert!(!service.dir.exists(), "{service:?} left its directory:\n{said}");
    }
}

#[test]
fn ctrl_c_stops_the_services_and_deletes_their_files() {
    // A terminal's Ctrl-C goes to the whole foreground process group: the sandbox and the step it runs.
    stop_at("==> Creating the `credere` database", |pid| {
        signal("-INT", &format!("-{pid}"))
    });
}

#[test]
fn sigterm_stops_the_services_and_deletes_their_files() {
    // `kill PID` reaches the sandbox alone, in the middle of a step whose process it must end itself.
    stop_at("==> Provisioning the development pool", |pid| {
        signal("-TERM", &pid.to_string())
    });
}
