//! `cargo xtask bench`: what `provision`, `admin`, `audit` and `users export` cost, measured against the emulator through the recording
//! proxy, with and without injected latency. Figures, not assertions: the tests assert call and
//! round-trip counts; this reports them with wall time and peak memory.

use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::out::outln;
use comfy_table::Table;
use testkit::RecordingProxy;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Runs per scenario; the table shows the median wall time and the largest peak memory.
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// Injected latencies in milliseconds, one table row group each.
    #[arg(long, value_delimiter = ',', default_value = "0,100")]
    latency_ms: Vec<u64>,
    /// Pool sizes of the audit and export scenarios, one row group each (seeding 10,000 users takes a while).
    #[arg(long, value_delimiter = ',', default_value = "1000,10000")]
    users: Vec<usize>,
}

/// One measured run of the binary.
struct Sample {
    calls: usize,
    round_trips: usize,
    wall: Duration,
    peak_kib: Option<u64>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let warm_starts = services_warm_start(args.runs.max(1))?;
    let services = testkit::Services::start().context("starting PostgreSQL and the Cognito emulator")?;
    let runtime = crate::aws::runtime()?;
    let mut table = Table::new();
    table.set_header([
        "scenario",
        "latency",
        "API calls",
        "round trips",
        "wall (median)",
        "peak RSS (max)",
    ]);
    for &latency in &args.latency_ms {
        for environment in ["development", "production"] {
            let mut scratch = Vec::new();
            let mut converged = Vec::new();
            for _ in 0..args.runs.max(1) {
                // A fresh proxy is a fresh emulated account: every from-scratch run really starts from nothing.
                let proxy = runtime.block_on(RecordingProxy::start(services.cognito_endpoint()))?;
                proxy.set_latency(Duration::from_millis(latency));
                let endpoint = proxy.endpoint();
                let provision = ["provision", "--env", environment, "--yes", "--endpoint-url", &endpoint];
                scratch.push(measure(&runtime, &proxy, &provision)?);
                converged.push(measure(&runtime, &proxy, &[&provision[..], &["--check"]].concat())?);
            }
            for (name, samples) in [("from scratch", &scratch), ("converged --check", &converged)] {
                table.add_row(row(&format!("{environment} {name}"), latency, samples));
            }
        }
        let (created, existing) = admin_samples(&runtime, &services, latency, args.runs.max(1))?;
        table.add_row(row("admin bootstrap (creates user and row)", latency, &created));
        table.add_row(row("admin re-run (nothing to do)", latency, &existing));
    }
    let exports = tempfile::tempdir().context("a directory for the exports")?;
    for &users in &args.users {
        let pool = AuditPool::seed(&runtime, &services, users)?;
        for &latency in &args.latency_ms {
            pool.proxy.set_latency(Duration::from_millis(latency));
            let runs = 0..args.runs.max(1);
            let audits = runs
                .clone()
                .map(|_| pool.measure(&runtime))
                .collect::<anyhow::Result<Vec<_>>>()?;
            table.add_row(row(&format!("audit, {users} users and rows"), latency, &audits));
            let file = exports.path().join(format!("{users}.jsonl"));
            let exported = runs
                .map(|_| pool.measure_export(&runtime, &file))
                .collect::<anyhow::Result<Vec<_>>>()?;
            table.add_row(row(&format!("users export, {users} users"), latency, &exported));
        }
    }
    outln!(
        "Test services (throwaway PostgreSQL + moto, virtualenv built), warm start to ready: median {:.2} s, max {:.2} s",
        warm_starts[warm_starts.len() / 2].as_secs_f64(),
        warm_starts[warm_starts.len() - 1].as_secs_f64()
    );
    outln!("{table}");
    outln!(
        "Wall time is the whole `cargo xtask` process (this build's profile), peak RSS its VmHWM. Production \
         resolves the SES ARN with GetCallerIdentity alongside ListUserPools. The admin runs use --env \
         development (ListUserPools, then AdminCreateUser or AdminGetUser) and a migrated database of their own. \
         The audits and exports use --pool-id and the default --max-rps (20 calls a second): a pool of N users and N \
         rows, one of them OCP; their users were created (through the proxy, without latency) before timing. An \
         export writes its file (--force) to a temporary directory."
    );
    Ok(ExitCode::SUCCESS)
}

/// `cargo xtask admin` into a provisioned development pool and a fresh migrated database: the first
/// run creates the user and the row, the second finds both.
fn admin_samples(
    runtime: &tokio::runtime::Runtime,
    services: &testkit::Services,
    latency: u64,
    runs: usize,
) -> anyhow::Result<(Vec<Sample>, Vec<Sample>)> {
    let (mut created, mut existing) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        let proxy = provisioned_development(runtime, services)?;
        let endpoint = proxy.endpoint();
        let (database, _) = migrated_database(services)?;
        proxy.set_latency(Duration::from_millis(latency));
        let admin = [
            "admin",
            "--email",
            "admin@example.org",
            "--name",
            "Bench Admin",
            "--env",
            "development",
            "--database-url",
            database.url(),
            "--endpoint-url",
            &endpoint,
        ];
        created.push(measure(runtime, &proxy, &admin)?);
        existing.push(measure(runtime, &proxy, &admin)?);
    }
    Ok((created, existing))
}

/// A recording proxy of its own (an emulated account) in which `cargo xtask provision` made the development pool.
fn provisioned_development(
    runtime: &tokio::runtime::Runtime,
    services: &testkit::Services,
) -> anyhow::Result<RecordingProxy> {
    let proxy = runtime.block_on(RecordingProxy::start(services.cognito_endpoint()))?;
    measure(
        runtime,
        &proxy,
        &["provision", "--env", "development", "--endpoint-url", &proxy.endpoint()],
    )?;
    Ok(proxy)
}

/// A fresh database with the workspace's migrations applied.
fn migrated_database(services: &testkit::Services) -> anyhow::Result<(testkit::TestDatabase, user_model::DatabaseUrl)> {
    let database = testkit::TestDatabase::create(services.database_url())?;
    let url = user_model::DatabaseUrl::parse(database.url())?;
    user_model::setup(&url, user_model::AlembicPolicy::Refuse)?;
    Ok((database, url))
}

/// AdminCreateUser calls in flight while seeding a pool. One: moto answers concurrent AdminCreateUser calls
/// with HTTP 500 now and then (its user store is not guarded against threads), which AWS would not.
const SEEDERS: usize = 1;

/// A development pool holding `users` users, and a database holding one row for each.
struct AuditPool {
    proxy: RecordingProxy,
    pool_id: String,
    database: testkit::TestDatabase,
}

impl AuditPool {
    /// Creates the users with the cognito crate's own AdminCreateUser, then inserts the rows in
    /// one transaction, the first an OCP administrator.
    fn seed(runtime: &tokio::runtime::Runtime, services: &testkit::Services, users: usize) -> anyhow::Result<Self> {
        let proxy = provisioned_development(runtime, services)?;
        let endpoint = proxy.endpoint();
        let created = runtime.block_on(async {
            let cognito = cognito::Cognito::connect(&cognito::ConnectOptions {
                endpoint_url: Some(endpoint.clone()),
                ..cognito::ConnectOptions::default()
            })
            .await;
            let spec = pool_spec::development();
            let pool_id = cognito
                .find_pool(&spec.pool.name, &spec.tags, None)
                .await?
                .context("the development pool just provisioned")?
                .id;
            let mut seeders = tokio::task::JoinSet::new();
            for seeder in 0..SEEDERS {
                let (cognito, pool_id, admin) = (cognito.clone(), pool_id.clone(), spec.admin);
                seeders.spawn(async move {
                    let mut made = Vec::new();
                    for index in (seeder..users).step_by(SEEDERS) {
                        let email = format!("user{index}@example.org");
                        made.push((index, cognito.create_user(&pool_id, &email, &admin).await?));
                    }
                    Ok::<_, anyhow::Error>(made)
                });
            }
            let mut made = Vec::with_capacity(users);
            while let Some(part) = seeders.join_next().await {
                made.extend(part??);
            }
            made.sort_by_key(|(index, _)| *index);
            Ok::<_, anyhow::Error>((pool_id, made))
        })?;
        let (pool_id, made) = created;
        let (database, url) = migrated_database(services)?;
        let mut conn = user_model::connect(&url)?;
        let rows: Vec<user_model::NewUser> = made
            .into_iter()
            .map(|(index, user)| user_model::NewUser {
                user_type: if index == 0 {
                    user_model::UserType::Ocp
                } else {
                    user_model::UserType::Fi
                },
                language: user_model::Language::Es,
                email: user.email.unwrap_or_default(),
                name: format!("User {index}"),
                external_id: user.username,
                lender_id: None,
                notification_preferences: None,
            })
            .collect();
        {
            use user_model::diesel::{Connection, RunQueryDsl};
            conn.transaction(|conn| {
                for chunk in rows.chunks(1_000) {
                    user_model::diesel::insert_into(user_model::schema::credere_user::table)
                        .values(chunk.to_vec())
                        .execute(conn)?;
                }
                Ok::<_, user_model::diesel::result::Error>(())
            })?;
        }
        Ok(Self {
            proxy,
            pool_id,
            database,
        })
    }

    /// One audit of the pool, which must succeed (exit 0 or 2).
    fn measure(&self, runtime: &tokio::runtime::Runtime) -> anyhow::Result<Sample> {
        let endpoint = self.proxy.endpoint();
        let args = [
            "audit",
            "--pool-id",
            &self.pool_id,
            "--database-url",
            self.database.url(),
            "--endpoint-url",
            &endpoint,
            "--output",
            "json",
        ];
        measure_accepting(runtime, &self.proxy, &args, &[0, 2])
    }

    /// One `users export` of the pool into `file`, replacing it, which must succeed.
    fn measure_export(&self, runtime: &tokio::runtime::Runtime, file: &std::path::Path) -> anyhow::Result<Sample> {
        let endpoint = self.proxy.endpoint();
        let file = file.to_str().context("a UTF-8 temporary path")?;
        let args = [
            "users",
            "export",
            "--pool-id",
            &self.pool_id,
            "--out",
            file,
            "--force",
            "--endpoint-url",
            &endpoint,
            "--output",
            "json",
        ];
        measure(runtime, &self.proxy, &args)
    }
}

/// What `cargo xtask test` waits for before the first test: both services started and answering.
fn services_warm_start(runs: usize) -> anyhow::Result<Vec<Duration>> {
    testkit::venv_bin().context("building the virtualenv before timing warm starts")?;
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        let services = testkit::Services::start().context("starting the test services")?;
        times.push(started.elapsed());
        drop(services);
    }
    times.sort();
    Ok(times)
}

fn row(scenario: &str, latency: u64, samples: &[Sample]) -> Vec<String> {
    let mut walls: Vec<Duration> = samples.iter().map(|sample| sample.wall).collect();
    walls.sort();
    let peak = samples.iter().filter_map(|sample| sample.peak_kib).max();
    let same = |value: fn(&Sample) -> usize| {
        let values: Vec<usize> = samples.iter().map(value).collect();
        if values.iter().all(|&value| value == values[0]) {
            values[0].to_string()
        } else {
            format!("{values:?}")
        }
    };
    vec![
        scenario.to_owned(),
        format!("{latency} ms"),
        same(|sample| sample.calls),
        same(|sample| sample.round_trips),
        format!("{:.0} ms", walls[walls.len() / 2].as_secs_f64() * 1000.0),
        peak.map_or_else(|| "n/a".to_owned(), |kib| format!("{:.1} MiB", kib as f64 / 1024.0)),
    ]
}

/// Runs this binary with `args`, which must succeed, and what it cost through `proxy`.
fn measure(runtime: &tokio::runtime::Runtime, proxy: &RecordingProxy, args: &[&str]) -> anyhow::Result<Sample> {
    measure_accepting(runtime, proxy, args, &[0])
}

/// [`measure`], where any of the exit codes `ok` counts as success.
fn measure_accepting(
    runtime: &tokio::runtime::Runtime,
    proxy: &RecordingProxy,
    args: &[&str],
    ok: &[i32],
) -> anyhow::Result<Sample> {
    proxy.clear();
    let started = Instant::now();
    let mut child = Command::new(std::env::current_exe()?)
        .args(args)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env_remove("AWS_PROFILE")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()?;
    // The proxy runs on the runtime; drive it while the child runs.
    let (status, peak_kib) = runtime.block_on(async {
        let mut peak = None;
        loop {
            if let Some(status) = child.try_wait()? {
                return Ok::<_, std::io::Error>((status, peak));
            }
            peak = peak_rss_kib(child.id()).or(peak);
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    })?;
    let wall = started.elapsed();
    if !status.code().is_some_and(|code| ok.contains(&code)) {
        let mut stderr = String::new();
        if let Some(mut pipe) = child.stderr.take() {
            std::io::Read::read_to_string(&mut pipe, &mut stderr)?;
        }
        bail!("cargo xtask {} exited with {status}: {stderr}", args.join(" "));
    }
    Ok(Sample {
        calls: proxy.calls().len(),
        round_trips: proxy.round_trips(),
        wall,
        peak_kib,
    })
}

/// The process's peak resident set (VmHWM), while it still runs. Linux only.
fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
}
