//! What a user pool ID says by itself: Cognito makes it `<region>_<suffix>`, so a pool's region is known
//! before any call, and a pool ID of another region is refused without one.

use crate::Cognito;

/// The region a pool ID starts with: `eu-west-1` for `eu-west-1_AbC123`.
pub fn pool_region(pool_id: &str) -> Option<&str> {
    pool_id
        .split_once('_')
        .map(|(region, _)| region)
        .filter(|region| !region.is_empty())
}

/// No pool has this ID in the region asked: a typo, another account, or (often) another region.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no user pool `{pool_id}` in {region}; {}", advice(.pool_id, .region))]
pub struct NoSuchPool {
    /// The ID given.
    pub pool_id: String,
    /// The region searched.
    pub region: String,
}

fn advice(pool_id: &str, region: &str) -> String {
    match pool_region(pool_id) {
        Some(home) if home != region => {
            format!("pool IDs start with their region (`{home}_…`): this pool is in {home}")
        }
        _ => "check the ID and that these credentials are for the pool's account".into(),
    }
}

impl Cognito {
    /// Refuses, without any call, a pool ID that names another region than this client's.
    pub(crate) fn check_pool_region(&self, pool_id: &str) -> Result<(), NoSuchPool> {
        match pool_region(pool_id) {
            Some(home) if home != self.region() => Err(self.no_such_pool(pool_id)),
            _ => Ok(()),
        }
    }

    /// The error for a pool ID Cognito does not know (ResourceNotFoundException) in this client's region.
    pub(crate) fn no_such_pool(&self, pool_id: &str) -> NoSuchPool {
        NoSuchPool {
            pool_id: pool_id.to_owned(),
            region: self.region().to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prefix_is_the_region() {
        assert_eq!(pool_region("eu-west-1_AbC123"), Some("eu-west-1"));
        assert_eq!(pool_region("us-gov-west-1_x"), Some("us-gov-west-1"));
        assert_eq!(pool_region("_x"), None);
        assert_eq!(pool_region("nounderscore"), None);
    }

    #[test]
    fn another_region_names_the_pool_s_region() {
        let error = NoSuchPool {
            pool_id: "eu-west-1_AbC123".into(),
            region: "us-east-1".into(),
        };
        assert_eq!(
            error.to_string(),
            "no user pool `eu-west-1_AbC123` in us-east-1; pool IDs start with their region (`eu-west-1_…`): \
             this pool is in eu-west-1"
        );
        let same = NoSuchPool {
            pool_id: "us-east-1_Nope".into(),
            region: "us-east-1".into(),
        };
        assert!(same.to_string().contains("check the ID"), "{same}");
    }
}
