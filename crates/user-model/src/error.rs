//! The one error type of this crate. Messages never contain a password and say what to do next.

use crate::check::SchemaMismatch;
use crate::database_url::DatabaseUrl;
use crate::wait::{self, Diagnosis, Timeout};

/// The form every DATABASE_URL error suggests.
const URL_FORM: &str = "postgresql://USER:PASSWORD@HOST:PORT/DBNAME";

/// Everything that can go wrong between a `DATABASE_URL` and a `credere_user` row.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The URL could not be parsed, or holds a value libpq would refuse.
    #[error("DATABASE_URL {url} is not a valid URL: {reason}; write it as {URL_FORM}")]
    InvalidUrl {
        /// The URL with its password hidden, or only its scheme when it did not parse (it may hold a password).
        url: String,
        /// What the parser objected to (never a part of the URL).
        reason: String,
    },

    /// A keyword/value connection string (`host=… password=…`), which credere-backend (SQLAlchemy) cannot read.
    #[error(
        "DATABASE_URL is a keyword/value connection string (host=… dbname=…), not a URL; it is not shown, as it may \
         hold a password. credere-backend reads only URLs: write it as {URL_FORM}"
    )]
    KeywordValue,

    /// `postgresql:user:pass@host/db`: without `//`, libpq does not read it as a URL at all.
    #[error(
        "DATABASE_URL starts with `{scheme}:` but not `{scheme}://`; it is not shown, as it may hold a password. \
         Add the `//`: {URL_FORM}"
    )]
    MissingSlashes {
        /// The scheme found, e.g. `postgresql`.
        scheme: String,
    },

    /// A character in the user name or password that ends the URL's part early (`@ # / ?`) or is not allowed there.
    #[error(
        "DATABASE_URL ({scheme}://…; not shown, as it may hold a password) cannot be read unambiguously: a user name \
         or password holds a character that must be percent-encoded. Write @ as %40, # as %23, / as %2F, ? as %3F, \
         % as %25 and a space as %20 (`python3 -c 'import getpass, urllib.parse; \
         print(urllib.parse.quote(getpass.getpass(), safe=\"\"))'` prints a password so encoded)"
    )]
    NeedsPercentEncoding {
        /// The scheme, the only part shown.
        scheme: String,
    },

    /// The URL is not a PostgreSQL URL.
    #[error(
        "DATABASE_URL uses the scheme {scheme:?}; only postgresql:// (or postgres://) is supported \
         (write a SQLAlchemy URL such as postgresql+psycopg2:// as postgresql://)"
    )]
    UnsupportedScheme {
        /// The scheme found, e.g. `mysql`.
        scheme: String,
    },

    /// The URL names no database, and the operation needs one.
    #[error("DATABASE_URL {url} names no database; add it as the path, e.g. postgresql://host/credere")]
    NoDatabaseName {
        /// The URL, password hidden.
        url: String,
    },

    /// libpq could not connect (server down, wrong credentials, timeout, missing database).
    #[error("could not connect to {url}: {message}")]
    Connection {
        /// The URL, password hidden.
        url: String,
        /// libpq's message, with any trace of the password removed.
        message: String,
    },

    /// The database lacks the table, columns or types the model needs.
    #[error(transparent)]
    Schema(#[from] SchemaMismatch),

    /// A plain insert hit `user_email_key`: a user with this email already exists.
    #[error("a user with email {email:?} already exists (constraint user_email_key)")]
    DuplicateEmail {
        /// The email that is taken.
        email: String,
    },

    /// A row's type or language is outside the model's vocabulary.
    #[error(
        "credere_user row {id} has {} '{}', which this tool does not know (it knows {}); nothing was changed. {}",
        .unknown.kind, pool_spec::Shown(&.unknown.value), .unknown.supported, unsupported_fix(.unknown.kind, *.id)
    )]
    UnsupportedValue {
        /// The row's id.
        id: i32,
        /// The column's vocabulary and the value stored.
        unknown: crate::UnknownCode,
    },

    /// Another `users import` holds the import's lock on this database.
    #[error(
        "another `cargo xtask users import` is running against this database (it holds the import's advisory \
         lock); wait for it to finish, then run again. Nothing was changed"
    )]
    ImportRunning,

    /// An update addressed a user id that has no row.
    #[error("no credere_user row has id {id}")]
    UserNotFound {
        /// The id that was looked for.
        id: i32,
    },

    /// A query failed for another reason (including a value that does not decode, such as an unknown usertype).
    ///
    /// Diesel's error is the source: its own `Display` of a decoding failure names only the field, and the
    /// value it refused is further down the chain, which the binary prints.
    #[error("{context}")]
    Query {
        /// What the crate was doing.
        context: &'static str,
        /// Diesel's error.
        #[source]
        error: diesel::result::Error,
    },

    /// The server cancelled a statement for a timeout: it waited for a lock, or ran, longer than the session's
    /// `lock_timeout` or `statement_timeout` allows. Nothing it did was kept.
    #[error(
        "{context}: the database cancelled the statement ({message}){}",
        .diagnosis.as_ref().map(|diagnosis| format!("; {diagnosis}")).unwrap_or_default()
    )]
    TimedOut {
        /// What the crate was doing.
        context: &'static str,
        /// Which setting cancelled it.
        timeout: Timeout,
        /// The server's message.
        message: String,
        /// The setting's value and the sessions in the way, read on a second connection; `None` when that
        /// failed too, or the session was never set up. Boxed: every `Result` of this crate carries the error.
        diagnosis: Option<Box<Diagnosis>>,
    },

    /// The server closed the connection mid-operation (restarted, failed over, or ended the session).
    #[error(
        "the connection to the database was lost while {context} ({message}); the server rolls back whatever was \
         not committed. Check that it is up and reachable, then run the command again"
    )]
    ConnectionLost {
        /// What the crate was doing.
        context: &'static str,
        /// libpq's message.
        message: String,
    },

    /// The server refused a write because the transaction is read-only.
    #[error(
        "the database refused to write while {context}: {message}. The connection is read-only: \
         default_transaction_read_only is on for the database or the role, or the server is a standby; point \
         DATABASE_URL at the primary server, with a role that may write, then run again"
    )]
    ReadOnly {
        /// What the crate was doing.
        context: &'static str,
        /// The server's message.
        message: String,
    },

    /// Running or reverting the embedded migrations failed.
    #[error("migrations failed while {action}: {message}")]
    Migration {
        /// `running` or `reverting`.
        action: &'static str,
        /// The migration harness's message.
        message: String,
    },

    /// A migration of `db setup` failed; the run's transaction was rolled back.
    #[error(
        "migrating database {database:?} failed, and nothing was changed (the migrations run in one transaction): \
         {message}. If it says an object already exists, the database is not an empty local one: point \
         DATABASE_URL at another database"
    )]
    MigrationRolledBack {
        /// The database.
        database: String,
        /// The migration harness's message.
        message: String,
    },

    /// `db setup` was pointed at a database that credere-backend's Alembic manages.
    #[error(
        "database {database:?} has an alembic_version table, so credere-backend's Alembic migrations own its schema; \
         this workspace's migrations are for local and test databases only. Point DATABASE_URL at another database, \
         or migrate it anyway if you are sure"
    )]
    ManagedByAlembic {
        /// The database that was refused.
        database: String,
    },

    /// The connection was left unusable by an operation that panicked.
    #[error("the database connection was lost when an earlier operation panicked; connect again")]
    ConnectionPoisoned,

    /// The blocking task running a database operation was cancelled (the runtime is shutting down).
    #[error("the database task was cancelled before it finished")]
    Cancelled,
}

impl Error {
    /// Wraps a diesel error with what the crate was doing; a closed connection is [`Error::ConnectionLost`].
    pub(crate) fn query(context: &'static str) -> impl FnOnce(diesel::result::Error) -> Self {
        move |error| match error {
            diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::ClosedConnection, info) => {
                Self::ConnectionLost {
                    context,
                    message: info.message().trim_end().to_owned(),
                }
            }
            diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::Unknown, info)
                if let Some(timeout) = Timeout::reported_in(info.message()) =>
            {
                Self::TimedOut {
                    context,
                    timeout,
                    message: info.message().to_owned(),
                    diagnosis: None,
                }
            }
            diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::ReadOnlyTransaction, info) => {
                Self::ReadOnly {
                    context,
                    message: info.message().to_owned(),
                }
            }
            error => Self::Query { context, error },
        }
    }

    /// A [`Error::TimedOut`] with what a second connection to `url` finds: the timeout's value and who set it,
    /// and the sessions holding the lock the statement waited for. Any other error is returned as it is.
    pub(crate) fn diagnosed(self, url: &DatabaseUrl) -> Self {
        match self {
            Self::TimedOut {
                context,
                timeout,
                message,
                diagnosis: None,
            } => Self::TimedOut {
                context,
                timeout,
                message,
                // A failed look is left out: the error still says which timeout cancelled what.
                diagnosis: crate::connect(url)
                    .and_then(|mut conn| wait::diagnose(&mut conn, timeout))
                    .ok()
                    .map(Box::new),
            },
            error => error,
        }
    }
}

/// How to fix a row whose `kind` (a [`crate::UnknownCode`]'s) holds a value outside the model's vocabulary.
fn unsupported_fix(kind: &str, id: i32) -> String {
    if kind == "language" {
        format!(
            "Set it to a language Credere has (UPDATE public.credere_user SET language = 'es' WHERE id = {id}), then \
             run again"
        )
    } else {
        "A newer credere-backend may have added it: use a version of this tool that knows it, or correct the \
         row's type, then run again"
            .to_owned()
    }
}
