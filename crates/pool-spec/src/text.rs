//! How settings read as text, shared by plans and the rendered documentation so both say the same.

use std::collections::BTreeSet;
use std::fmt;

use crate::settings::{EmailConfiguration, Tags};

/// `[a, b]`, or `[]` for nothing.
pub(crate) fn list<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    format!("[{}]", items.into_iter().collect::<Vec<_>>().join(", "))
}

/// A set of Cognito names as `[a, b]`, in sorted order.
pub(crate) fn set(items: &BTreeSet<String>) -> String {
    list(items.iter().map(String::as_str))
}

/// Tags as `{key=value, …}`.
pub(crate) fn tag_list(tags: &Tags) -> String {
    let pairs: Vec<String> = tags.iter().map(|(key, value)| format!("{key}={value}")).collect();
    format!("{{{}}}", pairs.join(", "))
}

impl fmt::Display for EmailConfiguration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EmailConfiguration::CognitoDefault => f.write_str("COGNITO_DEFAULT"),
            EmailConfiguration::Developer { source_arn, from } => {
                write!(f, "DEVELOPER from {from} through {source_arn}")
            }
        }
    }
}
