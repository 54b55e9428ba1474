//! Setting keys in a `.env` text so that python-dotenv reads the new values and every other byte stays.

use crate::parse::{Kind, statements};
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
    if let Some((key, _)) = values.iter().find(|(_, value)| {
        pieces(value)
            .iter()
            .any(|piece| matches!(piece, Piece::Reference { .. }))
    }) {
        return Err(EditError::WouldInterpolate { key: (*key).to_owned() });
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

    let mut result = String::with_capacity(text.len() + 256);
    let mut copied_up_to = 0;
    let mut assigned = vec![false; values.len()];
    for statement in &statements {
        let Kind::Assignment(assignment) = &statement.kind else {
            continue;
        };
        let Some(index) = values.iter().position(|(key, _)| *key == assignment.key) else {
            continue;
        };
        assigned[index] = true;
        let bytes = &assignment.value_bytes;
        result.push_str(&text[copied_up_to..bytes.start]);
        if assignment.value.is_none() {
            result.push('=');
        }
        result.push_str(&quoted(values[index].1));
        // `"old"# comment` is a comment after a quoted value; after an unquoted one it would be value.
        if text[bytes.end..].starts_with('#') {
            result.push(' ');
        }
        copied_up_to = bytes.end;
    }
    result.push_str(&text[copied_up_to..]);

    let line_ending = match text.find(['\r', '\n']).map(|at| &text[at..]) {
        Some(rest) if rest.starts_with("\r\n") => "\r\n",
        Some(rest) if rest.starts_with('\r') => "\r",
        _ => "\n",
    };
    let missing: Vec<_> = values.iter().zip(&assigned).filter(|(_, done)| !**done).collect();
    if !missing.is_empty() && !result.is_empty() && !result.ends_with(['\n', '\r']) {
        result.push_str(line_ending);
    }
    for ((key, value), _) in missing {
        result.push_str(key);
        result.push('=');
        result.push_str(&quoted(value));
        result.push_str(line_ending);
    }
    Ok(result)
}

/// `value` written so that python-dotenv reads it back exactly: bare when it holds only characters with
/// no meaning to the parser, else in single quotes (literal) when it has no `'`, `\` or line break, else in
/// double quotes with `\\`, `\"`, `\n` and `\r` escaped. (`${` is refused before this.)
fn quoted(value: &str) -> String {
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
