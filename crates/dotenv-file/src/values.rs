//! What a parsed `.env` says: python-dotenv's `dotenv_values`, interpolation included.

use std::collections::BTreeSet;

use crate::note::noted_value;
use crate::parse::{Kind, Statement, statements};

/// A parsed `.env` text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvFile {
    statements: Vec<Statement>,
}

/// One key's final value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    /// `None` for a bare `KEY` line (no `=`), as python-dotenv gives.
    pub value: Option<String>,
    /// The 1-based line of the assignment that set it (the last one, as python-dotenv's last one wins).
    pub line: usize,
    /// The names in `${NAME}` references, here or in the keys it took values from, that the file did not set
    /// before they were used: their values came from `outside` (the environment), not from the file.
    pub outside_names: BTreeSet<String>,
}

impl EnvFile {
    /// Parses `text` as python-dotenv does. Never fails: like python-dotenv, it skips what it cannot parse
    /// and [`EnvFile::bad_lines`] says where.
    pub fn parse(text: &str) -> Self {
        Self {
            statements: statements(text),
        }
    }

    /// The 1-based line numbers of the statements python-dotenv cannot parse (it warns and skips them).
    /// Each is the line of the statement's first non-blank character; python-dotenv's own warning names
    /// the line where the blank lines before it begin.
    pub fn bad_lines(&self) -> Vec<usize> {
        self.statements
            .iter()
            .filter(|statement| statement.kind == Kind::Bad)
            .map(|statement| statement.line)
            .collect()
    }

    /// The value of the last note of `key`: a comment line `# KEY=value` (see [`Note`](crate::Note)), which
    /// python-dotenv skips. Its `outside_names` is empty: a note is not interpolated.
    pub fn note(&self, key: &str) -> Option<Setting> {
        self.statements.iter().rev().find_map(|statement| {
            let Kind::Comment(comment) = &statement.kind else {
                return None;
            };
            noted_value(comment, key).map(|value| Setting {
                value: Some(value),
                line: statement.line,
                outside_names: BTreeSet::new(),
            })
        })
    }

    /// Every key in the order of its first assignment, with its value as python-dotenv's
    /// `dotenv_values(path)` gives it: the last assignment wins, and `${NAME}` / `${NAME:-default}` are
    /// replaced by the value of `NAME` as set earlier in the file, else by `outside(NAME)` (python-dotenv
    /// uses the process environment), else by the default (else nothing). `$NAME` without braces stays as
    /// it is. A `NAME` set earlier without `=` gives the empty string, not the default.
    pub fn values(&self, outside: impl Fn(&str) -> Option<String>) -> Vec<(String, Setting)> {
        let mut settings: Vec<(String, Setting)> = Vec::new();
        for statement in &self.statements {
            let Kind::Assignment(assignment) = &statement.kind else {
                continue;
            };
            let mut outside_names = BTreeSet::new();
            let value = assignment.value.as_deref().map(|raw| {
                let mut resolved = String::new();
                for piece in pieces(raw) {
                    match piece {
                        Piece::Literal(text) => resolved.push_str(text),
                        Piece::Reference { name, default } => match settings.iter().find(|(key, _)| key == name) {
                            Some((_, earlier)) => {
                                resolved.push_str(earlier.value.as_deref().unwrap_or_default());
                                outside_names.extend(earlier.outside_names.iter().cloned());
                            }
                            None => {
                                let value = outside(name).or_else(|| default.map(str::to_owned));
                                resolved.push_str(&value.unwrap_or_default());
                                outside_names.insert(name.to_owned());
                            }
                        },
                    }
                }
                resolved
            });
            let setting = Setting {
                value,
                line: statement.line,
                outside_names,
            };
            match settings.iter_mut().find(|(key, _)| *key == assignment.key) {
                Some((_, earlier)) => *earlier = setting,
                None => settings.push((assignment.key.clone(), setting)),
            }
        }
        settings
    }
}

/// A part of a value: literal text, or a `${NAME}` / `${NAME:-default}` reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Piece<'a> {
    Literal(&'a str),
    Reference { name: &'a str, default: Option<&'a str> },
}

/// Splits `value` at python-dotenv's references: `${`, a name without `}` or `:`, optionally `:-` and a
/// default without `}`, then `}`. Anything else (`$NAME`, `${A:B}`, an unclosed `${`) is literal.
pub(crate) fn pieces(value: &str) -> Vec<Piece<'_>> {
    let mut pieces = Vec::new();
    let mut literal_start = 0;
    let mut search_from = 0;
    while let Some(found) = value[search_from..].find("${") {
        let start = search_from + found;
        let inside = &value[start + 2..];
        let reference = inside.find(['}', ':']).and_then(|name_end| {
            let name = &inside[..name_end];
            if inside[name_end..].starts_with('}') {
                return Some((name, None, name_end + 1));
            }
            let default_start = name_end + 2;
            let default_end = default_start + inside.get(default_start..)?.find('}')?;
            inside[name_end..]
                .starts_with(":-")
                .then(|| (name, Some(&inside[default_start..default_end]), default_end + 1))
        });
        match reference {
            Some((name, default, length)) => {
                if start > literal_start {
                    pieces.push(Piece::Literal(&value[literal_start..start]));
                }
                pieces.push(Piece::Reference { name, default });
                literal_start = start + 2 + length;
                search_from = literal_start;
            }
            None => search_from = start + 1,
        }
    }
    if literal_start < value.len() {
        pieces.push(Piece::Literal(&value[literal_start..]));
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(text: &str) -> Vec<(String, Option<String>)> {
        EnvFile::parse(text)
            .values(|name| (name == "FROM_ENV").then(|| "env".to_owned()))
            .into_iter()
            .map(|(key, setting)| (key, setting.value))
            .collect()
    }

    #[test]
    fn only_braced_references_expand() {
        assert_eq!(
            values("A=a\nB=$A ${A} ${A:-x} ${MISSING:-d} ${MISSING} ${A:B} ${open\nC='${A}'\n"),
            [
                ("A".to_owned(), Some("a".to_owned())),
                ("B".to_owned(), Some("$A a a d  ${A:B} ${open".to_owned())),
                ("C".to_owned(), Some("a".to_owned())),
            ]
        );
    }

    #[test]
    fn earlier_keys_win_over_the_environment_and_record_what_came_from_outside() {
        let file = EnvFile::parse("FROM_ENV=file\nX=${FROM_ENV}\nN\nY=${N:-default}\nZ=${X}${OTHER:-}/${Q}\n");
        let settings = file.values(|name| (name == "FROM_ENV" || name == "Q").then(|| "env".to_owned()));
        let get = |key: &str| &settings.iter().find(|(name, _)| name == key).unwrap().1;
        assert_eq!(get("X").value.as_deref(), Some("file"));
        assert_eq!(
            get("Y").value.as_deref(),
            Some(""),
            "a key set without = gives nothing, not the default"
        );
        assert_eq!(get("Z").value.as_deref(), Some("file/env"));
        assert_eq!(
            get("Z").outside_names,
            BTreeSet::from(["OTHER".to_owned(), "Q".to_owned()])
        );
        assert!(get("X").outside_names.is_empty());
    }

    #[test]
    fn the_last_assignment_wins_in_the_first_ones_place() {
        let settings = EnvFile::parse("A=1\nB=2\nA=3\nC=${A}\n").values(|_| None);
        let keys: Vec<(&str, Option<&str>, usize)> = settings
            .iter()
            .map(|(key, setting)| (key.as_str(), setting.value.as_deref(), setting.line))
            .collect();
        assert_eq!(keys, [("A", Some("3"), 3), ("B", Some("2"), 2), ("C", Some("3"), 4)]);
    }
}
