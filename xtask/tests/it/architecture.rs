//! ARCHITECTURE.md's list of each crate's dependencies on the workspace's own crates is what Cargo.toml says, as
//! `cargo metadata` reports it: a new arrow, or one removed, fails here until the map says so.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

type Arrows = BTreeMap<String, BTreeSet<String>>;

/// The list under "Code map": lines "- `crate`: none" or "- `crate`: `dep`, `dep` (a note)".
fn documented(architecture: &str) -> Arrows {
    let list = architecture
        .split("## Code map")
        .nth(1)
        .and_then(|map| map.split("\n\n").find(|block| block.starts_with("- `")))
        .expect("ARCHITECTURE.md's Code map starts with its list of dependencies");
    let mut arrows = Arrows::new();
    let mut current = None;
    for line in list.lines() {
        let text = match line.strip_prefix("- ") {
            Some(item) => {
                let (name, rest) = item.split_once(':').expect("`crate`: dependencies");
                let name = name.trim_matches('`').to_owned();
                arrows.insert(name.clone(), BTreeSet::new());
                current = Some(name);
                rest
            }
            None => line,
        };
        let name = current.as_ref().expect("a continuation line follows an item");
        // Only the part before a parenthesised note names dependencies.
        let named = if line.starts_with("- ") {
            text.split(" (").next().unwrap_or(text)
        } else {
            ""
        };
        arrows.get_mut(name).unwrap().extend(
            named
                .split(',')
                .map(|dependency| dependency.trim().trim_matches('`'))
                .filter(|dependency| !dependency.is_empty() && *dependency != "none")
                .map(str::to_owned),
        );
    }
    arrows
}

/// Each workspace package's normal dependencies on workspace packages.
fn actual(workspace: &Path) -> Arrows {
    let output = std::process::Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--no-deps", "--offline"])
        .current_dir(workspace)
        .output()
        .expect("running cargo metadata");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let packages = metadata["packages"].as_array().unwrap();
    let names: BTreeSet<&str> = packages
        .iter()
        .map(|package| package["name"].as_str().unwrap())
        .collect();
    packages
        .iter()
        .map(|package| {
            let dependencies = package["dependencies"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|dependency| dependency["kind"].is_null())
                .map(|dependency| dependency["name"].as_str().unwrap())
                .filter(|name| names.contains(name))
                .map(str::to_owned)
                .collect();
            (package["name"].as_str().unwrap().to_owned(), dependencies)
        })
        .collect()
}

#[test]
fn the_code_maps_dependencies_are_cargos() {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let architecture = std::fs::read_to_string(workspace.join("ARCHITECTURE.md")).unwrap();
    assert_eq!(
        documented(&architecture),
        actual(workspace),
        "ARCHITECTURE.md's Code map must list each crate's workspace dependencies as Cargo.toml has them"
    );
}

#[test]
fn the_list_reader_reads_names_and_ignores_notes() {
    let map = "## Code map\n\nIntro.\n\n- `a`: none\n- `b`: `a`, `c` (a note naming `d`)\n  more of the note\n\nAfter.";
    let read = documented(map);
    assert_eq!(read["a"], BTreeSet::new());
    assert_eq!(read["b"], BTreeSet::from(["a".to_owned(), "c".to_owned()]));
}
