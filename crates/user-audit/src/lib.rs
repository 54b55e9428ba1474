//! Checking a pool's Cognito users against Credere's `public.credere_user` rows (`cargo xtask audit`).
//!
//! **Owns:** the findings ([`FindingKind`]) and the administrators' list; the pure comparison ([`audit`]) and
//! the read-only run around it ([`run`]), which scans the pool through the `cognito` crate and streams the rows
//! through `user-model`.
//! **Invariant:** read-only. Cognito is only read (DescribeUserPool, ListUsers, AdminGetUser, and ListUserPools
//! when the pool is found by environment); the rows are read in a `READ ONLY` transaction. The comparison has
//! no I/O and takes the time as an argument.
//! **Must not depend on:** the AWS SDK (Cognito's answers arrive as `cognito` types), admin-bootstrap, or xtask.

mod findings;

use std::num::NonZeroU32;
use std::time::SystemTime;

use cognito::{ChosenPool, Cognito, PoolChoice, RateLimit, ScanProgress};
use futures_util::future::try_join_all;
use pool_spec::Environment;
use serde::Serialize;
use user_model::{DatabaseUrl, UserStore};

pub use findings::{Admin, AdminCognito, Finding, FindingKind, Outcome, audit};

/// The report, as `--output json` prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// The environment, when the pool was chosen by one.
    pub environment: Option<Environment>,
    /// The pool audited.
    pub pool_id: String,
    /// How many Cognito users the pool holds.
    pub users: usize,
    /// How many `credere_user` rows the database holds.
    pub rows: usize,
    /// What is wrong, by kind.
    pub findings: Vec<Finding>,
    /// Every `OCP` row and its Cognito user's state.
    pub admins: Vec<Admin>,
}

/// Why an audit could not finish. Nothing was written either way.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Finding or reading the pool failed.
    #[error(transparent)]
    Cognito(#[from] cognito::Error),
    /// Reaching or reading the database failed.
    #[error(transparent)]
    Database(#[from] user_model::Error),
}

/// Audits the pool against the database, reading both at once; `progress` is told how the scan of the pool goes.
pub async fn run(
    cognito: &Cognito,
    pool: &PoolChoice,
    database_url: &DatabaseUrl,
    max_rps: NonZeroU32,
    progress: &dyn ScanProgress,
) -> Result<Report, Error> {
    let ChosenPool {
        id: pool_id,
        environment,
        ..
    } = cognito.choose_pool(pool).await?;
    let limit = RateLimit::per_second(max_rps);
    let read_rows = async {
        let store = UserStore::connect(database_url).await?;
        store.all_links().await
    };
    let user_facts = async {
        let facts = cognito.user_facts(&pool_id).await?;
        progress.expect(facts.estimated_users);
        Ok::<_, cognito::Error>(facts)
    };
    let (facts, scan, rows) = tokio::join!(
        user_facts,
        cognito.list_all_users(&pool_id, &limit, progress),
        read_rows
    );
    let (validity_days, scan, rows) = (facts?.temporary_password_validity_days, scan?, rows?);
    let Outcome {
        mut findings,
        mut admins,
    } = audit(&rows, &scan.users, validity_days, SystemTime::now());
    let mfa = admins
        .iter()
        .filter(|admin| admin.cognito.is_some())
        .map(|admin| cognito.user_mfa(&pool_id, &admin.username, &limit));
    let mfa = try_join_all(mfa).await?;
    let listed = admins.iter_mut().filter(|admin| admin.cognito.is_some());
    for (admin, read) in listed.zip(mfa) {
        match (read, admin.cognito.as_mut()) {
            (Some(found), Some(state)) => state.set_mfa(found),
            // Deleted after the listing: its row now points at no user.
            _ => findings.push(admin.deleted_during_audit()),
        }
    }
    findings::sort(&mut findings);
    Ok(Report {
        environment,
        pool_id,
        users: scan.users.len(),
        rows: rows.len(),
        findings,
        admins,
    })
}
