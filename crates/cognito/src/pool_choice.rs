//! Which pool a command works on: one named by ID, or the one an environment's spec names (by name, then tags),
//! optionally with an ID that must be that pool. Shared by every command that works on the users of a pool.

use pool_spec::Environment;

use crate::{Cognito, Error, PoolId};

/// Which pool a command works on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PoolChoice {
    /// By ID only.
    Id(PoolId),
    /// By the environment's spec (name, then tags among several); with an ID, that pool must carry the name.
    Environment {
        /// The environment.
        environment: Environment,
        /// The ID that must agree with it.
        pool_id: Option<PoolId>,
    },
}

/// Why flags name no usable pool. Found before any call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PoolChoiceError {
    /// Neither an environment nor a pool ID was given.
    #[error("no pool given: name an environment or a pool ID")]
    NoPool,
    /// The pool ID is not shaped like one (`<region>_<id>`).
    #[error("{pool_id:?} is not a Cognito user pool ID (expected the form us-east-1_AbCdEf123)")]
    InvalidPoolId {
        /// The ID given.
        pool_id: String,
    },
}

impl PoolChoice {
    /// The pool named by an environment and a pool ID (from flags or `COGNITO_POOL_ID`): the ID is checked for
    /// shape, a blank one counts as none, and one of the two is needed. Makes no call.
    pub fn from_flags(environment: Option<Environment>, pool_id: Option<&str>) -> Result<Self, PoolChoiceError> {
        let pool_id = pool_id
            .map(str::trim)
            .filter(|id| !id.is_empty())
            .map(str::parse::<PoolId>)
            .transpose()?;
        match (environment, pool_id) {
            (Some(environment), pool_id) => Ok(PoolChoice::Environment { environment, pool_id }),
            (None, Some(pool_id)) => Ok(PoolChoice::Id(pool_id)),
            (None, None) => Err(PoolChoiceError::NoPool),
        }
    }

    /// The environment that named the pool, if one did.
    pub fn environment(&self) -> Option<Environment> {
        match self {
            PoolChoice::Id(_) => None,
            PoolChoice::Environment { environment, .. } => Some(*environment),
        }
    }
}

/// The pool a [`PoolChoice`] named, once found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChosenPool {
    /// Its ID.
    pub id: String,
    /// Its name, when it was looked up (found by an environment's spec).
    pub name: Option<String>,
    /// The environment whose spec named it, if one was given.
    pub environment: Option<Environment>,
}

impl Cognito {
    /// Finds the pool `choice` names: by ID as given (no call), or by the environment's spec name and tags, where
    /// an ID given with it must be that pool. Only reads; [`Error::NoPoolForEnvironment`] when the spec's pool
    /// does not exist in this region.
    pub async fn choose_pool(&self, choice: &PoolChoice) -> Result<ChosenPool, Error> {
        match choice {
            PoolChoice::Id(id) => Ok(ChosenPool {
                id: id.to_string(),
                name: None,
                environment: None,
            }),
            PoolChoice::Environment { environment, pool_id } => {
                let spec = pool_spec::for_environment(*environment);
                let found = self
                    .find_pool(&spec.pool.name, &spec.tags, pool_id.as_ref().map(PoolId::as_str))
                    .await?
                    .ok_or_else(|| Error::NoPoolForEnvironment {
                        environment: *environment,
                        name: spec.pool.name.clone(),
                        region: self.region().to_owned(),
                    })?;
                Ok(ChosenPool {
                    id: found.id,
                    name: Some(found.name),
                    environment: Some(*environment),
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_make_a_choice_or_say_why_not() {
        assert_eq!(
            PoolChoice::from_flags(None, Some(" us-east-1_AbC123 ")),
            Ok(PoolChoice::Id(PoolId::parse("us-east-1_AbC123").unwrap()))
        );
        assert_eq!(
            PoolChoice::from_flags(Some(Environment::Production), Some("  ")),
            Ok(PoolChoice::Environment {
                environment: Environment::Production,
                pool_id: None
            }),
            "a blank ID counts as none"
        );
        assert_eq!(PoolChoice::from_flags(None, Some("")), Err(PoolChoiceError::NoPool));
        let longest = format!("us-east-1_{}", "a".repeat(55 - "us-east-1_".len()));
        assert!(PoolChoice::from_flags(None, Some(&longest)).is_ok());
        for invalid in [
            "not-a-pool",
            "_AbC",
            "us-east-1_",
            "us-east-1_Ab-C",
            "us_east-1_AbC",
            &format!("{longest}a"),
        ] {
            assert_eq!(
                PoolChoice::from_flags(Some(Environment::Development), Some(invalid)),
                Err(PoolChoiceError::InvalidPoolId {
                    pool_id: invalid.to_owned()
                }),
                "{invalid}"
            );
        }
    }
}
