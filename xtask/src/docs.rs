//! `cargo xtask docs`: writes the reference pages rendered from the specs, or with `--check` verifies that
//! the committed ones are fresh (exit 1 naming each stale file).

pub(crate) mod check;
pub(crate) mod cognito_page;
mod iam;
mod rst;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

/// Options of `cargo xtask docs`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Change nothing; exit 1 when regenerating would change a file.
    #[arg(long)]
    check: bool,
    /// The workspace whose docs to write or check (default: this one).
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
}

/// Writes or checks the generated docs; exit 1 from `--check` means a file is stale.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let root = args.root.unwrap_or_else(check::workspace_root);
    check::require_workspace(&root)?;
    if args.check {
        let stale = check::stale_files(&root)?;
        if stale.is_empty() {
            eprintln!("generated docs are fresh");
            return Ok(ExitCode::SUCCESS);
        }
        eprintln!("{}", check::stale_message(&stale));
        return Ok(ExitCode::FAILURE);
    }
    for (path, content) in check::generated()? {
        let full = root.join(path);
        // Leave an unchanged file alone, so its modification time keeps meaning something to Sphinx.
        if std::fs::read_to_string(&full).is_ok_and(|existing| existing == content) {
            eprintln!("{path} is up to date");
            continue;
        }
        std::fs::write(&full, content).with_context(|| format!("writing {}", full.display()))?;
        eprintln!("wrote {path}");
    }
    Ok(ExitCode::SUCCESS)
}
