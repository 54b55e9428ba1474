//! The services one test run shares: started once by `cargo xtask test`, or lazily inside a test binary.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock};

use crate::{COGNITO_ENV, DATABASE_ENV, Error, MotoServer, PgCluster, TestDatabase};

/// PostgreSQL and the Cognito emulator for a whole test run. Each is started unless its environment
/// variable ([`DATABASE_ENV`], [`COGNITO_ENV`]) already names a running one. Dropping this stops what
/// it started and deletes its directories.
#[derive(Debug)]
pub struct Services {
    postgres: Option<PgCluster>,
    moto: Option<MotoServer>,
    database_url: String,
    cognito_endpoint: String,
}

impl Services {
    /// Starts both services, side by side since each takes a moment.
    pub fn start() -> Result<Self, Error> {
        let external_database = std::env::var(DATABASE_ENV).ok();
        let external_cognito = std::env::var(COGNITO_ENV).ok();
        let (postgres, moto) = std::thread::scope(|scope| {
            let postgres = scope.spawn(|| external_database.is_none().then(PgCluster::start).transpose());
            let moto = external_cognito.is_none().then(MotoServer::start).transpose();
            (postgres.join().expect("PostgreSQL start-up thread panicked"), moto)
        });
        let (postgres, moto) = (postgres?, moto?);
        let database_url =
            external_database.unwrap_or_else(|| postgres.as_ref().map(PgCluster::url).unwrap_or_default());
        let cognito_endpoint =
            external_cognito.unwrap_or_else(|| moto.as_ref().map(MotoServer::endpoint).unwrap_or_default());
        Ok(Self {
            postgres,
            moto,
            database_url,
            cognito_endpoint,
        })
    }

    /// The environment that hands these services to test processes, plus the fake AWS credentials
    /// moto accepts (real ones must never reach a test), an explicit region, and the instance metadata
    /// service turned off, so the SDK never probes a non-loopback address for credentials or a region.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            (DATABASE_ENV, self.database_url.clone()),
            (COGNITO_ENV, self.cognito_endpoint.clone()),
            ("AWS_ACCESS_KEY_ID", "testing".into()),
            ("AWS_SECRET_ACCESS_KEY", "testing".into()),
            ("AWS_SESSION_TOKEN", "testing".into()),
            ("AWS_REGION", "us-east-1".into()),
            ("AWS_EC2_METADATA_DISABLED", "true".into()),
        ]
    }

    /// The environment variables a test process must not inherit, as they would point the SDK at a
    /// real account or endpoint.
    pub fn env_removed() -> &'static [&'static str] {
        &[
            "AWS_PROFILE",
            "AWS_DEFAULT_PROFILE",
            "AWS_ENDPOINT_URL",
            "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER",
        ]
    }

    /// Leaves the services this value started running after this program exits. Returns the shell
    /// command that stops them and removes their directories (empty when it started none).
    pub fn keep_running(self) -> String {
        let kept: Vec<(u32, std::path::PathBuf)> = self
            .postgres
            .map(PgCluster::keep_running)
            .into_iter()
            .chain(self.moto.map(MotoServer::keep_running))
            .collect();
        if kept.is_empty() {
            return String::new();
        }
        let pids: Vec<String> = kept.iter().map(|(pid, _)| pid.to_string()).collect();
        let dirs: Vec<String> = kept.iter().map(|(_, dir)| dir.display().to_string()).collect();
        format!("kill {} && sleep 2 && rm -rf {}", pids.join(" "), dirs.join(" "))
    }

    /// URL of the PostgreSQL server's maintenance database.
    pub fn database_url(&self) -> &str {
        &self.database_url
    }

    /// The Cognito emulator's endpoint.
    pub fn cognito_endpoint(&self) -> &str {
        &self.cognito_endpoint
    }
}

/// Services started lazily inside this test process, stopped when it exits.
static STARTED_HERE: Mutex<Vec<Box<dyn std::any::Any + Send>>> = Mutex::new(Vec::new());

fn keep_until_exit(service: Box<dyn std::any::Any + Send>) {
    static REGISTER: std::sync::Once = std::sync::Once::new();
    REGISTER.call_once(|| {
        extern "C" fn stop_services() {
            if let Ok(mut services) = STARTED_HERE.lock() {
                services.clear();
            }
        }
        // The test harness ends with `exit`, which runs atexit handlers but never drops statics:
        // without this, a lazily started PostgreSQL or moto would outlive the test binary.
        #[allow(unsafe_code)]
        // SAFETY: registering a plain `extern "C"` function with no arguments, as atexit requires.
        unsafe {
            libc::atexit(stop_services);
        }
    });
    STARTED_HERE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .push(service);
}

fn or_fail<T>(service: &str, result: Result<T, Error>) -> T {
    result.unwrap_or_else(|error| panic!("this test needs {service} and cannot get it: {error}"))
}

/// URL of the PostgreSQL server tests create their databases on: [`DATABASE_ENV`], or a throwaway
/// cluster started on first use. Panics, saying how to get PostgreSQL, when neither can be had.
pub fn server_url() -> String {
    static URL: OnceLock<String> = OnceLock::new();
    if let Ok(url) = std::env::var(DATABASE_ENV) {
        return url;
    }
    URL.get_or_init(|| {
        let cluster = or_fail("PostgreSQL", PgCluster::start());
        let url = cluster.url();
        keep_until_exit(Box::new(cluster));
        url
    })
    .clone()
}

/// A fresh, empty database for one test, dropped with the returned value.
pub fn database() -> TestDatabase {
    or_fail("a PostgreSQL database", TestDatabase::create(&server_url()))
}

/// The Cognito emulator's endpoint: [`COGNITO_ENV`], or a moto server started on first use.
/// Panics, saying how to get it, when it cannot be had or when no fake AWS credentials are set.
pub fn cognito_endpoint() -> String {
    static ENDPOINT: OnceLock<String> = OnceLock::new();
    require_fake_credentials();
    if let Ok(endpoint) = std::env::var(COGNITO_ENV) {
        return endpoint;
    }
    ENDPOINT
        .get_or_init(|| {
            let moto = or_fail("the Cognito emulator", MotoServer::start());
            let endpoint = moto.endpoint();
            keep_until_exit(Box::new(moto));
            endpoint
        })
        .clone()
}

/// Panics, saying how to set them, unless AWS credentials are in the environment: the SDK signs every call, even
/// one to the emulator or to a proxy that only answers, and must never find real credentials elsewhere.
pub fn require_fake_credentials() {
    assert!(
        std::env::var_os("AWS_ACCESS_KEY_ID").is_some(),
        "Cognito tests need fake AWS credentials in the environment: run them with `cargo xtask test`, or \
         export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing (never real ones)"
    );
}

/// A name no other test of this run uses (pools, emails), made of characters Cognito accepts in names.
pub fn unique_name(prefix: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.subsec_nanos());
    format!(
        "{prefix}-{}-{}-{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}
