//! The two closed vocabularies of a user row, its type (a Postgres enum) and its language (a varchar code), as
//! diesel reads and writes them.
//!
//! The vocabularies themselves are pool-spec's ([`UserType`], [`Language`]), so that the first admin's defaults
//! and the row share one type. diesel's traits cannot be implemented here for types of another crate on
//! `Varchar`, so each column goes through a wrapper of this crate ([`UserTypeLabel`], [`LanguageCode`]), named
//! by the models' `serialize_as` / `deserialize_as`. Reading a value that is not in the vocabulary is an error.

use std::io::Write;

use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::pg::{Pg, PgValue};
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sql_types::Varchar;
pub use pool_spec::{Language, UnknownCode, UserType};

use crate::schema::sql_types::Usertype;

/// A [`UserType`] as the Postgres enum `public.usertype`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, AsExpression, FromSqlRow)]
#[diesel(sql_type = Usertype)]
pub struct UserTypeLabel(pub UserType);

impl From<UserType> for UserTypeLabel {
    fn from(user_type: UserType) -> Self {
        UserTypeLabel(user_type)
    }
}

impl From<UserTypeLabel> for UserType {
    fn from(label: UserTypeLabel) -> Self {
        label.0
    }
}

impl ToSql<Usertype, Pg> for UserTypeLabel {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        // Enum values travel as their label's bytes in Postgres' binary protocol.
        out.write_all(self.0.as_str().as_bytes())?;
        Ok(IsNull::No)
    }
}

impl FromSql<Usertype, Pg> for UserTypeLabel {
    fn from_sql(value: PgValue<'_>) -> deserialize::Result<Self> {
        let label = std::str::from_utf8(value.as_bytes())?;
        Ok(UserTypeLabel(label.parse()?))
    }
}

/// A row's `type` as stored: a [`UserType`] this model knows, or another label of `public.usertype` (one a newer
/// credere-backend added), which a reader that must not fail on one row (the audit) reports instead.
#[derive(Debug, Clone, PartialEq, Eq, FromSqlRow)]
#[diesel(sql_type = Usertype)]
pub enum StoredType {
    /// `OCP` or `FI`.
    Known(UserType),
    /// Any other label, as stored.
    Other(String),
}

impl FromSql<Usertype, Pg> for StoredType {
    fn from_sql(value: PgValue<'_>) -> deserialize::Result<Self> {
        let label = std::str::from_utf8(value.as_bytes())?;
        Ok(label
            .parse()
            .map_or_else(|_| StoredType::Other(label.to_owned()), StoredType::Known))
    }
}

/// A [`Language`] as the varchar code in `credere_user.language`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, AsExpression, FromSqlRow)]
#[diesel(sql_type = Varchar)]
pub struct LanguageCode(pub Language);

impl From<Language> for LanguageCode {
    fn from(language: Language) -> Self {
        LanguageCode(language)
    }
}

impl From<LanguageCode> for Language {
    fn from(code: LanguageCode) -> Self {
        code.0
    }
}

impl ToSql<Varchar, Pg> for LanguageCode {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        <str as ToSql<Varchar, Pg>>::to_sql(self.0.code(), out)
    }
}

impl FromSql<Varchar, Pg> for LanguageCode {
    fn from_sql(value: PgValue<'_>) -> deserialize::Result<Self> {
        let code = <String as FromSql<Varchar, Pg>>::from_sql(value)?;
        Ok(LanguageCode(code.parse()?))
    }
}
