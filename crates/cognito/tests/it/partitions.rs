//! `cognito::Partition` held to AWS's partition data, as the botocore that moto installs ships it
//! (`botocore/data/partitions.json`): the same partitions, and the same partition for every region botocore lists and
//! for region-like strings around them, resolved as botocore resolves them (a listed region first, then the first
//! partition whose `regionRegex` matches). The `*-global` names botocore lists are endpoints, not regions a pool
//! can be in, and are left out.

use std::collections::BTreeSet;

use cognito::Partition;
use serde_json::Value;

const BOTOCORE_PARTITIONS: &str = r#"
import json, re, sys
from botocore.loaders import Loader
partitions = Loader().load_data('partitions')['partitions']
def resolve(region):
    for partition in partitions:
        if region in partition['regions']:
            return partition['id']
    for partition in partitions:
        if re.match(partition['regionRegex'], region):
            return partition['id']
    return None
candidates = json.load(sys.stdin)
listed = sorted(r for p in partitions for r in p['regions'] if not r.endswith('-global'))
print(json.dumps({
    'ids': [p['id'] for p in partitions],
    'resolved': {region: resolve(region) for region in candidates + listed},
}))
"#;

/// Region-like strings: every prefix AWS uses and some it does not, with names and numbers that fit and that do not.
fn candidates() -> Vec<String> {
    let prefixes = [
        "us", "eu", "ap", "sa", "ca", "me", "af", "il", "mx", "cn", "us-gov", "us-iso", "us-isob", "eu-isoe",
        "us-isof", "eusc-de", "eusc", "xx", "usgov", "us-gov-x", "",
    ];
    let names = ["east", "northwest", "central2", "", "e-ast"];
    let numbers = ["1", "12", "l", "", "1a"];
    let mut all = Vec::new();
    for prefix in prefixes {
        for name in names {
            for number in numbers {
                all.push(format!("{prefix}-{name}-{number}"));
            }
        }
    }
    all.extend(["us-east-1:*:userpool/*,x", "useast1", ""].map(str::to_owned));
    all
}

#[test]
fn partitions_are_botocore_s() {
    let input = serde_json::to_string(&candidates()).unwrap();
    let botocore: Value = serde_json::from_str(&testkit::run_python(BOTOCORE_PARTITIONS, &[], &input)).unwrap();
    let ids: BTreeSet<&str> = botocore["ids"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let ours: BTreeSet<&str> = Partition::ALL.iter().map(|partition| partition.as_str()).collect();
    assert_eq!(ours, ids, "the partitions botocore knows");
    let resolved = botocore["resolved"].as_object().unwrap();
    assert!(resolved.len() > 500, "{} regions compared", resolved.len());
    for (region, partition) in resolved {
        assert_eq!(
            Partition::of_region(region).map(Partition::as_str),
            partition.as_str(),
            "{region:?}"
        );
    }
}
