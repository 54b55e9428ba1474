//! The two environments Credere deploys, named as the command line and JSON name them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// One of Credere's deployments; each has its own user pool and app client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    /// The live service (`production`).
    Production,
    /// Developers' and staging use (`development`).
    Development,
}

impl Environment {
    /// Every environment, in the order the documentation shows them.
    pub const ALL: [Environment; 2] = [Environment::Production, Environment::Development];

    /// The lowercase name used on the command line, in tags and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Environment::Production => "production",
            Environment::Development => "development",
        }
    }

    /// The name with a capital, for headings and tab labels.
    pub fn title(self) -> &'static str {
        match self {
            Environment::Production => "Production",
            Environment::Development => "Development",
        }
    }
}

impl fmt::Display for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The one production rule: a change needs a person's confirmation (at a terminal, or `--yes`) unless it is known
/// to be the development environment's. A pool known only by its ID counts as production.
pub fn needs_confirmation(environment: Option<Environment>) -> bool {
    environment != Some(Environment::Development)
}

/// A string that names no environment.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown environment `{value}`: expected one of {}", accepted())]
pub struct UnknownEnvironment {
    /// The string that was given.
    pub value: String,
}

fn accepted() -> String {
    Environment::ALL.map(Environment::as_str).join(", ")
}

impl FromStr for Environment {
    type Err = UnknownEnvironment;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Environment::ALL
            .into_iter()
            .find(|environment| environment.as_str() == value)
            .ok_or_else(|| UnknownEnvironment {
                value: value.to_owned(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_displays_each_name() {
        for environment in Environment::ALL {
            assert_eq!(environment.to_string().parse::<Environment>(), Ok(environment));
        }
        assert_eq!("production".parse(), Ok(Environment::Production));
        assert_eq!("development".parse(), Ok(Environment::Development));
    }

    #[test]
    fn rejects_other_names_saying_which_are_accepted() {
        let error = "Production".parse::<Environment>().unwrap_err();
        assert_eq!(
            error.to_string(),
            "unknown environment `Production`: expected one of production, development"
        );
        assert!("staging".parse::<Environment>().is_err());
        assert!("".parse::<Environment>().is_err());
    }

    #[test]
    fn only_the_development_environment_needs_no_confirmation() {
        assert!(!needs_confirmation(Some(Environment::Development)));
        assert!(needs_confirmation(Some(Environment::Production)));
        assert!(needs_confirmation(None), "a pool known only by its ID");
    }

    #[test]
    fn serialises_lowercase() {
        assert_eq!(
            serde_json::to_string(&Environment::Production).unwrap(),
            "\"production\""
        );
        let parsed: Environment = serde_json::from_str("\"development\"").unwrap();
        assert_eq!(parsed, Environment::Development);
        assert!(serde_json::from_str::<Environment>("\"Development\"").is_err());
    }
}
