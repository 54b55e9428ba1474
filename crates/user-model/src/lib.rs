//! Credere's `public.credere_user` table as diesel sees it, and the way to reach it safely.
//!
//! **Owns:** the diesel schema and models of `credere_user` and the `usertype` enum ([`User`], [`NewUser`]; the
//! row's [`UserType`] and [`Language`] are pool-spec's, re-exported, so the first admin's defaults need no mapping);
//! the few queries Credere's tooling runs on them (with the relink of many rows at once, `users import`'s); parsing `DATABASE_URL`
//! ([`DatabaseUrl`]); the schema check ([`check_schema`]); the workspace's embedded migrations and `db setup`
//! ([`setup`]), which exist for local and test databases only; and how every session is set up ([`connect`]: named
//! [`APPLICATION_NAME`], its lock and statement waits bounded) and what a statement cancelled for a timeout waited
//! for ([`Error::TimedOut`]).
//!
//! **Invariant:** nothing is written to a database before [`check_schema`] has confirmed it has the columns and
//! types the model needs ([`UserStore::connect`] does it; callers of the plain functions must). Every query names
//! the schema (`public.credere_user`, `public.usertype`), whatever the role's search path. A password never
//! appears in an error, a `Display` or a `Debug` string. Unknown enum values are errors, never panics.
//!
//! **Must not depend on:** the AWS SDK or the `cognito` crate (the Cognito `Username` is just a string here), nor
//! on anything that runs credere-backend's Alembic migrations: production schemas belong to credere-backend.
//!
//! **Why blocking diesel behind `spawn_blocking`:** diesel's PostgreSQL connection is synchronous (libpq). The
//! tooling makes a handful of queries per run, so [`UserStore`] moves each call onto tokio's blocking pool
//! instead of pulling in diesel-async, which would add a second PostgreSQL driver stack (tokio-postgres) next to
//! libpq, with its own URL parsing and TLS settings, for no gain at this volume.
//!
//! ```
//! use user_model::{DatabaseUrl, Language, UserType};
//!
//! let url = DatabaseUrl::parse("postgresql://credere:s3cret@localhost:5432/credere?application_name=admin")?;
//! assert!(!url.to_string().contains("s3cret"), "Display hides the password");
//! assert_eq!(url.database_name().as_deref(), Some("credere"));
//! assert!(DatabaseUrl::parse("mysql://localhost/credere").is_err());
//! assert_eq!("es".parse::<Language>()?, Language::Es);
//! assert_eq!(UserType::Ocp.as_str(), "OCP");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod check;
mod connect;
mod database_url;
mod error;
mod migrate;
mod relink;
pub mod schema;
mod types;
mod user;
mod wait;

pub use check::{SchemaMismatch, SchemaProblem, check_schema};
pub use connect::{Transaction, UserStore, connect};
pub use database_url::{DEFAULT_CONNECT_TIMEOUT, DatabaseUrl};
pub use error::Error;
pub use migrate::{
    AlembicPolicy, MIGRATIONS, SETUP_LOCK, SetupReport, applied_migrations, revert_all_migrations,
    run_pending_migrations, setup,
};
pub use relink::{lock_import, rehearse_relink, relink};
pub use types::{Language, StoredType, UnknownCode, UserType};
pub use user::{
    NewUser, PENDING_EXTERNAL_ID, User, UserLink, all_links, find_by_email, find_by_external_id, insert, lock_email,
    promote_to_ocp, prove_updatable, set_external_id,
};
pub use wait::{
    APPLICATION_NAME, DEFAULT_LOCK_TIMEOUT, DEFAULT_STATEMENT_TIMEOUT, Diagnosis, Limit, LockHolder, SettingSource,
    Timeout,
};

/// Diesel itself, so callers use the exact version the model was compiled against.
pub use diesel;
