//! The runbooks on an existing user: take their access away, give it back, or reset their authenticator app.
//! Cognito only: the `credere_user` row is left alone (credere-backend keeps its history).
//!
//! [`plan_access`] only reads (the pool, then the user) and says which writes bring the user where the operation
//! asks ([`cognito::UserOperation::plan`]); [`apply_access`] makes them in that order and reports each. Between
//! the two the caller shows the plan and, when [`AccessPlan::needs_confirmation`], asks. A second run plans
//! nothing it has already done.

use cognito::{ChosenPool, Cognito, PoolChoice, UserAccess, UserOperation, UserWrite, Written};

/// What an operation on one user will do, read before anything is written.
#[derive(Debug, Clone)]
pub struct AccessPlan {
    /// What was asked.
    pub operation: UserOperation,
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

/// Finds the pool `choice` names and reads the user `email` in it; writes nothing.
pub async fn plan_access(
    cognito: &Cognito,
    choice: &PoolChoice,
    email: &str,
    operation: UserOperation,
) -> Result<AccessPlan, cognito::Error> {
    let pool = cognito.choose_pool(choice).await?;
    let access = cognito.user_access(&pool.id, email).await?;
    let writes = operation.plan(&access);
    Ok(AccessPlan {
        operation,
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
    email: &str,
    mut done: impl FnMut(UserWrite, Written),
) -> Result<(), WriteFailed> {
    for &write in &plan.writes {
        let written = cognito
            .write_user(&plan.pool.id, &plan.access.user.username, email, write)
            .await
            .map_err(|source| WriteFailed { write, source })?;
        done(write, written);
    }
    Ok(())
}
