//! `DATABASE_URL` as credere-backend writes it, made safe to connect with and to print.

use std::fmt;
use std::time::Duration;

use url::Url;

use crate::error::Error;

/// libpq's own name for the connect timeout, in whole seconds.
const CONNECT_TIMEOUT: &str = "connect_timeout";
/// Query parameters whose value is a secret (libpq accepts the password in the query too).
const SECRET_PARAMS: &[&str] = &["password"];
const REDACTED: &str = "***";

/// How long a connection attempt may take when the URL does not say.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A validated `postgres://` or `postgresql://` URL that always carries a `connect_timeout`.
///
/// Its `Display` and `Debug` forms hide the password; only [`DatabaseUrl::expose`] shows the real URL, for libpq.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl {
    url: Url,
}

impl DatabaseUrl {
    /// Parses `raw`, adding `connect_timeout` ([`DEFAULT_CONNECT_TIMEOUT`]) when it has none.
    ///
    /// Accepts the host form (`postgresql://user:pass@host:port/db`), the socket form (`postgresql:///db`,
    /// optionally `?host=/run/postgresql`) and any libpq query parameters such as `application_name`.
    pub fn parse(raw: &str) -> Result<Self, Error> {
        let url = Url::parse(raw.trim()).map_err(|error| Error::InvalidUrl {
            url: redact_unparsed(raw),
            reason: error.to_string(),
        })?;
        match url.scheme() {
            "postgres" | "postgresql" => {}
            scheme => {
                return Err(Error::UnsupportedScheme {
                    scheme: scheme.to_owned(),
                });
            }
        }
        let mut parsed = Self { url };
        match parsed.query_value(CONNECT_TIMEOUT) {
            None => parsed.set_query_value(CONNECT_TIMEOUT, &DEFAULT_CONNECT_TIMEOUT.as_secs().to_string()),
            // libpq would only fail at connect time; say so while the URL is still at hand.
            Some(value) if value.parse::<u32>().is_err() => {
                return Err(Error::InvalidUrl {
                    url: parsed.to_string(),
                    reason: format!("{CONNECT_TIMEOUT} must be a whole number of seconds, not {value:?}"),
                });
            }
            Some(_) => {}
        }
        Ok(parsed)
    }

    /// The full URL, password included: hand it to libpq, never to a log or an error.
    pub fn expose(&self) -> &str {
        self.url.as_str()
    }

    /// The connect timeout libpq will apply.
    pub fn connect_timeout(&self) -> Duration {
        let seconds = self
            .query_value(CONNECT_TIMEOUT)
            .and_then(|value| value.parse().ok())
            .unwrap_or(DEFAULT_CONNECT_TIMEOUT.as_secs());
        Duration::from_secs(seconds)
    }

    /// The database the URL names: the `dbname` query parameter if present (libpq lets it win), else the path.
    pub fn database_name(&self) -> Option<String> {
        if let Some(name) = self.query_value("dbname") {
            return Some(name).filter(|name| !name.is_empty());
        }
        let path = self.url.path().trim_start_matches('/');
        percent_decode(path).filter(|name| !name.is_empty())
    }

    /// The same server and credentials, pointed at another database (e.g. the `postgres` maintenance database).
    pub fn with_database(&self, name: &str) -> Self {
        let mut other = self.clone();
        other.remove_query_key("dbname");
        // `set_path` percent-encodes what a path cannot hold, so any database name survives.
        other.url.set_path(&format!("/{name}"));
        other
    }

    /// Removes the password from `text`, in both its raw and its percent-encoded form.
    ///
    /// libpq's messages do not normally quote the password, but this crate never relies on that.
    pub fn scrub(&self, text: &str) -> String {
        self.secrets()
            .into_iter()
            .filter(|secret| !secret.is_empty())
            .fold(text.to_owned(), |text, secret| text.replace(&secret, REDACTED))
    }

    fn secrets(&self) -> Vec<String> {
        let mut secrets = Vec::new();
        if let Some(password) = self.url.password() {
            secrets.push(password.to_owned());
            secrets.extend(percent_decode(password));
        }
        for key in SECRET_PARAMS {
            secrets.extend(self.query_value(key));
        }
        secrets
    }

    fn query_value(&self, key: &str) -> Option<String> {
        self.url
            .query_pairs()
            .find(|(name, _)| name == key)
            .map(|(_, value)| value.into_owned())
    }

    fn query_without(&self, key: &str) -> Vec<(String, String)> {
        self.url
            .query_pairs()
            .filter(|(name, _)| name != key)
            .map(|(name, value)| (name.into_owned(), value.into_owned()))
            .collect()
    }

    fn set_query_value(&mut self, key: &str, value: &str) {
        let mut pairs = self.query_without(key);
        pairs.push((key.to_owned(), value.to_owned()));
        self.replace_query(&pairs);
    }

    fn remove_query_key(&mut self, key: &str) {
        let pairs = self.query_without(key);
        self.replace_query(&pairs);
    }

    fn replace_query(&mut self, pairs: &[(String, String)]) {
        if pairs.is_empty() {
            self.url.set_query(None);
        } else {
            self.url.query_pairs_mut().clear().extend_pairs(pairs);
        }
    }

    fn redacted(&self) -> Url {
        let mut shown = self.url.clone();
        if shown.password().is_some() {
            // Cannot fail: the URL has a host, since it has a password.
            let _ = shown.set_password(Some(REDACTED));
        }
        let pairs: Vec<(String, String)> = shown
            .query_pairs()
            .map(|(name, value)| {
                let value = if SECRET_PARAMS.contains(&name.as_ref()) {
                    REDACTED.to_owned()
                } else {
                    value.into_owned()
                };
                (name.into_owned(), value)
            })
            .collect();
        if !pairs.is_empty() {
            shown.query_pairs_mut().clear().extend_pairs(pairs);
        }
        shown
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.redacted().fmt(f)
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("DatabaseUrl").field(&self.redacted().as_str()).finish()
    }
}

impl std::str::FromStr for DatabaseUrl {
    type Err = Error;

    fn from_str(raw: &str) -> Result<Self, Error> {
        Self::parse(raw)
    }
}

/// Decodes `%XX` escapes; `None` when the result is not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    percent_encoding::percent_decode_str(text)
        .decode_utf8()
        .ok()
        .map(|decoded| decoded.into_owned())
}

/// Best-effort redaction of a URL that did not parse: hide everything between `scheme://user:` and `@`.
fn redact_unparsed(raw: &str) -> String {
    let Some((scheme, rest)) = raw.split_once("://") else {
        return raw.to_owned();
    };
    let Some((userinfo, host)) = rest.rsplit_once('@') else {
        return raw.to_owned();
    };
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:{REDACTED}@{host}"),
        None => raw.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(raw: &str) -> DatabaseUrl {
        DatabaseUrl::parse(raw).unwrap_or_else(|error| panic!("{raw}: {error}"))
    }

    #[test]
    fn host_form_keeps_credentials_and_gains_a_timeout() {
        let url = parse("postgresql://credere:s3cret@db.example:5432/credere_db");
        assert_eq!(
            url.expose(),
            "postgresql://credere:s3cret@db.example:5432/credere_db?connect_timeout=10"
        );
        assert_eq!(url.database_name().as_deref(), Some("credere_db"));
        assert_eq!(url.connect_timeout(), Duration::from_secs(10));
    }

    #[test]
    fn socket_form_is_accepted() {
        let url = parse("postgresql:///credere");
        assert_eq!(url.expose(), "postgresql:///credere?connect_timeout=10");
        assert_eq!(url.database_name().as_deref(), Some("credere"));

        let with_dir = parse("postgresql:///credere?host=/var/run/postgresql");
        assert_eq!(
            with_dir.expose(),
            "postgresql:///credere?host=%2Fvar%2Frun%2Fpostgresql&connect_timeout=10"
        );
    }

    #[test]
    fn application_name_and_existing_timeout_are_kept() {
        let url = parse("postgres://u@localhost/db?application_name=credere%20admin&connect_timeout=3");
        assert_eq!(url.connect_timeout(), Duration::from_secs(3));
        assert_eq!(url.query_value("application_name").as_deref(), Some("credere admin"));
        assert_eq!(url.query_without("application_name").len(), 1);
    }

    #[test]
    fn bad_timeout_is_rejected() {
        let error = DatabaseUrl::parse("postgresql:///db?connect_timeout=soon").unwrap_err();
        assert!(error.to_string().contains("connect_timeout"), "{error}");
    }

    #[test]
    fn other_schemes_are_rejected_by_name() {
        for (raw, scheme) in [
            ("mysql://u:p@h/db", "mysql"),
            ("postgresql+psycopg2://u:p@h/db", "postgresql+psycopg2"),
            ("sqlite:///tmp/db", "sqlite"),
        ] {
            let error = DatabaseUrl::parse(raw).unwrap_err();
            assert!(
                matches!(&error, Error::UnsupportedScheme { scheme: found } if found == scheme),
                "{raw}: {error:?}"
            );
            assert!(error.to_string().contains(scheme), "{error}");
            assert!(!error.to_string().contains(":p@"), "{error}");
        }
    }

    #[test]
    fn garbage_is_an_error_without_the_password() {
        let error = DatabaseUrl::parse("postgresql://u:hunter2@h1:1,h2:2/db").unwrap_err();
        assert!(matches!(error, Error::InvalidUrl { .. }), "{error:?}");
        assert!(!error.to_string().contains("hunter2"), "{error}");
        assert!(DatabaseUrl::parse("not a url").is_err());
    }

    #[test]
    fn password_never_shows() {
        let url = parse("postgresql://admin:p%40ss%3Aw0rd@h/db?password=other");
        for shown in [url.to_string(), format!("{url:?}")] {
            assert!(!shown.contains("p%40ss"), "{shown}");
            assert!(!shown.contains("other"), "{shown}");
            assert!(shown.contains("admin:***@h/db"), "{shown}");
        }
        assert_eq!(
            url.scrub("auth failed for p@ss:w0rd and p%40ss%3Aw0rd and other"),
            "auth failed for *** and *** and ***"
        );
    }

    #[test]
    fn another_database_on_the_same_server() {
        let url = parse("postgresql://u:p@h:5433/credere?application_name=x");
        assert_eq!(
            url.with_database("postgres").expose(),
            "postgresql://u:p@h:5433/postgres?application_name=x&connect_timeout=10"
        );
        let by_param = parse("postgresql:///?dbname=credere");
        assert_eq!(by_param.database_name().as_deref(), Some("credere"));
        let moved = by_param.with_database("postgres");
        assert_eq!(moved.database_name().as_deref(), Some("postgres"));
        assert_eq!(moved.expose(), "postgresql:///postgres?connect_timeout=10");
    }

    #[test]
    fn odd_database_names_survive() {
        let url = parse("postgresql:///x").with_database("my db+1");
        assert_eq!(url.database_name().as_deref(), Some("my db+1"));
        assert_eq!(parse("postgresql://h").database_name(), None);
        assert_eq!(parse("postgresql://h/").database_name(), None);
    }
}
