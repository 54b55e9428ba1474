//! A throwaway PostgreSQL cluster, and a fresh database per test on it (or on `TEST_DATABASE_URL`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use diesel::{Connection, PgConnection, RunQueryDsl};
use nix::sys::signal::Signal;
use nix::unistd::{Uid, User};

use crate::Error;
use crate::process::{ServiceProcess, free_port, port_was_taken, run_checked};

/// A PostgreSQL cluster in a temporary directory, listening on a loopback port with trust
/// authentication, except for members of [`PASSWORD_GROUP`]. Dropping it stops the server and deletes the directory.
#[derive(Debug)]
pub struct PgCluster {
    // Declared before `dir` so that the server stops before its directory is removed.
    server: ServiceProcess,
    port: u16,
    dir: tempfile::TempDir,
}

impl PgCluster {
    /// Finds the machine's PostgreSQL server binaries, creates a cluster and starts it.
    /// A port taken between choosing and binding it is retried with another.
    pub fn start() -> Result<Self, Error> {
        let bin = find_server_binaries()?;
        let owner = server_owner()?;
        let dir = tempfile::Builder::new()
            .prefix("credere-testkit-pg-")
            .tempdir()
            .map_err(Error::io(std::env::temp_dir()))?;
        let data = dir.path().join("data");
        if let Some(user) = &owner {
            std::os::unix::fs::chown(dir.path(), Some(user.uid.as_raw()), Some(user.gid.as_raw()))
                .map_err(Error::io(dir.path()))?;
        }
        let mut initdb = command(&bin.join("initdb"), dir.path(), owner.as_ref());
        initdb.arg("--pgdata").arg(&data).args([
            "--username=postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--no-locale",
            "--no-sync",
        ]);
        run_checked(&mut initdb, "initdb")?;
        require_passwords_of_group(&data)?;

        let mut attempts = 0;
        loop {
            attempts += 1;
            let port = free_port().map_err(Error::io(dir.path()))?;
            let mut postgres = command(&bin.join("postgres"), dir.path(), owner.as_ref());
            postgres
                .arg("-D")
                .arg(&data)
                .args(["-h", "127.0.0.1", "-p", &port.to_string(), "-k"])
                .arg(dir.path())
                // Durability is worthless for a cluster deleted at the end of the run.
                .args(["-F", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"])
                .args(["-c", "max_connections=300"]);
            let log = dir.path().join("postgres.log");
            let mut server = ServiceProcess::spawn("PostgreSQL", postgres, &log, Signal::SIGINT)?;
            let url = format!("postgresql://postgres@127.0.0.1:{port}/postgres");
            match server.wait_ready(port, Duration::from_secs(30), || PgConnection::establish(&url).is_ok()) {
                Ok(()) => {
                    execute(&url, &format!("CREATE ROLE {PASSWORD_GROUP} NOLOGIN"))?;
                    return Ok(Self { server, port, dir });
                }
                Err(error) if attempts < 5 && port_was_taken(&error) => continue,
                Err(error) => return Err(error),
            }
        }
    }

    /// The URL of the cluster's `postgres` maintenance database.
    pub fn url(&self) -> String {
        format!("postgresql://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Leaves the server running after this program exits; returns its PID and its directory, which
    /// the caller must tell the user to stop and remove.
    pub fn keep_running(self) -> (u32, std::path::PathBuf) {
        let PgCluster { server, dir, .. } = self;
        (server.detach(), dir.keep())
    }
}

/// The group whose members the cluster makes authenticate with their password (scram-sha-256), as a production
/// server does; everyone else is trusted. Its `pg_hba.conf` lines come first, so they win.
pub const PASSWORD_GROUP: &str = "testkit_password_required";

fn require_passwords_of_group(data: &Path) -> Result<(), Error> {
    let hba = data.join("pg_hba.conf");
    let trusted = std::fs::read_to_string(&hba).map_err(Error::io(&hba))?;
    let lines = format!(
        "# testkit: members of {PASSWORD_GROUP} must give their password, as on a real server.\n\
         local all +{PASSWORD_GROUP} scram-sha-256\n\
         host all +{PASSWORD_GROUP} 127.0.0.1/32 scram-sha-256\n\
         host all +{PASSWORD_GROUP} ::1/128 scram-sha-256\n"
    );
    std::fs::write(&hba, lines + &trusted).map_err(Error::io(&hba))
}

/// A superuser login role in [`PASSWORD_GROUP`], so the server refuses it without its password: for tests that
/// prove a password never shows. Dropped (best effort) with this value; drop the databases it owns objects in first.
#[derive(Debug)]
pub struct PasswordRole {
    name: String,
    server_url: String,
}

impl PasswordRole {
    /// Creates the role with `password` on the server at `server_url`.
    pub fn create(server_url: &str, password: &str) -> Result<Self, Error> {
        let name = crate::unique_name("pw").replace('-', "_");
        let literal = password.replace('\'', "''");
        execute(
            server_url,
            &format!("CREATE ROLE \"{name}\" LOGIN SUPERUSER PASSWORD '{literal}' IN ROLE {PASSWORD_GROUP}"),
        )?;
        Ok(Self {
            name,
            server_url: server_url.to_owned(),
        })
    }

    /// The role's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `url`, a testkit URL (`postgresql://postgres@…`), with this role and `encoded_password` (already
    /// percent-encoded) as its credentials.
    pub fn url(&self, url: &str, encoded_password: &str) -> String {
        assert!(url.contains("://postgres@"), "not a testkit URL: {url}");
        url.replacen("://postgres@", &format!("://{}:{encoded_password}@", self.name), 1)
    }
}

impl Drop for PasswordRole {
    fn drop(&mut self) {
        let _ = execute(&self.server_url, &format!("DROP ROLE IF EXISTS \"{}\"", self.name));
    }
}

/// A database of its own for one test, created empty on a real server and dropped with this value.
#[derive(Debug)]
pub struct TestDatabase {
    name: String,
    url: String,
    server_url: String,
}

impl TestDatabase {
    /// Creates a new, empty database with a unique name on the server at `server_url`.
    pub fn create(server_url: &str) -> Result<Self, Error> {
        // Underscores, so the name needs no quoting where someone types it by hand.
        let name = crate::unique_name("test").replace('-', "_");
        execute(server_url, &format!("CREATE DATABASE \"{name}\""))?;
        Ok(Self {
            url: with_database(server_url, &name),
            name,
            server_url: server_url.to_owned(),
        })
    }

    /// A `postgresql://` URL for this database.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The database's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Opens a connection to this database.
    pub fn connect(&self) -> PgConnection {
        PgConnection::establish(&self.url)
            .unwrap_or_else(|error| panic!("connecting to test database {}: {error}", self.name))
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        // FORCE ends connections a failed test left open; the database must go either way.
        let _ = execute(
            &self.server_url,
            &format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name),
        );
    }
}

/// Replaces the database name (the URL's path) of a PostgreSQL URL.
pub fn with_database(server_url: &str, database: &str) -> String {
    let (base, query) = match server_url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (server_url, None),
    };
    let authority_start = base.find("://").map_or(0, |index| index + 3);
    let path_start = base[authority_start..]
        .find('/')
        .map_or(base.len(), |index| authority_start + index);
    let mut url = format!("{}/{database}", &base[..path_start]);
    if let Some(query) = query {
        url.push('?');
        url.push_str(query);
    }
    url
}

fn execute(server_url: &str, statement: &str) -> Result<(), Error> {
    let database_error = |source: Box<dyn std::error::Error + Send + Sync>| Error::Database {
        url: redact(server_url),
        source,
    };
    let mut connection = PgConnection::establish(server_url).map_err(|error| database_error(error.into()))?;
    diesel::sql_query(statement)
        .execute(&mut connection)
        .map_err(|error| database_error(error.into()))?;
    Ok(())
}

fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{}{user}{}", &url[..scheme_end + 3], &url[at..])
        }
        _ => url.to_owned(),
    }
}

/// The directory holding `initdb` and `postgres`: `pg_config --bindir`, then the newest
/// `/usr/lib/postgresql/*/bin`, then PATH.
fn find_server_binaries() -> Result<PathBuf, Error> {
    let pg_config_bindir = Command::new("pg_config")
        .arg("--bindir")
        .output()
        .ok()
        .filter(|output| output.status.success())
        .map(|output| PathBuf::from(String::from_utf8_lossy(&output.stdout).trim()));
    search_server_binaries(
        pg_config_bindir,
        Path::new("/usr/lib/postgresql"),
        std::env::var_os("PATH"),
    )
}

/// The search itself, over the places given, so that its failure can be tested.
fn search_server_binaries(
    pg_config_bindir: Option<PathBuf>,
    versions_root: &Path,
    path: Option<std::ffi::OsString>,
) -> Result<PathBuf, Error> {
    let has_server = |dir: &Path| dir.join("initdb").is_file() && dir.join("postgres").is_file();
    if let Some(dir) = pg_config_bindir.filter(|dir| has_server(dir)) {
        return Ok(dir);
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir(versions_root)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse().ok()?;
            Some((version, entry.path().join("bin")))
        })
        .filter(|(_, dir)| has_server(dir))
        .collect();
    versions.sort();
    if let Some((_, dir)) = versions.pop() {
        return Ok(dir);
    }
    path.and_then(|path| std::env::split_paths(&path).find(|dir| has_server(dir)))
        .ok_or(Error::PostgresNotInstalled)
}

/// The user the server runs as: ourselves, unless we are root, which initdb refuses.
fn server_owner() -> Result<Option<User>, Error> {
    if !Uid::effective().is_root() {
        return Ok(None);
    }
    match User::from_name("postgres") {
        Ok(Some(user)) => Ok(Some(user)),
        _ => Err(Error::NoUnprivilegedUser),
    }
}

fn command(program: &Path, cwd: &Path, owner: Option<&User>) -> Command {
    use std::os::unix::process::CommandExt;
    let mut command = Command::new(program);
    command.current_dir(cwd).env_remove("PGDATA");
    if let Some(user) = owner {
        command.uid(user.uid.as_raw()).gid(user.gid.as_raw()).env("HOME", cwd);
    }
    command
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn with_database_replaces_only_the_path() {
        assert_eq!(
            with_database("postgresql://u@h:5/postgres", "x"),
            "postgresql://u@h:5/x"
        );
        assert_eq!(with_database("postgresql://u@h:5", "x"), "postgresql://u@h:5/x");
        assert_eq!(
            with_database("postgresql://u:p@h/db?sslmode=disable", "x"),
            "postgresql://u:p@h/x?sslmode=disable"
        );
        assert_eq!(with_database("postgresql:///db", "x"), "postgresql:///x");
    }

    #[test]
    fn missing_server_binaries_name_the_packages_to_install() {
        let empty = tempfile::tempdir().unwrap();
        let error =
            search_server_binaries(Some(empty.path().to_owned()), empty.path(), Some(empty.path().into())).unwrap_err();
        let message = error.to_string();
        assert!(message.contains("sudo apt-get install postgresql"), "{message}");
        assert!(message.contains("dnf install postgresql-server"), "{message}");
        assert!(message.contains("TEST_DATABASE_URL"), "{message}");
    }

    #[test]
    fn the_newest_installed_version_wins() {
        let root = tempfile::tempdir().unwrap();
        for version in ["13", "16", "9"] {
            let bin = root.path().join(version).join("bin");
            std::fs::create_dir_all(&bin).unwrap();
            std::fs::write(bin.join("initdb"), "").unwrap();
            std::fs::write(bin.join("postgres"), "").unwrap();
        }
        let found = search_server_binaries(None, root.path(), None).unwrap();
        assert_eq!(found, root.path().join("16").join("bin"));
    }

    #[test]
    fn redact_hides_the_password_only() {
        assert_eq!(redact("postgresql://u:secret@h/db"), "postgresql://u@h/db");
        assert_eq!(redact("postgresql://u@h/db"), "postgresql://u@h/db");
        assert_eq!(redact("postgresql:///db"), "postgresql:///db");
    }
}
