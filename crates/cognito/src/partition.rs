//! Which AWS partition a region code belongs to, by the region grammar of AWS's partition data (botocore's and the
//! SDK's `partitions.json`: each partition is `^PREFIX-\w+-\d+$` for its own prefixes). A region that fits no
//! partition is no region: a typo (`eu-west-l`), upper case, or something pasted into an ARN.
//!
//! The SDK keeps its copy of that data private, so the prefixes are listed here and a test holds them to botocore's
//! `partitions.json` (`crates/cognito/tests/it/partitions.rs`).

use std::fmt;

/// An AWS partition: the `PARTITION` of `arn:PARTITION:…` for every resource of its regions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Partition {
    /// `aws`: the commercial regions.
    Aws,
    /// `aws-cn`: China.
    AwsCn,
    /// `aws-us-gov`: AWS GovCloud (US).
    AwsUsGov,
    /// `aws-iso`.
    AwsIso,
    /// `aws-iso-b`.
    AwsIsoB,
    /// `aws-iso-e`.
    AwsIsoE,
    /// `aws-iso-f`.
    AwsIsoF,
    /// `aws-eusc`: the AWS European Sovereign Cloud.
    AwsEusc,
}

impl Partition {
    /// Every partition AWS's partition data names.
    pub const ALL: [Partition; 8] = [
        Partition::Aws,
        Partition::AwsCn,
        Partition::AwsUsGov,
        Partition::AwsIso,
        Partition::AwsIsoB,
        Partition::AwsIsoE,
        Partition::AwsIsoF,
        Partition::AwsEusc,
    ];

    /// The partition's ID, as ARNs spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Partition::Aws => "aws",
            Partition::AwsCn => "aws-cn",
            Partition::AwsUsGov => "aws-us-gov",
            Partition::AwsIso => "aws-iso",
            Partition::AwsIsoB => "aws-iso-b",
            Partition::AwsIsoE => "aws-iso-e",
            Partition::AwsIsoF => "aws-iso-f",
            Partition::AwsEusc => "aws-eusc",
        }
    }

    /// What comes before the last two parts of each region code of the partition (`us` of `us-east-1`).
    fn region_prefixes(self) -> &'static [&'static str] {
        match self {
            Partition::Aws => &["us", "eu", "ap", "sa", "ca", "me", "af", "il", "mx"],
            Partition::AwsCn => &["cn"],
            Partition::AwsUsGov => &["us-gov"],
            Partition::AwsIso => &["us-iso"],
            Partition::AwsIsoB => &["us-isob"],
            Partition::AwsIsoE => &["eu-isoe"],
            Partition::AwsIsoF => &["us-isof"],
            Partition::AwsEusc => &["eusc-de"],
        }
    }

    /// The partition of `region`, or `None` when `region` is no region code: `PREFIX-NAME-NUMBER` with a prefix of
    /// a partition, a name of lower-case ASCII letters and digits, and a number. (AWS's `\w` would also take upper
    /// case, `_` and other scripts; no region has them, and a pool ID's region must hold no `_`.)
    pub fn of_region(region: &str) -> Option<Partition> {
        let (rest, number) = region.rsplit_once('-')?;
        let (prefix, name) = rest.rsplit_once('-')?;
        let number_ok = !number.is_empty() && number.bytes().all(|byte| byte.is_ascii_digit());
        let name_ok = !name.is_empty()
            && name
                .bytes()
                .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit());
        if !(number_ok && name_ok) {
            return None;
        }
        Partition::ALL
            .into_iter()
            .find(|partition| partition.region_prefixes().contains(&prefix))
    }
}

impl fmt::Display for Partition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_region_s_prefix_names_its_partition() {
        for (region, partition) in [
            ("us-east-1", Partition::Aws),
            ("eu-west-1", Partition::Aws),
            ("mx-central-1", Partition::Aws),
            ("cn-north-1", Partition::AwsCn),
            ("us-gov-west-1", Partition::AwsUsGov),
            ("us-iso-east-1", Partition::AwsIso),
            ("us-isob-east-1", Partition::AwsIsoB),
            ("eusc-de-east-1", Partition::AwsEusc),
        ] {
            assert_eq!(Partition::of_region(region), Some(partition), "{region}");
        }
    }

    #[test]
    fn what_is_no_region_code_has_no_partition() {
        for invalid in [
            "",
            "eu-west-l",
            "US-EAST-1",
            "us-EAST-1",
            "us-east-1:*:userpool/*,x",
            "us-east_x-1",
            "xx-east-1",
            "us-east-",
            "us--1",
            "useast1",
            "us-east-1 ",
            "aws-global",
        ] {
            assert_eq!(Partition::of_region(invalid), None, "{invalid:?}");
        }
    }
}
