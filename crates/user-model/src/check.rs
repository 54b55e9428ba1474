//! Proof, read from pg_catalog, that a database has the `credere_user` table this crate's model expects.
//!
//! pg_catalog rather than information_schema: the latter hides columns the connecting role has no privilege
//! on, which would turn a permissions problem into a misleading "column missing".

use std::fmt;

use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};

use crate::error::Error;
use crate::types::UserType;

/// A column the model reads or writes, and the type it must have.
struct Expected {
    column: &'static str,
    type_schema: &'static str,
    type_name: &'static str,
    /// Whether the model copes with NULL (only `lender_id`, read as `Option`).
    nullable: bool,
}

const fn column(column: &'static str, type_schema: &'static str, type_name: &'static str, nullable: bool) -> Expected {
    Expected {
        column,
        type_schema,
        type_name,
        nullable,
    }
}

/// The model's columns, in credere-backend's column order.
const EXPECTED: [Expected; 9] = [
    column("type", "public", "usertype", false),
    column("created_at", "pg_catalog", "timestamptz", false),
    column("id", "pg_catalog", "int4", false),
    column("language", "pg_catalog", "varchar", false),
    column("email", "pg_catalog", "varchar", false),
    column("name", "pg_catalog", "varchar", false),
    column("external_id", "pg_catalog", "varchar", false),
    column("lender_id", "pg_catalog", "int4", true),
    column("notification_preferences", "pg_catalog", "json", false),
];

/// One way in which a database differs from what the model needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemaProblem {
    /// There is no table `public.credere_user`.
    MissingTable,
    /// The table lacks a column.
    MissingColumn {
        /// Column name.
        column: &'static str,
        /// The type it should have, e.g. `pg_catalog.varchar`.
        expected: String,
    },
    /// A column has another type.
    WrongType {
        /// Column name.
        column: &'static str,
        /// The type it should have.
        expected: String,
        /// The type it has.
        found: String,
    },
    /// A column the model reads as non-optional allows NULL.
    Nullable {
        /// Column name.
        column: &'static str,
    },
    /// The enum `public.usertype` lacks a label the model writes.
    MissingEnumLabel {
        /// The label, e.g. `OCP`.
        label: &'static str,
    },
}

impl fmt::Display for SchemaProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingTable => f.write_str("table public.credere_user does not exist"),
            Self::MissingColumn { column, expected } => {
                write!(f, "column credere_user.{column} ({expected}) is missing")
            }
            Self::WrongType {
                column,
                expected,
                found,
            } => write!(f, "column credere_user.{column} is {found}, expected {expected}"),
            Self::Nullable { column } => write!(f, "column credere_user.{column} allows NULL, expected NOT NULL"),
            Self::MissingEnumLabel { label } => {
                write!(f, "enum public.usertype has no label '{label}'")
            }
        }
    }
}

/// The database is not the one the model was written for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct SchemaMismatch {
    /// `current_database()` of the connection that was checked.
    pub database: String,
    /// Everything that differs, never empty.
    pub problems: Vec<SchemaProblem>,
}

impl fmt::Display for SchemaMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "database {:?} does not have the credere_user table Credere's model needs: ",
            self.database
        )?;
        for (i, problem) in self.problems.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{problem}")?;
        }
        f.write_str(
            ". DATABASE_URL may point at the wrong database: it must be the one credere-backend's migrations \
             created (or, for local work, one prepared with `cargo xtask db setup`)",
        )
    }
}

#[derive(QueryableByName)]
struct ColumnRow {
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    type_schema: String,
    #[diesel(sql_type = Text)]
    type_name: String,
    #[diesel(sql_type = Bool)]
    nullable: bool,
}

#[derive(QueryableByName)]
struct TextRow {
    #[diesel(sql_type = Text)]
    value: String,
}

/// Verifies that `public.credere_user` has every column the model uses, with the right types and nullability,
/// and that `public.usertype` has the labels the model writes. Extra columns are fine.
///
/// Call this before any write: a wrong `DATABASE_URL` should stop the tool, not create a stray table row.
pub fn check_schema(conn: &mut PgConnection) -> Result<(), Error> {
    let problems = find_problems(conn)?;
    if problems.is_empty() {
        return Ok(());
    }
    let database = texts(conn, "SELECT current_database()::text AS value")?
        .pop()
        .unwrap_or_default();
    Err(SchemaMismatch { database, problems }.into())
}

fn find_problems(conn: &mut PgConnection) -> Result<Vec<SchemaProblem>, Error> {
    let table = texts(
        conn,
        "SELECT c.relname::text AS value FROM pg_catalog.pg_class c \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = 'public' AND c.relname = 'credere_user' AND c.relkind IN ('r', 'p')",
    )?;
    if table.is_empty() {
        return Ok(vec![SchemaProblem::MissingTable]);
    }
    let columns: Vec<ColumnRow> = diesel::sql_query(
        "SELECT a.attname::text AS column_name, tn.nspname::text AS type_schema, \
                t.typname::text AS type_name, NOT a.attnotnull AS nullable \
         FROM pg_catalog.pg_attribute a \
         JOIN pg_catalog.pg_class c ON c.oid = a.attrelid \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         JOIN pg_catalog.pg_type t ON t.oid = a.atttypid \
         JOIN pg_catalog.pg_namespace tn ON tn.oid = t.typnamespace \
         WHERE n.nspname = 'public' AND c.relname = 'credere_user' AND a.attnum > 0 AND NOT a.attisdropped",
    )
    .load(conn)
    .map_err(Error::query("reading credere_user's columns from pg_catalog"))?;

    let mut problems = Vec::new();
    for expected in &EXPECTED {
        let wanted = format!("{}.{}", expected.type_schema, expected.type_name);
        let Some(found) = columns.iter().find(|row| row.column_name == expected.column) else {
            problems.push(SchemaProblem::MissingColumn {
                column: expected.column,
                expected: wanted,
            });
            continue;
        };
        let has = format!("{}.{}", found.type_schema, found.type_name);
        if has != wanted {
            problems.push(SchemaProblem::WrongType {
                column: expected.column,
                expected: wanted,
                found: has,
            });
        } else if found.nullable && !expected.nullable {
            problems.push(SchemaProblem::Nullable {
                column: expected.column,
            });
        }
    }
    // Only worth asking when `type` really is public.usertype.
    if !problems.iter().any(|problem| mentions_column(problem, "type")) {
        let labels = texts(
            conn,
            "SELECT e.enumlabel::text AS value FROM pg_catalog.pg_enum e \
             JOIN pg_catalog.pg_type t ON t.oid = e.enumtypid \
             JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace \
             WHERE n.nspname = 'public' AND t.typname = 'usertype'",
        )?;
        problems.extend(
            UserType::ALL
                .iter()
                .map(|user_type| user_type.as_str())
                .filter(|label| !labels.iter().any(|found| found == label))
                .map(|label| SchemaProblem::MissingEnumLabel { label }),
        );
    }
    Ok(problems)
}

fn mentions_column(problem: &SchemaProblem, name: &str) -> bool {
    match problem {
        SchemaProblem::MissingColumn { column, .. } | SchemaProblem::WrongType { column, .. } => *column == name,
        _ => false,
    }
}

/// Runs a catalog query returning one text column named `value`.
pub(crate) fn texts(conn: &mut PgConnection, query: &str) -> Result<Vec<String>, Error> {
    let rows: Vec<TextRow> = diesel::sql_query(query)
        .load(conn)
        .map_err(Error::query("reading pg_catalog"))?;
    Ok(rows.into_iter().map(|row| row.value).collect())
}
