//! Opening connections, and running diesel's blocking calls from async code without stalling the runtime.

use std::sync::{Arc, Mutex};

use diesel::connection::{SimpleConnection, TransactionManager};
use diesel::prelude::*;

use crate::check::check_schema;
use crate::database_url::DatabaseUrl;
use crate::error::Error;
use crate::relink;
use crate::schema::sql_types::Usertype;
use crate::types::{UserType, UserTypeLabel};
use crate::user::{self, NewUser, User, UserLink};
use crate::wait::{APPLICATION_NAME, Timeout, bound_waits};

/// Opens a blocking connection; the URL's `connect_timeout` bounds the wait. The session is named
/// [`APPLICATION_NAME`] (unless the URL or `PGAPPNAME` names it) and its lock and statement waits are bounded
/// (see [`crate::DEFAULT_LOCK_TIMEOUT`]).
pub fn connect(url: &DatabaseUrl) -> Result<PgConnection, Error> {
    let named = url.with_fallback_application_name(APPLICATION_NAME);
    let mut conn = PgConnection::establish(named.expose()).map_err(|error| match error {
        // diesel's own SET statements, cancelled by a role's or database's very short statement_timeout.
        ConnectionError::CouldntSetupConfiguration(error) if is_timeout(&error) => {
            Error::query("setting up the session")(error)
        }
        error => Error::Connection {
            url: url.to_string(),
            message: url.scrub(error.to_string().trim_end()),
        },
    })?;
    bound_waits(&mut conn)?;
    Ok(conn)
}

fn is_timeout(error: &diesel::result::Error) -> bool {
    matches!(error, diesel::result::Error::DatabaseError(_, info) if Timeout::reported_in(info.message()).is_some())
}

/// Runs `work` on tokio's blocking pool and waits for it without occupying an async worker.
///
/// A panic in `work` is re-raised here, as if it had happened in the caller.
pub(crate) async fn blocking<T, F>(work: F) -> Result<T, Error>
where
    F: FnOnce() -> Result<T, Error> + Send + 'static,
    T: Send + 'static,
{
    match tokio::task::spawn_blocking(work).await {
        Ok(result) => result,
        Err(join) if join.is_panic() => std::panic::resume_unwind(join.into_panic()),
        Err(_) => Err(Error::Cancelled),
    }
}

/// One connection to a Credere database whose schema has been checked, for async callers.
///
/// Not `Clone`: a [`Transaction`] owns the only handle, so that dropping it really closes the connection.
pub struct UserStore {
    conn: Arc<Mutex<PgConnection>>,
    /// Where a second connection goes to see what a timed-out statement waited for.
    url: DatabaseUrl,
}

impl std::fmt::Debug for UserStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserStore").finish_non_exhaustive()
    }
}

impl UserStore {
    /// Connects and runs [`check_schema`], so that no method of the store ever writes to a wrong database.
    pub async fn connect(url: &DatabaseUrl) -> Result<Self, Error> {
        let checked = url.clone();
        let conn = blocking(move || {
            let mut conn = connect(&checked)?;
            check_schema(&mut conn)
                .and_then(|()| learn_usertype_oid(&mut conn))
                .map_err(|error| error.diagnosed(&checked))?;
            Ok(conn)
        })
        .await?;
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
            url: url.clone(),
        })
    }

    /// Runs `work` with the connection on the blocking pool; a statement cancelled for a timeout is reported with
    /// the sessions it waited for.
    pub async fn run<T, F>(&self, work: F) -> Result<T, Error>
    where
        F: FnOnce(&mut PgConnection) -> Result<T, Error> + Send + 'static,
        T: Send + 'static,
    {
        let conn = Arc::clone(&self.conn);
        let url = self.url.clone();
        blocking(move || {
            // A panic mid-operation may leave a transaction open: refuse the connection rather than guess.
            let mut conn = conn.lock().map_err(|_| Error::ConnectionPoisoned)?;
            work(&mut conn).map_err(|error| error.diagnosed(&url))
        })
        .await
    }

    /// Opens a transaction that stays open across awaits, until [`Transaction::commit`]. Deferrable constraints are
    /// checked at each statement (`SET CONSTRAINTS ALL IMMEDIATE`), so that every check a row must pass has been
    /// passed before the commit.
    pub async fn begin(self) -> Result<Transaction, Error> {
        self.run(|conn| {
            <PgConnection as Connection>::TransactionManager::begin_transaction(conn)
                .map_err(Error::query("beginning a transaction"))?;
            conn.batch_execute("SET CONSTRAINTS ALL IMMEDIATE")
                .map_err(Error::query("making deferrable constraints immediate"))
        })
        .await?;
        Ok(Transaction { store: self })
    }

    /// See [`user::find_by_email`].
    pub async fn find_by_email(&self, email: &str) -> Result<Vec<User>, Error> {
        let email = email.to_owned();
        self.run(move |conn| user::find_by_email(conn, &email)).await
    }

    /// See [`user::find_by_external_id`].
    pub async fn find_by_external_id(&self, external_id: &str) -> Result<Vec<User>, Error> {
        let external_id = external_id.to_owned();
        self.run(move |conn| user::find_by_external_id(conn, &external_id))
            .await
    }

    /// See [`user::all_links`].
    pub async fn all_links(&self) -> Result<Vec<UserLink>, Error> {
        self.run(user::all_links).await
    }

    /// See [`user::insert`].
    pub async fn insert(&self, new: NewUser) -> Result<User, Error> {
        self.run(move |conn| user::insert(conn, &new)).await
    }

    /// See [`user::prove_updatable`].
    pub async fn prove_updatable(&self, id: i32) -> Result<(), Error> {
        self.run(move |conn| user::prove_updatable(conn, id)).await
    }

    /// See [`user::set_external_id`].
    pub async fn set_external_id(&self, id: i32, external_id: &str) -> Result<User, Error> {
        let external_id = external_id.to_owned();
        self.run(move |conn| user::set_external_id(conn, id, &external_id))
            .await
    }

    /// See [`relink::lock_import`]: held until this store is dropped.
    pub async fn lock_import(&self) -> Result<(), Error> {
        self.run(relink::lock_import).await
    }

    /// See [`relink::rehearse_relink`].
    pub async fn rehearse_relink(&self, old: Vec<String>) -> Result<(), Error> {
        self.run(move |conn| relink::rehearse_relink(conn, &old)).await
    }

    /// See [`relink::relink`].
    pub async fn relink(&self, old: Vec<String>, new: Vec<String>) -> Result<usize, Error> {
        self.run(move |conn| relink::relink(conn, &old, &new)).await
    }

    /// See [`user::promote_to_ocp`].
    pub async fn promote_to_ocp(&self, id: i32) -> Result<User, Error> {
        self.run(move |conn| user::promote_to_ocp(conn, id)).await
    }
}

/// Asks the server for `public.usertype`'s OID now, by round-tripping a value, so that diesel has it cached.
///
/// diesel looks custom types up lazily, at the first statement that binds one, and reports any failure of that
/// lookup as "Failed to find a type oid", hiding the cause (such as a lost connection).
fn learn_usertype_oid(conn: &mut PgConnection) -> Result<(), Error> {
    diesel::select(UserTypeLabel(UserType::Ocp).into_sql::<Usertype>())
        .get_result::<UserTypeLabel>(conn)
        .map(drop)
        .map_err(Error::query("reading the type public.usertype"))
}

/// A transaction on a [`UserStore`]'s connection, open across awaits (for example while Cognito answers). The
/// store's methods run inside it.
///
/// [`Transaction::commit`] ends it; dropping it without committing closes the connection, and PostgreSQL rolls
/// the transaction back, so nothing it wrote is ever seen.
#[derive(Debug)]
pub struct Transaction {
    store: UserStore,
}

impl std::ops::Deref for Transaction {
    type Target = UserStore;

    fn deref(&self) -> &UserStore {
        &self.store
    }
}

impl Transaction {
    /// See [`user::lock_email`]: held until this transaction ends.
    pub async fn lock_email(&self, email: &str) -> Result<(), Error> {
        let email = email.to_owned();
        self.run(move |conn| user::lock_email(conn, &email)).await
    }

    /// Commits everything written in the transaction.
    pub async fn commit(self) -> Result<(), Error> {
        self.store
            .run(|conn| {
                <PgConnection as Connection>::TransactionManager::commit_transaction(conn)
                    .map_err(Error::query("committing the transaction"))
            })
            .await
    }
}
