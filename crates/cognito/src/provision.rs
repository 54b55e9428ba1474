//! From a spec to a plan against the live pool: find, resolve the SES identity, observe, compare.

use pool_spec::{DesiredState, EmailSpec, Plan, PoolSpec};

use crate::{Cognito, Error, LivePool};

/// Everything `provision` needs to show and apply: the desired state, the live pool (if any) and the plan.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The spec with its SES identity ARN resolved.
    pub desired: DesiredState,
    /// The pool as Cognito holds it; `None` when no pool has the spec's name.
    pub live: Option<LivePool>,
    /// What it takes to converge.
    pub plan: Plan,
    /// Other pools with the spec's name, left alone because they lack its tags.
    pub passed_over: Vec<String>,
}

impl Cognito {
    /// Finds the spec's pool (or `pool_id`), resolves the SES identity ARN (`ses_identity_arn`, else
    /// built from the caller's account and this region), observes the pool and plans. Read-only.
    ///
    /// Round trips: ListUserPools (with GetCallerIdentity alongside when the ARN is needed), then the
    /// three concurrent reads of [`Cognito::observe`], then DescribeUserPoolClient.
    pub async fn prepare(
        &self,
        spec: &PoolSpec,
        ses_identity_arn: Option<&str>,
        pool_id: Option<&str>,
    ) -> Result<Prepared, Error> {
        spec.validate().map_err(|error| Error::Spec(error.into()))?;
        let needs_account = matches!(spec.email, EmailSpec::Developer { .. }) && ses_identity_arn.is_none();
        let account = async {
            if needs_account {
                self.account_id().await.map(Some)
            } else {
                Ok(None)
            }
        };
        let (found, account) = tokio::try_join!(self.find_pool(&spec.pool.name, &spec.tags, pool_id), account)?;
        let arn = match (&spec.email, ses_identity_arn, account) {
            (_, Some(arn), _) => Some(arn.to_owned()),
            (EmailSpec::Developer { ses_identity, .. }, None, Some(account)) => {
                Some(pool_spec::ses_identity_arn(self.region(), &account, ses_identity))
            }
            _ => None,
        };
        let desired = spec.resolve(arn.as_deref()).map_err(Error::Spec)?;
        let passed_over = found
            .as_ref()
            .map(|found| found.passed_over.clone())
            .unwrap_or_default();
        let live = match found {
            Some(found) => Some(self.observe(&found.id, &spec.client.name).await?),
            None => None,
        };
        let plan = pool_spec::plan(&desired, live.as_ref().map(|live| &live.observed));
        Ok(Prepared {
            desired,
            live,
            plan,
            passed_over,
        })
    }
}
