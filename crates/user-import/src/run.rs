//! The run: the database made ready before any Cognito write, the plan read from the target pool and the rows,
//! then the users written and every row relinked at once.

use std::num::NonZeroU32;

use cognito::{Cognito, PoolChoice, RateLimit, ScanProgress};
use futures_util::{StreamExt, TryStreamExt, stream};
use pool_spec::Shown;
use serde::Serialize;
use user_export::Export;
use user_model::UserStore;

use crate::plan::{InTarget, Move, Plan, PlanError};

/// Users written at once: enough that waiting for answers does not slow the run below `--max-rps`, few enough
/// that a run cut short leaves little in flight.
const IN_FLIGHT: usize = 8;

/// Why an import stopped. Each says what was written and that a re-run finishes the job.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The database cannot take the relink (privileges, schema, lock, connection): found before any Cognito write.
    #[error("the database cannot take the relink; nothing was written to Cognito or the database")]
    DatabaseNotReady(#[source] user_model::Error),
    /// Reading the target pool failed.
    #[error("reading the target pool failed; nothing was written")]
    ReadingTarget(#[source] cognito::Error),
    /// The import cannot be planned.
    #[error(transparent)]
    Plan(#[from] PlanError),
    /// A Cognito write failed: some users may be in the target pool, no row was relinked.
    #[error(
        "{call} for {} failed: the users written before it are in pool {}, and no credere_user row was relinked; \
         run the same command again to finish (what exists is adopted, nothing is created twice)",
        Shown(.email), Shown(.pool_id)
    )]
    Writing {
        /// The call that failed.
        call: &'static str,
        /// The user it was for (or the group's name).
        email: String,
        /// The target pool.
        pool_id: String,
        /// Cognito's error.
        #[source]
        source: cognito::Error,
    },
    /// The relink failed: every user is in the target pool, no row was relinked (one transaction).
    #[error(
        "every user is in pool {}, but relinking the credere_user rows failed, so none was relinked (one \
         transaction); run the same command again once the database is reachable",
        Shown(.pool_id)
    )]
    Relinking {
        /// The target pool.
        pool_id: String,
        /// The database's error.
        #[source]
        source: user_model::Error,
    },
}

/// What an import did, as `--output json` prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// The pool written to.
    pub pool_id: String,
    /// Its region.
    pub region: String,
    /// The users of the file.
    pub users: usize,
    /// Users created.
    pub created: usize,
    /// Users disabled (after creation, or found enabled).
    pub disabled: usize,
    /// Groups created.
    pub groups_created: usize,
    /// Memberships added.
    pub memberships_added: usize,
    /// Rows relinked in the one transaction.
    pub rows_relinked: usize,
    /// Rows left alone: no user of the file.
    pub rows_left_alone: usize,
}

/// Connects to the database, checks its schema, takes the import's lock (held while `store` lives) and rehearses
/// the relink of every user of `file` (rolled back): whatever would stop the relink is found before any Cognito
/// write.
pub async fn prepare_database(url: &user_model::DatabaseUrl, file: &Export) -> Result<UserStore, ImportError> {
    let store = UserStore::connect(url).await.map_err(ImportError::DatabaseNotReady)?;
    store.lock_import().await.map_err(ImportError::DatabaseNotReady)?;
    let old = file.users.iter().map(|user| user.username.clone()).collect();
    store
        .rehearse_relink(old)
        .await
        .map_err(ImportError::DatabaseNotReady)?;
    Ok(store)
}

/// Plans moving `file`'s users into the pool `target` names, from that pool as it is now (read with the export's
/// scan, within `max_rps`) and every row of `store`. Only reads.
pub async fn plan(
    cognito: &Cognito,
    target: &PoolChoice,
    file: &Export,
    store: &UserStore,
    max_rps: NonZeroU32,
    progress: &dyn ScanProgress,
) -> Result<Plan, ImportError> {
    let (now, _) = user_export::export(cognito, target, max_rps, progress)
        .await
        .map_err(ImportError::ReadingTarget)?;
    let rows = store.all_links().await.map_err(ImportError::DatabaseNotReady)?;
    Ok(Plan::build(file, &now, &rows)?)
}

/// Told of each user written.
pub trait ImportProgress: Sync {
    /// `users` users are to be written.
    fn expect(&self, users: usize);
    /// One more was written.
    fn written(&self);
}

/// No one is told.
impl ImportProgress for () {
    fn expect(&self, _users: usize) {}
    fn written(&self) {}
}

/// Carries `plan` out: the missing groups, then each user (created, disabled again, added to its groups; up to
/// eight at once, every call within `max_rps`), then, only once every user is in the target pool, every
/// row relinked in one transaction. Stops at the first failed write, with no row relinked.
pub async fn import(
    cognito: &Cognito,
    plan: &Plan,
    store: &UserStore,
    max_rps: NonZeroU32,
    progress: &dyn ImportProgress,
) -> Result<Report, ImportError> {
    let pool_id = plan.target.id.as_str();
    let limit = RateLimit::per_second(max_rps);
    let failed = |call: &'static str, email: &str| {
        let email = email.to_owned();
        move |source| ImportError::Writing {
            call,
            email,
            pool_id: pool_id.to_owned(),
            source,
        }
    };
    for group in &plan.groups_to_create {
        let group = cognito::PoolGroup {
            name: group.name.clone(),
            description: group.description.clone(),
            precedence: group.precedence,
            role_arn: group.role_arn.clone(),
        };
        cognito
            .create_group(pool_id, &group, &limit)
            .await
            .map_err(failed("CreateGroup", &group.name))?;
    }
    progress.expect(plan.users.iter().filter(|moved| moved.writes()).count());
    let written: Vec<Written> = stream::iter(&plan.users)
        .map(|moved| async {
            let written = write(cognito, pool_id, moved, &limit).await;
            if moved.writes() {
                progress.written();
            }
            written.map_err(|(call, source)| failed(call, &moved.email)(source))
        })
        .buffered(IN_FLIGHT)
        .try_collect()
        .await?;
    let (old, new): (Vec<String>, Vec<String>) = plan
        .users
        .iter()
        .zip(&written)
        .map(|(moved, written)| (moved.old_username.clone(), written.username.clone()))
        .unzip();
    let rows_relinked = store.relink(old, new).await.map_err(|source| ImportError::Relinking {
        pool_id: pool_id.to_owned(),
        source,
    })?;
    Ok(Report {
        pool_id: pool_id.to_owned(),
        region: plan.target.region.clone(),
        users: plan.users.len(),
        created: written.iter().filter(|written| written.created).count(),
        disabled: written.iter().filter(|written| written.disabled).count(),
        groups_created: plan.groups_to_create.len(),
        memberships_added: plan.users.iter().map(|moved| moved.joins.len()).sum(),
        rows_relinked,
        rows_left_alone: plan
            .rows
            .iter()
            .filter(|row| row.link == crate::RowLink::NoUserInFile)
            .count(),
    })
}

/// What was done for one user.
struct Written {
    /// Its `Username` in the target pool.
    username: String,
    created: bool,
    disabled: bool,
}

async fn write(
    cognito: &Cognito,
    pool_id: &str,
    moved: &Move,
    limit: &RateLimit,
) -> Result<Written, (&'static str, cognito::Error)> {
    let (username, created, disable) = match &moved.target {
        InTarget::Create => {
            let username = cognito
                .create_moved_user(pool_id, &moved.email, &moved.attributes, limit)
                .await
                .map_err(|error| ("AdminCreateUser", error))?;
            (username, true, !moved.enabled)
        }
        InTarget::Exists { username, disable, .. } => (username.clone(), false, *disable),
    };
    if disable {
        cognito
            .disable_moved_user(pool_id, &username, limit)
            .await
            .map_err(|error| ("AdminDisableUser", error))?;
    }
    for group in &moved.joins {
        cognito
            .add_to_group(pool_id, &username, group, limit)
            .await
            .map_err(|error| ("AdminAddUserToGroup", error))?;
    }
    Ok(Written {
        username,
        created,
        disabled: disable,
    })
}
