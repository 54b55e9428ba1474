//! The generated docs build with the pinned Sphinx and sphinx-design, warnings as errors: the page is valid
//! for the tool that publishes it.

use std::process::Command;

#[test]
fn docs_build_with_sphinx_without_warnings() {
    let bin = testkit::venv_bin().unwrap_or_else(|error| {
        panic!("this test needs the harness's virtualenv with Sphinx (python3 with venv and network for pip): {error}")
    });
    let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs");
    let out = tempfile::tempdir().unwrap();
    let output = Command::new(bin.join("sphinx-build"))
        .args(["-W", "--keep-going", "-q", "-b", "html"])
        .arg(&docs)
        .arg(out.path())
        .output()
        .expect("running sphinx-build");
    assert!(
        output.status.success(),
        "sphinx-build failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let html = std::fs::read_to_string(out.path().join("cognito.html")).unwrap();
    // sphinx-design turned the tab-sets into tabs, and the tables were rendered.
    assert!(html.contains("sd-tab-set"), "no sphinx-design tabs in cognito.html");
    assert!(html.contains("<table"), "no settings table in cognito.html");
    assert!(html.contains("credere-production"));
}
