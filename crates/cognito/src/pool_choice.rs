//! Which pool a command works on: one named by ID, or the one an environment's spec names (by name, then tags),
//! optionally with an ID that must be that pool. Shared by every command that works on the users of a pool.

use pool_spec::Environment;

use crate::{Cognito, Error};

/// Which pool a command works on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PoolChoice {
    /// By ID only.
    Id(String),
    /// By the environment's spec (name, then tags among several); with an ID, that pool must carry the name.
    Environment {
        /// The environment.
        environment: Environment,
        /// The ID that must agree with it.
        pool_id: Option<String>,
    },
}

impl PoolChoice {
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
                id: id.clone(),
                name: None,
                environment: None,
            }),
            PoolChoice::Environment { environment, pool_id } => {
                let spec = pool_spec::for_environment(*environment);
                let found = self
                    .find_pool(&spec.pool.name, &spec.tags, pool_id.as_deref())
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
