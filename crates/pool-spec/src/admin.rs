//! How a first administrator is created: the choices `cargo xtask admin` makes in AdminCreateUser and in the
//! `credere_user` row, and which the generated page tells a maintainer to make in the console and in psql.
//!
//! These are the one place the facts live: the cognito crate builds its request from them, admin-bootstrap
//! writes the row's type from them, xtask takes `--language`'s default from them, and the page is rendered
//! from them. The types mirror the database's vocabularies without depending on the database crate; the
//! crate that writes rows maps them onto its own types.

use std::fmt;

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
    /// The enum label in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            UserType::Ocp => "OCP",
            UserType::Fi => "FI",
        }
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
    /// The ISO 639-1 code stored in `credere_user.language`.
    pub fn code(self) -> &'static str {
        match self {
            Language::Es => "es",
            Language::En => "en",
        }
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
