//! Bounded waits: the name and timeouts every session of the tool sets up, and, when the server cancels a
//! statement for a timeout, which setting did it, its value, and the sessions holding the lock it waited for.
//!
//! A session that waits on a lock (a migration's `ACCESS EXCLUSIVE`, a `VACUUM FULL`) would wait forever with
//! PostgreSQL's defaults, and keep waiting, queued, after the tool is killed. So each session bounds its waits with
//! [`DEFAULT_LOCK_TIMEOUT`] and [`DEFAULT_STATEMENT_TIMEOUT`], unless someone already bounded them: a value set for
//! the role or the database (a DBA's choice), or by the operator through `PGOPTIONS` or DATABASE_URL's `options`
//! (`-c lock_timeout=5min`), is kept.

use std::fmt;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Integer, Nullable, Text};
use pool_spec::Shown;

use crate::error::Error;

/// The `application_name` the tool's sessions show in `pg_stat_activity`, unless DATABASE_URL's
/// `application_name` or `PGAPPNAME` gives another (it is libpq's `fallback_application_name`).
pub const APPLICATION_NAME: &str = "credere-cognito";

/// How long a statement of the tool waits for a lock before the server cancels it, unless set elsewhere.
pub const DEFAULT_LOCK_TIMEOUT: &str = "30s";

/// How long a statement of the tool may run (its lock waits included), unless set elsewhere.
pub const DEFAULT_STATEMENT_TIMEOUT: &str = "2min";

/// Sets [`DEFAULT_LOCK_TIMEOUT`] and [`DEFAULT_STATEMENT_TIMEOUT`] on this session where no one has bounded the
/// wait (a value of `0`); a bound from the role, the database, the server or the client is kept.
pub(crate) fn bound_waits(conn: &mut PgConnection) -> Result<(), Error> {
    conn.batch_execute(&format!(
        "SELECT pg_catalog.set_config(name, value, false) \
         FROM (VALUES ('lock_timeout', '{DEFAULT_LOCK_TIMEOUT}'), ('statement_timeout', '{DEFAULT_STATEMENT_TIMEOUT}')) \
           AS defaults(name, value) \
         WHERE pg_catalog.current_setting(name) = '0'"
    ))
    .map_err(Error::query("bounding the session's lock and statement waits"))
}

/// The server setting that cancelled a statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timeout {
    /// `lock_timeout`: the statement waited too long for a lock.
    Lock,
    /// `statement_timeout`: the statement (its lock waits included) ran too long.
    Statement,
}

impl Timeout {
    /// The setting's name, as `SET` and `PGOPTIONS` spell it.
    pub fn setting(self) -> &'static str {
        match self {
            Self::Lock => "lock_timeout",
            Self::Statement => "statement_timeout",
        }
    }

    /// Which timeout a server message reports. diesel does not expose the SQLSTATE (55P03 and 57014), so the
    /// message PostgreSQL writes ("canceling statement due to lock timeout") is read; a server speaking another
    /// language (`lc_messages`) gets the plain error instead.
    pub(crate) fn reported_in(message: &str) -> Option<Self> {
        if message.contains("due to lock timeout") {
            Some(Self::Lock)
        } else if message.contains("due to statement timeout") {
            Some(Self::Statement)
        } else {
            None
        }
    }
}

/// Who set a timeout, from `pg_settings.source`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettingSource {
    /// This tool's default ([`DEFAULT_LOCK_TIMEOUT`], [`DEFAULT_STATEMENT_TIMEOUT`]).
    Tool,
    /// The client: `PGOPTIONS`, or `options` in DATABASE_URL.
    Client,
    /// `ALTER ROLE … SET` (also `… IN DATABASE …`).
    Role,
    /// `ALTER DATABASE … SET`.
    Database,
    /// The server's configuration (`postgresql.conf`, `ALTER SYSTEM`, its command line).
    Server,
}

impl SettingSource {
    fn from_pg(source: &str) -> Self {
        match source {
            "session" => Self::Tool,
            "client" => Self::Client,
            "user" | "database user" => Self::Role,
            "database" => Self::Database,
            _ => Self::Server,
        }
    }
}

impl fmt::Display for SettingSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Tool => "this tool's default",
            Self::Client => "set by PGOPTIONS or DATABASE_URL's options",
            Self::Role => "set for the role (ALTER ROLE … SET)",
            Self::Database => "set for the database (ALTER DATABASE … SET)",
            Self::Server => "set in the server's configuration",
        })
    }
}

/// A timeout's value in the session, and who set it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limit {
    /// As `SHOW` prints it, e.g. `30s`.
    pub value: String,
    /// Who set it.
    pub source: SettingSource,
}

/// Another session that holds, or is queued for, a lock on `public.credere_user` that conflicts with the tool's
/// reads or writes, or holds the tool's own lock on an email (another `admin` run).
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct LockHolder {
    /// The server process, as `pg_cancel_backend` and `pg_terminate_backend` take it.
    #[diesel(sql_type = Integer)]
    pub pid: i32,
    /// What the session calls itself.
    #[diesel(sql_type = Text)]
    pub application_name: String,
    /// The role it connected as.
    #[diesel(sql_type = Nullable<Text>)]
    pub user: Option<String>,
    /// The lock mode, e.g. `AccessExclusiveLock`, or `advisory` for an email's lock.
    #[diesel(sql_type = Text)]
    pub mode: String,
    /// Whether it holds the lock (else it is queued for it, ahead of the tool).
    #[diesel(sql_type = Bool)]
    pub granted: bool,
    /// How long its transaction has been open, in seconds.
    #[diesel(sql_type = Nullable<BigInt>)]
    pub transaction_seconds: Option<i64>,
    /// Its current or last statement (`<insufficient privilege>` for another role's session, unless the tool's
    /// role may read all statistics).
    #[diesel(sql_type = Text)]
    pub query: String,
}

impl fmt::Display for LockHolder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "pid {} (application_name \"{}\"",
            self.pid,
            Shown(&self.application_name)
        )?;
        if let Some(user) = &self.user {
            write!(f, ", user {}", Shown(user))?;
        }
        let held = if self.granted { "holds" } else { "is queued for" };
        write!(f, ", {held} {}", self.mode)?;
        if let Some(seconds) = self.transaction_seconds {
            write!(f, ", transaction open for {seconds} s")?;
        }
        write!(f, "): {}", Shown(&self.query))
    }
}

/// What was learnt, on a second connection, after a statement was cancelled for a timeout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnosis {
    /// The setting that cancelled the statement.
    pub timeout: Timeout,
    /// The timeout's value and who set it (a new session is set up as the cancelled one was).
    pub limit: Limit,
    /// The sessions in the way, holders first.
    pub holders: Vec<LockHolder>,
}

impl fmt::Display for Diagnosis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} = {}, {}",
            self.timeout.setting(),
            self.limit.value,
            self.limit.source
        )?;
        if self.holders.is_empty() {
            return f.write_str(". No other session holds or awaits a conflicting lock on public.credere_user now");
        }
        f.write_str(". In the way, on public.credere_user: ")?;
        for (index, holder) in self.holders.iter().enumerate() {
            if index > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{holder}")?;
        }
        Ok(())
    }
}

#[derive(QueryableByName)]
struct Setting {
    #[diesel(sql_type = Text)]
    setting: String,
    #[diesel(sql_type = Text)]
    source: String,
}

/// Reads `timeout`'s value in this session and the sessions holding locks the tool's statements need.
pub(crate) fn diagnose(conn: &mut PgConnection, timeout: Timeout) -> Result<Diagnosis, Error> {
    let limit = diesel::sql_query(
        "SELECT pg_catalog.current_setting(name) AS setting, source FROM pg_catalog.pg_settings WHERE name = $1",
    )
    .bind::<Text, _>(timeout.setting())
    .get_result::<Setting>(conn)
    .map_err(Error::query("reading the timeout's setting"))?;
    // Reads take ACCESS SHARE and writes ROW EXCLUSIVE: the modes from SHARE up conflict with a write, ACCESS
    // EXCLUSIVE with both. A session queued for such a lock is in the way too, as later requests queue behind it.
    let holders = diesel::sql_query(
        "SELECT l.pid, COALESCE(a.application_name, '') AS application_name, a.usename::text AS user, \
                CASE WHEN l.locktype = 'advisory' THEN 'advisory lock on the email' ELSE l.mode END AS mode, \
                l.granted, EXTRACT(EPOCH FROM pg_catalog.now() - a.xact_start)::bigint AS transaction_seconds, \
                COALESCE(a.query, '') AS query \
         FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid \
         WHERE l.pid <> pg_catalog.pg_backend_pid() AND a.datname = pg_catalog.current_database() \
           AND ((l.locktype = 'relation' AND l.relation = 'public.credere_user'::regclass \
                 AND l.mode IN ('ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock')) \
             OR (l.locktype = 'advisory' AND l.granted AND l.classid::bigint = $1 AND l.objsubid = 2)) \
         ORDER BY l.granted DESC, l.pid",
    )
    .bind::<BigInt, _>(i64::from(crate::user::EMAIL_LOCK_CLASS))
    .load::<LockHolder>(conn)
    .map_err(Error::query(
        "listing the sessions holding locks on public.credere_user",
    ))?;
    Ok(Diagnosis {
        timeout,
        limit: Limit {
            value: limit.setting,
            source: SettingSource::from_pg(&limit.source),
        },
        holders,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_server_message_tells_the_timeouts_apart() {
        assert_eq!(
            Timeout::reported_in("canceling statement due to lock timeout"),
            Some(Timeout::Lock)
        );
        assert_eq!(
            Timeout::reported_in("canceling statement due to statement timeout"),
            Some(Timeout::Statement)
        );
        assert_eq!(Timeout::reported_in("canceling statement due to user request"), None);
    }

    #[test]
    fn each_source_says_where_to_change_it() {
        let cases = [
            ("session", "this tool's default"),
            ("client", "PGOPTIONS"),
            ("user", "ALTER ROLE"),
            ("database user", "ALTER ROLE"),
            ("database", "ALTER DATABASE"),
            ("configuration file", "server's configuration"),
        ];
        for (source, expected) in cases {
            let shown = SettingSource::from_pg(source).to_string();
            assert!(shown.contains(expected), "{source}: {shown}");
        }
    }

    #[test]
    fn a_holder_shows_its_values_escaped() {
        let holder = LockHolder {
            pid: 42,
            application_name: "probe\u{1b}[8m".into(),
            user: Some("postgres".into()),
            mode: "AccessExclusiveLock".into(),
            granted: true,
            transaction_seconds: Some(7),
            query: "LOCK TABLE public.credere_user\nIN ACCESS EXCLUSIVE MODE".into(),
        };
        assert_eq!(
            holder.to_string(),
            r#"pid 42 (application_name "probe\u{1b}[8m", user postgres, holds AccessExclusiveLock, transaction open for 7 s): LOCK TABLE public.credere_user\nIN ACCESS EXCLUSIVE MODE"#
        );
    }
}
