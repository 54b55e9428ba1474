//! `DATABASE_URL` as credere-backend writes it, made safe to connect with and to print.

use std::fmt;
use std::time::Duration;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use url::Url;

use crate::error::Error;

/// libpq's own name for the connect timeout, in whole seconds.
const CONNECT_TIMEOUT: &str = "connect_timeout";
/// Query parameters whose value is a secret (libpq accepts the password, and the TLS key's, in the query).
const SECRET_PARAMS: &[&str] = &["password", "sslpassword"];
const REDACTED: &str = "***";
/// What libpq leaves unescaped in a query: RFC 3986's unreserved characters. libpq decodes `%XX` only, never
/// `+`, so the query is never written in the form encoding (`+` for a space) that `url` would use.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');
/// Besides letters, digits and `%XX`, what RFC 3986 allows unescaped in a URL's user name and password.
const USERINFO_EXTRA: &str = "-._~!$&'()*+,;=:";

/// How long a connection attempt may take when the URL does not say.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A validated `postgres://` or `postgresql://` URL that always carries a `connect_timeout`.
///
/// Its `Display` and `Debug` forms hide the password (and `password`/`sslpassword` query values); only
/// [`DatabaseUrl::expose`] shows the real URL, for libpq. Every refused input is refused without showing it.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl {
    url: Url,
}

impl DatabaseUrl {
    /// Parses `raw`, adding `connect_timeout` ([`DEFAULT_CONNECT_TIMEOUT`]) when it has none.
    ///
    /// Accepts the host form (`postgresql://user:pass@host:port/db`, the password percent-encoded), the socket
    /// form (`postgresql:///db`, optionally `?host=/run/postgresql`) and any libpq query parameters such as
    /// `application_name`. Refuses keyword/value strings (`host=… password=…`), a URL without `//`, and a user
    /// name or password with a character that must be percent-encoded, since each would be misread.
    pub fn parse(raw: &str) -> Result<Self, Error> {
        let raw = raw.trim();
        if is_keyword_value(raw) {
            return Err(Error::KeywordValue);
        }
        // The raw text is checked before the parser, which would read `u:123#4@h` as host `u`, port 123.
        if let Some((scheme, after_scheme)) = raw.split_once(':') {
            let scheme = scheme.to_ascii_lowercase();
            if matches!(scheme.as_str(), "postgres" | "postgresql") {
                let Some(after_slashes) = after_scheme.strip_prefix("//") else {
                    return Err(Error::MissingSlashes { scheme });
                };
                if !is_unambiguous(after_slashes) {
                    return Err(Error::NeedsPercentEncoding { scheme });
                }
            }
        }
        let url = Url::parse(raw).map_err(|error| Error::InvalidUrl {
            url: "(not shown, as it may hold a password)".to_owned(),
            reason: error.to_string(),
        })?;
        let scheme = url.scheme().to_owned();
        if !matches!(scheme.as_str(), "postgres" | "postgresql") {
            return Err(Error::UnsupportedScheme { scheme });
        }
        let mut parsed = Self { url };
        // Written back in libpq's encoding, so that what is exposed is what libpq will decode.
        let pairs = parsed.query_pairs();
        parsed.replace_query(&pairs);
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

    /// The same URL with libpq's `fallback_application_name`: the name its session shows in `pg_stat_activity`
    /// unless the URL's `application_name` or `PGAPPNAME` gives another.
    pub(crate) fn with_fallback_application_name(&self, name: &str) -> Self {
        let mut named = self.clone();
        named.set_query_value("fallback_application_name", name);
        named
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

    /// Hides every secret of this URL in `text` (a libpq message): the password as written in the URL and
    /// decoded, and the `password`/`sslpassword` query values likewise.
    ///
    /// Only whole occurrences are replaced, ones not glued to a letter or digit: blanking a short password
    /// wherever its letters occur would spell it out in the holes. libpq's messages do not normally quote the
    /// password, but this crate never relies on that.
    pub fn scrub(&self, text: &str) -> String {
        let mut secrets = self.secrets();
        secrets.retain(|secret| !secret.is_empty());
        // Longest first, so that a secret holding another is replaced whole.
        secrets.sort_by_key(|secret| std::cmp::Reverse(secret.len()));
        secrets
            .iter()
            .fold(text.to_owned(), |text, secret| replace_whole(&text, secret))
    }

    fn secrets(&self) -> Vec<String> {
        let mut secrets = Vec::new();
        if let Some(password) = self.url.password() {
            secrets.push(password.to_owned());
            secrets.extend(percent_decode(password));
        }
        for (name, value) in self.query_pairs() {
            if SECRET_PARAMS.contains(&name.as_str()) {
                secrets.push(utf8_percent_encode(&value, QUERY_VALUE).to_string());
                secrets.push(value);
            }
        }
        secrets
    }

    /// The query's pairs, decoded as libpq decodes them (`%XX` only).
    fn query_pairs(&self) -> Vec<(String, String)> {
        let decode = |text: &str| percent_decode_str(text).decode_utf8_lossy().into_owned();
        self.url
            .query()
            .unwrap_or_default()
            .split('&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| {
                let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
                (decode(name), decode(value))
            })
            .collect()
    }

    fn query_value(&self, key: &str) -> Option<String> {
        self.query_pairs()
            .into_iter()
            .find(|(name, _)| name == key)
            .map(|(_, value)| value)
    }

    fn query_without(&self, key: &str) -> Vec<(String, String)> {
        let mut pairs = self.query_pairs();
        pairs.retain(|(name, _)| name != key);
        pairs
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
        self.url.set_query(encode_query(pairs).as_deref());
    }

    fn redacted(&self) -> Url {
        let mut shown = self.url.clone();
        if shown.password().is_some() {
            // Cannot fail: the URL has a host, since it has a password.
            let _ = shown.set_password(Some(REDACTED));
        }
        let pairs: Vec<(String, String)> = self
            .query_pairs()
            .into_iter()
            .map(|(name, value)| {
                let value = if SECRET_PARAMS.contains(&name.as_str()) {
                    REDACTED.to_owned()
                } else {
                    value
                };
                (name, value)
            })
            .collect();
        shown.set_query(encode_query(&pairs).as_deref());
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

/// `name=value&…` with every value escaped as libpq reads it; `None` for no pairs.
fn encode_query(pairs: &[(String, String)]) -> Option<String> {
    let encode = |text: &str| utf8_percent_encode(text, QUERY_VALUE).to_string();
    let query: Vec<String> = pairs
        .iter()
        .map(|(name, value)| format!("{}={}", encode(name), encode(value)))
        .collect();
    (!query.is_empty()).then(|| query.join("&"))
}

/// Decodes `%XX` escapes; `None` when the result is not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    percent_decode_str(text)
        .decode_utf8()
        .ok()
        .map(|decoded| decoded.into_owned())
}

/// `host=db dbname=credere …`: libpq's other connection-string form, which starts with a keyword and `=`.
fn is_keyword_value(raw: &str) -> bool {
    raw.split_once('=').is_some_and(|(keyword, _)| {
        let keyword = keyword.trim();
        !keyword.is_empty() && keyword.chars().all(|c| c.is_ascii_alphabetic() || c == '_')
    })
}

/// Whether the text after `scheme://` reads one way only: the user name and password hold only what RFC 3986
/// allows there (so an `@`, `#`, `/`, `?` or space in a password is percent-encoded), no `@` hides in the path,
/// no `#` anywhere, every `%` starts an escape, and every query parameter name is a libpq keyword.
fn is_unambiguous(after_scheme: &str) -> bool {
    if after_scheme.contains('#') || !escapes_are_whole(after_scheme) {
        return false;
    }
    let authority_end = after_scheme.find(['/', '?']).unwrap_or(after_scheme.len());
    let (authority, rest) = after_scheme.split_at(authority_end);
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let userinfo_ok = authority.rsplit_once('@').is_none_or(|(userinfo, _host)| {
        userinfo
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '%' || USERINFO_EXTRA.contains(c))
    });
    let keywords_ok = query.split('&').filter(|pair| !pair.is_empty()).all(|pair| {
        let name = pair.split_once('=').map_or(pair, |(name, _)| name);
        !name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase() || c == '_')
    });
    userinfo_ok && !path.contains('@') && keywords_ok
}

/// Every `%` is followed by two hex digits.
fn escapes_are_whole(text: &str) -> bool {
    text.split('%')
        .skip(1)
        .all(|after| after.len() >= 2 && after.as_bytes()[..2].iter().all(u8::is_ascii_hexdigit))
}

/// `text` with each occurrence of `secret` that is not glued to a letter or digit replaced by `***`.
fn replace_whole(text: &str, secret: &str) -> String {
    let standalone = |neighbour: Option<char>| neighbour.is_none_or(|c| !c.is_alphanumeric());
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for (at, _) in text.match_indices(secret) {
        let end = at + secret.len();
        if standalone(text[..at].chars().next_back()) && standalone(text[end..].chars().next()) {
            out.push_str(&text[copied..at]);
            out.push_str(REDACTED);
            copied = end;
        }
    }
    out.push_str(&text[copied..]);
    out
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

    /// Every 4-character piece of each secret: none may show, or a password could be pieced together.
    fn fragments(secrets: &[&str]) -> Vec<String> {
        secrets
            .iter()
            .flat_map(|secret| {
                let chars: Vec<char> = secret.chars().collect();
                chars
                    .windows(4.min(chars.len()))
                    .map(|window| window.iter().collect::<String>())
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    #[track_caller]
    fn assert_hidden(label: &str, shown: &str, secrets: &[&str]) {
        for fragment in fragments(secrets) {
            assert!(!shown.contains(&fragment), "{label}: {fragment:?} shows in {shown:?}");
        }
    }

    #[test]
    fn no_form_shows_a_secret() {
        type Check = fn(&Error) -> bool;
        let keyword_value: Check = |error| matches!(error, Error::KeywordValue);
        let no_slashes: Check = |error| matches!(error, Error::MissingSlashes { .. });
        let encode: Check = |error| matches!(error, Error::NeedsPercentEncoding { .. });
        let invalid: Check = |error| matches!(error, Error::InvalidUrl { .. });
        let scheme: Check = |error| matches!(error, Error::UnsupportedScheme { .. });
        // (input, its secrets as a person would type them, None when accepted or the error expected)
        let cases: &[(&str, &[&str], Option<Check>)] = &[
            (
                "postgresql://credere:Zq9Xv7Kw@db.example:5432/credere",
                &["Zq9Xv7Kw"],
                None,
            ),
            (
                "postgres://credere:Zq9%40Xv%2F7%23K%3Fw%20Jt%25@db/credere",
                &["Zq9@Xv/7#K?w Jt%", "Zq9%40Xv%2F7%23K%3Fw%20Jt%25"],
                None,
            ),
            ("postgresql://credere@db/credere?password=Zq9Xv7Kw", &["Zq9Xv7Kw"], None),
            (
                "postgresql://credere@db/credere?sslmode=require&sslpassword=Zq9%2BXv7%20Kw",
                &["Zq9+Xv7 Kw"],
                None,
            ),
            (
                "postgresql:///credere?user=credere&password=Zq9Xv7Kw&host=%2Frun%2Fpostgresql",
                &["Zq9Xv7Kw"],
                None,
            ),
            (
                "postgresql://credere:Zq9Xv7Kw@db/credere?application_name=a%20b&password=Yp8Wu6Jv",
                &["Zq9Xv7Kw", "Yp8Wu6Jv"],
                None,
            ),
            (
                "host=db user=credere password=Zq9Xv7Kw dbname=credere",
                &["Zq9Xv7Kw"],
                Some(keyword_value),
            ),
            (
                "host=db password='Zq9 Xv7Kw' dbname=credere",
                &["Zq9 Xv7Kw"],
                Some(keyword_value),
            ),
            ("  password = Zq9Xv7Kw host=db", &["Zq9Xv7Kw"], Some(keyword_value)),
            (
                "postgresql:credere:Zq9Xv7Kw@db/credere",
                &["Zq9Xv7Kw"],
                Some(no_slashes),
            ),
            ("postgres:/credere:Zq9Xv7Kw@db/credere", &["Zq9Xv7Kw"], Some(no_slashes)),
            ("postgresql:/?password=Zq9Xv7Kw", &["Zq9Xv7Kw"], Some(no_slashes)),
            (
                "postgresql://credere:Zq9@Xv7Kw@db/credere",
                &["Zq9@Xv7Kw"],
                Some(encode),
            ),
            (
                "postgresql://credere:Zq9#Xv7Kw@db/credere",
                &["Zq9#Xv7Kw"],
                Some(encode),
            ),
            (
                "postgresql://credere:83419#27561@db/credere",
                &["83419#27561"],
                Some(encode),
            ),
            (
                "postgresql://credere:83419/27561@db/credere",
                &["83419/27561"],
                Some(encode),
            ),
            (
                "postgresql://credere:Zq9?Xv7Kw@db/credere",
                &["Zq9?Xv7Kw"],
                Some(encode),
            ),
            (
                "postgresql://credere:83419?27561@db/credere",
                &["83419?27561"],
                Some(encode),
            ),
            (
                "postgresql://credere:Zq9 Xv7Kw@db/credere",
                &["Zq9 Xv7Kw"],
                Some(encode),
            ),
            (
                "postgresql://credere:Zq9%Xv7Kw@db/credere",
                &["Zq9%Xv7Kw"],
                Some(encode),
            ),
            (
                "postgresql://credere:Zq9\"Xv7Kw@db/credere",
                &["Zq9\"Xv7Kw"],
                Some(encode),
            ),
            (
                "postgresql://credere@db/credere?password=Zq9Xv7Kw#frag",
                &["Zq9Xv7Kw"],
                Some(encode),
            ),
            (
                "postgresql://credere:Zq9Xv7Kw@:5432/credere",
                &["Zq9Xv7Kw"],
                Some(invalid),
            ),
            (
                "postgresql://credere:Zq9/Xv7Kw@db/credere",
                &["Zq9/Xv7Kw"],
                Some(encode),
            ),
            (
                "postgresql://credere:Zq9Xv7Kw@h1:1,h2:2/credere",
                &["Zq9Xv7Kw"],
                Some(invalid),
            ),
            (
                "postgresql://credere:Zq9Xv7Kw@db/credere?connect_timeout=soon",
                &["Zq9Xv7Kw"],
                Some(invalid),
            ),
            ("mysql://credere:Zq9Xv7Kw@db/credere", &["Zq9Xv7Kw"], Some(scheme)),
        ];
        for (raw, secrets, expected) in cases {
            match (DatabaseUrl::parse(raw), expected) {
                (Ok(url), None) => {
                    assert_hidden(raw, &url.to_string(), secrets);
                    assert_hidden(raw, &format!("{url:?}"), secrets);
                    let exposed = url.expose();
                    let message = format!("FATAL: bad \"{}\" in {exposed} ({})", secrets[0], secrets.join(", "));
                    assert_hidden(raw, &url.scrub(&message), secrets);
                }
                (Err(error), Some(check)) => {
                    assert!(check(&error), "{raw}: unexpected {error:?}");
                    assert_hidden(raw, &error.to_string(), secrets);
                    assert_hidden(raw, &format!("{error:?}"), secrets);
                }
                (outcome, _) => panic!("{raw}: unexpected outcome {outcome:?}"),
            }
        }
    }

    #[test]
    fn refusals_say_how_to_fix_the_url() {
        let message = |raw: &str| DatabaseUrl::parse(raw).unwrap_err().to_string();
        assert!(message("postgresql://u:p@ss@h/db").contains("Write @ as %40"));
        assert!(message("postgresql:u:p@h/db").contains("Add the `//`"));
        assert!(message("host=h password=p").contains("write it as postgresql://USER:PASSWORD@HOST:PORT/DBNAME"));
    }

    #[test]
    fn percent_encoded_passwords_reach_libpq_as_written() {
        let url = parse("postgresql://u:p%40ss%3Aw0rd@h/db?password=a%2Bb%20c&application_name=x+y");
        assert_eq!(url.url.password(), Some("p%40ss%3Aw0rd"));
        // libpq decodes %XX only: `+` stays a plus, a space stays %20.
        assert_eq!(url.query_value("password").as_deref(), Some("a+b c"));
        assert_eq!(url.query_value("application_name").as_deref(), Some("x+y"));
        assert!(
            url.expose()
                .ends_with("?password=a%2Bb%20c&application_name=x%2By&connect_timeout=10"),
            "{}",
            url.expose()
        );
    }

    #[test]
    fn scrub_replaces_whole_passwords_only() {
        let url = parse("postgresql://u:p%40ss%3Aw0rd@h/db?password=other");
        assert_eq!(
            url.scrub("auth failed for p@ss:w0rd and p%40ss%3Aw0rd and other, not another"),
            "auth failed for *** and *** and ***, not another"
        );
        // A one-letter password is not blanked inside words, where the holes would spell it out.
        let short = parse("postgresql://u:a@h/db");
        assert_eq!(
            short.scrub("password authentication failed for user \"a\" at a"),
            "password authentication failed for user \"***\" at ***"
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
