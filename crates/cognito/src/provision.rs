//! From a spec to a plan against the live pool: find, resolve the SES identity, observe, compare.

use pool_spec::{EmailConfiguration, EmailSpec, Plan, PoolSpec};

use crate::{Cognito, Error, FoundPool, LivePool};

/// Everything `provision` needs to show and apply: the plan, which holds the desired state and the live pool
/// (if any), and what was decided on the way. Two are equal when they describe the pool alike and plan alike
/// ([`LivePool`]'s equality), which is how a plan confirmed a while ago is held to a fresh one.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    /// What it takes to converge: the spec with its SES identity ARN resolved ([`Plan::desired`]), the pool as
    /// Cognito holds it ([`Plan::live`]; `None` when no pool has the spec's name), and what to create, change
    /// or refuse. Its [`pool_spec::Action`] is what [`Cognito::apply`] takes.
    pub plan: Plan<LivePool>,
    /// Other pools with the spec's name, left alone because they lack its tags.
    pub passed_over: Vec<String>,
    /// Where the SES identity ARN came from, when the spec sends email through SES.
    pub ses_identity: Option<SesIdentitySource>,
}

/// Where the SES identity ARN of a DEVELOPER email configuration came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SesIdentitySource {
    /// Given by the caller (`--ses-identity-arn`).
    Given,
    /// The live pool already sends through an identity that covers the spec's address (in whatever
    /// region or account): kept, so no change is planned.
    Live,
    /// Built from the caller's account and the pool's region, as no identity was given or live.
    Built {
        /// The caller's account.
        account: String,
        /// The pool's region.
        region: String,
    },
}

impl std::fmt::Display for SesIdentitySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SesIdentitySource::Given => f.write_str("as given"),
            SesIdentitySource::Live => f.write_str("kept from the live pool"),
            SesIdentitySource::Built { account, region } => {
                write!(f, "built from the caller's account {account} and the region {region}")
            }
        }
    }
}

impl Cognito {
    /// Finds the spec's pool (or `pool_id`), observes it, resolves the SES identity ARN
    /// (`ses_identity_arn`; else the live pool's, when it covers the spec's address; else built from the
    /// caller's account and this region) and plans. Read-only.
    ///
    /// Round trips: ListUserPools (with GetCallerIdentity alongside when the ARN is needed), then the
    /// three concurrent reads of [`Cognito::observe`], then DescribeUserPoolClient.
    pub async fn prepare(
        &self,
        spec: &PoolSpec,
        ses_identity_arn: Option<&str>,
        pool_id: Option<&str>,
    ) -> Result<Prepared, Error> {
        let (found, account) = self.find_for(spec, ses_identity_arn, pool_id).await?;
        let passed_over = found
            .as_ref()
            .map(|found| found.passed_over.clone())
            .unwrap_or_default();
        let live = match found {
            Some(found) => Some(self.observe(&found.id, &spec.client.name).await?),
            None => None,
        };
        let (desired, ses_identity) = self.resolve(spec, ses_identity_arn, live.as_ref(), account)?;
        Ok(Prepared {
            plan: pool_spec::plan(desired, live),
            passed_over,
            ses_identity,
        })
    }

    /// Plans a new pool and client from the spec beside the spec's pool, which is left as it is (not even
    /// observed): the SES identity ARN is `ses_identity_arn`, else built from the caller's account and this region.
    /// With no pool of the name, it is a first creation. Read-only.
    ///
    /// [`Error::SeveralBeside`] when several pools of the name exist and their tags do not single one out: a new
    /// pool an earlier run did not finish is one, and this refusal is what keeps a re-run from making a third.
    ///
    /// Round trips: ListUserPools (with GetCallerIdentity alongside when the ARN is needed; DescribeUserPool of
    /// each pool of the name when there are several), as before a first creation.
    pub async fn prepare_new_pool(&self, spec: &PoolSpec, ses_identity_arn: Option<&str>) -> Result<Prepared, Error> {
        let (found, account) = match self.find_for(spec, ses_identity_arn, None).await {
            Err(Error::AmbiguousPool { name, ids }) => return Err(Error::SeveralBeside { name, ids }),
            found => found?,
        };
        let (desired, ses_identity) = self.resolve(spec, ses_identity_arn, None, account)?;
        let (plan, passed_over) = match found {
            Some(found) => (pool_spec::plan_new_pool(desired, found.id), found.passed_over),
            None => (pool_spec::plan(desired, None), Vec::new()),
        };
        Ok(Prepared {
            plan,
            passed_over,
            ses_identity,
        })
    }

    /// Validates the spec, then finds its pool (or `pool_id`) and, when the SES identity ARN must be built, the
    /// caller's account, concurrently.
    async fn find_for(
        &self,
        spec: &PoolSpec,
        ses_identity_arn: Option<&str>,
        pool_id: Option<&str>,
    ) -> Result<(Option<FoundPool>, Option<String>), Error> {
        spec.validate().map_err(|error| Error::Spec(error.into()))?;
        let needs_account = matches!(spec.email, EmailSpec::Developer { .. }) && ses_identity_arn.is_none();
        let account = async {
            if needs_account {
                self.account_id().await.map(Some)
            } else {
                Ok(None)
            }
        };
        tokio::try_join!(self.find_pool(&spec.pool.name, &spec.tags, pool_id), account)
    }

    /// The spec resolved with its SES identity ARN: `ses_identity_arn`; else the `live` pool's, when it covers the
    /// spec's address; else built from the caller's `account` and this region.
    fn resolve(
        &self,
        spec: &PoolSpec,
        ses_identity_arn: Option<&str>,
        live: Option<&LivePool>,
        account: Option<String>,
    ) -> Result<(pool_spec::DesiredState, Option<SesIdentitySource>), Error> {
        let (arn, ses_identity) = match (&spec.email, ses_identity_arn) {
            (EmailSpec::CognitoDefault, _) => (None, None),
            (EmailSpec::Developer { .. }, Some(arn)) => (Some(arn.to_owned()), Some(SesIdentitySource::Given)),
            (EmailSpec::Developer { ses_identity, .. }, None) => match live.map(|live| &live.observed.email) {
                Some(EmailConfiguration::Developer { source_arn, .. })
                    if pool_spec::ses_identity_covers(source_arn, ses_identity) =>
                {
                    (Some(source_arn.clone()), Some(SesIdentitySource::Live))
                }
                _ => {
                    let account = account.ok_or_else(|| Error::missing("GetCallerIdentity", "Account"))?;
                    let region = self.region().to_owned();
                    let arn = pool_spec::ses_identity_arn(&region, &account, ses_identity);
                    (Some(arn), Some(SesIdentitySource::Built { account, region }))
                }
            },
        };
        let desired = spec.resolve(arn.as_deref()).map_err(Error::Spec)?;
        Ok((desired, ses_identity))
    }
}
