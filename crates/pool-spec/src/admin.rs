//! How a first administrator is created: the choices `cargo xtask admin` makes in AdminCreateUser and in the
//! `credere_user` row, and which the generated page tells a maintainer to make in the console and in psql.
//!
//! These are the one place the facts live: the cognito crate builds its request from them, admin-bootstrap
//! writes the row's type from them, xtask takes `--language`'s default from them, and the page is rendered
//! from them. [`UserType`] and [`Language`] are the database's two vocabularies, defined here without depending
//! on the database crate: user-model reads and writes them as they are (its diesel impls refuse any other value).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// How `cargo xtask admin` creates a first administrator (AdminCreateUser, then the `credere_user` row).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminDefaults {
    /// `credere_user.type`: [`UserType::Ocp`] for Open Contracting staff, Credere's administrators.
    pub user_type: UserType,
    /// `credere_user.language` when `--language` is not given.
    pub language: Language,
    /// Send `MessageAction = SUPPRESS`: no invitation email; the admin resets the password instead.
    pub suppress_invitation: bool,
    /// Set the `email_verified` attribute to `true`, so that password reset can reach the address.
    pub email_verified: bool,
    /// Who chooses the temporary password. JSON keeps the field `cognito_generated_temporary_password: true`
    /// that `cargo xtask spec` has always printed.
    #[serde(rename = "cognito_generated_temporary_password", with = "generated_by_cognito")]
    pub temporary_password: TemporaryPassword,
}

impl AdminDefaults {
    /// Credere's choices, shared by both built-in environments and used for a pool given by ID only (whose
    /// environment is unknown): an `OCP` row in Spanish, no invitation, a verified email and a temporary password
    /// nobody sees, so the admin's first password comes from credere-backend's "Forgot Password?".
    pub const CREDERE: AdminDefaults = AdminDefaults {
        user_type: UserType::Ocp,
        language: Language::Es,
        suppress_invitation: true,
        email_verified: true,
        temporary_password: TemporaryPassword::GeneratedByCognito,
    };
}

/// The type of a `credere_user` row: a value of the Postgres enum `public.usertype`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum UserType {
    /// Open Contracting Partnership staff, Credere's administrators (`OCP`).
    #[serde(rename = "OCP")]
    Ocp,
    /// A financial institution's employee (`FI`).
    #[serde(rename = "FI")]
    Fi,
}

impl UserType {
    /// Every variant, in the enum's declaration order in the database.
    pub const ALL: [Self; 2] = [Self::Ocp, Self::Fi];

    /// The enum label in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            UserType::Ocp => "OCP",
            UserType::Fi => "FI",
        }
    }
}

/// A value that is not one of a vocabulary's codes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} {value:?}; supported: {supported}")]
pub struct UnknownCode {
    /// `user type` or `language`.
    pub kind: &'static str,
    /// The value that was rejected.
    pub value: String,
    /// The accepted codes, comma-separated.
    pub supported: String,
}

/// Finds the variant whose code is `value`, or says which codes exist.
fn from_code<T: Copy>(
    kind: &'static str,
    all: &[T],
    code: fn(T) -> &'static str,
    value: &str,
) -> Result<T, UnknownCode> {
    all.iter()
        .copied()
        .find(|&variant| code(variant) == value)
        .ok_or_else(|| UnknownCode {
            kind,
            value: value.to_owned(),
            supported: all.iter().map(|&variant| code(variant)).collect::<Vec<_>>().join(", "),
        })
}

impl FromStr for UserType {
    type Err = UnknownCode;

    fn from_str(value: &str) -> Result<Self, UnknownCode> {
        from_code("user type", &Self::ALL, Self::as_str, value)
    }
}

impl fmt::Display for UserType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A language credere-backend serves: Spanish (its default, with a translation catalogue) or English (the
/// language its messages are written in).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// Spanish (`es`).
    Es,
    /// English (`en`).
    En,
}

impl Language {
    /// Every language Credere supports.
    pub const ALL: [Self; 2] = [Self::Es, Self::En];

    /// The ISO 639-1 code stored in `credere_user.language`.
    pub fn code(self) -> &'static str {
        match self {
            Language::Es => "es",
            Language::En => "en",
        }
    }
}

impl FromStr for Language {
    type Err = UnknownCode;

    fn from_str(value: &str) -> Result<Self, UnknownCode> {
        from_code("language", &Self::ALL, Self::code, value)
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Who chooses a new user's temporary password.
///
/// One choice only: a password the workspace chose would have to be shown or sent to someone, and secrets never
/// appear in its output. Another variant would make every `match` on this type (the request, the page) say
/// what it means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TemporaryPassword {
    /// Leave out `TemporaryPassword`: Cognito generates one that nobody sees.
    GeneratedByCognito,
}

/// [`TemporaryPassword`] as the boolean `cognito_generated_temporary_password`, its form in the spec's JSON.
mod generated_by_cognito {
    use serde::{Deserialize, Deserializer, Serializer};

    use super::TemporaryPassword;

    pub(super) fn serialize<S: Serializer>(choice: &TemporaryPassword, serializer: S) -> Result<S::Ok, S::Error> {
        match choice {
            TemporaryPassword::GeneratedByCognito => serializer.serialize_bool(true),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<TemporaryPassword, D::Error> {
        if bool::deserialize(deserializer)? {
            Ok(TemporaryPassword::GeneratedByCognito)
        } else {
            Err(serde::de::Error::custom(
                "cognito_generated_temporary_password must be true: a temporary password the tool chose would have \
                 to be shown to someone",
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_type_codes_round_trip() {
        for user_type in UserType::ALL {
            assert_eq!(user_type.as_str().parse::<UserType>(), Ok(user_type));
        }
        assert_eq!("OCP".parse(), Ok(UserType::Ocp));
        assert_eq!("FI".parse(), Ok(UserType::Fi));
    }

    #[test]
    fn unknown_user_type_lists_the_labels() {
        let error = "ocp".parse::<UserType>().unwrap_err();
        assert_eq!(error.to_string(), r#"unknown user type "ocp"; supported: OCP, FI"#);
    }

    #[test]
    fn language_codes_round_trip() {
        for language in Language::ALL {
            assert_eq!(language.code().parse::<Language>(), Ok(language));
        }
        assert_eq!(Language::Es.to_string(), "es");
    }

    #[test]
    fn unknown_language_lists_the_codes() {
        let error = "fr".parse::<Language>().unwrap_err();
        assert_eq!(error.to_string(), r#"unknown language "fr"; supported: es, en"#);
        assert!(
            "ES".parse::<Language>().is_err(),
            "codes are lower case, as Credere stores them"
        );
    }

    #[test]
    fn json_keeps_the_fields_cargo_xtask_spec_has_always_printed() {
        let json = serde_json::to_value(AdminDefaults::CREDERE).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "user_type": "OCP",
                "language": "es",
                "suppress_invitation": true,
                "email_verified": true,
                "cognito_generated_temporary_password": true,
            })
        );
        assert_eq!(
            serde_json::from_value::<AdminDefaults>(json.clone()).unwrap(),
            AdminDefaults::CREDERE
        );

        let mut chosen_by_the_tool = json;
        chosen_by_the_tool["cognito_generated_temporary_password"] = false.into();
        let error = serde_json::from_value::<AdminDefaults>(chosen_by_the_tool).unwrap_err();
        assert!(error.to_string().contains("must be true"), "{error}");
    }
}
