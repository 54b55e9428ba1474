//! reStructuredText, line by line: what every generated page is built with, so that headings, paragraphs, code
//! blocks, tables and tabs are written one way on every page.

use std::fmt::Write as _;

/// A page being written.
#[derive(Default)]
pub(crate) struct Page {
    text: String,
}

impl Page {
    /// `text` as it is, at column 0.
    pub(crate) fn raw(&mut self, text: &str) {
        self.text.push_str(text);
        self.text.push('\n');
    }

    pub(crate) fn blank(&mut self) {
        self.text.push('\n');
    }

    /// `text` at `indent`; an empty `text` is a blank line (no trailing spaces).
    pub(crate) fn line(&mut self, indent: usize, text: &str) {
        if text.is_empty() {
            self.blank();
        } else {
            let _ = writeln!(self.text, "{:indent$}{text}", "");
        }
    }

    /// Writes `lines` at `indent`, then a blank line.
    pub(crate) fn lines(&mut self, indent: usize, lines: impl IntoIterator<Item = String>) {
        for line in lines {
            self.line(indent, &line);
        }
        self.blank();
    }

    /// A paragraph of one (long) line, then a blank line.
    pub(crate) fn para(&mut self, indent: usize, text: &str) {
        self.line(indent, text);
        self.blank();
    }

    /// A section title underlined with `underline` (`=` for the page, `-`, then `~`).
    pub(crate) fn heading(&mut self, title: &str, underline: char) {
        self.raw(title);
        self.raw(&underline.to_string().repeat(title.chars().count()));
        self.blank();
    }

    pub(crate) fn code_block(&mut self, indent: usize, language: &str, lines: impl IntoIterator<Item = String>) {
        self.para(indent, &format!(".. code-block:: {language}"));
        self.lines(indent + 3, lines);
    }

    /// Writes the lines once when every tab has the same, or else a sphinx-design `tab-set` with one tab per
    /// `(title, lines)`.
    pub(crate) fn tabs_unless_same(&mut self, indent: usize, tabs: Vec<(&str, Vec<String>)>) {
        if tabs.windows(2).all(|pair| pair[0].1 == pair[1].1) {
            self.lines(
                indent,
                tabs.into_iter().next().map(|(_, lines)| lines).unwrap_or_default(),
            );
            return;
        }
        self.para(indent, ".. tab-set::");
        for (title, lines) in tabs {
            self.para(indent + 3, &format!(".. tab-item:: {title}"));
            self.lines(indent + 6, lines);
        }
    }

    /// The page, ending in exactly one newline however the last section ended.
    pub(crate) fn finish(mut self) -> String {
        let end = self.text.trim_end().len();
        self.text.truncate(end);
        self.text.push('\n');
        self.text
    }
}

/// A `list-table` directive whose first row is the header. `options` follow `:header-rows: 1` (e.g. `:widths:
/// auto`); each cell is one or more lines, an empty line separating paragraphs in the cell. Ends with a blank line.
pub(crate) fn list_table(
    title: &str,
    options: &[&str],
    rows: impl IntoIterator<Item = Vec<Vec<String>>>,
) -> Vec<String> {
    let directive = if title.is_empty() {
        ".. list-table::".to_owned()
    } else {
        format!(".. list-table:: {title}")
    };
    let mut lines = vec![directive, "   :header-rows: 1".to_owned()];
    lines.extend(options.iter().map(|option| format!("   {option}")));
    lines.push(String::new());
    for row in rows {
        for (column, cell) in row.into_iter().enumerate() {
            let marker = if column == 0 { "   * - " } else { "     - " };
            for (index, text) in cell.into_iter().enumerate() {
                lines.push(match (index, text.is_empty()) {
                    (0, _) => format!("{marker}{text}"),
                    (_, true) => String::new(),
                    (_, false) => format!("       {text}"),
                });
            }
        }
    }
    lines.push(String::new());
    lines
}

/// An inline literal: ```value```.
pub(crate) fn literal(value: impl std::fmt::Display) -> String {
    format!("``{value}``")
}

/// Inline literals separated by commas.
pub(crate) fn literals<T: std::fmt::Display>(values: impl Iterator<Item = T>) -> String {
    values.map(literal).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_table_writes_each_cell_under_its_marker_and_a_cells_paragraphs_apart() {
        let header = vec![vec!["A".to_owned()], vec!["B".to_owned()]];
        let row = vec![
            vec!["one".to_owned(), String::new(), "more".to_owned()],
            vec!["two".to_owned()],
        ];
        let lines = list_table("Caption", &[":widths: auto"], [header, row]);
        assert_eq!(
            lines.join("\n"),
            ".. list-table:: Caption\n   :header-rows: 1\n   :widths: auto\n\n   * - A\n     - B\n   * - one\n\n       more\n     - two\n"
        );
        assert_eq!(list_table("", &[], Vec::new())[0], ".. list-table::");
    }

    #[test]
    fn tabs_are_written_once_when_every_tab_says_the_same() {
        let same = vec![("A", vec!["x".to_owned()]), ("B", vec!["x".to_owned()])];
        let mut page = Page::default();
        page.tabs_unless_same(0, same);
        assert_eq!(page.finish(), "x\n");

        let differing = vec![("A", vec!["x".to_owned()]), ("B", vec!["y".to_owned()])];
        let mut page = Page::default();
        page.tabs_unless_same(3, differing);
        assert_eq!(
            page.finish(),
            "   .. tab-set::\n\n      .. tab-item:: A\n\n         x\n\n      .. tab-item:: B\n\n         y\n"
        );
    }

    #[test]
    fn a_page_ends_with_exactly_one_newline() {
        let mut page = Page::default();
        page.para(0, "text");
        page.blank();
        assert_eq!(page.finish(), "text\n");
    }
}
