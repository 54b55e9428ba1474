//! What a user pool ID says by itself: Cognito makes it `<region>_<suffix>`, so a pool's region is known
//! before any call, and a pool ID of another region is refused without one.
//!
//! One parser ([`PoolId::parse`]) decides both whether a string is a pool ID and what its region is. AWS's
//! region codes (`us-east-1`, `us-gov-west-1`) hold `-` but never `_`, and the suffix is alphanumeric, so a pool ID
//! has exactly one `_`: the region is what comes before it, and it must be a region code ([`Partition::of_region`]),
//! so `US-EAST-1_AbC` is no pool ID rather than one of a region `US-EAST-1`.

use std::fmt;
use std::str::FromStr;

use crate::{Cognito, Partition};

/// Cognito's `UserPoolId` is at most 55 characters.
const MAX_POOL_ID_CHARS: usize = 55;

/// A Cognito user pool ID, checked for shape: `<region>_<suffix>`, e.g. `eu-west-1_AbC123`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PoolId {
    id: String,
}

impl PoolId {
    /// The ID, if `id` has a pool ID's shape: a region code, one `_`, then ASCII letters and digits, at most 55
    /// characters in all (Cognito's pattern `[\w-]+_[0-9a-zA-Z]+`, narrowed to what a region can be).
    pub fn parse(id: &str) -> Option<PoolId> {
        split(id).map(|_| PoolId { id: id.to_owned() })
    }

    /// The region the ID starts with: `eu-west-1` for `eu-west-1_AbC123`.
    pub fn region(&self) -> &str {
        split(&self.id).map_or("", |(region, _)| region)
    }

    /// The ID as Cognito spells it.
    pub fn as_str(&self) -> &str {
        &self.id
    }
}

/// The region and suffix of a pool ID, or `None` when `id` is not shaped like one. The one parser.
fn split(id: &str) -> Option<(&str, &str)> {
    let (region, suffix) = id.split_once('_')?;
    let region_ok = Partition::of_region(region).is_some();
    let suffix_ok = !suffix.is_empty() && suffix.chars().all(|c| c.is_ascii_alphanumeric());
    (region_ok && suffix_ok && id.chars().count() <= MAX_POOL_ID_CHARS).then_some((region, suffix))
}

impl fmt::Display for PoolId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.id)
    }
}

impl AsRef<str> for PoolId {
    fn as_ref(&self) -> &str {
        &self.id
    }
}

/// What the user probably meant by `id` when it is no pool ID only because its region is not in lower case:
/// `us-east-1_AbC` for `US-EAST-1_AbC` (the suffix is kept: it is case-sensitive).
pub fn lower_case_region(id: &str) -> Option<PoolId> {
    let (region, suffix) = id.split_once('_')?;
    PoolId::parse(&format!("{}_{suffix}", region.to_ascii_lowercase())).filter(|fixed| fixed.as_str() != id)
}

impl FromStr for PoolId {
    type Err = crate::PoolChoiceError;

    fn from_str(id: &str) -> Result<Self, Self::Err> {
        PoolId::parse(id).ok_or_else(|| crate::PoolChoiceError::InvalidPoolId { pool_id: id.to_owned() })
    }
}

/// The region a pool ID starts with (`eu-west-1` for `eu-west-1_AbC123`), or `None` when `pool_id` is not shaped
/// like one ([`PoolId::parse`]).
pub fn pool_region(pool_id: &str) -> Option<&str> {
    split(pool_id).map(|(region, _)| region)
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
        let id = PoolId::parse("ap-southeast-2_9zZ").unwrap();
        assert_eq!(
            (id.region(), id.as_str(), id.to_string().as_str()),
            ("ap-southeast-2", "ap-southeast-2_9zZ", "ap-southeast-2_9zZ")
        );
    }

    #[test]
    fn a_pool_id_has_one_underscore_after_its_region() {
        // The two parsers this one replaced disagreed here: split at the last `_`, this ID was valid with the
        // region `us_east-1`; split at the first, its region was `us`. No region holds `_` and no suffix does, so
        // it is no pool ID at all.
        for invalid in [
            "us_east-1_AbC123",
            "us-east-1_AbC_123",
            "us-east-1__AbC123",
            "us-east-1_",
            "_AbC123",
            "us-east-1_Ab-C",
            "us-east-1_AbC 123",
            "us-east-é_AbC123",
            "US-EAST-1_AbC123",
            "eu-west-l_AbC123",
            "not-a-pool",
            "",
        ] {
            assert_eq!(PoolId::parse(invalid), None, "{invalid}");
            assert_eq!(pool_region(invalid), None, "{invalid}");
            assert!(invalid.parse::<PoolId>().is_err(), "{invalid}");
        }
        let longest = format!("us-east-1_{}", "a".repeat(MAX_POOL_ID_CHARS - "us-east-1_".len()));
        assert_eq!(
            PoolId::parse(&longest).map(|id| id.region().to_owned()).as_deref(),
            Some("us-east-1")
        );
        assert_eq!(PoolId::parse(&format!("{longest}a")), None);
    }

    #[test]
    fn a_shouted_region_is_lowered_and_nothing_else() {
        assert_eq!(
            lower_case_region("US-EAST-1_AbC123")
                .map(|id| id.to_string())
                .as_deref(),
            Some("us-east-1_AbC123")
        );
        assert_eq!(lower_case_region("us-east-1_AbC123"), None);
        assert_eq!(lower_case_region("EU-WEST-L_AbC123"), None);
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
