//! How settings read as text, shared by plans and the rendered documentation so both say the same.

use std::collections::BTreeSet;
use std::fmt;

use crate::settings::{EmailConfiguration, Tags};

/// A list of values as plans and the generated docs show it: `[a, b]`, or `[]` for none.
///
/// ```
/// let flows = ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"];
/// assert_eq!(pool_spec::Bracketed::new(flows).to_string(), "[ALLOW_USER_SRP_AUTH, ALLOW_REFRESH_TOKEN_AUTH]");
/// assert_eq!(pool_spec::Bracketed::new(Vec::<u8>::new()).to_string(), "[]");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bracketed<T>(Vec<T>);

impl<T: fmt::Display> Bracketed<T> {
    /// The values, in the order given.
    pub fn new(items: impl IntoIterator<Item = T>) -> Self {
        Self(items.into_iter().collect())
    }
}

impl<T: fmt::Display> fmt::Display for Bracketed<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[")?;
        for (index, item) in self.0.iter().enumerate() {
            if index > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{item}")?;
        }
        f.write_str("]")
    }
}

/// `[a, b]`, or `[]` for nothing.
pub(crate) fn list<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    Bracketed::new(items).to_string()
}

/// A set of Cognito names as `[a, b]`, in sorted order.
pub(crate) fn set(items: &BTreeSet<String>) -> String {
    list(items.iter().map(String::as_str))
}

/// Tags as `{key=value, …}`.
pub(crate) fn tag_list(tags: &Tags) -> String {
    let pairs: Vec<String> = tags.iter().map(|(key, value)| format!("{key}={value}")).collect();
    format!("{{{}}}", pairs.join(", "))
}

impl fmt::Display for EmailConfiguration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EmailConfiguration::CognitoDefault => f.write_str("COGNITO_DEFAULT"),
            EmailConfiguration::Developer { source_arn, from } => {
                write!(f, "DEVELOPER from {from} through {source_arn}")
            }
        }
    }
}

/// A value from outside the tool (Cognito, the database, a file) as human output may show it: characters that
/// would act on the terminal instead of showing (controls such as `\r` and ESC, bidirectional and other invisible
/// format characters, line separators, spaces other than U+0020) are written as Rust escapes (`\r`, `\u{1b}`,
/// `\u{202e}`), and `\` as `\\`, so the escaped text reads back unambiguously. Everything else, accents and other
/// scripts included, shows as it is. JSON output keeps values exact and does not use this.
///
/// ```
/// use pool_spec::Shown;
///
/// assert_eq!(Shown("ana@example.org").to_string(), "ana@example.org");
/// assert_eq!(Shown("No findings.\r4 finding(s)").to_string(), r"No findings.\r4 finding(s)");
/// assert_eq!(Shown("\u{1b}[8mhidden").to_string(), r"\u{1b}[8mhidden");
/// assert_eq!(Shown("gro\u{202e}gro").to_string(), r"gro\u{202e}gro");
/// assert_eq!(Shown("José Müller 日本").to_string(), "José Müller 日本");
/// assert_eq!(Shown("C:\\path").to_string(), r"C:\\path");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shown<'a>(pub &'a str);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for character in self.0.chars() {
            if acts_on_terminal(character) {
                write!(f, "{}", character.escape_debug())?;
            } else {
                write!(f, "{character}")?;
            }
        }
        Ok(())
    }
}

/// Whether `character` would do something other than show a glyph: what std's `escape_debug` escapes as
/// unprintable (its Unicode tables follow the compiler's), plus `\`. Quotes and combining marks are not escaped:
/// after a base character they are ordinary text.
fn acts_on_terminal(character: char) -> bool {
    match character {
        '\\' => true,
        '\'' | '"' | ' ' => false,
        _ => {
            // `str::escape_debug` escapes a combining mark only at the start of the string; after `x` it escapes
            // exactly what cannot be printed.
            let mut buffer = [0_u8; 8];
            buffer[0] = b'x';
            let length = 1 + character.encode_utf8(&mut buffer[1..]).len();
            let pair = std::str::from_utf8(&buffer[..length]).unwrap_or("x");
            pair.escape_debug().nth(1) != Some(character)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Shown;

    #[test]
    fn every_control_format_and_separator_character_is_escaped_and_no_letter_is() {
        let acting = [
            '\0',
            '\u{7}',
            '\u{8}',
            '\t',
            '\n',
            '\u{b}',
            '\u{c}',
            '\r',
            '\u{1b}',
            '\u{7f}',
            '\u{85}',
            '\u{9b}',
            '\u{a0}',
            '\u{ad}',
            '\u{200b}',
            '\u{200e}',
            '\u{200f}',
            '\u{2028}',
            '\u{2029}',
            '\u{202a}',
            '\u{202e}',
            '\u{2066}',
            '\u{2069}',
            '\u{3000}',
            '\u{feff}',
            '\u{e000}',
            '\u{fff9}',
            '\u{e0001}',
        ];
        for character in acting {
            let shown = Shown(&character.to_string()).to_string();
            assert!(shown.starts_with('\\'), "{character:?} shows as {shown:?}");
            assert!(shown.is_ascii(), "{character:?} shows as {shown:?}");
        }
        for text in [
            "a", "Z", "é", "e\u{301}", "ß", "日本", "Ω", "K", "'", "\"", " ", "@", "+", "🙂",
        ] {
            assert_eq!(Shown(text).to_string(), text);
        }
    }

    #[test]
    fn what_is_shown_reads_back_to_one_value() {
        // A literal backslash-u in a value must not look like an escaped character.
        assert_eq!(Shown(r"\u{1b}").to_string(), r"\\u{1b}");
        assert_ne!(Shown(r"\u{1b}").to_string(), Shown("\u{1b}").to_string());
    }
}
