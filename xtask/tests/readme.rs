//! README.md cannot drift from the commands: each command's flag table must list exactly the long flags its
//! `--help` shows, every command has a section, and the quick start is the two commands CI and newcomers rely on.
//!
//! Needs no services: it only runs `xtask <command> --help` and reads README.md.

use std::collections::BTreeSet;
use std::process::Command;

const README: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md");

/// The commands documented in README.md's "Commands" section, as typed after `cargo xtask`.
const COMMANDS: &[&[&str]] = &[
    &["provision"],
    &["admin"],
    &["admin", "disable"],
    &["admin", "enable"],
    &["admin", "reset-mfa"],
    &["audit"],
    &["spec"],
    &["docs"],
    &["db", "setup"],
    &["test"],
    &["bench"],
    &["sandbox"],
    &["iam-policy"],
];

/// Flags every command has, which the README's tables leave out.
const IMPLICIT: &[&str] = &["--help", "--version"];

fn readme() -> String {
    std::fs::read_to_string(README).unwrap_or_else(|error| panic!("reading {README}: {error}"))
}

/// `xtask <args> --help`, which must succeed.
fn help(args: &[&str]) -> String {
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
fn help_section<'a>(help: &'a str, heading: &str) -> Vec<&'a str> {
    help.lines()
        .skip_while(|line| line.trim_end() != heading)
        .skip(1)
        .take_while(|line| line.is_empty() || line.starts_with(' '))
        .collect()
}

/// The `--long` flags in a piece of text: `--` followed by a lower-case letter, then letters, digits and dashes.
fn long_flags(text: &str) -> BTreeSet<String> {
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
fn help_flags(help: &str) -> BTreeSet<String> {
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

/// The lines of the README section headed exactly `heading`, up to the next heading of the same or a higher level.
fn readme_section<'a>(readme: &'a str, heading: &str) -> Option<Vec<&'a str>> {
    let level = heading.chars().take_while(|&c| c == '#').count();
    let mut lines = readme.lines();
    lines.find(|line| line.trim_end() == heading)?;
    Some(
        lines
            .take_while(|line| {
                let hashes = line.chars().take_while(|&c| c == '#').count();
                !(hashes > 0 && hashes <= level && line[hashes..].starts_with(' '))
            })
            .collect(),
    )
}

/// The first cell of each body row of the tables in a README section (a header row is the one a `| --- |` row follows).
fn first_cells<'a>(section: &[&'a str]) -> Vec<&'a str> {
    let cells: Vec<&str> = section
        .iter()
        .map(|line| line.trim())
        .filter(|line| line.starts_with('|'))
        .map(|row| row[1..].split('|').next().unwrap_or("").trim())
        .collect();
    let is_separator = |cell: &str| !cell.is_empty() && cell.chars().all(|c| matches!(c, '-' | ':' | ' '));
    (0..cells.len())
        .filter(|&i| !is_separator(cells[i]) && !cells.get(i + 1).is_some_and(|next| is_separator(next)))
        .map(|i| cells[i])
        .collect()
}

/// The long flags in the first column of a command's table: each cell must be one code span, as in `--env ENV`.
fn readme_flags(readme: &str, command: &str) -> BTreeSet<String> {
    let heading = format!("### cargo xtask {command}");
    let section = readme_section(readme, &heading)
        .unwrap_or_else(|| panic!("README.md has no `{heading}` section for `cargo xtask {command}`"));
    let cells = first_cells(&section);
    assert!(!cells.is_empty(), "README.md's `{heading}` section has no table");
    let mut flags = BTreeSet::new();
    for cell in cells {
        assert!(
            cell.len() > 2 && cell.starts_with('`') && cell.ends_with('`') && !cell[1..cell.len() - 1].contains('`'),
            "README.md, `{heading}`: the first column must be the flag as `--help` shows it, in backticks; found {cell:?}"
        );
        flags.extend(long_flags(cell));
    }
    flags
}

#[test]
fn readme_flag_tables_match_help() {
    let readme = readme();
    let mut problems = Vec::new();
    for args in COMMANDS {
        let command = args.join(" ");
        let from_help = help_flags(&help(args));
        let from_readme = readme_flags(&readme, &command);
        let missing: Vec<&String> = from_help.difference(&from_readme).collect();
        let extra: Vec<&String> = from_readme.difference(&from_help).collect();
        if !missing.is_empty() {
            problems.push(format!(
                "`cargo xtask {command}`: README.md's table lacks {missing:?}, which `cargo xtask {command} --help` lists"
            ));
        }
        if !extra.is_empty() {
            problems.push(format!(
                "`cargo xtask {command}`: README.md's table lists {extra:?}, which `cargo xtask {command} --help` does not"
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "README.md has drifted from the commands:\n  {}",
        problems.join("\n  ")
    );
}

#[test]
fn readme_documents_every_command() {
    let mut commands = BTreeSet::new();
    for name in help_commands(&help(&[])) {
        let own_help = help(&[&name]);
        let sub = help_commands(&own_help);
        // A command with subcommands is documented itself too when it takes flags of its own (`admin`).
        if sub.is_empty() || !help_flags(&own_help).is_empty() {
            commands.insert(name.clone());
        }
        commands.extend(sub.into_iter().map(|sub| format!("{name} {sub}")));
    }
    let listed: BTreeSet<String> = COMMANDS.iter().map(|args| args.join(" ")).collect();
    assert_eq!(
        commands, listed,
        "the commands `cargo xtask --help` shows differ from the ones this test checks in README.md; \
         add a `### cargo xtask <command>` section with its flag table and update COMMANDS"
    );
}

/// The subcommand names in a help's `Commands:` section, without `help`.
fn help_commands(help: &str) -> Vec<String> {
    help_section(help, "Commands:")
        .into_iter()
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_owned)
        .collect()
}

#[test]
fn readme_quick_start_is_sandbox_then_test() {
    let readme = readme();
    let section = readme_section(&readme, "## Quick start").expect("README.md has a `## Quick start` section");
    let mut in_code = false;
    let mut commands = Vec::new();
    for line in section {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
        } else if in_code && !line.trim().is_empty() {
            commands.push(line.trim());
        }
    }
    assert_eq!(
        commands,
        ["cargo xtask sandbox", "cargo xtask test"],
        "README.md's quick start must be exactly these two commands (CI runs `cargo xtask test` as written)"
    );
    assert!(
        readme.lines().any(|line| line.trim() == "cargo xtask test"),
        "README.md must contain the line `cargo xtask test`"
    );
}

#[test]
fn readme_flag_extraction_reads_only_the_flag_column() {
    let short =
        "Usage: x\n\nOptions:\n      --env <ENV>  Env; see --check\n  -v, --verbose  Loud\n  -h, --help  Help\n";
    assert_eq!(
        help_flags(short),
        BTreeSet::from(["--env".to_owned(), "--verbose".to_owned()])
    );
    let long = "Options:\n      --output <OUTPUT>\n          How\n\n          - text: --not-a-flag\n\n  -V, --version\n          Print\n";
    assert_eq!(help_flags(long), BTreeSet::from(["--output".to_owned()]));
    let arguments = "Arguments:\n  [ARGS]...  e.g. `--no-fail-fast`\n\nOptions:\n  -h, --help  Print help\n";
    assert!(help_flags(arguments).is_empty());
}
