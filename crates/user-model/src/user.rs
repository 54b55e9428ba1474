//! The `credere_user` row as Rust values, and the few queries Credere's tooling runs on it.
//!
//! These functions assume the schema has been checked ([`crate::check_schema`]) on this connection;
//! [`crate::UserStore`] does that when it connects.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde::Serialize;

use crate::error::Error;
use crate::schema::credere_user;
use crate::types::{Language, UserType};

/// The unique constraint on `credere_user.email`, as credere-backend names it.
const EMAIL_KEY: &str = "user_email_key";

/// A row of `public.credere_user`, as read.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable, Serialize)]
#[diesel(table_name = credere_user, check_for_backend(diesel::pg::Pg))]
pub struct User {
    /// Primary key (`user_pkey`), from `user_id_seq`.
    pub id: i32,
    /// `OCP` for Credere staff, `FI` for lender employees.
    pub user_type: UserType,
    /// When the row was inserted.
    pub created_at: DateTime<Utc>,
    /// The language Credere shows the user.
    pub language: Language,
    /// The sign-in email; unique.
    pub email: String,
    /// Display name.
    pub name: String,
    /// The Cognito `Username` (the `sub`) credere-backend matches against the JWT.
    pub external_id: String,
    /// The lender an `FI` user belongs to.
    pub lender_id: Option<i32>,
    /// Free-form JSON preferences.
    pub notification_preferences: serde_json::Value,
}

/// A row to insert; the database fills `id` and `created_at`.
#[derive(Debug, Clone, PartialEq, Insertable)]
#[diesel(table_name = credere_user, check_for_backend(diesel::pg::Pg))]
pub struct NewUser {
    /// `OCP` for Credere staff, `FI` for lender employees.
    pub user_type: UserType,
    /// The language Credere shows the user.
    pub language: Language,
    /// The sign-in email; must not exist yet for [`insert`].
    pub email: String,
    /// Display name, stored verbatim.
    pub name: String,
    /// The Cognito `Username` (the `sub`).
    pub external_id: String,
    /// The lender an `FI` user belongs to; `None` for `OCP`.
    pub lender_id: Option<i32>,
    /// `None` keeps the column's default, `{}`.
    pub notification_preferences: Option<serde_json::Value>,
}

/// Whether [`insert_if_absent`] wrote the row or found one with the same email.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Outcome {
    /// The row was inserted now.
    Created,
    /// A row with this email already existed; it was left untouched.
    Existing,
}

/// The user with this email, if any (emails compare exactly, as the unique constraint does).
pub fn find_by_email(conn: &mut PgConnection, email: &str) -> Result<Option<User>, Error> {
    credere_user::table
        .filter(credere_user::email.eq(email))
        .select(User::as_select())
        .first(conn)
        .optional()
        .map_err(Error::query("looking up a user by email"))
}

/// The users with this Cognito `Username`, oldest first.
///
/// `external_id` is indexed but not unique in credere-backend's schema, so more than one row is possible.
pub fn find_by_external_id(conn: &mut PgConnection, external_id: &str) -> Result<Vec<User>, Error> {
    credere_user::table
        .filter(credere_user::external_id.eq(external_id))
        .order(credere_user::id)
        .select(User::as_select())
        .load(conn)
        .map_err(Error::query("looking up users by external_id"))
}

/// Inserts `new`; an existing email is [`Error::DuplicateEmail`].
pub fn insert(conn: &mut PgConnection, new: &NewUser) -> Result<User, Error> {
    diesel::insert_into(credere_user::table)
        .values(new)
        .returning(User::as_returning())
        .get_result(conn)
        .map_err(|error| match &error {
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info)
                if info.constraint_name() == Some(EMAIL_KEY) =>
            {
                Error::DuplicateEmail {
                    email: new.email.clone(),
                }
            }
            _ => Error::query("inserting a user")(error),
        })
}

/// Inserts `new` unless a user with its email exists; either way returns the row that is now there.
///
/// One statement decides (`ON CONFLICT (email) DO NOTHING`), so two concurrent callers cannot both create.
/// An existing row is returned as it is: its other fields may differ from `new`.
pub fn insert_if_absent(conn: &mut PgConnection, new: &NewUser) -> Result<(User, Outcome), Error> {
    let inserted = diesel::insert_into(credere_user::table)
        .values(new)
        .on_conflict(credere_user::email)
        .do_nothing()
        .returning(User::as_returning())
        .get_result(conn)
        .optional()
        .map_err(Error::query("inserting a user if absent"))?;
    if let Some(user) = inserted {
        return Ok((user, Outcome::Created));
    }
    let existing = credere_user::table
        .filter(credere_user::email.eq(&new.email))
        .select(User::as_select())
        .first(conn)
        .map_err(Error::query(
            "reading the existing user after ON CONFLICT (it may have been deleted meanwhile)",
        ))?;
    Ok((existing, Outcome::Existing))
}

/// Points user `id` at another Cognito `Username` (e.g. after the Cognito user was recreated).
pub fn set_external_id(conn: &mut PgConnection, id: i32, external_id: &str) -> Result<User, Error> {
    let updated = diesel::update(credere_user::table.find(id))
        .set(credere_user::external_id.eq(external_id))
        .returning(User::as_returning())
        .get_result(conn);
    exactly_one(updated, id, "setting a user's external_id")
}

/// Makes user `id` an `OCP` user (a Credere administrator).
pub fn promote_to_ocp(conn: &mut PgConnection, id: i32) -> Result<User, Error> {
    let updated = diesel::update(credere_user::table.find(id))
        .set(credere_user::user_type.eq(UserType::Ocp))
        .returning(User::as_returning())
        .get_result(conn);
    exactly_one(updated, id, "setting a user's type to OCP")
}

/// An update by primary key that matched nothing is [`Error::UserNotFound`], not a query failure.
fn exactly_one(updated: QueryResult<User>, id: i32, context: &'static str) -> Result<User, Error> {
    updated
        .optional()
        .map_err(Error::query(context))?
        .ok_or(Error::UserNotFound { id })
}
