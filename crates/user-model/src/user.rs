//! The `credere_user` row as Rust values, and the few queries Credere's tooling runs on it.
//!
//! These functions assume the schema has been checked ([`crate::check_schema`]) on this connection;
//! [`crate::UserStore`] does that when it connects.

use chrono::{DateTime, Utc};
use diesel::connection::{SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde::Serialize;

use crate::error::Error;
use crate::schema::credere_user;
use crate::types::{Language, LanguageCode, StoredType, UserType, UserTypeLabel};

/// The unique constraint on `credere_user.email`, as credere-backend names it.
const EMAIL_KEY: &str = "user_email_key";

/// A row of `public.credere_user`, as read.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable, Serialize)]
#[diesel(table_name = credere_user, check_for_backend(diesel::pg::Pg))]
pub struct User {
    /// Primary key (`user_pkey`), from `user_id_seq`.
    pub id: i32,
    /// `OCP` for Credere staff, `FI` for lender employees.
    #[diesel(deserialize_as = UserTypeLabel)]
    pub user_type: UserType,
    /// When the row was inserted.
    pub created_at: DateTime<Utc>,
    /// The language Credere shows the user.
    #[diesel(deserialize_as = LanguageCode)]
    pub language: Language,
    /// The sign-in email, as typed; unique (compared exactly, as `user_email_key` does).
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

/// A row as stored, its type and language not yet held to the vocabularies: one outside them is
/// [`Error::UnsupportedValue`], naming the row, rather than a failed query.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = credere_user, check_for_backend(diesel::pg::Pg))]
struct StoredUser {
    id: i32,
    user_type: StoredType,
    created_at: DateTime<Utc>,
    language: String,
    email: String,
    name: String,
    external_id: String,
    lender_id: Option<i32>,
    notification_preferences: serde_json::Value,
}

impl TryFrom<StoredUser> for User {
    type Error = Error;

    fn try_from(stored: StoredUser) -> Result<Self, Error> {
        let unsupported = |unknown| Error::UnsupportedValue { id: stored.id, unknown };
        let user_type = match stored.user_type {
            StoredType::Known(user_type) => user_type,
            StoredType::Other(label) => return Err(unsupported(label.parse::<UserType>().unwrap_err())),
        };
        Ok(User {
            id: stored.id,
            user_type,
            created_at: stored.created_at,
            language: stored.language.parse().map_err(unsupported)?,
            email: stored.email,
            name: stored.name,
            external_id: stored.external_id,
            lender_id: stored.lender_id,
            notification_preferences: stored.notification_preferences,
        })
    }
}

/// The rows `query` selects, each held to the vocabularies.
fn load_users(
    conn: &mut PgConnection,
    query: impl diesel::query_dsl::LoadQuery<'static, PgConnection, StoredUser>,
    context: &'static str,
) -> Result<Vec<User>, Error> {
    query
        .load(conn)
        .map_err(Error::query(context))?
        .into_iter()
        .map(User::try_from)
        .collect()
}

/// A row to insert; the database fills `id` and `created_at`.
#[derive(Debug, Clone, PartialEq, Insertable)]
#[diesel(table_name = credere_user, check_for_backend(diesel::pg::Pg))]
pub struct NewUser {
    /// `OCP` for Credere staff, `FI` for lender employees.
    #[diesel(serialize_as = UserTypeLabel)]
    pub user_type: UserType,
    /// The language Credere shows the user.
    #[diesel(serialize_as = LanguageCode)]
    pub language: Language,
    /// The sign-in email, stored as given; must not exist yet (exactly) for [`insert`].
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

/// The `external_id` a row holds between [`insert`] and [`set_external_id`] in one transaction, while its Cognito
/// user is being created: the nil UUID. Cognito never generates it (a `sub` is a random, version-4 UUID), it has
/// the shape of a real one (so a format CHECK that real values pass passes too), and it is never committed.
pub const PENDING_EXTERNAL_ID: &str = "00000000-0000-0000-0000-000000000000";

/// The first key of the advisory locks taken by [`lock_email`] (`'CRED'` in ASCII): the two-key form keeps them
/// apart from single-key advisory locks other software may take on the same database.
pub(crate) const EMAIL_LOCK_CLASS: i32 = 0x4352_4544;

diesel::define_sql_function! {
    /// `pg_catalog.lower(text)`, which PostgreSQL resolves before anything on the search path.
    fn lower(text: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

/// The users whose email equals `email` ignoring case, oldest first.
///
/// credere-backend stores emails as typed, and its unique constraint compares them exactly, so `Admin@x.org`
/// and `admin@x.org` can both exist: a caller deciding whether an email is taken must look at every match.
pub fn find_by_email(conn: &mut PgConnection, email: &str) -> Result<Vec<User>, Error> {
    let query = credere_user::table
        .filter(lower(credere_user::email).eq(lower(email.to_owned())))
        .order(credere_user::id)
        .select(StoredUser::as_select());
    load_users(conn, query, "looking up users by email")
}

/// Waits for, then holds until the end of the current transaction, a lock on `email` (ignoring case), so that
/// concurrent transactions about one email take turns. Outside a transaction the lock would end at once:
/// call it inside one ([`crate::Transaction::lock_email`]).
pub fn lock_email(conn: &mut PgConnection, email: &str) -> Result<(), Error> {
    diesel::sql_query("SELECT pg_catalog.pg_advisory_xact_lock($1, pg_catalog.hashtext(pg_catalog.lower($2)))")
        .bind::<diesel::sql_types::Int4, _>(EMAIL_LOCK_CLASS)
        .bind::<diesel::sql_types::Text, _>(email)
        .execute(conn)
        .map(drop)
        .map_err(Error::query("waiting for the lock on this email"))
}

/// The users with this Cognito `Username`, oldest first.
///
/// `external_id` is indexed but not unique in credere-backend's schema, so more than one row is possible.
pub fn find_by_external_id(conn: &mut PgConnection, external_id: &str) -> Result<Vec<User>, Error> {
    let query = credere_user::table
        .filter(credere_user::external_id.eq(external_id.to_owned()))
        .order(credere_user::id)
        .select(StoredUser::as_select());
    load_users(conn, query, "looking up users by external_id")
}

/// Inserts `new`; an existing email is [`Error::DuplicateEmail`].
pub fn insert(conn: &mut PgConnection, new: &NewUser) -> Result<User, Error> {
    diesel::insert_into(credere_user::table)
        .values(new.clone())
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

/// Proves that user `id`'s `external_id` may be updated (privileges, triggers, a writable database) by
/// setting it to the value it has, so that a later [`set_external_id`] in the same transaction will not be the
/// first write to fail.
pub fn prove_updatable(conn: &mut PgConnection, id: i32) -> Result<(), Error> {
    let updated = diesel::update(credere_user::table.find(id))
        .set(credere_user::external_id.eq(credere_user::external_id))
        .returning(User::as_returning())
        .get_result(conn);
    exactly_one(updated, id, "updating a user's external_id to itself").map(drop)
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
        .set(credere_user::user_type.eq(UserTypeLabel(UserType::Ocp)))
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

/// What an audit needs of a row: who it is, what kind of user, and which Cognito user it points at.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = credere_user, check_for_backend(diesel::pg::Pg))]
pub struct UserLink {
    /// Primary key.
    pub id: i32,
    /// `OCP` or `FI`, or a label this model does not know, which the audit reports.
    pub user_type: StoredType,
    /// The sign-in email, as typed.
    pub email: String,
    /// The Cognito `Username` the row points at.
    pub external_id: String,
}

/// Every row's [`UserLink`], by id, from one query streamed row by row (libpq's single-row mode) inside a
/// `READ ONLY` transaction: the database itself refuses any write, and memory holds the four columns kept,
/// never the whole result set twice.
pub fn all_links(conn: &mut PgConnection) -> Result<Vec<UserLink>, Error> {
    type Transactions = <PgConnection as Connection>::TransactionManager;
    const READING: &str = "reading every credere_user row";
    Transactions::begin_transaction(conn).map_err(Error::query(READING))?;
    let read = conn.batch_execute("SET TRANSACTION READ ONLY").and_then(|()| {
        credere_user::table
            .order(credere_user::id)
            .select(UserLink::as_select())
            .load_iter::<UserLink, diesel::pg::PgRowByRowLoadingMode>(conn)?
            .collect::<QueryResult<Vec<_>>>()
    });
    match read {
        Ok(links) => Transactions::commit_transaction(conn)
            .map(|()| links)
            .map_err(Error::query(READING)),
        Err(error) => {
            // Why the read failed is the error, not the rollback's own failure when the server has closed the
            // session (diesel's `transaction` would report that instead: "no connection to the server").
            let _ = Transactions::rollback_transaction(conn);
            Err(Error::query(READING)(error))
        }
    }
}
