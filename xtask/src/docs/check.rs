//! What `cargo xtask docs` generates and whether the committed copies are fresh. Shared, as a file, by
//! the `docs` subcommand and `tests/docs_fresh.rs`, so CI and the command run the same check.

use std::path::{Path, PathBuf};

use anyhow::Context;
use pool_spec::Environment;

/// The command that regenerates every generated file.
pub const COMMAND: &str = "cargo xtask docs";

/// The workspace root (the parent of the xtask crate).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace root")
        .to_owned()
}

/// Every generated file: its path relative to the workspace root and its content, rendered from the
/// validated specs of every environment.
pub fn generated() -> anyhow::Result<Vec<(&'static str, String)>> {
    let specs = Environment::ALL.map(pool_spec::for_environment);
    for spec in &specs {
        spec.validate()
            .with_context(|| format!("the built-in {} spec", spec.environment))?;
    }
    Ok(vec![
        (super::cognito_page::PAGE_PATH, super::cognito_page::page(&specs)),
        (super::iam::PAGE_PATH, super::iam::page()),
    ])
}

/// Refuses a `root` that is no workspace (it has no `Cargo.toml`): its pages are neither stale nor fresh.
pub fn require_workspace(root: &Path) -> anyhow::Result<()> {
    if root.join("Cargo.toml").is_file() {
        return Ok(());
    }
    anyhow::bail!(
        "{} is not a workspace (it has no Cargo.toml): pass --root the workspace's top directory, or leave --root \
         out",
        root.display()
    )
}

/// The generated files under `root` whose content differs from a fresh rendering (or that are missing); `root`
/// must be a workspace (see `require_workspace`).
pub fn stale_files(root: &Path) -> anyhow::Result<Vec<&'static str>> {
    require_workspace(root)?;
    let mut stale = Vec::new();
    for (path, content) in generated()? {
        let full = root.join(path);
        let committed = match std::fs::read_to_string(&full) {
            Ok(text) => Some(text),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
            Err(error) => return Err(error).with_context(|| format!("reading {}", full.display())),
        };
        if committed.as_deref() != Some(content.as_str()) {
            stale.push(path);
        }
    }
    Ok(stale)
}

/// What to tell someone whose generated files are stale.
pub fn stale_message(stale: &[&str]) -> String {
    stale
        .iter()
        .map(|path| format!("{path} is out of date with the specs: run `{COMMAND}` and commit it"))
        .collect::<Vec<_>>()
        .join("\n")
}
