//! Reading `cargo xtask <command> --help`: the long flags of its `Options:` section, and the `--flags` in a piece of
//! text. Shared by the tests that hold documentation (README.md, the generated pages) against the commands.

#![allow(dead_code)] // Each test binary uses its own part of this module.

use std::collections::BTreeSet;
use std::process::Command;

/// Flags every command has, which the documentation does not list.
const IMPLICIT: &[&str] = &["--help", "--version"];

/// `xtask <args> --help`, which must succeed.
pub fn help(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .arg("--help")
        .output()
        .unwrap_or_else(|error| panic!("running xtask {} --help: {error}", args.join(" ")));
    assert!(
        output.status.success(),
        "xtask {} --help failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("help is UTF-8")
}

/// The lines of a clap help section (`Options:`, `Commands:`): from its heading to the next unindented line.
pub fn help_section<'a>(help: &'a str, heading: &str) -> Vec<&'a str> {
    help.lines()
        .skip_while(|line| line.trim_end() != heading)
        .skip(1)
        .take_while(|line| line.is_empty() || line.starts_with(' '))
        .collect()
}

/// The `--long` flags in a piece of text: `--` followed by a lower-case letter, then letters, digits and dashes.
pub fn long_flags(text: &str) -> BTreeSet<String> {
    let mut flags = BTreeSet::new();
    let mut rest = text;
    while let Some(at) = rest.find("--") {
        let after = &rest[at + 2..];
        let len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .unwrap_or(after.len());
        let name = &after[..len];
        if name.starts_with(|c: char| c.is_ascii_lowercase()) && (at == 0 || !rest[..at].ends_with(['-', '_'])) {
            flags.insert(format!("--{name}"));
        }
        rest = &after[len..];
    }
    flags
}

/// The long flags of the `Options:` section of a command's help, without `--help` and `--version`.
///
/// Only the flag column counts, not the descriptions (which mention other flags): an option line is indented by
/// at most six spaces (`  -v, --verbose`, `      --env <ENV>`), and its flag ends at the first double space.
/// Long help puts descriptions on their own lines, indented further, so they are skipped too.
pub fn help_flags(help: &str) -> BTreeSet<String> {
    help_section(help, "Options:")
        .into_iter()
        .filter(|line| {
            let indent = line.len() - line.trim_start().len();
            indent <= 6 && line.trim_start().starts_with('-')
        })
        .flat_map(|line| {
            let spec = line.trim_start();
            long_flags(spec.split("  ").next().unwrap_or(spec))
        })
        .filter(|flag| !IMPLICIT.contains(&flag.as_str()))
        .collect()
}

/// The subcommand names in a help's `Commands:` section, without `help`.
pub fn help_commands(help: &str) -> Vec<String> {
    help_section(help, "Commands:")
        .into_iter()
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_owned)
        .collect()
}
