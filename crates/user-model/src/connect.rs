//! Opening connections, and running diesel's blocking calls from async code without stalling the runtime.

use std::sync::{Arc, Mutex};

use diesel::{Connection, PgConnection};

use crate::check::check_schema;
use crate::database_url::DatabaseUrl;
use crate::error::Error;
use crate::user::{self, NewUser, Outcome, User};

/// Opens a blocking connection; the URL's `connect_timeout` bounds the wait.
pub fn connect(url: &DatabaseUrl) -> Result<PgConnection, Error> {
    PgConnection::establish(url.expose()).map_err(|error| Error::Connection {
        url: url.to_string(),
        message: url.scrub(error.to_string().trim_end()),
    })
}

/// Runs `work` on tokio's blocking pool and waits for it without occupying an async worker.
///
/// A panic in `work` is re-raised here, as if it had happened in the caller.
pub async fn blocking<T, F>(work: F) -> Result<T, Error>
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
/// Cloning shares the connection; concurrent calls take turns.
#[derive(Clone)]
pub struct UserStore {
    conn: Arc<Mutex<PgConnection>>,
}

impl std::fmt::Debug for UserStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserStore").finish_non_exhaustive()
    }
}

impl UserStore {
    /// Connects and runs [`check_schema`], so that no method of the store ever writes to a wrong database.
    pub async fn connect(url: &DatabaseUrl) -> Result<Self, Error> {
        let url = url.clone();
        let conn = blocking(move || {
            let mut conn = connect(&url)?;
            check_schema(&mut conn)?;
            Ok(conn)
        })
        .await?;
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    /// Runs `work` with the connection on the blocking pool.
    pub async fn run<T, F>(&self, work: F) -> Result<T, Error>
    where
        F: FnOnce(&mut PgConnection) -> Result<T, Error> + Send + 'static,
        T: Send + 'static,
    {
        let conn = Arc::clone(&self.conn);
        blocking(move || {
            // A panic mid-operation may leave a transaction open: refuse the connection rather than guess.
            let mut conn = conn.lock().map_err(|_| Error::ConnectionPoisoned)?;
            work(&mut conn)
        })
        .await
    }

    /// See [`user::find_by_email`].
    pub async fn find_by_email(&self, email: &str) -> Result<Option<User>, Error> {
        let email = email.to_owned();
        self.run(move |conn| user::find_by_email(conn, &email)).await
    }

    /// See [`user::find_by_external_id`].
    pub async fn find_by_external_id(&self, external_id: &str) -> Result<Vec<User>, Error> {
        let external_id = external_id.to_owned();
        self.run(move |conn| user::find_by_external_id(conn, &external_id))
            .await
    }

    /// See [`user::insert`].
    pub async fn insert(&self, new: NewUser) -> Result<User, Error> {
        self.run(move |conn| user::insert(conn, &new)).await
    }

    /// See [`user::insert_if_absent`].
    pub async fn insert_if_absent(&self, new: NewUser) -> Result<(User, Outcome), Error> {
        self.run(move |conn| user::insert_if_absent(conn, &new)).await
    }

    /// See [`user::set_external_id`].
    pub async fn set_external_id(&self, id: i32, external_id: &str) -> Result<User, Error> {
        let external_id = external_id.to_owned();
        self.run(move |conn| user::set_external_id(conn, id, &external_id))
            .await
    }

    /// See [`user::promote_to_ocp`].
    pub async fn promote_to_ocp(&self, id: i32) -> Result<User, Error> {
        self.run(move |conn| user::promote_to_ocp(conn, id)).await
    }
}
