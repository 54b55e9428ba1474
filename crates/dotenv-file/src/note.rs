//! Notes: values a tool keeps in a `.env` as comment lines, `# KEY=value`, which python-dotenv skips, so that a
//! reader that refuses keys it does not know (credere-backend's settings) never sees them.

use crate::edit::quoted;
use crate::parse::{Kind, Statement, is_inline_space, statements};

/// A note to write: the comment line `# KEY=value`, kept right after the assignment of `after`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Note<'a> {
    /// The key the comment names.
    pub key: &'a str,
    /// Its value, quoted as an assignment's would be, so that it stays on its line; `None` keeps the value it has:
    /// a note line of the key stays as it is, an assignment of the key becomes the note with the assignment's
    /// (uninterpolated) value, and without either nothing is added.
    pub value: Option<&'a str>,
    /// The key whose (last) assignment a new note line follows.
    pub after: &'a str,
}

impl Note<'_> {
    /// Its line, without a line ending, when it has a value to add.
    pub(crate) fn line(&self) -> Option<String> {
        self.value.map(|value| self.line_of(value))
    }

    fn line_of(&self, value: &str) -> String {
        format!("# {}={}", self.key, quoted(value))
    }

    /// What replaces `statement`, where this note [is](Note::is_at): its line, or, keeping the value, the
    /// assignment's value as a note (`None`: the note line stays as it is).
    pub(crate) fn line_over(&self, statement: &Statement) -> Option<String> {
        match (&statement.kind, self.value) {
            (_, Some(value)) => Some(self.line_of(value)),
            (Kind::Assignment(assignment), None) => Some(self.line_of(assignment.value.as_deref().unwrap_or_default())),
            (_, None) => None,
        }
    }

    /// Whether `statement` is where this note is: a note of its key, or an assignment of its key (a `.env`
    /// written before the value became a note), which the note replaces.
    pub(crate) fn is_at(&self, statement: &Statement) -> bool {
        match &statement.kind {
            Kind::Comment(comment) => noted_value(comment, self.key).is_some(),
            Kind::Assignment(assignment) => assignment.key == self.key,
            Kind::Nothing | Kind::Bad => false,
        }
    }
}

/// The value of a note of `key` in a comment line's `comment`: `#`, any spaces or tabs, `KEY=`, then a value as
/// python-dotenv reads it after `=` (quotes and escapes decoded, a trailing ` # comment` dropped, not
/// interpolated). `None` for any other comment.
pub(crate) fn noted_value(comment: &str, key: &str) -> Option<String> {
    let assignment = comment.strip_prefix('#')?.trim_start_matches(is_inline_space);
    if !assignment.strip_prefix(key)?.starts_with('=') {
        return None;
    }
    match &statements(assignment)[..] {
        [statement] => match &statement.kind {
            Kind::Assignment(read) if read.key == key => read.value.clone(),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_note_is_read_from_its_own_comment_line_only() {
        assert_eq!(noted_value("# K=abc--1", "K").as_deref(), Some("abc--1"));
        assert_eq!(noted_value("#\tK='a b' # why", "K").as_deref(), Some("a b"));
        assert_eq!(noted_value("#K=", "K").as_deref(), Some(""));
        for other in [
            "# K_ID=1",
            "# KK=1",
            "# K 1",
            "# k=1",
            "# the K=1",
            "export # K=1",
            "# K='open",
        ] {
            assert_eq!(noted_value(other, "K"), None, "{other}");
        }
    }

    #[test]
    fn a_note_line_reads_back_as_its_value() {
        for value in ["us-east-1_Ab--17", "a b #c", "it's", "two\nlines", ""] {
            let note = Note {
                key: "K",
                value: Some(value),
                after: "A",
            };
            let line = note.line().unwrap();
            assert!(!line.contains('\n'), "{line}");
            assert_eq!(noted_value(&line, "K").as_deref(), Some(value), "{line}");
        }
    }
}
