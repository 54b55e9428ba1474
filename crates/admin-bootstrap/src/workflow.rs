//! The bootstrap itself: write the row in a transaction, ensure the Cognito user, finish the row, commit.

use cognito::{ChosenPool, Cognito, CognitoUser, PoolChoice, UserStatus};
use pool_spec::{AdminDefaults, Environment, Shown};
use serde::Serialize;
use user_model::{Language, NewUser, PENDING_EXTERNAL_ID, Transaction, User, UserStore, UserType};

use crate::input::Input;
use crate::reset::{ResetOutcome, reset_unless_own_password};

/// What the bootstrap found, did and ended with.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The admin's email as the row stores it: the input (trimmed, lower case) for a new row, else the existing
    /// row's, which may differ in case.
    pub email: String,
    /// The display name, as stored.
    pub name: String,
    /// The language, as stored.
    pub language: Language,
    /// The database, password hidden.
    pub database: String,
    /// The environment whose spec named the pool, if one was given.
    pub environment: Option<Environment>,
    /// The pool the user is in.
    pub pool_id: String,
    /// The pool's name, when it was looked up.
    pub pool_name: Option<String>,
    /// The Cognito `Username`, stored as `credere_user.external_id`.
    pub username: String,
    /// The user's `sub`.
    pub sub: String,
    /// Cognito's `UserStatus`, e.g. `FORCE_CHANGE_PASSWORD` until the first password reset.
    pub cognito_status: UserStatus,
    /// Whether this run created the Cognito user (else it existed).
    pub cognito_user_created: bool,
    /// `credere_user.id`.
    pub user_id: i32,
    /// Whether this run inserted the row (else it existed).
    pub row_created: bool,
    /// The `external_id` the row had before `--relink` changed it.
    pub relinked_from: Option<String>,
    /// Whether `--promote` changed the row from `FI` to `OCP`.
    pub promoted: bool,
    /// What came of `--send-reset` (credere-backend emailing a link that carries a temporary password), when asked.
    pub password_reset: Option<ResetOutcome>,
}

impl Report {
    /// Whether this run changed anything (a re-run after success changes nothing).
    pub fn changed_anything(&self) -> bool {
        self.cognito_user_created || self.row_created || self.relinked_from.is_some() || self.promoted
    }
}

/// Why the bootstrap stopped. Each message says what was (not) changed and what to do next.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The database is unreachable or not Credere's; checked first, so nothing was created anywhere.
    #[error("the database check failed, so nothing was created in Cognito or the database")]
    Database(#[source] user_model::Error),
    /// The row could not be written in the transaction opened before any Cognito call, so nothing was created.
    #[error(
        "the credere_user row for {email} cannot be written, so nothing was created in Cognito and the database is \
         unchanged"
    )]
    RowNotWritable {
        /// The email.
        email: String,
        /// The database's refusal.
        #[source]
        cause: user_model::Error,
    },
    /// Several rows have this email in different cases; credere-backend would sign in only the exact one.
    #[error(
        "credere_user has {} rows whose email is {email} ignoring case ({}); nothing was changed. credere-backend \
         finds a user by the exact email typed: keep one row (delete or correct the others by hand), then run again",
        .rows.len(),
        .rows.iter().map(|(id, stored)| format!("id {id}: {}", Shown(stored))).collect::<Vec<_>>().join(", ")
    )]
    EmailAmbiguous {
        /// The email asked for.
        email: String,
        /// Each matching row's id and email as stored, by id.
        rows: Vec<(i32, String)>,
    },
    /// The pool could not be resolved (lookup failed, the environment has no pool in the region, ambiguous, or
    /// `--env` and `--pool-id` disagree).
    #[error("could not resolve the user pool; nothing was changed")]
    Pool(#[source] cognito::Error),
    /// Creating or reading the Cognito user failed; the database was not written.
    #[error("the Cognito step failed, so the credere_user table was not changed")]
    Cognito(#[source] cognito::Error),
    /// The Cognito user exists but is disabled.
    #[error(
        "the Cognito user {email} (Username {}) is disabled; nothing was changed. Enable it if it should be an \
         admin, then run again",
        Shown(username)
    )]
    UserDisabled {
        /// The email.
        email: String,
        /// Its Cognito `Username`.
        username: String,
    },
    /// A row with this email points at another Cognito user.
    #[error(
        "credere_user row {user_id} for {} has external_id {}, but the Cognito user's Username is {}; nothing was \
         changed. Relink the row to point it at the Cognito user",
        Shown(email),
        Shown(row_external_id),
        Shown(cognito_username)
    )]
    RowPointsElsewhere {
        /// The email as the row stores it (it may differ in case from the one asked for).
        email: String,
        /// The row's id.
        user_id: i32,
        /// What the row holds.
        row_external_id: String,
        /// What Cognito holds.
        cognito_username: String,
    },
    /// A row with this email points at a Cognito user that does not exist.
    #[error(
        "credere_user row {user_id} for {} has external_id {}, but the pool has no Cognito user with that email; \
         nothing was changed. Relink the row to create the Cognito user and point the row at it",
        Shown(email),
        Shown(row_external_id)
    )]
    RowWithoutCognitoUser {
        /// The email as the row stores it (it may differ in case from the one asked for).
        email: String,
        /// The row's id.
        user_id: i32,
        /// What the row holds.
        row_external_id: String,
    },
    /// A row with this email is a lender's (`FI`) user.
    #[error(
        "credere_user row {user_id} for {} is a lender (FI) user; nothing was changed. \
         Promote it to make it an OCP administrator",
        Shown(email)
    )]
    RowIsLender {
        /// The email as the row stores it (it may differ in case from the one asked for).
        email: String,
        /// The row's id.
        user_id: i32,
    },
    /// The Cognito step succeeded, then the database failed.
    #[error(
        "the Cognito user {email} (Username {}) {}, but the credere_user row could not be written; run the \
         same command again to find that user and finish the row",
        Shown(username), if *.cognito_user_created { "was created" } else { "exists" }
    )]
    RowNotWritten {
        /// The email.
        email: String,
        /// The Cognito `Username`.
        username: String,
        /// Whether this run created the Cognito user.
        cognito_user_created: bool,
        /// The database failure.
        #[source]
        cause: user_model::Error,
    },
}

/// What [`bootstrap`] will do, read before anything is written ([`plan_bootstrap`]): shown, and confirmed when
/// [`BootstrapPlan::needs_confirmation`]. Two plans are equal when they read the same row, pool and user, which is
/// how a plan confirmed a while ago is held to a fresh one.
#[derive(Debug, Clone, PartialEq)]
pub struct BootstrapPlan {
    /// The pool the user goes in.
    pub pool: ChosenPool,
    /// The one row with the email ignoring case; `None`: a row is inserted.
    pub row: Option<User>,
    /// The Cognito user with the email; `None`: one is created.
    pub user: Option<CognitoUser>,
    /// Whether `--relink` is asked (an existing row is pointed at the Cognito user).
    pub relink: bool,
}

impl BootstrapPlan {
    /// Whether the row is a lender's, made OCP by `--promote` (a lender row without it is refused before).
    pub fn promotes(&self) -> bool {
        self.row.as_ref().is_some_and(|row| row.user_type == UserType::Fi)
    }

    /// The `external_id` an existing row has that `--relink` replaces with the Cognito user's Username (`None`
    /// when the user does not exist yet: the row then points at the user created).
    pub fn relinks(&self) -> Option<(&str, Option<&str>)> {
        let row = self.row.as_ref().filter(|_| self.relink)?;
        match &self.user {
            Some(user) if user.username == row.external_id => None,
            user => Some((
                row.external_id.as_str(),
                user.as_ref().map(|user| user.username.as_str()),
            )),
        }
    }

    /// Whether running it changes anything (a re-run after success changes nothing).
    pub fn changes_anything(&self) -> bool {
        self.row.is_none() || self.user.is_none() || self.promotes() || self.relinks().is_some()
    }

    /// Whether a person must confirm before [`bootstrap`]: the one production rule ([`pool_spec::needs_confirmation`])
    /// applied to the pool's environment, for a plan that changes anything.
    pub fn needs_confirmation(&self) -> bool {
        self.changes_anything() && pool_spec::needs_confirmation(self.pool.environment)
    }
}

/// Reads what [`bootstrap`] would find (the row, the pool, the Cognito user) and writes nothing; what it would
/// refuse (several rows, a lender row without `--promote`) is refused here already.
pub async fn plan_bootstrap(input: &Input, cognito: &Cognito) -> Result<BootstrapPlan, Error> {
    let store = UserStore::connect(input.database_url())
        .await
        .map_err(Error::Database)?;
    // Dropped at the end, which rolls it back: nothing here is kept.
    let trial = store.begin().await.map_err(Error::Database)?;
    let row = only_row(
        trial.find_by_email(input.email()).await.map_err(Error::Database)?,
        input,
    )?;
    if let Some(row) = &row {
        refuse_lender(row, input)?;
    }
    // Database first: the row's writes are tried and rolled back, so a database that cannot take them stops the run
    // before any Cognito call and before anyone is asked.
    stage_row(&trial, input, &admin_defaults(input.pool()), row.clone())
        .await
        .map_err(|cause| Error::RowNotWritable {
            email: input.email().to_owned(),
            cause,
        })?;
    drop(trial);
    let pool = cognito.choose_pool(input.pool()).await.map_err(Error::Pool)?;
    let user = match cognito.get_user(&pool.id, input.email()).await {
        Ok(user) => Some(user),
        Err(cognito::Error::UserNotFound { .. }) => None,
        Err(error) => return Err(Error::Cognito(error)),
    };
    Ok(BootstrapPlan {
        pool,
        row,
        user,
        relink: input.relink(),
    })
}

/// The row as it stands in the open transaction, before the Cognito step.
struct StagedRow {
    row: User,
    /// Inserted in this transaction (with [`PENDING_EXTERNAL_ID`]), else found.
    created: bool,
    /// Changed from `FI` to `OCP` in this transaction.
    promoted: bool,
}

/// Runs the bootstrap for a validated request. Idempotent: a re-run after success changes nothing, and a
/// re-run after a failure finishes what the failed run started.
///
/// Database first: in one transaction, the row is inserted (or promoted, or proven updatable for `--relink`)
/// before any Cognito call, and committed only after the Cognito step. So a database that cannot take the row
/// stops the run with nothing created anywhere, and a failed run rolls its row back. A lock on the email makes
/// concurrent runs for one email take turns, so they make one Cognito user and one row.
pub async fn bootstrap(input: &Input, cognito: &Cognito) -> Result<Report, Error> {
    let defaults = admin_defaults(input.pool());
    let store = UserStore::connect(input.database_url())
        .await
        .map_err(Error::Database)?;
    // Every early return below drops the transaction, which closes the connection: PostgreSQL rolls it back.
    let transaction = store.begin().await.map_err(Error::Database)?;
    transaction.lock_email(input.email()).await.map_err(Error::Database)?;
    let existing = only_row(
        transaction
            .find_by_email(input.email())
            .await
            .map_err(Error::Database)?,
        input,
    )?;
    if let Some(row) = &existing {
        refuse_lender(row, input)?;
    }
    let staged = stage_row(&transaction, input, &defaults, existing)
        .await
        .map_err(|cause| Error::RowNotWritable {
            email: input.email().to_owned(),
            cause,
        })?;
    let pool = cognito.choose_pool(input.pool()).await.map_err(Error::Pool)?;
    let found = (!staged.created).then_some(&staged.row);
    let (user, cognito_user_created) = ensure_cognito_user(cognito, &pool.id, input, &defaults, found).await?;
    if !user.enabled {
        return Err(Error::UserDisabled {
            email: input.email().to_owned(),
            username: user.username,
        });
    }
    if let Some(row) = found {
        refuse_other_link(row, &user, input)?;
    }
    let row_not_written = |cause| Error::RowNotWritten {
        email: input.email().to_owned(),
        username: user.username.clone(),
        cognito_user_created,
        cause,
    };
    let StagedRow { row, created, promoted } = staged;
    let (row, relinked_from) = if row.external_id == user.username {
        (row, None)
    } else {
        if !created {
            tracing::info!(user_id = row.id, from = %row.external_id, to = %user.username, "relinking the row");
        }
        let updated = transaction
            .set_external_id(row.id, &user.username)
            .await
            .map_err(row_not_written)?;
        (updated, (!created).then_some(row.external_id))
    };
    transaction.commit().await.map_err(row_not_written)?;
    let password_reset = match input.reset() {
        Some(target) => {
            Some(reset_unless_own_password(target, input.email(), &user.status, input.reset_confirmed()).await)
        }
        None => None,
    };
    Ok(Report {
        email: row.email,
        name: row.name,
        language: row.language,
        database: input.database_url().to_string(),
        environment: pool.environment,
        pool_id: pool.id,
        pool_name: pool.name,
        username: user.username,
        sub: user.sub,
        cognito_status: user.status,
        cognito_user_created,
        user_id: row.id,
        row_created: created,
        relinked_from,
        promoted,
        password_reset,
    })
}

/// The one row with this email ignoring case, if any; several are refused.
fn only_row(mut rows: Vec<User>, input: &Input) -> Result<Option<User>, Error> {
    if rows.len() > 1 {
        return Err(Error::EmailAmbiguous {
            email: input.email().to_owned(),
            rows: rows.into_iter().map(|row| (row.id, row.email)).collect(),
        });
    }
    Ok(rows.pop())
}

/// Makes in the transaction every write the run will need, before any Cognito call: inserts a new row (its
/// `external_id` pending) and proves it updatable, or promotes a lender row, or proves an existing row updatable
/// for `--relink`. A lender row without `--promote` has already been refused.
async fn stage_row(
    transaction: &Transaction,
    input: &Input,
    defaults: &AdminDefaults,
    existing: Option<User>,
) -> Result<StagedRow, user_model::Error> {
    let Some(row) = existing else {
        let row = transaction.insert(new_user(input, defaults)).await?;
        transaction.prove_updatable(row.id).await?;
        return Ok(StagedRow {
            row,
            created: true,
            promoted: false,
        });
    };
    let promoted = row.user_type == UserType::Fi;
    let row = if promoted {
        transaction.promote_to_ocp(row.id).await?
    } else {
        row
    };
    if input.relink() {
        transaction.prove_updatable(row.id).await?;
    }
    Ok(StagedRow {
        row,
        created: false,
        promoted,
    })
}

/// The defaults of the environment whose spec names the pool, or Credere's for a pool given by ID only.
fn admin_defaults(pool: &PoolChoice) -> AdminDefaults {
    match pool {
        PoolChoice::Environment { environment, .. } => pool_spec::for_environment(*environment).admin,
        PoolChoice::Id(_) => AdminDefaults::CREDERE,
    }
}

/// The admin's row, its `external_id` pending until the Cognito user is known.
fn new_user(input: &Input, defaults: &AdminDefaults) -> NewUser {
    NewUser {
        user_type: defaults.user_type,
        language: input.language(),
        email: input.email().to_owned(),
        name: input.name().to_owned(),
        external_id: PENDING_EXTERNAL_ID.to_owned(),
        lender_id: None,
        notification_preferences: None,
    }
}

/// Creates the user, or reads it when it exists. Returns it and whether this run created it.
async fn ensure_cognito_user(
    cognito: &Cognito,
    pool_id: &str,
    input: &Input,
    defaults: &AdminDefaults,
    existing: Option<&User>,
) -> Result<(CognitoUser, bool), Error> {
    if let Some(row) = existing {
        // A row means the user should exist: read, so a re-run after success makes no write.
        match cognito.get_user(pool_id, input.email()).await {
            Ok(user) => return Ok((user, false)),
            Err(cognito::Error::UserNotFound { .. }) if input.relink() => {}
            Err(cognito::Error::UserNotFound { .. }) => {
                return Err(Error::RowWithoutCognitoUser {
                    email: row.email.clone(),
                    user_id: row.id,
                    row_external_id: row.external_id.clone(),
                });
            }
            Err(error) => return Err(Error::Cognito(error)),
        }
    }
    match cognito.create_user(pool_id, input.email(), defaults).await {
        Ok(user) => Ok((user, true)),
        // Created by an earlier, interrupted run or by a concurrent one: adopt it.
        Err(cognito::Error::UsernameExists { .. }) => cognito
            .get_user(pool_id, input.email())
            .await
            .map(|user| (user, false))
            .map_err(Error::Cognito),
        Err(error) => Err(Error::Cognito(error)),
    }
}

fn refuse_lender(row: &User, input: &Input) -> Result<(), Error> {
    if row.user_type == UserType::Fi && !input.promote() {
        return Err(Error::RowIsLender {
            email: row.email.clone(),
            user_id: row.id,
        });
    }
    Ok(())
}

fn refuse_other_link(row: &User, user: &CognitoUser, input: &Input) -> Result<(), Error> {
    if row.external_id != user.username && !input.relink() {
        return Err(Error::RowPointsElsewhere {
            email: row.email.clone(),
            user_id: row.id,
            row_external_id: row.external_id.clone(),
            cognito_username: user.username.clone(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::Request;

    #[test]
    fn a_new_row_takes_its_type_from_the_defaults_of_the_pools_environment() {
        let input = Request {
            email: "admin@example.org".into(),
            name: "Ada Admin".into(),
            language: "en".into(),
            pool_id: Some("us-east-1_AbC123".into()),
            database_url: Some("postgresql://localhost/credere".into()),
            ..Request::default()
        }
        .validate()
        .expect("a valid request");
        for user_type in UserType::ALL {
            let defaults = AdminDefaults {
                user_type,
                ..AdminDefaults::CREDERE
            };
            let row = new_user(&input, &defaults);
            assert_eq!((row.user_type, row.language), (user_type, Language::En));
        }
        assert_eq!(
            admin_defaults(input.pool()),
            AdminDefaults::CREDERE,
            "a pool given by ID only"
        );
        for environment in Environment::ALL {
            let by_environment = PoolChoice::Environment {
                environment,
                pool_id: None,
            };
            assert_eq!(
                admin_defaults(&by_environment),
                pool_spec::for_environment(environment).admin
            );
        }
    }
}
