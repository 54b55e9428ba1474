//! README.md cannot drift from the commands: each command's flag table must list exactly the long flags its
//! `--help` shows, every command has a section, and the quick start is the two commands CI and newcomers rely on.
//!
//! Needs no services: it reads the commands' definition in process (`crate::help`) and README.md.

use std::collections::BTreeSet;

use crate::help::{command, flags, help, help_commands, help_flags, long_flags, subcommands};

const README: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md");

/// The commands documented in README.md's "Commands" section, as typed after `cargo xtask`.
const COMMANDS: &[&[&str]] = &[
    &["provision"],
    &["rotate-secret"],
    &["admin"],
    &["admin", "disable"],
    &["admin", "enable"],
    &["admin", "reset-mfa"],
    &["audit"],
    &["users", "export"],
    &["users", "import"],
    &["spec"],
    &["docs"],
    &["db", "setup"],
    &["test"],
    &["bench"],
    &["sandbox"],
    &["iam-policy"],
];

fn readme() -> String {
    std::fs::read_to_string(README).unwrap_or_else(|error| panic!("reading {README}: {error}"))
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
        let from_help = flags(args);
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
    for name in subcommands(&[]) {
        let sub = subcommands(&[&name]);
        // A command with subcommands is documented itself too when it takes flags of its own (`admin`).
        if sub.is_empty() || !flags(&[&name]).is_empty() {
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

/// What the tests read from the definition is what `--help` shows: for every command, the flags and subcommands its
/// rendered help lists are exactly the ones `flags` and `subcommands` give.
#[test]
fn the_definition_read_is_what_help_shows() {
    let mut every = vec![Vec::<String>::new()];
    for name in subcommands(&[]) {
        every.extend(subcommands(&[&name]).into_iter().map(|sub| vec![name.clone(), sub]));
        every.push(vec![name]);
    }
    assert!(every.len() >= 13, "found only {every:?}");
    for args in &every {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let text = help(&args);
        assert!(
            text.contains(&format!("Usage: {}", command(&args).get_bin_name().unwrap_or_default())),
            "`cargo xtask {}`:\n{text}",
            args.join(" ")
        );
        assert_eq!(
            flags(&args),
            help_flags(&text),
            "`cargo xtask {} --help`:\n{text}",
            args.join(" ")
        );
        assert_eq!(
            subcommands(&args),
            help_commands(&text),
            "`cargo xtask {} --help`:\n{text}",
            args.join(" ")
        );
    }
}
