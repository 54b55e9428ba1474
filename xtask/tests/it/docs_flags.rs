//! The generated pages cannot name a flag a command does not have: every `--flag` that `docs/cognito.rst` and
//! `docs/iam.rst` (and the examples they include) mention is held against the `--help` of the command it is
//! written for, as `readme.rs` does for README.md's tables.
//!
//! Needs no services: it reads the commands' definition in process (`crate::help`) and the committed pages, which `docs_fresh.rs`
//! proves are what the renderer writes.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::help::{flags as command_flags, long_flags, subcommands};

const DOCS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs");

/// The generated pages, relative to `docs/`.
const PAGES: &[&str] = &["cognito.rst", "iam.rst"];

/// Programs other than `cargo xtask` whose command lines a page may show; their flags are theirs.
const OTHER_PROGRAMS: &[&str] = &["aws"];

/// Where a run of text mentions flags: an inline literal (``…``), or a line of code (a code block's or an included
/// example's) that holds a `cargo xtask` command.
fn mentions(line: &str) -> Vec<&str> {
    let spans: Vec<&str> = line.split("``").skip(1).step_by(2).collect();
    if !spans.is_empty() {
        return spans;
    }
    line.find("cargo xtask").map(|at| vec![&line[at..]]).unwrap_or_default()
}

/// The command a mention runs, as typed after `cargo xtask` (the longest run of words that names a command), or
/// `None` when it runs no command.
fn command_of(mention: &str, commands: &BTreeSet<Vec<String>>) -> Option<Vec<String>> {
    let rest = mention.trim().strip_prefix("cargo xtask")?;
    let words: Vec<String> = rest
        .split(|c: char| c.is_whitespace() || c == '`')
        .filter(|word| !word.is_empty())
        .take_while(|word| !word.starts_with('-'))
        .map(str::to_owned)
        .collect();
    (1..=words.len())
        .rev()
        .map(|len| words[..len].to_vec())
        .find(|candidate| commands.contains(candidate))
}

/// Every command `cargo xtask --help` lists, with its subcommands.
fn all_commands() -> BTreeSet<Vec<String>> {
    let mut commands = BTreeSet::new();
    for name in subcommands(&[]) {
        for sub in subcommands(&[&name]) {
            commands.insert(vec![name.clone(), sub]);
        }
        commands.insert(vec![name]);
    }
    commands
}

/// What a page says, flag by flag.
#[derive(Debug, Default)]
struct PageFlags {
    /// Each command's flags the page mentions.
    by_command: BTreeMap<Vec<String>, BTreeSet<String>>,
    /// Flags written for another program (`aws …`).
    foreign: BTreeSet<String>,
    /// Flags mentioned before any command, so not known to be any command's.
    orphans: BTreeSet<String>,
}

/// Reads a page line by line: a flag belongs to the `cargo xtask` command in the same mention, else to the last
/// command the page mentioned before it (prose such as "``--check`` only plans" follows its command).
fn page_flags(text: &str, commands: &BTreeSet<Vec<String>>) -> PageFlags {
    let mut flags = PageFlags::default();
    let mut current: Option<Vec<String>> = None;
    for line in text.lines() {
        for mention in mentions(line) {
            let program = mention.split_whitespace().next().unwrap_or("");
            if OTHER_PROGRAMS.contains(&program) {
                flags.foreign.extend(long_flags(mention));
                continue;
            }
            if let Some(command) = command_of(mention, commands) {
                current = Some(command);
            }
            let found = long_flags(mention);
            match &current {
                Some(command) => flags.by_command.entry(command.clone()).or_default().extend(found),
                None => flags.orphans.extend(found),
            }
        }
    }
    flags
}

/// The page and the examples it includes with `.. literalinclude::`, as one text.
fn page_with_includes(page: &str) -> String {
    let read = |path: &Path| {
        std::fs::read_to_string(path).unwrap_or_else(|error| panic!("reading {}: {error}", path.display()))
    };
    let text = read(&Path::new(DOCS).join(page));
    let includes: Vec<String> = text
        .lines()
        .filter_map(|line| line.trim().strip_prefix(".. literalinclude:: "))
        .map(|include| read(&Path::new(DOCS).join(include.trim())))
        .collect();
    std::iter::once(text).chain(includes).collect::<Vec<_>>().join("\n")
}

#[test]
fn every_flag_the_generated_pages_name_is_in_its_commands_help() {
    let commands = all_commands();
    let mut problems = Vec::new();
    let mut checked = BTreeSet::new();
    for page in PAGES {
        let text = page_with_includes(page);
        let flags = page_flags(&text, &commands);
        let attributed: BTreeSet<&String> = flags
            .by_command
            .values()
            .flatten()
            .chain(&flags.foreign)
            .chain(&flags.orphans)
            .collect();
        let unread: Vec<String> = long_flags(&text)
            .into_iter()
            .filter(|flag| !attributed.contains(flag))
            .collect();
        if !unread.is_empty() {
            problems.push(format!(
                "docs/{page} names {unread:?} outside a ``literal`` or a `cargo xtask` line, so no command is known"
            ));
        }
        if !flags.orphans.is_empty() {
            problems.push(format!(
                "docs/{page} names {:?} before naming any `cargo xtask` command",
                flags.orphans
            ));
        }
        for (command, named) in &flags.by_command {
            let args: Vec<&str> = command.iter().map(String::as_str).collect();
            let known = command_flags(&args);
            let unknown: Vec<&String> = named.difference(&known).collect();
            if !unknown.is_empty() {
                problems.push(format!(
                    "docs/{page} names {unknown:?} for `cargo xtask {}`, whose --help does not list them",
                    command.join(" ")
                ));
            }
            checked.extend(named.iter().map(|flag| format!("{} {flag}", command.join(" "))));
        }
    }
    assert!(
        problems.is_empty(),
        "the generated pages have drifted from the commands:\n  {}",
        problems.join("\n  ")
    );
    // The pages do name these; finding none would mean the reading above is broken, not that all is well.
    for expected in [
        "provision --env",
        "provision --check",
        "provision --write-env",
        "provision --ses-identity-arn",
        "provision --yes",
        "admin --email",
        "admin reset-mfa --send-reset",
        "audit --env-file",
        "users export --out",
        "provision --new-pool",
        "users import --from",
        "users import --send-reset",
        "iam-policy --pool-arn",
    ] {
        assert!(checked.contains(expected), "{expected:?} not found among {checked:?}");
    }
}

#[test]
fn a_flag_is_read_as_its_commands() {
    let commands = BTreeSet::from([vec!["admin".to_owned()], vec!["admin".to_owned(), "disable".to_owned()]]);
    let page = "\
.. code-block:: bash

   cargo xtask admin disable --email EMAIL --env production

It signs them out. With ``--yes`` it asks nothing.
-  Run ``aws cognito-idp admin-user-global-sign-out --user-pool-id ID``
-  then ``cargo xtask admin --name \"N\"``, or ``--no-such-flag``.
";
    let flags = page_flags(page, &commands);
    let set = |flags: &[&str]| flags.iter().map(|flag| (*flag).to_owned()).collect::<BTreeSet<_>>();
    assert_eq!(
        flags.by_command,
        BTreeMap::from([
            (
                vec!["admin".to_owned(), "disable".to_owned()],
                set(&["--email", "--env", "--yes"])
            ),
            (vec!["admin".to_owned()], set(&["--name", "--no-such-flag"])),
        ])
    );
    assert_eq!(flags.foreign, set(&["--user-pool-id"]));
    assert!(flags.orphans.is_empty());
    assert!(page_flags("Use ``--early``.", &commands).orphans.contains("--early"));
}
