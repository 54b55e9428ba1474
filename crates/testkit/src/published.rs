//! AWS's published answers: the example outputs the `awscli` package ships for Cognito
//! (`awscli/examples/cognito-idp/*.rst`), captured from AWS. Tests feed them through the tool's own reading code
//! (with [`crate::RecordingProxy::answer`]) to hold it to what AWS really sends, which moto does not (moto, for
//! one, reports no `sub` in a pool's schema).
//!
//! awscli cannot go in the harness's virtualenv (it pins a docutils older than Sphinx accepts), so its wheel is
//! downloaded on its own, pinned to [`AWSCLI_VERSION`], with the virtualenv's pip, and only the Cognito examples are
//! extracted from it.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use crate::Error;
use crate::process::run_checked;
use crate::python::{target_dir, venv_bin};

/// The awscli release whose examples are the published answers (also named in `requirements.txt`). A change here
/// downloads that release's wheel on the next run.
pub const AWSCLI_VERSION: &str = "1.46.3";

/// The first `Output::` block of awscli's example `example` (the file's stem, e.g. `describe-user-pool`), parsed
/// as JSON: the first example's answer, when a file holds several ([`aws_published_answers`] gives them all).
/// Panics, saying why and how to fix it, when the wheel cannot be had or the file has no such block: tests never
/// skip.
pub fn aws_published_answer(example: &str) -> serde_json::Value {
    aws_published_answers(example)
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("awscli {AWSCLI_VERSION}'s example {example}.rst has no Output:: block"))
}

/// Every `Output::` block of awscli's example `example` (e.g. `list-users`), in the file's order, each parsed as
/// JSON. Not every block is an API answer: some show the CLI's `--query` applied to one. Panics like
/// [`aws_published_answer`].
pub fn aws_published_answers(example: &str) -> Vec<serde_json::Value> {
    let path = examples_dir().join(format!("{example}.rst"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|error| {
        panic!(
            "awscli {AWSCLI_VERSION} has no Cognito example `{example}` ({}: {error}); the names are the files of \
             awscli/examples/cognito-idp/ without `.rst`, e.g. describe-user-pool",
            path.display()
        )
    });
    output_blocks(&text)
        .iter()
        .enumerate()
        .map(|(index, block)| {
            serde_json::from_str(block).unwrap_or_else(|error| {
                panic!(
                    "awscli {AWSCLI_VERSION}'s {example}.rst, Output:: block {}: not JSON ({error}):\n{block}",
                    index + 1
                )
            })
        })
        .collect()
}

/// The directory holding the Cognito examples, downloaded and extracted once per target directory.
fn examples_dir() -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        fetch_examples().unwrap_or_else(|error| {
            panic!(
                "AWS's published answers come from the awscli {AWSCLI_VERSION} wheel on PyPI, which could not be \
                 had: {error}. Let pip reach PyPI (or an index or --find-links directory with the wheel), or put \
                 awscli-{AWSCLI_VERSION}-py3-none-any.whl into {}",
                target_dir().join("testkit-awscli").display()
            )
        })
    })
    .clone()
}

/// Downloads the pinned wheel (unless it is already there) and extracts `awscli/examples/cognito-idp/*.rst`,
/// under a file lock, as [`venv_bin`] builds the virtualenv: parallel test processes wait for the first.
fn fetch_examples() -> Result<PathBuf, Error> {
    let bin = venv_bin()?;
    let target = target_dir();
    let root = target.join("testkit-awscli");
    let examples = root.join("cognito-idp");
    let stamp = root.join("examples.extracted");
    let lock_path = target.join("testkit-awscli.lock");
    let lock = File::create(&lock_path).map_err(Error::io(&lock_path))?;
    lock.lock().map_err(Error::io(&lock_path))?;
    if std::fs::read_to_string(&stamp).is_ok_and(|extracted| extracted == AWSCLI_VERSION) {
        return Ok(examples);
    }
    std::fs::create_dir_all(&root).map_err(Error::io(&root))?;
    let wheel = root.join(format!("awscli-{AWSCLI_VERSION}-py3-none-any.whl"));
    if !wheel.exists() {
        run_checked(
            Command::new(bin.join("python"))
                .args([
                    "-m",
                    "pip",
                    "download",
                    "--quiet",
                    "--disable-pip-version-check",
                    "--no-deps",
                    "--only-binary=:all:",
                    &format!("awscli=={AWSCLI_VERSION}"),
                    "-d",
                ])
                .arg(&root),
            &format!("pip download awscli=={AWSCLI_VERSION}"),
        )?;
    }
    if examples.exists() {
        std::fs::remove_dir_all(&examples).map_err(Error::io(&examples))?;
    }
    extract(&bin.join("python"), &wheel, &examples)?;
    std::fs::write(&stamp, AWSCLI_VERSION).map_err(Error::io(&stamp))?;
    Ok(examples)
}

/// Copies the wheel's `awscli/examples/cognito-idp/*.rst` into `into`, with Python's zipfile.
fn extract(python: &Path, wheel: &Path, into: &Path) -> Result<(), Error> {
    const SCRIPT: &str = "\
import os, sys, zipfile
wheel, into = sys.argv[1], sys.argv[2]
prefix = 'awscli/examples/cognito-idp/'
os.makedirs(into)
count = 0
with zipfile.ZipFile(wheel) as archive:
    for name in archive.namelist():
        if name.startswith(prefix) and name.endswith('.rst') and '/' not in name[len(prefix):]:
            with open(os.path.join(into, name[len(prefix):]), 'wb') as out:
                out.write(archive.read(name))
            count += 1
if count == 0:
    sys.exit(wheel + ' holds no ' + prefix + '*.rst')
";
    run_checked(
        Command::new(python).arg("-c").arg(SCRIPT).arg(wheel).arg(into),
        "extracting awscli/examples/cognito-idp from the wheel",
    )
}

/// The literal blocks after each `Output::` marker, dedented: reStructuredText ends a literal block at the first
/// non-blank line indented no deeper than the marker's paragraph.
fn output_blocks(rst: &str) -> Vec<String> {
    let indent = |line: &str| line.len() - line.trim_start().len();
    let lines: Vec<&str> = rst.lines().collect();
    let mut blocks = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        if !line.trim_end().ends_with("Output::") {
            continue;
        }
        let marker = indent(line);
        let body: Vec<&str> = lines[index + 1..]
            .iter()
            .copied()
            .take_while(|line| line.trim().is_empty() || indent(line) > marker)
            .collect();
        let depth = body
            .iter()
            .filter(|line| !line.trim().is_empty())
            .map(|line| indent(line))
            .min()
            .unwrap_or(0);
        let dedented: Vec<&str> = body
            .iter()
            .map(|line| line.get(depth..).unwrap_or("").trim_end())
            .collect();
        blocks.push(dedented.join("\n").trim().to_owned());
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::{AWSCLI_VERSION, output_blocks};

    #[test]
    fn requirements_name_the_pinned_awscli() {
        let pin = format!("awscli=={AWSCLI_VERSION}");
        assert!(
            include_str!("../requirements.txt").contains(&pin),
            "requirements.txt should name {pin}"
        );
    }

    #[test]
    fn each_output_block_is_dedented_and_ends_with_its_indentation() {
        let rst = "**Example 1**\n\nCommand::\n\n  aws cognito-idp list-users\n\nOutput::\n\n    {\n        \"Users\": \
                   []\n    }\n\nFor more information, see the guide.\n\n**Example 2**\n\nOutput::\n\n  [\n\n    \
                   []\n  ]";
        assert_eq!(
            output_blocks(rst),
            ["{\n    \"Users\": []\n}", "[\n\n  []\n]"],
            "a blank line inside a block keeps it going; the file may end without a newline"
        );
        assert!(output_blocks("Command::\n\n  aws cognito-idp list-users\n").is_empty());
    }

    #[test]
    fn a_marker_at_the_end_of_a_sentence_counts_and_the_block_stops_at_the_next_paragraph() {
        let rst = "The answer is shown here. Output::\n\n   {\"a\": 1}\nNext paragraph.\n   indented again\n";
        assert_eq!(output_blocks(rst), ["{\"a\": 1}"]);
    }
}
