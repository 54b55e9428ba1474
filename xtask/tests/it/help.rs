//! The commands as `cargo xtask --help` shows them, read in process from the clap definition (`xtask::Cli` through
//! `clap::CommandFactory`): each command's long flags and subcommands, its help text, and the `--flags` in a piece of
//! text. Shared by the tests that hold documentation (README.md, the generated pages) against the commands.

use std::collections::BTreeSet;

use clap::CommandFactory;

/// Flags every command has, which the documentation does not list.
const IMPLICIT: &[&str] = &["--help", "--version"];

/// `cargo xtask <args>`, built as the binary builds it (with its `--help`, `--version` and `help` subcommand).
pub fn command(args: &[&str]) -> clap::Command {
    let mut command = xtask::Cli::command();
    command.build();
    for name in args {
        command = command
            .find_subcommand(name)
            .unwrap_or_else(|| panic!("`cargo xtask {}` has no subcommand {name:?}", args.join(" ")))
            .clone();
    }
    command
}

/// `cargo xtask <args> --help`, rendered in process.
pub fn help(args: &[&str]) -> String {
    command(args).render_long_help().to_string()
}

/// The long flags `cargo xtask <args> --help` lists, from the definition: every visible argument's `--long`, without
/// `--help` and `--version`.
pub fn flags(args: &[&str]) -> BTreeSet<String> {
    command(args)
        .get_arguments()
        .filter(|arg| !arg.is_hide_set())
        .filter_map(|arg| arg.get_long())
        .map(|long| format!("--{long}"))
        .filter(|flag| !IMPLICIT.contains(&flag.as_str()))
        .collect()
}

/// The subcommands `cargo xtask <args> --help` lists, from the definition, without `help`.
pub fn subcommands(args: &[&str]) -> Vec<String> {
    command(args)
        .get_subcommands()
        .filter(|sub| !sub.is_hide_set() && sub.get_name() != "help")
        .map(|sub| sub.get_name().to_owned())
        .collect()
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
