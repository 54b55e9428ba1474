//! The two closed vocabularies of a user row: its type (a Postgres enum) and its language (a varchar code).

use std::fmt;
use std::io::Write;
use std::str::FromStr;

use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::pg::{Pg, PgValue};
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sql_types::Varchar;
use serde::{Deserialize, Serialize};

use crate::schema::sql_types::Usertype;

/// Who a user is to Credere, stored as the Postgres enum `usertype`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, AsExpression, FromSqlRow, Serialize, Deserialize)]
#[diesel(sql_type = Usertype)]
pub enum UserType {
    /// Open Contracting Partnership staff: Credere's administrators (`'OCP'`).
    #[serde(rename = "OCP")]
    Ocp,
    /// A financial institution's employee (`'FI'`).
    #[serde(rename = "FI")]
    Fi,
}

impl UserType {
    /// Every variant, in the enum's declaration order in the database.
    pub const ALL: [Self; 2] = [Self::Ocp, Self::Fi];

    /// The enum label in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ocp => "OCP",
            Self::Fi => "FI",
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

impl ToSql<Usertype, Pg> for UserType {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        // Enum values travel as their label's bytes in Postgres' binary protocol.
        out.write_all(self.as_str().as_bytes())?;
        Ok(IsNull::No)
    }
}

impl FromSql<Usertype, Pg> for UserType {
    fn from_sql(value: PgValue<'_>) -> deserialize::Result<Self> {
        let label = std::str::from_utf8(value.as_bytes())?;
        Ok(label.parse()?)
    }
}

/// The language a user reads Credere in, stored as a varchar code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, AsExpression, FromSqlRow, Serialize, Deserialize)]
#[diesel(sql_type = Varchar)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// Spanish (`es`), Credere's default.
    Es,
    /// English (`en`).
    En,
}

impl Language {
    /// Every language Credere supports.
    pub const ALL: [Self; 2] = [Self::Es, Self::En];

    /// The code stored in `credere_user.language`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Es => "es",
            Self::En => "en",
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

impl ToSql<Varchar, Pg> for Language {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        <str as ToSql<Varchar, Pg>>::to_sql(self.code(), out)
    }
}

impl FromSql<Varchar, Pg> for Language {
    fn from_sql(value: PgValue<'_>) -> deserialize::Result<Self> {
        let code = <String as FromSql<Varchar, Pg>>::from_sql(value)?;
        Ok(code.parse()?)
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
}
