//! `cargo xtask bench`: what `provision`, `admin`, `audit`, `users export` and `users import` cost, measured against
//! the emulator through the recording proxy, with and without injected latency. Figures, not assertions: the tests
//! assert call and round-trip counts; this reports them with wall time and peak memory.

mod seeded;

use std::collections::BTreeMap;
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::out::outln;
use comfy_table::Table;
use seeded::{IMPORT_MAX_RPS, SeededPool};
use testkit::RecordingProxy;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Runs per scenario; the table shows the median wall time and the largest peak memory.
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// Injected latencies in milliseconds, one table row group each.
    #[arg(long, value_delimiter = ',', default_value = "0,100")]
    latency_ms: Vec<u64>,
    /// Pool sizes of the audit, export and import scenarios, one row group each (seeding 10,000 users takes a
    /// while).
    #[arg(long, value_delimiter = ',', default_value = "1000,10000")]
    users: Vec<usize>,
}

/// One measured run of the binary.
struct Sample {
    calls: usize,
    /// The calls of each operation.
    operations: BTreeMap<String, usize>,
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
                add_row(&mut table, &format!("{environment} {name}"), latency, samples);
            }
        }
        let (created, existing) = admin_samples(&runtime, &services, latency, args.runs.max(1))?;
        add_row(&mut table, "admin bootstrap (creates user and row)", latency, &created);
        add_row(&mut table, "admin re-run (nothing to do)", latency, &existing);
    }
    let exports = tempfile::tempdir().context("a directory for the exports")?;
    for &users in &args.users {
        let pool = SeededPool::seed(&runtime, &services, users)?;
        for &latency in &args.latency_ms {
            pool.proxy.set_latency(Duration::from_millis(latency));
            let runs = 0..args.runs.max(1);
            let audits = runs
                .clone()
                .map(|_| pool.measure_audit(&runtime))
                .collect::<anyhow::Result<Vec<_>>>()?;
            add_row(&mut table, &format!("audit, {users} users and rows"), latency, &audits);
            let file = exports.path().join(format!("{users}.jsonl"));
            let exported = runs
                .clone()
                .map(|_| pool.measure_export(&runtime, &file))
                .collect::<anyhow::Result<Vec<_>>>()?;
            add_row(&mut table, &format!("users export, {users} users"), latency, &exported);
            let (imported, rerun): (Vec<_>, Vec<_>) = runs
                .map(|_| pool.measure_import(&runtime, &services, &file, Duration::from_millis(latency)))
                .collect::<anyhow::Result<Vec<_>>>()?
                .into_iter()
                .unzip();
            let scenario = format!("users import, {users} users (creates and relinks)");
            add_row(&mut table, &scenario, latency, &imported);
            let scenario = format!("users import re-run, {users} users (nothing to do)");
            add_row(&mut table, &scenario, latency, &rerun);
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
         export writes its file (--force) to a temporary directory. An import reads the last export into a development \
         pool just provisioned behind a proxy of its own (an empty account) and a fresh database holding the same \
         rows, with --pool-id, --yes and --max-rps {IMPORT_MAX_RPS} (far above what the emulator answers, so the \
         emulator sets the pace); its re-run finds every user and row in place."
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

/// Adds the row of `samples` to `table`, and shows it on stderr at once with the first run's calls by operation: a
/// long bench cut short still tells what it measured.
fn add_row(table: &mut Table, scenario: &str, latency: u64, samples: &[Sample]) {
    let row = row(scenario, latency, samples);
    let operations: Vec<String> = samples[0]
        .operations
        .iter()
        .map(|(operation, calls)| format!("{operation} {calls}"))
        .collect();
    eprintln!("measured: {} ({})", row.join(" | "), operations.join(", "));
    table.add_row(row);
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
    // A file, not a pipe: an import's plan (a line a user) would fill a pipe nobody reads until the child exits.
    let mut stderr = tempfile::tempfile().context("a file for the child's stderr")?;
    proxy.clear();
    let started = Instant::now();
    let mut child = Command::new(std::env::current_exe()?)
        .args(args)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env_remove("AWS_PROFILE")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(stderr.try_clone()?)
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
        let mut printed = String::new();
        std::io::Seek::rewind(&mut stderr)?;
        std::io::Read::read_to_string(&mut stderr, &mut printed)?;
        bail!("cargo xtask {} exited with {status}: {printed}", args.join(" "));
    }
    let calls = proxy.calls();
    let mut operations = BTreeMap::new();
    for call in &calls {
        *operations.entry(call.operation.clone()).or_default() += 1;
    }
    Ok(Sample {
        calls: calls.len(),
        operations,
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
