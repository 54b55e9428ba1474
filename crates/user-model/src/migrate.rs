//! The workspace's embedded migrations and `db setup`: local and test databases only, never credere-backend's.

use diesel::connection::TransactionManager;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::check::texts;
use crate::connect::connect;
use crate::database_url::DatabaseUrl;
use crate::error::Error;

/// The migrations in the workspace's top-level `migrations/` folder, compiled in.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations");

/// The advisory lock (single-key form) that [`setup`] holds while it migrates, so that concurrent runs take turns:
/// `CREDSETP` in ASCII.
pub const SETUP_LOCK: i64 = 0x4352_4544_5345_5450;

/// The database every PostgreSQL server has, used to create the others.
const MAINTENANCE_DATABASE: &str = "postgres";

/// Runs every pending migration; returns the versions applied, oldest first.
pub fn run_pending_migrations(conn: &mut PgConnection) -> Result<Vec<String>, Error> {
    let applied = conn
        .run_pending_migrations(MIGRATIONS)
        .map_err(|error| migration_error("running", &*error))?;
    Ok(applied.iter().map(ToString::to_string).collect())
}

/// Reverts every applied migration; returns the versions reverted, newest first.
pub fn revert_all_migrations(conn: &mut PgConnection) -> Result<Vec<String>, Error> {
    let reverted = conn
        .revert_all_migrations(MIGRATIONS)
        .map_err(|error| migration_error("reverting", &*error))?;
    Ok(reverted.iter().map(ToString::to_string).collect())
}

/// The versions already applied to this database, oldest first.
pub fn applied_migrations(conn: &mut PgConnection) -> Result<Vec<String>, Error> {
    let mut applied = conn
        .applied_migrations()
        .map_err(|error| migration_error("listing applied", &*error))?;
    applied.sort();
    Ok(applied.iter().map(ToString::to_string).collect())
}

fn migration_error(action: &'static str, error: &(dyn std::error::Error + Send + Sync)) -> Error {
    Error::Migration {
        action,
        message: error.to_string(),
    }
}

/// Whether `db setup` may migrate a database that credere-backend's Alembic manages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AlembicPolicy {
    /// Refuse it (the default): its schema belongs to credere-backend.
    #[default]
    Refuse,
    /// Migrate it anyway (`--force`).
    Force,
}

/// What [`setup`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetupReport {
    /// The database that was set up.
    pub database: String,
    /// Whether `CREATE DATABASE` was run.
    pub created_database: bool,
    /// Whether an `alembic_version` table was there and `--force` overrode the refusal.
    pub forced_past_alembic: bool,
    /// Versions that were already applied before this run.
    pub already_applied: Vec<String>,
    /// Versions applied by this run.
    pub applied: Vec<String>,
}

/// Creates the database `url` names when it does not exist, then runs the pending migrations in one transaction
/// under [`SETUP_LOCK`]: a failure leaves the database as it was, and a concurrent run waits, then finds nothing
/// to do.
///
/// A database with an `alembic_version` table (in any schema) is refused unless `policy` is
/// [`AlembicPolicy::Force`].
pub fn setup(url: &DatabaseUrl, policy: AlembicPolicy) -> Result<SetupReport, Error> {
    let database = url
        .database_name()
        .ok_or_else(|| Error::NoDatabaseName { url: url.to_string() })?;
    let (mut conn, created_database) = match connect(url) {
        Ok(conn) => (conn, false),
        // The failure may mean "no such database"; libpq's message is localized, so ask the server instead.
        Err(first) => match create_database_if_missing(url, &database) {
            Ok(true) => (connect(url)?, true),
            // It exists (or the server cannot say): the first failure is the one to report.
            Ok(false) | Err(_) => return Err(first),
        },
    };

    // One transaction for the whole run: a failing migration leaves no trace (not even diesel's bookkeeping
    // table), and a concurrent run waits on the lock, then sees this one's migrations as applied.
    type Manager = <PgConnection as Connection>::TransactionManager;
    Manager::begin_transaction(&mut conn).map_err(Error::query("beginning the migration transaction"))?;
    // On an error, returning drops the connection, and the server rolls the transaction back.
    let (forced_past_alembic, already_applied, applied) = migrate_locked(&mut conn, &database, policy)?;
    Manager::commit_transaction(&mut conn).map_err(Error::query("committing the migrations"))?;
    Ok(SetupReport {
        database,
        created_database,
        forced_past_alembic,
        already_applied,
        applied,
    })
}

/// Takes [`SETUP_LOCK`], applies the Alembic policy, and runs the pending migrations, all in the caller's
/// transaction. Returns whether Alembic was overridden, the versions applied before, and those applied now.
fn migrate_locked(
    conn: &mut PgConnection,
    database: &str,
    policy: AlembicPolicy,
) -> Result<(bool, Vec<String>, Vec<String>), Error> {
    diesel::sql_query("SELECT pg_catalog.pg_advisory_xact_lock($1)")
        .bind::<BigInt, _>(SETUP_LOCK)
        .execute(conn)
        .map_err(Error::query(
            "waiting for another `db setup` on this database to finish",
        ))?;
    let alembic = texts(
        conn,
        "SELECT n.nspname::text AS value FROM pg_catalog.pg_class c \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         WHERE c.relname = 'alembic_version' AND c.relkind IN ('r', 'p', 'v')",
    )?;
    let forced_past_alembic = !alembic.is_empty();
    if forced_past_alembic && policy == AlembicPolicy::Refuse {
        return Err(Error::ManagedByAlembic {
            database: database.to_owned(),
        });
    }
    let already_applied = applied_migrations(conn)?;
    let applied = conn
        .run_pending_migrations(MIGRATIONS)
        .map_err(|error| Error::MigrationRolledBack {
            database: database.to_owned(),
            message: error.to_string(),
        })?;
    Ok((
        forced_past_alembic,
        already_applied,
        applied.iter().map(ToString::to_string).collect(),
    ))
}

#[derive(QueryableByName)]
struct Exists {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    exists: bool,
}

/// Creates `database` through the maintenance database; `Ok(false)` when it already exists.
fn create_database_if_missing(url: &DatabaseUrl, database: &str) -> Result<bool, Error> {
    let mut maintenance = connect(&url.with_database(MAINTENANCE_DATABASE))?;
    if database_exists(&mut maintenance, database)? {
        return Ok(false);
    }
    // CREATE DATABASE takes no bind parameters: quote the name as an identifier.
    let quoted = format!("\"{}\"", database.replace('"', "\"\""));
    let created = diesel::sql_query(format!("CREATE DATABASE {quoted}")).execute(&mut maintenance);
    match created {
        Ok(_) => Ok(true),
        // Someone else created it meanwhile: that is as good.
        Err(_) if database_exists(&mut maintenance, database)? => Ok(false),
        Err(error) => Err(Error::query("creating the database")(error)),
    }
}

fn database_exists(maintenance: &mut PgConnection, database: &str) -> Result<bool, Error> {
    let row: Exists =
        diesel::sql_query("SELECT EXISTS (SELECT FROM pg_catalog.pg_database WHERE datname = $1) AS exists")
            .bind::<Text, _>(database)
            .get_result(maintenance)
            .map_err(Error::query("looking the database up in pg_database"))?;
    Ok(row.exists)
}
