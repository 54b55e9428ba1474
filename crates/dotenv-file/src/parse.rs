//! The statements of a `.env` text, split exactly as python-dotenv's parser splits them.
//!
//! python-dotenv opens the file in text mode, so `\r\n` and a lone `\r` reach its parser as `\n`; here the
//! original text is kept (an edit must keep every other byte) and each of the three counts as one line
//! break, while keys and values get the `\n` python-dotenv would see.

use std::ops::Range;

/// One statement, as python-dotenv's parser yields it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Statement {
    /// The 1-based line of its first non-blank character.
    pub line: usize,
    /// Its bytes, from its first non-blank character to the end of its last line (its line break excluded).
    pub bytes: Range<usize>,
    pub kind: Kind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Blank lines at the end of the text.
    Nothing,
    /// Blank lines, then a line holding only a comment: its text, from the `#` (or an `export` before it) to the
    /// end of the line.
    Comment(String),
    /// A statement python-dotenv cannot parse: it skips it, with a warning.
    Bad,
    /// `KEY=value` or a bare `KEY` (value `None`).
    Assignment(Assignment),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Assignment {
    pub key: String,
    /// The value with its quotes removed and escapes decoded; not interpolated.
    pub value: Option<String>,
    /// The bytes of the original text that hold the value (quotes included), or, for a bare `KEY`, the
    /// empty range right after the key.
    pub value_bytes: Range<usize>,
}

/// Splits `text` into statements. Never fails: python-dotenv skips what it cannot parse.
pub(crate) fn statements(text: &str) -> Vec<Statement> {
    let mut cursor = Cursor {
        text,
        pos: text.strip_prefix('\u{feff}').map_or(0, |_| '\u{feff}'.len_utf8()),
    };
    let lines = LineStarts::new(text);
    let mut statements = Vec::new();
    while cursor.pos < text.len() {
        cursor.skip(is_space);
        let start = cursor.pos;
        let line = lines.line_of(start);
        let kind = if cursor.pos == text.len() {
            Kind::Nothing
        } else {
            cursor.statement().unwrap_or_else(|Unparsable| {
                cursor.rest_of_line();
                Kind::Bad
            })
        };
        let end = start + text[start..cursor.pos].trim_end_matches(is_line_break).len();
        statements.push(Statement {
            line,
            bytes: start..end,
            kind,
        });
    }
    statements
}

/// Python's `str.isspace`, which is what `\s` means in python-dotenv's patterns: Unicode's white space
/// plus the four information separators U+001C..U+001F.
pub(crate) fn is_space(character: char) -> bool {
    character.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&character)
}

/// White space that does not end a line (python-dotenv's `[^\S\r\n]`).
pub(crate) fn is_inline_space(character: char) -> bool {
    is_space(character) && !is_line_break(character)
}

fn is_line_break(character: char) -> bool {
    character == '\n' || character == '\r'
}

/// The line break `rest` starts with: `\r\n`, `\r`, `\n`, or empty when it starts with none.
pub(crate) fn line_break_at(rest: &str) -> &str {
    let length = if rest.starts_with("\r\n") {
        2
    } else if rest.starts_with(is_line_break) {
        1
    } else {
        0
    };
    &rest[..length]
}

/// The text as python-dotenv's parser sees it: every line break is `\n`.
fn as_python_reads(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n")
}

/// A statement python-dotenv gives up on.
struct Unparsable;

struct Cursor<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn rest(&self) -> &'a str {
        &self.text[self.pos..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn skip(&mut self, keep_going: impl Fn(char) -> bool) -> Range<usize> {
        let start = self.pos;
        let length = self
            .rest()
            .find(|character| !keep_going(character))
            .unwrap_or(self.rest().len());
        self.pos += length;
        start..self.pos
    }

    /// Consumes one line break (`\r\n`, `\r` or `\n`) if there is one here.
    fn line_break(&mut self) -> bool {
        let length = line_break_at(self.rest()).len();
        self.pos += length;
        length > 0
    }

    fn statement(&mut self) -> Result<Kind, Unparsable> {
        let start = self.pos;
        self.export();
        let key = self.key()?;
        let key_end = self.pos;
        self.skip(is_inline_space);
        let value = if self.peek() == Some('=') {
            self.pos += 1;
            let spaces = self.skip(is_inline_space);
            if !spaces.is_empty() && self.peek() == Some('#') {
                // `KEY= # comment`: an empty value, then a comment.
                Some((String::new(), spaces.start..spaces.start))
            } else {
                Some(self.value()?)
            }
        } else {
            None
        };
        self.comment();
        self.end_of_line()?;
        Ok(match key {
            None => Kind::Comment(self.text[start..self.pos].trim_end_matches(is_space).to_owned()),
            Some(key) => {
                let (value, value_bytes) = match value {
                    Some((value, bytes)) => (Some(value), bytes),
                    None => (None, key_end..key_end),
                };
                Kind::Assignment(Assignment {
                    key,
                    value,
                    value_bytes,
                })
            }
        })
    }

    /// An optional `export` followed by inline white space.
    fn export(&mut self) {
        if let Some(after) = self.rest().strip_prefix("export")
            && after.starts_with(is_inline_space)
        {
            self.pos += "export".len();
            self.skip(is_inline_space);
        }
    }

    /// `None` where a comment starts instead.
    fn key(&mut self) -> Result<Option<String>, Unparsable> {
        match self.peek() {
            Some('#') => Ok(None),
            Some('\'') => {
                let body = &self.rest()[1..];
                match body.find('\'') {
                    Some(length) if length > 0 => {
                        self.pos += length + 2;
                        Ok(Some(as_python_reads(&body[..length])))
                    }
                    _ => Err(Unparsable),
                }
            }
            _ => {
                let key = self.skip(|character| character != '=' && character != '#' && !is_space(character));
                if key.is_empty() {
                    return Err(Unparsable);
                }
                Ok(Some(self.text[key].to_owned()))
            }
        }
    }

    /// The value and the bytes it occupies.
    fn value(&mut self) -> Result<(String, Range<usize>), Unparsable> {
        let start = self.pos;
        match self.peek() {
            Some(quote @ ('\'' | '"')) => {
                let body = &self.rest()[1..];
                let mut characters = body.char_indices();
                let length = loop {
                    match characters.next() {
                        None => return Err(Unparsable),
                        // A backslash always takes the next character with it, whatever it is.
                        Some((_, '\\')) => {
                            characters.next().ok_or(Unparsable)?;
                        }
                        Some((index, character)) if character == quote => break index,
                        Some(_) => {}
                    }
                };
                self.pos += length + 2;
                let raw = as_python_reads(&body[..length]);
                Ok((decode_escapes(&raw, quote), start..self.pos))
            }
            None | Some('\n' | '\r') => Ok((String::new(), start..start)),
            Some(_) => {
                let line = self.skip(|character| !is_line_break(character));
                let value = unquoted_value(&self.text[line]);
                Ok((value.to_owned(), start..start + value.len()))
            }
        }
    }

    /// An optional comment: inline white space, `#`, the rest of the line.
    fn comment(&mut self) {
        let start = self.pos;
        self.skip(is_inline_space);
        if self.peek() == Some('#') {
            self.skip(|character| !is_line_break(character));
        } else {
            self.pos = start;
        }
    }

    fn end_of_line(&mut self) -> Result<(), Unparsable> {
        self.skip(is_inline_space);
        if self.line_break() || self.pos == self.text.len() {
            Ok(())
        } else {
            Err(Unparsable)
        }
    }

    /// Where python-dotenv resumes after a statement it could not parse: the next line.
    fn rest_of_line(&mut self) {
        self.skip(|character| !is_line_break(character));
        self.line_break();
    }
}

/// An unquoted value ends before the first white space that is followed by `#`, and never ends in white
/// space.
fn unquoted_value(line: &str) -> &str {
    let mut comment = line.len();
    let mut run_start = None;
    for (index, character) in line.char_indices() {
        if is_space(character) {
            run_start.get_or_insert(index);
        } else {
            if character == '#'
                && let Some(start) = run_start
            {
                comment = start;
                break;
            }
            run_start = None;
        }
    }
    line[..comment].trim_end_matches(is_space)
}

/// python-dotenv's escapes: in single quotes only `\\` and `\'`; in double quotes also `\"` and the C escapes
/// `\a \b \f \n \r \t \v`. Any other backslash stays as it is.
fn decode_escapes(raw: &str, quote: char) -> String {
    let mut decoded = String::with_capacity(raw.len());
    let mut characters = raw.chars();
    while let Some(character) = characters.next() {
        if character != '\\' {
            decoded.push(character);
            continue;
        }
        let Some(next) = characters.next() else {
            decoded.push('\\');
            break;
        };
        let escaped = match (quote, next) {
            (_, '\\' | '\'') => Some(next),
            ('"', '"') => Some('"'),
            ('"', 'a') => Some('\u{7}'),
            ('"', 'b') => Some('\u{8}'),
            ('"', 'f') => Some('\u{c}'),
            ('"', 'n') => Some('\n'),
            ('"', 'r') => Some('\r'),
            ('"', 't') => Some('\t'),
            ('"', 'v') => Some('\u{b}'),
            _ => None,
        };
        match escaped {
            Some(character) => decoded.push(character),
            None => decoded.extend(['\\', next]),
        }
    }
    decoded
}

/// The 1-based line of the byte at `offset` in `text`.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    LineStarts::new(text).line_of(offset)
}

/// Byte offsets where lines start, so a statement's line number comes from its offset.
struct LineStarts(Vec<usize>);

impl LineStarts {
    fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        for (index, byte) in bytes.iter().enumerate() {
            let ends_a_line = *byte == b'\n' || (*byte == b'\r' && bytes.get(index + 1) != Some(&b'\n'));
            if ends_a_line {
                starts.push(index + 1);
            }
        }
        Self(starts)
    }

    fn line_of(&self, offset: usize) -> usize {
        self.0.partition_point(|start| *start <= offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assignments(text: &str) -> Vec<(String, Option<String>)> {
        statements(text)
            .into_iter()
            .filter_map(|statement| match statement.kind {
                Kind::Assignment(assignment) => Some((assignment.key, assignment.value)),
                _ => None,
            })
            .collect()
    }

    fn pairs(expected: &[(&str, Option<&str>)]) -> Vec<(String, Option<String>)> {
        expected
            .iter()
            .map(|(key, value)| ((*key).to_owned(), value.map(str::to_owned)))
            .collect()
    }

    fn bad_lines(text: &str) -> Vec<usize> {
        statements(text)
            .into_iter()
            .filter(|statement| statement.kind == Kind::Bad)
            .map(|statement| statement.line)
            .collect()
    }

    #[test]
    fn unquoted_values_keep_spaces_and_lose_comments_after_white_space() {
        assert_eq!(
            assignments("A=1 2 3\nB=x#y\nC=x #y\nD= #c\nE=\nF\nexport G=g  \n"),
            pairs(&[
                ("A", Some("1 2 3")),
                ("B", Some("x#y")),
                ("C", Some("x")),
                ("D", Some("")),
                ("E", Some("")),
                ("F", None),
                ("G", Some("g")),
            ])
        );
    }

    #[test]
    fn quotes_escapes_and_multi_line_values() {
        let text = "S='a\\'b\\n'\nD=\"a\\\"b\\n\\$c\"\nM=\"first\r\nCOGNITO_CLIENT_ID=inner\"\nN=1\n";
        assert_eq!(
            assignments(text),
            pairs(&[
                ("S", Some("a'b\\n")),
                ("D", Some("a\"b\n\\$c")),
                ("M", Some("first\nCOGNITO_CLIENT_ID=inner")),
                ("N", Some("1")),
            ])
        );
        let lines: Vec<usize> = statements(text).iter().map(|statement| statement.line).collect();
        assert_eq!(lines, [1, 2, 3, 5]);
    }

    #[test]
    fn bad_statements_are_skipped_and_located_by_their_first_line() {
        let text = "A=1\n\n  \nnot a setting\nB=\"open\nC=3\r\nD='x' trailing\n=5\n";
        assert_eq!(bad_lines(text), [4, 5, 7, 8]);
        assert_eq!(assignments(text), pairs(&[("A", Some("1")), ("C", Some("3"))]));
    }

    #[test]
    fn value_bytes_cover_exactly_the_value() {
        let text = "export  K = \"v\" # c\r\nL=plain value  # c\nM\n";
        let spans: Vec<&str> = statements(text)
            .into_iter()
            .filter_map(|statement| match statement.kind {
                Kind::Assignment(assignment) => Some(&text[assignment.value_bytes]),
                _ => None,
            })
            .collect();
        assert_eq!(spans, ["\"v\"", "plain value", ""]);
    }

    #[test]
    fn a_byte_order_mark_is_not_part_of_the_first_key() {
        assert_eq!(assignments("\u{feff}A=1"), pairs(&[("A", Some("1"))]));
    }
}
