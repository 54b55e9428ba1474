//! The generated docs build with the pinned Sphinx, sphinx-design and furo (the theme of Credere's documentation),
//! warnings as errors: the page is valid for the tool that publishes it, and its tables fit furo's content column.

use std::process::Command;

#[test]
fn docs_build_with_sphinx_without_warnings() {
    let bin = testkit::venv_bin().unwrap_or_else(|error| {
        panic!("this test needs the harness's virtualenv with Sphinx (python3 with venv and network for pip): {error}")
    });
    let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs");
    let out = tempfile::tempdir().unwrap();
    // `python -m sphinx` rather than the `sphinx-build` script: a script's `#!` names the interpreter of the
    // virtualenv it was installed in, which is another one when a target directory was copied.
    let output = Command::new(bin.join("python"))
        .args(["-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html"])
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
    for page in ["cognito.html", "iam.html"] {
        let html = std::fs::read_to_string(out.path().join(page)).unwrap();
        let tables = html.split("<table").skip(1).count();
        assert!(tables > 0, "no table in {page}");
        for (index, table) in html.split("<table").skip(1).enumerate() {
            let table = table.split("</table>").next().unwrap_or_default();
            let width = narrowest_width_em(table);
            assert!(
                width <= CONTENT_WIDTH_EM,
                "table {} of {tables} in {page} needs at least {width:.1}em, wider than furo's {CONTENT_WIDTH_EM}em \
                 content column, so the browser scrolls it and hides its last columns; its widest cells:\n{}",
                index + 1,
                widest_tokens(table).join("\n")
            );
        }
    }
}

/// The width of furo's content column (`.content { width: 46em }`).
const CONTENT_WIDTH_EM: f64 = 46.0;

/// What a cell adds around its content in furo: `td { padding: 0 .25rem }`, `td p { margin: .25rem }`, a border.
const CELL_PADDING_EM: f64 = 1.1;

/// Width of one character: inline literals are monospace at 81.25% (about 0.6em per character), and body text,
/// bold headers included, averages under 0.55em per character.
fn char_width_em(monospace: bool) -> f64 {
    if monospace { 0.8125 * 0.6 } else { 0.55 }
}

/// The runs a browser cannot break inside, in a piece of table HTML: text between spaces, where each inline literal
/// (`<span class="pre">`, `white-space: nowrap`) has no spaces of its own. Each with its width in em.
fn unbreakable_runs(cell: &str) -> Vec<(String, f64)> {
    let mut runs = Vec::new();
    let (mut run, mut width) = (String::new(), 0.0);
    let mut monospace = false;
    let mut rest = cell;
    let mut end_run = |run: &mut String, width: &mut f64| {
        if !run.is_empty() {
            runs.push((std::mem::take(run), *width));
        }
        *width = 0.0;
    };
    while let Some(c) = rest.chars().next() {
        if c == '<' {
            let tag_end = rest.find('>').map_or(rest.len(), |at| at + 1);
            let tag = &rest[..tag_end];
            if tag.starts_with("<span class=\"pre\"") {
                monospace = true;
            } else if tag.starts_with("</span") {
                monospace = false;
            } else if tag.starts_with("<code") {
                width += 0.4; // the literal's padding
            } else if tag.starts_with("<p") || tag.starts_with("</p") || tag.starts_with("<br") {
                end_run(&mut run, &mut width);
            }
            rest = &rest[tag_end..];
            continue;
        }
        let (c, len) = match rest.find(';').filter(|_| c == '&') {
            Some(end) => (entity(&rest[1..end]), end + 1),
            None => (c, c.len_utf8()),
        };
        if c.is_whitespace() {
            end_run(&mut run, &mut width);
        } else {
            run.push(c);
            width += char_width_em(monospace);
        }
        rest = &rest[len..];
    }
    end_run(&mut run, &mut width);
    runs
}

/// The character an HTML entity (`lt`, `#64`, `#x40`) stands for; any other counts as one character.
fn entity(name: &str) -> char {
    let code = match name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
        Some(hex) => u32::from_str_radix(hex, 16).ok(),
        None => name.strip_prefix('#').and_then(|decimal| decimal.parse().ok()),
    };
    match (name, code.and_then(char::from_u32)) {
        (_, Some(c)) => c,
        ("lt", None) => '<',
        ("gt", None) => '>',
        ("quot", None) => '"',
        _ => '&',
    }
}

/// The cells of each row of a table's HTML.
fn rows(table: &str) -> Vec<Vec<&str>> {
    table
        .split("<tr")
        .skip(1)
        .map(|row| {
            row.split("<t")
                .skip(1)
                .filter(|cell| cell.starts_with("d") || cell.starts_with("h"))
                // What follows the cell's own tag, `<td …>` or `<th …>`.
                .map(|cell| cell.split_once('>').map_or("", |(_, content)| content))
                .collect()
        })
        .collect()
}

/// The least width a table can be laid out in: each column as wide as its widest unbreakable run, plus padding.
fn narrowest_width_em(table: &str) -> f64 {
    let mut columns: Vec<f64> = Vec::new();
    for row in rows(table) {
        for (column, cell) in row.iter().enumerate() {
            let widest = unbreakable_runs(cell)
                .iter()
                .map(|(_, width)| *width)
                .fold(0.0, f64::max);
            if columns.len() <= column {
                columns.push(0.0);
            }
            columns[column] = columns[column].max(widest);
        }
    }
    columns.iter().map(|width| width + CELL_PADDING_EM).sum()
}

/// The widest unbreakable run of each column, for the failure message.
fn widest_tokens(table: &str) -> Vec<String> {
    let mut columns: Vec<(String, f64)> = Vec::new();
    for row in rows(table) {
        for (column, cell) in row.iter().enumerate() {
            for (run, width) in unbreakable_runs(cell) {
                if columns.len() <= column {
                    columns.push((String::new(), 0.0));
                }
                if width > columns[column].1 {
                    columns[column] = (run, width);
                }
            }
        }
    }
    columns
        .iter()
        .enumerate()
        .map(|(column, (run, width))| format!("  column {}: {run:?} ({width:.1}em)", column + 1))
        .collect()
}

#[test]
fn a_table_of_long_literals_is_measured_wider_than_the_column() {
    let literal = |text: &str| format!("<code class=\"docutils literal\"><span class=\"pre\">{text}</span></code>");
    let wide = format!(
        "<tr><td><p>Setting</p></td><td><p>{}</p></td><td><p>{}</p></td></tr>",
        literal("UserAttributeUpdateSettings.AttributesRequireVerificationBeforeUpdate"),
        literal("arn:aws:ses:REGION:ACCOUNT_ID:identity/credere@noreply.open-contracting.org")
    );
    assert!(narrowest_width_em(&wide) > CONTENT_WIDTH_EM);
    let wrapping = format!(
        "<tr><td><p>A new email takes effect once verified</p><p>{} in {}</p></td><td><p>{}</p></td></tr>",
        literal("AttributesRequireVerificationBeforeUpdate"),
        literal("UserAttributeUpdateSettings"),
        literal("[email]")
    );
    let width = narrowest_width_em(&wrapping);
    assert!(width < CONTENT_WIDTH_EM, "{width}");
    assert_eq!(
        unbreakable_runs("<p>Sign in &amp; <code><span class=\"pre\">ALLOW_X&#64;</span></code>, then</p>")
            .into_iter()
            .map(|(run, _)| run)
            .collect::<Vec<_>>(),
        ["Sign", "in", "&", "ALLOW_X@,", "then"]
    );
}
