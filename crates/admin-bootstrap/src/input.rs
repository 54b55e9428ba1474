//! The command's input as given, and its validation: everything here is checked before any call.

use cognito::{PoolChoice, PoolChoiceError};
use email_address::{EmailAddress, Options};
use pool_spec::Environment;
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};
use user_model::{DatabaseUrl, Language, UnknownCode};

use crate::reset::ResetTarget;

/// Cognito's `Username` holds at most 128 characters, and the email is the `Username`.
pub const MAX_EMAIL_CHARS: usize = 128;
/// A display name longer than this is a paste accident, not a name.
pub const MAX_NAME_CHARS: usize = 255;

/// What the maintainer asked for, as typed (the command line, the environment, a `.env` file).
///
/// Its `Debug` form hides the two URLs, which may hold a password.
#[derive(Clone, Default)]
pub struct Request {
    /// The admin's email; trimmed and lower-cased before use.
    pub email: String,
    /// The admin's display name, stored verbatim.
    pub name: String,
    /// A language code Credere supports, e.g. `es`.
    pub language: String,
    /// The environment whose spec names the pool (`--env`).
    pub environment: Option<Environment>,
    /// The pool's ID (`--pool-id` or `COGNITO_POOL_ID`); with `environment`, both must name the same pool.
    pub pool_id: Option<String>,
    /// `DATABASE_URL`; may hold a password, so it is never shown as given.
    pub database_url: Option<String>,
    /// Point an existing row with another `external_id` at this Cognito user (`--relink`).
    pub relink: bool,
    /// Make an existing `FI` row an `OCP` row (`--promote`).
    pub promote: bool,
    /// credere-backend's base URL, to have it email a link with a temporary password (`--send-reset --backend-url`).
    pub reset_backend_url: Option<String>,
    /// Send the reset even to a user who has set a password of their own, which it replaces (`--yes`).
    pub reset_confirmed: bool,
}

impl std::fmt::Debug for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hidden = |url: &Option<String>| url.as_ref().map(|_| "(hidden)");
        f.debug_struct("Request")
            .field("email", &self.email)
            .field("name", &self.name)
            .field("language", &self.language)
            .field("environment", &self.environment)
            .field("pool_id", &self.pool_id)
            .field("database_url", &hidden(&self.database_url))
            .field("relink", &self.relink)
            .field("promote", &self.promote)
            .field("reset_backend_url", &hidden(&self.reset_backend_url))
            .field("reset_confirmed", &self.reset_confirmed)
            .finish()
    }
}

/// A [`Request`] that passed validation; [`Request::validate`] is the only way to get one, so its fields are
/// read through accessors.
#[derive(Debug, Clone)]
pub struct Input {
    email: String,
    name: String,
    language: Language,
    pool: PoolChoice,
    database_url: DatabaseUrl,
    relink: bool,
    promote: bool,
    reset: Option<ResetTarget>,
    reset_confirmed: bool,
}

impl Input {
    /// Trimmed, lower-cased and syntactically valid.
    pub fn email(&self) -> &str {
        &self.email
    }

    /// Has a visible character, no control or format characters, at most [`MAX_NAME_CHARS`].
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The user's language.
    pub fn language(&self) -> Language {
        self.language
    }

    /// Which pool.
    pub fn pool(&self) -> &PoolChoice {
        &self.pool
    }

    /// A PostgreSQL URL (its `Display` hides the password).
    pub fn database_url(&self) -> &DatabaseUrl {
        &self.database_url
    }

    /// See [`Request::relink`].
    pub fn relink(&self) -> bool {
        self.relink
    }

    /// See [`Request::promote`].
    pub fn promote(&self) -> bool {
        self.promote
    }

    /// Where to request the password-reset email, if asked to.
    pub fn reset(&self) -> Option<&ResetTarget> {
        self.reset.as_ref()
    }

    /// See [`Request::reset_confirmed`].
    pub fn reset_confirmed(&self) -> bool {
        self.reset_confirmed
    }
}

/// Why a [`Request`] was refused before anything was called.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// The email is empty after trimming.
    #[error("the email is empty")]
    EmptyEmail,
    /// The email is longer than Cognito allows.
    #[error("the email has {chars} characters; Cognito usernames hold at most {MAX_EMAIL_CHARS}")]
    EmailTooLong {
        /// Its length in characters.
        chars: usize,
    },
    /// The email is not a valid address.
    #[error("{email:?} is not a valid email address: {reason}")]
    InvalidEmail {
        /// The email after trimming and lower-casing.
        email: String,
        /// The parser's reason.
        reason: email_address::Error,
    },
    /// The name is empty, or made only of characters that show nothing (spaces, zero-width characters…).
    #[error(
        "the name is empty or has no visible character (only spaces or invisible characters such as U+200B); \
         give the admin's display name"
    )]
    BlankName,
    /// The name is too long.
    #[error("the name has {chars} characters; at most {MAX_NAME_CHARS} are accepted")]
    NameTooLong {
        /// Its length in characters.
        chars: usize,
    },
    /// A field holds a control character (a newline, a tab, NUL, an escape…).
    #[error("the {field} contains the control character {character:?} at position {position}")]
    ControlCharacter {
        /// `email` or `name`.
        field: &'static str,
        /// The character.
        character: char,
        /// Its 0-based character position.
        position: usize,
    },
    /// A field holds an invisible Unicode format character (general category Cf): a text-direction control
    /// such as U+202E, which makes a name display reversed, or a zero-width character such as U+200B.
    #[error(
        "the {field} contains the invisible format character {code_point} at position {position}, which changes how \
         it is shown without being seen (a text-direction control or a zero-width character); retype the {field} \
         without it (text copied from documents and chats often carries such characters)"
    )]
    FormatCharacter {
        /// `email` or `name`.
        field: &'static str,
        /// The character, as `U+XXXX`.
        code_point: String,
        /// Its 0-based character position.
        position: usize,
    },
    /// The email holds a non-ASCII character whose lower case holds ASCII letters, such as the Kelvin sign U+212A
    /// (lower case `k`): lower-casing would make it another address than the one typed, and which one depends on
    /// who lower-cases it.
    #[error(
        "the email contains {code_point} at position {position}, which looks like ASCII: {code_point} lower-cases to \
         the ASCII `{lower}`, so the address would change; retype it with plain ASCII letters"
    )]
    AsciiLookalike {
        /// The character, as `U+XXXX`.
        code_point: String,
        /// Its lower case, non-ASCII parts as `\u{…}`.
        lower: String,
        /// Its 0-based character position.
        position: usize,
    },
    /// The language is not one Credere supports.
    #[error(transparent)]
    Language(UnknownCode),
    /// No pool given, or an ID not shaped like one.
    #[error(transparent)]
    Pool(#[from] PoolChoiceError),
    /// No database URL was given.
    #[error("no database given: give its URL, or credere-backend's .env that holds DATABASE_URL")]
    NoDatabase,
    /// The database URL is not a usable PostgreSQL URL.
    #[error(transparent)]
    Database(user_model::Error),
    /// The backend URL for `--send-reset` is not an http(s) URL without credentials.
    #[error("the backend URL {url} is not an http:// or https:// base URL: {reason}")]
    InvalidBackendUrl {
        /// The URL given, quoted, or a note that it is not shown when it may hold a password.
        url: String,
        /// Why it was refused.
        reason: String,
    },
}

impl Request {
    /// Checks every field, normalising the email; makes no call of any kind.
    pub fn validate(&self) -> Result<Input, InputError> {
        let email = normalize_email(&self.email)?;
        let name = validate_name(&self.name)?;
        let language = self.language.trim().parse().map_err(InputError::Language)?;
        let pool = PoolChoice::from_flags(self.environment, self.pool_id.as_deref())?;
        let raw_url = self
            .database_url
            .as_deref()
            .filter(|url| !url.trim().is_empty())
            .ok_or(InputError::NoDatabase)?;
        let database_url = DatabaseUrl::parse(raw_url).map_err(InputError::Database)?;
        let reset = self.reset_backend_url.as_deref().map(ResetTarget::parse).transpose()?;
        Ok(Input {
            email,
            name,
            language,
            pool,
            database_url,
            relink: self.relink,
            promote: self.promote,
            reset,
            reset_confirmed: self.reset_confirmed,
        })
    }
}

/// The email trimmed and lower-cased, once it is a valid address Cognito can take as a sign-in.
pub fn normalize_email(raw: &str) -> Result<String, InputError> {
    reject_ascii_lookalikes(raw.trim())?;
    let email = raw.trim().to_lowercase();
    if email.is_empty() {
        return Err(InputError::EmptyEmail);
    }
    reject_control_characters("email", &email)?;
    let chars = email.chars().count();
    if chars > MAX_EMAIL_CHARS {
        return Err(InputError::EmailTooLong { chars });
    }
    // A bare address with a dotted domain: no "Name <addr>" form, no [IP] literal, no intranet host.
    let options = Options::default()
        .with_required_tld()
        .without_domain_literal()
        .without_display_text();
    EmailAddress::parse_with_options(&email, options).map_err(|reason| InputError::InvalidEmail {
        email: email.clone(),
        reason,
    })?;
    Ok(email)
}

/// Refuses a non-ASCII character whose lower case holds an ASCII character (U+212A KELVIN SIGN → `k`, U+0130 → `i`
/// and a combining dot): Unicode's lower-casing, which Rust and Python share, would turn it into another address,
/// and Cognito documents no folding of its own to rely on.
fn reject_ascii_lookalikes(email: &str) -> Result<(), InputError> {
    for (position, character) in email.chars().enumerate() {
        let lower: String = character.to_lowercase().collect();
        if !character.is_ascii() && lower.chars().any(|lower| lower.is_ascii()) {
            return Err(InputError::AsciiLookalike {
                code_point: format!("U+{:04X}", u32::from(character)),
                lower: lower
                    .chars()
                    .map(|lower| {
                        if lower.is_ascii() {
                            lower.to_string()
                        } else {
                            lower.escape_unicode().to_string()
                        }
                    })
                    .collect(),
                position,
            });
        }
    }
    Ok(())
}

fn validate_name(raw: &str) -> Result<String, InputError> {
    if raw.chars().all(shows_nothing) {
        return Err(InputError::BlankName);
    }
    reject_control_characters("name", raw)?;
    let chars = raw.chars().count();
    if chars > MAX_NAME_CHARS {
        return Err(InputError::NameTooLong { chars });
    }
    Ok(raw.to_owned())
}

/// Refuses control characters (Cc: newline, tab, NUL, escape…) and format characters (Cf: bidi controls,
/// zero-width characters, the byte-order mark…), which no name or email needs and which hide or reorder text.
fn reject_control_characters(field: &'static str, value: &str) -> Result<(), InputError> {
    for (position, character) in value.chars().enumerate() {
        if character.is_control() {
            return Err(InputError::ControlCharacter {
                field,
                character,
                position,
            });
        }
        if character.general_category() == GeneralCategory::Format {
            return Err(InputError::FormatCharacter {
                field,
                code_point: format!("U+{:04X}", u32::from(character)),
                position,
            });
        }
    }
    Ok(())
}

/// Letters that Unicode draws as nothing (they are Default_Ignorable_Code_Point): the Hangul fillers, and the
/// blank Braille pattern. Their categories (Lo, So) say "visible", so they are listed by hand.
const BLANK_LETTERS: &[char] = &['\u{115F}', '\u{1160}', '\u{3164}', '\u{FFA0}', '\u{2800}'];

/// Whether `character` shows nothing on its own: whitespace, a control or format character, a combining mark
/// with nothing to combine with (variation selectors, U+034F), or a blank letter.
fn shows_nothing(character: char) -> bool {
    character.is_whitespace()
        || BLANK_LETTERS.contains(&character)
        || matches!(
            character.general_category(),
            GeneralCategory::Control | GeneralCategory::Format | GeneralCategory::NonspacingMark
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> Request {
        Request {
            email: "Admin@Example.org".into(),
            name: "Ada Admin".into(),
            language: "es".into(),
            pool_id: Some("us-east-1_AbC123".into()),
            database_url: Some("postgresql://u:hunter2@localhost/credere".into()),
            ..Request::default()
        }
    }

    #[test]
    fn normalises_the_email_and_keeps_the_name_verbatim() {
        let input = Request {
            email: "  Admin@Example.ORG \n".into(),
            name: " O'Brien; DROP ".into(),
            ..request()
        }
        .validate()
        .unwrap();
        assert_eq!(input.email(), "admin@example.org");
        assert_eq!(input.name(), " O'Brien; DROP ");
        assert_eq!(input.pool(), &PoolChoice::Id("us-east-1_AbC123".parse().unwrap()));
    }

    #[test]
    fn only_characters_that_lower_case_into_ascii_are_refused() {
        assert_eq!(normalize_email("ÜNAL@example.org").unwrap(), "ünal@example.org");
        let kelvin = normalize_email("\u{212A}im@example.org").unwrap_err();
        assert!(
            matches!(&kelvin, InputError::AsciiLookalike { code_point, lower, position: 0 }
                if code_point == "U+212A" && lower == "k"),
            "{kelvin:?}"
        );
        let dotted = normalize_email("kim@\u{0130}o.example.org").unwrap_err();
        assert!(
            matches!(&dotted, InputError::AsciiLookalike { lower, position: 4, .. } if lower == "i\\u{307}"),
            "{dotted:?}"
        );
    }

    #[test]
    fn an_environment_with_an_id_keeps_both_to_compare() {
        let input = Request {
            environment: Some(Environment::Development),
            ..request()
        }
        .validate()
        .unwrap();
        assert_eq!(
            input.pool(),
            &PoolChoice::Environment {
                environment: Environment::Development,
                pool_id: Some("us-east-1_AbC123".parse().unwrap())
            }
        );
    }

    #[test]
    fn names_in_any_script_are_kept() {
        for name in [
            "José Pérez-Núñez",
            "Nguyễn Thị Minh Khai",
            "李小龍",
            "Zoe\u{308} O'Brien",
            "Ada\u{A0}Admin",
        ] {
            let input = Request {
                name: name.into(),
                ..request()
            }
            .validate()
            .unwrap_or_else(|error| panic!("{name:?}: {error}"));
            assert_eq!(input.name(), name);
        }
    }

    #[test]
    fn a_format_character_is_named_by_code_point_and_position() {
        let error = Request {
            name: "Ada \u{202E}nimdA".into(),
            ..request()
        }
        .validate()
        .unwrap_err();
        let message = error.to_string();
        assert!(message.contains("U+202E at position 4"), "{message}");
        assert!(message.contains("retype the name"), "{message}");
        assert!(
            !message.contains('\u{202E}'),
            "the message must not reorder itself: {message}"
        );
    }

    #[test]
    fn database_errors_hide_the_password() {
        let error = Request {
            database_url: Some("mysql://u:hunter2@localhost/credere".into()),
            ..request()
        }
        .validate()
        .unwrap_err();
        assert!(matches!(error, InputError::Database(_)), "{error:?}");
        assert!(!error.to_string().contains("hunter2"), "{error}");
        assert!(!format!("{:?}", request().validate().unwrap()).contains("hunter2"));
        let with_backend = Request {
            reset_backend_url: Some("https://u:hunter2@backend.example.org".into()),
            ..request()
        };
        assert!(!format!("{with_backend:?}").contains("hunter2"));
    }
}
