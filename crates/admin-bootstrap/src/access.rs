//! The runbooks on an existing user: take their access away, give it back, or reset their authenticator app.
//! Cognito only: the `credere_user` row is left alone (credere-backend keeps its history).
//!
//! [`plan_access`] only reads (the pool, then the user) and says which writes bring the user where the operation
//! asks ([`cognito::UserOperation::plan`]); [`apply_access`] makes them in that order and reports each. Between
//! the two the caller shows the plan and, when [`AccessPlan::needs_confirmation`], asks. A second run plans
//! nothing it has already done.

use cognito::{ChosenPool, Cognito, PoolChoice, UserAccess, UserOperation, UserWrite, Written};

use crate::input::{InputError, normalize_email};

/// What an operation on one user will do, read before anything is written. Two plans are equal when they
/// found the same user in the same state and make the same writes, which is how a plan confirmed a while ago is
/// held to a fresh one before anything is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessPlan {
    /// What was asked.
    pub operation: UserOperation,
    /// The address the user was looked up by (trimmed and lower-cased).
    pub email: String,
    /// The pool the user is in.
    pub pool: ChosenPool,
    /// The user as AdminGetUser reported them.
    pub access: UserAccess,
    /// The writes, in order; empty when the user is already where the operation asks.
    pub writes: Vec<UserWrite>,
}

impl AccessPlan {
    /// Whether a person must confirm before [`apply_access`]: the one production rule
    /// ([`pool_spec::needs_confirmation`]) applied to the pool's environment.
    pub fn needs_confirmation(&self) -> bool {
        pool_spec::needs_confirmation(self.pool.environment)
    }
}

/// A write that failed; the writes before it are done, so running the operation again finishes the job.
#[derive(Debug, thiserror::Error)]
#[error("{} failed (any step before it is done); run the same command again to finish", .write.operation())]
pub struct WriteFailed {
    /// The write that failed.
    pub write: UserWrite,
    /// Cognito's error.
    #[source]
    pub source: cognito::Error,
}

/// Why no plan was made; nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// The address is not one Cognito can take as a sign-in.
    #[error(transparent)]
    Email(#[from] InputError),
    /// Lower-casing changed the address, and the pool tells usernames apart by case: the lower-cased address may be
    /// another person's.
    #[error(
        "pool {pool_id} tells usernames apart by case, and {typed:?} lower-cased is {lowered:?}, which may be another          person's sign-in; nothing was changed. This tool looks users up by the lower-cased address: act on {typed:?}          in the Cognito console (or with the AWS CLI)"
    )]
    CaseChanged {
        /// The pool.
        pool_id: String,
        /// The address as typed (trimmed).
        typed: String,
        /// The address lower-cased.
        lowered: String,
    },
    /// Finding the pool or the user failed.
    #[error(transparent)]
    Cognito(#[from] cognito::Error),
}

/// Finds the pool `choice` names and reads the user `typed_email` (trimmed and lower-cased) in it; writes nothing.
/// When lower-casing changed the address, a pool that tells usernames apart by case is refused.
pub async fn plan_access(
    cognito: &Cognito,
    choice: &PoolChoice,
    typed_email: &str,
    operation: UserOperation,
) -> Result<AccessPlan, PlanError> {
    let email = normalize_email(typed_email)?;
    let pool = cognito.choose_pool(choice).await?;
    let typed = typed_email.trim();
    // Only a changed address needs the pool's rule, so the usual run makes no extra call.
    if typed != email && cognito.usernames_case_sensitive(&pool.id).await? {
        return Err(PlanError::CaseChanged {
            pool_id: pool.id,
            typed: typed.to_owned(),
            lowered: email,
        });
    }
    let access = cognito.user_access(&pool.id, &email).await?;
    let writes = operation.plan(&access);
    Ok(AccessPlan {
        operation,
        email,
        pool,
        access,
        writes,
    })
}

/// Makes the plan's writes in order, calling `done` after each with what Cognito answered; stops at the first
/// that fails.
pub async fn apply_access(
    cognito: &Cognito,
    plan: &AccessPlan,
    mut done: impl FnMut(UserWrite, Written),
) -> Result<(), WriteFailed> {
    for &write in &plan.writes {
        let written = cognito
            .write_user(&plan.pool.id, &plan.access.user.username, &plan.email, write)
            .await
            .map_err(|source| WriteFailed { write, source })?;
        done(write, written);
    }
    Ok(())
}
