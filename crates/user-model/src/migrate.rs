//! The workspace's embedded migrations and `db setup`: local and test databases only, never credere-backend's.

use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::check::texts;
use crate::connect::connect;
use crate::database_url::DatabaseUrl;
use crate::error::Error;

/// The migrations in the workspace's top-level `migrations/` folder, compiled in.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations");

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

/// Creates the database `url` names when it does not exist, then runs the pending migrations.
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

    let alembic = texts(
        &mut conn,
        "SELECT n.nspname::text AS value FROM pg_catalog.pg_class c \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         WHERE c.relname = 'alembic_version' AND c.relkind IN ('r', 'p', 'v')",
    )?;
    let forced_past_alembic = !alembic.is_empty();
    if forced_past_alembic && policy == AlembicPolicy::Refuse {
        return Err(Error::ManagedByAlembic { database });
    }

    let already_applied = applied_migrations(&mut conn)?;
    let applied = run_pending_migrations(&mut conn)?;
    Ok(SetupReport {
        database,
        created_database,
        forced_past_alembic,
        already_applied,
        applied,
    })
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
