//! The settings this workflow needs from credere-backend's `.env`, read without touching the process
//! environment (the file holds secrets the rest of the process must not inherit).

use std::path::{Path, PathBuf};

/// The `.env` names credere-backend uses for what the bootstrap needs.
const DATABASE_URL: &str = "DATABASE_URL";
const POOL_ID: &str = "COGNITO_POOL_ID";
const REGION: &str = "AWS_REGION";

/// What a credere-backend `.env` says; each value is `None` when the file does not set it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BackendEnv {
    /// `DATABASE_URL` (may hold a password: never print it as is).
    pub database_url: Option<String>,
    /// `COGNITO_POOL_ID`.
    pub pool_id: Option<String>,
    /// `AWS_REGION`.
    pub region: Option<String>,
}

/// Why a `.env` file could not be read. Never quotes the file's content, which holds secrets.
#[derive(Debug, thiserror::Error)]
pub enum EnvFileError {
    /// The file could not be opened or read.
    #[error("cannot read {}: {source}", .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O failure.
        source: std::io::Error,
    },
    /// A line is not `NAME=value`.
    #[error("{}: line {line} is not NAME=value (its content is not shown, as it may hold a secret)", .path.display())]
    Syntax {
        /// The file.
        path: PathBuf,
        /// The 1-based line number.
        line: usize,
    },
}

impl BackendEnv {
    /// Reads `path`; empty values count as unset.
    pub fn read(path: &Path) -> Result<Self, EnvFileError> {
        let error = |source: dotenvy::Error| match source {
            dotenvy::Error::LineParse(_, index) => EnvFileError::Syntax {
                path: path.to_owned(),
                line: index + 1,
            },
            dotenvy::Error::Io(source) => EnvFileError::Io {
                path: path.to_owned(),
                source,
            },
            // Only the process-environment functions raise anything else; describe it without a value.
            other => EnvFileError::Io {
                path: path.to_owned(),
                source: std::io::Error::other(other.to_string()),
            },
        };
        let mut found = Self::default();
        for item in dotenvy::from_path_iter(path).map_err(error)? {
            let (key, value) = item.map_err(error)?;
            let slot = match key.as_str() {
                DATABASE_URL => &mut found.database_url,
                POOL_ID => &mut found.pool_id,
                REGION => &mut found.region,
                _ => continue,
            };
            *slot = Some(value).filter(|value| !value.trim().is_empty());
        }
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(content: &str) -> PathBuf {
        let path = std::env::temp_dir().join(format!("admin-bootstrap-env-{}-{}", std::process::id(), content.len()));
        std::fs::write(&path, content).unwrap();
        path
    }

    #[test]
    fn reads_credere_backends_names_and_ignores_the_rest() {
        let path = write(
            "# credere-backend\nDATABASE_URL=\"postgresql://u:p%40ss@db/credere\"\nCOGNITO_POOL_ID=eu-west-1_Abc\n\
             COGNITO_CLIENT_SECRET=shh\nAWS_REGION=eu-west-1\nexport OTHER=1\n",
        );
        let env = BackendEnv::read(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        assert_eq!(
            env,
            BackendEnv {
                database_url: Some("postgresql://u:p%40ss@db/credere".into()),
                pool_id: Some("eu-west-1_Abc".into()),
                region: Some("eu-west-1".into()),
            }
        );
        assert_eq!(
            std::env::var_os("COGNITO_CLIENT_SECRET"),
            None,
            "the process environment is untouched"
        );
    }

    #[test]
    fn a_bad_line_is_reported_without_its_content() {
        let path = write("DATABASE_URL=postgresql://u:topsecret@db/credere\nNOT A SETTING 'topsecret\n");
        let error = BackendEnv::read(&path).unwrap_err();
        std::fs::remove_file(&path).unwrap();
        let message = error.to_string();
        assert!(message.contains("line 2"), "{message}");
        assert!(!message.contains("topsecret"), "{message}");
    }
}
