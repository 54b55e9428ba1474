//! The committed `docs/cognito.rst` and `docs/iam.rst` are what `cargo xtask docs` renders from the specs, checked by the same
//! code as `cargo xtask docs --check`.

use xtask::pages as check;

#[test]
fn committed_docs_are_fresh() {
    let stale = check::stale_files(&check::workspace_root()).unwrap();
    assert!(stale.is_empty(), "{}", check::stale_message(&stale));
}

/// A directory that stands for the workspace: it has a `Cargo.toml`.
fn workspace() -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    std::fs::write(root.path().join("Cargo.toml"), "[workspace]\n").unwrap();
    root
}

#[test]
fn an_edited_or_missing_page_is_stale() {
    let root = workspace();
    assert_eq!(
        check::stale_files(root.path()).unwrap(),
        ["docs/cognito.rst", "docs/iam.rst"],
        "missing"
    );

    std::fs::create_dir_all(root.path().join("docs")).unwrap();
    let generated = check::generated().unwrap();
    for (path, content) in &generated {
        std::fs::write(root.path().join(path), content).unwrap();
    }
    assert!(check::stale_files(root.path()).unwrap().is_empty(), "fresh");

    let (path, content) = &generated[0];
    std::fs::write(root.path().join(path), content.replace("``14``", "``12``")).unwrap();
    assert_eq!(check::stale_files(root.path()).unwrap(), [*path], "edited");
}

/// Runs `cargo xtask docs` (or `--check`) on `root` and returns its exit code and stderr.
fn xtask_docs(root: &std::path::Path, check: bool) -> (Option<i32>, String) {
    let mut command = test_support::clean_std_command(env!("CARGO_BIN_EXE_xtask"));
    command.arg("docs").arg("--root").arg(root);
    if check {
        command.arg("--check");
    }
    let output = command.output().unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn the_command_names_the_stale_file_and_exits_1_then_regenerates_it() {
    let root = workspace();
    std::fs::create_dir_all(root.path().join("docs")).unwrap();
    std::fs::write(root.path().join("docs/cognito.rst"), "hand-edited\n").unwrap();

    let (code, stderr) = xtask_docs(root.path(), true);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("docs/cognito.rst") && stderr.contains("cargo xtask docs"),
        "{stderr}"
    );

    let (code, stderr) = xtask_docs(root.path(), false);
    assert_eq!(code, Some(0), "{stderr}");
    let (code, stderr) = xtask_docs(root.path(), true);
    assert_eq!(code, Some(0), "{stderr}");
}

#[test]
fn a_directory_that_is_no_workspace_is_refused_not_called_out_of_date() {
    let empty = tempfile::tempdir().unwrap();
    for check in [true, false] {
        let (code, stderr) = xtask_docs(empty.path(), check);
        assert_eq!(code, Some(1), "{stderr}");
        assert!(
            stderr.contains("is not a workspace") && stderr.contains("--root"),
            "{stderr}"
        );
        assert!(!stderr.contains("out of date"), "{stderr}");
    }
    assert!(testkit::file_names(empty.path()).is_empty(), "nothing was written");
}
