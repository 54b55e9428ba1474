//! Usage errors exit 1, for every command: clap's own 2 would read as "changes needed" to a CI job running
//! `provision --check`. `--help` and `--version` still exit 0.
//!
//! Needs no services: every run is refused (or answered) before anything is connected.

use std::process::Output;

use crate::help::subcommands;

fn xtask(args: &[&str]) -> Output {
    test_support::clean_std_command(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .output()
        .unwrap_or_else(|error| panic!("running xtask {}: {error}", args.join(" ")))
}

#[track_caller]
fn assert_exit(args: &[&str], code: i32, stderr_holds: &str) {
    let output = xtask(args);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(code),
        "`cargo xtask {}`\n--- stdout\n{}\n--- stderr\n{stderr}",
        args.join(" "),
        String::from_utf8_lossy(&output.stdout)
    );
    assert!(
        stderr.contains(stderr_holds),
        "`cargo xtask {}`: expected {stderr_holds:?} in stderr:\n{stderr}",
        args.join(" ")
    );
}

/// Every command as typed after `cargo xtask`, found from its definition (what `--help` lists) so that a new
/// command is covered too.
fn every_command() -> Vec<Vec<String>> {
    let mut commands = Vec::new();
    for name in subcommands(&[]) {
        let nested = subcommands(&[&name]);
        if nested.is_empty() {
            commands.push(vec![name]);
        } else {
            commands.push(vec![name.clone()]);
            commands.extend(nested.into_iter().map(|sub| vec![name.clone(), sub]));
        }
    }
    commands
}

#[test]
fn an_unknown_flag_exits_1_for_every_command() {
    let commands = every_command();
    assert!(commands.len() >= 9, "found only {commands:?}");
    for command in &commands {
        let command: Vec<&str> = command.iter().map(String::as_str).collect();
        // `test` hands everything after it to `cargo test` (`cargo xtask test --no-fail-fast`), so an unknown
        // flag there is cargo's to refuse, after the services started; it is not a usage error of this binary.
        if command == ["test"] {
            continue;
        }
        assert_exit(&[&command[..], &["--no-such-flag"]].concat(), 1, "unexpected argument");
        assert_exit(&[&command[..], &["--help"]].concat(), 0, "");
    }
}

#[test]
fn bad_values_conflicts_and_missing_arguments_exit_1() {
    assert_exit(&["provision", "--env", "staging"], 1, "invalid value 'staging'");
    assert_exit(&["provision"], 1, "--env <ENV>");
    assert_exit(
        &["provision", "--env", "development", "--check", "--write-env", "x"],
        1,
        "cannot be used with",
    );
    assert_exit(&["rotate-secret", "--env", "development"], 1, "--write-env <FILE>");
    assert_exit(&["admin", "--email", "a@example.org"], 1, "--name <NAME>");
    assert_exit(&["admin", "--output", "yaml"], 1, "invalid value 'yaml'");
    assert_exit(&["no-such-command"], 1, "unrecognized subcommand");
    assert_exit(&[], 1, "Usage:");
    assert_exit(&["db"], 1, "Usage:");
}

#[test]
fn help_and_version_exit_0() {
    for args in [
        &["--help"][..],
        &["-h"],
        &["--version"],
        &["-V"],
        &["help"],
        &["help", "admin"],
    ] {
        let output = xtask(args);
        assert_eq!(output.status.code(), Some(0), "`cargo xtask {}`", args.join(" "));
        assert!(
            !output.stdout.is_empty(),
            "`cargo xtask {}` printed nothing",
            args.join(" ")
        );
    }
}
