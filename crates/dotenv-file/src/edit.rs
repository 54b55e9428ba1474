//! Setting keys in a `.env` text so that python-dotenv reads the new values and every other byte stays.

use crate::note::Note;
use crate::parse::{Kind, line_break_at, statements};
use crate::values::{Piece, pieces};

/// Why a `.env` text cannot be edited safely.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    /// python-dotenv skips these statements; a quote left open there could swallow the lines written after
    /// it, so the file is left alone until they are fixed.
    #[error(
        "line(s) {} cannot be parsed as a .env statement (python-dotenv skips them with a warning; their \
         content is not shown, as it may hold a secret): fix or remove them, then run again",
        join(.lines)
    )]
    BadLines {
        /// Their 1-based line numbers.
        lines: Vec<usize>,
    },
    /// The value holds a `${NAME}` reference, which python-dotenv would replace: it cannot be written
    /// so that it reads back as it is.
    #[error(
        "the value for {key} contains `${{…}}`, which python-dotenv would replace with another variable's \
         value; it cannot be written so that it reads back unchanged"
    )]
    WouldInterpolate {
        /// The key (the value is not shown).
        key: String,
    },
}

fn join(lines: &[usize]) -> String {
    lines.iter().map(usize::to_string).collect::<Vec<_>>().join(", ")
}

/// `text` with each of `values` set: every assignment of the key gets the new value (so no stale copy is
/// left and whichever one a reader takes is the new one), keeping its line's `export`, indentation, comment
/// and line ending; keys not assigned anywhere are appended, one per line, with the file's line ending.
/// Every byte outside the replaced values stays as it was (a missing final line ending is added before
/// appending).
pub fn edited(text: &str, values: &[(&str, &str)]) -> Result<String, EditError> {
    edited_with_notes(text, values, &[])
}

/// [`edited`], and each of `notes` written as its comment line `# KEY=value`: over every note line of its key
/// and every assignment of its key (whose line, trailing comment included, becomes the note, so that no
/// reader sees the key), else on a new line right after the last assignment of its `after` key (else at the
/// end). A note without a value only turns assignments of its key into notes.
pub(crate) fn edited_with_notes(text: &str, values: &[(&str, &str)], notes: &[Note]) -> Result<String, EditError> {
    let mut written = values
        .iter()
        .copied()
        .chain(notes.iter().filter_map(|note| Some((note.key, note.value?))));
    if let Some((key, _)) = written.find(|(_, value)| {
        pieces(value)
            .iter()
            .any(|piece| matches!(piece, Piece::Reference { .. }))
    }) {
        return Err(EditError::WouldInterpolate { key: key.to_owned() });
    }
    let statements = statements(text);
    let lines: Vec<usize> = statements
        .iter()
        .filter(|statement| statement.kind == Kind::Bad)
        .map(|statement| statement.line)
        .collect();
    if !lines.is_empty() {
        return Err(EditError::BadLines { lines });
    }
    let line_ending = text.find(['\r', '\n']).map_or("\n", |at| line_break_at(&text[at..]));
    let placements: Vec<Placement> = notes
        .iter()
        .map(|note| {
            if note.value.is_none() || statements.iter().any(|statement| note.is_at(statement)) {
                return Placement::InPlace;
            }
            let after = statements.iter().rposition(
                |statement| matches!(&statement.kind, Kind::Assignment(assignment) if assignment.key == note.after),
            );
            after.map_or(Placement::AtTheEnd, Placement::After)
        })
        .collect();

    let mut result = String::with_capacity(text.len() + 256);
    let mut copied_up_to = 0;
    let mut assigned = vec![false; values.len()];
    for (index, statement) in statements.iter().enumerate() {
        if let Some(note) = notes.iter().find(|note| note.is_at(statement)) {
            if let Some(line) = note.line_over(statement) {
                result.push_str(&text[copied_up_to..statement.bytes.start]);
                result.push_str(&line);
                copied_up_to = statement.bytes.end;
            }
            continue;
        }
        let Kind::Assignment(assignment) = &statement.kind else {
            continue;
        };
        if let Some(value) = values.iter().position(|(key, _)| *key == assignment.key) {
            assigned[value] = true;
            let bytes = &assignment.value_bytes;
            result.push_str(&text[copied_up_to..bytes.start]);
            if assignment.value.is_none() {
                result.push('=');
            }
            result.push_str(&quoted(values[value].1));
            // `"old"# comment` is a comment after a quoted value; after an unquoted one it would be value.
            if text[bytes.end..].starts_with('#') {
                result.push(' ');
            }
            copied_up_to = bytes.end;
        }
        for line in notes
            .iter()
            .zip(&placements)
            .filter(|(_, at)| **at == Placement::After(index))
            .filter_map(|(note, _)| note.line())
        {
            let line_end = statement.bytes.end + line_break_at(&text[statement.bytes.end..]).len();
            result.push_str(&text[copied_up_to..line_end]);
            copied_up_to = line_end;
            if !result.ends_with(['\n', '\r']) {
                result.push_str(line_ending);
            }
            result.push_str(&line);
            result.push_str(line_ending);
        }
    }
    result.push_str(&text[copied_up_to..]);

    let mut missing: Vec<String> = values
        .iter()
        .zip(&assigned)
        .filter(|(_, done)| !**done)
        .map(|((key, value), _)| format!("{key}={}", quoted(value)))
        .collect();
    missing.extend(
        notes
            .iter()
            .zip(&placements)
            .filter(|(_, at)| **at == Placement::AtTheEnd)
            .filter_map(|(note, _)| note.line()),
    );
    if !missing.is_empty() && !result.is_empty() && !result.ends_with(['\n', '\r']) {
        result.push_str(line_ending);
    }
    for line in missing {
        result.push_str(&line);
        result.push_str(line_ending);
    }
    Ok(result)
}

/// Where a note's line goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Placement {
    /// Over its own lines and the assignments of its key: nowhere when there are none (a note without a value).
    InPlace,
    /// On a new line after the statement with this index.
    After(usize),
    /// On a new line at the end, after the keys appended.
    AtTheEnd,
}

/// `value` written so that python-dotenv reads it back exactly: bare when it holds only characters with
/// no meaning to the parser, else in single quotes (literal) when it has no `'`, `\` or line break, else in
/// double quotes with `\\`, `\"`, `\n` and `\r` escaped. (`${` is refused before this.)
pub(crate) fn quoted(value: &str) -> String {
    let bare = |character: char| character.is_ascii_alphanumeric() || "-_./:+=@,".contains(character);
    if !value.is_empty() && value.chars().all(bare) {
        value.to_owned()
    } else if !value.contains(['\'', '\\', '\n', '\r']) {
        format!("'{value}'")
    } else {
        let mut escaped = String::with_capacity(value.len() + 2);
        escaped.push('"');
        for character in value.chars() {
            match character {
                '\\' => escaped.push_str("\\\\"),
                '"' => escaped.push_str("\\\""),
                '\n' => escaped.push_str("\\n"),
                '\r' => escaped.push_str("\\r"),
                other => escaped.push(other),
            }
        }
        escaped.push('"');
        escaped
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::EnvFile;
    use crate::Note;

    fn read(text: &str) -> Vec<(String, Option<String>)> {
        EnvFile::parse(text)
            .values(|_| None)
            .into_iter()
            .map(|(key, setting)| (key, setting.value))
            .collect()
    }

    #[test]
    fn replaces_values_in_place_and_keeps_every_other_byte() {
        let before = "# Credere\r\nexport  POOL = old # the pool\r\nX=1\r\nM=\"a\r\nPOOL=inner\"\r\nPOOL\r\nlast=2";
        let after = edited(before, &[("POOL", "eu-west-1_Ab"), ("NEW", "n")]).unwrap();
        assert_eq!(
            after,
            "# Credere\r\nexport  POOL = eu-west-1_Ab # the pool\r\nX=1\r\nM=\"a\r\nPOOL=inner\"\r\nPOOL=eu-west-1_Ab\r\nlast=2\r\nNEW=n\r\n"
        );
    }

    #[test]
    fn an_empty_text_gets_one_line_per_key() {
        assert_eq!(edited("", &[("A", "1"), ("B", "")]).unwrap(), "A=1\nB=''\n");
    }

    #[test]
    fn a_comment_right_after_a_quoted_value_stays_a_comment() {
        assert_eq!(edited("A='x'# c\n", &[("A", "y")]).unwrap(), "A=y # c\n");
        assert_eq!(edited("A= # c\n", &[("A", "y")]).unwrap(), "A=y # c\n");
    }

    #[test]
    fn awkward_values_read_back_exactly() {
        for value in [
            "a+b/c==",
            "it's",
            "a b #c",
            "$HOME",
            "\"q\"",
            "back\\slash\\n",
            "two\nlines\r",
            "é ü",
            "",
        ] {
            let text = edited("A=old\n", &[("A", value)]).unwrap();
            assert_eq!(read(&text), [("A".to_owned(), Some(value.to_owned()))], "{text}");
        }
    }

    const ID: Note = Note {
        key: "SECRET_ID",
        value: Some("client--1"),
        after: "SECRET",
    };

    #[test]
    fn a_note_goes_right_after_its_key_and_is_replaced_in_place_next_time() {
        let before = "A=1\r\nSECRET='old' # keep\r\nB=\"two\r\nlines\"\r\nSECRET=\"multi\r\nline\"\r\nC=3";
        let first = edited_with_notes(before, &[("SECRET", "new")], &[ID]).unwrap();
        assert_eq!(
            first,
            "A=1\r\nSECRET=new # keep\r\nB=\"two\r\nlines\"\r\nSECRET=new\r\n# SECRET_ID=client--1\r\nC=3"
        );
        let file = EnvFile::parse(&first);
        assert_eq!(
            file.note("SECRET_ID").and_then(|note| note.value).as_deref(),
            Some("client--1")
        );
        assert!(
            read(&first).iter().all(|(key, _)| key != "SECRET_ID"),
            "python-dotenv skips it"
        );

        let moved = first.replace("# SECRET_ID=client--1\r\n", "") + "\r\n#SECRET_ID=client--1 # by hand";
        let second = Note {
            value: Some("client--2"),
            ..ID
        };
        assert_eq!(
            edited_with_notes(&moved, &[("SECRET", "newer")], &[second]).unwrap(),
            "A=1\r\nSECRET=newer # keep\r\nB=\"two\r\nlines\"\r\nSECRET=newer\r\nC=3\r\n# SECRET_ID=client--2",
            "its own line is replaced where it is, not added again"
        );
    }

    #[test]
    fn an_assignment_of_the_notes_key_becomes_the_note() {
        let before = "SECRET=s\nexport SECRET_ID=client--0 # old\nX=1\n  SECRET_ID=client--0\n";
        let after = edited_with_notes(before, &[], &[ID]).unwrap();
        assert_eq!(after, "SECRET=s\n# SECRET_ID=client--1\nX=1\n  # SECRET_ID=client--1\n");
        assert_eq!(
            read(&after),
            [
                ("SECRET".to_owned(), Some("s".to_owned())),
                ("X".to_owned(), Some("1".to_owned()))
            ]
        );

        let keep = Note { value: None, ..ID };
        assert_eq!(
            edited_with_notes(before, &[("X", "2")], &[keep]).unwrap(),
            "SECRET=s\n# SECRET_ID=client--0\nX=2\n  # SECRET_ID=client--0\n",
            "without a value, the assignment's own value becomes the note"
        );
        for unchanged in ["SECRET=s\n#  SECRET_ID='client--0' # by hand\n", "SECRET=s\n"] {
            assert_eq!(edited_with_notes(unchanged, &[], &[keep]).unwrap(), unchanged);
        }
    }

    #[test]
    fn a_note_without_its_key_goes_after_the_keys_appended() {
        assert_eq!(
            edited_with_notes("A=1", &[("SECRET", "s")], &[ID]).unwrap(),
            "A=1\nSECRET=s\n# SECRET_ID=client--1\n"
        );
        assert_eq!(
            edited_with_notes("SECRET=s", &[], &[ID]).unwrap(),
            "SECRET=s\n# SECRET_ID=client--1\n"
        );
        assert_eq!(
            edited_with_notes("", &[], &[Note { value: Some(""), ..ID }]).unwrap(),
            "# SECRET_ID=''\n"
        );
        assert_eq!(
            edited_with_notes(
                "",
                &[],
                &[Note {
                    value: Some("${X}"),
                    ..ID
                }]
            ),
            Err(EditError::WouldInterpolate {
                key: "SECRET_ID".into()
            })
        );
    }

    #[test]
    fn refuses_what_cannot_read_back_or_could_swallow_lines() {
        assert_eq!(
            edited("", &[("SECRET", "a${B}c")]),
            Err(EditError::WouldInterpolate { key: "SECRET".into() })
        );
        let error = edited("A=1\nB=\"open\n", &[("A", "x\"y")]).unwrap_err();
        assert_eq!(error, EditError::BadLines { lines: vec![2] });
        assert!(!error.to_string().contains("open"), "{error}");
    }
}
