//! The settings this workflow needs from credere-backend's `.env`, read as credere-backend reads them
//! (python-dotenv, through the `dotenv-file` crate, then pydantic-settings, whose keys ignore case) and
//! without touching the process environment (the file holds secrets the rest of the process must not
//! inherit).

use std::path::{Path, PathBuf};

/// The `.env` names credere-backend uses for what the bootstrap needs.
const DATABASE_URL: &str = "DATABASE_URL";
const POOL_ID: &str = "COGNITO_POOL_ID";
const REGION: &str = "AWS_REGION";
const CLIENT_ID: &str = "COGNITO_CLIENT_ID";
const CLIENT_SECRET: &str = "COGNITO_CLIENT_SECRET";
const CLIENT_SECRET_ID: &str = "COGNITO_CLIENT_SECRET_ID";

/// The region credere-backend uses when neither its `.env` nor its environment sets `AWS_REGION`: its
/// `app/settings.py` says `aws_region: str = "us-west-2"`.
pub const BACKEND_DEFAULT_REGION: &str = "us-west-2";

/// What a credere-backend `.env` says; each value is `None` when the file does not set it.
#[derive(Debug, Clone, Default)]
pub struct BackendEnv {
    /// `DATABASE_URL` (may hold a password: never print it as is).
    pub database_url: Option<String>,
    /// `COGNITO_POOL_ID`.
    pub pool_id: Option<String>,
    /// `AWS_REGION`; without it, credere-backend uses [`BACKEND_DEFAULT_REGION`].
    pub region: Option<String>,
    /// `COGNITO_CLIENT_ID`.
    pub client_id: Option<String>,
    /// `COGNITO_CLIENT_SECRET`.
    pub client_secret: Option<cognito::SecretString>,
    /// Which of the client's secrets `COGNITO_CLIENT_SECRET` is: the note `# COGNITO_CLIENT_SECRET_ID=…` (see
    /// [`client_secret_id_note`]), or an assignment of the key (a `.env` written before the ID became a note).
    pub client_secret_id: Option<String>,
    /// The line of an assignment of `COGNITO_CLIENT_SECRET_ID` (in any case), with which credere-backend refuses to
    /// start: its settings forbid keys they do not define. Writing the note replaces it.
    pub client_secret_id_assigned_on: Option<usize>,
}

/// The note that records which of the client's secrets the `.env`'s `COGNITO_CLIENT_SECRET` is, `id`: the comment
/// line `# COGNITO_CLIENT_SECRET_ID=id` right after `COGNITO_CLIENT_SECRET`. Cognito gives no secret's value back,
/// so only the file can say which one it holds; as a key, credere-backend would refuse it. `None` keeps the ID the
/// file has, turning an assignment of the key into the note.
pub fn client_secret_id_note(id: Option<&str>) -> dotenv_file::Note<'_> {
    dotenv_file::Note {
        key: CLIENT_SECRET_ID,
        value: id,
        after: CLIENT_SECRET,
    }
}

/// Why a `.env` file could not be used. Never quotes the file's content, which holds secrets.
#[derive(Debug, thiserror::Error)]
pub enum EnvFileError {
    /// The file could not be read, or is not UTF-8.
    #[error(transparent)]
    Read(#[from] dotenv_file::ReadError),
    /// Statements python-dotenv cannot parse: credere-backend skips them with a warning, but one of them may
    /// be the setting meant here.
    #[error(
        "{}: line(s) {} cannot be parsed as .env statements (python-dotenv, which credere-backend reads the \
         file with, skips them with a warning; their content is not shown, as it may hold a secret). Fix them",
        .path.display(),
        .lines.iter().map(usize::to_string).collect::<Vec<_>>().join(", ")
    )]
    Syntax {
        /// The file.
        path: PathBuf,
        /// The 1-based line numbers.
        lines: Vec<usize>,
    },
    /// A setting is spelled twice, in different cases, with different values: credere-backend reads keys
    /// without regard to case and takes one of them.
    #[error(
        "{}: {key} is set as {} with different values (their values are not shown, as they may hold a \
         secret). credere-backend reads its settings with pydantic-settings, which ignores the case of keys, \
         so it uses only one of them: keep one",
        .path.display(),
        .spellings.iter().map(|(key, line)| format!("{key} (line {line})")).collect::<Vec<_>>().join(" and ")
    )]
    Spellings {
        /// The file.
        path: PathBuf,
        /// The setting.
        key: &'static str,
        /// Each spelling with the 1-based line of its (last) assignment.
        spellings: Vec<(String, usize)>,
    },
    /// A needed value takes part of itself from credere-backend's own environment, which this process
    /// cannot see.
    #[error(
        "{}: {key} (line {line}) uses {} through `${{…}}`, not set earlier in the file: credere-backend takes \
         it from its own environment, which this command cannot see. Write the value into the file, or give \
         {key} another way and leave the file out",
        .path.display(),
        .names.join(", ")
    )]
    OutsideReference {
        /// The file.
        path: PathBuf,
        /// The setting.
        key: &'static str,
        /// The 1-based line of its assignment.
        line: usize,
        /// The names it refers to.
        names: Vec<String>,
    },
}

impl BackendEnv {
    /// Reads `path` as python-dotenv does, `${NAME}` included; empty values count as unset.
    pub fn read(path: &Path) -> Result<Self, EnvFileError> {
        let file = dotenv_file::read(path)?;
        let lines = file.bad_lines();
        if !lines.is_empty() {
            return Err(EnvFileError::Syntax {
                path: path.to_owned(),
                lines,
            });
        }
        // Nothing from this process's environment: it is not credere-backend's.
        let values = file.values(|_| None);
        // pydantic-settings lower-cases every key (`case_sensitive` is False unless set, and credere-backend
        // does not set it), so `database_url` is DATABASE_URL too.
        let spelled = |name: &str, key: &str| name.to_lowercase() == key.to_lowercase();
        // An empty value counts as unset.
        let given = |value: Option<String>| value.filter(|value| !value.trim().is_empty());
        let setting = |key: &'static str| {
            let spellings: Vec<_> = values.iter().filter(|(name, _)| spelled(name, key)).collect();
            let Some((_, setting)) = spellings.first() else {
                return Ok(None);
            };
            if spellings.iter().any(|(_, other)| other.value != setting.value) {
                return Err(EnvFileError::Spellings {
                    path: path.to_owned(),
                    key,
                    spellings: spellings
                        .iter()
                        .map(|(name, setting)| (name.clone(), setting.line))
                        .collect(),
                });
            }
            if let Some((_, setting)) = spellings.iter().find(|(_, setting)| !setting.outside_names.is_empty()) {
                return Err(EnvFileError::OutsideReference {
                    path: path.to_owned(),
                    key,
                    line: setting.line,
                    names: setting.outside_names.iter().cloned().collect(),
                });
            }
            Ok(given(setting.value.clone()))
        };
        Ok(Self {
            database_url: setting(DATABASE_URL)?,
            pool_id: setting(POOL_ID)?,
            region: setting(REGION)?,
            client_id: setting(CLIENT_ID)?,
            client_secret: setting(CLIENT_SECRET)?.map(cognito::SecretString::from),
            // An assignment is newer than the note: the version that wrote it did not know the note.
            client_secret_id: setting(CLIENT_SECRET_ID)?
                .or_else(|| given(file.note(CLIENT_SECRET_ID).and_then(|note| note.value))),
            client_secret_id_assigned_on: values
                .iter()
                .find(|(name, _)| spelled(name, CLIENT_SECRET_ID))
                .map(|(_, setting)| setting.line),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(content: &str) -> Result<BackendEnv, EnvFileError> {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join(".env");
        std::fs::write(&path, content).unwrap();
        BackendEnv::read(&path)
    }

    #[test]
    fn reads_credere_backends_names_as_python_dotenv_does() {
        let env = read(
            "# credere-backend\r\nDB_PASSWORD='p$ss'\r\nDATABASE_URL=postgresql://u:${DB_PASSWORD}@db/credere$x\r\n\
             COGNITO_POOL_ID=eu-west-1_Abc # the pool\r\nCOGNITO_CLIENT_SECRET=shh\r\nexport AWS_REGION=\"eu-west-1\"\r\n\
             NOTES=\"AWS_REGION=us-west-2\"\r\nOTHER=1 2 3\r\n",
        )
        .unwrap();
        assert_eq!(env.database_url.as_deref(), Some("postgresql://u:p$ss@db/credere$x"));
        assert_eq!(env.pool_id.as_deref(), Some("eu-west-1_Abc"));
        assert_eq!(env.region.as_deref(), Some("eu-west-1"));
        assert_eq!(env.client_id, None);
        assert_eq!(
            env.client_secret.as_ref().map(cognito::ExposeSecret::expose_secret),
            Some("shh")
        );
        assert!(!format!("{env:?}").contains("shh"), "Debug hides the secret");
        assert_eq!(
            std::env::var_os("COGNITO_CLIENT_SECRET"),
            None,
            "the process environment is untouched"
        );
    }

    #[test]
    fn reads_the_app_client_and_which_secret_it_holds_from_the_note() {
        let env = read(
            "COGNITO_CLIENT_ID=abc123\nCOGNITO_CLIENT_SECRET=\n# COGNITO_CLIENT_SECRET_ID=abc123--1700000000000\n",
        )
        .unwrap();
        assert_eq!(env.client_id.as_deref(), Some("abc123"));
        assert_eq!(env.client_secret_id.as_deref(), Some("abc123--1700000000000"));
        assert_eq!(env.client_secret_id_assigned_on, None);
        assert!(env.client_secret.is_none(), "an empty value counts as unset");
        assert_eq!(read("# COGNITO_CLIENT_SECRET_ID=''\n").unwrap().client_secret_id, None);
    }

    #[test]
    fn an_assigned_secret_id_of_an_older_env_is_read_and_located() {
        let env = read("# COGNITO_CLIENT_SECRET_ID=abc123--1\nX=1\ncognito_client_secret_id=abc123--2\n").unwrap();
        assert_eq!(
            env.client_secret_id.as_deref(),
            Some("abc123--2"),
            "the assignment is newer"
        );
        assert_eq!(env.client_secret_id_assigned_on, Some(3));
        let empty = read("COGNITO_CLIENT_SECRET_ID=''\n").unwrap();
        assert_eq!(
            (empty.client_secret_id, empty.client_secret_id_assigned_on),
            (None, Some(1)),
            "credere-backend refuses the key whatever its value"
        );
    }

    #[test]
    fn a_bad_line_is_reported_by_its_real_number_without_its_content() {
        let mut content = "A=1\n".repeat(25);
        content.push_str("NOT A SETTING 'topsecret\nDATABASE_URL=postgresql://u:topsecret@db/credere\n");
        let error = read(&content).unwrap_err();
        assert!(
            matches!(&error, EnvFileError::Syntax { lines, .. } if *lines == [26]),
            "{error:?}"
        );
        let message = error.to_string();
        assert!(message.contains("line(s) 26 cannot be parsed"), "{message}");
        assert!(!message.contains("topsecret"), "{message}");
    }

    #[test]
    fn a_value_from_credere_backends_environment_is_refused_not_guessed() {
        // HOME is set in this process, but this process's environment is not credere-backend's.
        let error =
            read("DATABASE_URL=postgresql://u@${DB_HOST:-localhost}/${HOME}\nUNUSED=${ELSEWHERE}\n").unwrap_err();
        let message = error.to_string();
        assert!(
            matches!(&error, EnvFileError::OutsideReference { key: "DATABASE_URL", line: 1, names, .. }
                if *names == ["DB_HOST", "HOME"]),
            "{error:?}"
        );
        assert!(message.contains("give DATABASE_URL another way"), "{message}");
        // A reference in a key this workflow does not read is credere-backend's business.
        assert_eq!(
            read("UNUSED=${ELSEWHERE}\nAWS_REGION=eu-west-1\n")
                .unwrap()
                .region
                .as_deref(),
            Some("eu-west-1")
        );
    }

    #[test]
    fn keys_ignore_case_as_pydantic_settings_does_and_two_values_are_refused() {
        let env = read("database_url=postgresql://db/new\nCognito_Pool_Id=eu-west-1_Abc\nAWS_REGION=eu-west-1\naws_region=eu-west-1\n")
            .unwrap();
        assert_eq!(env.database_url.as_deref(), Some("postgresql://db/new"));
        assert_eq!(env.pool_id.as_deref(), Some("eu-west-1_Abc"));
        assert_eq!(env.region.as_deref(), Some("eu-west-1"), "two spellings, one value");

        let error =
            read("DATABASE_URL=postgresql://u:topsecret@db/old\nX=1\ndatabase_url=postgresql://db/new\n").unwrap_err();
        assert!(
            matches!(&error, EnvFileError::Spellings { key: "DATABASE_URL", spellings, .. }
                if *spellings == [("DATABASE_URL".to_owned(), 1), ("database_url".to_owned(), 3)]),
            "{error:?}"
        );
        let message = error.to_string();
        assert!(
            message.contains("DATABASE_URL (line 1) and database_url (line 3)"),
            "{message}"
        );
        assert!(
            !message.contains("topsecret") && !message.contains("db/new"),
            "{message}"
        );
    }
}
