//! Pointing many rows at other Cognito users at once (`users import`): the run's lock, the rehearsal that proves
//! the rows may be updated before anything else is written, and the relink itself, one statement in one
//! transaction.

use diesel::connection::TransactionManager;
use diesel::prelude::*;
use diesel::sql_types::{Array, Bool, Int4, Text};

use crate::error::Error;
use crate::user::EMAIL_LOCK_CLASS;

/// The second key of the advisory lock an import holds for its whole run (`'IMPT'` in ASCII), beside
/// [`EMAIL_LOCK_CLASS`]: imports into one database take turns.
const IMPORT_LOCK: i32 = 0x494D_5054;

/// The statement both [`rehearse_relink`] and [`relink`] run: every row whose `external_id` is an old value of
/// `$1` takes the new value at the same place in `$2`.
const RELINK: &str = "UPDATE public.credere_user AS row SET external_id = moved.new \
                      FROM ROWS FROM (pg_catalog.unnest($1::text[]), pg_catalog.unnest($2::text[])) AS moved(old, new) \
                      WHERE row.external_id = moved.old RETURNING row.id";

#[derive(QueryableByName)]
struct Locked {
    #[diesel(sql_type = Bool)]
    locked: bool,
}

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = Int4)]
    #[allow(dead_code, reason = "read only to count the rows updated")]
    id: i32,
}

/// Takes the import's session-level advisory lock, held until the connection closes; [`Error::ImportRunning`] when
/// another session holds it (never waits: two imports at once are a mistake to report, not a queue).
pub fn lock_import(conn: &mut PgConnection) -> Result<(), Error> {
    let taken = diesel::sql_query("SELECT pg_catalog.pg_try_advisory_lock($1, $2) AS locked")
        .bind::<Int4, _>(EMAIL_LOCK_CLASS)
        .bind::<Int4, _>(IMPORT_LOCK)
        .get_result::<Locked>(conn)
        .map_err(Error::query("taking the import's lock"))?;
    if taken.locked {
        Ok(())
    } else {
        Err(Error::ImportRunning)
    }
}

/// Runs the relink of `moves` (old `external_id`, new) as each row's value to itself, then rolls it back: proves
/// the privileges (UPDATE on public.credere_user), triggers and a writable database before any other write.
pub fn rehearse_relink(conn: &mut PgConnection, old: &[String]) -> Result<(), Error> {
    in_transaction(conn, false, |conn| update(conn, old, old).map(drop))
}

/// Points every row whose `external_id` is an `old` value at the `new` value at the same place, in one statement
/// committed as one transaction: all rows or none. Returns how many rows were updated.
pub fn relink(conn: &mut PgConnection, old: &[String], new: &[String]) -> Result<usize, Error> {
    assert_eq!(old.len(), new.len(), "one new external_id for each old one");
    in_transaction(conn, true, |conn| update(conn, old, new))
}

fn update(conn: &mut PgConnection, old: &[String], new: &[String]) -> Result<usize, Error> {
    diesel::sql_query(RELINK)
        .bind::<Array<Text>, _>(old)
        .bind::<Array<Text>, _>(new)
        .load::<Id>(conn)
        .map(|ids| ids.len())
        .map_err(Error::query("relinking credere_user rows to the new pool's users"))
}

fn in_transaction<T>(
    conn: &mut PgConnection,
    commit: bool,
    work: impl FnOnce(&mut PgConnection) -> Result<T, Error>,
) -> Result<T, Error> {
    type Transactions = <PgConnection as Connection>::TransactionManager;
    Transactions::begin_transaction(conn).map_err(Error::query("beginning a transaction"))?;
    match work(conn) {
        Ok(value) if commit => Transactions::commit_transaction(conn)
            .map(|()| value)
            .map_err(Error::query("committing the relink")),
        Ok(value) => Transactions::rollback_transaction(conn)
            .map(|()| value)
            .map_err(Error::query("rolling the rehearsal back")),
        Err(error) => {
            // The statement's failure is the error, not the rollback's on a closed session.
            let _ = Transactions::rollback_transaction(conn);
            Err(error)
        }
    }
}
