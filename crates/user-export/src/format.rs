//! The file: versioned JSON Lines. Line 1 is the header (`"format"`, `"version"`, then the [`Header`]); each user
//! is a line `{"user": …}`; the last line, `{"end": {"users": N}}`, closes the file, so that a file cut short
//! (a full disk, a killed copy) is told from a whole one.

use std::io::{BufRead, Write};

use chrono::{DateTime, Utc};
use pool_spec::{CustomAttribute, Observed, Shown};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The `"format"` of line 1: what tells this tool's files from any other JSON Lines.
pub const FORMAT: &str = "credere-cognito-users";
/// The version of the format this tool writes, and the newest it reads.
pub const VERSION: u64 = 1;

/// What line 1 says, beyond the format and its version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    /// The tool and its version that wrote the file, e.g. `credere-cognito 0.1.0`.
    pub tool: String,
    /// When the export began.
    pub exported_at: DateTime<Utc>,
    /// The pool read.
    pub pool: PoolFacts,
    /// The pool's settings as `provision` observes them (without its app client), in the spec's shape.
    pub settings: Observed,
    /// Every group of the pool.
    pub groups: Vec<Group>,
    /// The custom attributes of the pool's schema (from the same DescribeUserPool answer as `settings`): what a
    /// pool must have before the users that carry them can be created in it. Empty in a file written before they
    /// were recorded.
    #[serde(default)]
    pub custom_attributes: Vec<CustomAttribute>,
}

/// The pool a file was read from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolFacts {
    /// Its ID.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its region.
    pub region: String,
    /// How many users it reported (DescribeUserPool's `EstimatedNumberOfUsers`), when the export began: an
    /// estimate, which the number of users in the file may differ from.
    pub reported_users: u64,
}

/// A group of the pool, as ListGroups reported it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    /// `GroupName`.
    pub name: String,
    /// `Description`.
    pub description: Option<String>,
    /// `Precedence`.
    pub precedence: Option<i32>,
    /// `RoleArn`.
    pub role_arn: Option<String>,
}

/// A user, as ListUsers reported it, with the groups it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct User {
    /// `Username`: in Credere's pools, the user's `sub`, which `credere_user.external_id` holds.
    pub username: String,
    /// Every attribute, in the order Cognito listed them (`sub`, `email`, `email_verified` and any other).
    pub attributes: Vec<Attribute>,
    /// `Enabled`: `false` after AdminDisableUser.
    pub enabled: bool,
    /// `UserStatus` as Cognito spelled it, e.g. `FORCE_CHANGE_PASSWORD`.
    pub status: String,
    /// `UserCreateDate`.
    pub created: Option<DateTime<Utc>>,
    /// `UserLastModifiedDate`.
    pub last_modified: Option<DateTime<Utc>>,
    /// The names of the groups it belongs to, sorted.
    pub groups: Vec<String>,
}

/// One attribute of a user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attribute {
    /// `Name`, e.g. `email` or `custom:lender`.
    pub name: String,
    /// `Value`, as Cognito listed it (`null` where it listed none).
    pub value: Option<String>,
}

impl User {
    /// A user with no attributes, dates or groups.
    pub fn new(username: &str, enabled: bool, status: &str) -> Self {
        Self {
            username: username.to_owned(),
            attributes: Vec::new(),
            enabled,
            status: status.to_owned(),
            created: None,
            last_modified: None,
            groups: Vec::new(),
        }
    }

    /// The value of the attribute `name`, if it has one.
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|attribute| attribute.name == name)
            .and_then(|attribute| attribute.value.as_deref())
    }
}

/// A whole file, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Export {
    /// Line 1.
    pub header: Header,
    /// The users, in the file's order.
    pub users: Vec<User>,
}

impl Export {
    /// Writes the whole file: header, users, closing line.
    pub fn write_to(&self, out: impl Write) -> std::io::Result<()> {
        let mut writer = Writer::start(out, &self.header)?;
        for user in &self.users {
            writer.user(user)?;
        }
        writer.finish().map(drop)
    }
}

/// Line 1 as written: the format and version first, so that a reader of any version finds them.
#[derive(Serialize)]
struct HeaderLine<'a> {
    format: &'static str,
    version: u64,
    #[serde(flatten)]
    header: &'a Header,
}

/// Every line after the first: written with a borrowed user, read with an owned one.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
enum Line<U> {
    User(U),
    End(End),
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct End {
    /// How many user lines came before.
    users: u64,
}

/// Writes a file: [`Writer::start`] writes the header, [`Writer::user`] one line a user, [`Writer::finish`] the
/// closing line. A file whose writer never finished is refused by [`read`].
#[derive(Debug)]
pub struct Writer<W: Write> {
    out: W,
    users: u64,
}

impl<W: Write> Writer<W> {
    /// Writes line 1.
    pub fn start(mut out: W, header: &Header) -> std::io::Result<Self> {
        let line = HeaderLine {
            format: FORMAT,
            version: VERSION,
            header,
        };
        write_line(&mut out, &line)?;
        Ok(Self { out, users: 0 })
    }

    /// Writes one user's line.
    pub fn user(&mut self, user: &User) -> std::io::Result<()> {
        write_line(&mut self.out, &Line::User(user))?;
        self.users += 1;
        Ok(())
    }

    /// Writes the closing line, flushes, and gives the output back.
    pub fn finish(mut self) -> std::io::Result<W> {
        write_line(&mut self.out, &Line::<&User>::End(End { users: self.users }))?;
        self.out.flush()?;
        Ok(self.out)
    }
}

fn write_line(out: &mut impl Write, line: &impl Serialize) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, line)?;
    out.write_all(b"\n")
}

/// Why a file cannot be read. Each names what is wrong and what to do.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The file could not be read.
    #[error("reading the file failed")]
    Io(#[source] std::io::Error),
    /// Line 1 is no header of this format: another tool's file, or no export at all.
    #[error(
        "this is not a file of Credere's users: line 1 {found}, where `cargo xtask users export` writes \
         {{\"format\": \"{FORMAT}\", …}}; give the file that command wrote"
    )]
    NotAnExport {
        /// What line 1 holds instead.
        found: String,
    },
    /// A version of the format newer than this tool reads.
    #[error(
        "the file is version {found} of {FORMAT}, written by {}, and this tool reads version {VERSION} at most: \
         read it with that tool's version or a newer one",
        Shown(.tool)
    )]
    NewerVersion {
        /// The file's version.
        found: u64,
        /// The tool that wrote it, as its header says.
        tool: String,
    },
    /// A line is not what the format allows there.
    #[error(
        "line {line} is not a valid line of a version {VERSION} file ({source}): the file was changed or damaged \
         after the export; export the pool again"
    )]
    Malformed {
        /// The line's number, from 1.
        line: usize,
        /// What was wrong with it.
        source: serde_json::Error,
    },
    /// Two lines hold the same user.
    #[error(
        "line {line} holds user {} again: the file was changed after the export; export the pool again",
        Shown(.username)
    )]
    DuplicateUser {
        /// The second line's number.
        line: usize,
        /// The username.
        username: String,
    },
    /// The file ends without its closing line.
    #[error(
        "the file ends after {users} user(s) without its closing line: the export was cut short (a full disk, an \
         interrupted copy?); export the pool again, or copy the whole file"
    )]
    Truncated {
        /// How many users it held before it ended.
        users: u64,
    },
    /// The closing line counts another number of users than the file holds.
    #[error(
        "the closing line says {declared} user(s) but the file holds {read}: lines were lost or added after the \
         export; export the pool again"
    )]
    CountMismatch {
        /// The closing line's count.
        declared: u64,
        /// The users read.
        read: u64,
    },
    /// Something follows the closing line.
    #[error(
        "line {line} follows the closing line: two files were joined, or the file was changed after the export; \
         give one export as it was written"
    )]
    AfterEnd {
        /// The first line after the closing one.
        line: usize,
    },
}

/// Reads a whole file, checking it as it goes: that line 1 is this format's header and not of a newer version,
/// that every line is valid, that no user comes twice, and that the closing line is there and counts the users.
pub fn read(mut input: impl BufRead) -> Result<Export, ReadError> {
    let mut lines = Lines {
        input: &mut input,
        number: 0,
        text: String::new(),
    };
    let header = match lines.next()? {
        None => {
            return Err(ReadError::NotAnExport {
                found: "is missing: the file is empty".to_owned(),
            });
        }
        Some(Read::Whole) => header(&lines.text)?,
        // Another tool's one-line file is named as such; a header of ours cut short is a truncated file.
        Some(Read::CutShort) => {
            header(&lines.text)?;
            return Err(ReadError::Truncated { users: 0 });
        }
    };
    let mut users = Vec::new();
    let mut usernames = std::collections::HashSet::new();
    loop {
        let read = users.len() as u64;
        match lines.next()? {
            None | Some(Read::CutShort) => return Err(ReadError::Truncated { users: read }),
            Some(Read::Whole) => {}
        }
        let line = lines.number;
        let parsed: Line<User> =
            serde_json::from_str(&lines.text).map_err(|source| ReadError::Malformed { line, source })?;
        match parsed {
            Line::User(user) => {
                if !usernames.insert(user.username.clone()) {
                    return Err(ReadError::DuplicateUser {
                        line,
                        username: user.username,
                    });
                }
                users.push(user);
            }
            Line::End(End { users: declared }) => {
                if declared != read {
                    return Err(ReadError::CountMismatch { declared, read });
                }
                if lines.next()?.is_some() {
                    return Err(ReadError::AfterEnd { line: lines.number });
                }
                return Ok(Export { header, users });
            }
        }
    }
}

/// Line 1: the format and version are checked before the rest is parsed, so another tool's file or a newer
/// version is named as such rather than as a malformed line.
fn header(text: &str) -> Result<Header, ReadError> {
    let not_an_export = |found: String| ReadError::NotAnExport { found };
    let value: Value = serde_json::from_str(text).map_err(|_| not_an_export("is not a JSON object".to_owned()))?;
    let Value::Object(object) = &value else {
        return Err(not_an_export("is not a JSON object".to_owned()));
    };
    match object.get("format") {
        Some(Value::String(format)) if format == FORMAT => {}
        Some(other) => return Err(not_an_export(format!("has \"format\": {}", Shown(&other.to_string())))),
        None => return Err(not_an_export("has no \"format\"".to_owned())),
    }
    let version = match object.get("version") {
        Some(version) => version
            .as_u64()
            .filter(|&version| version >= 1)
            .ok_or_else(|| not_an_export(format!("has \"version\": {}", Shown(&version.to_string()))))?,
        None => return Err(not_an_export("has no \"version\"".to_owned())),
    };
    if version > VERSION {
        let tool = object.get("tool").and_then(Value::as_str).unwrap_or("an unknown tool");
        return Err(ReadError::NewerVersion {
            found: version,
            tool: tool.to_owned(),
        });
    }
    serde_json::from_value(value).map_err(|source| ReadError::Malformed { line: 1, source })
}

/// How a line ended.
enum Read {
    /// With its line break.
    Whole,
    /// At the end of the file, without one: the writer ends every line with one.
    CutShort,
}

/// The file's lines, one at a time, with their numbers.
struct Lines<'a, R> {
    input: &'a mut R,
    number: usize,
    text: String,
}

impl<R: BufRead> Lines<'_, R> {
    fn next(&mut self) -> Result<Option<Read>, ReadError> {
        self.text.clear();
        let read = self.input.read_line(&mut self.text).map_err(|error| {
            if error.kind() == std::io::ErrorKind::InvalidData {
                // Not UTF-8: no JSON, so no line of the format.
                ReadError::Malformed {
                    line: self.number + 1,
                    source: serde_json::Error::io(error),
                }
            } else {
                ReadError::Io(error)
            }
        })?;
        if read == 0 {
            return Ok(None);
        }
        self.number += 1;
        Ok(Some(if self.text.ends_with('\n') {
            Read::Whole
        } else {
            Read::CutShort
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> Header {
        let spec = pool_spec::production()
            .resolve(Some(&pool_spec::ses_identity_arn(
                "us-east-1",
                "123456789012",
                pool_spec::SES_IDENTITY,
            )))
            .unwrap();
        Header {
            tool: "credere-cognito 0.1.0".into(),
            exported_at: "2026-12-05T20:00:00.123456789Z".parse().unwrap(),
            pool: PoolFacts {
                id: "us-east-1_AbC123".into(),
                name: "credere-production".into(),
                region: "us-east-1".into(),
                reported_users: 3,
            },
            settings: Observed {
                pool: spec.pool().clone(),
                email: spec.email().clone(),
                mfa: spec.mfa().clone(),
                tags: spec.tags().clone(),
                client: None,
                plan_features: Default::default(),
            },
            groups: vec![Group {
                name: "staff".into(),
                description: Some("Credere's staff \"OCP\"\nsecond line".into()),
                precedence: Some(1),
                role_arn: None,
            }],
            custom_attributes: vec![CustomAttribute {
                name: "custom:lender".into(),
                data_type: "String".into(),
                mutable: Some(true),
            }],
        }
    }

    fn users() -> Vec<User> {
        let attribute = |name: &str, value: Option<&str>| Attribute {
            name: name.into(),
            value: value.map(str::to_owned),
        };
        vec![
            User {
                attributes: vec![
                    attribute("sub", Some("0d8a6b1e-0000-4000-8000-000000000001")),
                    attribute("email", Some("ana@example.org")),
                    attribute("email_verified", Some("true")),
                    attribute("custom:lender", Some("Banco \u{1b}[31m ñ")),
                    attribute("locale", None),
                ],
                created: Some("2026-01-02T03:04:05.678Z".parse().unwrap()),
                last_modified: Some("2026-02-03T04:05:06Z".parse().unwrap()),
                groups: vec!["staff".into()],
                ..User::new("0d8a6b1e-0000-4000-8000-000000000001", true, "CONFIRMED")
            },
            User::new("f00d", false, "FORCE_CHANGE_PASSWORD"),
        ]
    }

    fn written(users: &[User]) -> String {
        let mut writer = Writer::start(Vec::new(), &header()).unwrap();
        for user in users {
            writer.user(user).unwrap();
        }
        String::from_utf8(writer.finish().unwrap()).unwrap()
    }

    fn read_text(text: &str) -> Result<Export, ReadError> {
        read(text.as_bytes())
    }

    /// `text` with line `number` (from 1) replaced.
    fn with_line(text: &str, number: usize, line: &str) -> String {
        let mut lines: Vec<&str> = text.lines().collect();
        lines[number - 1] = line;
        lines.join("\n") + "\n"
    }

    #[test]
    fn what_is_written_reads_back_exactly() {
        let users = users();
        let read = read_text(&written(&users)).unwrap();
        assert_eq!(read.header, header());
        assert_eq!(read.users, users);
        assert_eq!(read.users[0].attribute("email"), Some("ana@example.org"));
        assert_eq!(read.users[0].attribute("locale"), None);
        let none = read_text(&written(&[])).unwrap();
        assert!(none.users.is_empty());
    }

    #[test]
    fn a_file_written_before_custom_attributes_were_recorded_reads_with_none() {
        let text = written(&users());
        let first = text.lines().next().unwrap();
        let mut header: Value = serde_json::from_str(first).unwrap();
        header.as_object_mut().unwrap().remove("custom_attributes").unwrap();
        let read = read_text(&with_line(&text, 1, &header.to_string())).unwrap();
        assert_eq!(read.header.custom_attributes, Vec::new());
        assert_eq!(read.users, users());
    }

    #[test]
    fn the_header_comes_first_with_format_and_version_and_the_closing_line_counts_the_users() {
        let text = written(&users());
        assert!(text.ends_with('\n'));
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4, "{text}");
        assert!(
            lines[0].starts_with(r#"{"format":"credere-cognito-users","version":1,"tool":"#),
            "{}",
            lines[0]
        );
        assert!(
            lines[1].starts_with(r#"{"user":{"username":"0d8a6b1e-"#),
            "{}",
            lines[1]
        );
        assert_eq!(lines[3], r#"{"end":{"users":2}}"#);
        let header: Value = serde_json::from_str(lines[0]).unwrap();
        assert_eq!(header["pool"]["reported_users"], 3);
        assert_eq!(header["exported_at"], "2026-12-05T20:00:00.123456789Z");
        assert_eq!(header["settings"]["client"], Value::Null);
        // A value with a line break or an escape stays on its line.
        assert!(lines[1].contains(r"Banco \u001b[31m ñ"), "{}", lines[1]);
    }

    #[test]
    fn another_tools_file_is_refused_as_not_an_export() {
        let cases = [
            ("", "is missing: the file is empty"),
            ("Username,Email\nx,y\n", "is not a JSON object"),
            (r#"[{"Username": "x"}]"#, "is not a JSON object"),
            ("{\"Username\": \"x\", \"Attributes\": []}\n", r#"has no "format""#),
            (
                "{\"format\": \"cognito-backup\", \"version\": 1}\n",
                r#"has "format": "cognito-backup""#,
            ),
            ("{\"format\": 7}\n", r#"has "format": 7"#),
            ("{\"format\": \"credere-cognito-users\"}\n", r#"has no "version""#),
            (
                "{\"format\": \"credere-cognito-users\", \"version\": \"1\"}\n",
                r#"has "version": "1""#,
            ),
            (
                "{\"format\": \"credere-cognito-users\", \"version\": 0}\n",
                r#"has "version": 0"#,
            ),
        ];
        for (text, found) in cases {
            match read_text(text) {
                Err(error @ ReadError::NotAnExport { .. }) => {
                    let message = error.to_string();
                    assert!(message.contains(found), "{text:?}: {message}");
                    assert!(message.contains("cargo xtask users export"), "{message}");
                }
                other => panic!("{text:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_newer_version_is_refused_naming_the_tool_that_wrote_it() {
        let text = written(&users()).replacen(r#""version":1"#, r#""version":2"#, 1);
        match read_text(&text) {
            Err(error @ ReadError::NewerVersion { found: 2, .. }) => {
                let message = error.to_string();
                assert!(
                    message.contains("version 2") && message.contains("credere-cognito 0.1.0"),
                    "{message}"
                );
                assert!(message.contains("reads version 1 at most"), "{message}");
            }
            other => panic!("{other:?}"),
        }
        // Whatever else a newer header holds, its version is what is named.
        let newer = "{\"format\": \"credere-cognito-users\", \"version\": 9, \"changed\": true}\n";
        assert!(matches!(
            read_text(newer),
            Err(ReadError::NewerVersion { found: 9, .. })
        ));
    }

    #[test]
    fn a_truncated_file_is_refused_however_it_was_cut() {
        let text = written(&users());
        let lines: Vec<&str> = text.lines().collect();
        let without_end = format!("{}\n{}\n{}\n", lines[0], lines[1], lines[2]);
        let cases = [
            (without_end.clone(), 2),
            (without_end[..without_end.len() - 1].to_owned(), 1),
            (text[..text.len() - 1].to_owned(), 2),
            (text[..text.len() - 5].to_owned(), 2),
            (format!("{}\n", lines[0]), 0),
            (lines[0].to_owned(), 0),
        ];
        for (cut, users) in cases {
            match read_text(&cut) {
                Err(error @ ReadError::Truncated { .. }) => {
                    assert!(
                        matches!(error, ReadError::Truncated { users: read } if read == users),
                        "{cut}: {error:?}"
                    );
                    assert!(error.to_string().contains("cut short"), "{error}");
                }
                other => panic!("{cut}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_closing_count_that_differs_is_refused() {
        let text = written(&users());
        let lines: Vec<&str> = text.lines().collect();
        let lost = format!("{}\n{}\n{}\n", lines[0], lines[1], lines[3]);
        assert!(
            matches!(read_text(&lost), Err(ReadError::CountMismatch { declared: 2, read: 1 })),
            "{lost}"
        );
        let more = with_line(&text, 4, r#"{"end":{"users":3}}"#);
        let error = read_text(&more).unwrap_err();
        assert!(
            matches!(error, ReadError::CountMismatch { declared: 3, read: 2 }),
            "{error:?}"
        );
        assert!(
            error.to_string().contains("says 3 user(s) but the file holds 2"),
            "{error}"
        );
    }

    #[test]
    fn a_malformed_line_is_refused_with_its_number() {
        let text = written(&users());
        let cases = [
            (with_line(&text, 2, "{\"user\": "), 2),
            (with_line(&text, 3, r#"{"user":{"username":"x"}}"#), 3),
            (with_line(&text, 2, r#"{"admin":{"username":"x"}}"#), 2),
            (
                with_line(
                    &text,
                    3,
                    &text
                        .lines()
                        .nth(2)
                        .unwrap()
                        .replacen(r#""enabled":false"#, r#""enabled":"no""#, 1),
                ),
                3,
            ),
            (
                with_line(
                    &text,
                    3,
                    &text
                        .lines()
                        .nth(2)
                        .unwrap()
                        .replacen(r#""groups":[]"#, r#""groups":[],"password":"x""#, 1),
                ),
                3,
            ),
            (with_line(&text, 4, r#"{"end":{"users":-1}}"#), 4),
            (
                with_line(
                    &text,
                    1,
                    &text.lines().next().unwrap().replacen(r#""pool":"#, r#""lake":"#, 1),
                ),
                1,
            ),
        ];
        for (bad, number) in cases {
            match read_text(&bad) {
                Err(error @ ReadError::Malformed { .. }) => {
                    assert!(
                        matches!(error, ReadError::Malformed { line, .. } if line == number),
                        "{error:?}"
                    );
                    assert!(
                        error.to_string().starts_with(&format!("line {number} is not")),
                        "{error}"
                    );
                }
                other => panic!("line {number} of {bad}: {other:?}"),
            }
        }
        let mut bytes = text.clone().into_bytes();
        let second = text.find('\n').unwrap() + 3;
        bytes[second] = 0xff;
        assert!(matches!(read(&bytes[..]), Err(ReadError::Malformed { line: 2, .. })));
    }

    #[test]
    fn a_user_twice_and_lines_after_the_closing_one_are_refused() {
        let user = users().remove(1);
        let twice = written(&[user.clone(), user]);
        let error = read_text(&twice).unwrap_err();
        assert!(
            matches!(&error, ReadError::DuplicateUser { line: 3, username } if username == "f00d"),
            "{error:?}"
        );
        let text = written(&users());
        let joined = format!("{text}{text}");
        assert!(matches!(read_text(&joined), Err(ReadError::AfterEnd { line: 5 })));
        let blank = format!("{text}\n");
        assert!(matches!(read_text(&blank), Err(ReadError::AfterEnd { line: 5 })));
    }
}
