use std::path::PathBuf;

/// Why a test service could not be had. Each message says how to get it.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The PostgreSQL server binaries (`initdb`, `postgres`) are not installed.
    #[error(
        "PostgreSQL server binaries (initdb, postgres) not found in `pg_config --bindir` or /usr/lib/postgresql/*/bin. \
         Install them: Debian/Ubuntu `sudo apt-get install postgresql`, Fedora `sudo dnf install postgresql-server` \
         (the harness is Linux-only). Or set TEST_DATABASE_URL to a server where you may create databases."
    )]
    PostgresNotInstalled,
    /// Python 3 or its `venv` module is missing, so the emulator cannot be installed.
    #[error(
        "{what}. The Cognito emulator (moto) is installed into a virtualenv and needs Python 3 with venv: \
         Debian/Ubuntu `sudo apt-get install python3 python3-venv`, Fedora `sudo dnf install python3`. \
         Or set COGNITO_TEST_ENDPOINT to a running moto server."
    )]
    PythonMissing {
        /// What exactly is missing.
        what: String,
    },
    /// Running as root, and no unprivileged user exists to run the PostgreSQL server as.
    #[error(
        "running as root, and initdb refuses root: create the system user `postgres` \
         (`useradd --system postgres`, or install the postgresql package) or run the tests as an ordinary user"
    )]
    NoUnprivilegedUser,
    /// A service was started but did not become ready.
    #[error("{service} did not start: {reason}{}", log_tail(.log))]
    NotReady {
        /// Which service.
        service: &'static str,
        /// What went wrong.
        reason: String,
        /// The service's own log, when it has one.
        log: Option<String>,
    },
    /// A command the harness runs failed.
    #[error("`{command}` failed: {detail}")]
    Command {
        /// The command line.
        command: String,
        /// Its exit status and output.
        detail: String,
    },
    /// A database statement the harness runs failed.
    #[error("PostgreSQL at {url}: {source}")]
    Database {
        /// The server (without password).
        url: String,
        /// The driver's error.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// File system trouble in the harness's own directories.
    #[error("{}: {source}", path.display())]
    Io {
        /// The path concerned.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}

fn log_tail(log: &Option<String>) -> String {
    match log {
        Some(log) => {
            let lines: Vec<&str> = log.lines().collect();
            let tail = lines[lines.len().saturating_sub(15)..].join("\n");
            format!("\n--- last lines of its log ---\n{tail}")
        }
        None => String::new(),
    }
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.into();
        move |source| Error::Io { path, source }
    }
}
