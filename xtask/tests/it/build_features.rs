//! `cargo xtask` builds xtask and its dependencies without dev-dependencies; `cargo test --workspace` builds them
//! with. A dev-dependency that turns on one more feature of a package both builds share gives that package, and
//! every package above it, a second build: the tests then compile the SDK's HTTP client, `cognito` and `xtask`
//! again beside the ones `cargo xtask` just built. Each shared package must resolve to the same features in both.

use std::collections::{BTreeMap, BTreeSet};

/// Each package, with the feature sets it is built with (a package built for build scripts and for the target may
/// have two).
type Features = BTreeMap<String, BTreeSet<String>>;
use std::path::Path;

/// Each package `cargo tree` resolves for the workspace along `edges`, with its features.
fn resolved(workspace: &Path, edges: &str) -> Features {
    let output = std::process::Command::new(env!("CARGO"))
        .args(["tree", "--workspace", "--offline", "--prefix", "none", "--edges", edges])
        .args(["--format", "{p}|{f}"])
        .current_dir(workspace)
        .output()
        .expect("running cargo tree");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .filter_map(|line| line.trim_end_matches(" (*)").split_once('|'))
        .fold(Features::new(), |mut resolved, (package, features)| {
            resolved
                .entry(package.to_owned())
                .or_default()
                .insert(features.to_owned());
            resolved
        })
}

/// The packages whose features differ between `normal` and `with_dev`, as "package: normal → with dev".
fn widened(normal: &Features, with_dev: &Features) -> Vec<String> {
    normal
        .iter()
        .filter_map(|(package, features)| {
            let tested = with_dev.get(package)?;
            (tested != features).then(|| format!("{package}: {features:?} → {tested:?}"))
        })
        .collect()
}

#[test]
fn dev_dependencies_turn_on_no_feature_of_what_cargo_xtask_builds() {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let normal = resolved(workspace, "normal,build");
    let with_dev = resolved(workspace, "normal,build,dev");
    assert!(
        normal
            .keys()
            .any(|package| package.starts_with("aws-smithy-http-client ")),
        "{normal:?}"
    );
    let widened = widened(&normal, &with_dev);
    assert!(
        widened.is_empty(),
        "a dev-dependency turns on features the normal build lacks, so `cargo test` builds these and what depends \
         on them a second time; ask for exactly the normal build's features: {widened:#?}"
    );
}

#[test]
fn a_feature_added_by_a_dev_dependency_is_found() {
    let features = |names: &[&str]| names.iter().map(|name| (*name).to_owned()).collect::<BTreeSet<_>>();
    let normal = Features::from([("tokio-rustls v0.26.6".to_owned(), features(&["tls12"]))]);
    let with_dev = Features::from([
        ("tokio-rustls v0.26.6".to_owned(), features(&["ring,tls12"])),
        ("tempfile v3.0.0".to_owned(), features(&["default"])),
    ]);
    assert_eq!(
        widened(&normal, &with_dev),
        [r#"tokio-rustls v0.26.6: {"tls12"} → {"ring,tls12"}"#]
    );
    assert!(widened(&normal, &normal).is_empty());
}
