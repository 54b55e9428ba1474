//! How settings read as text, shared by plans and the rendered documentation so both say the same.

use std::collections::BTreeSet;
use std::fmt;

use crate::settings::{EmailConfiguration, Tags};

/// A list of values as plans and the generated docs show it: `[a, b]`, or `[]` for none.
///
/// ```
/// let flows = ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"];
/// assert_eq!(pool_spec::Bracketed::new(flows).to_string(), "[ALLOW_USER_SRP_AUTH, ALLOW_REFRESH_TOKEN_AUTH]");
/// assert_eq!(pool_spec::Bracketed::new(Vec::<u8>::new()).to_string(), "[]");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bracketed<T>(Vec<T>);

impl<T: fmt::Display> Bracketed<T> {
    /// The values, in the order given.
    pub fn new(items: impl IntoIterator<Item = T>) -> Self {
        Self(items.into_iter().collect())
    }
}

impl<T: fmt::Display> fmt::Display for Bracketed<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[")?;
        for (index, item) in self.0.iter().enumerate() {
            if index > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{item}")?;
        }
        f.write_str("]")
    }
}

/// `[a, b]`, or `[]` for nothing.
pub(crate) fn list<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    Bracketed::new(items).to_string()
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
